import Backprop
import Testing

/// Random networks for property tests, from the engine's own seeded generator so failures replay.
func randomNetwork(seed: UInt64, hidden: Activation, output: Activation, loss: Loss, reduction: Reduction) -> (Network, Dataset) {
  var rng = SeededGenerator(seed: seed)
  let inputs = 1 + rng.index(below: 3)
  let depth = 1 + rng.index(below: 3)
  var sizes = [inputs]
  for _ in 0..<depth { sizes.append(1 + rng.index(below: 4)) }
  let outputs = output == .softmax ? 2 + rng.index(below: 3) : 1 + rng.index(below: 3)
  sizes.append(outputs)
  var layers: [DenseLayer] = []
  for l in 1..<sizes.count {
    let w = Initialization.uniform(low: -1, high: 1).weights(neurons: sizes[l], inputs: sizes[l - 1], using: &rng)
    layers.append(DenseLayer(weights: w, biases: (0..<sizes[l]).map { _ in rng.uniform(-0.5, 0.5) }, activation: l == sizes.count - 1 ? output : hidden))
  }
  let samples = 1 + rng.index(below: 4)
  var x = Matrix(rows: samples, columns: inputs)
  for i in x.values.indices { x.values[i] = rng.uniform(-1, 1) }
  var t = Matrix(rows: samples, columns: outputs)
  for n in 0..<samples {
    switch loss {
    case .crossEntropy: t[n, rng.index(below: outputs)] = 1
    case .binaryCrossEntropy, .meanBinaryCrossEntropy: for k in 0..<outputs { t[n, k] = rng.uniform(0, 1) }
    default: for k in 0..<outputs { t[n, k] = rng.uniform(-0.9, 0.9) }
    }
  }
  return (Network(inputCount: inputs, layers: layers, loss: loss, reduction: reduction), Dataset(inputs: x, targets: t))
}

@Suite("Gradients against central finite differences")
struct FiniteDifferenceTests {
  static let combinations: [(Activation, Activation, Loss)] = [
    (.sigmoid, .sigmoid, .halfSquaredError), (.tanh, .linear, .meanSquaredError), (.relu, .tanh, .halfSquaredError),
    (.leakyReLU(slope: 0.1), .linear, .halfSquaredError), (.linear, .sigmoid, .binaryCrossEntropy),
    (.tanh, .softmax, .crossEntropy), (.sigmoid, .softmax, .halfSquaredError), (.relu, .softmax, .crossEntropy),
    // Added for PyTorch parity: BCELoss's mean over outputs, MSE summed, Huber and smooth L1.
    (.tanh, .sigmoid, .meanBinaryCrossEntropy), (.sigmoid, .linear, .summedSquaredError),
    (.tanh, .linear, .huber(delta: 0.3, outputs: .mean)), (.sigmoid, .tanh, .huber(delta: 1, outputs: .sum)),
    (.linear, .linear, .smoothL1(beta: 0.4, outputs: .mean)), (.tanh, .sigmoid, .smoothL1(beta: 1, outputs: .sum)),
  ]

  @Test("every parameter's gradient matches the finite difference, for random networks",
        arguments: combinations.indices, [Reduction.mean, .sum])
  func randomNetworks(combination: Int, reduction: Reduction) {
    let (hidden, output, loss) = Self.combinations[combination]
    for seed in UInt64(1)...20 {
      let (network, data) = randomNetwork(seed: seed * 7919 + UInt64(combination), hidden: hidden, output: output, loss: loss, reduction: reduction)
      for c in network.gradientCheck(data, step: 1e-6) {
        // ReLU kinks make a difference quotient that straddles 0 meaningless; skip only those.
        let tolerance = 1e-6 * max(1, abs(c.numeric))
        #expect(abs(c.analytic - c.numeric) <= tolerance, "seed \(seed) \(c.parameter): backprop \(c.analytic), finite difference \(c.numeric)")
      }
    }
  }

  @Test("δ of each layer is the derivative of the sample's error with respect to z")
  func deltaIsDerivativeOfZ() {
    let (network, data) = randomNetwork(seed: 42, hidden: .tanh, output: .sigmoid, loss: .halfSquaredError, reduction: .mean)
    let f = network.forward(data.inputs)
    let b = network.backward(f, targets: data.targets)
    let h = 1e-6
    // Perturb z of the last layer directly: E_n(a(z + h)) − E_n(a(z − h)).
    let l = network.layers.count - 1
    for j in 0..<f.z[l].columns {
      let z = f.z[l][0, j]
      func e(_ z: Double) -> Double {
        var a = f.a[l].row(0)
        a[j] = Activation.sigmoid.value(z)
        return zip(a, data.targets.row(0)).map { 0.5 * ($1 - $0) * ($1 - $0) }.reduce(0, +)
      }
      #expect(abs((e(z + h) - e(z - h)) / (2 * h) - b.delta[l][0, j]) < 1e-8)
    }
  }
}

@Suite("Activations and losses at special values")
struct SpecialValueTests {
  @Test("sigmoid neither overflows nor loses its tails")
  func sigmoidTails() {
    #expect(Activation.sigmoid.value(1000) == 1)
    #expect(Activation.sigmoid.value(-1000) == 0)
    #expect(Activation.sigmoid.value(-30) > 0)
    #expect(Activation.sigmoid.value(0) == 0.5)
  }

  @Test("ReLU gradient is zero for negative input and at zero")
  func reluAtZero() {
    #expect(Activation.relu.derivative(z: -0.5, a: 0) == 0)
    #expect(Activation.relu.derivative(z: 0, a: 0) == 0)
    #expect(Activation.relu.derivative(z: 0.5, a: 0.5) == 1)
  }

  @Test("softmax of large inputs stays finite and sums to one")
  func softmaxLarge() {
    let network = Network(inputCount: 1, layers: [DenseLayer(weights: Matrix([[1000], [999], [-1000]]), biases: [0, 0, 0], activation: .softmax)], loss: .crossEntropy)
    let a = network.forward(Matrix([[1]])).outputs.row(0)
    #expect(a.allSatisfy { $0.isFinite })
    #expect(abs(a.reduce(0, +) - 1) < 1e-15)
  }

  @Test("a training observer sees the network every k updates and after the last")
  func observer() {
    var (network, data) = workedExample()
    var state = OptimizerState(for: network)
    var seen: [Int] = []
    var last: Network?
    _ = network.train(on: data, schedule: TrainingSchedule(iterations: 25), optimizer: .sgd(.init(learningRate: 0.5)), state: &state,
      observeEvery: 10, observer: { k, n in seen.append(k); last = n })
    #expect(seen == [10, 20, 25])
    #expect(last == network, "the observer sees the parameters after the update")
  }

  @Test("training stops at the first non-finite error")
  func stopsOnOverflow() {
    var network = Network(inputCount: 1, layers: [DenseLayer(weights: Matrix([[1]]), biases: [0], activation: .linear)], loss: .halfSquaredError)
    var state = OptimizerState(for: network)
    let data = Dataset(inputs: Matrix([[10]]), targets: Matrix([[1]]))
    let history = network.train(on: data, schedule: TrainingSchedule(iterations: 10_000), optimizer: .sgd(.init(learningRate: 10)), state: &state)
    #expect(history.stoppedAt != nil)
    #expect(history.losses.allSatisfy { $0.isFinite })
  }

  @Test("the seeded generator gives the same stream for the same seed and a uniform-looking one")
  func generator() {
    var a = SeededGenerator(seed: 7), b = SeededGenerator(seed: 7), c = SeededGenerator(seed: 8)
    let sa = (0..<5).map { _ in a.next() }
    #expect(sa == (0..<5).map { _ in b.next() })
    #expect(sa != (0..<5).map { _ in c.next() })
    var r = SeededGenerator(seed: 1)
    let mean = (0..<20_000).map { _ in r.nextUnit() }.reduce(0, +) / 20_000
    #expect(abs(mean - 0.5) < 0.01)
    var p = SeededGenerator(seed: 3)
    #expect(Set(p.permutation(of: 10)) == Set(0..<10))
  }
}
