import Backprop

extension LessonRunner {
  /// The value a name has at this point of the lesson, or nil after recording why not.
  mutating func value(_ reference: String, at location: SourceLocation) -> Double? {
    switch lookup(reference) {
    case .success(let v): return v
    case .failure(let problem):
      if let broken = brokenBlock(of: reference) {
        skipped(broken.what, block: broken.at, at: location)
      } else if !(problem.missingValue && directiveFailed) {
        diagnostics.append(.error(problem.message, at: location, notes: problem.notes))
      }
      return nil
    }
  }

  /// The network or graph a reference reads when its block did not parse: its error is
  /// reported there, and whether this name would have existed cannot be known.
  func brokenBlock(of reference: String) -> (what: String, at: SourceLocation)? {
    let ref = ValueReference(reference)
    let prefix = ref.prefix
    if let prefix, let at = brokenNetworks[prefix], networks[prefix] == nil { return ("network `\(prefix)`", at) }
    if let prefix, let graph = brokenGraphNames[prefix] { return graph }
    if prefix == nil, let current, let at = brokenNetworks[current], networks[current] == nil { return ("network `\(current)`", at) }
    let base = String(ref.local.prefix { $0 != "." && $0 != "[" })
    return brokenGraphNames[base]
  }

  struct LookupProblem: Error {
    var message: String
    var notes: [String] = []
    /// The name is right but has no value yet (as after a failed directive).
    var missingValue = false
  }

  /// Resolves a reference: a network's value when it names one, else a graph's (`q`, `q.grad`,
  /// `GRAPH/q`; without a prefix, the latest graph's).
  func lookup(_ reference: String) -> Result<Double, LookupProblem> {
    if let around = updateLookup(reference) { return around }
    let fromNetwork = networkLookup(reference)
    if case .failure = fromNetwork, let fromGraph = graphLookup(reference) { return fromGraph }
    return fromNetwork
  }

  /// `NAME.after` and `NAME.before` (nil for other names): a value of the network's latest pass
  /// with an update so far, computed with the parameters after or before that update. The
  /// pass reads them, as it does for answers files and constraints.
  func updateLookup(_ reference: String) -> Result<Double, LookupProblem>? {
    let ref = ValueReference(reference)
    let networkName = ref.prefix ?? current
    guard ref.timing != .plain, let networkName, networks[networkName] != nil || layeredStates[networkName] != nil else { return nil }
    guard let pass = passes.last(where: { $0.networkName == networkName && $0.hasUpdate }) else {
      return .failure(LookupProblem(message: "`\(reference)` reads a value around an update, and network `\(networkName)` has had no update before this point",
        notes: ["run `update` or `step` on this network before this line"], missingValue: true))
    }
    let local = String(ref.local)
    switch pass.quantity(named: local) {
    case .success(.after(let q)): return .success(pass.afterUpdate()!.value(q))
    case .success(let q): return .success(pass.value(q))
    case .failure(let problem):
      let d = problem.diagnostic(local, pass: pass, at: SourceLocation(file: lesson.file, line: 1, column: 1))
      // The note about answers-file markers does not apply in a lesson.
      if case .notInPass = problem { return .failure(LookupProblem(message: d.message)) }
      return .failure(LookupProblem(message: d.message, notes: d.notes))
    }
  }

  /// Resolves `[NET/]name[.part][[sample]]` against the networks' current state.
  func networkLookup(_ reference: String) -> Result<Double, LookupProblem> {
    let ref = ValueReference(reference)
    let networkName = ref.prefix ?? current
    if let networkName, let state = layeredStates[networkName] { return layeredLookup(reference, state) }
    // Around-an-update names were read by `updateLookup`; here the timing is part of the name.
    var name = ref.timing == .plain ? ref.base : ref.local
    var sample: Int?
    if ref.timing == .plain, let written = ref.sample {
      guard let k = written else {
        return .failure(LookupProblem(message: "`\(reference)`: the sample index in brackets must be a whole number from 1"))
      }
      sample = k
    }
    guard let networkName, let state = networks[networkName] else {
      if let networkName {
        return .failure(LookupProblem(message: "unknown network `\(networkName)` in `\(reference)`", notes: [networks.isEmpty ? "no network is declared before this point" : "declared so far: \(networks.keys.sorted().joined(separator: ", "))"]))
      }
      return .failure(LookupProblem(message: "`\(reference)` has no value yet: no network is declared before this point", missingValue: true))
    }
    let names = state.declaration.names
    if let found = trainingLookup(reference, String(name), sample: sample, history: state.history, accuracy: state.accuracy) { return found }
    for (suffix, relative) in [(".grad.numeric", false), (".grad.error", true)] where name.hasSuffix(suffix) {
      let parameter = String(name.dropLast(suffix.count))
      guard let comparisons = state.gradientCheck else { return missing(reference, "gradcheck") }
      let found: GradientComparison?
      switch Self.resolve(parameter, names) {
      case .weight(let l, let j, let i, false): found = comparisons.first { $0.parameter == .weight(layer: l, neuron: j, input: i) }
      case .bias(let l, let j, false): found = comparisons.first { $0.parameter == .bias(layer: l, neuron: j) }
      default: found = nil
      }
      guard let found else { return .failure(LookupProblem(message: "`\(reference)`: `\(parameter)` is not a weight or bias of this network")) }
      return .success(relative ? found.relativeError : found.numeric)
    }
    guard let entry = Self.resolve(String(name), names) else {
      let suggestion = closestMatch(to: String(name), in: names.allValueNames)
      return .failure(LookupProblem(message: "unknown value `\(reference)`",
        notes: [suggestion.map { "did you mean `\($0)`?" } ?? "names look like h1.z, h1.a, o1.delta, w5, w5.grad, E (see the README)"]))
    }

    // Parameters need no sample.
    switch entry {
    case .weight(let l, let j, let i, let grad):
      if grad { return gradient(of: state, reference, "backward") { $0.weightGradients[l][j, i] } }
      if sample != nil { return .failure(LookupProblem(message: "`\(reference)`: a weight has no sample index")) }
      return .success(state.network.layers[l].weights[j, i])
    case .bias(let l, let j, let grad):
      if grad { return gradient(of: state, reference, "backward") { $0.biasGradients[l][j] } }
      if sample != nil { return .failure(LookupProblem(message: "`\(reference)`: a bias has no sample index")) }
      return .success(state.network.layers[l].biases[j])
    default: break
    }

    guard let data = state.data else {
      return .failure(LookupProblem(message: "`\(reference)` has no value yet: no directive has run network `\(networkName)`",
        notes: ["values appear after a `forward`, `loss`, `backward`, `step` or `train` block"], missingValue: true))
    }
    let count = data.count
    if sample == nil, count > 1, entry.isPerSample {
      return .failure(LookupProblem(message: "`\(reference)` has one value per sample and there are \(count): say which, e.g. `\(reference)[1]`"))
    }
    let n = (sample ?? 1) - 1
    if n >= count { return .failure(LookupProblem(message: "`\(reference)`: sample \(n + 1) does not exist; the data has \(count)")) }

    switch entry {
    case .input(let i): return .success(data.inputs[n, i])
    case .target(let k): return .success(data.targets[n, k])
    case .net(let l, let j):
      guard let f = state.forward else { return missing(reference, "forward") }
      return .success(f.z[l][n, j])
    case .out(let l, let j):
      guard let f = state.forward else { return missing(reference, "forward") }
      return .success(f.a[l][n, j])
    case .delta(let l, let j):
      return gradient(of: state, reference, "backward") { $0.delta[l][n, j] }
    case .outGradient(let l, let j):
      return gradient(of: state, reference, "backward") { $0.errorSignal[l][n, j] }
    case .error:
      guard let loss = state.loss else { return missing(reference, "loss") }
      return .success(sample == nil ? loss.total : loss.perSample[n])
    case .outputError(let k):
      guard let loss = state.loss else { return missing(reference, "loss") }
      return .success(loss.terms[n, k])
    case .weight, .bias: fatalError("handled above")
    }
  }

  /// `E.iteration[k]` and `accuracy`, from a network's latest `train` (nil for other names).
  func trainingLookup(_ reference: String, _ name: String, sample: Int?, history: [Double]?, accuracy: Double?) -> Result<Double, LookupProblem>? {
    switch name {
    case "E.iteration":
      guard let history else { return missing(reference, "train") }
      guard let k = sample else {
        return .failure(LookupProblem(message: "`\(reference)` needs an iteration, e.g. `E.iteration[100]`"))
      }
      guard k <= history.count else {
        return .failure(LookupProblem(message: "`\(reference)`: the last `train` block ran \(history.count) iterations"))
      }
      return .success(history[k - 1])
    case "accuracy":
      guard history != nil else { return missing(reference, "train") }
      guard let accuracy else {
        return .failure(LookupProblem(message: "`accuracy` needs class targets: one-hot rows, `labels`, or a single 0/1 output"))
      }
      return .success(accuracy)
    default: return nil
    }
  }

  func missing(_ reference: String, _ directive: String) -> Result<Double, LookupProblem> {
    .failure(LookupProblem(message: "`\(reference)` has no value at this point: it comes from \(directive == "update" ? "an" : "a") `\(directive)` block",
      notes: ["run `\(directive)` on this network before this line"], missingValue: true))
  }

  func gradient(of state: State, _ reference: String, _ directive: String, _ read: (BackwardPass) -> Double) -> Result<Double, LookupProblem> {
    guard let b = state.backward else { return missing(reference, "backward") }
    return .success(read(b))
  }

  enum Entry {
    case input(Int), target(Int), net(Int, Int), out(Int, Int), delta(Int, Int), outGradient(Int, Int)
    case error, outputError(Int)
    case weight(Int, Int, Int, grad: Bool), bias(Int, Int, grad: Bool)

    var isPerSample: Bool {
      switch self {
      case .weight, .bias, .error: false
      default: true
      }
    }
  }

  static func resolve(_ name: String, _ names: NetworkNames) -> Entry? {
    if name == "E" { return .error }
    if let i = names.inputs.firstIndex(of: name) { return .input(i) }
    var base = name
    let grad = name.hasSuffix(".grad")
    if grad { base.removeLast(5) }
    for l in names.weights.indices {
      for j in names.weights[l].indices {
        if let i = names.weights[l][j].firstIndex(of: base) { return .weight(l, j, i, grad: grad) }
      }
      if let j = names.biases[l].firstIndex(of: base) { return .bias(l, j, grad: grad) }
    }
    // Neuron quantities: `h1.z`, `h1.a.grad`, …
    guard let dot = name.firstIndex(of: ".") else { return nil }
    let neuron = String(name[..<dot])
    let part = String(name[name.index(after: dot)...])
    for l in names.neurons.indices {
      guard let j = names.neurons[l].firstIndex(of: neuron) else { continue }
      let isOutput = l == names.neurons.count - 1
      switch part {
      case "z", "net": return .net(l, j)
      case "a", "out": return .out(l, j)
      case "delta", "δ", "z.grad", "net.grad": return .delta(l, j)
      case "a.grad", "out.grad": return .outGradient(l, j)
      case "t", "target": return isOutput ? .target(j) : nil
      case "E": return isOutput ? .outputError(j) : nil
      default: return nil
      }
    }
    return nil
  }
}
