import Foundation

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
  /// E_n of each row of the batch (the fused step sums them in order once every row is done).
  let rowErrors: UnsafeMutablePointer<Double>
  /// The fused step's gradient sums, group of four hidden neurons by group, each group's together
  /// (see `groupSumStride`), so that a group's partial or final sums are a few adjacent lines.
  let groupSums: UnsafeMutablePointer<Double>
  /// The gradients in the shapes the optimizer takes (compact, like the network's own arrays).
  var weightGradients: [[Double]]
  var biasGradients: [[Double]]
  /// The same for the fused step, which both threads of a shared step write and read (so as raw
  /// storage, not arrays, whose every access the runtime checks for overlap).
  let fusedWeightGradients: [UnsafeMutablePointer<Double>], fusedBiasGradients: [UnsafeMutablePointer<Double>]

  private let arena: UnsafeMutablePointer<Double>
  /// Doubles after each scaled δ that `Kernels.weightGradientsByNeuron` may read (and ignore) past the last row.
  static let slack = Lanes.width

  init(for network: Network, batchCapacity: Int) {
    self.batchCapacity = batchCapacity
    inputStride = Lanes.padded(network.inputCount)
    let groups = network.layers.first.map { Lanes.padded($0.neuronCount) / Lanes.width } ?? 0
    var sizes: [Int] = [batchCapacity * inputStride, batchCapacity * Lanes.padded(network.outputCount), batchCapacity, groups * 9 * Lanes.width]
    for layer in network.layers {
      let stride = Lanes.padded(layer.neuronCount), inputStride = Lanes.padded(layer.inputCount)
      sizes += Array(repeating: batchCapacity * stride, count: 5) + [Self.slack]
      sizes += [layer.inputCount * stride, layer.neuronCount * inputStride, stride]
      sizes += [max(layer.inputCount * stride, layer.neuronCount * inputStride), stride]
      sizes += [layer.weights.values.count, layer.biases.count]
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
    rowErrors = take(batchCapacity)
    groupSums = take(groups * 9 * Lanes.width)
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
    var fusedWeights: [UnsafeMutablePointer<Double>] = [], fusedBiases: [UnsafeMutablePointer<Double>] = []
    for layer in network.layers {
      fusedWeights.append(take(layer.weights.values.count))
      fusedBiases.append(take(layer.biases.count))
    }
    fusedWeightGradients = fusedWeights
    fusedBiasGradients = fusedBiases
    weightGradients = network.layers.map { Array(repeating: 0, count: $0.weights.values.count) }
    biasGradients = network.layers.map { Array(repeating: 0, count: $0.biases.count) }
  }

  deinit {
    arena.deallocate()
    parameterStorage?.deallocate()
  }

  // MARK: - The parameters the fused step updates

  /// One layer's parameters and optimizer slots, in the network's layout (w_ji at j · inputs + i).
  struct LayerParameters {
    let weights, biases, weightVelocity, weightSquare, weightExtra, biasVelocity, biasSquare, biasExtra: UnsafeMutablePointer<Double>
  }

  /// While `train` runs the fused step (from `beginUpdates`): the network's parameters and
  /// optimizer slots, which each step updates in place, part by part and from either thread;
  /// `endUpdates` copies them back into the network.
  private(set) var parameters: [LayerParameters] = []
  private var parameterStorage: UnsafeMutablePointer<Double>?
  private var optimizer: Optimizer = .sgd(.init(learningRate: 0))
  private var updatesBiases = true
  /// Updates applied so far (the optimizer's t).
  private(set) var optimizerStep = 0

  /// Takes `network`'s parameters and `state` for the fused step to update with `optimizer`.
  func beginUpdates(_ network: Network, state: OptimizerState, optimizer: Optimizer) {
    precondition(parameterStorage == nil, "updates have begun")
    let total = network.layers.reduce(0) { $0 + 4 * ($1.weights.values.count + $1.biases.count) }
    let storage = UnsafeMutablePointer<Double>.allocate(capacity: total)
    parameterStorage = storage
    var next = storage
    func take(_ values: [Double]) -> UnsafeMutablePointer<Double> {
      defer { next += values.count }
      next.initialize(from: values, count: values.count)
      return next
    }
    parameters = network.layers.indices.map { l in
      let weights = network.layers[l].weights.values.count, biases = network.layers[l].biases.count
      precondition(
        state.weights[l].velocity.count == weights && state.weights[l].square.count == weights && state.weights[l].extra.count == weights
          && state.biases[l].velocity.count == biases && state.biases[l].square.count == biases && state.biases[l].extra.count == biases,
        "the optimizer state is not for this network")
      return LayerParameters(
        weights: take(network.layers[l].weights.values), biases: take(network.layers[l].biases),
        weightVelocity: take(state.weights[l].velocity), weightSquare: take(state.weights[l].square), weightExtra: take(state.weights[l].extra),
        biasVelocity: take(state.biases[l].velocity), biasSquare: take(state.biases[l].square), biasExtra: take(state.biases[l].extra))
    }
    self.optimizer = optimizer
    updatesBiases = network.updatesBiases
    optimizerStep = state.step
  }

  /// The optimizer for the next fused updates: the same rule with another learning rate, under a schedule.
  func setOptimizer(_ optimizer: Optimizer) { self.optimizer = optimizer }

  /// Copies the parameters and slots as updated so far back into `network` and `state`.
  func endUpdates(into network: inout Network, state: inout OptimizerState) {
    // In place: an observer may look every few steps, and a step allocates nothing.
    func copy(_ source: UnsafeMutablePointer<Double>, into array: inout [Double]) {
      array.withUnsafeMutableBufferPointer { $0.baseAddress?.update(from: source, count: $0.count) }
    }
    for (l, p) in parameters.enumerated() {
      copy(p.weights, into: &network.layers[l].weights.values)
      copy(p.biases, into: &network.layers[l].biases)
      copy(p.weightVelocity, into: &state.weights[l].velocity)
      copy(p.weightSquare, into: &state.weights[l].square)
      copy(p.weightExtra, into: &state.weights[l].extra)
      copy(p.biasVelocity, into: &state.biases[l].velocity)
      copy(p.biasSquare, into: &state.biases[l].square)
      copy(p.biasExtra, into: &state.biases[l].extra)
    }
    state.step = optimizerStep
  }

  /// One update of the parameters in `part` (with the optimizer's t = `step`), from the gradients
  /// published for it, and their layout for the kernels. Each parameter's update depends on
  /// nothing but its own gradient and slots, so the parts make the same update as the whole.
  func update(_ part: SharedUpdate, step: Int) {
    guard parameters.count == 2 else { return }
    let hidden = layers[0].neurons, inputs = layers[0].inputs, outputs = layers[1].neurons
    let p0 = parameters[0], p1 = parameters[1]
    switch part {
    case .groups(let groups):
      let neurons = hiddenNeurons(groups)
      for k in 0..<outputs {
        optimizer.apply(
          to: p1.weights, gradient: fusedWeightGradients[1], velocity: p1.weightVelocity, square: p1.weightSquare, extra: p1.weightExtra, step: step,
          indices: k * hidden + neurons.lowerBound..<k * hidden + neurons.upperBound)
      }
      optimizer.apply(
        to: p0.weights, gradient: fusedWeightGradients[0], velocity: p0.weightVelocity, square: p0.weightSquare, extra: p0.weightExtra, step: step,
        indices: neurons.lowerBound * inputs..<neurons.upperBound * inputs)
      if updatesBiases {
        optimizer.apply(to: p0.biases, gradient: fusedBiasGradients[0], velocity: p0.biasVelocity, square: p0.biasSquare, extra: p0.biasExtra, step: step, indices: neurons)
      }
      load(layer: 0, neurons: neurons, inputs: 0..<inputs, biases: true)
      load(layer: 1, neurons: 0..<outputs, inputs: neurons, biases: false)
    case .end:
      if updatesBiases {
        optimizer.apply(to: p1.biases, gradient: fusedBiasGradients[1], velocity: p1.biasVelocity, square: p1.biasSquare, extra: p1.biasExtra, step: step, indices: 0..<outputs)
      }
      load(layer: 1, neurons: 0..<outputs, inputs: 0..<0, biases: true)
    }
  }

  /// `load` from `parameters`.
  private func load(layer l: Int, neurons: Range<Int>, inputs: Range<Int>, biases: Bool) {
    lay(weights: parameters[l].weights, biases: parameters[l].biases, into: l, neurons: neurons, inputs: inputs, includingBiases: biases)
  }

  /// Lays out the weights w_ji for j in `neurons` and i in `inputs` (from the network's layout,
  /// w_ji at j · inputs + i), and those neurons' biases when `includingBiases`, for the kernels.
  private func lay(
    weights v: UnsafePointer<Double>, biases b: UnsafePointer<Double>, into l: Int, neurons: Range<Int>, inputs: Range<Int>,
    includingBiases: Bool
  ) {
    let w = layers[l]
    for j in neurons {
      for i in inputs {
        w.weightsByInput[i * w.stride + j] = v[j * w.inputs + i]
        w.weightsByNeuron[j * w.inputStride + i] = v[j * w.inputs + i]
      }
    }
    if includingBiases { for j in neurons { w.biases[j] = b[j] } }
  }

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
    layer.weights.values.withUnsafeBufferPointer { v in
      layer.biases.withUnsafeBufferPointer { b in
        lay(weights: v.baseAddress!, biases: b.baseAddress!, into: l, neurons: 0..<layers[l].neurons, inputs: 0..<layers[l].inputs,
            includingBiases: true)
      }
    }
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
    let total = error(rows: rows, loss: loss, outputs: layers[layers.count - 1].neurons)
    return reduction == .mean ? total / Double(max(rows, 1)) : total
  }

  /// Σ_n E_n over the first `rows` samples, in order, from the output layer's a (`Network.loss`
  /// before its reduction); `outputs` is that layer's width.
  @inline(__always)
  private func error(rows: Int, loss: Loss, outputs: Int) -> Double {
    var total = 0.0
    for n in 0..<rows { total += error(row: n, loss: loss, outputs: outputs) }
    return total
  }

  /// E_n of row n: its terms summed over the outputs in order.
  @inline(__always)
  private func error(row n: Int, loss: Loss, outputs: Int) -> Double {
    let out = layers[layers.count - 1]
    var sum = 0.0
    for k in 0..<outputs {
      sum += loss.term(a: out.a[n * out.stride + k], t: targets[n * out.stride + k], outputs: outputs)
    }
    return sum
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

  /// δ of the output layer from the last forward pass (`Network.outputDelta`), then its scaled δ,
  /// for the first `rows` samples.
  func outputDelta(rows: Int, loss: Loss, scale: Double) { outputDelta(0..<rows, loss: loss, scale: scale) }

  /// `outputDelta` of the rows in `range`.
  func outputDelta(_ range: Range<Int>, loss: Loss, scale: Double) {
    let out = layers[layers.count - 1]
    if loss.fusesWith(out.activation) {
      for n in range {
        for k in 0..<out.neurons {
          let e = n * out.stride + k
          out.delta[e] = loss.fusedDelta(a: out.a[e], t: targets[e], outputs: out.neurons)
        }
      }
    } else {
      for n in range {
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
    for e in Swift.stride(from: range.lowerBound * out.stride, to: range.upperBound * out.stride, by: Lanes.width) {
      (Lanes(at: out.delta + e) * s).store(at: out.scaledDelta + e)
    }
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
    } else {
      Kernels.weightGradientsByInput(
        rows: rows, scaledDelta: w.scaledDelta, width: w.stride, count: w.neurons, inputs: x, stride: w.inputStride,
        into: w.weightGradientScratch)
      Kernels.sumRows(rows: rows, w.scaledDelta, width: w.stride, into: w.biasGradientScratch)
    }
    publishGradients(layer: l)
  }

  /// Copies layer l's gradients from the kernels' layout into `weightGradients[l]` and `biasGradients[l]`.
  private func publishGradients(layer l: Int) {
    let w = layers[l], neurons = 0..<w.neurons, inputs = 0..<w.inputs
    weightGradients[l].withUnsafeMutableBufferPointer { g in
      if w.gradientsByNeuron {
        for j in neurons {
          for i in inputs { g[j * w.inputs + i] = w.weightGradientScratch[i * w.stride + j] }
        }
      } else {
        for j in neurons {
          for i in inputs { g[j * w.inputs + i] = w.weightGradientScratch[j * w.inputStride + i] }
        }
      }
    }
    biasGradients[l].withUnsafeMutableBufferPointer { g in
      for j in neurons { g[j] = w.biasGradientScratch[j] }
    }
  }

  // MARK: - One hidden layer: the whole step in three passes over the hidden rows

  /// Whether `fusedStep` covers the network: one hidden layer of any element-wise activation, at
  /// most four inputs and four outputs (their gradient sums are kept in registers), more hidden
  /// neurons than outputs and at least as many as inputs (so the gradient layouts are those
  /// `computeGradients` picks), and the simultaneous update order (the hidden δ uses the output
  /// layer's weights before the step).
  static func fuses(_ network: Network) -> Bool {
    guard network.layers.count == 2, network.updateOrder == .simultaneous else { return false }
    let hidden = network.layers[0], output = network.layers[1]
    return hidden.activation.isElementwise && hidden.inputCount <= 4 && output.neuronCount <= 4
      && hidden.neuronCount > output.neuronCount && hidden.neuronCount >= hidden.inputCount
  }

  /// Forward pass, error E and the gradients of both layers for the first `rows` samples of a
  /// network `fuses` takes, into `weightGradients` and `biasGradients`; then, if E is finite and
  /// updates have begun (`beginUpdates`), one update of the parameters. Returns E and whether it
  /// updated. With a `crew`, its second thread takes part of the step (which part changes no
  /// number: see `FusedPhase`), and the update is made group by group as the gradients become final.
  ///
  /// The same numbers as `forward`, `outputDelta`, `computeGradients` and `propagateDelta`, bit
  /// for bit, with fewer passes over the 100-wide hidden rows: the forward pass, then one pass
  /// that per group of four hidden neurons takes, row by row, the output layer's weight gradient,
  /// the hidden δ (in a register, never stored) and the hidden layer's weight and bias gradients.
  /// Every sum takes its terms in the same order and with the same operations as before.
  func fusedStep(rows: Int, loss: Loss, reduction: Reduction, scale: Double, crew: StepCrew? = nil) -> (error: Double, updated: Bool) {
    let updates = !parameters.isEmpty
    precondition(crew.map { $0.workspace === self && $0.loss == loss } ?? true, "the crew works on another workspace or loss")
    if let crew, crew.run(rows: rows, scale: scale, step: optimizerStep + 1, updating: updates) {
    } else {
      fusedPhase(.forward(0..<rows), loss: loss, scale: scale)
      fusedSums(0..<rows, continuing: false)
      fusedPhase(.backward(groups: 0..<hiddenGroups, rows: 0..<rows, continuing: false), loss: loss, scale: scale)
      publishGradients(.groups(0..<hiddenGroups))
      publishGradients(.end)
      if updates && stepError.isFinite {
        update(.groups(0..<hiddenGroups), step: optimizerStep + 1)
        update(.end, step: optimizerStep + 1)
      }
    }
    let updated = updates && stepError.isFinite
    if updated { optimizerStep += 1 }
    return (reduction == .mean ? stepError / Double(max(rows, 1)) : stepError, updated)
  }

  /// The parts in which a step's gradients become final and its update is made.
  enum SharedUpdate {
    /// Final: the gradients of the hidden neurons of these groups of four (their weights and
    /// biases, and the output layer's weights from them).
    case groups(Range<Int>)
    /// Final: the output layer's bias gradients, the last part.
    case end
  }

  /// `publishGradients` of one `SharedUpdate` part.
  func publishGradients(_ part: SharedUpdate) {
    let d = layers[0].inputs, k = layers[1].neurons, hidden = layers[0].neurons
    switch part {
    case .groups(let groups):
      // Each neuron j of the groups, with its lane in its group's sums.
      let stride = groupSumStride
      @inline(__always) func each(_ body: (_ j: Int, _ sums: UnsafeMutablePointer<Double>) -> Void) {
        for g in groups {
          for lane in 0..<min(Lanes.width, hidden - g * Lanes.width) { body(g * Lanes.width + lane, groupSums + g * stride + lane) }
        }
      }
      let w2 = fusedWeightGradients[1], w1 = fusedWeightGradients[0], b1 = fusedBiasGradients[0]
      each { j, sums in
        for o in 0..<k { w2[o * hidden + j] = sums[o * Lanes.width] }
        for i in 0..<d { w1[j * d + i] = sums[(k + i) * Lanes.width] }
        b1[j] = sums[(k + d) * Lanes.width]
      }
    case .end:
      for j in 0..<k { fusedBiasGradients[1][j] = layers[1].biasGradientScratch[j] }
    }
  }

  /// The gradients the last fused step left, as arrays.
  var fusedGradients: (weights: [[Double]], biases: [[Double]]) {
    (zip(fusedWeightGradients, weightGradients).map { Array(UnsafeBufferPointer(start: $0, count: $1.count)) },
     zip(fusedBiasGradients, biasGradients).map { Array(UnsafeBufferPointer(start: $0, count: $1.count)) })
  }

  /// Doubles per group in `groupSums`: one lane group for each output k (the output layer's
  /// ∂E/∂w_kj), each input i (the hidden layer's ∂E/∂w_ji) and the bias (∂E/∂b_j), in that order.
  var groupSumStride: Int { (layers[1].neurons + layers[0].inputs + 1) * Lanes.width }

  /// The hidden neurons of these groups.
  func hiddenNeurons(_ groups: Range<Int>) -> Range<Int> {
    groups.lowerBound * Lanes.width..<min(groups.upperBound * Lanes.width, layers[0].neurons)
  }

  /// E = Σ_n E_n of the step, once `fusedSums` has seen every row.
  private(set) var stepError = 0.0

  /// The sums over rows that the forward phase leaves: E = Σ_n E_n, and the output layer's bias
  /// gradient (`sumRows`, over its narrow rows), from 0 or, `continuing`, from the earlier rows' sums.
  func fusedSums(_ rows: Range<Int>, continuing: Bool) {
    let o = layers[1]
    var gb = continuing ? Lanes(at: o.biasGradientScratch) : Lanes(), total = continuing ? stepError : 0
    for n in rows {
      gb += Lanes(at: o.scaledDelta + n &* o.stride)
      total += rowErrors[n]
    }
    gb.store(at: o.biasGradientScratch)
    stepError = total
  }

  /// Groups of four hidden neurons, the unit of `FusedPhase.backward`.
  var hiddenGroups: Int { layers[0].stride / Lanes.width }

  /// The two halves of `fusedStep`. Each touches only what its rows or groups own, so they can be
  /// split between threads (`StepCrew`) without changing a number: every sum is still taken whole
  /// and in row order, only sometimes by two threads one after the other.
  enum FusedPhase {
    /// Forward through both layers, E_n, and the output layer's δ and scaled δ, for these rows.
    case forward(Range<Int>)
    /// For these groups of four hidden neurons, every gradient sum's terms from these rows, from 0
    /// or, `continuing`, from the partial sums the gradient buffers hold (the earlier rows').
    case backward(groups: Range<Int>, rows: Range<Int>, continuing: Bool)
  }

  /// One phase of `fusedStep`, with the shapes and the hidden activation turned into constants,
  /// so the loops over inputs and outputs unroll and the activation's switch folds away.
  func fusedPhase(_ phase: FusedPhase, loss: Loss, scale: Double) {
    let d = layers[0].inputs, k = layers[1].neurons
    switch (phase, d == 2 && k == 3) {
    case (.forward(let rows), true): fusedForwardTwoByThree(rows, loss: loss, scale: scale)
    case (.forward(let rows), false): fusedForward(rows, inputs: d, outputs: k, loss: loss, scale: scale)
    case (.backward(let groups, let rows, let continuing), true):
      fusedBackwardTwoByThree(groups, rows: rows, continuing: continuing, scale: scale)
    case (.backward(let groups, let rows, let continuing), false):
      fusedBackward(groups, rows: rows, continuing: continuing, inputs: d, outputs: k, scale: scale)
    }
  }

  // 2 inputs and 3 outputs: the spiral's shape, and any three-class problem in the plane.
  @inline(never)
  private func fusedForwardTwoByThree(_ range: Range<Int>, loss: Loss, scale: Double) {
    fusedForward(range, inputs: 2, outputs: 3, loss: loss, scale: scale)
  }

  @inline(never)
  private func fusedBackwardTwoByThree(_ groups: Range<Int>, rows: Range<Int>, continuing: Bool, scale: Double) {
    fusedBackward(groups, rows: rows, continuing: continuing, inputs: 2, outputs: 3, scale: scale)
  }

  @inline(__always)
  private func fusedForward(_ range: Range<Int>, inputs d: Int, outputs k: Int, loss: Loss, scale: Double) {
    switch layers[0].activation {
    case .relu: fusedForward(range, inputs: d, outputs: k, loss: loss, scale: scale, through: .relu)
    case .leakyReLU(let slope): fusedForward(range, inputs: d, outputs: k, loss: loss, scale: scale, through: .leakyReLU(slope: slope))
    case .linear: fusedForward(range, inputs: d, outputs: k, loss: loss, scale: scale, through: .linear)
    case .sigmoid: fusedForward(range, inputs: d, outputs: k, loss: loss, scale: scale, through: .sigmoid)
    case .tanh: fusedForward(range, inputs: d, outputs: k, loss: loss, scale: scale, through: .tanh)
    case .softmax: preconditionFailure("the workspace takes softmax in the output layer only")
    }
  }

  @inline(__always)
  private func fusedBackward(_ groups: Range<Int>, rows: Range<Int>, continuing: Bool, inputs d: Int, outputs k: Int, scale: Double) {
    switch layers[0].activation {
    case .relu: fusedBackward(groups, rows: rows, continuing: continuing, inputs: d, outputs: k, scale: scale, through: .relu)
    case .leakyReLU(let slope): fusedBackward(groups, rows: rows, continuing: continuing, inputs: d, outputs: k, scale: scale, through: .leakyReLU(slope: slope))
    case .linear: fusedBackward(groups, rows: rows, continuing: continuing, inputs: d, outputs: k, scale: scale, through: .linear)
    case .sigmoid: fusedBackward(groups, rows: rows, continuing: continuing, inputs: d, outputs: k, scale: scale, through: .sigmoid)
    case .tanh: fusedBackward(groups, rows: rows, continuing: continuing, inputs: d, outputs: k, scale: scale, through: .tanh)
    case .softmax: preconditionFailure("the workspace takes softmax in the output layer only")
    }
  }

  @inline(__always)
  private func fusedForward(_ range: Range<Int>, inputs d: Int, outputs k: Int, loss: Loss, scale: Double, through f: Activation) {
    let h = layers[0], o = layers[1]
    let hs = h.stride, os = o.stride, xs = inputStride
    // Hidden layer forward, as `affine`: z = (Σ_i x_i w_ji, from 0 in input order) + b_j, a = f(z).
    // ReLU's f′ needs only z > 0, which is a > 0, so its z is not stored.
    let w1 = UnsafePointer(h.weightsByInput)
    for n in range {
      let xr = UnsafePointer(inputs + n &* xs), r = n &* hs
      let x0 = Lanes(repeating: xr[0]), x1 = d > 1 ? Lanes(repeating: xr[1]) : Lanes()
      let x2 = d > 2 ? Lanes(repeating: xr[2]) : Lanes(), x3 = d > 3 ? Lanes(repeating: xr[3]) : Lanes()
      var c = 0
      while c < hs {
        defer { c &+= Lanes.width }
        // For ReLU the sum starts at its first product instead of 0 + it: the two differ only in
        // the sign of a zero z, and ReLU makes a = +0 of either.
        var z: Lanes
        if case .relu = f { z = x0 * Lanes(at: w1 + c) } else { z = Lanes() + x0 * Lanes(at: w1 + c) }
        if d > 1 { z += x1 * Lanes(at: w1 + hs + c) }
        if d > 2 { z += x2 * Lanes(at: w1 + 2 * hs + c) }
        if d > 3 { z += x3 * Lanes(at: w1 + 3 * hs + c) }
        z = z + Lanes(at: h.biases + c)
        if let a = f.lanes(z) {
          a.store(at: h.a + r + c)
          if case .relu = f {} else { z.store(at: h.z + r + c) }
        } else {
          z.store(at: h.z + r + c)
        }
      }
      if f.lanes(Lanes()) == nil {  // sigmoid, tanh: a from z row by row, as `forward`
        f.apply(UnsafeBufferPointer(start: h.z + r, count: h.neurons), into: UnsafeMutableBufferPointer(start: h.a + r, count: h.neurons))
      }
    }
    // Output layer forward, as `Kernels.multiply` with one lane group (the k ≤ 4 outputs): each
    // sum is over the hidden neurons in order; six rows at a time keep six sums in flight.
    let w2t = UnsafePointer(o.weightsByInput), ha = UnsafePointer(h.a)
    @inline(__always) func finish(_ s: Lanes, row n: Int) {
      (s + Lanes(at: o.biases)).store(at: o.z + n &* os)
    }
    var n = range.lowerBound
    while n + 6 <= range.upperBound {
      let a0 = ha + n &* hs, a1 = a0 + hs, a2 = a1 + hs, a3 = a2 + hs, a4 = a3 + hs, a5 = a4 + hs
      var s0 = Lanes(), s1 = Lanes(), s2 = Lanes(), s3 = Lanes(), s4 = Lanes(), s5 = Lanes()
      for i in 0..<h.neurons {
        let w = Lanes(at: w2t + i &* os)
        s0 += Lanes(repeating: a0[i]) * w
        s1 += Lanes(repeating: a1[i]) * w
        s2 += Lanes(repeating: a2[i]) * w
        s3 += Lanes(repeating: a3[i]) * w
        s4 += Lanes(repeating: a4[i]) * w
        s5 += Lanes(repeating: a5[i]) * w
      }
      finish(s0, row: n)
      finish(s1, row: n + 1)
      finish(s2, row: n + 2)
      finish(s3, row: n + 3)
      finish(s4, row: n + 4)
      finish(s5, row: n + 5)
      n += 6
    }
    while n < range.upperBound {
      let a0 = ha + n &* hs
      var s0 = Lanes()
      for i in 0..<h.neurons { s0 += Lanes(repeating: a0[i]) * Lanes(at: w2t + i &* os) }
      finish(s0, row: n)
      n += 1
    }
    if case .softmax = o.activation, case .crossEntropy = loss {
      softmaxCrossEntropy(range, outputs: k, scale: scale)
      return
    }
    for n in range {
      let r = n &* os
      if let a = o.activation.lanes(Lanes(at: o.z + r)) {
        a.store(at: o.a + r)
      } else if case .softmax = o.activation {
        Lanes.softmax(o.z + r, count: k).store(at: o.a + r)
      } else {
        o.activation.apply(UnsafeBufferPointer(start: o.z + r, count: o.neurons), into: UnsafeMutableBufferPointer(start: o.a + r, count: o.neurons))
      }
      rowErrors[n] = error(row: n, loss: loss, outputs: k)
    }
    outputDelta(range, loss: loss, scale: scale)
  }

  /// The classifier's output layer, row by row: softmax, E_n (`Loss.term` of cross-entropy, summed
  /// over the outputs in order), δ = a − t (`Loss.fusesWith`) and the scaled δ, in one pass.
  @inline(__always)
  private func softmaxCrossEntropy(_ range: Range<Int>, outputs k: Int, scale: Double) {
    let o = layers[1], os = o.stride, s = Lanes(repeating: scale)
    for n in range {
      let r = n &* os
      let a = Lanes.softmax(o.z + r, count: k), t = Lanes(at: targets + r)
      a.store(at: o.a + r)
      var sum = 0.0
      for j in 0..<k { sum += t[j] == 0 ? 0 : -t[j] * Foundation.log(a[j]) }
      rowErrors[n] = sum
      let delta = a - t
      delta.store(at: o.delta + r)
      (delta * s).store(at: o.scaledDelta + r)
    }
  }

  @inline(__always)
  private func fusedBackward(
    _ groups: Range<Int>, rows: Range<Int>, continuing: Bool, inputs d: Int, outputs k: Int, scale: Double, through f: Activation
  ) {
    let h = layers[0], o = layers[1]
    let hs = h.stride, os = o.stride, xs = inputStride
    let s = Lanes(repeating: scale)
    let w2 = UnsafePointer(o.weightsByNeuron), sumStride = (k + d + 1) * Lanes.width
    for c in Swift.stride(from: groups.lowerBound &* Lanes.width, to: groups.upperBound &* Lanes.width, by: Lanes.width) {
      let sums = groupSums + c / Lanes.width * sumStride
      @inline(__always) func q(_ o: Int) -> UnsafeMutablePointer<Double> { sums + o * Lanes.width }
      @inline(__always) func p(_ i: Int) -> UnsafeMutablePointer<Double> { sums + (k + i) * Lanes.width }
      let bias = sums + (k + d) * Lanes.width
      // Sums for hidden neurons j = c..<c + 4: the output layer's ∂E/∂w_kj (q, one per output k,
      // as `weightGradientsByInput`), the hidden layer's ∂E/∂w_ji (p, one per input i) and ∂E/∂b_j
      // (as `weightGradientsByNeuron`). Each starts at 0 and adds its terms in row order.
      var q0 = Lanes(), q1 = Lanes(), q2 = Lanes(), q3 = Lanes()
      var p0 = Lanes(), p1 = Lanes(), p2 = Lanes(), p3 = Lanes(), b = Lanes()
      if continuing {
        q0 = Lanes(at: q(0))
        if k > 1 { q1 = Lanes(at: q(1)) }
        if k > 2 { q2 = Lanes(at: q(2)) }
        if k > 3 { q3 = Lanes(at: q(3)) }
        p0 = Lanes(at: p(0))
        if d > 1 { p1 = Lanes(at: p(1)) }
        if d > 2 { p2 = Lanes(at: p(2)) }
        if d > 3 { p3 = Lanes(at: p(3)) }
        b = Lanes(at: bias)
      }
      // The output layer's weights w_kj, one row per output k.
      let v0 = Lanes(at: w2 + c), v1 = k > 1 ? Lanes(at: w2 + hs + c) : Lanes()
      let v2 = k > 2 ? Lanes(at: w2 + 2 * hs + c) : Lanes(), v3 = k > 3 ? Lanes(at: w2 + 3 * hs + c) : Lanes()
      var n = rows.lowerBound
      while n < rows.upperBound {
        defer { n &+= 1 }
        let e = n &* hs &+ c
        let a = Lanes(at: h.a + e)
        let sd2 = o.scaledDelta + n &* os, d2 = o.delta + n &* os
        q0 += Lanes(repeating: sd2[0]) * a
        if k > 1 { q1 += Lanes(repeating: sd2[1]) * a }
        if k > 2 { q2 += Lanes(repeating: sd2[2]) * a }
        if k > 3 { q3 += Lanes(repeating: sd2[3]) * a }
        // The signal g = Σ_k δ_k w_kj (`propagateDelta`), from its first term rather than from
        // 0 + that term: the two differ only in the sign of a zero, which nothing below can see
        // (a sum that starts at +0 never becomes −0, and adding ±0 to it changes nothing).
        var g = Lanes(repeating: d2[0]) * v0
        if k > 1 { g += Lanes(repeating: d2[1]) * v1 }
        if k > 2 { g += Lanes(repeating: d2[2]) * v2 }
        if k > 3 { g += Lanes(repeating: d2[3]) * v3 }
        // The scaled δ = (g ⊙ f′(z)) · s.
        let sd: Lanes
        if case .relu = f {
          // With f′ ∈ {0, 1} and s > 0 that is g · s where z > 0 and g · 0 elsewhere, the same
          // bits (NaN included) with one multiplication less on the way; z > 0 exactly where a > 0.
          sd = (g * 0).replacing(with: g * s, where: a .> 0)
        } else {
          sd = g * f.derivativeLanes(z: Lanes(at: h.z + e), a: a) * s
        }
        let xr = UnsafePointer(inputs + n &* xs)
        p0 += sd * Lanes(repeating: xr[0])
        if d > 1 { p1 += sd * Lanes(repeating: xr[1]) }
        if d > 2 { p2 += sd * Lanes(repeating: xr[2]) }
        if d > 3 { p3 += sd * Lanes(repeating: xr[3]) }
        b += sd
      }
      q0.store(at: q(0))
      if k > 1 { q1.store(at: q(1)) }
      if k > 2 { q2.store(at: q(2)) }
      if k > 3 { q3.store(at: q(3)) }
      p0.store(at: p(0))
      if d > 1 { p1.store(at: p(1)) }
      if d > 2 { p2.store(at: p(2)) }
      if d > 3 { p3.store(at: p(3)) }
      b.store(at: bias)
    }
  }
}

extension Lanes {
  /// `Activation.apply`'s softmax of the first `count` ≤ 4 values at `z`, the other lanes 0: the
  /// same numbers, with its divisions in one instruction (each lane divides as the scalar loop
  /// would) and exp(0) taken as exactly 1 (z_j − top is +0 exactly when z_j is the maximum).
  @inline(__always)
  static func softmax(_ z: UnsafePointer<Double>, count k: Int) -> Lanes {
    var top = -Double.infinity
    for j in 0..<k where z[j] > top { top = z[j] }
    var e = Lanes(), total = 0.0
    for j in 0..<k {
      let x = z[j] - top
      e[j] = x == 0 ? 1 : Foundation.exp(x)
      total += e[j]
    }
    return e / Lanes(repeating: total)
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
