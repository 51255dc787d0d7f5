import Backprop
import Foundation
import TestSupport
import Testing


/// The output of `op` applied to fresh inputs holding `x`.
private func evaluate(_ op: ScalarGraph.Op, _ x: [Double]) -> Double {
  var g = ScalarGraph()
  let inputs = x.map { g.input($0) }
  let out = g.apply(op, inputs)
  return g.nodes[out].value
}

@Suite("Scalar autodiff graph")
struct ScalarGraphTests {
  static let cases: [(ScalarGraph.Op, [Double])] = [
    (.add, [1.5, -2.25]), (.sub, [1.5, -2.25]), (.mul, [1.5, -2.25]), (.div, [1.5, -2.25]),
    (.neg, [0.7]), (.pow(3), [1.3]), (.pow(-0.5), [2.2]), (.pow(2), [-1.7]), (.square, [-1.7]),
    (.sqrt, [2.5]), (.exp, [0.8]), (.log, [2.5]), (.tanh, [0.4]), (.sigmoid, [-0.9]), (.sigmoid, [3.1]),
    (.relu, [0.6]), (.relu, [-0.6]),
  ]

  @Test("each operation's gradient matches a central finite difference", arguments: cases)
  func finiteDifferences(op: ScalarGraph.Op, x: [Double]) {
    var g = ScalarGraph()
    let inputs = x.map { g.input($0) }
    let out = g.apply(op, inputs)
    g.backward(from: out)
    #expect(g.nodes[out].grad == 1)
    let h = 1e-6
    for i in x.indices {
      var up = x, down = x
      up[i] += h
      down[i] -= h
      let numeric = (evaluate(op, up) - evaluate(op, down)) / (2 * h)
      #expect(isClose(g.nodes[inputs[i]].grad, numeric, relative: 1e-7, absolute: 1e-9),
        "\(op.name) operand \(i): analytic \(g.nodes[inputs[i]].grad), numeric \(numeric)")
    }
  }

  @Test("forward values are the operations' textbook values")
  func values() {
    #expect(evaluate(.div, [1, 4]) == 0.25)
    #expect(evaluate(.pow(3), [2]) == 8)
    #expect(evaluate(.sqrt, [9]) == 3)
    #expect(evaluate(.sigmoid, [0]) == 0.5)
    #expect(evaluate(.relu, [-3]) == 0)
    #expect(evaluate(.log, [1]) == 0)
    #expect(evaluate(.sigmoid, [-800]) == 0, "the two-form sigmoid does not overflow")
  }

  @Test("ReLU's gradient is zero at and below the kink")
  func reluKink() {
    var g = ScalarGraph()
    let x = g.input(0)
    g.backward(from: g.apply(.relu, x))
    #expect(g.nodes[x].grad == 0)
  }

  @Test("a value used twice receives the gradient of both uses")
  func usedTwice() {
    // f = x · x at x = 3: ∂f/∂x = 2x = 6, the sum of 3 along each edge.
    var g = ScalarGraph()
    let x = g.input(3)
    let f = g.apply(.mul, x, x)
    g.backward(from: f)
    #expect(g.nodes[x].grad == 6)
    #expect(g.edges(endingAt: f).map(\.local) == [3, 3])
    #expect(g.paths(from: x, to: f).count == 2)

    // b = a + a, micrograd's historical bug: overwriting instead of accumulating gives 1, not 2.
    var h = ScalarGraph()
    let a = h.input(-3)
    let b = h.apply(.add, a, a)
    h.backward(from: b)
    #expect(h.nodes[a].grad == 2)
  }

  @Test("backward can be run again and does not double-count")
  func backwardTwice() {
    var g = ScalarGraph()
    let x = g.input(2), y = g.input(5)
    let f = g.apply(.mul, g.apply(.add, x, y), y)
    g.backward(from: f)
    g.backward(from: f)
    #expect(g.nodes[x].grad == 5)
    #expect(g.nodes[y].grad == 12)  // ∂/∂y (x + y)y = x + 2y
  }

  @Test("nodes the output does not read keep a zero gradient")
  func unreachable() {
    var g = ScalarGraph()
    let x = g.input(2), unused = g.input(7)
    let f = g.apply(.exp, x)
    g.backward(from: f)
    #expect(g.nodes[unused].grad == 0)
    #expect(g.topologicalOrder(endingAt: f) == [x, f])
  }

  /// micrograd's README example, whose results are published there: g = 24.7041, ∂g/∂a = 138.8338,
  /// ∂g/∂b = 645.5773. Worked by hand with a = −4, b = 2:
  ///
  ///     c  = a + b = −2                      d  = a·b + b³ = −8 + 8 = 0
  ///     c1 = c + (c + 1) = −3                d1 = d + (2d + relu(b + a)) = 0   (relu(−2) = 0)
  ///     c2 = c1 + (1 + c1 + (−a)) = −1       d2 = d1 + (3·d1 + relu(b − a)) = 6  (relu(6) = 6)
  ///     e = c2 − d2 = −7,  f = e² = 49,  g = f/2 + 10/f = 24.5 + 10/49
  ///
  /// Backward, with G = ∂g/∂e = (1/2 − 10/f²) · 2e = −7 + 140/2401:
  ///   ∂g/∂c2 = G, ∂g/∂d2 = −G; ∂c2/∂c1 = 2, ∂c1/∂c = 2, so ∂g/∂c = 4G; ∂c2/∂a = −1 directly.
  ///   ∂d2/∂d1 = 4, ∂d1/∂d = 3 (relu′(−2) = 0), so ∂g/∂d = −12G; relu′(6) = 1 gives ∂d2/∂b = 1, ∂d2/∂a = −1.
  ///   ∂d/∂a = b = 2, ∂d/∂b = a + 3b² = 8.
  ///   ∂g/∂a = 4G − G − 24G + G = −20G = 140 − 2800/2401 ≈ 138.833819
  ///   ∂g/∂b = 4G − 96G − G = −93G = 651 − 13020/2401 ≈ 645.577259
  @Test("micrograd's README expression gives its published value and gradients")
  func microgradExample() {
    var g = ScalarGraph()
    let a = g.input(-4), b = g.input(2)
    let k = { (v: Double) in g.constant(v) }
    var c = g.apply(.add, a, b)
    var d = g.apply(.add, g.apply(.mul, a, b), g.apply(.pow(3), b))
    c = g.apply(.add, c, g.apply(.add, c, k(1)))
    c = g.apply(.add, c, g.apply(.add, g.apply(.add, k(1), c), g.apply(.neg, a)))
    d = g.apply(.add, d, g.apply(.add, g.apply(.mul, d, k(2)), g.apply(.relu, g.apply(.add, b, a))))
    d = g.apply(.add, d, g.apply(.add, g.apply(.mul, k(3), d), g.apply(.relu, g.apply(.sub, b, a))))
    let e = g.apply(.sub, c, d)
    let f = g.apply(.pow(2), e)
    let out = g.apply(.add, g.apply(.div, f, k(2)), g.apply(.div, k(10), f))
    g.backward(from: out)
    #expect(g.nodes[c].value == -1)
    #expect(g.nodes[d].value == 6)
    #expect(isClose(g.nodes[out].value, 24.5 + 10.0 / 49, relative: 1e-15))
    #expect(isClose(g.nodes[a].grad, 140 - 2800.0 / 2401, relative: 1e-14))
    #expect(isClose(g.nodes[b].grad, 651 - 13020.0 / 2401, relative: 1e-14))
    #expect(String(format: "%.4f %.4f %.4f", g.nodes[out].value, g.nodes[a].grad, g.nodes[b].grad) == "24.7041 138.8338 645.5773")
  }

  @Test("the chain rule's sum over paths equals the gradient")
  func pathsSumToGradient() {
    // f = (x + y)·x·exp(y): x reaches f along two paths, y along two.
    var g = ScalarGraph()
    let x = g.input(0.3), y = g.input(-1.1)
    let s = g.apply(.add, x, y)
    let f = g.apply(.mul, g.apply(.mul, s, x), g.apply(.exp, y))
    g.backward(from: f)
    for leaf in [x, y] {
      let paths = g.paths(from: leaf, to: f)
      #expect(paths.count == 2)
      let sum = paths.map { $0.reduce(1.0) { $0 * $1.local } }.reduce(0, +)
      #expect(isClose(sum, g.nodes[leaf].grad, relative: 1e-15))
    }
  }
}

// MARK: - The dense engine and the scalar engine check each other

/// A dense network rebuilt as a scalar graph: every weight and bias a leaf, every neuron
/// z = Σ w·x + b and a = f(z), the batch error as in `Loss`/`Reduction`.
private struct ScalarNetwork {
  var graph = ScalarGraph()
  var weights: [[[Int]]] = []  // [layer][neuron][input]
  var biases: [[Int]] = []
  var error = 0

  init(_ network: Network, _ data: Dataset, sharedBiasPerLayer: Bool = false) {
    for layer in network.layers {
      weights.append((0..<layer.neuronCount).map { j in (0..<layer.inputCount).map { i in graph.input(layer.weights[j, i]) } })
      biases.append(sharedBiasPerLayer
        ? Array(repeating: graph.input(layer.biases[0]), count: layer.neuronCount)
        : layer.biases.map { graph.input($0) })
    }
    var sampleErrors: [Int] = []
    for n in 0..<data.count {
      var activations = (0..<data.inputs.columns).map { graph.constant(data.inputs[n, $0]) }
      for (l, layer) in network.layers.enumerated() {
        activations = (0..<layer.neuronCount).map { j in
          var z = biases[l][j]
          for i in 0..<layer.inputCount { z = graph.apply(.add, graph.apply(.mul, weights[l][j][i], activations[i]), z) }
          switch layer.activation {
          case .sigmoid: return graph.apply(.sigmoid, z)
          case .tanh: return graph.apply(.tanh, z)
          case .relu: return graph.apply(.relu, z)
          case .linear: return z
          default: preconditionFailure("not needed by these tests")
          }
        }
      }
      // Half squared error: Σₖ ½(tₖ − aₖ)².
      var e = graph.constant(0)
      for (k, a) in activations.enumerated() {
        let diff = graph.apply(.sub, graph.constant(data.targets[n, k]), a)
        e = graph.apply(.add, e, graph.apply(.mul, graph.constant(0.5), graph.apply(.pow(2), diff)))
      }
      sampleErrors.append(e)
    }
    var total = sampleErrors[0]
    for e in sampleErrors.dropFirst() { total = graph.apply(.add, total, e) }
    error = network.reduction == .mean && data.count > 1 ? graph.apply(.div, total, graph.constant(Double(data.count))) : total
    graph.backward(from: error)
  }
}

@Suite("Dense and scalar engines agree")
struct DenseScalarAgreementTests {
  @Test("the 2-2-2 worked example: every weight gradient agrees to 1e-12")
  func workedExampleGradients() {
    // Hidden weights 0.15 0.20 / 0.25 0.30, bias 0.35 shared by both hidden neurons; output weights
    // 0.40 0.45 / 0.50 0.55, bias 0.60 shared; inputs 0.05 0.10; targets 0.01 0.99; half squared error.
    let (network, data) = BackpropTests.workedExample()
    let dense = network.backward(network.forward(data.inputs), targets: data.targets)
    let scalar = ScalarNetwork(network, data, sharedBiasPerLayer: true)
    let loss = network.loss(of: network.forward(data.inputs).outputs, targets: data.targets)
    #expect(abs(scalar.graph.nodes[scalar.error].value - loss.total) < 1e-12)
    var compared = 0
    for l in network.layers.indices {
      for j in 0..<network.layers[l].neuronCount {
        for i in 0..<network.layers[l].inputCount {
          let s = scalar.graph.nodes[scalar.weights[l][j][i]].grad
          #expect(abs(s - dense.weightGradients[l][j, i]) < 1e-12, "layer \(l + 1) w[\(j)][\(i)]: scalar \(s), dense \(dense.weightGradients[l][j, i])")
          compared += 1
        }
      }
      // One bias node read by both neurons: its gradient is the sum of the neurons' bias gradients.
      let shared = scalar.graph.nodes[scalar.biases[l][0]].grad
      #expect(abs(shared - dense.biasGradients[l].reduce(0, +)) < 1e-12)
    }
    #expect(compared == 8)
    // The published figure, for good measure.
    #expect(abs(scalar.graph.nodes[scalar.weights[1][0][0]].grad - 0.082167041) < 5e-10)
  }

  @Test("a 3-4-2 tanh/sigmoid network over three samples, mean reduction: every gradient agrees")
  func batch() {
    var seed: UInt64 = 12345
    func next() -> Double {
      seed = seed &* 6364136223846793005 &+ 1442695040888963407
      return Double(seed >> 11) / Double(1 << 53) * 2 - 1
    }
    let network = Network(
      inputCount: 3,
      layers: [
        DenseLayer(weights: Matrix((0..<4).map { _ in (0..<3).map { _ in next() } }), biases: (0..<4).map { _ in next() }, activation: .tanh),
        DenseLayer(weights: Matrix((0..<2).map { _ in (0..<4).map { _ in next() } }), biases: (0..<2).map { _ in next() }, activation: .sigmoid),
      ],
      loss: .halfSquaredError, reduction: .mean)
    let data = Dataset(
      inputs: Matrix((0..<3).map { _ in (0..<3).map { _ in next() } }),
      targets: Matrix((0..<3).map { _ in (0..<2).map { _ in (next() + 1) / 2 } }))
    let dense = network.backward(network.forward(data.inputs), targets: data.targets)
    let scalar = ScalarNetwork(network, data)
    for l in network.layers.indices {
      for j in 0..<network.layers[l].neuronCount {
        for i in 0..<network.layers[l].inputCount {
          #expect(abs(scalar.graph.nodes[scalar.weights[l][j][i]].grad - dense.weightGradients[l][j, i]) < 1e-12)
        }
        #expect(abs(scalar.graph.nodes[scalar.biases[l][j]].grad - dense.biasGradients[l][j]) < 1e-12)
      }
    }
  }
}

@Suite("Scalar graph derivatives at 0")
struct ScalarGraphZeroTests {
  @Test("x^0 has gradient 0 at x = 0, as PyTorch defines it, and relu has gradient 0 at 0")
  func powerZeroAndReluAtZero() {
    var graph = ScalarGraph()
    let x = graph.input(0)
    let y = graph.apply(.add, graph.apply(.pow(0), x), graph.apply(.relu, x))
    graph.backward(from: y)
    #expect(graph.nodes[y].value == 1)
    #expect(graph.nodes[x].grad == 0)
    #expect(graph.nodes[x].grad.isFinite)
  }

  @Test("x^0 has gradient 0 away from 0 too; x^c keeps c·x^(c−1)")
  func powerElsewhere() {
    #expect(ScalarGraph.Op.pow(0).localDerivatives([2.5], output: 1) == [0])
    #expect(ScalarGraph.Op.pow(3).localDerivatives([2], output: 8) == [12])
  }
}

