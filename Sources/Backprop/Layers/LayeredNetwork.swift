/// A network of typed layers (dense, convolution, pooling, flatten, recurrent) over one
/// input tensor per sample, with the dense network's losses, reductions and optimizers.
///
/// The plain definition, sample by sample: these networks are small enough to work by hand,
/// so clarity wins over speed here.
public struct LayeredNetwork: Sendable, Hashable {
  public var inputShape: [Int]
  public var layers: [Layer]
  public var loss: Loss
  public var reduction: Reduction
  public var updatesBiases: Bool

  public init(inputShape: [Int], layers: [Layer], loss: Loss, reduction: Reduction = .mean, updatesBiases: Bool = true) {
    var shape = inputShape
    for layer in layers {
      precondition(layer.inputShape == shape, "layer shapes do not chain: \(layer.inputShape) after \(shape)")
      shape = layer.outputShape
    }
    self.inputShape = inputShape
    self.layers = layers
    self.loss = loss
    self.reduction = reduction
    self.updatesBiases = updatesBiases
  }

  public var outputCount: Int { layers.last.map { $0.outputShape.reduce(1, *) } ?? inputShape.reduce(1, *) }
  public var parameterCount: Int { layers.reduce(0) { $0 + $1.parameters.reduce(0) { $0 + $1.count } } }

  /// Multiply-adds of one sample's forward pass: each cell of a layer with weights costs as
  /// many as the inputs it reads, a pooling window its size.
  public var multiplyAdds: Double {
    layers.reduce(0.0) { total, layer in
      switch layer {
      case .dense(let d): total + Double(d.weights.values.count)
      case .convolution(let c): total + Double(c.outputShape.reduce(1, *)) * Double(c.fanIn)
      case .pooling(let p): total + Double(p.outputShape.reduce(1, *) * p.sizeRows * p.sizeColumns)
      case .flatten: total
      case .recurrent(let r): total + Double(r.steps * r.hidden * (r.features + r.hidden))
      }
    }
  }

  /// 1/N under the mean reduction.
  public func sampleWeight(batchSize: Int) -> Double { reduction == .mean ? 1 / Double(max(batchSize, 1)) : 1 }

  public func forward(_ inputs: [[Double]]) -> LayeredForward {
    var values: [[LayerValues]] = Array(repeating: [], count: layers.count)
    var outputs: [[Double]] = []
    for x in inputs {
      var signal = x
      for (l, layer) in layers.enumerated() {
        let v = layer.forward(signal)
        values[l].append(v)
        signal = layer.output(v)
      }
      outputs.append(signal)
    }
    return LayeredForward(inputs: inputs, layers: values, outputs: outputs)
  }

  public func loss(_ pass: LayeredForward, targets: [[Double]]) -> LossValue {
    let k = outputCount
    var terms = Matrix(rows: pass.outputs.count, columns: k)
    var perSample: [Double] = []
    for (n, a) in pass.outputs.enumerated() {
      var sum = 0.0
      for j in 0..<k {
        let term = loss.term(a: a[j], t: targets[n][j], outputs: k)
        terms.values[n * k + j] = term
        sum += term
      }
      perSample.append(sum)
    }
    let total = perSample.reduce(0, +) * sampleWeight(batchSize: perSample.count)
    return LossValue(terms: terms, perSample: perSample, total: total)
  }

  /// δ and ∂E/∂a of every layer per sample (unreduced: of Eₙ), and every parameter's
  /// gradient of the batch error.
  public func backward(_ pass: LayeredForward, targets: [[Double]]) -> LayeredBackward {
    let k = outputCount
    let weight = sampleWeight(batchSize: pass.inputs.count)
    var perLayer: [[LayerGradients]] = Array(repeating: [], count: layers.count)
    var gradients = layers.map { $0.parameters.map { [Double](repeating: 0, count: $0.count) } }
    for n in pass.inputs.indices {
      let a = pass.outputs[n]
      var g = (0..<k).map { loss.derivative(a: a[$0], t: targets[n][$0], outputs: k) }
      for l in layers.indices.reversed() {
        let input = l == 0 ? pass.inputs[n] : layers[l - 1].output(pass.layers[l - 1][n])
        var fused: [Double]?
        if l == layers.count - 1, let f = layers[l].activation, layers[l].hasNetInput, loss.fusesWith(f) {
          fused = (0..<k).map { loss.fusedDelta(a: a[$0], t: targets[n][$0], outputs: k) }
          // ∂E/∂a is still the loss's own derivative; δ skips the chain that would round.
        }
        let back = layers[l].backward(input, pass.layers[l][n], outputGradient: g, fusedDelta: fused)
        perLayer[l].append(back)
        for (p, tensor) in back.parameters.enumerated() {
          for i in tensor.indices { gradients[l][p][i] += weight * tensor[i] }
        }
        g = back.input
      }
    }
    return LayeredBackward(layers: perLayer, gradients: gradients)
  }

  /// One optimizer step from `backward`'s gradients; returns the parameters before and after.
  @discardableResult
  public mutating func update(_ backward: LayeredBackward, optimizer: Optimizer, state: inout LayeredOptimizerState) -> LayeredUpdate {
    state.step += 1
    let before = layers.map(\.parameters)
    for l in layers.indices {
      var tensors = layers[l].parameters
      for p in tensors.indices where updatesBiases || p != layers[l].biasTensor {
        optimizer.apply(to: &tensors[p], gradient: backward.gradients[l][p], slots: &state.slots[l][p], step: state.step)
      }
      layers[l].parameters = tensors
    }
    return LayeredUpdate(before: before, after: layers.map(\.parameters), step: state.step, slots: state.slots)
  }
}

public struct LayeredForward: Sendable, Hashable {
  /// One flat input per sample.
  public var inputs: [[Double]]
  /// `layers[l][n]`: layer l's values for sample n.
  public var layers: [[LayerValues]]
  public var outputs: [[Double]]

  public init(inputs: [[Double]], layers: [[LayerValues]], outputs: [[Double]]) {
    (self.inputs, self.layers, self.outputs) = (inputs, layers, outputs)
  }
}

public struct LayeredBackward: Sendable, Hashable {
  /// `layers[l][n]`: layer l's backward values for sample n.
  public var layers: [[LayerGradients]]
  /// `gradients[l][p]`: ∂E/∂ of layer l's parameter tensor p, for the batch error.
  public var gradients: [[[Double]]]
}

public struct LayeredUpdate: Sendable, Hashable {
  /// `before[l][p]`, `after[l][p]`: each parameter tensor around the step.
  public var before: [[[Double]]]
  public var after: [[[Double]]]
  public var step: Int
  public var slots: [[OptimizerSlots]]
}

public struct LayeredOptimizerState: Sendable, Hashable {
  public var step = 0
  public var slots: [[OptimizerSlots]]
  public init(for network: LayeredNetwork) {
    slots = network.layers.map { $0.parameters.map { OptimizerSlots(count: $0.count) } }
  }
}
