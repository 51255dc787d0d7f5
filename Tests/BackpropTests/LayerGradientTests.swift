import Backprop
import TestSupport
import Testing

/// The layer kinds a random network is built to feature.
enum FeaturedLayer: String, CaseIterable, Sendable { case conv1d, conv2d, maxpool, avgpool, flatten, rnn }

/// A random small network featuring `kind`, ending in a dense output layer, with data.
func randomLayered(_ kind: FeaturedLayer, seed: UInt64) -> (LayeredNetwork, inputs: [[Double]], targets: [[Double]]) {
  var rng = SeededGenerator(seed: seed)
  func pick(_ n: Int) -> Int { rng.index(below: n) }
  func numbers(_ n: Int, _ r: Double = 1) -> [Double] { (0..<n).map { _ in rng.uniform(-r, r) } }
  let smooth: [Activation] = [.sigmoid, .tanh, .linear, .leakyReLU(slope: 0.1), .relu]
  var layers: [Layer] = []
  var shape: [Int]
  func convolve(_ dims: Int) {
    let kernel = (0..<dims).map { d in 1 + pick(min(3, shape[1 + d])) }
    let stride = (0..<dims).map { _ in 1 + pick(2) }
    let padding = (0..<dims).map { _ in pick(2) }
    let out = 1 + pick(3)
    let c = Convolution(inputShape: shape, outChannels: out, kernel: kernel, stride: stride, padding: padding,
      weights: numbers(out * shape[0] * kernel.reduce(1, *)), biases: numbers(out, 0.5), activation: smooth[pick(smooth.count)])
    layers.append(.convolution(c))
    shape = c.outputShape
  }
  func pool(_ kind: Pooling.Kind) {
    let dims = shape.count - 1
    let size = (0..<dims).map { 1 + pick(min(3, shape[1 + $0])) }
    let stride = pick(2) == 0 ? size : (0..<dims).map { _ in 1 + pick(2) }
    let p = Pooling(kind, inputShape: shape, size: size, stride: stride)
    layers.append(.pooling(p))
    shape = p.outputShape
  }
  switch kind {
  case .conv1d, .conv2d, .maxpool, .avgpool, .flatten:
    let dims = kind == .conv1d ? 1 : kind == .conv2d ? 2 : 1 + pick(2)
    shape = [1 + pick(2)] + (0..<dims).map { _ in 2 + pick(4) }
    if kind != .flatten || pick(2) == 0 { convolve(dims) }
    if kind == .conv1d || kind == .conv2d, pick(2) == 0 { convolve(dims) }
    if kind == .maxpool { pool(.max) }
    if kind == .avgpool { pool(.average) }
    layers.append(.flatten(Flatten(inputShape: shape)))
    shape = [shape.reduce(1, *)]
  case .rnn:
    let steps = 1 + pick(4), features = 1 + pick(3)
    shape = [steps, features]
    var width = features
    for depth in 0..<(1 + pick(2)) {
      let hidden = 1 + pick(3)
      let last = depth == 1 || pick(2) == 0
      let r = Recurrent(steps: steps, inputWeights: Matrix(rows: hidden, columns: width, values: numbers(hidden * width)),
        hiddenWeights: Matrix(rows: hidden, columns: hidden, values: numbers(hidden * hidden)), biases: numbers(hidden, 0.5),
        activation: [.tanh, .tanh, .sigmoid, .linear][pick(4)], returnsSequence: !last)
      layers.append(.recurrent(r))
      shape = r.outputShape
      width = hidden
      if last { break }
    }
    if shape.count == 2 {
      layers.append(.flatten(Flatten(inputShape: shape)))
      shape = [shape.reduce(1, *)]
    }
  }
  let outputs = 1 + pick(3)
  let (loss, activation): (Loss, Activation) =
    [(.halfSquaredError, .sigmoid), (.meanSquaredError, .linear), (.crossEntropy, .softmax), (.meanBinaryCrossEntropy, .sigmoid),
     (.halfSquaredError, .tanh)][pick(5)]
  let k = activation == .softmax ? max(2, outputs) : outputs
  // Weights of size 1/√fan-in, so the output does not saturate: a loss computed from a sigmoid
  // within 1e-5 of 1 loses the digits a difference quotient needs.
  layers.append(.dense(DenseLayer(weights: Matrix(rows: k, columns: shape[0], values: numbers(k * shape[0], 1 / Double(shape[0]).squareRoot())), biases: numbers(k, 0.5),
    activation: activation)))
  let network = LayeredNetwork(inputShape: layers[0].inputShape, layers: layers, loss: loss, reduction: pick(2) == 0 ? .mean : .sum)
  let samples = 1 + pick(3)
  let size = network.inputShape.reduce(1, *)
  let inputs = (0..<samples).map { _ in numbers(size, 2) }
  let targets = (0..<samples).map { _ -> [Double] in
    if loss == .crossEntropy {
      var t = [Double](repeating: 0, count: k)
      t[pick(k)] = 1
      return t
    }
    return (0..<k).map { _ in rng.uniform(0.05, 0.95) }
  }
  return (network, inputs, targets)
}

@Suite("Convolution, pooling and recurrent layers against central finite differences")
struct LayerGradientTests {
  static let casesPerKind = 110

  /// Central difference of E with respect to one number that `poke` changes.
  static func numeric(_ network: LayeredNetwork, _ inputs: [[Double]], _ targets: [[Double]], h: Double,
    poke: (inout LayeredNetwork, inout [[Double]], Double) -> Void) -> Double
  {
    var (up, upInputs) = (network, inputs)
    poke(&up, &upInputs, h)
    var (down, downInputs) = (network, inputs)
    poke(&down, &downInputs, -h)
    let e1 = up.loss(up.forward(upInputs), targets: targets).total
    let e0 = down.loss(down.forward(downInputs), targets: targets).total
    return (e1 - e0) / (2 * h)
  }

  @Test("every parameter's and input's gradient matches the finite difference", arguments: FeaturedLayer.allCases)
  func randomNetworks(kind: FeaturedLayer) {
    var checked = 0
    var skipped = 0
    for seed in 1...UInt64(Self.casesPerKind) {
      let (network, inputs, targets) = randomLayered(kind, seed: seed &* 2_654_435_761 &+ UInt64(kind.rawValue.count))
      let forward = network.forward(inputs)
      // A kink (ReLU at 0, a max changing hands) within reach of ±h makes the quotient
      // meaningless there; such cases are rare and skipped, and counted below.
      if Self.nearKink(network, forward) {
        skipped += 1
        continue
      }
      let backward = network.backward(forward, targets: targets)
      func agree(_ analytic: Double, _ numeric: Double, _ what: String) {
        checked += 1
        #expect(isClose(analytic, numeric, relative: 1e-6, absolute: 1e-7), "\(kind) seed \(seed) \(what): backprop \(analytic), finite difference \(numeric)")
      }
      for l in network.layers.indices {
        for (p, tensor) in network.layers[l].parameters.enumerated() {
          for i in tensor.indices {
            let n = Self.numeric(network, inputs, targets, h: 1e-6) { net, _, h in
              var t = net.layers[l].parameters
              t[p][i] += h
              net.layers[l].parameters = t
            }
            agree(backward.gradients[l][p][i], n, "layer \(l + 1) tensor \(p) [\(i)]")
          }
        }
      }
      let weight = network.sampleWeight(batchSize: inputs.count)
      for s in inputs.indices {
        for i in inputs[s].indices {
          let n = Self.numeric(network, inputs, targets, h: 1e-6) { _, x, h in x[s][i] += h }
          agree(weight * backward.layers[0][s].input[i], n, "input \(i) of sample \(s + 1)")
        }
      }
    }
    #expect(checked > Self.casesPerKind * 5)
    #expect(skipped <= Self.casesPerKind / 10, "\(skipped) of \(Self.casesPerKind) cases were near a kink")
  }

  /// Whether a ReLU-like net input or a max-pool's two largest inputs are within 1e-4 of a
  /// kink, where a difference quotient with h = 1e-6 of a parameter may cross it.
  static func nearKink(_ network: LayeredNetwork, _ forward: LayeredForward) -> Bool {
    for (l, layer) in network.layers.enumerated() {
      for (n, values) in forward.layers[l].enumerated() {
        switch layer.activation {
        case .relu?, .leakyReLU?: if values.z!.contains(where: { abs($0) < 1e-4 }) { return true }
        default: break
        }
        if case .pooling(let p) = layer, p.kind == .max {
          let input = l == 0 ? forward.inputs[n] : network.layers[l - 1].output(forward.layers[l - 1][n])
          for c in 0..<p.channels {
            for i in 0..<p.outputRows {
              for j in 0..<p.outputColumns {
                let top = p.window(channel: c, row: i, column: j).map { input[$0] }.sorted(by: >)
                if top.count > 1, top[0] - top[1] < 1e-4 { return true }
              }
            }
          }
        }
      }
    }
    return false
  }

  @Test("each layer's ∂E/∂a is what the layer above sends down")
  func gradientsChain() {
    for kind in FeaturedLayer.allCases {
      let (network, inputs, targets) = randomLayered(kind, seed: 99)
      let backward = network.backward(network.forward(inputs), targets: targets)
      for l in 0..<(network.layers.count - 1) {
        for n in inputs.indices {
          let sent = backward.layers[l + 1][n].input
          if case .recurrent(let r) = network.layers[l] {
            // The earlier steps' gradients also come through time; the last step's only from above.
            #expect(Array(backward.layers[l][n].aGrad.suffix(r.hidden)) == Array(sent.suffix(r.hidden)))
          } else {
            #expect(backward.layers[l][n].aGrad == sent, "\(kind) layer \(l + 1)")
          }
        }
      }
    }
  }

  @Test("a network of dense layers alone gives the dense engine's numbers")
  func denseAgreesWithNetwork() {
    for seed in UInt64(1)...30 {
      let (dense, data) = randomNetwork(seed: seed, hidden: .tanh, output: seed % 2 == 0 ? .softmax : .sigmoid,
        loss: seed % 2 == 0 ? .crossEntropy : .halfSquaredError, reduction: .mean)
      let layered = LayeredNetwork(inputShape: [dense.inputCount], layers: dense.layers.map { .dense($0) }, loss: dense.loss)
      let x = data.inputs.nested, t = data.targets.nested
      let f = dense.forward(data.inputs), lf = layered.forward(x)
      let b = dense.backward(f, targets: data.targets), lb = layered.backward(lf, targets: t)
      for l in dense.layers.indices {
        for n in x.indices {
          for j in 0..<dense.layers[l].neuronCount {
            #expect(isClose(lf.layers[l][n].a[j], f.a[l][n, j], relative: 1e-14, absolute: 1e-15))
            #expect(isClose(lb.layers[l][n].delta![j], b.delta[l][n, j], relative: 1e-12, absolute: 1e-15))
          }
        }
        for (i, g) in b.weightGradients[l].values.enumerated() {
          #expect(isClose(lb.gradients[l][0][i], g, relative: 1e-12, absolute: 1e-15))
        }
      }
    }
  }
}
