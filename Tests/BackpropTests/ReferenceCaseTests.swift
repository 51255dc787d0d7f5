import Backprop
import Foundation
import TestSupport
import Testing

// Checks the engine against an independent float64 implementation in JAX (reference/generate.py):
// forward values, losses, per-sample δ, gradients, and the parameters after every training step.

/// Compares many values, keeping the first mismatch (by path) and the largest errors seen.
fileprivate struct ReferenceComparison {
  var checked = 0
  var mismatches = 0
  var firstMismatch: String?
  /// Largest |a − b| / max(|a|, |b|) over values of magnitude at least 1e-8.
  var maxRelativeError = 0.0
  /// Largest |a − b| over values smaller than that.
  var maxAbsoluteErrorNearZero = 0.0

  mutating func check(_ actual: Double, _ expected: Double, _ path: @autoclosure () -> String) {
    checked += 1
    let size = max(abs(actual), abs(expected))
    if size >= 1e-8 {
      maxRelativeError = max(maxRelativeError, abs(actual - expected) / size)
    } else {
      maxAbsoluteErrorNearZero = max(maxAbsoluteErrorNearZero, abs(actual - expected))
    }
    if !isClose(actual, expected, relative: 1e-10, absolute: 1e-13) {
      mismatches += 1
      if firstMismatch == nil {
        let relativeError = size > 0 ? abs(actual - expected) / size : 0
        firstMismatch = "\(path()): engine \(actual), reference \(expected) (relative error \(relativeError))"
      }
    }
  }

  mutating func check(_ actual: [Double], _ expected: [Double], _ path: @autoclosure () -> String) {
    guard actual.count == expected.count else {
      mismatches += 1
      if firstMismatch == nil { firstMismatch = "\(path()): engine has \(actual.count) values, reference \(expected.count)" }
      return
    }
    for i in actual.indices { check(actual[i], expected[i], "\(path())[\(i)]") }
  }

  mutating func check(_ actual: Matrix, _ expected: [[Double]], _ path: @autoclosure () -> String) {
    let columns = expected.first?.count ?? 0
    guard actual.rows == expected.count, actual.columns == columns || expected.isEmpty else {
      mismatches += 1
      if firstMismatch == nil {
        firstMismatch = "\(path()): engine is \(actual.rows)×\(actual.columns), reference \(expected.count)×\(columns)"
      }
      return
    }
    for r in 0..<actual.rows {
      for c in 0..<actual.columns { check(actual[r, c], expected[r][c], "\(path())[\(r)][\(c)]") }
    }
  }
}

// MARK: - The fixture

fileprivate struct ReferenceFile: Decodable {
  var cases: [ReferenceCase]
}

fileprivate struct ReferenceCase: Decodable, Sendable {
  struct LayerSpec: Decodable, Sendable {
    var weights: [[Double]]
    var biases: [Double]
    var activation: String
    var slope: Double?
  }
  struct NetworkSpec: Decodable, Sendable {
    var inputCount: Int
    var layers: [LayerSpec]
    var loss: String
    var reduction: String
    var updatesBiases: Bool
    /// parity-cases.json: `mean` or `sum` over the outputs, and Huber's δ or smooth L1's β.
    var lossOutputs: String?
    var lossWidth: Double?
  }
  struct OptimizerSpec: Decodable, Sendable {
    var kind: String
    var learningRate: Double
    var weightDecay: Double
    var momentum: Double?
    var dampening: Double?
    var nesterov: Bool?
    var alpha: Double?
    var epsilon: Double?
    var beta1: Double?
    var beta2: Double?
    var centered: Bool?
    var amsgrad: Bool?
  }
  struct DataSpec: Decodable, Sendable {
    var inputs: [[Double]]
    var targets: [[Double]]
  }
  struct FirstBatch: Decodable, Sendable {
    var rows: [Int]
    var z: [[[Double]]]
    var a: [[[Double]]]
    var lossTotal: Double
    var lossPerSample: [Double]
    var delta: [[[Double]]]
    var weightGradients: [[[Double]]]
    var biasGradients: [[Double]]
  }
  struct Parameters: Decodable, Sendable {
    var weights: [[Double]]
    var biases: [Double]
  }
  struct Iteration: Decodable, Sendable {
    var loss: Double
    var layers: [Parameters]
  }
  struct Expected: Decodable, Sendable {
    var firstBatch: FirstBatch
    var iterations: [Iteration]
  }

  var name: String
  var network: NetworkSpec
  var optimizer: OptimizerSpec
  var data: DataSpec
  var batchSize: Int
  var iterations: Int
  var expected: Expected
  /// parity-cases.json: a learning-rate schedule (torch.optim.lr_scheduler's rates in the reference).
  var schedule: ScheduleSpec?

  struct ScheduleSpec: Decodable, Sendable {
    var kind: String
    var settings: [String: Double]
    var per: String
  }
}

/// The cases of one fixture file.
fileprivate struct Fixture: Sendable {
  /// The cases, or why they could not be read (a test reports it; the others then have no arguments).
  let loaded: (cases: [ReferenceCase], error: String?)
  let byName: [String: ReferenceCase]
  var cases: [ReferenceCase] { loaded.cases }
  var names: [String] { loaded.cases.map(\.name) }

  init(_ file: String) {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").appendingPathComponent(file)
    do {
      let data = try Data(contentsOf: url)
      let decoder = JSONDecoder()
      decoder.keyDecodingStrategy = .convertFromSnakeCase
      loaded = (try decoder.decode(ReferenceFile.self, from: data).cases, nil)
    } catch {
      loaded = ([], "cannot read \(url.path): \(error)")
    }
    byName = Dictionary(loaded.cases.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
  }
}

/// reference/generate_parity.py: the losses and optimizers added for PyTorch parity.
fileprivate enum ParityFixture {
  static let fixture = Fixture("parity-cases.json")
  static var names: [String] { fixture.names }
}

fileprivate enum ReferenceFixture {
  static let url = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()
    .appendingPathComponent("Fixtures")
    .appendingPathComponent("reference-cases.json")

  /// The cases, or why they could not be read (a test reports it; the others then have no arguments).
  static let loaded: (cases: [ReferenceCase], error: String?) = {
    do {
      let data = try Data(contentsOf: url)
      let decoder = JSONDecoder()
      decoder.keyDecodingStrategy = .convertFromSnakeCase
      return (try decoder.decode(ReferenceFile.self, from: data).cases, nil)
    } catch {
      return ([], "cannot read \(url.path): \(error)")
    }
  }()

  static var cases: [ReferenceCase] { loaded.cases }
  static let byName: [String: ReferenceCase] = Dictionary(loaded.cases.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
  static var names: [String] { loaded.cases.map(\.name) }
}

// MARK: - Building engine values from a case

fileprivate enum ReferenceError: Error, CustomStringConvertible {
  case unknown(String)
  var description: String {
    switch self { case .unknown(let what): "unknown \(what)" }
  }
}

fileprivate extension ReferenceCase {
  func activation(_ layer: LayerSpec) throws -> Activation {
    switch layer.activation {
    case "sigmoid": return .sigmoid
    case "tanh": return .tanh
    case "relu": return .relu
    case "leaky-relu": return .leakyReLU(slope: layer.slope ?? 0.01)
    case "linear": return .linear
    case "softmax": return .softmax
    default: throw ReferenceError.unknown("activation \(layer.activation)")
    }
  }

  func makeNetwork() throws -> Network {
    let loss: Loss
    let mean = network.lossOutputs == "mean", width = network.lossWidth ?? 1
    switch (network.loss, network.lossOutputs) {
    case ("half-squared-error", nil), ("half-squared-error", "sum"): loss = .halfSquaredError
    case ("mean-squared-error", nil), ("mean-squared-error", "mean"): loss = .meanSquaredError
    case ("mean-squared-error", "sum"): loss = .summedSquaredError
    case ("cross-entropy", nil): loss = .crossEntropy
    case ("binary-cross-entropy", nil), ("binary-cross-entropy", "sum"): loss = .binaryCrossEntropy
    case ("binary-cross-entropy", "mean"): loss = .meanBinaryCrossEntropy
    case ("huber", _): loss = .huber(delta: width, outputs: mean ? .mean : .sum)
    case ("smooth-l1", _): loss = .smoothL1(beta: width, outputs: mean ? .mean : .sum)
    default: throw ReferenceError.unknown("loss \(network.loss) over outputs \(network.lossOutputs ?? "-")")
    }
    guard let reduction = Reduction(rawValue: network.reduction) else {
      throw ReferenceError.unknown("reduction \(network.reduction)")
    }
    let layers = try network.layers.map {
      DenseLayer(weights: Matrix($0.weights), biases: $0.biases, activation: try activation($0))
    }
    return Network(
      inputCount: network.inputCount, layers: layers, loss: loss, reduction: reduction,
      updatesBiases: network.updatesBiases, updateOrder: .simultaneous)
  }

  func makeOptimizer() throws -> Optimizer {
    let o = optimizer
    switch o.kind {
    case "sgd":
      return .sgd(.init(
        learningRate: o.learningRate, momentum: o.momentum ?? 0, dampening: o.dampening ?? 0,
        nesterov: o.nesterov ?? false, weightDecay: o.weightDecay))
    case "rmsprop":
      return .rmsprop(.init(
        learningRate: o.learningRate, alpha: o.alpha ?? 0.99, epsilon: o.epsilon ?? 1e-8,
        momentum: o.momentum ?? 0, weightDecay: o.weightDecay, centered: o.centered ?? false))
    case "adam", "adamw":
      let settings = Optimizer.Adam(
        learningRate: o.learningRate, beta1: o.beta1 ?? 0.9, beta2: o.beta2 ?? 0.999,
        epsilon: o.epsilon ?? 1e-8, weightDecay: o.weightDecay, amsgrad: o.amsgrad ?? false)
      return o.kind == "adam" ? .adam(settings) : .adamw(settings)
    default: throw ReferenceError.unknown("optimizer \(o.kind)")
    }
  }

  func makeSchedule() throws -> LearningRateSchedule? {
    guard let schedule else { return nil }
    let s = schedule.settings
    let kind: LearningRateSchedule.Kind
    switch schedule.kind {
    case "step": kind = .step(size: Int(s["step_size"] ?? 1), gamma: s["gamma"] ?? 0.1)
    case "exponential": kind = .exponential(gamma: s["gamma"] ?? 1)
    case "cosine": kind = .cosine(tMax: Int(s["t_max"] ?? 1), etaMin: s["eta_min"] ?? 0)
    case "linear": kind = .linear(start: s["start_factor"] ?? 1.0 / 3, end: s["end_factor"] ?? 1, total: Int(s["total_iters"] ?? 5))
    default: throw ReferenceError.unknown("schedule \(schedule.kind)")
    }
    return LearningRateSchedule(kind, perIteration: schedule.per == "iteration")
  }

  /// Rows of batch k (0-based) without shuffling: [k'·B, min((k'+1)·B, N)) with k' = k mod batches per epoch.
  func batchRows(iteration k: Int) -> [Int] {
    let n = data.inputs.count
    let perEpoch = (n + batchSize - 1) / batchSize
    let position = k % perEpoch
    return Array(position * batchSize..<min((position + 1) * batchSize, n))
  }
}

// MARK: - Tests

@Suite("Reference cases from an independent JAX implementation")
struct ReferenceCaseTests {
  @Test("the fixture loads and covers every activation, loss, reduction and optimizer option")
  func coverage() throws {
    if let error = ReferenceFixture.loaded.error { Issue.record(Comment(rawValue: error)) }
    let cases = ReferenceFixture.cases
    #expect(cases.count >= 200)
    #expect(Set(cases.map(\.name)).count == cases.count, "case names are unique")

    let hidden = Set(cases.flatMap { $0.network.layers.dropLast().map(\.activation) })
    #expect(hidden.isSuperset(of: ["sigmoid", "tanh", "relu", "leaky-relu", "linear"]), "hidden activations: \(hidden.sorted())")
    let outputs = Set(cases.compactMap { $0.network.layers.last?.activation })
    #expect(outputs.isSuperset(of: ["sigmoid", "tanh", "linear", "softmax"]), "output activations: \(outputs.sorted())")
    let losses = Set(cases.map(\.network.loss))
    #expect(losses == ["half-squared-error", "mean-squared-error", "cross-entropy", "binary-cross-entropy"])
    #expect(Set(cases.map { "\($0.network.loss)/\($0.network.layers.last!.activation)" })
      .isSuperset(of: ["cross-entropy/softmax", "binary-cross-entropy/sigmoid"]))
    #expect(Set(cases.map(\.network.reduction)) == ["mean", "sum"])
    #expect(Set(cases.map(\.network.updatesBiases)) == [true, false])
    #expect(Set(cases.map { $0.network.layers.count - 1 }).isSuperset(of: [1, 2, 3]), "1–3 hidden layers")
    #expect(Set(cases.flatMap { $0.network.layers.dropLast().map(\.biases.count) }) == [1, 2, 3, 4, 5], "hidden widths 1–5")
    #expect(Set(cases.map(\.iterations)) == [1, 2, 3, 4])
    #expect(cases.contains { $0.batchSize == $0.data.inputs.count && $0.data.inputs.count > 1 }, "full batches")
    #expect(cases.contains { $0.batchSize < $0.data.inputs.count && $0.iterations > 1 }, "mini-batches")
    #expect(Set(cases.map(\.data.inputs.count)) == [1, 2, 3, 4, 5, 6], "1–6 samples")

    let optimizers = cases.map(\.optimizer)
    func has(_ kind: String, _ condition: (ReferenceCase.OptimizerSpec) -> Bool) -> Bool {
      optimizers.contains { $0.kind == kind && condition($0) }
    }
    #expect(has("sgd") { ($0.momentum ?? 0) == 0 && $0.weightDecay == 0 }, "plain gradient descent")
    #expect(has("sgd") { ($0.momentum ?? 0) > 0 && !($0.nesterov ?? false) && ($0.dampening ?? 0) == 0 }, "SGD momentum")
    #expect(has("sgd") { ($0.momentum ?? 0) > 0 && ($0.dampening ?? 0) > 0 }, "SGD dampening")
    #expect(has("sgd") { $0.nesterov ?? false }, "SGD Nesterov")
    #expect(has("sgd") { $0.weightDecay > 0 }, "SGD weight decay")
    #expect(has("rmsprop") { ($0.momentum ?? 0) == 0 }, "RMSprop without momentum")
    #expect(has("rmsprop") { ($0.momentum ?? 0) > 0 }, "RMSprop with momentum")
    #expect(has("rmsprop") { $0.weightDecay > 0 }, "RMSprop weight decay")
    #expect(has("adam") { $0.weightDecay == 0 }, "Adam")
    #expect(has("adam") { $0.weightDecay > 0 }, "Adam weight decay")
  }

  @Test("the parity fixture covers every loss and optimizer option added for PyTorch parity")
  func parityCoverage() throws {
    if let error = ParityFixture.fixture.loaded.error { Issue.record(Comment(rawValue: error)) }
    let cases = ParityFixture.fixture.cases
    #expect(cases.count >= 90)
    #expect(Set(cases.map(\.name)).count == cases.count, "case names are unique")
    let losses = Set(cases.map { "\($0.network.loss)/\($0.network.lossOutputs ?? "-")" })
    #expect(losses.isSuperset(of: ["binary-cross-entropy/mean", "mean-squared-error/sum", "huber/mean", "huber/sum", "smooth-l1/mean", "smooth-l1/sum"]))
    #expect(cases.contains { $0.network.loss == "huber" && $0.network.lossWidth != 1 }, "Huber with δ ≠ 1")
    let schedules = Set(cases.compactMap { $0.schedule.map { "\($0.kind) per \($0.per)" } })
    #expect(Set(schedules.map { $0.split(separator: " ")[0] }) == ["step", "exponential", "cosine", "linear"], "\(schedules)")
    #expect(schedules.contains { $0.hasSuffix("epoch") } && schedules.contains { $0.hasSuffix("iteration") })
    let o = cases.map(\.optimizer)
    #expect(o.contains { $0.kind == "adamw" && !($0.amsgrad ?? false) && $0.weightDecay == 0.01 }, "AdamW, torch's default decay")
    #expect(o.contains { $0.kind == "adamw" && ($0.amsgrad ?? false) }, "AdamW with AMSGrad")
    #expect(o.contains { $0.kind == "adam" && ($0.amsgrad ?? false) && $0.weightDecay > 0 }, "Adam AMSGrad with L2")
    #expect(o.contains { $0.kind == "rmsprop" && ($0.centered ?? false) && ($0.momentum ?? 0) > 0 && $0.weightDecay > 0 }, "centered RMSprop, momentum, decay")
    #expect(o.contains { $0.kind == "rmsprop" && ($0.centered ?? false) && ($0.momentum ?? 0) == 0 }, "centered RMSprop")
  }

  @Test("the engine matches the JAX reference for the PyTorch-parity options", arguments: ParityFixture.names)
  func matchesParityReference(name: String) throws {
    try Self.compare(try #require(ParityFixture.fixture.byName[name]), name: name)
  }

  @Test("the engine matches the JAX reference", arguments: ReferenceFixture.names)
  func matchesReference(name: String) throws {
    try Self.compare(try #require(ReferenceFixture.byName[name]), name: name)
  }

  fileprivate static func compare(_ reference: ReferenceCase, name: String) throws {
    let network = try reference.makeNetwork()
    let optimizer = try reference.makeOptimizer()
    let learningRate = try reference.makeSchedule()
    let perEpoch = (reference.data.inputs.count + reference.batchSize - 1) / reference.batchSize
    let inputs = Matrix(reference.data.inputs)
    let targets = Matrix(reference.data.targets)
    var comparison = ReferenceComparison()

    // The first batch: forward, loss, backward.
    let first = reference.expected.firstBatch
    let rows = reference.batchRows(iteration: 0)
    #expect(rows == first.rows, "first batch rows")
    let x = inputs.selectingRows(rows), t = targets.selectingRows(rows)
    let pass = network.forward(x)
    let loss = network.loss(of: pass.outputs, targets: t)
    let gradients = network.backward(pass, targets: t)
    for l in network.layers.indices {
      comparison.check(pass.z[l], first.z[l], "first batch: z[layer \(l)]")
      comparison.check(pass.a[l], first.a[l], "first batch: a[layer \(l)]")
    }
    comparison.check(loss.total, first.lossTotal, "first batch: loss total")
    comparison.check(loss.perSample, first.lossPerSample, "first batch: loss per sample")
    for l in network.layers.indices {
      comparison.check(gradients.delta[l], first.delta[l], "first batch: delta[layer \(l)]")
      comparison.check(gradients.weightGradients[l], first.weightGradients[l], "first batch: weight gradient[layer \(l)]")
      comparison.check(gradients.biasGradients[l], first.biasGradients[l], "first batch: bias gradient[layer \(l)]")
    }

    // Training step by step: the loss before each update, the parameters after it.
    var stepped = network
    var state = OptimizerState(for: stepped)
    for (k, expected) in reference.expected.iterations.enumerated() {
      let rows = reference.batchRows(iteration: k)
      let x = inputs.selectingRows(rows), t = targets.selectingRows(rows)
      let pass = stepped.forward(x)
      comparison.check(stepped.loss(of: pass.outputs, targets: t).total, expected.loss, "iteration \(k + 1): loss")
      let gradients = stepped.backward(pass, targets: t)
      let rate = learningRate?.rate(base: optimizer.learningRate, iteration: k, iterationsPerEpoch: perEpoch) ?? optimizer.learningRate
      stepped.update(from: pass, gradients, targets: t, optimizer: optimizer.with(learningRate: rate), state: &state)
      for l in stepped.layers.indices {
        comparison.check(stepped.layers[l].weights, expected.layers[l].weights, "iteration \(k + 1): weights[layer \(l)]")
        comparison.check(stepped.layers[l].biases, expected.layers[l].biases, "iteration \(k + 1): biases[layer \(l)]")
      }
    }
    #expect(state.step == reference.iterations)

    // The same run through Network.train.
    var trained = network
    var trainState = OptimizerState(for: trained)
    let history = trained.train(
      on: Dataset(inputs: inputs, targets: targets),
      schedule: TrainingSchedule(iterations: reference.iterations, batchSize: reference.batchSize, learningRate: learningRate),
      optimizer: optimizer, state: &trainState)
    #expect(history.stoppedAt == nil)
    comparison.check(history.losses, reference.expected.iterations.map(\.loss), "train: losses")
    if let last = reference.expected.iterations.last {
      for l in trained.layers.indices {
        comparison.check(trained.layers[l].weights, last.layers[l].weights, "train: final weights[layer \(l)]")
        comparison.check(trained.layers[l].biases, last.layers[l].biases, "train: final biases[layer \(l)]")
      }
    }

    if ProcessInfo.processInfo.environment["REFERENCE_CASES_VERBOSE"] != nil {
      print("reference case \(name): \(comparison.checked) values, max relative error \(comparison.maxRelativeError), max absolute error near zero \(comparison.maxAbsoluteErrorNearZero)")
    }
    #expect(
      comparison.mismatches == 0,
      "\(comparison.mismatches) of \(comparison.checked) values differ; first: \(comparison.firstMismatch ?? "")")
  }
}
