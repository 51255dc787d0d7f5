/// One layer of a ``LayeredNetwork``: what a network block's `type:` names.
///
/// Every kind maps a flat input (row-major, of `inputShape`) to flat values and back: the
/// engine needs nothing else from a kind, so a new one is a new case here and its own file.
public enum Layer: Sendable, Hashable {
  case dense(DenseLayer)
  case convolution(Convolution)
  case pooling(Pooling)
  case flatten(Flatten)
  case recurrent(Recurrent)

  public var inputShape: [Int] {
    switch self {
    case .dense(let d): [d.inputCount]
    case .convolution(let c): c.inputShape
    case .pooling(let p): p.inputShape
    case .flatten(let f): f.inputShape
    case .recurrent(let r): [r.steps, r.features]
    }
  }

  /// The shape of the layer's values a (all time steps for a recurrent layer).
  public var valueShape: [Int] {
    switch self {
    case .dense(let d): [d.neuronCount]
    case .convolution(let c): c.outputShape
    case .pooling(let p): p.outputShape
    case .flatten(let f): [f.inputShape.reduce(1, *)]
    case .recurrent(let r): [r.steps, r.hidden]
    }
  }

  /// The shape of what the next layer receives.
  public var outputShape: [Int] {
    if case .recurrent(let r) = self { return r.outputShape }
    return valueShape
  }

  /// Whether the layer has a net input z before an activation (pooling and flatten do not).
  public var hasNetInput: Bool {
    switch self {
    case .dense, .convolution, .recurrent: true
    case .pooling, .flatten: false
    }
  }

  public var activation: Activation? {
    switch self {
    case .dense(let d): d.activation
    case .convolution(let c): c.activation
    case .recurrent(let r): r.activation
    case .pooling, .flatten: nil
    }
  }

  /// The trainable tensors, flat, in a fixed order: dense and convolution [weights, biases];
  /// recurrent [input weights, hidden weights, biases]; none for pooling and flatten.
  public var parameters: [[Double]] {
    get {
      switch self {
      case .dense(let d): [d.weights.values, d.biases]
      case .convolution(let c): [c.weights, c.biases]
      case .recurrent(let r): [r.inputWeights.values, r.hiddenWeights.values, r.biases]
      case .pooling, .flatten: []
      }
    }
    set {
      switch self {
      case .dense(var d):
        d.weights.values = newValue[0]
        d.biases = newValue[1]
        self = .dense(d)
      case .convolution(var c):
        (c.weights, c.biases) = (newValue[0], newValue[1])
        self = .convolution(c)
      case .recurrent(var r):
        (r.inputWeights.values, r.hiddenWeights.values, r.biases) = (newValue[0], newValue[1], newValue[2])
        self = .recurrent(r)
      case .pooling, .flatten: break
      }
    }
  }

  /// Each of `parameters`: what a trace calls it, the word of its value names (`c1.w[…]`), its
  /// shape and what its index counts; a convolution's weights are (out, in, rows, columns).
  public var parameterShapes: [ParameterTensor] {
    switch self {
    case .dense(let d):
      [ParameterTensor("weights", "w", [d.neuronCount, d.inputCount], "[neuron,input]"), ParameterTensor("biases", "b", [d.neuronCount], "[neuron]")]
    case .convolution(let c):
      [c.dimensions == 2
        ? ParameterTensor("weights", "w", [c.outChannels, c.inChannels, c.kernelRows, c.kernelColumns], "[out channel,in channel,row,column]")
        : ParameterTensor("weights", "w", [c.outChannels, c.inChannels, c.kernelColumns], "[out channel,in channel,position]"),
       ParameterTensor("biases", "b", [c.outChannels], "[output channel]")]
    case .recurrent(let r):
      [ParameterTensor("input_weights", "wx", [r.hidden, r.features], "[unit,feature]"), ParameterTensor("hidden_weights", "wh", [r.hidden, r.hidden], "[unit,unit]"),
       ParameterTensor("biases", "b", [r.hidden], "[unit]")]
    case .pooling, .flatten: []
    }
  }

  /// Which of `parameters` are biases (`update-biases: false` leaves those alone).
  public var biasTensor: Int? {
    switch self {
    case .dense, .convolution: 1
    case .recurrent: 2
    case .pooling, .flatten: nil
    }
  }

  func forward(_ x: [Double]) -> LayerValues {
    switch self {
    case .dense(let d): d.forward(x)
    case .convolution(let c): c.forward(x)
    case .pooling(let p): p.forward(x)
    case .flatten: LayerValues(z: nil, a: x)
    case .recurrent(let r): r.forward(x)
    }
  }

  /// What the next layer receives from these values.
  public func output(_ values: LayerValues) -> [Double] {
    if case .recurrent(let r) = self, !r.returnsSequence { return Array(values.a.suffix(r.hidden)) }
    return values.a
  }

  /// From ∂E/∂(output), or ∂E/∂z directly when the loss fuses with the activation.
  func backward(_ x: [Double], _ values: LayerValues, outputGradient g: [Double], fusedDelta: [Double]?) -> LayerGradients {
    switch self {
    case .dense(let d): d.backward(x, values, outputGradient: g, fusedDelta: fusedDelta)
    case .convolution(let c): c.backward(x, values, outputGradient: g)
    case .pooling(let p): p.backward(x, values, outputGradient: g)
    case .flatten: LayerGradients(aGrad: g, delta: nil, input: g, parameters: [])
    case .recurrent(let r): r.backward(x, values, outputGradient: g)
    }
  }
}

/// How one parameter tensor of a layer is named and indexed.
public struct ParameterTensor: Sendable, Hashable {
  /// The trace's key: `weights`, `input_weights`, `biases`.
  public var name: String
  /// The word after the layer's name in a value name: `c1.w[1,1,2,2]`, `r1.wx[1,1]`.
  public var word: String
  public var shape: [Int]
  /// What each index counts, for errors: `[unit,feature]`.
  public var axes: String
  public init(_ name: String, _ word: String, _ shape: [Int], _ axes: String) { (self.name, self.word, self.shape, self.axes) = (name, word, shape, axes) }
}

/// A layer's values for one sample: z (nil without a net input) and a, flat.
public struct LayerValues: Sendable, Hashable {
  public var z: [Double]?
  public var a: [Double]
  /// Max-pooling: for each output, the flat index of the input it took (the first maximum in
  /// row-major order, as PyTorch takes it).
  public var routes: [Int]? = nil
}

/// A layer's backward values for one sample.
public struct LayerGradients: Sendable, Hashable {
  /// ∂Eₙ/∂a, shaped like a (for a recurrent layer: every step, through time).
  public var aGrad: [Double]
  /// ∂Eₙ/∂z, or nil without a net input.
  public var delta: [Double]?
  /// ∂Eₙ/∂(the layer's input): the layer below's output gradient.
  public var input: [Double]
  /// ∂Eₙ/∂ of each parameter tensor, unscaled by the batch reduction.
  public var parameters: [[Double]]
}

/// Reshapes its input into one vector, in row-major order: a no-op on the numbers.
public struct Flatten: Sendable, Hashable {
  public var inputShape: [Int]
  public init(inputShape: [Int]) { self.inputShape = inputShape }
}

extension Activation {
  /// f(z) of one layer's values; softmax over the whole layer.
  func values(_ z: [Double]) -> [Double] {
    var a = [Double](repeating: 0, count: z.count)
    z.withUnsafeBufferPointer { z in a.withUnsafeMutableBufferPointer { apply(z, into: $0) } }
    return a
  }

  /// δ = ∂E/∂z from g = ∂E/∂a (softmax through its Jacobian).
  func deltas(_ g: [Double], z: [Double], a: [Double]) -> [Double] {
    var d = [Double](repeating: 0, count: z.count)
    g.withUnsafeBufferPointer { g in
      z.withUnsafeBufferPointer { z in
        a.withUnsafeBufferPointer { a in d.withUnsafeMutableBufferPointer { backpropagate(g, z: z, a: a, into: $0) } }
      }
    }
    return d
  }
}

extension DenseLayer {
  func forward(_ x: [Double]) -> LayerValues {
    var z = biases
    for j in 0..<neuronCount {
      for i in 0..<inputCount { z[j] += weights[j, i] * x[i] }
    }
    return LayerValues(z: z, a: activation.values(z))
  }

  func backward(_ x: [Double], _ v: LayerValues, outputGradient g: [Double], fusedDelta: [Double]?) -> LayerGradients {
    let delta = fusedDelta ?? activation.deltas(g, z: v.z!, a: v.a)
    var gw = [Double](repeating: 0, count: weights.values.count)
    var input = [Double](repeating: 0, count: inputCount)
    for j in 0..<neuronCount {
      for i in 0..<inputCount {
        gw[j * inputCount + i] = delta[j] * x[i]
        input[i] += weights[j, i] * delta[j]
      }
    }
    return LayerGradients(aGrad: g, delta: delta, input: input, parameters: [gw, delta])
  }
}
