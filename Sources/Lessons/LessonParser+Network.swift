import Backprop
import Yams

extension LessonParser {
  static let networkKeys = [
    "from", "inputs", "layers", "loss", "reduction", "optimizer", "learning-rate",
    "update-biases", "update-order", "seed", "input-shape", "input-name",
  ]
  static let layerKeys = ["neurons", "activation", "slope", "weights", "biases", "weight-names", "bias-names", "init"]
  static let activations = ["sigmoid", "tanh", "relu", "leaky-relu", "linear", "softmax"]
  static let losses: [String: Loss] = [
    "half-squared-error": .halfSquaredError, "mean-squared-error": .meanSquaredError, "mse": .meanSquaredError,
    "cross-entropy": .crossEntropy, "binary-cross-entropy": .binaryCrossEntropy,
  ]
  static let optimizerKeys = [
    "type", "learning-rate", "momentum", "dampening", "nesterov", "weight-decay", "alpha", "epsilon", "beta1", "beta2", "centered", "amsgrad",
  ]
  /// Losses beyond `losses` that take settings: `loss: {type: huber, delta: 1}`.
  static let lossTypes = ["half-squared-error", "mean-squared-error", "mse", "cross-entropy", "binary-cross-entropy", "huber", "smooth-l1"]
  static let lossKeys = ["type", "outputs", "delta", "beta"]

  mutating func parseNetwork(_ root: Node, name: String, at location: SourceLocation, body: inout YAMLBody) -> NetworkSpec? {
    var root = root
    let earlier = networkDeclarations[name]
    if let earlier {
      diagnostics.append(.error("a network named `\(name)` is already declared", at: location,
        notes: ["the first is at line \(earlier.location.line); give this one another name: ```` ```network NAME ````"]))
    }
    // `from: other` starts from another network's declaration; keys given here replace its keys.
    var inherited: (name: String, at: SourceLocation)?
    if case .mapping(let mapping) = root, let fromNode = mapping.first(where: { $0.key.string == "from" })?.value {
      if let baseName = fromNode.string, let declared = networkDeclarations[baseName] {
        // The base's own errors are already reported; repeating them here would only confuse.
        guard declared.valid, let base = networkBodies[baseName], case .mapping(let baseMapping) = base else { return nil }
        // Inherited values point at `from: base`, since their own lines belong to another block.
        // A learning rate given here, at the top or inside `optimizer:`, replaces the base's wherever it was.
        let givesRate = mapping.contains { $0.key.string == "learning-rate" }
          || mapping.contains { $0.key.string == "optimizer" && $0.value["learning-rate"] != nil }
        var pairs = baseMapping.filter { pair in !mapping.contains { $0.key.string == pair.key.string } }
          .filter { !(givesRate && $0.key.string == "learning-rate") }
          .map { pair -> (Node, Node) in
            guard givesRate, pair.key.string == "optimizer", case .mapping(let settings) = pair.value else { return pair }
            return (pair.key, .mapping(Node.Mapping(settings.filter { $0.key.string != "learning-rate" }.map { ($0.key, $0.value) })))
          }
          .map { (Self.relocated($0.0, to: fromNode.mark), Self.relocated($0.1, to: fromNode.mark)) }
        pairs += mapping.filter { $0.key.string != "from" }.map { ($0.key, $0.value) }
        root = .mapping(Node.Mapping(pairs))
        inherited = (baseName, body.location(fromNode))
      } else {
        let declared = networkDeclarations.keys.sorted()
        body.error("`from` names no network declared before this one", at: fromNode,
          notes: [fromNode.string.flatMap { closestMatch(to: $0, in: declared) }.map { "did you mean `\($0)`?" }
            ?? (declared.isEmpty ? "declare that network first" : "declared so far: \(declared.joined(separator: ", "))")])
        return nil
      }
    }
    let before = body.diagnostics.count
    let spec = parseNetworkBody(root, name: name, body: &body)
    if let inherited {
      for i in before..<body.diagnostics.count where body.diagnostics[i].location == inherited.at {
        body.diagnostics[i].notes.append("this setting comes from network `\(inherited.name)` (line \(networkDeclarations[inherited.name]!.location.line)) through `from:`")
      }
    }
    if earlier == nil {
      networkBodies[name] = root
      networkDeclarations[name] = (location, spec != nil)
    }
    return spec
  }

  /// A copy of `node` whose every part is marked at `mark`.
  static func relocated(_ node: Node, to mark: Mark?) -> Node {
    switch node {
    case .scalar(var scalar):
      scalar.mark = mark
      return .scalar(scalar)
    case .mapping(let mapping):
      return .mapping(Node.Mapping(mapping.map { (relocated($0.key, to: mark), relocated($0.value, to: mark)) }, mapping.tag, mapping.style, mark))
    case .sequence(let sequence):
      return .sequence(Node.Sequence(sequence.map { relocated($0, to: mark) }, sequence.tag, sequence.style, mark))
    case .alias:
      return node
    }
  }

  private mutating func parseNetworkBody(_ root: Node, name: String, body: inout YAMLBody) -> NetworkSpec? {
    let fields = body.fields(root, allowed: Self.networkKeys, what: "a network block")
    guard case .mapping = root else { return nil }
    if Self.hasTypedLayers(fields) { return parseLayeredNetwork(fields, name: name, body: &body) }
    var ok = true
    /// Every name with the node that gave it, to report a name used twice where it is written.
    var names: [(name: String, role: String, node: Node)] = []

    var inputs: [String] = []
    if let node = fields["inputs"] {
      if let count = node.int {
        if count < 1 {
          body.error("a network needs at least one input", at: node); ok = false
        } else if count > 100_000 {
          body.error("\(count) inputs is more than a lesson can show; use at most 100000", at: node); ok = false
        } else {
          inputs = (1...count).map { "i\($0)" }
          names += inputs.map { ($0, "input", node) }
        }
      } else if let items = body.list(node, "inputs", example: "[i1, i2]` or a count, e.g. `2") {
        let words = items.compactMap { item in body.string(item, "each input").map { (item, $0) } }
        if words.count != items.count { ok = false }
        inputs = words.map(\.1)
        names += words.map { ($0.1, "input", $0.0) }
        if items.isEmpty { body.error("a network needs at least one input", at: node); ok = false }
      } else { ok = false }
    } else {
      body.missing("inputs", "a network needs `inputs`, e.g. `inputs: [i1, i2]`"); ok = false
    }

    var layers: [LayerSpec] = []
    if let node = fields["layers"], case .sequence(let sequence) = node {
      let items = Array(sequence)
      if items.isEmpty { body.error("a network needs at least one layer", at: node); ok = false }
      // The size feeding the next layer, while it is known; after a broken layer, shapes are not checked.
      var fanIn: Int? = ok ? inputs.count : nil
      var previous = inputs
      for (index, item) in items.enumerated() {
        let isOutput = index == items.count - 1
        if let layer = parseLayer(item, index: index, isOutput: isOutput, hiddenCount: items.count - 1, fanIn: fanIn, previous: previous, names: &names, body: &body) {
          layers.append(layer)
          fanIn = layer.neurons.count
          previous = layer.neurons
        } else {
          ok = false
          fanIn = nil
        }
      }
    } else {
      if let node = fields["layers"] {
        body.error("layers must be a list, with one `- neurons: …` entry per layer", at: node)
      } else {
        body.missing("layers", "a network needs `layers`, a list with one entry per layer")
      }
      ok = false
    }

    let output = ok ? layers.last?.activation : nil
    let training = parseTraining(fields, outputActivation: output, body: &body)
    if training == nil { ok = false }

    if !checkNames(names, body: &body) { ok = false }

    guard ok, let (loss, reduction, optimizer, updatesBiases, order, seed) = training else { return nil }
    return NetworkSpec(name: name, inputs: inputs, layers: layers, loss: loss, reduction: reduction, optimizer: optimizer,
      updatesBiases: updatesBiases, updateOrder: order, seed: seed)
  }

  /// Every name must say one thing, and none may be read as part of a value name.
  mutating func checkNames(_ names: [(name: String, role: String, node: Node)], body: inout YAMLBody) -> Bool {
    var ok = true
    var seen: [String: (role: String, node: Node)] = [:]
    for (name, role, node) in names {
      if let first = seen[name] {
        let at = body.location(first.node)
        body.error(first.role == role ? "`\(name)` names two \(role)s" : "`\(name)` names both \(Self.article(first.role)) and \(Self.article(role))", at: node,
          notes: ["the first is at line \(at.line), column \(at.column); each name must say one thing"])
        ok = false
      } else if name == "E" || name.contains("/") || name.contains("[") || name.contains(".") {
        body.error("`\(name)` cannot name \(Self.article(role)): `E` is the error, and `.`, `/` and `[` have meanings in value names", at: node)
        ok = false
        seen[name] = (role, node)
      } else {
        seen[name] = (role, node)
      }
    }
    return ok
  }

  /// The settings every network block shares: loss, reduction, optimizer, update-biases,
  /// update-order and seed; nil after reporting a problem. `outputActivation` (when the layers
  /// parsed) is checked against the loss.
  mutating func parseTraining(_ fields: [String: Node], outputActivation: Activation?, body: inout YAMLBody)
    -> (Loss, Reduction, Optimizer, Bool, UpdateOrder, UInt64)?
  {
    var ok = true
    var loss = Loss.halfSquaredError
    if let node = fields["loss"] {
      if let l = parseLoss(node, body: &body) { loss = l } else { ok = false }
    }
    if ok, let output = outputActivation {
      switch loss {
      case .crossEntropy where output != .softmax:
        body.error("cross-entropy needs a softmax output layer; this one is \(output.name)", at: fields["loss"], notes: ["for sigmoid outputs use `binary-cross-entropy`"])
        ok = false
      case .binaryCrossEntropy where output != .sigmoid, .meanBinaryCrossEntropy where output != .sigmoid:
        body.error("binary cross-entropy needs a sigmoid output layer; this one is \(output.name)", at: fields["loss"],
          notes: output == .softmax ? ["for softmax outputs use `cross-entropy`"] : [])
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

    guard ok, let optimizer else { return nil }
    return (loss, reduction, optimizer, updatesBiases, order, seed)
  }

  static func article(_ role: String) -> String { (role.first.map { "aeiou".contains($0) } ?? false ? "an " : "a ") + role }

  /// One entry of `layers`. `fanIn` is the number of inputs the layer receives, or nil when an
  /// earlier layer was broken and the shapes cannot be checked.
  mutating func parseLayer(_ node: Node, index: Int, isOutput: Bool, hiddenCount: Int, fanIn: Int?, previous: [String],
                           names: inout [(name: String, role: String, node: Node)], body: inout YAMLBody, typed: Bool = false) -> LayerSpec? {
    let what = "layer \(index + 1)"
    let fields = body.fields(node, allowed: Self.layerKeys + (typed ? ["type"] : []), what: what)
    guard case .mapping = node else { return nil }
    var ok = true

    var neurons: [String]?
    if let n = fields["neurons"] {
      if let count = n.int {
        if count < 1 {
          body.error("\(what) needs at least one neuron", at: n)
        } else if count > 100_000 {
          body.error("\(what) asks for \(count) neurons; a lesson may use at most 100000 in a layer", at: n)
        } else {
          let prefix = isOutput ? "o" : (hiddenCount > 1 ? "h\(index + 1)_" : "h")
          neurons = (1...count).map { "\(prefix)\($0)" }
          names += neurons!.map { ($0, "neuron", n) }
        }
      } else if let items = body.list(n, "neurons", example: "[h1, h2]` or a count, e.g. `2") {
        let words = items.compactMap { item in body.string(item, "each neuron").map { (item, $0) } }
        if items.isEmpty {
          body.error("\(what) needs at least one neuron", at: n)
        } else if words.count == items.count {
          neurons = words.map(\.1)
          names += words.map { ($0.1, "neuron", $0.0) }
        }
      }
    } else {
      body.error("\(what) needs `neurons`: a list of names, or how many", at: node)
    }
    if neurons == nil { ok = false }
    let count = neurons?.count

    let (activation, activationOK) = parseActivation(fields, default: .sigmoid, softmax: isOutput, body: &body)
    if !activationOK { ok = false }

    var weights: Matrix?
    if let w = fields["weights"] {
      if let rows = body.rows(w, "weights") {
        if let count, rows.count != count {
          body.error("\(what) has \(count) \(count == 1 ? "neuron" : "neurons") (\(neurons!.joined(separator: ", "))), so it needs \(count) \(count == 1 ? "row" : "rows") of weights, one per neuron; got \(rows.count)", at: w)
          ok = false
        } else if let fanIn, let first = rows.first, first.count != fanIn {
          body.error("each row of weights in \(what) needs \(fanIn) \(fanIn == 1 ? "number" : "numbers"), one per input (\(previous.joined(separator: ", "))); got \(first.count)", at: w)
          ok = false
        } else {
          weights = Matrix(rows)
        }
      } else { ok = false }
    }

    var biases: [Double]?
    if let b = fields["biases"] {
      if case .scalar = b {
        if let single = body.number(b, "biases") { biases = count.map { Array(repeating: single, count: $0) } } else { ok = false }
      } else if let values = body.numbers(b, "biases") {
        if let count, values.count != count {
          body.error("\(what) needs \(count) \(count == 1 ? "bias" : "biases"), one per neuron; got \(values.count)", at: b); ok = false
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
        body.error("unknown initialization `\(word)`", at: i, notes: [closestMatch(to: word, in: ["xavier", "he", "uniform", "normal"]).map { "did you mean `\($0)`?" } ?? "use xavier, he, uniform or normal"]); ok = false
      }
      if fields["weights"] != nil { body.error("`init` draws weights, but this layer gives them", at: i, notes: ["remove `init`, or remove `weights` to draw them"]); ok = false }
    }

    var weightNames: [[String]]?
    if let n = fields["weight-names"] {
      if let items = body.list(n, "weight-names", example: "[[w1, w2], [w3, w4]]") {
        let rows = items.compactMap { item in body.strings(item, "each row of weight-names", example: "[w1, w2]").map { (item, $0) } }
        if rows.count != items.count {
          ok = false
        } else if let count, let fanIn, rows.count != count || rows.contains(where: { $0.1.count != fanIn }) {
          body.error("weight-names in \(what) must be \(count) \(count == 1 ? "row" : "rows") of \(fanIn) \(fanIn == 1 ? "name" : "names"), shaped like the weights", at: n); ok = false
        } else {
          weightNames = rows.map(\.1)
          for (item, row) in rows {
            if case .sequence(let entries) = item { names += zip(row, entries).map { ($0, "weight", $1) } }
          }
        }
      } else { ok = false }
    }
    var biasNames: [String]?
    if let n = fields["bias-names"] {
      if let items = body.list(n, "bias-names", example: "[b1, b2]") {
        let words = items.compactMap { item in body.string(item, "each entry of bias-names").map { (item, $0) } }
        if words.count != items.count {
          ok = false
        } else if let count, words.count != count {
          body.error("bias-names in \(what) needs \(count) \(count == 1 ? "name" : "names"), one per neuron", at: n); ok = false
        } else {
          biasNames = words.map(\.1)
          names += words.map { ($0.1, "bias", $0.0) }
        }
      } else { ok = false }
    }
    guard ok, let neurons else { return nil }
    return LayerSpec(neurons: neurons, activation: activation, weights: weights, biases: biases,
      initialization: initialization, weightNames: weightNames, biasNames: biasNames)
  }

  /// A layer's `activation` (and `slope`), or `fallback` when none is given; `ok` is false
  /// after a problem was reported. `softmax` says whether this layer may use softmax.
  mutating func parseActivation(_ fields: [String: Node], default fallback: Activation, softmax: Bool, body: inout YAMLBody)
    -> (Activation, ok: Bool)
  {
    var ok = true
    var activation = fallback
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
        if !softmax {
          body.error("softmax is for the output layer only", at: a,
            notes: ["a hidden layer needs an activation of its own neuron, such as sigmoid, tanh or relu"])
          ok = false
        }
      default:
        body.error("unknown activation `\(word)`", at: a, notes: [closestMatch(to: word, in: Self.activations).map { "did you mean `\($0)`?" } ?? "known activations: \(Self.activations.joined(separator: ", "))"])
        ok = false
      }
    } else if fields["activation"] != nil { ok = false }
    if fields["slope"] != nil, activation.name != "leaky-relu", fields["activation"].flatMap(\.string).map(Self.activations.contains) ?? true {
      body.error("`slope` only applies to `leaky-relu`", at: fields["slope"]); ok = false
    }
    return (activation, ok)
  }

  /// `loss: NAME` or `loss: {type: NAME, outputs: mean|sum, delta: δ (huber), beta: β (smooth-l1)}`.
  /// `outputs` defaults to PyTorch's mean, except binary-cross-entropy in a format 1 lesson (sum).
  mutating func parseLoss(_ node: Node, body: inout YAMLBody) -> Loss? {
    var type: String
    var typeNode = node
    var settings: [String: Node] = [:]
    if case .scalar = node {
      guard let word = body.string(node, "loss") else { return nil }
      type = word
    } else {
      settings = body.fields(node, allowed: Self.lossKeys, what: "the loss")
      guard let t = settings["type"] else { body.error("the loss needs a `type`, e.g. `type: binary-cross-entropy`", at: node); return nil }
      guard let word = body.string(t, "loss type") else { return nil }
      type = word
      typeNode = t
    }
    guard Self.lossTypes.contains(type) else {
      body.error("unknown loss `\(type)`", at: typeNode, notes: [closestMatch(to: type, in: Self.lossTypes).map { "did you mean `\($0)`?" } ?? "known losses: \(Self.lossTypes.sorted().joined(separator: ", "))"])
      return nil
    }
    var ok = true
    let own: [String: String] = ["huber": "delta", "smooth-l1": "beta"]
    for key in ["delta", "beta"] where settings[key] != nil && own[type] != key {
      body.error("`\(key)` is not a setting of \(type)", at: settings[key], notes: [own[type].map { "\(type) takes: outputs, \($0)" } ?? "\(type) takes: outputs"])
      ok = false
    }
    var outputs: OutputReduction? = nil
    if let n = settings["outputs"], let word = body.string(n, "outputs") {
      if let r = OutputReduction(rawValue: word) { outputs = r } else {
        body.error("unknown output reduction `\(word)`", at: n, notes: ["use `mean` (PyTorch's) or `sum` over the outputs"]); ok = false
      }
    }
    var width = 1.0
    if let key = own[type], let n = settings[key] {
      if let v = body.number(n, key), v > 0, v.isFinite { width = v } else {
        body.error("\(key) must be a positive number", at: n); ok = false
      }
    }
    let loss: Loss
    switch type {
    case "half-squared-error":
      if outputs == .mean { body.error("half-squared-error sums over the outputs; for a mean use `mean-squared-error`", at: settings["outputs"]); ok = false }
      loss = .halfSquaredError
    case "cross-entropy":
      if outputs == .mean { body.error("cross-entropy sums over the classes, as torch.nn.CrossEntropyLoss does", at: settings["outputs"]); ok = false }
      loss = .crossEntropy
    case "mean-squared-error", "mse": loss = outputs == .sum ? .summedSquaredError : .meanSquaredError
    case "binary-cross-entropy":
      // Format 1 summed over the outputs; format 2 averages, as torch.nn.BCELoss does.
      loss = (outputs ?? (format >= 2 ? .mean : .sum)) == .mean ? .meanBinaryCrossEntropy : .binaryCrossEntropy
    case "huber": loss = .huber(delta: width, outputs: outputs ?? .mean)
    default: loss = .smoothL1(beta: width, outputs: outputs ?? .mean)
    }
    return ok ? loss : nil
  }

  mutating func parseOptimizer(_ node: Node?, learningRate: Node?, body: inout YAMLBody) -> Optimizer? {
    var type = "sgd"
    var fields: [String: Node] = [:]
    var typeNode = node
    if let node {
      if case .scalar = node {
        guard let word = body.string(node, "optimizer") else { return nil }
        type = word
      } else {
        fields = body.fields(node, allowed: Self.optimizerKeys, what: "the optimizer")
        if let t = fields["type"] { guard let word = body.string(t, "optimizer type") else { return nil }; type = word; typeNode = t }
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
        body.error("\(key) must be between \(plainNumber(range.lowerBound)) and \(range.upperBound == .greatestFiniteMagnitude ? "∞" : plainNumber(range.upperBound)); got \(plainNumber(v))", at: n,
          notes: key == "learning-rate" ? ["a negative learning rate climbs the error instead of descending it"] : [])
        ok = false
        return fallback
      }
      return v
    }
    guard fields["learning-rate"] != nil else {
      if let node, case .mapping = node {
        body.error("the network needs a learning rate, e.g. `learning-rate: 0.5`", at: node)
      } else {
        body.missing("learning-rate", "the network needs a learning rate, e.g. `learning-rate: 0.5`")
      }
      return nil
    }
    let rate = value("learning-rate", 0.1)
    // AdamW's decoupled decay defaults to torch.optim.AdamW's 0.01.
    let decay = value("weight-decay", type == "adamw" ? 0.01 : 0)
    func flag(_ key: String) -> Bool {
      guard let n = fields[key] else { return false }
      guard let b = body.bool(n, key) else { ok = false; return false }
      return b
    }
    let allowed: [String: [String]] = [
      "sgd": ["momentum", "dampening", "nesterov"], "momentum": ["momentum", "dampening", "nesterov"],
      "rmsprop": ["alpha", "epsilon", "momentum", "centered"], "adam": ["beta1", "beta2", "epsilon", "amsgrad"],
      "adamw": ["beta1", "beta2", "epsilon", "amsgrad"],
    ]
    guard let own = allowed[type] else {
      body.error("unknown optimizer `\(type)`", at: typeNode, notes: [closestMatch(to: type, in: Array(allowed.keys)).map { "did you mean `\($0)`?" } ?? "use sgd, momentum, rmsprop, adam or adamw"])
      return nil
    }
    for key in fields.keys.sorted() where !own.contains(key) && !["type", "learning-rate", "weight-decay"].contains(key) {
      body.error("`\(key)` is not a setting of \(type)", at: fields[key], notes: ["\(type) takes: learning-rate, weight-decay, \(own.joined(separator: ", "))"])
      ok = false
    }
    let optimizer: Optimizer
    switch type {
    case "rmsprop":
      optimizer = .rmsprop(.init(learningRate: rate, alpha: value("alpha", 0.99, range: 0...1), epsilon: value("epsilon", 1e-8), momentum: value("momentum", 0, range: 0...1), weightDecay: decay, centered: flag("centered")))
    case "adam", "adamw":
      let settings = Optimizer.Adam(learningRate: rate, beta1: value("beta1", 0.9, range: 0...0.999999), beta2: value("beta2", 0.999, range: 0...0.999999999), epsilon: value("epsilon", 1e-8), weightDecay: decay, amsgrad: flag("amsgrad"))
      optimizer = type == "adam" ? .adam(settings) : .adamw(settings)
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
