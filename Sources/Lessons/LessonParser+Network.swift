import Backprop
import Yams

extension LessonParser {
  static let networkKeys = [
    "from", "inputs", "layers", "loss", "reduction", "optimizer", "learning-rate",
    "update-biases", "update-order", "seed",
  ]
  static let layerKeys = ["neurons", "activation", "slope", "weights", "biases", "weight-names", "bias-names", "init"]
  static let activations = ["sigmoid", "tanh", "relu", "leaky-relu", "linear", "softmax"]
  static let losses: [String: Loss] = [
    "half-squared-error": .halfSquaredError, "mean-squared-error": .meanSquaredError, "mse": .meanSquaredError,
    "cross-entropy": .crossEntropy, "binary-cross-entropy": .binaryCrossEntropy,
  ]
  static let optimizerKeys = ["type", "learning-rate", "momentum", "dampening", "nesterov", "weight-decay", "alpha", "epsilon", "beta1", "beta2"]

  mutating func parseNetwork(_ root: Node, name: String, at location: SourceLocation, body: inout YAMLBody) -> NetworkSpec? {
    var root = root
    // `from: other` starts from another network's declaration; keys given here replace its keys.
    if case .mapping(let mapping) = root, let fromNode = mapping.first(where: { $0.key.string == "from" })?.value {
      if let base = fromNode.string.flatMap({ networkBodies[$0] }), case .mapping(let baseMapping) = base {
        var pairs = baseMapping.filter { pair in !mapping.contains { $0.key.string == pair.key.string } }.map { ($0.key, $0.value) }
        pairs += mapping.filter { $0.key.string != "from" }.map { ($0.key, $0.value) }
        root = .mapping(Node.Mapping(pairs))
      } else {
        body.error("`from` names no network declared before this one", at: fromNode,
          notes: networkBodies.isEmpty ? ["declare that network first"] : ["declared so far: \(networkBodies.keys.sorted().joined(separator: ", "))"])
        return nil
      }
    }
    if networkBodies[name] != nil {
      diagnostics.append(.error("a network named `\(name)` is already declared", at: location, notes: ["give this one another name: ```` ```network NAME ````"]))
    }
    networkBodies[name] = root

    let fields = body.fields(root, allowed: Self.networkKeys, what: "a network block")
    guard case .mapping = root else { return nil }
    var ok = true

    var inputs: [String] = []
    if let node = fields["inputs"] {
      if let count = node.int, count > 0, count <= 100_000 {
        inputs = (1...count).map { "i\($0)" }
      } else if let names = body.strings(node, "inputs") {
        inputs = names
        if names.isEmpty { body.error("a network needs at least one input", at: node); ok = false }
      } else { ok = false }
    } else {
      body.error("a network needs `inputs`, e.g. `inputs: [i1, i2]`", at: nil); ok = false
    }

    var layers: [LayerSpec] = []
    if let node = fields["layers"], let items = body.list(node, "layers") {
      if items.isEmpty { body.error("a network needs at least one layer", at: node); ok = false }
      var fanIn = inputs.count
      for (index, item) in items.enumerated() {
        let isOutput = index == items.count - 1
        let hiddenCount = items.count - 1
        if let layer = parseLayer(item, index: index, isOutput: isOutput, hiddenCount: hiddenCount, fanIn: fanIn, previous: index == 0 ? inputs : layers.last?.neurons ?? [], body: &body) {
          layers.append(layer)
          fanIn = layer.neurons.count
        } else {
          ok = false
          break
        }
      }
    } else {
      if fields["layers"] == nil { body.error("a network needs `layers`, a list with one entry per layer", at: nil) }
      ok = false
    }

    var loss = Loss.halfSquaredError
    if let node = fields["loss"], let word = body.string(node, "loss") {
      if let l = Self.losses[word] { loss = l } else {
        body.error("unknown loss `\(word)`", at: node, notes: [closestMatch(to: word, in: Array(Self.losses.keys)).map { "did you mean `\($0)`?" } ?? "known losses: \(Self.losses.keys.sorted().joined(separator: ", "))"])
        ok = false
      }
    }
    if let output = layers.last {
      switch loss {
      case .crossEntropy where output.activation != .softmax:
        body.error("cross-entropy needs a softmax output layer; this one is \(output.activation.name)", at: fields["loss"], notes: ["for sigmoid outputs use `binary-cross-entropy`"])
        ok = false
      case .binaryCrossEntropy where output.activation != .sigmoid:
        body.error("binary cross-entropy needs a sigmoid output layer; this one is \(output.activation.name)", at: fields["loss"])
        ok = false
      default: break
      }
    }

    var reduction = Reduction.mean
    if let node = fields["reduction"], let word = body.string(node, "reduction") {
      if let r = Reduction(rawValue: word) { reduction = r } else {
        body.error("unknown reduction `\(word)`", at: node, notes: ["use `mean` (the default) or `sum`"]); ok = false
      }
    }

    let optimizer = parseOptimizer(fields["optimizer"], learningRate: fields["learning-rate"], body: &body)
    if optimizer == nil { ok = false }

    var updatesBiases = true
    if let node = fields["update-biases"] {
      if let b = body.bool(node, "update-biases") { updatesBiases = b } else { ok = false }
    }
    var order = UpdateOrder.simultaneous
    if let node = fields["update-order"], let word = body.string(node, "update-order") {
      if let o = UpdateOrder(rawValue: word) { order = o } else {
        body.error("unknown update order `\(word)`", at: node, notes: ["use `simultaneous` (the standard) or `sequential`"]); ok = false
      }
    }
    var seed: UInt64 = 1
    if let node = fields["seed"] {
      if let s = body.integer(node, "seed", range: 0...Int.max) { seed = UInt64(s) } else { ok = false }
    }

    // Every name must say one thing.
    var seen: [String: String] = [:]
    func claim(_ name: String, _ role: String) {
      if let earlier = seen[name] {
        body.error("the name `\(name)` is used twice (\(earlier) and \(role))", at: nil)
        ok = false
      } else if name == "E" || name.contains("/") || name.contains("[") {
        body.error("`\(name)` cannot name a \(role): `E` is the error, and `/` and `[` have meanings in value names", at: nil)
        ok = false
      }
      seen[name] = role
    }
    inputs.forEach { claim($0, "input") }
    for layer in layers {
      layer.neurons.forEach { claim($0, "neuron") }
      layer.weightNames?.joined().forEach { claim($0, "weight") }
      layer.biasNames?.forEach { claim($0, "bias") }
    }

    guard ok, let optimizer else { return nil }
    return NetworkSpec(name: name, inputs: inputs, layers: layers, loss: loss, reduction: reduction, optimizer: optimizer,
      updatesBiases: updatesBiases, updateOrder: order, seed: seed)
  }

  mutating func parseLayer(_ node: Node, index: Int, isOutput: Bool, hiddenCount: Int, fanIn: Int, previous: [String], body: inout YAMLBody) -> LayerSpec? {
    let what = "layer \(index + 1)"
    let fields = body.fields(node, allowed: Self.layerKeys, what: what)
    guard case .mapping = node else { return nil }
    var ok = true

    var neurons: [String] = []
    if let n = fields["neurons"] {
      if let count = n.int {
        guard count > 0, count <= 100_000 else {
          body.error("\(what) needs at least one neuron", at: n); return nil
        }
        let prefix = isOutput ? "o" : (hiddenCount > 1 ? "h\(index + 1)_" : "h")
        neurons = (1...count).map { "\(prefix)\($0)" }
      } else if let names = body.strings(n, "neurons") {
        if names.isEmpty { body.error("\(what) needs at least one neuron", at: n); return nil }
        neurons = names
      } else { return nil }
    } else {
      body.error("\(what) needs `neurons`: a list of names, or how many", at: node); return nil
    }

    var activation = Activation.sigmoid
    if let a = fields["activation"], let word = body.string(a, "activation") {
      switch word {
      case "sigmoid": activation = .sigmoid
      case "tanh": activation = .tanh
      case "relu": activation = .relu
      case "leaky-relu":
        var slope = 0.01
        if let s = fields["slope"] { if let v = body.number(s, "slope") { slope = v } else { ok = false } }
        activation = .leakyReLU(slope: slope)
      case "linear": activation = .linear
      case "softmax":
        activation = .softmax
        if !isOutput { body.error("softmax is for the output layer only", at: a); ok = false }
      default:
        body.error("unknown activation `\(word)`", at: a, notes: [closestMatch(to: word, in: Self.activations).map { "did you mean `\($0)`?" } ?? "known activations: \(Self.activations.joined(separator: ", "))"])
        ok = false
      }
    }
    if fields["slope"] != nil, activation.name != "leaky-relu" {
      body.error("`slope` only applies to `leaky-relu`", at: fields["slope"]); ok = false
    }

    var weights: Matrix?
    if let w = fields["weights"] {
      if let rows = body.rows(w, "weights") {
        if rows.count != neurons.count {
          body.error("\(what) has \(neurons.count) neurons (\(neurons.joined(separator: ", "))), so it needs \(neurons.count) rows of weights, one per neuron; got \(rows.count)", at: w)
          ok = false
        } else if let first = rows.first, first.count != fanIn {
          body.error("each row of weights in \(what) needs \(fanIn) numbers, one per input (\(previous.joined(separator: ", "))); got \(first.count)", at: w)
          ok = false
        } else {
          weights = Matrix(rows)
        }
      } else { ok = false }
    }

    var biases: [Double]?
    if let b = fields["biases"] {
      if let single = b.float ?? b.int.map(Double.init), case .scalar = b {
        guard single.isFinite else { body.error("biases must be finite numbers", at: b); return nil }
        biases = Array(repeating: single, count: neurons.count)
      } else if let values = body.numbers(b, "biases") {
        if values.count != neurons.count {
          body.error("\(what) needs \(neurons.count) biases, one per neuron; got \(values.count)", at: b); ok = false
        } else { biases = values }
      } else { ok = false }
    }

    var initialization: Initialization = activation == .relu || activation.name == "leaky-relu" ? .he : .xavier
    if let i = fields["init"], let word = body.string(i, "init") {
      switch word {
      case "xavier", "glorot": initialization = .xavier
      case "he", "kaiming": initialization = .he
      case "uniform": initialization = .uniform(low: -1, high: 1)
      case "normal": initialization = .normal(standardDeviation: 1)
      default:
        body.error("unknown initialization `\(word)`", at: i, notes: ["use xavier, he, uniform or normal"]); ok = false
      }
      if weights != nil { body.error("`init` draws weights, but this layer gives them", at: i); ok = false }
    }

    var weightNames: [[String]]?
    if let n = fields["weight-names"] {
      if let items = body.list(n, "weight-names") {
        let rows = items.compactMap { body.strings($0, "each row of weight-names") }
        if rows.count != neurons.count || rows.contains(where: { $0.count != fanIn }) {
          body.error("weight-names in \(what) must be \(neurons.count) rows of \(fanIn) names, shaped like the weights", at: n); ok = false
        } else { weightNames = rows }
      } else { ok = false }
    }
    var biasNames: [String]?
    if let n = fields["bias-names"] {
      if let names = body.strings(n, "bias-names") {
        if names.count != neurons.count {
          body.error("bias-names in \(what) needs \(neurons.count) names, one per neuron", at: n); ok = false
        } else { biasNames = names }
      } else { ok = false }
    }
    guard ok else { return nil }
    return LayerSpec(neurons: neurons, activation: activation, weights: weights, biases: biases,
      initialization: initialization, weightNames: weightNames, biasNames: biasNames)
  }

  mutating func parseOptimizer(_ node: Node?, learningRate: Node?, body: inout YAMLBody) -> Optimizer? {
    var type = "sgd"
    var fields: [String: Node] = [:]
    if let node {
      if case .scalar = node {
        guard let word = body.string(node, "optimizer") else { return nil }
        type = word
      } else {
        fields = body.fields(node, allowed: Self.optimizerKeys, what: "the optimizer")
        if let t = fields["type"] { guard let word = body.string(t, "optimizer type") else { return nil }; type = word }
      }
    }
    if let learningRate {
      if fields["learning-rate"] != nil {
        body.error("the learning rate is given twice", at: learningRate); return nil
      }
      fields["learning-rate"] = learningRate
    }
    var ok = true
    func value(_ key: String, _ fallback: Double, range: ClosedRange<Double> = 0...Double.greatestFiniteMagnitude) -> Double {
      guard let n = fields[key] else { return fallback }
      guard let v = body.number(n, key) else { ok = false; return fallback }
      guard range.contains(v) else {
        body.error("\(key) must be between \(range.lowerBound) and \(range.upperBound == .greatestFiniteMagnitude ? "∞" : "\(range.upperBound)"); got \(v)", at: n)
        ok = false
        return fallback
      }
      return v
    }
    guard fields["learning-rate"] != nil else {
      body.error("the network needs a learning rate, e.g. `learning-rate: 0.5`", at: node); return nil
    }
    let rate = value("learning-rate", 0.1)
    let decay = value("weight-decay", 0)
    let allowed: [String: [String]] = [
      "sgd": ["momentum", "dampening", "nesterov"], "momentum": ["momentum", "dampening", "nesterov"],
      "rmsprop": ["alpha", "epsilon", "momentum"], "adam": ["beta1", "beta2", "epsilon"],
    ]
    guard let own = allowed[type] else {
      body.error("unknown optimizer `\(type)`", at: node, notes: [closestMatch(to: type, in: Array(allowed.keys)).map { "did you mean `\($0)`?" } ?? "use sgd, momentum, rmsprop or adam"])
      return nil
    }
    for key in fields.keys.sorted() where !own.contains(key) && !["type", "learning-rate", "weight-decay"].contains(key) {
      body.error("`\(key)` is not a setting of \(type)", at: fields[key], notes: ["\(type) takes: learning-rate, weight-decay, \(own.joined(separator: ", "))"])
      ok = false
    }
    let optimizer: Optimizer
    switch type {
    case "rmsprop":
      optimizer = .rmsprop(.init(learningRate: rate, alpha: value("alpha", 0.99, range: 0...1), epsilon: value("epsilon", 1e-8), momentum: value("momentum", 0, range: 0...1), weightDecay: decay))
    case "adam":
      optimizer = .adam(.init(learningRate: rate, beta1: value("beta1", 0.9, range: 0...0.999999), beta2: value("beta2", 0.999, range: 0...0.999999999), epsilon: value("epsilon", 1e-8), weightDecay: decay))
    default:
      var nesterov = false
      if let n = fields["nesterov"] { nesterov = body.bool(n, "nesterov") ?? false }
      let momentum = value("momentum", type == "momentum" ? 0.9 : 0, range: 0...1)
      let dampening = value("dampening", 0, range: 0...1)
      if nesterov, momentum == 0 || dampening != 0 {
        body.error("Nesterov momentum needs momentum > 0 and no dampening", at: fields["nesterov"]); ok = false
      }
      optimizer = .sgd(.init(learningRate: rate, momentum: momentum, dampening: dampening, nesterov: nesterov, weightDecay: decay))
    }
    return ok ? optimizer : nil
  }
}
