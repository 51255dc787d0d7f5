extension LayeredNetwork {
  /// Trains for `schedule.iterations` updates, walking the data as a dense network's `train`
  /// does (batches, shuffling, learning-rate schedule), and stops at the first iteration whose
  /// error is not finite, leaving the network as it was before it.
  public mutating func train(inputs: [[Double]], targets: [[Double]], schedule: TrainingSchedule, optimizer: Optimizer,
    state: inout LayeredOptimizerState) -> TrainingHistory
  {
    var losses: [Double] = []
    var rates: [Double] = []
    let stopped = schedule.walk(samples: inputs.count, optimizer: optimizer) { _, indices, stepOptimizer in
      let x = indices.map { $0.map { inputs[$0] } } ?? inputs
      let t = indices.map { $0.map { targets[$0] } } ?? targets
      let pass = forward(x)
      let error = loss(pass, targets: t).total
      guard error.isFinite else { return false }
      losses.append(error)
      if schedule.learningRate != nil { rates.append(stepOptimizer.learningRate) }
      update(backward(pass, targets: t), optimizer: stepOptimizer, state: &state)
      return true
    }
    return TrainingHistory(losses: losses, iterationsPerEpoch: schedule.iterationsPerEpoch(samples: inputs.count), stoppedAt: stopped, rates: rates)
  }
}

/// One parameter's gradient beside its central finite difference.
public struct LayeredGradientComparison: Sendable, Hashable {
  public var layer: Int
  public var tensor: Int
  public var index: Int
  public var analytic: Double
  public var numeric: Double
  /// |a − n| / max(|a|, |n|), 0 when both are 0.
  public var relativeError: Double
}

extension LayeredNetwork {
  /// Every parameter's backpropagated gradient beside (E(p + h) − E(p − h)) / 2h.
  public func gradientCheck(inputs: [[Double]], targets: [[Double]], step h: Double) -> [LayeredGradientComparison] {
    let analytic = backward(forward(inputs), targets: targets).gradients
    var out: [LayeredGradientComparison] = []
    for l in layers.indices {
      for (p, tensor) in layers[l].parameters.enumerated() {
        for i in tensor.indices {
          func error(_ shift: Double) -> Double {
            var copy = self
            var t = copy.layers[l].parameters
            t[p][i] += shift
            copy.layers[l].parameters = t
            return copy.loss(copy.forward(inputs), targets: targets).total
          }
          let numeric = (error(h) - error(-h)) / (2 * h)
          let a = analytic[l][p][i]
          let size = max(abs(a), abs(numeric))
          out.append(LayeredGradientComparison(layer: l, tensor: p, index: i, analytic: a, numeric: numeric, relativeError: size == 0 ? 0 : abs(a - numeric) / size))
        }
      }
    }
    return out
  }
}
