import Backprop
import Lessons

/// Trace version 2's steps for networks of typed layers. Values are nested by their shape
/// (`z[n][c][i][j]` for a 2-d convolution's sample n), as numpy would hold them; parameters
/// are listed by the names the report shows.
extension JSONTrace {
  /// A flat row-major list as nested lists of `shape`.
  static func nested(_ flat: [Double], _ shape: [Int]) -> JSONValue {
    guard shape.count > 1 else { return .numbers(flat) }
    let step = shape.dropFirst().reduce(1, *)
    return .array((0..<shape[0]).map { nested(Array(flat[($0 * step)..<(($0 + 1) * step)]), Array(shape.dropFirst())) })
  }

  /// Each parameter tensor of a layer, nested by its shape, under its trace name.
  static func tensors(_ layer: Layer, _ values: [[Double]]) -> JSONValue {
    .object(zip(layer.parameterShapes, values).map { ($0.0.name, nested($0.1, $0.0.shape)) })
  }

  static func layeredNetwork(_ d: LayeredDeclaration) -> JSONValue {
    let spec = d.spec
    let network = d.layered.network
    return .object([
      ("kind", .string("network")),
      ("line", .number(Double(d.location.line))),
      ("name", .string(spec.name)),
      ("input_shape", .numbers(network.inputShape.map(Double.init))),
      ("input_name", .string(d.layered.inputName)),
      ("layers", .array(network.layers.enumerated().map { l, layer in
        let names = d.layered.layers[l]
        var pairs: [(String, JSONValue)] = [("type", .string(names.type)), ("name", .string(names.name))]
        if !names.neurons.isEmpty { pairs.append(("neurons", .strings(names.neurons))) }
        pairs += [("input_shape", .numbers(layer.inputShape.map(Double.init))), ("output_shape", .numbers(layer.outputShape.map(Double.init)))]
        switch layer {
        case .convolution(let c):
          let two = c.dimensions == 2
          pairs += [("channels", .number(Double(c.outChannels))),
            ("kernel", .numbers((two ? [c.kernelRows, c.kernelColumns] : [c.kernelColumns]).map(Double.init))),
            ("stride", .numbers((two ? [c.strideRows, c.strideColumns] : [c.strideColumns]).map(Double.init))),
            ("padding", .numbers((two ? [c.paddingRows, c.paddingColumns] : [c.paddingColumns]).map(Double.init)))]
        case .pooling(let p):
          let two = p.dimensions == 2
          pairs += [("size", .numbers((two ? [p.sizeRows, p.sizeColumns] : [p.sizeColumns]).map(Double.init))),
            ("stride", .numbers((two ? [p.strideRows, p.strideColumns] : [p.strideColumns]).map(Double.init)))]
        case .recurrent(let r): pairs += [("hidden", .number(Double(r.hidden))), ("returns", .string(r.returnsSequence ? "sequence" : "last"))]
        case .dense, .flatten: break
        }
        if let a = layer.activation {
          pairs.append(("activation", .string(a.name)))
          if case .leakyReLU(let slope) = a { pairs.append(("slope", .number(slope))) }
        }
        if !layer.parameters.isEmpty { pairs.append(("parameters", tensors(layer, layer.parameters))) }
        if let k = names.kernelNames { pairs.append(("kernel_names", .strings(k))) }
        if let b = names.biasNames { pairs.append(("bias_names", .strings(b))) }
        if let w = names.weightNames { pairs.append(("weight_names", .array(w.map(JSONValue.strings)))) }
        return .object(pairs)
      })),
    ] + training(spec))
  }

  static func layered(_ r: LayeredResult, notation: Notation) -> JSONValue {
    var pairs = header(r.kind, r.location, network: r.networkName, data: r.dataName, samples: r.data.count)
    let layers = r.before.layers
    func layerHeader(_ l: Int) -> [(String, JSONValue)] {
      [("name", .string(r.spec.layers[l].neurons.isEmpty ? r.spec.layers[l].name : r.spec.layers[l].neurons.joined(separator: ","))),
       ("type", .string(r.spec.layers[l].type)), ("shape", .numbers(layers[l].valueShape.map(Double.init)))]
    }
    if let f = r.forward {
      pairs.append(("forward", .object([("layers", .array(layers.indices.map { l in
        let shape = layers[l].valueShape
        return .object(layerHeader(l) + [
          ("z", layers[l].hasNetInput ? .array(f.layers[l].map { nested($0.z!, shape) }) : .null),
          ("a", .array(f.layers[l].map { nested($0.a, shape) })),
        ])
      }))])))
    }
    if let loss = r.loss {
      pairs.append(("loss", .object([("E", .number(loss.total)), ("per_sample", .numbers(loss.perSample)), ("per_output", .rows(loss.terms.nested))])))
    }
    if let b = r.backward {
      pairs.append(("backward", .object([("layers", .array(layers.indices.map { l in
        let shape = layers[l].valueShape
        return .object(layerHeader(l) + [
          ("a_grad", .array(b.layers[l].map { nested($0.aGrad, shape) })),
          ("delta", layers[l].hasNetInput ? .array(b.layers[l].map { nested($0.delta!, shape) }) : .null),
          ("gradients", tensors(layers[l], b.gradients[l])),
        ])
      })), ("input_gradient", .array(b.layers.first.map { $0.map { nested($0.input, r.before.inputShape) } } ?? []))])))
    }
    if let u = r.update {
      pairs.append(("update", .object([("step", .number(Double(u.step))), ("layers", .array(layers.indices.map { l in
        .object(layerHeader(l) + [("before", tensors(layers[l], u.before[l])), ("after", tensors(layers[l], u.after[l]))])
      }))])))
    }
    if let h = r.history {
      pairs.append(("train", .object([
        ("iterations", .number(Double(h.losses.count))), ("iterations_per_epoch", .number(Double(h.iterationsPerEpoch))), ("epochs", .number(r.epochs)),
        ("recorded", .array(r.recorded.map { k in .object([("iteration", .number(Double(k))), ("E", .number(h.losses[k - 1]))]) })),
        ("losses", .numbers(Array(h.losses.prefix(100_000)))),
        ("final", .object([
          ("E", r.loss.map { .number($0.total) } ?? .null), ("per_sample", r.loss.map { .numbers($0.perSample) } ?? .null),
          ("outputs", r.forward.map { .rows($0.outputs) } ?? .null), ("accuracy", r.outcome.training?.accuracy.map(JSONValue.number) ?? .null),
        ])),
        ("stopped_at", h.stoppedAt.map { .number(Double($0)) } ?? .null),
      ])))
    }
    if let checks = r.gradientCheck, let pass = r.pass(notation: notation) {
      pairs.append(("gradcheck", .array(checks.map { c in
        .object([("parameter", .string(pass.parameterName(c.layer, c.tensor, c.index))), ("analytic", .number(c.analytic)),
          ("numeric", .number(c.numeric)), ("relative_error", .number(c.relativeError))])
      })))
    }
    if let pass = r.pass(notation: notation) {
      var parameters: [(String, JSONValue)] = []
      for (l, layer) in layers.enumerated() {
        for (t, tensor) in layer.parameters.enumerated() {
          for i in tensor.indices {
            var entry: [(String, JSONValue)] = [("layer", .number(Double(l + 1))), ("before", .number(tensor[i]))]
            if let b = r.backward { entry.append(("grad", .number(b.gradients[l][t][i]))) }
            entry.append(("after", .number(r.after.layers[l].parameters[t][i])))
            parameters.append((pass.parameterName(l, t, i), .object(entry)))
          }
        }
      }
      pairs.append(("parameters", .object(parameters)))
    }
    return .object(pairs)
  }
}
