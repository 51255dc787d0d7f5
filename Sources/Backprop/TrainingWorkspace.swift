/// Every buffer one training step writes, allocated once per `train` call, so that a step
/// allocates nothing: the gathered batch, and per layer z, a, δ, the scaled δ, the gradients,
/// and the weights laid out for the lane kernels.
///
/// All matrices are row-major with rows padded to whole ``Lanes`` (padding stays 0 or finite and
/// is never read as a value). One step is the same computation as `forward`, `loss`, `backward`
/// and `update` on a ``Network``, operation for operation, so `train` gives identical numbers;
/// `TrainingFastPathTests` checks that bit for bit.
final class TrainingWorkspace {
  /// One layer's buffers; `stride` is the padded neuron count, `inputStride` the padded input count.
  struct Layer {
    let inputs: Int
    let neurons: Int
    let inputStride: Int
    let stride: Int
    let activation: Activation
    /// batch × stride each.
    let z, a, delta, scaledDelta: UnsafeMutablePointer<Double>
    /// The signal ∂E_n/∂a (batch × stride), for an output layer whose loss does not fuse with its activation.
    let signal: UnsafeMutablePointer<Double>
    /// Wᵀ: inputs × stride, for the forward pass.
    let weightsByInput: UnsafeMutablePointer<Double>
    /// W: neurons × inputStride, for the signal of the layer below.
    let weightsByNeuron: UnsafeMutablePointer<Double>
    /// Biases, stride long.
    let biases: UnsafeMutablePointer<Double>
    /// The weight gradient as a kernel leaves it: transposed (inputs × stride) or padded (neurons × inputStride).
    let weightGradientScratch: UnsafeMutablePointer<Double>
    let biasGradientScratch: UnsafeMutablePointer<Double>
    /// Which way `weightGradientScratch` is laid out: the longer of neurons and inputs goes in the lanes.
    var gradientsByNeuron: Bool { neurons >= inputs }
  }

  let batchCapacity: Int
  let inputStride: Int
  let layers: [Layer]
  /// The batch: inputs (batch × inputStride) and targets (batch × the output layer's stride).
  let inputs: UnsafeMutablePointer<Double>
  let targets: UnsafeMutablePointer<Double>
  /// The gradients in the shapes the optimizer takes (compact, like the network's own arrays).
  var weightGradients: [[Double]]
  var biasGradients: [[Double]]

  private let arena: UnsafeMutablePointer<Double>
  /// Doubles after each scaled δ that `Kernels.weightGradientsByNeuron` may read (and ignore) past the last row.
  static let slack = Lanes.width

  init(for network: Network, batchCapacity: Int) {
    self.batchCapacity = batchCapacity
    inputStride = Lanes.padded(network.inputCount)
    var sizes: [Int] = [batchCapacity * inputStride, batchCapacity * Lanes.padded(network.outputCount)]
    for layer in network.layers {
      let stride = Lanes.padded(layer.neuronCount), inputStride = Lanes.padded(layer.inputCount)
      sizes += Array(repeating: batchCapacity * stride, count: 5) + [Self.slack]
      sizes += [layer.inputCount * stride, layer.neuronCount * inputStride, stride]
      sizes += [max(layer.inputCount * stride, layer.neuronCount * inputStride), stride]
    }
    let total = sizes.reduce(0, +)
    arena = .allocate(capacity: total)
    arena.initialize(repeating: 0, count: total)
    var next = arena
    func take(_ count: Int) -> UnsafeMutablePointer<Double> {
      defer { next += count }
      return next
    }
    inputs = take(batchCapacity * inputStride)
    targets = take(batchCapacity * Lanes.padded(network.outputCount))
    layers = network.layers.map { layer in
      let stride = Lanes.padded(layer.neuronCount), inputStride = Lanes.padded(layer.inputCount)
      let rows = batchCapacity * stride
      return Layer(
        inputs: layer.inputCount, neurons: layer.neuronCount, inputStride: inputStride, stride: stride,
        activation: layer.activation,
        z: take(rows), a: take(rows), delta: take(rows), scaledDelta: take(rows + Self.slack), signal: take(rows),
        weightsByInput: take(layer.inputCount * stride), weightsByNeuron: take(layer.neuronCount * inputStride),
        biases: take(stride),
        weightGradientScratch: take(max(layer.inputCount * stride, layer.neuronCount * inputStride)),
        biasGradientScratch: take(stride))
    }
    weightGradients = network.layers.map { Array(repeating: 0, count: $0.weights.values.count) }
    biasGradients = network.layers.map { Array(repeating: 0, count: $0.biases.count) }
  }

  deinit { arena.deallocate() }

  /// Copies samples `indices` (or all, in order, when nil) of `data` into the batch buffers.
  func gather(_ data: Dataset, rows indices: ArraySlice<Int>?) {
    let inputCount = data.inputs.columns, outputCount = data.targets.columns
    let outputStride = Lanes.padded(outputCount)
    data.inputs.values.withUnsafeBufferPointer { x in
      data.targets.values.withUnsafeBufferPointer { t in
        func copy(sample: Int, to row: Int) {
          for i in 0..<inputCount { inputs[row * inputStride + i] = x[sample * inputCount + i] }
          for k in 0..<outputCount { targets[row * outputStride + k] = t[sample * outputCount + k] }
        }
        if let indices {
          for (row, sample) in indices.enumerated() { copy(sample: sample, to: row) }
        } else {
          for sample in 0..<data.count { copy(sample: sample, to: sample) }
        }
      }
    }
  }

  /// Lays out layer l's current weights and biases for the kernels (after every update).
  func load(_ layer: DenseLayer, into l: Int) {
    let w = layers[l]
    layer.weights.values.withUnsafeBufferPointer { v in
      for j in 0..<w.neurons {
        for i in 0..<w.inputs {
          w.weightsByInput[i * w.stride + j] = v[j * w.inputs + i]
          w.weightsByNeuron[j * w.inputStride + i] = v[j * w.inputs + i]
        }
      }
    }
    for j in 0..<w.neurons { w.biases[j] = layer.biases[j] }
  }

  /// The forward pass and the batch error E of the first `rows` samples (`Network.forward` and `Network.loss`).
  func forward(rows: Int, loss: Loss, reduction: Reduction) -> Double {
    var x = UnsafePointer(inputs), xs = inputStride
    for w in layers {
      switch w.activation {
      case .relu: affine(w, rows: rows, x, stride: xs, then: .relu)
      case .leakyReLU(let slope): affine(w, rows: rows, x, stride: xs, then: .leakyReLU(slope: slope))
      case .linear: affine(w, rows: rows, x, stride: xs, then: .linear)
      case .sigmoid, .tanh, .softmax:
        affine(w, rows: rows, x, stride: xs, then: nil)
        for n in 0..<rows {
          let r = n * w.stride
          w.activation.apply(UnsafeBufferPointer(start: w.z + r, count: w.neurons), into: UnsafeMutableBufferPointer(start: w.a + r, count: w.neurons))
        }
      }
      x = UnsafePointer(w.a)
      xs = w.stride
    }
    let out = layers[layers.count - 1]
    var total = 0.0
    for n in 0..<rows {
      var sum = 0.0
      for k in 0..<out.neurons {
        sum += loss.term(a: out.a[n * out.stride + k], t: targets[n * out.stride + k], outputs: out.neurons)
      }
      total += sum
    }
    return reduction == .mean ? total / Double(max(rows, 1)) : total
  }

  /// z = Wx + b for layer w, and a = f(z) in lanes when `f` has a lane form. `f` is a constant at
  /// each call, so once this is inlined the activation's switch folds away.
  @inline(__always)
  private func affine(_ w: Layer, rows: Int, _ x: UnsafePointer<Double>, stride xs: Int, then f: Activation?) {
    Kernels.multiply(rows: rows, x, stride: xs, inner: w.inputs, by: w.weightsByInput, width: w.stride) { s, n, c in
      let e = n * w.stride + c
      let z = s + Lanes(at: w.biases + c)
      z.store(at: w.z + e)
      if let f, let a = f.lanes(z) { a.store(at: w.a + e) }
    }
  }

  /// δ of the output layer from the last forward pass (`Network.outputDelta`), then its scaled δ
  /// and bias gradient.
  func outputDelta(rows: Int, loss: Loss, scale: Double) {
    let out = layers[layers.count - 1]
    if loss.fusesWith(out.activation) {
      for n in 0..<rows {
        for k in 0..<out.neurons {
          let e = n * out.stride + k
          out.delta[e] = out.a[e] - targets[e]
        }
      }
    } else {
      for n in 0..<rows {
        for k in 0..<out.neurons {
          let e = n * out.stride + k
          out.signal[e] = loss.derivative(a: out.a[e], t: targets[e], outputs: out.neurons)
        }
        let r = n * out.stride
        out.activation.backpropagate(
          UnsafeBufferPointer(start: out.signal + r, count: out.neurons), z: UnsafeBufferPointer(start: out.z + r, count: out.neurons),
          a: UnsafeBufferPointer(start: out.a + r, count: out.neurons), into: UnsafeMutableBufferPointer(start: out.delta + r, count: out.neurons))
      }
    }
    let s = Lanes(repeating: scale)
    for e in Swift.stride(from: 0, to: rows * out.stride, by: Lanes.width) { (Lanes(at: out.delta + e) * s).store(at: out.scaledDelta + e) }
  }

  /// δ of layer l − 1 and its scaled δ (`outerGradients`' d = s·δ) from the δ of layer l and its
  /// weights as loaded: `Kernels.backpropagateSignal` then `Network.hiddenDelta`, with
  /// δ = g ⊙ f′(z) taken while the signal g is in a register.
  func propagateDelta(rows: Int, from l: Int, scale: Double) {
    switch layers[l - 1].activation {
    case .relu: propagateDelta(rows: rows, from: l, scale: scale, through: .relu)
    case .leakyReLU(let slope): propagateDelta(rows: rows, from: l, scale: scale, through: .leakyReLU(slope: slope))
    case .linear: propagateDelta(rows: rows, from: l, scale: scale, through: .linear)
    case .sigmoid: propagateDelta(rows: rows, from: l, scale: scale, through: .sigmoid)
    case .tanh: propagateDelta(rows: rows, from: l, scale: scale, through: .tanh)
    case .softmax: preconditionFailure("the workspace takes softmax in the output layer only")
    }
  }

  /// `propagateDelta` with the layer's activation `f` as a constant, so its switch folds away.
  /// The first layer's δ itself is not needed (no layer below it), only its scaled δ.
  @inline(__always)
  private func propagateDelta(rows: Int, from l: Int, scale: Double, through f: Activation) {
    let above = layers[l], below = layers[l - 1]
    let s = Lanes(repeating: scale)
    let keepsDelta = l - 1 > 0
    Kernels.multiply(
      rows: rows, above.delta, stride: above.stride, inner: above.neurons, by: above.weightsByNeuron, width: below.stride
    ) { g, n, c in
      let e = n * below.stride + c
      let delta = g * f.derivativeLanes(z: Lanes(at: below.z + e), a: Lanes(at: below.a + e))
      if keepsDelta { delta.store(at: below.delta + e) }
      (delta * s).store(at: below.scaledDelta + e)
    }
  }

  /// ∂E/∂W and ∂E/∂b of layer l into `weightGradients[l]` and `biasGradients[l]`
  /// (`Network.parameterGradients`), from the scaled δ.
  func computeGradients(rows: Int, layer l: Int) {
    let w = layers[l]
    let x = l == 0 ? UnsafePointer(inputs) : UnsafePointer(layers[l - 1].a)
    if w.gradientsByNeuron {
      Kernels.weightGradientsByNeuron(
        rows: rows, scaledDelta: w.scaledDelta, width: w.stride, inputs: x, stride: w.inputStride, count: w.inputs,
        into: w.weightGradientScratch, sums: w.biasGradientScratch)
      weightGradients[l].withUnsafeMutableBufferPointer { g in
        for j in 0..<w.neurons {
          for i in 0..<w.inputs { g[j * w.inputs + i] = w.weightGradientScratch[i * w.stride + j] }
        }
      }
    } else {
      Kernels.weightGradientsByInput(
        rows: rows, scaledDelta: w.scaledDelta, width: w.stride, count: w.neurons, inputs: x, stride: w.inputStride,
        into: w.weightGradientScratch)
      Kernels.sumRows(rows: rows, w.scaledDelta, width: w.stride, into: w.biasGradientScratch)
      weightGradients[l].withUnsafeMutableBufferPointer { g in
        for j in 0..<w.neurons {
          for i in 0..<w.inputs { g[j * w.inputs + i] = w.weightGradientScratch[j * w.inputStride + i] }
        }
      }
    }
    biasGradients[l].withUnsafeMutableBufferPointer { g in
      for j in 0..<w.neurons { g[j] = w.biasGradientScratch[j] }
    }
  }
}

extension Network {
  /// Whether `train` can use ``TrainingWorkspace``: at least one layer, softmax (the one activation
  /// that is not element-wise) at most in the output layer, and a non-empty batch.
  var trainsInWorkspace: Bool {
    guard let last = layers.indices.last else { return false }
    return layers[..<last].allSatisfy(\.activation.isElementwise)
  }

  /// One update from the batch in the workspace, whose forward pass has run: backward and update
  /// interleaved from the output layer down, which gives the same numbers as `backward` then
  /// `update` under both update orders (simultaneous: δ below uses the weights before the step;
  /// sequential: after).
  mutating func backwardAndUpdate(
    in workspace: TrainingWorkspace, rows: Int, optimizer: Optimizer, state: inout OptimizerState
  ) {
    state.step += 1
    let scale = sampleWeight(batchSize: rows)
    workspace.outputDelta(rows: rows, loss: loss, scale: scale)
    for l in stride(from: layers.count - 1, through: 0, by: -1) {
      workspace.computeGradients(rows: rows, layer: l)
      if l > 0, updateOrder == .simultaneous { workspace.propagateDelta(rows: rows, from: l, scale: scale) }
      optimizer.apply(to: &layers[l].weights.values, gradient: workspace.weightGradients[l], slots: &state.weights[l], step: state.step)
      if updatesBiases {
        optimizer.apply(to: &layers[l].biases, gradient: workspace.biasGradients[l], slots: &state.biases[l], step: state.step)
      }
      workspace.load(layers[l], into: l)
      if l > 0, updateOrder == .sequential { workspace.propagateDelta(rows: rows, from: l, scale: scale) }
    }
  }
}
