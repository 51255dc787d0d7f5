import Backprop
import Foundation

/// A pass of a dense network (see ``Pass``): its values as the dense engine computed them.
public struct DensePass: Sendable {
  public var networkName: String
  public var names: NetworkNames
  public var notation: Notation
  public var data: Dataset
  /// The parameters the pass started from.
  public var network: Network
  public var optimizer: Optimizer
  public var forward: ForwardPass
  public var loss: LossValue?
  public var backward: BackwardPass?
  public var update: UpdateRecord?

  public init(networkName: String, names: NetworkNames, notation: Notation, data: Dataset, network: Network, optimizer: Optimizer,
    forward: ForwardPass, loss: LossValue?, backward: BackwardPass?, update: UpdateRecord?)
  {
    self.networkName = networkName
    self.names = names
    self.notation = notation
    self.data = data
    self.network = network
    self.optimizer = optimizer
    self.forward = forward
    self.loss = loss
    self.backward = backward
    self.update = update
  }

  var samples: Int { data.count }
  var outputLayer: Int { network.layers.count - 1 }

  /// Whether `name(q)` can name the quantity: it is of this kind of network and its indices fit.
  public func canName(_ q: Quantity) -> Bool {
    let layers = network.layers
    func neuron(_ l: Int, _ j: Int) -> Bool { l < layers.count && j < layers[l].neuronCount }
    switch q {
    case .input(let i, let n): return i < network.inputCount && n < samples
    case .target(let k, let n), .outputError(let k, let n): return k < network.outputCount && n < samples
    case .sampleError(let n): return n < samples
    case .error: return true
    case .net(let l, let j, let n), .out(let l, let j, let n), .outGrad(let l, let j, let n), .delta(let l, let j, let n): return neuron(l, j) && n < samples
    case .weight(let l, let j, let i), .weightGrad(let l, let j, let i), .newWeight(let l, let j, let i): return neuron(l, j) && i < layers[l].inputCount
    case .bias(let l, let j), .biasGrad(let l, let j), .newBias(let l, let j): return neuron(l, j)
    case .after(let inner): return canName(inner)
    case .cell, .parameter, .parameterGrad, .newParameter: return false
    }
  }

}

extension DensePass {
  // MARK: Which values the pass has

  /// Every value the pass computed, in the order a student computes them.
  public var computedQuantities: [Quantity] {
    forwardQuantities + lossQuantities + backwardQuantities + updateQuantities
  }

  public var forwardQuantities: [Quantity] {
    var out: [Quantity] = []
    for n in 0..<samples {
      for l in network.layers.indices {
        for j in 0..<network.layers[l].neuronCount { out += [.net(l: l, j: j, n: n), .out(l: l, j: j, n: n)] }
      }
    }
    return out
  }

  public var lossQuantities: [Quantity] { loss == nil ? [] : errorQuantities }

  var errorQuantities: [Quantity] { Quantity.errors(samples: samples, outputs: network.outputCount) }

  public var backwardQuantities: [Quantity] { backward == nil ? [] : gradientQuantities }

  var gradientQuantities: [Quantity] {
    var out: [Quantity] = []
    for l in network.layers.indices.reversed() {
      for n in 0..<samples {
        for j in 0..<network.layers[l].neuronCount { out += [.outGrad(l: l, j: j, n: n), .delta(l: l, j: j, n: n)] }
      }
      for j in 0..<network.layers[l].neuronCount {
        for i in 0..<network.layers[l].inputCount { out.append(.weightGrad(l: l, j: j, i: i)) }
        out.append(.biasGrad(l: l, j: j))
      }
    }
    return out
  }

  /// The values recomputed from the updated parameters (`E.after`, …), when the pass has an
  /// update: a whole forward pass, its error and its backward pass.
  public var afterQuantities: [Quantity] {
    guard update != nil else { return [] }
    return (forwardQuantities + errorQuantities + gradientQuantities).map { .after($0) }
  }

  public var updateQuantities: [Quantity] {
    guard let update else { return [] }
    var out: [Quantity] = []
    for l in network.layers.indices.reversed() {
      for j in 0..<network.layers[l].neuronCount {
        for i in 0..<network.layers[l].inputCount { out.append(.newWeight(l: l, j: j, i: i)) }
        if update.layers[l].biasesUpdated { out.append(.newBias(l: l, j: j)) }
      }
    }
    return out
  }

  /// Whether the pass has a value for this quantity.
  public func has(_ q: Quantity) -> Bool {
    switch q {
    case .input, .target, .weight, .bias, .net, .out: return true
    case .outputError, .sampleError, .error: return loss != nil
    case .outGrad, .delta, .weightGrad, .biasGrad: return backward != nil
    case .newWeight, .newBias: return update != nil
    case .cell, .parameter, .parameterGrad, .newParameter: return false
    case .after(let q):
      switch q {
      case .net, .out, .outputError, .sampleError, .error, .outGrad, .delta, .weightGrad, .biasGrad: return update != nil
      default: return false
      }
    }
  }

  /// The pass recomputed from the parameters after its update: forward, error and backward
  /// pass, without an update. `NAME.after` reads it (answers, checks and constraints alike).
  public func afterUpdate() -> DensePass? {
    guard let update else { return nil }
    var network = self.network
    for l in network.layers.indices {
      network.layers[l].weights = update.layers[l].newWeights
      network.layers[l].biases = update.layers[l].newBiases
    }
    let f = network.forward(data.inputs)
    return DensePass(networkName: networkName, names: names, notation: notation, data: data, network: network, optimizer: optimizer,
      forward: f, loss: network.loss(of: f.outputs, targets: data.targets), backward: network.backward(f, targets: data.targets),
      update: nil)
  }

  /// Where a quantity of the pass before its update is found in the world after it: the
  /// updated parameters, the same inputs and targets, recomputed values for the rest.
  func afterTheUpdate(_ q: Quantity) -> Quantity {
    switch q {
    case .weight(let l, let j, let i): return .newWeight(l: l, j: j, i: i)
    case .bias(let l, let j): return update?.layers[l].biasesUpdated == true ? .newBias(l: l, j: j) : q
    case .input, .target, .after, .newWeight, .newBias: return q
    default: return .after(q)
    }
  }

  // MARK: Values

  /// The value the lesson computed.
  public func value(_ q: Quantity) -> Double {
    switch q {
    case .input(let i, let n): return data.inputs[n, i]
    case .target(let k, let n): return data.targets[n, k]
    case .weight(let l, let j, let i): return network.layers[l].weights[j, i]
    case .bias(let l, let j): return network.layers[l].biases[j]
    case .net(let l, let j, let n): return forward.z[l][n, j]
    case .out(let l, let j, let n): return forward.a[l][n, j]
    case .outputError(let k, let n): return loss!.terms[n, k]
    case .sampleError(let n): return loss!.perSample[n]
    case .error: return loss!.total
    case .outGrad(let l, let j, let n): return backward!.errorSignal[l][n, j]
    case .delta(let l, let j, let n): return backward!.delta[l][n, j]
    case .weightGrad(let l, let j, let i): return backward!.weightGradients[l][j, i]
    case .biasGrad(let l, let j): return backward!.biasGradients[l][j]
    case .newWeight(let l, let j, let i): return update!.layers[l].newWeights[j, i]
    case .newBias(let l, let j): return update!.layers[l].newBiases[j]
    case .cell, .parameter, .parameterGrad, .newParameter: preconditionFailure("\(q) is a value of typed layers")
    // Recomputed on each call: callers that read many (the marking) keep `afterUpdate()`.
    case .after(let inner): return afterUpdate()!.value(inner)
    }
  }

  // MARK: Names

  /// The name the report shows for a quantity, in the lesson's notation: `h1.net`, `o1.delta`,
  /// `w5.grad`, `w5` (after the update), with `[n]` when there are several samples.
  public func name(_ q: Quantity) -> String {
    func sample(_ n: Int) -> String { samples > 1 ? "[\(n + 1)]" : "" }
    let neurons = names.neurons
    switch q {
    case .input(let i, let n): return names.inputs[i] + sample(n)
    case .target(let k, let n): return neurons[outputLayer][k] + ".t" + sample(n)
    case .weight(let l, let j, let i), .newWeight(let l, let j, let i): return names.weights[l][j][i]
    case .bias(let l, let j), .newBias(let l, let j): return names.biases[l][j]
    case .net(let l, let j, let n): return "\(neurons[l][j]).\(notation.net == "z" ? "z" : "net")" + sample(n)
    case .out(let l, let j, let n): return "\(neurons[l][j]).\(notation.out == "a" ? "a" : "out")" + sample(n)
    case .outputError(let k, let n): return neurons[outputLayer][k] + ".E" + sample(n)
    case .sampleError(let n): return "E[\(n + 1)]"
    case .error: return "E"
    case .outGrad(let l, let j, let n): return "\(neurons[l][j]).\(notation.out == "a" ? "a" : "out").grad" + sample(n)
    case .delta(let l, let j, let n): return "\(neurons[l][j]).delta" + sample(n)
    case .weightGrad(let l, let j, let i): return names.weights[l][j][i] + ".grad"
    case .biasGrad(let l, let j): return names.biases[l][j] + ".grad"
    case .after(let inner): return name(inner) + ".after"
    case .cell, .parameter, .parameterGrad, .newParameter: preconditionFailure("\(q) is a value of typed layers")
    }
  }


  /// The quantity a value name means in this pass. A parameter's plain name (`w5`) means its
  /// value after the update when the pass has one, else the given value.
  ///
  /// `NAME.after` is the value with the parameters after the pass's update: `w5.after` the
  /// updated weight (as `w5`), `E.after` the error recomputed with the updated parameters,
  /// `o1.out.after` and `w5.grad.after` likewise. `NAME.before` is the value with the
  /// parameters the pass started from: `w5.before` the given weight, `E.before` as `E`.
  /// The sample index may come before or after the suffix: `h1.a[2].after`, `h1.a.after[2]`.
  public func quantity(named reference: String) -> Result<Quantity, Pass.NameProblem> {
    let ref = ValueReference(reference)
    if let prefix = ref.prefix, prefix != networkName { return .failure(.unsupported) }
    let name = ref.base
    var sample: Int?
    if let written = ref.sample {
      guard let k = written else { return .failure(.unknown(suggestion: nil)) }
      sample = k - 1
    }
    if ref.timing != .plain {
      var before = self
      before.update = nil
      let found = before.quantity(named: String(name) + ref.sampleSuffix)
      guard ref.timing == .after, case .success(let q) = found else { return found }
      guard update != nil else { return .failure(.notInPass(what: "an update")) }
      return .success(afterTheUpdate(q))
    }
    if name == "E.iteration" { return .failure(.unsupported) }
    guard let entry = LessonRunner.resolve(String(name), names) else {
      return .failure(.unknown(suggestion: closestMatch(to: String(name), in: names.allValueNames)))
    }
    func per(_ make: (Int) -> Quantity) -> Result<Quantity, Pass.NameProblem> {
      if sample == nil, samples > 1 { return .failure(.needsSample(count: samples)) }
      let n = sample ?? 0
      guard n < samples else { return .failure(.noSuchSample(count: samples)) }
      return .success(make(n))
    }
    let q: Result<Quantity, Pass.NameProblem>
    switch entry {
    case .input(let i): q = per { .input(i: i, n: $0) }
    case .target(let k): q = per { .target(k: k, n: $0) }
    case .net(let l, let j): q = per { .net(l: l, j: j, n: $0) }
    case .out(let l, let j): q = per { .out(l: l, j: j, n: $0) }
    case .delta(let l, let j): q = per { .delta(l: l, j: j, n: $0) }
    case .outGradient(let l, let j): q = per { .outGrad(l: l, j: j, n: $0) }
    case .outputError(let k): q = per { .outputError(k: k, n: $0) }
    case .error:
      if let sample {
        guard sample < samples else { return .failure(.noSuchSample(count: samples)) }
        q = .success(samples == 1 ? .error : .sampleError(n: sample))
      } else {
        q = .success(.error)
      }
    case .weight(let l, let j, let i, let grad):
      q = .success(grad ? .weightGrad(l: l, j: j, i: i) : (update != nil ? .newWeight(l: l, j: j, i: i) : .weight(l: l, j: j, i: i)))
    case .bias(let l, let j, let grad):
      q = .success(grad ? .biasGrad(l: l, j: j) : (update != nil ? .newBias(l: l, j: j) : .bias(l: l, j: j)))
    }
    if case .success(let found) = q, !has(found) {
      let what: String
      switch found {
      case .outputError, .sampleError, .error: what = "an error (a `loss` block)"
      case .outGrad, .delta, .weightGrad, .biasGrad: what = "a backward pass"
      default: what = "an update"
      }
      return .failure(.notInPass(what: what))
    }
    return q
  }

  // MARK: Dependencies

  /// The input x of layer l for sample n: a network input, or an output of the layer below.
  func layerInput(_ l: Int, _ i: Int, _ n: Int) -> Quantity { l == 0 ? .input(i: i, n: n) : .out(l: l - 1, j: i, n: n) }

  /// The values a quantity is computed from, in the order a student meets them.
  ///
  /// z ← weights, bias, inputs (or the outputs below); a ← z (all z of the layer for softmax);
  /// E ← outputs, targets; ∂E/∂a ← a, t at the output, δ and weights above elsewhere;
  /// δ ← ∂E/∂a, a, z (a, t when the loss fuses with the output's activation);
  /// ∂E/∂w ← δ, the input the weight carries; w⁺ ← w, ∂E/∂w.
  public func parents(_ q: Quantity) -> [Quantity] {
    let layers = network.layers
    switch q {
    case .input, .target, .weight, .bias: return []
    case .net(let l, let j, let n):
      return (0..<layers[l].inputCount).flatMap { i in [layerInput(l, i, n), .weight(l: l, j: j, i: i)] } + [.bias(l: l, j: j)]
    case .out(let l, let j, let n):
      if case .softmax = layers[l].activation { return (0..<layers[l].neuronCount).map { .net(l: l, j: $0, n: n) } }
      return [.net(l: l, j: j, n: n)]
    case .outputError(let k, let n): return [.out(l: outputLayer, j: k, n: n), .target(k: k, n: n)]
    case .sampleError(let n): return (0..<network.outputCount).map { .outputError(k: $0, n: n) }
    case .error:
      if samples == 1 { return (0..<network.outputCount).map { .outputError(k: $0, n: 0) } }
      return (0..<samples).map { .sampleError(n: $0) }
    case .outGrad(let l, let j, let n):
      if l == outputLayer { return [.out(l: l, j: j, n: n), .target(k: j, n: n)] }
      return (0..<layers[l + 1].neuronCount).flatMap { k in [.delta(l: l + 1, j: k, n: n), .weight(l: l + 1, j: k, i: j)] }
    case .delta(let l, let j, let n):
      if l == outputLayer, network.loss.fusesWith(layers[l].activation) { return [.out(l: l, j: j, n: n), .target(k: j, n: n)] }
      if case .softmax = layers[l].activation {
        return (0..<layers[l].neuronCount).flatMap { k in [.outGrad(l: l, j: k, n: n), .out(l: l, j: k, n: n)] }
      }
      // f′ is read from a for sigmoid and tanh, from z for the ReLUs, and is 1 for linear.
      switch layers[l].activation {
      case .sigmoid, .tanh: return [.outGrad(l: l, j: j, n: n), .out(l: l, j: j, n: n)]
      case .relu, .leakyReLU: return [.outGrad(l: l, j: j, n: n), .net(l: l, j: j, n: n)]
      default: return [.outGrad(l: l, j: j, n: n)]
      }
    case .weightGrad(let l, let j, let i):
      return (0..<samples).flatMap { n in [.delta(l: l, j: j, n: n), layerInput(l, i, n)] }
    case .biasGrad(let l, let j): return (0..<samples).map { .delta(l: l, j: j, n: $0) }
    case .newWeight(let l, let j, let i): return [.weight(l: l, j: j, i: i), .weightGrad(l: l, j: j, i: i)]
    case .newBias(let l, let j):
      return update?.layers[l].biasesUpdated == true ? [.bias(l: l, j: j), .biasGrad(l: l, j: j)] : [.bias(l: l, j: j)]
    case .after(let inner): return parents(inner).map(afterTheUpdate)
    case .cell, .parameter, .parameterGrad, .newParameter: return []
    }
  }

  /// The quantity recomputed from values of its parents (`value` gives them), or nil when
  /// this tool has no hand formula for it (softmax without cross-entropy, optimizers with
  /// state after their first step, hidden layers under the sequential update order).
  public func recompute(_ q: Quantity, from value: (Quantity) -> Double) -> Double? {
    let layers = network.layers
    switch q {
    case .input, .target, .weight, .bias: return nil
    case .net(let l, let j, let n):
      var sum = value(.bias(l: l, j: j))
      for i in 0..<layers[l].inputCount { sum += value(.weight(l: l, j: j, i: i)) * value(layerInput(l, i, n)) }
      return sum
    case .out(let l, let j, let n):
      let activation = layers[l].activation
      if case .softmax = activation {
        return Activation.softmax((0..<layers[l].neuronCount).map { value(.net(l: l, j: $0, n: n)) })[j]
      }
      return activation.value(value(.net(l: l, j: j, n: n)))
    case .outputError(let k, let n):
      return network.loss.term(a: value(.out(l: outputLayer, j: k, n: n)), t: value(.target(k: k, n: n)), outputs: network.outputCount)
    case .sampleError, .error:
      let parts = parents(q).map(value).reduce(0, +)
      if case .error = q, samples > 1, network.reduction == .mean { return parts / Double(samples) }
      return parts
    case .outGrad(let l, let j, let n):
      if l == outputLayer {
        return network.loss.derivative(a: value(.out(l: l, j: j, n: n)), t: value(.target(k: j, n: n)), outputs: network.outputCount)
      }
      return (0..<layers[l + 1].neuronCount).reduce(0) { $0 + value(.weight(l: l + 1, j: $1, i: j)) * value(.delta(l: l + 1, j: $1, n: n)) }
    case .delta(let l, let j, let n):
      let activation = layers[l].activation
      if l == outputLayer, network.loss.fusesWith(activation) {
        return network.loss.fusedDelta(a: value(.out(l: l, j: j, n: n)), t: value(.target(k: j, n: n)), outputs: network.outputCount)
      }
      if case .softmax = activation { return nil }
      return value(.outGrad(l: l, j: j, n: n)) * activation.derivative(z: value(.net(l: l, j: j, n: n)), a: value(.out(l: l, j: j, n: n)))
    case .weightGrad(let l, let j, let i):
      let scale = network.sampleWeight(batchSize: samples)
      return scale * (0..<samples).reduce(0) { $0 + value(.delta(l: l, j: j, n: $1)) * value(layerInput(l, i, $1)) }
    case .biasGrad(let l, let j):
      let scale = network.sampleWeight(batchSize: samples)
      return scale * (0..<samples).reduce(0) { $0 + value(.delta(l: l, j: j, n: $1)) }
    case .after(let inner):
      // The same formula, fed with the values after the update.
      return recompute(inner) { value(afterTheUpdate($0)) }
    case .newWeight(let l, _, _), .newBias(let l, _):
      guard let step = plainStep(layer: l) else { return nil }
      let parentValues = parents(q)
      guard parentValues.count == 2 else { return value(parentValues[0]) }
      return step(value(parentValues[0]), value(parentValues[1]))
    case .cell, .parameter, .parameterGrad, .newParameter: return nil
    }
  }

  /// The update rule as a function of (parameter, gradient), when it needs no optimizer state:
  /// plain SGD at any step, and every optimizer on its first step, whose state starts at zero
  /// (SGD's velocity as the gradient; RMSprop, Adam, AdamW from zero moments).
  func plainStep(layer l: Int) -> ((Double, Double) -> Double)? {
    guard let update else { return nil }
    if update.order == .sequential, l != outputLayer { return nil }
    if update.step == 1 {
      let optimizer = optimizer
      return { w, g in optimizer.firstStep(parameter: w, gradient: g) }
    }
    guard case .sgd(let o) = optimizer, o.momentum == 0 else { return nil }
    let rate = o.learningRate, decay = o.weightDecay
    return { w, g in w - rate * (g + decay * w) }
  }
}
