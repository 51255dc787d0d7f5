import Backprop
import Testing

/// The 2-2-2 sigmoid network of the widely used step-by-step example, built directly on the engine.
func workedExample(order: UpdateOrder = .simultaneous) -> (Network, Dataset) {
  let network = Network(
    inputCount: 2,
    layers: [
      DenseLayer(weights: Matrix([[0.15, 0.20], [0.25, 0.30]]), biases: [0.35, 0.35], activation: .sigmoid),
      DenseLayer(weights: Matrix([[0.40, 0.45], [0.50, 0.55]]), biases: [0.60, 0.60], activation: .sigmoid),
    ],
    loss: .halfSquaredError, updatesBiases: false, updateOrder: order)
  return (network, Dataset(inputs: Matrix([[0.05, 0.10]]), targets: Matrix([[0.01, 0.99]])))
}

/// Passes when `value` rounds to `published` at the published number of decimals.
func agrees(_ value: Double, _ published: Double, decimals: Int) -> Bool {
  var unit = 1.0
  for _ in 0..<decimals { unit /= 10 }
  return abs(value - published) <= unit / 2 * (1 + 1e-9)
}

@Suite("The published worked example")
struct WorkedExampleTests {
  let optimizer = Optimizer.sgd(.init(learningRate: 0.5))

  @Test("forward pass gives the published net inputs and outputs")
  func forward() {
    let (network, data) = workedExample()
    let f = network.forward(data.inputs)
    #expect(agrees(f.z[0][0, 0], 0.3775, decimals: 4))
    #expect(agrees(f.a[0][0, 0], 0.593269992, decimals: 9))
    #expect(agrees(f.a[0][0, 1], 0.596884378, decimals: 9))
    #expect(agrees(f.a[1][0, 0], 0.75136507, decimals: 8))
    #expect(agrees(f.a[1][0, 1], 0.772928465, decimals: 9))
  }

  @Test("total error is 0.298371109")
  func error() {
    let (network, data) = workedExample()
    let loss = network.loss(of: network.forward(data.inputs).outputs, targets: data.targets)
    #expect(agrees(loss.total, 0.298371109, decimals: 9))
    #expect(agrees(loss.terms[0, 0], 0.274811083, decimals: 9))
  }

  @Test("backward pass gives the published δ and gradients")
  func backward() {
    let (network, data) = workedExample()
    let f = network.forward(data.inputs)
    let b = network.backward(f, targets: data.targets)
    #expect(agrees(b.errorSignal[1][0, 0], 0.74136507, decimals: 8))
    #expect(agrees(b.delta[1][0, 0], 0.138498562, decimals: 9))
    #expect(agrees(b.weightGradients[1][0, 0], 0.082167041, decimals: 9))
    // The published hidden figures are truncated, not rounded, at their last digit.
    #expect(abs(b.weightGradients[0][0, 0] - 0.000438568) < 1e-9)
    #expect(abs(b.errorSignal[0][0, 0] - 0.036350306) < 1e-9)
  }

  @Test("one update gives the published new weights and error under each convention",
        arguments: [(UpdateOrder.simultaneous, 0.291027774), (.sequential, 0.291027924)])
  func oneUpdate(order: UpdateOrder, expected: Double) {
    var (network, data) = workedExample(order: order)
    var state = OptimizerState(for: network)
    let f = network.forward(data.inputs)
    network.update(from: f, network.backward(f, targets: data.targets), targets: data.targets, optimizer: optimizer, state: &state)
    #expect(agrees(network.layers[1].weights[0, 0], 0.35891648, decimals: 8))
    #expect(network.layers[0].biases == [0.35, 0.35], "biases are frozen")
    let after = network.loss(of: network.forward(data.inputs).outputs, targets: data.targets).total
    #expect(agrees(after, expected, decimals: 9))
  }

  @Test("the simultaneous hidden update uses the old output weights")
  func simultaneousHiddenUpdate() {
    var (network, data) = workedExample()
    var state = OptimizerState(for: network)
    let f = network.forward(data.inputs)
    network.update(from: f, network.backward(f, targets: data.targets), targets: data.targets, optimizer: optimizer, state: &state)
    #expect(agrees(network.layers[0].weights[0, 0], 0.149780716, decimals: 9))
    #expect(agrees(network.layers[0].weights[1, 1], 0.29950229, decimals: 8))
  }

  @Test("10,000 updates reproduce the published outputs and the off-by-one in the published error")
  func tenThousand() {
    var (sequential, data) = workedExample(order: .sequential)
    var state = OptimizerState(for: sequential)
    _ = sequential.train(on: data, schedule: TrainingSchedule(iterations: 10_000), optimizer: optimizer, state: &state)
    let outputs = sequential.forward(data.inputs).outputs
    #expect(agrees(outputs[0, 0], 0.015912196, decimals: 9))
    #expect(agrees(outputs[0, 1], 0.984065734, decimals: 9))
    #expect(agrees(sequential.loss(of: outputs, targets: data.targets).total, 0.0000350848, decimals: 10))

    var (standard, _) = workedExample()
    var standardState = OptimizerState(for: standard)
    let history = standard.train(on: data, schedule: TrainingSchedule(iterations: 10_000), optimizer: optimizer, state: &standardState)
    #expect(agrees(history.losses[9_999], 0.0000351085, decimals: 10), "the error seen in iteration 10,000, before its update")
    #expect(agrees(standard.loss(of: standard.forward(data.inputs).outputs, targets: data.targets).total, 0.0000351019, decimals: 10))
  }
}
