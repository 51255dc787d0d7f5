import Foundation

/// An update rule, with the same formulas and defaults as PyTorch's `torch.optim`,
/// so a student can check any step against it. g is the gradient plus weight decay·p (PyTorch's
/// coupled L2), except under AdamW, whose decay acts on p directly.
public enum Optimizer: Sendable, Hashable {
  /// v ← μ·v + (1 − dampening)·g (v = g on the first step); p ← p − η·(g + μ·v if Nesterov, else v).
  /// With μ = 0 this is plain gradient descent, p ← p − η·∂E/∂p.
  case sgd(SGD)
  /// s ← α·s + (1 − α)·g²; with momentum μ > 0: v ← μ·v + g/(√s + ε), p ← p − η·v;
  /// otherwise p ← p − η·g/(√s + ε). Centered: ḡ ← α·ḡ + (1 − α)·g and s − ḡ² in place of s.
  case rmsprop(RMSprop)
  /// m ← β₁·m + (1 − β₁)·g; v ← β₂·v + (1 − β₂)·g²;
  /// p ← p − η·(m / (1 − β₁ᵗ)) / (√v / √(1 − β₂ᵗ) + ε). AMSGrad: v̂ ← max(v̂, v) in place of v.
  case adam(Adam)
  /// torch.optim.AdamW: p ← p·(1 − η·λ) (decoupled weight decay λ), then the Adam step with
  /// g = ∂E/∂p alone.
  case adamw(Adam)

  public struct SGD: Sendable, Hashable {
    public var learningRate: Double
    public var momentum: Double = 0
    public var dampening: Double = 0
    public var nesterov: Bool = false
    public var weightDecay: Double = 0
    public init(learningRate: Double, momentum: Double = 0, dampening: Double = 0, nesterov: Bool = false, weightDecay: Double = 0) {
      self.learningRate = learningRate
      self.momentum = momentum
      self.dampening = dampening
      self.nesterov = nesterov
      self.weightDecay = weightDecay
    }
  }

  public struct RMSprop: Sendable, Hashable {
    public var learningRate: Double
    public var alpha: Double = 0.99
    public var epsilon: Double = 1e-8
    public var momentum: Double = 0
    public var weightDecay: Double = 0
    /// Divide by the running variance √(s − ḡ²) rather than √s.
    public var centered: Bool = false
    public init(
      learningRate: Double, alpha: Double = 0.99, epsilon: Double = 1e-8, momentum: Double = 0, weightDecay: Double = 0, centered: Bool = false
    ) {
      self.learningRate = learningRate
      self.alpha = alpha
      self.epsilon = epsilon
      self.momentum = momentum
      self.weightDecay = weightDecay
      self.centered = centered
    }
  }

  public struct Adam: Sendable, Hashable {
    public var learningRate: Double
    public var beta1: Double = 0.9
    public var beta2: Double = 0.999
    public var epsilon: Double = 1e-8
    public var weightDecay: Double = 0
    /// AMSGrad: divide by the largest second moment so far, v̂ = max(v̂, v).
    public var amsgrad: Bool = false
    public init(
      learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0, amsgrad: Bool = false
    ) {
      self.learningRate = learningRate
      self.beta1 = beta1
      self.beta2 = beta2
      self.epsilon = epsilon
      self.weightDecay = weightDecay
      self.amsgrad = amsgrad
    }
  }

  public var name: String {
    switch self {
    case .sgd(let s): s.momentum == 0 && s.weightDecay == 0 ? "gradient descent" : (s.nesterov ? "SGD with Nesterov momentum" : "SGD with momentum")
    case .rmsprop(let r): r.centered ? "centered RMSprop" : "RMSprop"
    case .adam(let a): a.amsgrad ? "Adam (AMSGrad)" : "Adam"
    case .adamw(let a): a.amsgrad ? "AdamW (AMSGrad)" : "AdamW"
    }
  }

  /// The same optimizer with learning rate `rate` (a schedule's step).
  public func with(learningRate rate: Double) -> Optimizer {
    switch self {
    case .sgd(var s): s.learningRate = rate; return .sgd(s)
    case .rmsprop(var r): r.learningRate = rate; return .rmsprop(r)
    case .adam(var a): a.learningRate = rate; return .adam(a)
    case .adamw(var a): a.learningRate = rate; return .adamw(a)
    }
  }

  public var learningRate: Double {
    switch self {
    case .sgd(let s): s.learningRate
    case .rmsprop(let r): r.learningRate
    case .adam(let a), .adamw(let a): a.learningRate
    }
  }
}

/// The per-parameter memory of an optimizer for one tensor (a layer's weights or its biases).
public struct OptimizerSlots: Sendable, Hashable {
  /// Momentum buffer (SGD, RMSprop) or Adam's first moment m.
  public var velocity: [Double]
  /// RMSprop's running square s or Adam's second moment v.
  public var square: [Double]
  /// Centered RMSprop's running mean of g (ḡ), or AMSGrad's largest second moment v̂; zeros otherwise.
  public var extra: [Double]

  init(count: Int) {
    velocity = Array(repeating: 0, count: count)
    square = Array(repeating: 0, count: count)
    extra = Array(repeating: 0, count: count)
  }
}

/// Everything an optimizer remembers between steps.
public struct OptimizerState: Sendable, Hashable {
  /// Number of updates applied so far (t in Adam's bias correction).
  public var step: Int = 0
  public var weights: [OptimizerSlots]
  public var biases: [OptimizerSlots]

  public init(for network: Network) {
    weights = network.layers.map { OptimizerSlots(count: $0.weights.values.count) }
    biases = network.layers.map { OptimizerSlots(count: $0.biases.count) }
  }
}

extension Optimizer {
  /// The first update of one parameter from fresh (zero) state: a hand formula of (p, g) alone.
  public func firstStep(parameter: Double, gradient: Double) -> Double {
    var values = [parameter]
    var slots = OptimizerSlots(count: 1)
    apply(to: &values, gradient: [gradient], slots: &slots, step: 1)
    return values[0]
  }

  /// Applies one update to `values` in place. `step` is 1 on the first update.
  func apply(to values: inout [Double], gradient: [Double], slots: inout OptimizerSlots, step: Int) {
    apply(to: &values, gradient: gradient, slots: &slots, step: step, indices: values.indices)
  }

  /// `apply` to the parameters at `indices` only: each parameter's update depends on nothing
  /// but its own gradient and slots, so updating in parts gives the same numbers.
  func apply(to values: inout [Double], gradient: [Double], slots: inout OptimizerSlots, step: Int, indices: Range<Int>) {
    guard !indices.isEmpty else { return }
    values.withUnsafeMutableBufferPointer { values in
      gradient.withUnsafeBufferPointer { gradient in
        slots.velocity.withUnsafeMutableBufferPointer { velocity in
          slots.square.withUnsafeMutableBufferPointer { square in
            slots.extra.withUnsafeMutableBufferPointer { extra in
              apply(
                to: values.baseAddress!, gradient: gradient.baseAddress!, velocity: velocity.baseAddress!, square: square.baseAddress!,
                extra: extra.baseAddress!, step: step, indices: indices)
            }
          }
        }
      }
    }
  }

  /// `apply` on parameters, gradients and slots (velocity, square, extra) given by where they start.
  func apply(
    to values: UnsafeMutablePointer<Double>, gradient: UnsafePointer<Double>, velocity: UnsafeMutablePointer<Double>,
    square: UnsafeMutablePointer<Double>, extra: UnsafeMutablePointer<Double>, step: Int, indices: Range<Int>
  ) {
    guard !indices.isEmpty else { return }
    switch self {
    case .sgd(let o):
      for i in indices {
        var g = gradient[i] + o.weightDecay * values[i]
        if o.momentum != 0 {
          let v = step == 1 ? g : o.momentum * velocity[i] + (1 - o.dampening) * g
          velocity[i] = v
          g = o.nesterov ? g + o.momentum * v : v
        }
        values[i] -= o.learningRate * g
      }
    case .rmsprop(let o):
      for i in indices {
        let g = gradient[i] + o.weightDecay * values[i]
        let s = o.alpha * square[i] + (1 - o.alpha) * g * g
        square[i] = s
        var variance = s
        if o.centered {
          let mean = o.alpha * extra[i] + (1 - o.alpha) * g
          extra[i] = mean
          variance = s - mean * mean
        }
        let scaled = g / (variance.squareRoot() + o.epsilon)
        if o.momentum > 0 {
          let v = o.momentum * velocity[i] + scaled
          velocity[i] = v
          values[i] -= o.learningRate * v
        } else {
          values[i] -= o.learningRate * scaled
        }
      }
    case .adam(let o), .adamw(let o):
      let decoupled: Bool = if case .adamw = self { true } else { false }
      let correction1 = 1 - Foundation.pow(o.beta1, Double(step))
      let correction2 = 1 - Foundation.pow(o.beta2, Double(step))
      let stepSize = o.learningRate / correction1
      let root2 = correction2.squareRoot()
      // AdamW's decay as torch writes it: p ← p·(1 − η·λ), before the moments.
      let shrink = 1 - o.learningRate * o.weightDecay
      for i in indices {
        var g = gradient[i]
        if decoupled { values[i] *= shrink } else { g += o.weightDecay * values[i] }
        let m = o.beta1 * velocity[i] + (1 - o.beta1) * g
        let v = o.beta2 * square[i] + (1 - o.beta2) * g * g
        velocity[i] = m
        square[i] = v
        var denominator = v
        if o.amsgrad {
          denominator = Swift.max(extra[i], v)
          extra[i] = denominator
        }
        values[i] -= stepSize * m / (denominator.squareRoot() / root2 + o.epsilon)
      }
    }
  }
}
