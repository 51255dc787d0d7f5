@testable import Backprop
import Foundation
import Testing

// Learning-rate schedules against torch.optim.lr_scheduler's recursive get_lr() (reference/schedules.py),
// and training under a schedule: the fast path against the step-by-step definition, bit for bit.

fileprivate struct ScheduleFile: Decodable {
  struct Case: Decodable, Sendable {
    var kind: String
    var settings: [String: Double]
    var base: Double
    var per: String
    var iterationsPerEpoch: Int
    var iterations: Int
    var rates: [Double]

    var schedule: LearningRateSchedule? {
      let s = settings
      let kind: LearningRateSchedule.Kind
      switch self.kind {
      case "step": kind = .step(size: Int(s["step_size"]!), gamma: s["gamma"]!)
      case "exponential": kind = .exponential(gamma: s["gamma"]!)
      case "cosine": kind = .cosine(tMax: Int(s["t_max"]!), etaMin: s["eta_min"]!)
      case "linear": kind = .linear(start: s["start_factor"]!, end: s["end_factor"]!, total: Int(s["total_iters"]!))
      default: return nil
      }
      return LearningRateSchedule(kind, perIteration: per == "iteration")
    }
  }
  var cases: [Case]

  static let loaded: [Case] = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/schedule-cases.json")
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return (try? decoder.decode(ScheduleFile.self, from: Data(contentsOf: url)).cases) ?? []
  }()
}

@Suite("Learning-rate schedules")
struct ScheduleTests {
  @Test("every schedule gives torch.optim.lr_scheduler's rates, per epoch and per iteration", arguments: ScheduleFile.loaded.indices)
  func matchesTorch(index: Int) throws {
    let c = ScheduleFile.loaded[index]
    let schedule = try #require(c.schedule, "kind \(c.kind)")
    for k in 0..<c.iterations {
      let rate = schedule.rate(base: c.base, iteration: k, iterationsPerEpoch: c.iterationsPerEpoch)
      let expected = c.rates[k]
      #expect(abs(rate - expected) <= 1e-10 * max(abs(rate), abs(expected)) + 1e-13,
              "\(c.kind) per \(c.per), iteration \(k + 1): engine \(rate), torch \(expected)")
    }
  }

  @Test("the fixture covers every schedule, stepping per epoch and per iteration")
  func coverage() {
    let cases = ScheduleFile.loaded
    #expect(cases.count >= 10)
    #expect(Set(cases.map(\.kind)) == ["step", "exponential", "cosine", "linear"])
    #expect(Set(cases.map(\.per)) == ["epoch", "iteration"])
  }

  @Test("training under a schedule: each update uses the scheduled rate, the same bits on the fast path",
        arguments: [
          LearningRateSchedule(.step(size: 2, gamma: 0.5)), LearningRateSchedule(.cosine(tMax: 7, etaMin: 0.001), perIteration: true),
          LearningRateSchedule(.linear(start: 0.25, end: 1, total: 4), perIteration: true), LearningRateSchedule(.exponential(gamma: 0.8)),
        ],
        [Optimizer.sgd(.init(learningRate: 0.3, momentum: 0.9)), .adamw(.init(learningRate: 0.02, amsgrad: true))])
  func training(schedule: LearningRateSchedule, optimizer: Optimizer) {
    // One hidden layer: the fused step, and a second thread for some of it.
    var rng = SeededGenerator(seed: 5)
    let w1 = Initialization.normal(standardDeviation: 0.8).weights(neurons: 16, inputs: 2, using: &rng)
    let w2 = Initialization.normal(standardDeviation: 0.8).weights(neurons: 2, inputs: 16, using: &rng)
    let network = Network(inputCount: 2, layers: [DenseLayer(weights: w1, biases: Array(repeating: 0.1, count: 16), activation: .tanh),
      DenseLayer(weights: w2, biases: [0, 0], activation: .sigmoid)], loss: .meanBinaryCrossEntropy)
    let inputs = Matrix(rows: 40, columns: 2, values: (0..<80).map { _ in rng.uniform(-2, 2) })
    let targets = Matrix(rows: 40, columns: 2, values: (0..<80).map { _ in rng.nextUnit() < 0.5 ? 0 : 1 })
    let data = Dataset(inputs: inputs, targets: targets)
    for threads in [1, 2] {
      let plan = TrainingSchedule(iterations: 20, batchSize: 13, shuffleSeed: 3, threads: threads, learningRate: schedule)
      var fast = network, slow = network
      var fastState = OptimizerState(for: fast), slowState = OptimizerState(for: slow)
      let fastHistory = fast.train(on: data, schedule: plan, optimizer: optimizer, state: &fastState)
      let slowHistory = slow.trainStepByStep(on: data, schedule: plan, optimizer: optimizer, state: &slowState)
      #expect(fastHistory.losses.map(\.bitPattern) == slowHistory.losses.map(\.bitPattern), "losses, \(threads) threads")
      #expect(fastHistory.rates == slowHistory.rates)
      #expect(fast.layers == slow.layers, "parameters, \(threads) threads")
      #expect(fastState == slowState)
      // The rates are the schedule's, per iteration, with 4 updates per epoch.
      #expect(fastHistory.rates == (0..<20).map { schedule.rate(base: optimizer.learningRate, iteration: $0, iterationsPerEpoch: 4) })
    }
    // And a run with a fixed rate per update, by hand, gives the same network.
    var byHand = network
    var state = OptimizerState(for: byHand)
    var rows = Array(0..<40)
    var order = SeededGenerator(seed: 3)
    for k in 0..<20 {
      if k % 4 == 0 { rows = order.permutation(of: 40) }
      let batch = Array(rows[(k % 4) * 13..<min((k % 4 + 1) * 13, 40)])
      let x = inputs.selectingRows(batch), t = targets.selectingRows(batch)
      let pass = byHand.forward(x)
      let step = optimizer.with(learningRate: schedule.rate(base: optimizer.learningRate, iteration: k, iterationsPerEpoch: 4))
      byHand.update(from: pass, byHand.backward(pass, targets: t), targets: t, optimizer: step, state: &state)
    }
    var trained = network
    var trainedState = OptimizerState(for: trained)
    _ = trained.train(on: data, schedule: TrainingSchedule(iterations: 20, batchSize: 13, shuffleSeed: 3, threads: 1, learningRate: schedule),
      optimizer: optimizer, state: &trainedState)
    #expect(trained.layers == byHand.layers)
  }
}
