import Backprop
import Foundation
import TestSupport
import Testing

// Checks the typed layers against an independent float64 implementation in JAX
// (reference/generate_layers.py: lax.conv_general_dilated, lax.reduce_window and jax.grad):
// every z, a, ∂E/∂a, δ, parameter gradient and updated parameter of 660 random networks.

fileprivate enum LayerFixture {
  static let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/layer-cases.json")
  // Read once, then only read: JSONSerialization gives immutable Foundation values.
  nonisolated(unsafe) static let cases: [[String: Any]] = {
    guard let data = try? Data(contentsOf: url), let top = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [] }
    return top["cases"] as? [[String: Any]] ?? []
  }()
}

fileprivate struct CaseError: Error, CustomStringConvertible {
  var description: String
}

fileprivate func numbers(_ any: Any?) throws -> [Double] {
  guard let list = any as? [Any] else { throw CaseError(description: "not a list: \(String(describing: any))") }
  return try list.map { item in
    guard let n = item as? NSNumber else { throw CaseError(description: "not a number: \(item)") }
    return n.doubleValue
  }
}

fileprivate func integers(_ any: Any?) throws -> [Int] { try numbers(any).map { Int($0) } }

fileprivate func activation(_ layer: [String: Any]) throws -> Activation {
  switch layer["activation"] as? String {
  case "sigmoid": return .sigmoid
  case "tanh": return .tanh
  case "relu": return .relu
  case "leaky-relu": return .leakyReLU(slope: (layer["slope"] as? NSNumber)?.doubleValue ?? 0.01)
  case "linear": return .linear
  case "softmax": return .softmax
  case let other: throw CaseError(description: "activation \(String(describing: other))")
  }
}

/// The case's network, built from its own description.
fileprivate func network(_ c: [String: Any]) throws -> LayeredNetwork {
  var shape = try integers(c["input_shape"])
  var layers: [Layer] = []
  for layer in c["layers"] as? [[String: Any]] ?? [] {
    let parameters = try (layer["parameters"] as? [Any] ?? []).map(numbers)
    let built: Layer
    switch layer["type"] as? String {
    case "conv1d", "conv2d":
      let out = layer["out_channels"] as! Int
      built = .convolution(Convolution(inputShape: shape, outChannels: out, kernel: try integers(layer["kernel"]), stride: try integers(layer["stride"]),
        padding: try integers(layer["padding"]), weights: parameters[0], biases: parameters[1], activation: try activation(layer)))
    case "maxpool", "avgpool":
      built = .pooling(Pooling(layer["type"] as? String == "maxpool" ? .max : .average, inputShape: shape, size: try integers(layer["size"]), stride: try integers(layer["stride"])))
    case "flatten": built = .flatten(Flatten(inputShape: shape))
    case "rnn":
      let hidden = layer["hidden"] as! Int
      built = .recurrent(Recurrent(steps: shape[0], inputWeights: Matrix(rows: hidden, columns: shape[1], values: parameters[0]),
        hiddenWeights: Matrix(rows: hidden, columns: hidden, values: parameters[1]), biases: parameters[2], activation: try activation(layer),
        returnsSequence: layer["returns"] as? String == "sequence"))
    case "dense":
      let neurons = layer["neurons"] as! Int
      built = .dense(DenseLayer(weights: Matrix(rows: neurons, columns: shape.reduce(1, *), values: parameters[0]), biases: parameters[1], activation: try activation(layer)))
    case let other: throw CaseError(description: "layer type \(String(describing: other))")
    }
    layers.append(built)
    shape = built.outputShape
  }
  let losses: [String: Loss] = ["half-squared-error": .halfSquaredError, "mean-squared-error": .meanSquaredError, "cross-entropy": .crossEntropy,
    "binary-cross-entropy": .meanBinaryCrossEntropy]
  guard let loss = losses[c["loss"] as? String ?? ""] else { throw CaseError(description: "loss \(String(describing: c["loss"]))") }
  return LayeredNetwork(inputShape: layers[0].inputShape, layers: layers, loss: loss, reduction: c["reduction"] as? String == "sum" ? .sum : .mean)
}

/// Every number of a nested list, in reading order.
fileprivate func flat(_ any: Any?) -> [Double] {
  if let n = any as? NSNumber { return [n.doubleValue] }
  return (any as? [Any] ?? []).flatMap(flat)
}

@Suite("Typed layers against the JAX reference")
struct LayerReferenceTests {
  static let kinds = ["conv1d", "conv2d", "maxpool", "avgpool", "flatten", "rnn"]

  @Test("the fixture holds at least 100 cases of every layer kind")
  func enoughCases() {
    for kind in Self.kinds {
      #expect(LayerFixture.cases.filter { $0["kind"] as? String == kind }.count >= 100, "\(kind)")
    }
  }

  @Test("every value of every case agrees with JAX to 1e-10", arguments: kinds)
  func agrees(kind: String) throws {
    let cases = LayerFixture.cases.filter { $0["kind"] as? String == kind }
    try #require(!cases.isEmpty, "no \(kind) cases in \(LayerFixture.url.path)")
    var checked = 0
    var worst = 0.0
    for c in cases {
      let id = c["id"] as? String ?? "?"
      var net = try network(c)
      let inputs = try (c["inputs"] as? [Any] ?? []).map(numbers)
      let targets = try (c["targets"] as? [Any] ?? []).map(numbers)
      let expected = c["expected"] as? [String: Any] ?? [:]
      let forward = net.forward(inputs)
      let loss = net.loss(forward, targets: targets)
      let backward = net.backward(forward, targets: targets)
      func same(_ a: Double, _ b: Double, _ what: String) {
        checked += 1
        let size = max(abs(a), abs(b))
        if size >= 1e-8 { worst = max(worst, abs(a - b) / size) }
        #expect(isClose(a, b, relative: 1e-10, absolute: 1e-13), "\(id) \(what): engine \(a), JAX \(b)")
      }
      func same(_ a: [Double], _ b: [Double], _ what: String) {
        #expect(a.count == b.count, "\(id) \(what): \(a.count) values, JAX \(b.count)")
        for (i, (x, y)) in zip(a, b).enumerated() { same(x, y, "\(what)[\(i)]") }
      }
      same(loss.total, (expected["E"] as? NSNumber)?.doubleValue ?? .nan, "E")
      same(loss.perSample, try numbers(expected["per_sample"]), "per_sample")
      for (l, layer) in (expected["layers"] as? [[String: Any]] ?? []).enumerated() {
        for n in inputs.indices {
          if let z = layer["z"] as? [Any] { same(forward.layers[l][n].z ?? [], flat(z[n]), "layer \(l + 1) z of sample \(n + 1)") }
          same(forward.layers[l][n].a, flat((layer["a"] as? [Any])?[n]), "layer \(l + 1) a of sample \(n + 1)")
          same(backward.layers[l][n].aGrad, flat((layer["a_grad"] as? [Any])?[n]), "layer \(l + 1) a_grad of sample \(n + 1)")
          if let d = layer["delta"] as? [Any] { same(backward.layers[l][n].delta ?? [], flat(d[n]), "layer \(l + 1) delta of sample \(n + 1)") }
        }
      }
      let gradients = expected["gradients"] as? [[Any]] ?? []
      for l in net.layers.indices {
        for p in net.layers[l].parameters.indices { same(backward.gradients[l][p], flat(gradients[l][p]), "layer \(l + 1) gradient \(p)") }
      }
      var state = LayeredOptimizerState(for: net)
      let rate = (c["learning_rate"] as? NSNumber)?.doubleValue ?? .nan
      let update = net.update(backward, optimizer: .sgd(.init(learningRate: rate)), state: &state)
      let after = expected["after"] as? [[Any]] ?? []
      for l in net.layers.indices {
        for p in net.layers[l].parameters.indices { same(update.after[l][p], flat(after[l][p]), "layer \(l + 1) parameter \(p) after the step") }
      }
    }
    #expect(checked > cases.count * 20)
    print("\(kind): \(cases.count) cases, \(checked) values, worst relative error \(worst)")
  }
}
