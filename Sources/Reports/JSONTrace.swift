import Backprop
import Lessons

/// The machine-readable trace of a run: every value the report shows, at full precision.
/// The layout is documented in the README under "JSON trace"; bump `version` when it changes.
public enum JSONTrace {
  /// Version 2 added networks of typed layers; a trace of dense networks only is version 1's
  /// but for its `version`.
  public static let version = 2
  public static let versions = [1, 2]

  /// Whether the run can be written as trace `version` (version 1 has no typed layers).
  public static func canRender(_ run: ExecutedLesson, version: Int) -> Bool {
    version >= 2 || !run.items.contains { if case .layeredNetwork = $0 { true } else { false } }
  }

  public static func render(_ run: ExecutedLesson, version: Int = JSONTrace.version) -> String {
    var steps: [JSONValue] = []
    for item in run.items {
      switch item {
      case .prose: continue
      case .network(let n): steps.append(network(n))
      case .data(let d): steps.append(data(d))
      case .directive(let r): steps.append(directive(r))
      case .checks(let results, let location): steps.append(checks(results, location))
      case .graph(let g): steps.append(graph(g))
      case .layeredNetwork(let d): steps.append(layeredNetwork(d))
      case .layered(let r): steps.append(layered(r, notation: run.lesson.settings.notation))
      }
    }
    var top: [(String, JSONValue)] = [
      ("format", .string("lesson-trace")),
      ("version", .number(Double(version))),
      ("lesson", .object([
        // The file name alone: the trace must not depend on where or how the lesson was named.
        ("file", .string(run.lesson.file.split(separator: "/").last.map(String.init) ?? run.lesson.file)),
        ("title", run.lesson.settings.title.map(JSONValue.string) ?? .null),
        // The format the lesson was written for (1 or 2), which fixes what its defaults mean.
        ("lesson_format", .number(Double(run.lesson.settings.format))),
      ])),
      ("steps", .array(steps)),
    ]
    let results = run.checks
    top.append(("checks", .object([("passed", .number(Double(results.filter(\.passed).count))), ("failed", .number(Double(results.filter { !$0.passed }.count)))])))
    // Only when there are any, so a lesson without warnings keeps the trace it had.
    if !run.warnings.isEmpty {
      top.append(("warnings", .array(run.warnings.map { w in
        .object([("line", .number(Double(w.location.line))), ("column", .number(Double(w.location.column))), ("message", .string(w.message)), ("notes", .strings(w.notes))])
      })))
    }
    if let stop = run.stoppedEarly {
      top.append(("stopped", .object([("line", .number(Double(stop.location.line))), ("message", .string(stop.message)), ("notes", .strings(stop.notes))])))
    }
    return JSONValue.object(top).rendered() + "\n"
  }

  static func network(_ n: NetworkDeclaration) -> JSONValue {
    let spec = n.spec
    return .object([
      ("kind", .string("network")),
      ("line", .number(Double(n.location.line))),
      ("name", .string(spec.name)),
      ("inputs", .strings(spec.inputs)),
      ("layers", .array(n.network.layers.indices.map { l in
        let layer = n.network.layers[l]
        var pairs: [(String, JSONValue)] = [
          ("neurons", .strings(n.names.neurons[l])),
          ("activation", .string(layer.activation.name)),
        ]
        if case .leakyReLU(let slope) = layer.activation { pairs.append(("slope", .number(slope))) }
        pairs += [
          ("weights", .rows(layer.weights.nested)),
          ("weight_names", .array(n.names.weights[l].map(JSONValue.strings))),
          ("biases", .numbers(layer.biases)),
          ("bias_names", .strings(n.names.biases[l])),
        ]
        return .object(pairs)
      })),
    ] + training(spec) + [("update_order", .string(spec.updateOrder.rawValue))])
  }

  /// What every network step says of its training: loss, how it reduces, optimizer, biases.
  static func training(_ spec: NetworkSpec) -> [(String, JSONValue)] {
    [
      ("loss", .string(spec.loss.name)),
      // Added in lesson format 2: what the loss does across a sample's outputs, and its setting.
      ("loss_outputs", .string(spec.loss.outputReduction.rawValue)),
      ("reduction", .string(spec.reduction.rawValue)),
    ] + lossSetting(spec.loss) + [
      ("optimizer", optimizer(spec.optimizer)),
      ("update_biases", .bool(spec.updatesBiases)),
    ]
  }

  static func lossSetting(_ loss: Loss) -> [(String, JSONValue)] {
    switch loss {
    case .huber(let delta, _): [("loss_delta", .number(delta))]
    case .smoothL1(let beta, _): [("loss_beta", .number(beta))]
    default: []
    }
  }

  static func optimizer(_ o: Optimizer) -> JSONValue {
    switch o {
    case .sgd(let s):
      return .object([("type", .string("sgd")), ("learning_rate", .number(s.learningRate)), ("momentum", .number(s.momentum)),
        ("dampening", .number(s.dampening)), ("nesterov", .bool(s.nesterov)), ("weight_decay", .number(s.weightDecay))])
    case .rmsprop(let r):
      return .object([("type", .string("rmsprop")), ("learning_rate", .number(r.learningRate)), ("alpha", .number(r.alpha)),
        ("epsilon", .number(r.epsilon)), ("momentum", .number(r.momentum)), ("weight_decay", .number(r.weightDecay)),
        ("centered", .bool(r.centered))])
    case .adam(let a), .adamw(let a):
      let type = if case .adamw = o { "adamw" } else { "adam" }
      return .object([("type", .string(type)), ("learning_rate", .number(a.learningRate)), ("beta1", .number(a.beta1)),
        ("beta2", .number(a.beta2)), ("epsilon", .number(a.epsilon)), ("weight_decay", .number(a.weightDecay)), ("amsgrad", .bool(a.amsgrad))])
    }
  }

  static func data(_ d: DataDeclaration) -> JSONValue {
    .object([
      ("kind", .string("data")),
      ("line", .number(Double(d.location.line))),
      ("name", .string(d.name)),
      ("inputs", .rows(d.dataset.inputs.nested)),
      ("targets", .rows(d.dataset.targets.nested)),
    ])
  }

  /// What every directive step starts with.
  static func header(_ kind: Directive, _ location: SourceLocation, network: String, data: String, samples: Int) -> [(String, JSONValue)] {
    [("kind", .string(kind.rawValue)), ("line", .number(Double(location.line))), ("network", .string(network)), ("data", .string(data)),
     ("samples", .number(Double(samples)))]
  }

  static func directive(_ r: DirectiveResult) -> JSONValue {
    var pairs = header(r.kind, r.location, network: r.networkName, data: r.dataName, samples: r.data.count)
    if let f = r.forward {
      pairs.append(("forward", .object([("layers", .array(f.z.indices.map { l in
        .object([("neurons", .strings(r.names.neurons[l])), ("z", .rows(f.z[l].nested)), ("a", .rows(f.a[l].nested))])
      }))])))
    }
    if let loss = r.loss {
      pairs.append(("loss", .object([
        ("E", .number(loss.total)), ("per_sample", .numbers(loss.perSample)), ("per_output", .rows(loss.terms.nested)),
      ])))
    }
    if let b = r.backward {
      pairs.append(("backward", .object([("layers", .array(b.delta.indices.map { l in
        .object([
          ("neurons", .strings(r.names.neurons[l])),
          ("a_grad", .rows(b.errorSignal[l].nested)),
          ("delta", .rows(b.delta[l].nested)),
          ("weight_gradients", .rows(b.weightGradients[l].nested)),
          ("bias_gradients", .numbers(b.biasGradients[l])),
        ])
      }))])))
    }
    if let u = r.update {
      pairs.append(("update", .object([
        ("order", .string(u.order.rawValue)),
        ("step", .number(Double(u.step))),
        ("layers", .array(u.layers.indices.map { l in
          let layer = u.layers[l]
          var entry: [(String, JSONValue)] = [
            ("weights_before", .rows(layer.oldWeights.nested)),
            ("weight_gradients", .rows(layer.weightGradient.nested)),
            ("weights_after", .rows(layer.newWeights.nested)),
            ("biases_before", .numbers(layer.oldBiases)),
            ("bias_gradients", .numbers(layer.biasGradient)),
            ("biases_after", .numbers(layer.newBiases)),
            ("biases_updated", .bool(layer.biasesUpdated)),
          ]
          if let d = layer.recomputedDelta { entry.append(("recomputed_delta", .rows(d.nested))) }
          entry.append(("optimizer_state", optimizerState(r.optimizer, layer)))
          return .object(entry)
        })),
      ])))
    }
    if let t = r.training { pairs.append(("train", training(t))) }
    if let g = r.gradientCheck {
      pairs.append(("gradcheck", .array(g.map { c in
        .object([
          ("parameter", .string(parameterName(c.parameter, r.names))),
          ("analytic", .number(c.analytic)), ("numeric", .number(c.numeric)), ("relative_error", .number(c.relativeError)),
        ])
      })))
    }
    pairs.append(("parameters", parameters(r)))
    return .object(pairs)
  }

  static func optimizerState(_ optimizer: Optimizer, _ layer: LayerUpdate) -> JSONValue {
    func slots(_ s: OptimizerSlots, _ rows: Int, _ columns: Int) -> [(String, JSONValue)] {
      func shaped(_ v: [Double]) -> JSONValue { columns == 0 ? .numbers(v) : .rows(Matrix(rows: rows, columns: columns, values: v).nested) }
      switch optimizer {
      case .sgd(let o) where o.momentum != 0: return [("velocity", shaped(s.velocity))]
      case .sgd: return []
      case .rmsprop(let o):
        return [("square_average", shaped(s.square))] + (o.momentum > 0 ? [("velocity", shaped(s.velocity))] : [])
          + (o.centered ? [("gradient_average", shaped(s.extra))] : [])
      case .adam(let o), .adamw(let o):
        return [("first_moment", shaped(s.velocity)), ("second_moment", shaped(s.square))]
          + (o.amsgrad ? [("max_second_moment", shaped(s.extra))] : [])
      }
    }
    let w = slots(layer.weightSlots, layer.newWeights.rows, layer.newWeights.columns)
    let b = layer.biasesUpdated ? slots(layer.biasSlots, layer.newBiases.count, 0) : []
    return .object([("weights", .object(w)), ("biases", .object(b))])
  }

  static func schedule(_ s: LearningRateSchedule) -> JSONValue {
    let settings: [(String, JSONValue)]
    switch s.kind {
    case .step(let size, let gamma): settings = [("type", .string("step")), ("step_size", .number(Double(size))), ("gamma", .number(gamma))]
    case .exponential(let gamma): settings = [("type", .string("exponential")), ("gamma", .number(gamma))]
    case .cosine(let tMax, let etaMin): settings = [("type", .string("cosine")), ("t_max", .number(Double(tMax))), ("eta_min", .number(etaMin))]
    case .linear(let start, let end, let total):
      settings = [("type", .string("linear")), ("start_factor", .number(start)), ("end_factor", .number(end)), ("total_iters", .number(Double(total)))]
    }
    return .object(settings + [("per", .string(s.perIteration ? "iteration" : "epoch"))])
  }

  static func training(_ t: TrainingResult) -> JSONValue {
    let losses = t.history.losses
    var pairs: [(String, JSONValue)] = [
      ("iterations", .number(Double(t.schedule.iterations))),
      ("iterations_per_epoch", .number(Double(t.history.iterationsPerEpoch))),
      ("epochs", .number(t.epochs)),
      ("batch_size", t.schedule.batchSize.map { .number(Double($0)) } ?? .null),
      ("shuffle_seed", t.schedule.shuffleSeed.map { .number(Double($0)) } ?? .null),
    ] + (t.schedule.learningRate.map { [("schedule", schedule($0))] } ?? []) + [
      // Since lesson format 2: under a `schedule`, the learning rate each recorded iteration used.
      ("recorded", .array(t.recorded.map { k in
        .object([("iteration", .number(Double(k))), ("epoch", .number(Double((k - 1) / t.history.iterationsPerEpoch + 1))), ("E", .number(losses[k - 1]))]
          + (t.history.rates.count >= k ? [("learning_rate", .number(t.history.rates[k - 1]))] : []))
      })),
    ]
    // The whole curve while it is small enough to be useful to a program; the recorded points always.
    if losses.count <= 100_000 { pairs.append(("losses", .numbers(losses))) }
    if !t.comparisons.isEmpty { pairs.append(("compared_with", .strings(t.comparisons.map(\.network)))) }
    if !t.accuracyCurve.isEmpty {
      pairs.append(("accuracy_curve", .array(t.accuracyCurve.map { .object([("iteration", .number(Double($0.iteration))), ("accuracy", .number($0.accuracy))]) })))
    }
    pairs += [
      ("final", .object([
        ("E", .number(t.finalLoss.total)),
        ("per_sample", .numbers(t.finalLoss.perSample)),
        ("outputs", .rows(t.finalForward.outputs.nested)),
        ("accuracy", t.accuracy.map(JSONValue.number) ?? .null),
      ])),
      ("stopped_at", t.history.stoppedAt.map { .number(Double($0)) } ?? .null),
    ]
    return .object(pairs)
  }

  /// Every parameter by its lesson name: value before and after the directive, and its gradient when known.
  static func parameters(_ r: DirectiveResult) -> JSONValue {
    var pairs: [(String, JSONValue)] = []
    for l in r.before.layers.indices {
      let before = r.before.layers[l], after = r.after.layers[l]
      for j in 0..<before.weights.rows {
        for i in 0..<before.weights.columns {
          var entry: [(String, JSONValue)] = [("layer", .number(Double(l + 1))), ("before", .number(before.weights[j, i]))]
          if let b = r.backward { entry.append(("grad", .number(b.weightGradients[l][j, i]))) }
          if let u = r.update { entry.append(("applied_grad", .number(u.layers[l].weightGradient[j, i]))) }
          entry.append(("after", .number(after.weights[j, i])))
          pairs.append((r.names.weights[l][j][i], .object(entry)))
        }
      }
      for j in 0..<before.biases.count {
        var entry: [(String, JSONValue)] = [("layer", .number(Double(l + 1))), ("before", .number(before.biases[j]))]
        if let b = r.backward { entry.append(("grad", .number(b.biasGradients[l][j]))) }
        if let u = r.update, u.layers[l].biasesUpdated { entry.append(("applied_grad", .number(u.layers[l].biasGradient[j]))) }
        entry.append(("after", .number(after.biases[j])))
        pairs.append((r.names.biases[l][j], .object(entry)))
      }
    }
    return .object(pairs)
  }

  static func checks(_ results: [CheckResult], _ location: SourceLocation) -> JSONValue {
    .object([
      ("kind", .string("check")),
      ("line", .number(Double(location.line))),
      ("results", .array(results.map { r in
        .object([
          ("name", .string(r.spec.name)),
          ("line", .number(Double(r.spec.location.line))),
          ("expected", .number(r.spec.expected)),
          ("computed", r.computed.map(JSONValue.number) ?? .null),
          ("tolerance", .number(r.allowed)),
          ("passed", .bool(r.passed)),
          ("source", r.spec.note.map(JSONValue.string) ?? .null),
        ])
      })),
    ])
  }

  static func parameterName(_ p: GradientComparison.Parameter, _ names: NetworkNames) -> String {
    switch p {
    case .weight(let l, let j, let i): names.weights[l][j][i]
    case .bias(let l, let j): names.biases[l][j]
    }
  }
}
