import Backprop

extension LayeredPass {
  /// A name split into its words and its bracket groups: `c1.a.grad[1,2,3][2]` is
  /// `c1.a.grad` with [[1, 2, 3], [2]]; `K[1,2].grad` is `K.grad` with [[1, 2]].
  static func split(_ text: Substring) -> (stem: String, groups: [[Int]?]) {
    var stem = ""
    var groups: [[Int]?] = []
    var rest = text[...]
    while let open = rest.firstIndex(of: "[") {
      stem += rest[..<open]
      guard let close = rest[open...].firstIndex(of: "]") else { return (stem + rest[open...], groups) }
      let parts = rest[rest.index(after: open)..<close].split(separator: ",", omittingEmptySubsequences: false)
      let numbers = parts.map { Int($0.filter { $0 != " " }) }
      groups.append(numbers.allSatisfy { $0 != nil } ? numbers.map { $0! } : nil)
      rest = rest[rest.index(after: close)...]
    }
    return (stem + rest, groups)
  }

  /// The quantity a value name means in this pass, read as ``Pass/quantity(named:)`` reads
  /// dense names: a parameter's plain name is its value after the pass's update when there is
  /// one; `.before` and `.after` choose.
  public func quantity(named reference: String) -> Result<Quantity, Pass.NameProblem> {
    let ref = ValueReference(reference)
    if let prefix = ref.prefix, prefix != networkName { return .failure(.unsupported) }
    var text = ref.local
    let timing = ref.timing
    if timing != .plain {
      let word = timing == .after ? ".after" : ".before"
      if let range = text.range(of: word, options: .backwards) { text.removeSubrange(range) }
    }
    let (stem, groups) = Self.split(text)
    var found: Quantity
    switch resolve(stem, groups) {
    case .success(let q): found = q
    case .failure(let problem): return .failure(problem)
    }
    switch timing {
    case .plain:
      if case .parameter(let l, let p, let i) = found, update != nil, network.updatesBiases || p != layers[l].biasTensor {
        found = .newParameter(l: l, p: p, index: i)
      }
    case .before: break
    case .after:
      guard update != nil else { return .failure(.notInPass(what: "an update")) }
      switch found {
      case .input, .target: break
      case .parameter(let l, let p, let i):
        if network.updatesBiases || p != layers[l].biasTensor { found = .newParameter(l: l, p: p, index: i) }
      default: found = .after(found)
      }
    }
    guard has(found) else {
      switch found.beforeUpdate {
      case .outputError, .sampleError, .error: return .failure(.notInPass(what: "an error (a `loss` block)"))
      case .cell, .parameterGrad: return .failure(.notInPass(what: "a backward pass"))
      default: return .failure(.notInPass(what: "an update"))
      }
    }
    return .success(found)
  }

  /// Reads `stem` and its bracket groups as a quantity before any update.
  func resolve(_ stem: String, _ groups: [[Int]?]) -> Result<Quantity, Pass.NameProblem> {
    var groups = groups[...]
    /// The flat index of the next group into `shape`, described by `how` for errors.
    func index(_ shape: [Int], _ how: String) -> Result<Int, Pass.NameProblem> {
      let dims = shape.map(String.init).joined(separator: "×")
      guard let first = groups.first else { return .failure(.badIndex("give its index, \(how), e.g. `\(stem)[\(shape.map { _ in "1" }.joined(separator: ","))]` (shape \(dims))")) }
      groups = groups.dropFirst()
      guard let written = first, written.count == shape.count, zip(written, shape).allSatisfy({ $0 >= 1 && $0 <= $1 }) else {
        return .failure(.badIndex("the index is \(how), each from 1 up to the shape \(dims)"))
      }
      return .success(zip(written, shape).reduce(0) { $0 * $1.1 + ($1.0 - 1) })
    }
    /// The sample, from the last group (only with several samples), for a per-sample value.
    func perSample(_ make: (Int) -> Quantity) -> Result<Quantity, Pass.NameProblem> {
      guard let group = groups.first else {
        return samples > 1 ? .failure(.needsSample(count: samples)) : .success(make(0))
      }
      guard groups.count == 1, let written = group, written.count == 1 else { return .failure(.unknown(suggestion: nil)) }
      guard written[0] >= 1, written[0] <= samples else { return .failure(.noSuchSample(count: samples)) }
      return .success(make(written[0] - 1))
    }
    func done(_ q: Quantity) -> Result<Quantity, Pass.NameProblem> {
      groups.isEmpty ? .success(q) : .failure(.badIndex("a parameter has no sample index"))
    }
    func chain<T>(_ r: Result<T, Pass.NameProblem>, _ then: (T) -> Result<Quantity, Pass.NameProblem>) -> Result<Quantity, Pass.NameProblem> {
      switch r {
      case .success(let v): then(v)
      case .failure(let p): .failure(p)
      }
    }

    if stem == "E" {
      // `E` is the batch error; `E[n]` one sample's (the same as E with one sample).
      return groups.isEmpty ? .success(.error) : perSample { samples == 1 ? .error : .sampleError(n: $0) }
    }
    if stem == spec.inputName {
      return chain(index(network.inputShape, "one number per dimension of the input")) { i in perSample { .input(i: i, n: $0) } }
    }
    let grad = stem.hasSuffix(".grad")
    let base = grad ? String(stem.dropLast(5)) : stem
    func parameter(_ l: Int, _ p: Int, _ i: Int) -> Quantity { grad ? .parameterGrad(l: l, p: p, index: i) : .parameter(l: l, p: p, index: i) }

    for (l, names) in spec.layers.enumerated() {
      switch layers[l] {
      case .dense(let d):
        if let w = names.weightNames, let j = w.firstIndex(where: { $0.contains(base) }) { return done(parameter(l, 0, j * d.inputCount + w[j].firstIndex(of: base)!)) }
        if let j = names.biasNames?.firstIndex(of: base) { return done(parameter(l, 1, j)) }
        for (j, neuron) in names.neurons.enumerated() {
          if base == "\(neuron).b" { return done(parameter(l, 1, j)) }
          if base == "\(neuron).w" { return chain(index([d.inputCount], "the input's number")) { i in done(parameter(l, 0, j * d.inputCount + i)) } }
          guard stem.hasPrefix(neuron + ".") else { continue }
          let part = stem.dropFirst(neuron.count + 1)
          let isOutput = l == output
          switch part {
          case "z", "net": return perSample { .cell(.z, l: l, index: j, n: $0) }
          case "a", "out": return perSample { .cell(.a, l: l, index: j, n: $0) }
          case "delta", "δ", "z.grad", "net.grad": return perSample { .cell(.delta, l: l, index: j, n: $0) }
          case "a.grad", "out.grad": return perSample { .cell(.aGrad, l: l, index: j, n: $0) }
          case "t", "target" where isOutput: return perSample { .target(k: j, n: $0) }
          case "E" where isOutput: return perSample { .outputError(k: j, n: $0) }
          default: return .failure(.unknown(suggestion: "\(neuron).\(notation.net)"))
          }
        }
      case .convolution(let c):
        let weights = parameterShape(l, 0)
        if let kernels = names.kernelNames, let o = kernels.firstIndex(of: base) {
          let own = Array(weights.dropFirst(c.inChannels == 1 ? 2 : 1))
          let how = c.inChannels == 1 ? (c.dimensions == 2 ? "[row,column]" : "[position]") : (c.dimensions == 2 ? "[channel,row,column]" : "[channel,position]")
          return chain(index(own, how)) { i in done(parameter(l, 0, o * weights.dropFirst().reduce(1, *) + i)) }
        }
      case .recurrent, .pooling, .flatten: break
      }
      if case .dense = layers[l] { continue }
      if let b = layers[l].biasTensor, let o = names.biasNames?.firstIndex(of: base) { return done(parameter(l, b, o)) }
      for (p, tensor) in layers[l].parameterShapes.enumerated() where base == "\(names.name).\(tensor.word)" {
        return chain(index(tensor.shape, tensor.axes)) { i in done(parameter(l, p, i)) }
      }
      guard stem.hasPrefix(names.name + ".") else { continue }
      let part = String(stem.dropFirst(names.name.count + 1))
      var fields: [String: CellField] = ["a": .a, "out": .a, "a.grad": .aGrad, "out.grad": .aGrad]
      if case .recurrent = layers[l] { (fields["h"], fields["h.grad"]) = (.a, .aGrad) }
      if layers[l].hasNetInput {
        for word in ["z", "net"] { fields[word] = .z }
        for word in ["delta", "δ", "z.grad", "net.grad"] { fields[word] = .delta }
      }
      let shape = layers[l].valueShape
      guard let field = fields[part] else {
        return .failure(.unknown(suggestion: "\(names.name).\(notation.out)\(Self.indexText(0, shape))"))
      }
      let how: String
      switch (layers[l], shape.count) {
      case (.recurrent, _): how = "[step,unit]"
      case (_, 3): how = "[channel,row,column]"
      case (_, 2): how = "[channel,position]"
      default: how = "[position]"
      }
      return chain(index(shape, how)) { i in perSample { n in alias(field, l, i, n) } }
    }
    return .failure(.unknown(suggestion: nil))
  }

  /// Flatten renames the values below it, so its cells are those: the input's, or the layer
  /// below's (the last step's for an rnn's h_T). Its gradient is the one below's too, except
  /// under an rnn, whose own ∂E/∂h also takes in what came back through time.
  func alias(_ field: CellField, _ l: Int, _ i: Int, _ n: Int) -> Quantity {
    guard case .flatten = layers[l] else { return .cell(field, l: l, index: i, n: n) }
    if l == 0 { return field == .a ? .input(i: i, n: n) : .cell(field, l: l, index: i, n: n) }
    if case .recurrent(let r) = layers[l - 1] {
      return field == .a ? .cell(.a, l: l - 1, index: i + (r.returnsSequence ? 0 : (r.steps - 1) * r.hidden), n: n) : .cell(field, l: l, index: i, n: n)
    }
    return alias(field, l - 1, i, n)
  }
}
