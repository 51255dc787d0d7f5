import Backprop
import Yams

/// Network blocks with typed layers: `input-shape` and layers of `type:` conv1d, conv2d,
/// maxpool, avgpool, flatten, rnn or dense. A new layer kind is one more case of
/// `parseTypedLayer` and of its key list.
extension LessonParser {
  static let typedLayerKeys: [String: [String]] = [
    "conv1d": convolutionKeys, "conv2d": convolutionKeys,
    "maxpool": ["type", "name", "size", "stride"], "avgpool": ["type", "name", "size", "stride"],
    "flatten": ["type", "name"],
    "rnn": ["type", "name", "hidden", "activation", "slope", "input-weights", "hidden-weights", "biases", "returns", "init"],
  ]
  static let convolutionKeys = [
    "type", "name", "channels", "kernel", "stride", "padding", "activation", "slope", "weights", "biases", "kernel-names", "bias-names", "init",
  ]
  static let layerTypes = ["dense"] + typedLayerKeys.keys.sorted()
  /// Weights one typed layer may have, checked as it is parsed (the run's `--max-parameters`
  /// limit, 1,000,000 by default, applies to the whole network after).
  static let maxLayerWeights = 10_000_000
  /// The letter before a typed layer's number in its default name (`c1`, `p1`, `f1`, `r1`).
  static let layerLetters = ["conv1d": "c", "conv2d": "c", "maxpool": "p", "avgpool": "p", "flatten": "f", "rnn": "r"]

  /// Whether a network block is of typed layers: it gives `input-shape`, or a layer names a
  /// type other than dense.
  static func hasTypedLayers(_ fields: [String: Node]) -> Bool {
    if fields["input-shape"] != nil { return true }
    guard case .sequence(let layers)? = fields["layers"] else { return false }
    return layers.contains { layer in layer["type"].map { $0.string != "dense" } ?? false }
  }

  mutating func parseLayeredNetwork(_ fields: [String: Node], name: String, body: inout YAMLBody) -> NetworkSpec? {
    var ok = true
    var names: [(name: String, role: String, node: Node)] = []
    if let node = fields["inputs"] {
      body.error("a network of typed layers takes `input-shape`, not `inputs`", at: node,
        notes: ["e.g. `input-shape: [1, 4, 4]` for one 4×4 channel; its values are `x[1,1,1]`…"])
      ok = false
    }
    var shape: [Int]?
    if let node = fields["input-shape"] {
      shape = parseDimensions(node, "input-shape", count: nil, range: 1...10_000, body: &body)
      if let s = shape, s.count > 3 {
        body.error("input-shape has at most 3 entries (channels, height, width); got \(s.count)", at: node); shape = nil
      } else if let s = shape, s.reduce(1, *) > 1_000_000 {
        body.error("an input of \(s.reduce(1, *)) numbers is more than a lesson can show; use at most 1000000", at: node); shape = nil
      }
      if shape == nil { ok = false }
    } else {
      body.missing("input-shape", "a network of typed layers needs `input-shape`, e.g. `[1, 4, 4]` (channels, height, width) or `[3, 1]` (steps, features) for an rnn")
      ok = false
    }
    var inputName = "x"
    if let node = fields["input-name"] {
      if let word = body.string(node, "input-name") { inputName = word; names.append((word, "input", node)) } else { ok = false }
    } else if let node = fields["input-shape"] {
      names.append((inputName, "input", node))
    }
    if let node = fields["update-order"], node.string != "simultaneous" {
      body.error("a network of typed layers updates every parameter from the same gradients: `update-order` can only be `simultaneous`", at: node)
      ok = false
    }

    var rng = SeededGenerator(seed: UInt64(fields["seed"]?.int.map { max($0, 0) } ?? 1))
    var layers: [Layer] = []
    var layerNames: [TypedLayerNames] = []
    var counts: [String: Int] = [:]
    if let node = fields["layers"], case .sequence(let sequence) = node {
      let items = Array(sequence)
      if items.isEmpty { body.error("a network needs at least one layer", at: node); ok = false }
      var previous: [String] = [inputName]
      for (index, item) in items.enumerated() {
        let isOutput = index == items.count - 1
        if let (layer, named) = parseTypedLayer(item, index: index, count: items.count, shape: ok ? shape : nil, previous: previous,
          counts: &counts, rng: &rng, names: &names, body: &body)
        {
          layers.append(layer)
          layerNames.append(named)
          shape = layer.outputShape
          previous = named.neurons.isEmpty ? ["\(named.name).a[…]"] : named.neurons
          if isOutput, named.type != "dense" {
            body.error("the last layer must be dense: its neurons are the outputs the loss compares with the targets", at: item,
              notes: ["end with `- type: flatten` and then `- neurons: 1`"])
            ok = false
          }
        } else {
          ok = false
          shape = nil
        }
      }
    } else {
      if let node = fields["layers"] {
        body.error("layers must be a list, with one `- type: …` entry per layer", at: node)
      } else {
        body.missing("layers", "a network needs `layers`, a list with one entry per layer")
      }
      ok = false
    }
    let training = parseTraining(fields, outputActivation: ok ? layers.last?.activation : nil, body: &body)
    if training == nil { ok = false }
    if !checkNames(names, body: &body) { ok = false }
    guard ok, let (loss, reduction, optimizer, updatesBiases, _, seed) = training, let first = layers.first else { return nil }
    let network = LayeredNetwork(inputShape: first.inputShape, layers: layers, loss: loss, reduction: reduction, updatesBiases: updatesBiases)
    return NetworkSpec(name: name, inputs: [], layers: [], loss: loss, reduction: reduction, optimizer: optimizer, updatesBiases: updatesBiases,
      updateOrder: .simultaneous, seed: seed, layered: LayeredSpec(network: network, inputName: inputName, layers: layerNames))
  }

  /// One entry of a typed network's `layers`, built on `shape` (nil when an earlier layer was
  /// broken: the entry's own keys are still checked).
  mutating func parseTypedLayer(_ node: Node, index: Int, count: Int, shape: [Int]?, previous: [String], counts: inout [String: Int],
    rng: inout SeededGenerator, names: inout [(name: String, role: String, node: Node)], body: inout YAMLBody) -> (Layer, TypedLayerNames)?
  {
    let what = "layer \(index + 1)"
    guard case .mapping = node else { body.error("\(what) must be a mapping of `key: value` lines", at: node); return nil }
    var type = "dense"
    if let t = node["type"] {
      guard let word = body.string(t, "type") else { return nil }
      guard Self.layerTypes.contains(word) else {
        body.error("unknown layer type `\(word)`", at: t, notes: [closestMatch(to: word, in: Self.layerTypes).map { "did you mean `\($0)`?" } ?? "layer types: \(Self.layerTypes.joined(separator: ", "))"])
        return nil
      }
      type = word
    }
    if type == "dense" {
      let fanIn = shape.flatMap { $0.count == 1 ? $0[0] : nil }
      if let shape, shape.count != 1 {
        body.error("a dense layer takes a list of numbers, and \(what)'s input is \(shape.map(String.init).joined(separator: "×"))", at: node,
          notes: ["put `- type: flatten` before it"])
      }
      guard let spec = parseLayer(node, index: index, isOutput: index == count - 1, hiddenCount: count - 1, fanIn: fanIn, previous: previous,
        names: &names, body: &body, typed: true), let fanIn
      else { return nil }
      let weights = spec.weights ?? spec.initialization.weights(neurons: spec.neurons.count, inputs: fanIn, using: &rng)
      let layer = DenseLayer(weights: weights, biases: spec.biases ?? Array(repeating: 0, count: spec.neurons.count), activation: spec.activation)
      return (.dense(layer), TypedLayerNames(type: type, name: spec.neurons[0], neurons: spec.neurons, weightNames: spec.weightNames, biasNames: spec.biasNames))
    }

    let fields = body.fields(node, allowed: Self.typedLayerKeys[type]!, what: "\(what) (\(type))")
    var ok = true
    let letter = Self.layerLetters[type]!
    counts[letter, default: 0] += 1
    var named = TypedLayerNames(type: type, name: "\(letter)\(counts[letter]!)")
    if let n = fields["name"] {
      if let word = body.string(n, "name") { named.name = word } else { ok = false }
    }
    names.append((named.name, "layer", fields["name"] ?? node))
    let rank = shape?.count
    func needRank(_ ranks: [Int], _ description: String) {
      guard let shape, !ranks.contains(shape.count) else { return }
      body.error("\(type) takes \(description), and \(what)'s input is \(shape.map(String.init).joined(separator: "×"))", at: fields["type"] ?? node)
      ok = false
    }
    func initialization(_ activation: Activation) -> Initialization? {
      guard let i = fields["init"] else { return activation == .relu || activation.name == "leaky-relu" ? .he : .xavier }
      guard let word = body.string(i, "init") else { return nil }
      let known: [String: Initialization] = ["xavier": .xavier, "glorot": .xavier, "he": .he, "kaiming": .he, "uniform": .uniform(low: -1, high: 1), "normal": .normal(standardDeviation: 1)]
      guard let found = known[word] else {
        body.error("unknown initialization `\(word)`", at: i, notes: ["use xavier, he, uniform or normal"]); return nil
      }
      return found
    }
    func biases(_ count: Int, _ role: String) -> [Double]? {
      guard let b = fields["biases"] else { return Array(repeating: 0, count: count) }
      if case .scalar = b { return body.number(b, "biases").map { Array(repeating: $0, count: count) } }
      guard let values = body.numbers(b, "biases") else { return nil }
      guard values.count == count else {
        body.error("\(what) needs \(count) \(count == 1 ? "bias" : "biases"), one per \(role); got \(values.count)", at: b); return nil
      }
      return values
    }
    func wordList(_ key: String, count: Int, role: String) -> [String]? {
      guard let n = fields[key] else { return nil }
      guard let items = body.list(n, key, example: "[K1, K2]") else { ok = false; return nil }
      let words = items.compactMap { item in body.string(item, "each entry of \(key)").map { (item, $0) } }
      guard words.count == items.count else { ok = false; return nil }
      guard words.count == count else {
        body.error("\(key) in \(what) needs \(count) \(count == 1 ? "name" : "names"), one per \(role)", at: n); ok = false; return nil
      }
      names += words.map { ($0.1, role == "output channel" ? "kernel" : "bias", $0.0) }
      return words.map(\.1)
    }

    switch type {
    case "conv1d", "conv2d":
      let dims = type == "conv1d" ? 1 : 2
      needRank([dims + 1], dims == 2 ? "channels × height × width" : "channels × length")
      var channels = 1
      if let c = fields["channels"] { if let v = body.integer(c, "channels", range: 1...256) { channels = v } else { ok = false } }
      guard let kernelNode = fields["kernel"] else {
        // After "unknown key `kernal`, did you mean `kernel`?" the missing key is that one.
        if !body.suggested.contains("kernel") { body.error("\(what) (\(type)) needs `kernel`: its size, e.g. `kernel: 2` or `kernel: [2, 3]`", at: node) }
        return nil
      }
      let kernel = parseDimensions(kernelNode, "kernel", count: dims, range: 1...1_000, body: &body)
      let stride = fields["stride"].map { parseDimensions($0, "stride", count: dims, range: 1...1_000, body: &body) } ?? Array(repeating: 1, count: dims)
      let padding = fields["padding"].map { parseDimensions($0, "padding", count: dims, range: 0...1_000, body: &body) } ?? Array(repeating: 0, count: dims)
      let (activation, activationOK) = parseActivation(fields, default: .linear, softmax: false, body: &body)
      named.kernelNames = wordList("kernel-names", count: channels, role: "output channel")
      named.biasNames = wordList("bias-names", count: channels, role: "output channel's bias")
      let b = biases(channels, "output channel")
      guard ok, activationOK, let kernel, let stride, let padding, let b, let shape, shape.count == dims + 1 else { return nil }
      for d in 0..<dims where shape[1 + d] + 2 * padding[d] < kernel[d] {
        body.error("the kernel (\(kernel.map(String.init).joined(separator: "×"))) is larger than \(what)'s padded input (\(shape.dropFirst().enumerated().map { String($0.element + 2 * padding[$0.offset]) }.joined(separator: "×")))", at: kernelNode)
        return nil
      }
      let size = channels * shape[0] * kernel.reduce(1, *)
      // Checked before anything is drawn, so an absurd layer costs nothing.
      guard size <= Self.maxLayerWeights else {
        body.error("\(what) would have \(size) weights; a layer of a lesson may have at most \(Self.maxLayerWeights)", at: kernelNode); return nil
      }
      var weights: [Double]
      if let w = fields["weights"] {
        guard let (values, innermost) = nestedNumbers(w, "weights", body: &body) else { return nil }
        guard values.count == size, innermost == kernel.last! else {
          let wanted = ([channels, shape[0]] + kernel).map(String.init).joined(separator: "×")
          body.error("\(what)'s weights must be \(size) numbers, \(wanted) (output channels × input channels × kernel) in rows of \(kernel.last!); got \(values.count)", at: w,
            notes: channels == 1 && shape[0] == 1 && dims == 2 ? ["with one channel in and out, the kernel's rows are enough: `weights: [[0.5, -0.25], [0.25, 0.5]]`"] : [])
          return nil
        }
        weights = values
        if fields["init"] != nil { body.error("`init` draws weights, but this layer gives them", at: fields["init"]); return nil }
      } else {
        guard let i = initialization(activation) else { return nil }
        weights = i.weights(neurons: channels, inputs: size / channels, using: &rng).values
      }
      let c = Convolution(inputShape: shape, outChannels: channels, kernel: kernel, stride: stride, padding: padding, weights: weights, biases: b, activation: activation)
      return (.convolution(c), named)

    case "maxpool", "avgpool":
      needRank([2, 3], "channels × length or channels × height × width")
      // After a shape error the window's size cannot be checked against anything.
      if let rank, rank < 2 || rank > 3 { return nil }
      let dims = (rank ?? 3) - 1
      guard let sizeNode = fields["size"] else {
        if !body.suggested.contains("size") { body.error("\(what) (\(type)) needs `size`: the window, e.g. `size: 2`", at: node) }
        return nil
      }
      let size = parseDimensions(sizeNode, "size", count: dims, range: 1...1_000, body: &body)
      let stride = fields["stride"].map { parseDimensions($0, "stride", count: dims, range: 1...1_000, body: &body) } ?? size
      guard ok, let size, let stride, let shape, shape.count == dims + 1 else { return nil }
      for d in 0..<dims where shape[1 + d] < size[d] {
        body.error("the window (\(size.map(String.init).joined(separator: "×"))) is larger than \(what)'s input (\(shape.dropFirst().map(String.init).joined(separator: "×")))", at: sizeNode)
        return nil
      }
      return (.pooling(Pooling(type == "maxpool" ? .max : .average, inputShape: shape, size: size, stride: stride)), named)

    case "flatten":
      guard ok, let shape else { return nil }
      return (.flatten(Flatten(inputShape: shape)), named)

    default:  // rnn
      needRank([2], "a sequence, steps × features (e.g. `input-shape: [3, 1]`)")
      guard let hiddenNode = fields["hidden"] else {
        if body.suggested.contains("hidden") { return nil }
        body.error("\(what) (rnn) needs `hidden`: the size of its hidden state, e.g. `hidden: 2`", at: node); return nil
      }
      let hidden = body.integer(hiddenNode, "hidden", range: 1...1_000)
      let (activation, activationOK) = parseActivation(fields, default: .tanh, softmax: false, body: &body)
      var returnsSequence = false
      if let r = fields["returns"], let word = body.string(r, "returns") {
        if word == "sequence" { returnsSequence = true } else if word != "last" {
          body.error("`returns` is `last` (h_T, the default) or `sequence` (every h_t)", at: r); ok = false
        }
      }
      guard ok, activationOK, let hidden, let shape, shape.count == 2, let b = biases(hidden, "hidden unit") else { return nil }
      let features = shape[1]
      guard hidden * (features + hidden) <= Self.maxLayerWeights else {
        body.error("\(what) would have \(hidden * (features + hidden)) weights; a layer of a lesson may have at most \(Self.maxLayerWeights)", at: hiddenNode); return nil
      }
      func matrix(_ key: String, columns: Int, role: String) -> Matrix? {
        if let w = fields[key] {
          guard let rows = body.rows(w, key, width: columns, widthReason: ", one per \(role)") else { return nil }
          guard rows.count == hidden else {
            body.error("\(key) in \(what) needs \(hidden) \(hidden == 1 ? "row" : "rows"), one per hidden unit; got \(rows.count)", at: w); return nil
          }
          return Matrix(rows)
        }
        return initialization(activation)?.weights(neurons: hidden, inputs: columns, using: &rng)
      }
      if let i = fields["init"], fields["input-weights"] != nil, fields["hidden-weights"] != nil {
        body.error("`init` draws weights, but this layer gives them", at: i, notes: ["remove `init`, or remove the weights to draw them"]); return nil
      }
      guard let wx = matrix("input-weights", columns: features, role: "input feature"), let wh = matrix("hidden-weights", columns: hidden, role: "hidden unit") else { return nil }
      return (.recurrent(Recurrent(steps: shape[0], inputWeights: wx, hiddenWeights: wh, biases: b, activation: activation, returnsSequence: returnsSequence)), named)
    }
  }

  /// A size per dimension: one whole number for all of them, or a list of `count` (any length
  /// when nil).
  mutating func parseDimensions(_ node: Node, _ what: String, count: Int?, range: ClosedRange<Int>, body: inout YAMLBody) -> [Int]? {
    if case .scalar = node, count != nil {
      return body.integer(node, what, range: range).map { Array(repeating: $0, count: count!) }
    }
    guard let items = body.list(node, what, example: count == 2 || count == nil ? "[2, 2]" : "[2]") else { return nil }
    let values = items.compactMap { body.integer($0, "each entry of \(what)", range: range) }
    guard values.count == items.count else { return nil }
    if let count, values.count != count {
      body.error("\(what) needs \(count) \(count == 1 ? "number" : "numbers"), one per dimension; got \(values.count)", at: node); return nil
    }
    if values.isEmpty { body.error("\(what) must not be empty", at: node); return nil }
    return values
  }

  /// The numbers of a nested list, in reading order, and the length of its innermost lists;
  /// every entry that is not a number is reported.
  mutating func nestedNumbers(_ node: Node, _ what: String, body: inout YAMLBody) -> ([Double], innermost: Int)? {
    var out: [Double] = []
    var innermost = 0
    var ok = true
    func walk(_ n: Node) {
      guard case .sequence(let items) = n else {
        if let v = body.number(n, what, in: what) { out.append(v) } else { ok = false }
        return
      }
      if items.allSatisfy({ if case .scalar = $0 { true } else { false } }) { innermost = items.count }
      for item in items { walk(item) }
    }
    guard case .sequence = node else { body.error("\(what) must be a list of numbers, nested by channel and row", at: node); return nil }
    walk(node)
    return ok ? (out, innermost) : nil
  }
}
