/// `rnn`: a simple recurrent layer unrolled over the input's T steps, as torch.nn.RNN:
/// z_t = W_x·x_t + W_h·h_{t−1} + b, h_t = f(z_t) (tanh by default), from h_0 = 0. PyTorch's two
/// biases b_ih + b_hh act as the one b here, and each has b's gradient.
///
/// The output is h_T, or every h_t (`returns: sequence`). Backpropagation through time: the
/// gradient of h_t is what the output sends it plus W_hᵀ·δ_{t+1} from the step after it, and
/// the parameters' gradients sum over the steps.
public struct Recurrent: Sendable, Hashable {
  public var steps: Int
  public var features: Int
  /// hidden × features.
  public var inputWeights: Matrix
  /// hidden × hidden: row k holds the weights from every h_{t−1} into z_t[k].
  public var hiddenWeights: Matrix
  public var biases: [Double]
  public var activation: Activation
  public var returnsSequence: Bool

  public init(steps: Int, inputWeights: Matrix, hiddenWeights: Matrix, biases: [Double], activation: Activation = .tanh,
    returnsSequence: Bool = false)
  {
    precondition(hiddenWeights.rows == inputWeights.rows && hiddenWeights.columns == inputWeights.rows && biases.count == inputWeights.rows)
    self.steps = steps
    features = inputWeights.columns
    self.inputWeights = inputWeights
    self.hiddenWeights = hiddenWeights
    self.biases = biases
    self.activation = activation
    self.returnsSequence = returnsSequence
  }

  public var hidden: Int { biases.count }
  public var outputShape: [Int] { returnsSequence ? [steps, hidden] : [hidden] }

  func forward(_ x: [Double]) -> LayerValues {
    let (H, F) = (hidden, features)
    var z = [Double](repeating: 0, count: steps * H)
    var a = z
    for t in 0..<steps {
      for k in 0..<H {
        var sum = biases[k]
        for f in 0..<F { sum += inputWeights[k, f] * x[t * F + f] }
        if t > 0 {
          for j in 0..<H { sum += hiddenWeights[k, j] * a[(t - 1) * H + j] }
        }
        z[t * H + k] = sum
      }
      for k in 0..<H { a[t * H + k] = activation.value(z[t * H + k]) }
    }
    return LayerValues(z: z, a: a)
  }

  func backward(_ x: [Double], _ v: LayerValues, outputGradient g: [Double]) -> LayerGradients {
    let (H, F) = (hidden, features)
    let z = v.z!
    var aGrad = [Double](repeating: 0, count: steps * H)
    var delta = aGrad
    var gx = [Double](repeating: 0, count: steps * F)
    var gwx = [Double](repeating: 0, count: H * F)
    var gwh = [Double](repeating: 0, count: H * H)
    var gb = [Double](repeating: 0, count: H)
    for t in stride(from: steps - 1, through: 0, by: -1) {
      for k in 0..<H {
        var sum = returnsSequence ? g[t * H + k] : (t == steps - 1 ? g[k] : 0)
        if t < steps - 1 {
          for j in 0..<H { sum += hiddenWeights[j, k] * delta[(t + 1) * H + j] }
        }
        aGrad[t * H + k] = sum
        delta[t * H + k] = sum * activation.derivative(z: z[t * H + k], a: v.a[t * H + k])
      }
      for k in 0..<H {
        let d = delta[t * H + k]
        gb[k] += d
        for f in 0..<F {
          gwx[k * F + f] += d * x[t * F + f]
          gx[t * F + f] += inputWeights[k, f] * d
        }
        if t > 0 {
          for j in 0..<H { gwh[k * H + j] += d * v.a[(t - 1) * H + j] }
        }
      }
    }
    return LayerGradients(aGrad: aGrad, delta: delta, input: gx, parameters: [gwx, gwh, gb])
  }
}
