import Foundation

/// The non-linearity a layer applies to its net input z to give its output a = f(z).
public enum Activation: Sendable, Hashable {
  /// σ(z) = 1 / (1 + e^(−z)); σ′(z) = σ(z)(1 − σ(z)).
  case sigmoid
  /// tanh(z); tanh′(z) = 1 − tanh²(z).
  case tanh
  /// max(0, z); derivative 1 for z > 0 and 0 otherwise (0 at z = 0, as PyTorch and JAX take it).
  case relu
  /// z for z > 0, slope·z otherwise; derivative 1 or slope (slope at z = 0).
  case leakyReLU(slope: Double)
  /// The identity; derivative 1.
  case linear
  /// e^(z_j) / Σ_k e^(z_k) over the layer; its Jacobian is a_j(δ_jk − a_k), so it is not element-wise.
  case softmax

  /// The name a lesson uses for this activation.
  public var name: String {
    switch self {
    case .sigmoid: "sigmoid"
    case .tanh: "tanh"
    case .relu: "relu"
    case .leakyReLU: "leaky-relu"
    case .linear: "linear"
    case .softmax: "softmax"
    }
  }

  /// Whether a_j depends on z_j alone, so that ∂a/∂z is a vector f′(z) rather than a Jacobian.
  public var isElementwise: Bool {
    if case .softmax = self { return false }
    return true
  }

  /// f(z) for an element-wise activation.
  @inline(__always)
  public func value(_ z: Double) -> Double {
    switch self {
    case .sigmoid:
      // Two forms so that neither exp overflows for large |z|.
      if z >= 0 { return 1 / (1 + Foundation.exp(-z)) }
      let e = Foundation.exp(z)
      return e / (1 + e)
    case .tanh: return Foundation.tanh(z)
    case .relu: return z > 0 ? z : 0
    case .leakyReLU(let slope): return z > 0 ? z : slope * z
    case .linear: return z
    case .softmax: preconditionFailure("softmax acts on a whole layer")
    }
  }

  /// f′(z) for an element-wise activation, from z and a = f(z) (whichever is cheaper and exact).
  @inline(__always)
  public func derivative(z: Double, a: Double) -> Double {
    switch self {
    case .sigmoid: return a * (1 - a)
    case .tanh: return 1 - a * a
    case .relu: return z > 0 ? 1 : 0
    case .leakyReLU(let slope): return z > 0 ? 1 : slope
    case .linear: return 1
    case .softmax: preconditionFailure("softmax has a Jacobian, not a derivative per neuron")
    }
  }

  /// The softmax of one layer's net inputs: the one definition every caller uses (the fast
  /// training path's lanes compute the same bits, `TrainingFastPathTests`).
  public static func softmax(_ z: [Double]) -> [Double] { Activation.softmax.values(z) }

  /// Applies the activation to one row of net inputs (one sample of a layer).
  @inline(__always)
  func apply(_ z: UnsafeBufferPointer<Double>, into a: UnsafeMutableBufferPointer<Double>) {
    switch self {
    case .softmax:
      // Shift by the maximum: the result is unchanged and exp cannot overflow.
      var top = -Double.infinity
      for v in z where v > top { top = v }
      var total = 0.0
      for j in 0..<z.count {
        let e = Foundation.exp(z[j] - top)
        a[j] = e
        total += e
      }
      for j in 0..<z.count { a[j] /= total }
    default:
      for j in 0..<z.count { a[j] = value(z[j]) }
    }
  }

  /// δ = ∂E/∂z from g = ∂E/∂a for one row: g ⊙ f′(z), or the softmax Jacobian-vector product.
  @inline(__always)
  func backpropagate(
    _ g: UnsafeBufferPointer<Double>, z: UnsafeBufferPointer<Double>, a: UnsafeBufferPointer<Double>,
    into delta: UnsafeMutableBufferPointer<Double>
  ) {
    switch self {
    case .softmax:
      var dot = 0.0
      for k in 0..<a.count { dot += g[k] * a[k] }
      for j in 0..<a.count { delta[j] = a[j] * (g[j] - dot) }
    default:
      for j in 0..<a.count { delta[j] = g[j] * derivative(z: z[j], a: a[j]) }
    }
  }
}
