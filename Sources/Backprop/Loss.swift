import Foundation

/// The error of one sample, E_n, as a function of the output layer's activations a and targets t.
///
/// A batch's error is the reduction of the per-sample errors (see ``Reduction``).
public enum Loss: Sendable, Hashable {
  /// E_n = Σ_k ½ (t_k − a_k)²; ∂E_n/∂a_k = a_k − t_k. The worked example's error.
  case halfSquaredError
  /// E_n = (1/K) Σ_k (t_k − a_k)² over the K outputs; ∂E_n/∂a_k = 2 (a_k − t_k) / K.
  case meanSquaredError
  /// E_n = −Σ_k t_k ln a_k, for a softmax output and one-hot (or probability) targets;
  /// through the softmax, ∂E_n/∂z_k = a_k − t_k.
  case crossEntropy
  /// E_n = −Σ_k [t_k ln a_k + (1 − t_k) ln(1 − a_k)], for sigmoid outputs;
  /// through the sigmoid, ∂E_n/∂z_k = a_k − t_k.
  case binaryCrossEntropy

  public var name: String {
    switch self {
    case .halfSquaredError: "half-squared-error"
    case .meanSquaredError: "mean-squared-error"
    case .crossEntropy: "cross-entropy"
    case .binaryCrossEntropy: "binary-cross-entropy"
    }
  }

  /// The error contributed by output k of one sample (the terms that sum to E_n).
  @inline(__always)
  public func term(a: Double, t: Double, outputs: Int) -> Double {
    switch self {
    case .halfSquaredError: return 0.5 * (t - a) * (t - a)
    case .meanSquaredError: return (t - a) * (t - a) / Double(outputs)
    case .crossEntropy: return t == 0 ? 0 : -t * Foundation.log(a)
    case .binaryCrossEntropy:
      let positive = t == 0 ? 0 : t * Foundation.log(a)
      let negative = t == 1 ? 0 : (1 - t) * Foundation.log(1 - a)
      return -(positive + negative)
    }
  }

  /// ∂E_n/∂a_k for one output of one sample.
  @inline(__always)
  public func derivative(a: Double, t: Double, outputs: Int) -> Double {
    switch self {
    case .halfSquaredError: return a - t
    case .meanSquaredError: return 2 * (a - t) / Double(outputs)
    case .crossEntropy: return t == 0 ? 0 : -t / a
    case .binaryCrossEntropy: return (a - t) / (a * (1 - a))
    }
  }

  /// Whether this loss after `activation` has the simple combined derivative ∂E_n/∂z = a − t,
  /// which the engine then uses directly: it is exact where the chain through a would round.
  public func fusesWith(_ activation: Activation) -> Bool {
    switch (self, activation) {
    case (.crossEntropy, .softmax), (.binaryCrossEntropy, .sigmoid): true
    default: false
    }
  }
}

/// How the per-sample errors of a batch combine into the batch error and its gradients.
public enum Reduction: String, Sendable, Hashable {
  /// E = (1/N) Σ_n E_n: the default, so the learning rate does not depend on batch size.
  case mean
  /// E = Σ_n E_n.
  case sum
}
