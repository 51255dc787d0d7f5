@testable import Backprop
import Testing

// `Network.train` runs in a preallocated workspace with lane kernels; it must give exactly the
// numbers of the step-by-step definition (forward, loss, backward, update), bit for bit.

fileprivate struct FastPathCase: CustomTestStringConvertible, Sendable {
  var widths: [Int]
  var hidden: Activation
  var output: Activation
  var loss: Loss
  var reduction: Reduction = .mean
  var optimizer: Optimizer = .sgd(.init(learningRate: 0.3))
  var order: UpdateOrder = .simultaneous
  var updatesBiases = true
  var samples = 7
  var batchSize: Int?
  var shuffleSeed: UInt64?
  var seed: UInt64 = 1

  var testDescription: String {
    "\(widths.map(String.init).joined(separator: "-")) \(hidden.name)/\(output.name) \(loss.name) \(optimizer.name) \(order) batch \(batchSize.map(String.init) ?? "all")"
  }

  func network() -> Network {
    var rng = SeededGenerator(seed: seed)
    var layers: [DenseLayer] = []
    for l in 1..<widths.count {
      let w = Initialization.normal(standardDeviation: 0.8).weights(neurons: widths[l], inputs: widths[l - 1], using: &rng)
      let b = (0..<widths[l]).map { _ in rng.uniform(-0.5, 0.5) }
      layers.append(DenseLayer(weights: w, biases: b, activation: l == widths.count - 1 ? output : hidden))
    }
    return Network(inputCount: widths[0], layers: layers, loss: loss, reduction: reduction, updatesBiases: updatesBiases, updateOrder: order)
  }

  func data() -> Dataset {
    var rng = SeededGenerator(seed: seed &+ 99)
    let outputs = widths.last!
    let inputs = Matrix(rows: samples, columns: widths[0], values: (0..<samples * widths[0]).map { _ in rng.uniform(-2, 2) })
    var targets = Matrix(rows: samples, columns: outputs)
    for n in 0..<samples {
      switch loss {
      case .crossEntropy: targets[n, rng.index(below: outputs)] = 1
      case .binaryCrossEntropy, .meanBinaryCrossEntropy: for k in 0..<outputs { targets[n, k] = rng.nextUnit() < 0.5 ? 0 : 1 }
      default: for k in 0..<outputs { targets[n, k] = rng.uniform(0, 1) }
      }
    }
    return Dataset(inputs: inputs, targets: targets)
  }
}

fileprivate let fastPathCases: [FastPathCase] = [
  FastPathCase(widths: [2, 2, 2], hidden: .sigmoid, output: .sigmoid, loss: .halfSquaredError, samples: 1),
  FastPathCase(widths: [2, 2, 2], hidden: .sigmoid, output: .sigmoid, loss: .halfSquaredError, order: .sequential, updatesBiases: false, samples: 1),
  FastPathCase(widths: [2, 9, 3], hidden: .relu, output: .softmax, loss: .crossEntropy, samples: 13),
  FastPathCase(widths: [5, 3, 6, 2], hidden: .tanh, output: .linear, loss: .meanSquaredError, order: .sequential, samples: 9),
  FastPathCase(widths: [3, 7, 1], hidden: .leakyReLU(slope: 0.1), output: .sigmoid, loss: .binaryCrossEntropy, reduction: .sum,
               optimizer: .sgd(.init(learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01)), samples: 10, batchSize: 4, shuffleSeed: 3),
  FastPathCase(widths: [4, 12, 5], hidden: .sigmoid, output: .softmax, loss: .crossEntropy,
               optimizer: .adam(.init(learningRate: 0.01)), samples: 11, batchSize: 3, shuffleSeed: 8),
  FastPathCase(widths: [6, 4, 4], hidden: .relu, output: .softmax, loss: .halfSquaredError,
               optimizer: .rmsprop(.init(learningRate: 0.01, momentum: 0.5)), order: .sequential, samples: 8, batchSize: 5),
  FastPathCase(widths: [1, 17, 8, 3], hidden: .linear, output: .tanh, loss: .halfSquaredError, samples: 21, batchSize: 6),
  FastPathCase(widths: [2, 100, 3], hidden: .relu, output: .softmax, loss: .crossEntropy, optimizer: .sgd(.init(learningRate: 1)), samples: 30),
  // One hidden layer takes `TrainingWorkspace.fusedStep`: every hidden activation, 1 to 4 inputs
  // and outputs, losses that do and do not fuse with the output activation, partial batches.
  FastPathCase(widths: [4, 10, 4], hidden: .tanh, output: .linear, loss: .halfSquaredError,
               optimizer: .adam(.init(learningRate: 0.01)), samples: 17, batchSize: 7, shuffleSeed: 2),
  FastPathCase(widths: [2, 13, 2], hidden: .sigmoid, output: .softmax, loss: .crossEntropy, reduction: .sum, updatesBiases: false, samples: 20),
  FastPathCase(widths: [1, 6, 3], hidden: .linear, output: .sigmoid, loss: .binaryCrossEntropy, samples: 7),
  FastPathCase(widths: [3, 8, 2], hidden: .relu, output: .relu, loss: .meanSquaredError, samples: 15, batchSize: 8),
  // The losses and optimizers added for PyTorch parity, fused and not.
  FastPathCase(widths: [3, 9, 3], hidden: .tanh, output: .sigmoid, loss: .meanBinaryCrossEntropy,
               optimizer: .adamw(.init(learningRate: 0.02, weightDecay: 0.01, amsgrad: true)), samples: 11, batchSize: 4, shuffleSeed: 5),
  FastPathCase(widths: [2, 7, 2], hidden: .sigmoid, output: .linear, loss: .huber(delta: 0.5, outputs: .mean),
               optimizer: .rmsprop(.init(learningRate: 0.01, centered: true)), samples: 9),
  FastPathCase(widths: [4, 6, 3], hidden: .relu, output: .tanh, loss: .smoothL1(beta: 0.3, outputs: .sum), reduction: .sum,
               optimizer: .rmsprop(.init(learningRate: 0.01, momentum: 0.6, weightDecay: 0.01, centered: true)), samples: 12, batchSize: 5),
  FastPathCase(widths: [2, 8, 1], hidden: .leakyReLU(slope: 0.2), output: .linear, loss: .summedSquaredError,
               optimizer: .adam(.init(learningRate: 0.02, beta2: 0.6, weightDecay: 0.05, amsgrad: true)), samples: 10, batchSize: 3),
  FastPathCase(widths: [3, 5, 4, 3], hidden: .tanh, output: .sigmoid, loss: .meanBinaryCrossEntropy,
               optimizer: .adamw(.init(learningRate: 0.02, weightDecay: 0.1)), order: .sequential, samples: 8, batchSize: 3),
]

/// Networks `TrainingWorkspace.fusedStep` takes, with batches big enough to split between two
/// threads (12 rows or more; the last, partial batch of some is not, and runs on one thread).
fileprivate let sharedStepCases: [FastPathCase] = [
  FastPathCase(widths: [2, 100, 3], hidden: .relu, output: .softmax, loss: .crossEntropy, optimizer: .sgd(.init(learningRate: 1)), samples: 90),
  FastPathCase(widths: [4, 10, 4], hidden: .tanh, output: .linear, loss: .halfSquaredError,
               optimizer: .adam(.init(learningRate: 0.01)), samples: 40, batchSize: 13, shuffleSeed: 2),
  FastPathCase(widths: [2, 13, 2], hidden: .sigmoid, output: .softmax, loss: .crossEntropy, reduction: .sum, updatesBiases: false, samples: 37),
  FastPathCase(widths: [3, 17, 2], hidden: .leakyReLU(slope: 0.1), output: .sigmoid, loss: .binaryCrossEntropy,
               optimizer: .sgd(.init(learningRate: 0.05, momentum: 0.9)), samples: 50, batchSize: 24, shuffleSeed: 4),
  FastPathCase(widths: [1, 6, 3], hidden: .linear, output: .sigmoid, loss: .binaryCrossEntropy, samples: 26),
  FastPathCase(widths: [3, 8, 2], hidden: .relu, output: .relu, loss: .meanSquaredError, samples: 31),
  FastPathCase(widths: [2, 21, 3], hidden: .relu, output: .softmax, loss: .crossEntropy,
               optimizer: .rmsprop(.init(learningRate: 0.01, momentum: 0.5, weightDecay: 0.001)), samples: 44),
  FastPathCase(widths: [3, 19, 3], hidden: .tanh, output: .sigmoid, loss: .meanBinaryCrossEntropy,
               optimizer: .adamw(.init(learningRate: 0.02, weightDecay: 0.01, amsgrad: true)), samples: 41, batchSize: 20, shuffleSeed: 5),
  FastPathCase(widths: [2, 24, 2], hidden: .relu, output: .linear, loss: .huber(delta: 0.5, outputs: .mean),
               optimizer: .rmsprop(.init(learningRate: 0.01, momentum: 0.3, centered: true)), samples: 30),
  // Batches of 25, 25 and 12 rows: the split moves between steps, and the smallest splits.
  FastPathCase(widths: [2, 16, 4], hidden: .tanh, output: .softmax, loss: .crossEntropy,
               optimizer: .sgd(.init(learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01)),
               samples: 62, batchSize: 25, shuffleSeed: 9),
]

/// Where two arrays first differ in any bit (so −0 ≠ 0 and NaN = the same NaN), or nil when they are identical.
fileprivate func firstDifference(_ a: [Double], _ b: [Double]) -> String? {
  guard a.count == b.count else { return "\(a.count) values against \(b.count)" }
  guard let i = a.indices.first(where: { a[$0].bitPattern != b[$0].bitPattern }) else { return nil }
  return "[\(i)]: \(a[i]) against \(b[i])"
}

@Suite("Training fast path")
struct TrainingFastPathTests {
  @Test("train gives the step-by-step numbers bit for bit", arguments: fastPathCases)
  fileprivate func matchesStepByStep(_ c: FastPathCase) {
    let data = c.data()
    let schedule = TrainingSchedule(iterations: 25, batchSize: c.batchSize, shuffleSeed: c.shuffleSeed)
    var fast = c.network(), slow = c.network()
    #expect(fast.trainsInWorkspace)
    var fastState = OptimizerState(for: fast), slowState = OptimizerState(for: slow)
    let fastHistory = fast.train(on: data, schedule: schedule, optimizer: c.optimizer, state: &fastState)
    let slowHistory = slow.trainStepByStep(on: data, schedule: schedule, optimizer: c.optimizer, state: &slowState)
    #expect(fastHistory.losses.count == 25)
    #expect(firstDifference(fastHistory.losses, slowHistory.losses) == nil, "losses")
    #expect(fastHistory.stoppedAt == slowHistory.stoppedAt)
    for l in fast.layers.indices {
      #expect(firstDifference(fast.layers[l].weights.values, slow.layers[l].weights.values) == nil, "layer \(l + 1) weights")
      #expect(firstDifference(fast.layers[l].biases, slow.layers[l].biases) == nil, "layer \(l + 1) biases")
    }
    #expect(fastState == slowState)
  }

  @Test("training with two threads gives the step-by-step numbers bit for bit", arguments: sharedStepCases)
  fileprivate func twoThreadsMatchStepByStep(_ c: FastPathCase) {
    let data = c.data()
    let schedule = TrainingSchedule(iterations: 25, batchSize: c.batchSize, shuffleSeed: c.shuffleSeed, threads: 2)
    var fast = c.network(), slow = c.network()
    #expect(TrainingWorkspace.fuses(fast))
    var fastState = OptimizerState(for: fast), slowState = OptimizerState(for: slow)
    let fastHistory = fast.train(on: data, schedule: schedule, optimizer: c.optimizer, state: &fastState)
    let slowHistory = slow.trainStepByStep(on: data, schedule: schedule, optimizer: c.optimizer, state: &slowState)
    #expect(fastHistory.losses.count == 25)
    #expect(fastHistory.sharedSteps > 0, "no step was shared")
    #expect(firstDifference(fastHistory.losses, slowHistory.losses) == nil, "losses")
    for l in fast.layers.indices {
      #expect(firstDifference(fast.layers[l].weights.values, slow.layers[l].weights.values) == nil, "layer \(l + 1) weights")
      #expect(firstDifference(fast.layers[l].biases, slow.layers[l].biases) == nil, "layer \(l + 1) biases")
    }
    #expect(fastState == slowState)
  }

  @Test("an observer sees the step-by-step networks during fused training, on one thread or two", arguments: [1, 2])
  func observerSeesTheDefinitionsNetworks(threads: Int) {
    let c = sharedStepCases[7]
    let data = c.data()
    var fast = c.network(), slow = c.network()
    var fastState = OptimizerState(for: fast), slowState = OptimizerState(for: slow)
    var seen: [(Int, Network)] = [], expected: [(Int, Network)] = []
    _ = fast.train(on: data, schedule: TrainingSchedule(iterations: 30, batchSize: c.batchSize, shuffleSeed: c.shuffleSeed, threads: threads),
                   optimizer: c.optimizer, state: &fastState, observeEvery: 7) { seen.append(($0, $1)) }
    _ = slow.trainStepByStep(on: data, schedule: TrainingSchedule(iterations: 30, batchSize: c.batchSize, shuffleSeed: c.shuffleSeed),
                             optimizer: c.optimizer, state: &slowState, observeEvery: 7) { expected.append(($0, $1)) }
    #expect(seen.map(\.0) == [7, 14, 21, 28, 30])
    #expect(seen.map(\.0) == expected.map(\.0))
    for ((k, a), (_, b)) in zip(seen, expected) {
      for l in a.layers.indices {
        #expect(firstDifference(a.layers[l].weights.values, b.layers[l].weights.values) == nil, "iteration \(k), layer \(l + 1)")
        #expect(firstDifference(a.layers[l].biases, b.layers[l].biases) == nil, "iteration \(k), layer \(l + 1) biases")
      }
    }
    #expect(fast == slow)
    #expect(fastState == slowState)
  }

  @Test("zero iterations leave the network and the optimizer state as they were")
  func zeroIterations() {
    let c = sharedStepCases[0]
    var network = c.network(), state = OptimizerState(for: network)
    let history = network.train(on: c.data(), schedule: TrainingSchedule(iterations: 0, threads: 2), optimizer: c.optimizer, state: &state)
    #expect(history.losses.isEmpty)
    #expect(network == c.network())
    #expect(state == OptimizerState(for: network))
  }

  @Test("training stops where the definition does, with the network and optimizer as before that step",
        arguments: [1, 2], [Optimizer.sgd(.init(learningRate: 30)), .adam(.init(learningRate: 1e100)), .sgd(.init(learningRate: 20, momentum: 0.9))])
  func stopsAtTheSameStep(threads: Int, optimizer: Optimizer) {
    let c = FastPathCase(widths: [2, 40, 3], hidden: .relu, output: .linear, loss: .halfSquaredError, samples: 60, batchSize: 24, shuffleSeed: 5)
    let data = c.data()
    let schedule = TrainingSchedule(iterations: 400, batchSize: c.batchSize, shuffleSeed: c.shuffleSeed, threads: threads)
    var fast = c.network(), slow = c.network()
    var fastState = OptimizerState(for: fast), slowState = OptimizerState(for: slow)
    let fastHistory = fast.train(on: data, schedule: schedule, optimizer: optimizer, state: &fastState)
    let slowHistory = slow.trainStepByStep(on: data, schedule: schedule, optimizer: optimizer, state: &slowState)
    #expect(slowHistory.stoppedAt != nil)
    #expect(fastHistory.stoppedAt == slowHistory.stoppedAt)
    #expect(firstDifference(fastHistory.losses, slowHistory.losses) == nil, "losses")
    #expect(fast == slow)
    #expect(fastState == slowState)
  }

  @Test("training with two threads stops where the definition does, with the network as before that step")
  func twoThreadsStopAtTheSameStep() {
    // The error grows to infinity within a few dozen steps at this learning rate.
    let c = FastPathCase(widths: [2, 40, 3], hidden: .relu, output: .linear, loss: .halfSquaredError,
                         optimizer: .sgd(.init(learningRate: 30)), samples: 36)
    let data = c.data()
    let schedule = TrainingSchedule(iterations: 200, threads: 2)
    var fast = c.network(), slow = c.network()
    var fastState = OptimizerState(for: fast), slowState = OptimizerState(for: slow)
    let fastHistory = fast.train(on: data, schedule: schedule, optimizer: c.optimizer, state: &fastState)
    let slowHistory = slow.trainStepByStep(on: data, schedule: schedule, optimizer: c.optimizer, state: &slowState)
    #expect(slowHistory.stoppedAt != nil)
    #expect(fastHistory.stoppedAt == slowHistory.stoppedAt)
    #expect(firstDifference(fastHistory.losses, slowHistory.losses) == nil, "losses")
    for l in fast.layers.indices {
      #expect(firstDifference(fast.layers[l].weights.values, slow.layers[l].weights.values) == nil, "layer \(l + 1) weights")
      #expect(firstDifference(fast.layers[l].biases, slow.layers[l].biases) == nil, "layer \(l + 1) biases")
    }
    #expect(fastState == slowState)
  }

  @Test("a step shared with a second thread computes what one thread does, wherever the rows divide",
        arguments: sharedStepCases, [0.1, 6.0 / 11.0, 0.9])
  fileprivate func sharedStepMatchesOneThread(_ c: FastPathCase, share: Double) {
    let network = c.network(), data = c.data()
    let rows = c.batchSize ?? c.samples
    let alone = TrainingWorkspace(for: network, batchCapacity: rows), shared = TrainingWorkspace(for: network, batchCapacity: rows)
    let crew = StepCrew(workspace: shared, loss: network.loss, share: share)
    defer { crew.stop() }
    let subset = Array(0..<rows)[...]
    for w in [alone, shared] {
      for l in network.layers.indices { w.load(network.layers[l], into: l) }
      w.gather(data, rows: subset)
    }
    let scale = network.sampleWeight(batchSize: rows)
    for _ in 0..<3 {
      let e1 = alone.fusedStep(rows: rows, loss: network.loss, reduction: network.reduction, scale: scale).error
      let e2 = shared.fusedStep(rows: rows, loss: network.loss, reduction: network.reduction, scale: scale, crew: crew).error
      #expect(e1.bitPattern == e2.bitPattern)
      for l in network.layers.indices {
        #expect(firstDifference(alone.fusedGradients.weights[l], shared.fusedGradients.weights[l]) == nil, "layer \(l + 1) weight gradients")
        #expect(firstDifference(alone.fusedGradients.biases[l], shared.fusedGradients.biases[l]) == nil, "layer \(l + 1) bias gradients")
      }
    }
    #expect(crew.steps == 3)
  }

  @Test("the in-place shuffle draws the same permutation as permutation(of:)")
  func permuteMatchesPermutation() {
    var a = SeededGenerator(seed: 5), b = SeededGenerator(seed: 5)
    var order = Array(repeating: -1, count: 37)
    for _ in 0..<3 {
      a.permute(&order)
      #expect(order == b.permutation(of: 37))
    }
  }

  @Test("a hidden softmax layer trains step by step, with the same result")
  func hiddenSoftmaxFallsBack() {
    let c = FastPathCase(widths: [2, 3, 2], hidden: .softmax, output: .sigmoid, loss: .halfSquaredError)
    var network = c.network(), reference = c.network()
    #expect(!network.trainsInWorkspace)
    var s1 = OptimizerState(for: network), s2 = OptimizerState(for: reference)
    let h1 = network.train(on: c.data(), schedule: TrainingSchedule(iterations: 5), optimizer: c.optimizer, state: &s1)
    let h2 = reference.trainStepByStep(on: c.data(), schedule: TrainingSchedule(iterations: 5), optimizer: c.optimizer, state: &s2)
    #expect(h1 == h2)
    #expect(network == reference)
  }
}
