// spiral-bench export FILE            writes the problem (points, targets, initial weights, settings) as JSON
// spiral-bench train [STEPS] [REPEATS] [THREADS] trains from those weights, prints one JSON line:
//                                      best and median seconds, final loss, loss of the first iteration, flops per step
// spiral-bench worked-example          times the two 10,000-update trainings of lessons/02-worked-example.md
//
// The problem: Dataset.spiral(classes: 3, pointsPerClass: 100, noise: 0.2, seed: 1); network 2-100-3,
// ReLU hidden (He-normal weights), softmax output (Xavier weights), zero biases, cross-entropy with
// mean reduction, full batch, plain gradient descent with learning rate 1.
import Backprop
import Foundation

let hidden = 100
let learningRate = 1.0
let data = Dataset.spiral(classes: 3, pointsPerClass: 100, noise: 0.2, seed: 1)

func initialNetwork() -> Network {
  var rng = SeededGenerator(seed: 7)
  let w1 = Initialization.he.weights(neurons: hidden, inputs: 2, using: &rng)
  let w2 = Initialization.xavier.weights(neurons: 3, inputs: hidden, using: &rng)
  return Network(
    inputCount: 2,
    layers: [
      DenseLayer(weights: w1, biases: Array(repeating: 0, count: hidden), activation: .relu),
      DenseLayer(weights: w2, biases: Array(repeating: 0, count: 3), activation: .softmax),
    ],
    loss: .crossEntropy, reduction: .mean)
}

/// Floating-point operations of one step, counting a multiply-add as two and exp, log, max and
/// divide as one each; a ReLU (a comparison and select) counts as none.
func flopsPerStep(n: Int, d: Int, h: Int, k: Int) -> Int {
  let forward = (2 * n * d * h + n * h) + (2 * n * h * k + n * k)  // two affine maps with bias
  let softmax = n * (k + k + k + k)  // max, subtract, exp and sum, divide
  let loss = n * 3 * k  // −t·ln a per output, summed
  let outputDelta = n * k  // a − t
  let gradients = (n * k + n * k + 2 * n * k * h) + (n * h + n * h + 2 * n * h * d)  // s·δ, Σ s·δ, Σ s·δ·x, per layer
  let signal = 2 * n * k * h + n * h  // δ₂·W₂, then ⊙ relu′
  let update = 2 * (h * d + h + k * h + k)  // p − η·g
  return forward + softmax + loss + outputDelta + gradients + signal + update
}

func json(_ object: Any) -> String {
  String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
}

let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "export":
  let network = initialNetwork()
  let problem: [String: Any] = [
    "inputs": data.inputs.nested, "targets": data.targets.nested,
    "W1": network.layers[0].weights.nested, "b1": network.layers[0].biases,
    "W2": network.layers[1].weights.nested, "b2": network.layers[1].biases,
    "learning_rate": learningRate,
    "flops_per_step": flopsPerStep(n: data.count, d: 2, h: hidden, k: 3),
  ]
  // Doubles are written in the shortest form that reads back as the same double.
  try! json(problem).write(toFile: String(arguments.dropFirst().first!), atomically: true, encoding: .utf8)
case "train":
  let steps = arguments.dropFirst().first.flatMap { Int($0) } ?? 10_000
  let repeats = arguments.dropFirst(2).first.flatMap { Int($0) } ?? 3
  let threads = arguments.dropFirst(3).first.flatMap { Int($0) } ?? 1
  var times: [Double] = []
  var trained = initialNetwork()
  var firstLoss = Double.nan
  for _ in 0..<repeats {
    var network = initialNetwork()
    var state = OptimizerState(for: network)
    let clock = ContinuousClock()
    let start = clock.now
    let history = network.train(
      on: data, schedule: TrainingSchedule(iterations: steps, threads: threads), optimizer: .sgd(.init(learningRate: learningRate)), state: &state)
    let elapsed = clock.now - start
    times.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    trained = network
    firstLoss = history.losses.first ?? .nan
  }
  let final = trained.loss(of: trained.forward(data.inputs).outputs, targets: data.targets).total
  print(json([
    "implementation": "swift", "threads": threads, "steps": steps, "seconds": times.min()!,
    "median_seconds": times.sorted()[times.count / 2], "final_loss": final,
    "first_loss": firstLoss, "flops_per_step": flopsPerStep(n: data.count, d: 2, h: hidden, k: 3),
  ]))
case "worked-example":
  // The engine's share of `lesson run lessons/02-worked-example.md`: its two 10,000-update trainings.
  func workedExample(_ order: UpdateOrder) -> Network {
    Network(
      inputCount: 2,
      layers: [
        DenseLayer(weights: Matrix([[0.15, 0.20], [0.25, 0.30]]), biases: [0.35, 0.35], activation: .sigmoid),
        DenseLayer(weights: Matrix([[0.40, 0.45], [0.50, 0.55]]), biases: [0.60, 0.60], activation: .sigmoid),
      ],
      loss: .halfSquaredError, updatesBiases: false, updateOrder: order)
  }
  let example = Dataset(inputs: Matrix([[0.05, 0.10]]), targets: Matrix([[0.01, 0.99]]))
  var best = Double.infinity
  var finals: [Double] = []
  for _ in 0..<5 {
    let clock = ContinuousClock()
    let start = clock.now
    finals = [UpdateOrder.sequential, .simultaneous].map { order in
      var network = workedExample(order)
      var state = OptimizerState(for: network)
      _ = network.train(on: example, schedule: TrainingSchedule(iterations: 10_000), optimizer: .sgd(.init(learningRate: 0.5)), state: &state)
      return network.loss(of: network.forward(example.inputs).outputs, targets: example.targets).total
    }
    let elapsed = clock.now - start
    best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
  }
  print(json(["implementation": "swift", "seconds": best, "final_losses": finals, "updates": 20_000]))
default:
  FileHandle.standardError.write("usage: spiral-bench export FILE | train [STEPS] [REPEATS] | worked-example\n".data(using: .utf8)!)
  exit(2)
}
