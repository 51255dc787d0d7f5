import Foundation

/// A learning rate that changes during a `train` run, as torch.optim.lr_scheduler defines it.
///
/// e counts the scheduler's steps before an update: the epoch's index (0 in the first epoch)
/// when it steps per epoch, as PyTorch code usually calls `scheduler.step()`, or the
/// iteration's index (0-based) when it steps per iteration. Each `train` run starts at e = 0,
/// like a scheduler made for it, from the optimizer's own rate η₀.
public struct LearningRateSchedule: Sendable, Hashable {
  public enum Kind: Sendable, Hashable {
    /// StepLR: η₀·γ^⌊e / size⌋.
    case step(size: Int, gamma: Double)
    /// ExponentialLR: η₀·γ^e.
    case exponential(gamma: Double)
    /// CosineAnnealingLR (its closed form): η_min + (η₀ − η_min)(1 + cos(π e / T_max)) / 2.
    case cosine(tMax: Int, etaMin: Double)
    /// LinearLR: η₀·(start + (end − start)·min(e, total) / total).
    case linear(start: Double, end: Double, total: Int)
  }

  public var kind: Kind
  /// Step per iteration rather than per epoch.
  public var perIteration: Bool

  public init(_ kind: Kind, perIteration: Bool = false) {
    self.kind = kind
    self.perIteration = perIteration
  }

  /// The rate of iteration k (0-based), from the base rate η₀.
  public func rate(base: Double, iteration k: Int, iterationsPerEpoch: Int) -> Double {
    let e = perIteration ? k : k / max(iterationsPerEpoch, 1)
    switch kind {
    case .step(let size, let gamma): return base * Foundation.pow(gamma, Double(e / max(size, 1)))
    case .exponential(let gamma): return base * Foundation.pow(gamma, Double(e))
    case .cosine(let tMax, let etaMin):
      return etaMin + (base - etaMin) * (1 + Foundation.cos(Double.pi * Double(e) / Double(max(tMax, 1)))) / 2
    case .linear(let start, let end, let total):
      return base * (start + (end - start) * Double(min(e, total)) / Double(max(total, 1)))
    }
  }
}

/// How a `train` run walks the data.
public struct TrainingSchedule: Sendable, Hashable {
  /// Total number of updates.
  public var iterations: Int
  /// Samples per update; nil means the whole data set (full batch).
  public var batchSize: Int?
  /// Reorder the samples at the start of every epoch, from this seed; nil keeps their order.
  public var shuffleSeed: UInt64?
  /// Threads a step may use: 1 (or less), or 2 (or more) to share steps with a second thread
  /// (see `StepCrew`); nil lets `train` decide (two when the machine has two cores, a step is
  /// big enough, and no other training in the process shares its steps). The numbers are the
  /// same whatever this is.
  public var threads: Int?
  /// The learning rate's schedule; nil keeps the optimizer's rate.
  public var learningRate: LearningRateSchedule?

  public init(iterations: Int, batchSize: Int? = nil, shuffleSeed: UInt64? = nil, threads: Int? = nil, learningRate: LearningRateSchedule? = nil) {
    self.iterations = iterations
    self.batchSize = batchSize
    self.shuffleSeed = shuffleSeed
    self.threads = threads
    self.learningRate = learningRate
  }

  /// The optimizer as iteration k (0-based) uses it: with the scheduled rate, if any.
  public func optimizer(_ optimizer: Optimizer, iteration k: Int, iterationsPerEpoch: Int) -> Optimizer {
    guard let learningRate else { return optimizer }
    return optimizer.with(learningRate: learningRate.rate(base: optimizer.learningRate, iteration: k, iterationsPerEpoch: iterationsPerEpoch))
  }

  /// Updates per pass over `samples` samples.
  public func iterationsPerEpoch(samples: Int) -> Int {
    let b = min(batchSize ?? samples, samples)
    return (samples + b - 1) / max(b, 1)
  }
}

/// The history of a training run.
public struct TrainingHistory: Sendable, Hashable {
  /// losses[k − 1]: the batch error of iteration k, computed in its forward pass, before its update.
  public var losses: [Double]
  /// The epoch (1-based) each iteration belongs to is (k − 1) / iterationsPerEpoch + 1.
  public var iterationsPerEpoch: Int
  /// The first iteration whose error was not finite, if training stopped there.
  public var stoppedAt: Int?
  /// rates[k − 1]: the learning rate of iteration k's update, when the schedule has one (else empty).
  public var rates: [Double] = []
  /// How many steps a second thread shared (`TrainingSchedule.threads`); the numbers are the
  /// same either way.
  public var sharedSteps = 0
}

extension Network {
  /// Trains for `schedule.iterations` updates: forward, error, backward, update on each batch.
  ///
  /// Stops early at the first iteration whose error is NaN or infinite, leaving the network as
  /// it was before that iteration.
  ///
  /// The steps run in a ``TrainingWorkspace`` allocated once, so a step allocates nothing; they
  /// compute exactly what `forward`, `loss`, `backward` and `update` would (the same operations in
  /// the same order), only faster. Networks the workspace does not cover (no layers, or softmax
  /// in a hidden layer) go through those functions themselves.
  ///
  /// `observer`, when given, sees the network after every `observeEvery`-th update and after the
  /// last one (with the 1-based iteration), e.g. to follow a classifier's accuracy.
  public mutating func train(
    on data: Dataset, schedule: TrainingSchedule, optimizer: Optimizer, state: inout OptimizerState,
    observeEvery: Int = 1, observer: ((Int, Network) -> Void)? = nil
  ) -> TrainingHistory {
    let n = data.count
    let batch = min(schedule.batchSize ?? n, n)
    guard trainsInWorkspace, batch > 0 else {
      return trainStepByStep(on: data, schedule: schedule, optimizer: optimizer, state: &state, observeEvery: observeEvery, observer: observer)
    }
    let perEpoch = schedule.iterationsPerEpoch(samples: n)
    var rng = schedule.shuffleSeed.map { SeededGenerator(seed: $0) }
    var order = Array(0..<n)
    var losses: [Double] = []
    losses.reserveCapacity(schedule.iterations)
    let workspace = TrainingWorkspace(for: self, batchCapacity: batch)
    for l in layers.indices { workspace.load(layers[l], into: l) }
    let fullBatch = batch == n && rng == nil
    if fullBatch { workspace.gather(data, rows: nil) }
    // One hidden layer (the common case): the whole step in three passes (`fusedStep`).
    let fused = TrainingWorkspace.fuses(self)
    // Two threads share each step when asked to, or, unasked, when the step is big and no other
    // training in this process shares its steps already.
    let crew: StepCrew? = if !fused || schedule.threads.map({ $0 <= 1 }) ?? false {
      nil
    } else if schedule.threads != nil {
      StepCrew(workspace: workspace, loss: loss)
    } else if StepCrew.worthwhile(rows: batch, hidden: layers[0].neuronCount, iterations: schedule.iterations) {
      StepCrew.start(workspace: workspace, loss: loss)
    } else {
      nil
    }
    defer { crew?.stop() }
    if fused { workspace.beginUpdates(self, state: state, optimizer: optimizer) }
    var rates: [Double] = []
    for k in 0..<schedule.iterations {
      let stepOptimizer = schedule.optimizer(optimizer, iteration: k, iterationsPerEpoch: perEpoch)
      if schedule.learningRate != nil {
        rates.append(stepOptimizer.learningRate)
        if fused { workspace.setOptimizer(stepOptimizer) }
      }
      let position = k % perEpoch
      if position == 0, rng != nil { rng!.permute(&order) }
      let rows = fullBatch ? n : min((position + 1) * batch, n) - position * batch
      if !fullBatch { workspace.gather(data, rows: order[(position * batch)..<(position * batch + rows)]) }
      // The fused step updates the workspace's copy of the parameters (when E is finite).
      let error = fused
        ? workspace.fusedStep(rows: rows, loss: loss, reduction: reduction, scale: sampleWeight(batchSize: rows), crew: crew).error
        : workspace.forward(rows: rows, loss: loss, reduction: reduction)
      guard error.isFinite else {
        if fused { workspace.endUpdates(into: &self, state: &state) }
        return TrainingHistory(losses: losses, iterationsPerEpoch: perEpoch, stoppedAt: k + 1, rates: Array(rates.dropLast()), sharedSteps: crew?.steps ?? 0)
      }
      losses.append(error)
      if !fused { backwardAndUpdate(in: workspace, rows: rows, optimizer: stepOptimizer, state: &state) }
      if let observer, (k + 1) % max(observeEvery, 1) == 0 || k + 1 == schedule.iterations {
        if fused { workspace.endUpdates(into: &self, state: &state) }
        observer(k + 1, self)
      }
    }
    if fused { workspace.endUpdates(into: &self, state: &state) }
    return TrainingHistory(losses: losses, iterationsPerEpoch: perEpoch, stoppedAt: nil, rates: rates, sharedSteps: crew?.steps ?? 0)
  }

  /// `train` done with the public passes, allocating as they do: the definition the fast path
  /// must match, and the path for networks the workspace does not cover.
  mutating func trainStepByStep(
    on data: Dataset, schedule: TrainingSchedule, optimizer: Optimizer, state: inout OptimizerState,
    observeEvery: Int = 1, observer: ((Int, Network) -> Void)? = nil
  ) -> TrainingHistory {
    var losses: [Double] = []
    losses.reserveCapacity(schedule.iterations)
    var rates: [Double] = []
    let perEpoch = schedule.iterationsPerEpoch(samples: data.count)
    let stopped = schedule.walk(samples: data.count, optimizer: optimizer) { k, indices, stepOptimizer in
      let inputs = indices.map(data.inputs.selectingRows) ?? data.inputs
      let targets = indices.map(data.targets.selectingRows) ?? data.targets
      let pass = forward(inputs)
      let error = loss(of: pass.outputs, targets: targets).total
      guard error.isFinite else { return false }
      losses.append(error)
      if schedule.learningRate != nil { rates.append(stepOptimizer.learningRate) }
      let gradients = backward(pass, targets: targets)
      update(from: pass, gradients, targets: targets, optimizer: stepOptimizer, state: &state)
      if let observer, (k + 1) % max(observeEvery, 1) == 0 || k + 1 == schedule.iterations { observer(k + 1, self) }
      return true
    }
    return TrainingHistory(losses: losses, iterationsPerEpoch: perEpoch, stoppedAt: stopped, rates: rates)
  }
}

extension TrainingSchedule {
  /// Walks the iterations: for each, its 0-based number, the samples of its batch (nil for
  /// the whole data set in order) and the optimizer with its scheduled rate. Each epoch starts
  /// with a fresh permutation when shuffling. `step` returns false to stop; the result is the
  /// 1-based iteration it stopped at.
  public func walk(samples n: Int, optimizer: Optimizer, _ step: (Int, [Int]?, Optimizer) -> Bool) -> Int? {
    let batch = min(batchSize ?? n, n)
    let perEpoch = iterationsPerEpoch(samples: n)
    var rng = shuffleSeed.map { SeededGenerator(seed: $0) }
    var order = Array(0..<n)
    let fullBatch = batch == n && rng == nil
    for k in 0..<iterations {
      let stepOptimizer = self.optimizer(optimizer, iteration: k, iterationsPerEpoch: perEpoch)
      let position = k % perEpoch
      if position == 0, rng != nil { order = rng!.permutation(of: n) }
      let indices = fullBatch ? nil : Array(order[(position * batch)..<min((position + 1) * batch, n)])
      if !step(k, indices, stepOptimizer) { return k + 1 }
    }
    return nil
  }
}

extension SeededGenerator {
  /// Overwrites `order` with the permutation `permutation(of: order.count)` would return,
  /// drawing the same numbers, without allocating.
  mutating func permute(_ order: inout [Int]) {
    for i in order.indices { order[i] = i }
    if order.count > 1 {
      for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, index(below: i + 1)) }
    }
  }
}
