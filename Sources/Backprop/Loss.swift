import Foundation

/// How a loss combines the terms of a sample's K outputs into E_n: PyTorch's losses average
/// over every element (`reduction='mean'`), so `mean` here with a mean over samples is theirs.
public enum OutputReduction: String, Sendable, Hashable {
  case mean
  case sum
}

/// The error of one sample, E_n, as a function of the output layer's activations a and targets t.
///
/// A batch's error is the reduction of the per-sample errors (see ``Reduction``).
public enum Loss: Sendable, Hashable {
  /// E_n = Σ_k ½ (t_k − a_k)²; ∂E_n/∂a_k = a_k − t_k. The worked example's error.
  case halfSquaredError
  /// E_n = (1/K) Σ_k (t_k − a_k)² over the K outputs; ∂E_n/∂a_k = 2 (a_k − t_k) / K (torch.nn.MSELoss).
  case meanSquaredError
  /// E_n = Σ_k (t_k − a_k)²: `mean-squared-error` with `outputs: sum`; ∂E_n/∂a_k = 2 (a_k − t_k).
  case summedSquaredError
  /// E_n = −Σ_k t_k ln a_k, for a softmax output and one-hot (or probability) targets;
  /// through the softmax, ∂E_n/∂z_k = a_k − t_k.
  case crossEntropy
  /// E_n = −Σ_k [t_k ln a_k + (1 − t_k) ln(1 − a_k)], for sigmoid outputs;
  /// through the sigmoid, ∂E_n/∂z_k = a_k − t_k. Format 1's `binary-cross-entropy`.
  case binaryCrossEntropy
  /// E_n = −(1/K) Σ_k [t_k ln a_k + (1 − t_k) ln(1 − a_k)] (torch.nn.BCELoss);
  /// through the sigmoid, ∂E_n/∂z_k = (a_k − t_k) / K.
  case meanBinaryCrossEntropy
  /// Per output, with x = a_k − t_k: ½x² where |x| < δ, else δ(|x| − ½δ) (torch.nn.HuberLoss);
  /// averaged or summed over the outputs.
  case huber(delta: Double, outputs: OutputReduction)
  /// Per output: ½x²/β where |x| < β, else |x| − ½β (torch.nn.SmoothL1Loss), i.e. Huber(β)/β.
  case smoothL1(beta: Double, outputs: OutputReduction)

  /// The loss's `type` in a lesson.
  public var name: String {
    switch self {
    case .halfSquaredError: "half-squared-error"
    case .meanSquaredError, .summedSquaredError: "mean-squared-error"
    case .crossEntropy: "cross-entropy"
    case .binaryCrossEntropy, .meanBinaryCrossEntropy: "binary-cross-entropy"
    case .huber: "huber"
    case .smoothL1: "smooth-l1"
    }
  }

  /// How the outputs' terms combine into E_n.
  public var outputReduction: OutputReduction {
    switch self {
    case .halfSquaredError, .summedSquaredError, .crossEntropy, .binaryCrossEntropy: .sum
    case .meanSquaredError, .meanBinaryCrossEntropy: .mean
    case .huber(_, let r), .smoothL1(_, let r): r
    }
  }

  /// The factor on every output's term: 1/K for a mean over the K outputs.
  @inline(__always)
  func outputFactor(_ outputs: Int) -> Double {
    outputReduction == .mean ? 1 / Double(outputs) : 1
  }

  /// The error contributed by output k of one sample (the terms that sum to E_n).
  @inline(__always)
  public func term(a: Double, t: Double, outputs: Int) -> Double {
    switch self {
    case .halfSquaredError: return 0.5 * (t - a) * (t - a)
    case .meanSquaredError: return (t - a) * (t - a) / Double(outputs)
    case .summedSquaredError: return (t - a) * (t - a)
    case .crossEntropy: return t == 0 ? 0 : -t * Foundation.log(a)
    case .binaryCrossEntropy, .meanBinaryCrossEntropy:
      let positive = t == 0 ? 0 : t * Foundation.log(a)
      let negative = t == 1 ? 0 : (1 - t) * Foundation.log(1 - a)
      let sum = -(positive + negative)
      return self == .binaryCrossEntropy ? sum : sum / Double(outputs)
    case .huber(let d, _):
      let x = Swift.abs(a - t)
      return (x < d ? 0.5 * x * x : d * (x - 0.5 * d)) * outputFactor(outputs)
    case .smoothL1(let b, _):
      let x = Swift.abs(a - t)
      return (x < b ? 0.5 * x * x / b : x - 0.5 * b) * outputFactor(outputs)
    }
  }

  /// ∂E_n/∂a_k for one output of one sample.
  @inline(__always)
  public func derivative(a: Double, t: Double, outputs: Int) -> Double {
    switch self {
    case .halfSquaredError: return a - t
    case .meanSquaredError: return 2 * (a - t) / Double(outputs)
    case .summedSquaredError: return 2 * (a - t)
    case .crossEntropy: return t == 0 ? 0 : -t / a
    case .binaryCrossEntropy: return (a - t) / (a * (1 - a))
    case .meanBinaryCrossEntropy: return (a - t) / (a * (1 - a)) / Double(outputs)
    case .huber(let d, _):
      // At |x| = δ both pieces give δ·sign(x); torch's gradient there is the linear piece's.
      let x = a - t
      return (Swift.abs(x) < d ? x : (x > 0 ? d : -d)) * outputFactor(outputs)
    case .smoothL1(let b, _):
      let x = a - t
      return (Swift.abs(x) < b ? x / b : (x > 0 ? 1 : -1)) * outputFactor(outputs)
    }
  }

  /// Whether this loss after `activation` has the simple combined derivative ∂E_n/∂z = a − t
  /// (divided by K for the mean over outputs: `fusedDelta`), which the engine then uses
  /// directly: it is exact where the chain through a would round.
  public func fusesWith(_ activation: Activation) -> Bool {
    switch (self, activation) {
    case (.crossEntropy, .softmax), (.binaryCrossEntropy, .sigmoid), (.meanBinaryCrossEntropy, .sigmoid): true
    default: false
    }
  }

  /// ∂E_n/∂z_k of a loss that `fusesWith` its output activation.
  @inline(__always)
  public func fusedDelta(a: Double, t: Double, outputs: Int) -> Double {
    self == .meanBinaryCrossEntropy ? (a - t) / Double(outputs) : a - t
  }
}

/// How the per-sample errors of a batch combine into the batch error and its gradients.
public enum Reduction: String, Sendable, Hashable {
  /// E = (1/N) Σ_n E_n: the default, so the learning rate does not depend on batch size.
  case mean
  /// E = Σ_n E_n.
  case sum
}
