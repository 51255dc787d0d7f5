import Backprop

/// One pass of a network of typed layers: forward, error, backward and update from the same
/// parameters and data, with every value's name (`c1.z[1,2,3]`, `K[1,2].grad`, `o1.delta`).
///
/// Names index tensors from 1, channel first: `c1.z[o,i,j]` (conv2d), `c1.z[o,j]` (conv1d),
/// `p1.a[c,i,j]`, `f1.a[k]`, `r1.h[t,k]`. A convolution's weights are `c1.w[o,c,r,s]`, or
/// `K[c,r,s]` (`K[r,s]` with one input channel) for a kernel named in `kernel-names`; an rnn's
/// are `r1.wx[k,f]`, `r1.wh[k,j]` and `r1.b[k]`; a dense layer's `o1.w[i]` and `o1.b` unless
/// named. With several samples the sample comes last: `c1.z[1,2,3][2]`.
public struct LayeredPass: Sendable {
  public var networkName: String
  public var spec: LayeredSpec
  public var notation: Notation
  /// The parameters the pass started from.
  public var network: LayeredNetwork
  public var optimizer: Optimizer
  public var inputs: [[Double]]
  public var targets: [[Double]]
  public var forward: LayeredForward
  public var loss: LossValue?
  public var backward: LayeredBackward?
  public var update: LayeredUpdate?
  /// `layers[l].parameters`, read once: a layer builds that list each time it is asked.
  let parameterValues: [[[Double]]]

  public init(networkName: String, spec: LayeredSpec, notation: Notation, network: LayeredNetwork, optimizer: Optimizer,
    inputs: [[Double]], targets: [[Double]], forward: LayeredForward, loss: LossValue?, backward: LayeredBackward?, update: LayeredUpdate?)
  {
    (self.networkName, self.spec, self.notation, self.network, self.optimizer) = (networkName, spec, notation, network, optimizer)
    (self.inputs, self.targets, self.forward, self.loss, self.backward, self.update) = (inputs, targets, forward, loss, backward, update)
    parameterValues = network.layers.map(\.parameters)
  }

  var samples: Int { inputs.count }
  func isFlatten(_ l: Int) -> Bool { if case .flatten = layers[l] { true } else { false } }
  var layers: [Layer] { network.layers }
  var output: Int { layers.count - 1 }

  // MARK: Which values

  /// The cells of layer l a student computes: z and a, or a alone (pooling); none for
  /// flatten, whose values are the layer below's, renamed.
  func computes(_ l: Int) -> [CellField] {
    switch layers[l] {
    case .flatten: []
    case .pooling: [.a]
    default: [.z, .a]
    }
  }

  public var forwardQuantities: [Quantity] {
    var out: [Quantity] = []
    for n in 0..<samples {
      for l in layers.indices {
        let fields = computes(l)
        for i in 0..<layers[l].valueShape.reduce(1, *) { out += fields.map { .cell($0, l: l, index: i, n: n) } }
      }
    }
    return out
  }

  var errorQuantities: [Quantity] { Quantity.errors(samples: samples, outputs: network.outputCount) }

  var gradientQuantities: [Quantity] {
    var out: [Quantity] = []
    for l in layers.indices.reversed() {
      let fields: [CellField] = computes(l).isEmpty ? [] : (layers[l].hasNetInput ? [.aGrad, .delta] : [.aGrad])
      for n in 0..<samples {
        for i in 0..<layers[l].valueShape.reduce(1, *) { out += fields.map { .cell($0, l: l, index: i, n: n) } }
      }
      for (p, tensor) in parameterValues[l].enumerated() {
        out += tensor.indices.map { .parameterGrad(l: l, p: p, index: $0) }
      }
    }
    return out
  }

  public var lossQuantities: [Quantity] { loss == nil ? [] : errorQuantities }
  public var backwardQuantities: [Quantity] { backward == nil ? [] : gradientQuantities }
  public var updateQuantities: [Quantity] {
    guard update != nil else { return [] }
    var out: [Quantity] = []
    for l in layers.indices.reversed() {
      for (p, tensor) in parameterValues[l].enumerated() where network.updatesBiases || p != layers[l].biasTensor {
        out += tensor.indices.map { .newParameter(l: l, p: p, index: $0) }
      }
    }
    return out
  }
  public var afterQuantities: [Quantity] {
    update == nil ? [] : (forwardQuantities + errorQuantities + gradientQuantities).map { .after($0) }
  }

  public func has(_ q: Quantity) -> Bool {
    switch q {
    case .input, .target, .parameter, .cell(.z, _, _, _), .cell(.a, _, _, _): true
    case .outputError, .sampleError, .error: loss != nil
    case .cell, .parameterGrad: backward != nil
    case .newParameter: update != nil
    case .after(let inner): update != nil && !inner.isGiven && has(inner.beforeUpdate)
    default: false
    }
  }

  /// Recomputed from the parameters after the update (no update of its own).
  public func afterUpdate() -> LayeredPass? {
    guard let update else { return nil }
    var network = self.network
    for l in network.layers.indices { network.layers[l].parameters = update.after[l] }
    let f = network.forward(inputs)
    return LayeredPass(networkName: networkName, spec: spec, notation: notation, network: network, optimizer: optimizer, inputs: inputs,
      targets: targets, forward: f, loss: network.loss(f, targets: targets), backward: network.backward(f, targets: targets), update: nil)
  }

  /// Whether `name(q)` can name the quantity: it is a value of typed layers whose indices fit.
  public func canName(_ q: Quantity) -> Bool {
    switch q {
    case .input(let i, let n): return i < network.inputShape.reduce(1, *) && n < samples
    case .target(let k, let n), .outputError(let k, let n): return k < network.outputCount && n < samples
    case .sampleError(let n): return n < samples
    case .error: return true
    case .cell(_, let l, let i, let n): return l < layers.count && i < layers[l].valueShape.reduce(1, *) && n < samples
    case .parameter(let l, let p, let i), .parameterGrad(let l, let p, let i), .newParameter(let l, let p, let i):
      return l < layers.count && p < parameterValues[l].count && i < parameterValues[l][p].count
    case .after(let inner): return canName(inner)
    default: return false
    }
  }

  // MARK: Values

  public func value(_ q: Quantity) -> Double {
    switch q {
    case .input(let i, let n): return inputs[n][i]
    case .target(let k, let n): return targets[n][k]
    case .cell(let field, let l, let i, let n):
      let v = forward.layers[l][n]
      switch field {
      case .z: return v.z![i]
      case .a: return v.a[i]
      case .aGrad: return backward!.layers[l][n].aGrad[i]
      case .delta: return backward!.layers[l][n].delta![i]
      }
    case .parameter(let l, let p, let i): return parameterValues[l][p][i]
    case .parameterGrad(let l, let p, let i): return backward!.gradients[l][p][i]
    case .newParameter(let l, let p, let i): return update!.after[l][p][i]
    case .outputError(let k, let n): return loss!.terms[n, k]
    case .sampleError(let n): return loss!.perSample[n]
    case .error: return loss!.total
    case .after(let inner): return afterUpdate()!.value(inner)
    default: preconditionFailure("\(q) is a dense network's value")
    }
  }

  // MARK: Names

  /// `[1,2,3]` for a flat index into `shape`.
  public static func indexText(_ index: Int, _ shape: [Int]) -> String {
    var rest = index
    var parts: [Int] = []
    for size in shape.reversed() {
      parts.append(rest % size + 1)
      rest /= size
    }
    return "[" + parts.reversed().map(String.init).joined(separator: ",") + "]"
  }

  /// The shape of parameter tensor p of layer l, as its names index it.
  func parameterShape(_ l: Int, _ p: Int) -> [Int] { layers[l].parameterShapes[p].shape }

  /// The name of parameter tensor p of layer l at a flat index, as the report shows it.
  public func parameterName(_ l: Int, _ p: Int, _ i: Int) -> String {
    let names = spec.layers[l]
    let shape = parameterShape(l, p)
    switch layers[l] {
    case .dense(let d):
      if p == 0 {
        if let w = names.weightNames { return w[i / d.inputCount][i % d.inputCount] }
        return "\(names.neurons[i / d.inputCount]).w[\(i % d.inputCount + 1)]"
      }
      return names.biasNames?[i] ?? "\(names.neurons[i]).b"
    case .convolution(let c) where p == 0 && names.kernelNames != nil:
      // One input channel: the kernel's own rows and columns are enough (`K[r,s]`).
      let perKernel = shape.dropFirst().reduce(1, *)
      return names.kernelNames![i / perKernel] + Self.indexText(i % perKernel, Array(shape.dropFirst(c.inChannels == 1 ? 2 : 1)))
    default:
      if p == layers[l].biasTensor, let given = names.biasNames { return given[i] }
      return "\(names.name).\(layers[l].parameterShapes[p].word)" + Self.indexText(i, shape)
    }
  }

  func fieldWord(_ field: CellField, _ l: Int) -> String {
    let recurrent: Bool = if case .recurrent = layers[l] { true } else { false }
    let out = recurrent ? "h" : notation.out
    switch field {
    case .z: return notation.net
    case .a: return out
    case .aGrad: return out + ".grad"
    case .delta: return "delta"
    }
  }

  public func name(_ q: Quantity) -> String {
    func sample(_ n: Int) -> String { samples > 1 ? "[\(n + 1)]" : "" }
    let outputs = spec.layers[output].neurons
    switch q {
    case .input(let i, let n): return spec.inputName + Self.indexText(i, network.inputShape) + sample(n)
    case .target(let k, let n): return outputs[k] + ".t" + sample(n)
    case .cell(let field, let l, let i, let n):
      let names = spec.layers[l]
      if case .dense = layers[l] { return "\(names.neurons[i]).\(fieldWord(field, l))" + sample(n) }
      return "\(names.name).\(fieldWord(field, l))" + Self.indexText(i, layers[l].valueShape) + sample(n)
    case .parameter(let l, let p, let i), .newParameter(let l, let p, let i): return parameterName(l, p, i)
    case .parameterGrad(let l, let p, let i): return parameterName(l, p, i) + ".grad"
    case .outputError(let k, let n): return outputs[k] + ".E" + sample(n)
    case .sampleError(let n): return "E[\(n + 1)]"
    case .error: return "E"
    case .after(let inner): return name(inner) + ".after"
    default: preconditionFailure("\(q) is a dense network's value")
    }
  }
}

extension Quantity {
  /// The quantity an `.after` one is the updated version of.
  var beforeUpdate: Quantity {
    if case .after(let inner) = self { return inner }
    return self
  }
}
