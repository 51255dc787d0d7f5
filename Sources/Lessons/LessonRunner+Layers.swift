import Backprop

extension LessonRunner {
  /// A network of typed layers, as the lesson has it so far.
  struct LayeredState {
    var declaration: LayeredDeclaration
    var network: LayeredNetwork
    var optimizerState: LayeredOptimizerState
    var dataName: String?
    var data: Dataset?
    var forward: LayeredForward?
    var loss: LossValue?
    var backward: LayeredBackward?
    var history: [Double]?
    /// After `train` on class targets: the share of samples classified right.
    var accuracy: Double?
    var gradientCheck: [LayeredGradientComparison]?
    var forwardIsCurrent = false

    /// The values as they are now, for `{{…}}` and checks: the latest forward, error and
    /// backward pass, with the current parameters.
    func current(notation: Notation) -> LayeredPass {
      let rows = data?.inputs.nested ?? []
      return LayeredPass(networkName: declaration.spec.name, spec: declaration.layered, notation: notation, network: network,
        optimizer: declaration.spec.optimizer, inputs: forward == nil ? [] : rows, targets: forward == nil ? [] : data?.targets.nested ?? [],
        forward: forward ?? LayeredForward(inputs: [], layers: [], outputs: []), loss: loss, backward: backward, update: nil)
    }
  }

  mutating func declareLayered(_ spec: NetworkSpec, _ layered: LayeredSpec, at location: SourceLocation) {
    let network = layered.network
    if network.parameterCount > limits.parameters {
      error("network `\(spec.name)` has \(network.parameterCount) parameters, over the limit of \(limits.parameters)", at: location,
        notes: ["raise the limit on purpose with `--max-parameters N`"])
      return
    }
    // One sample's forward pass must stay small enough that every directive can afford it.
    if network.multiplyAdds > limits.work / 1000 {
      error("network `\(spec.name)` takes about \(Int(network.multiplyAdds)) multiply-adds per sample, over the limit of \(Int(limits.work / 1000)) for a lesson's network", at: location,
        notes: ["use a smaller input, fewer channels or a smaller kernel, or raise the limit on purpose with `--max-work N` (a thousandth of it)"])
      return
    }
    let declaration = LayeredDeclaration(spec: spec, layered: layered, location: location)
    layeredStates[spec.name] = LayeredState(declaration: declaration, network: network, optimizerState: LayeredOptimizerState(for: network))
    current = spec.name
    items.append(.layeredNetwork(declaration))
  }

  mutating func runLayered(_ kind: Directive, _ spec: DirectiveSpec, network networkName: String, data dataName: String, at location: SourceLocation) {
    guard var state = layeredStates[networkName] else { return }
    current = networkName
    let data = datasets[dataName]!
    let network = state.network
    let inputs = network.inputShape.reduce(1, *)
    let declared = ["data `\(dataName)` is declared at line \(dataLocations[dataName]?.line ?? 0), network `\(networkName)` at line \(state.declaration.location.line)"]
    guard data.inputs.columns == inputs else {
      error("data `\(dataName)` has \(data.inputs.columns) inputs per sample, but network `\(networkName)` takes \(inputs) (input-shape \(network.inputShape.map(String.init).joined(separator: "×")))", at: location, notes: declared)
      return
    }
    guard data.targets.columns == network.outputCount else {
      error("data `\(dataName)` has \(data.targets.columns) targets per sample, but network `\(networkName)` has \(network.outputCount) \(network.outputCount == 1 ? "output" : "outputs") (\(state.declaration.layered.layers.last!.neurons.joined(separator: ", ")))", at: location, notes: declared)
      return
    }
    // The values so far are of their own data; a gradcheck on other data leaves them be.
    let sameData = state.dataName == dataName
    if !sameData, kind != .gradcheck { state.forwardIsCurrent = false }
    let x = data.inputs.nested, t = data.targets.nested
    let optimizer = state.declaration.spec.optimizer
    func ensureForward() -> LayeredForward {
      if state.forwardIsCurrent, let f = state.forward { return f }
      let f = state.network.forward(x)
      (state.forward, state.loss, state.backward, state.forwardIsCurrent) = (f, nil, nil, true)
      return f
    }
    let outcome: LayeredResult.Outcome
    switch kind {
    case .forward:
      state.forwardIsCurrent = false
      outcome = .forward(ensureForward())
    case .loss:
      let f = ensureForward()
      let l = state.network.loss(f, targets: t)
      state.loss = l
      outcome = .loss(f, l)
    case .backward:
      let f = ensureForward()
      let l = state.loss ?? state.network.loss(f, targets: t)
      let b = state.network.backward(f, targets: t)
      (state.loss, state.backward) = (l, b)
      outcome = .backward(f, l, b)
    case .update:
      guard state.forwardIsCurrent, let f = state.forward, let b = state.backward else {
        error(Self.updateNeedsBackward, at: location)
        return
      }
      let u = updateLayered(&state, b, optimizer)
      state.forwardIsCurrent = false
      outcome = .update(f, b, u)
    case .step:
      state.forwardIsCurrent = false
      let f = ensureForward()
      let l = state.network.loss(f, targets: t)
      let b = state.network.backward(f, targets: t)
      (state.loss, state.backward) = (l, b)
      let u = updateLayered(&state, b, optimizer)
      state.forwardIsCurrent = false
      outcome = .step(f, l, b, u)
    case .train:
      guard case .train(let settings) = spec.settings, let (training, final, loss) = trainLayered(settings, state: &state, network: networkName, data: data, at: location) else { return }
      outcome = .train(training, final: final, loss: loss)
    case .gradcheck:
      guard case .gradcheck(let h) = spec.settings else { return }
      // Two forward passes over the data for every parameter.
      let work = 2 * Double(state.network.parameterCount) * Double(data.count) * state.network.multiplyAdds
      guard gradcheckWithinLimit(work, at: location) else { return }
      let comparisons = state.network.gradientCheck(inputs: x, targets: t, step: h)
      state.gradientCheck = comparisons
      outcome = .gradcheck(state.forwardIsCurrent && sameData ? state.forward ?? state.network.forward(x) : state.network.forward(x), comparisons)
    }
    let result = LayeredResult(kind: kind, location: location, networkName: networkName, spec: state.declaration.layered, dataName: dataName,
      data: data, optimizer: optimizer, before: network, after: state.network, outcome: outcome)
    // A gradcheck leaves the lesson's values as they were: its data does not become the values'.
    if kind != .gradcheck {
      state.dataName = dataName
      state.data = data
    }
    let parametersFinite = state.network.layers.allSatisfy { $0.parameters.allSatisfy { $0.allSatisfy(\.isFinite) } }
    if stopped == nil, let f = result.forward,
      let place = Self.firstNonFinite(f, result.loss, result.pass(notation: lesson.settings.notation)) ?? (parametersFinite ? nil : "a parameter after the update")
    {
      stopped = .error("a value is not finite after this `\(kind.rawValue)` block: \(place)", at: location,
        notes: ["likely cause: a learning rate or inputs so large that the values overflow; try a smaller `learning-rate`"])
    }
    layeredStates[networkName] = state
    items.append(.layered(result))
    if kind.isPassStep, let pass = result.pass(notation: lesson.settings.notation) {
      notePass(Pass(pass, lines: [location.line]), startsWith: kind, network: .layered(result.before), data: data)
    } else {
      openPass = nil
    }
  }

  /// One optimizer step of the state's network. (`ensureForward` captures the state, so its two
  /// parts are not passed inout together.)
  func updateLayered(_ state: inout LayeredState, _ backward: LayeredBackward, _ optimizer: Optimizer) -> LayeredUpdate {
    var optimizerState = state.optimizerState
    let update = state.network.update(backward, optimizer: optimizer, state: &optimizerState)
    state.optimizerState = optimizerState
    return update
  }

  /// Where a value first stopped being finite, in words.
  static func firstNonFinite(_ f: LayeredForward, _ loss: LossValue?, _ pass: LayeredPass?) -> String? {
    for l in f.layers.indices {
      for (n, v) in f.layers[l].enumerated() {
        for (i, a) in v.a.enumerated() where !a.isFinite || !(v.z?[i].isFinite ?? true) {
          return pass.map { "\($0.name(.cell(.a, l: l, index: i, n: n))) = \(a)" } ?? "layer \(l + 1) sample \(n + 1)"
        }
      }
    }
    if let loss, !loss.total.isFinite { return "the error E is \(loss.total)" }
    return nil
  }

  mutating func trainLayered(_ spec: TrainSettings, state: inout LayeredState, network name: String, data: Dataset, at location: SourceLocation)
    -> (LayeredTraining, LayeredForward, LossValue)?
  {
    let perEpoch = TrainingSchedule(iterations: 1, batchSize: spec.batchSize).iterationsPerEpoch(samples: data.count)
    guard let iterations = spec.iterations ?? spec.epochs.map({ $0 * perEpoch }) else { directiveFailed = true; return nil }
    let batch = min(spec.batchSize ?? data.count, data.count)
    // Forward, backward and update: about three forward passes' work per sample and iteration.
    let work = 3 * Double(iterations) * Double(batch) * state.network.multiplyAdds
    var failed = trainSettingsFail(spec, iterations: iterations, perEpoch: perEpoch, work: work, at: location)
    if !spec.compare.isEmpty {
      error("`compare` draws dense networks' curves; network `\(name)` has typed layers", at: spec.compareLocations.first ?? location)
      failed = true
    }
    if failed { return nil }
    let schedule = TrainingSchedule(iterations: diagnosticsOnly ? 1 : iterations, batchSize: spec.batchSize, shuffleSeed: spec.shuffleSeed,
      learningRate: spec.learningRateSchedule)
    let x = data.inputs.nested, t = data.targets.nested
    var optimizerState = state.optimizerState
    var history = state.network.train(inputs: x, targets: t, schedule: schedule, optimizer: state.declaration.spec.optimizer, state: &optimizerState)
    state.optimizerState = optimizerState
    if diagnosticsOnly, history.stoppedAt == nil { history.losses += repeatElement(.nan, count: iterations - history.losses.count) }
    let final = state.network.forward(x)
    let finalLoss = state.network.loss(final, targets: t)
    (state.forward, state.loss, state.backward, state.forwardIsCurrent) = (final, finalLoss, nil, true)
    state.history = history.losses
    state.accuracy = Self.accuracy(Matrix(final.outputs), data.targets)
    let recorded = (spec.record ?? defaultRecord(iterations: iterations, every: spec.every)).filter { $0 <= history.losses.count }
    if let stop = history.stoppedAt {
      stopped = .error("training stopped at iteration \(stop): the error became \(history.losses.last.map { _ in "not finite" } ?? "not finite")", at: location,
        notes: ["likely cause: a learning rate too large (now \(state.declaration.spec.optimizer.learningRate)); the report shows the network as it was after iteration \(stop - 1)"])
    }
    return (LayeredTraining(history: history, recorded: recorded, epochs: Double(iterations) / Double(perEpoch), accuracy: state.accuracy), final, finalLoss)
  }

  /// `{{name}}` and checks on a network of typed layers: its values as they are now, and
  /// after a `train` or `gradcheck` their extras.
  func layeredLookup(_ reference: String, _ state: LayeredState) -> Result<Double, LookupProblem> {
    let ref = ValueReference(reference)
    let name = String(ref.base)
    let sample: Int? = if case .some(.some(let k)) = ref.sample { k } else { nil }
    if let found = trainingLookup(reference, name, sample: sample, history: state.history, accuracy: state.accuracy) { return found }
    let pass = state.current(notation: lesson.settings.notation)
    for (suffix, relative) in [(".grad.numeric", false), (".grad.error", true)] where ref.local.hasSuffix(suffix) {
      let parameter = String(ref.local.dropLast(suffix.count))
      guard let comparisons = state.gradientCheck else { return missing(reference, "gradcheck") }
      guard case .success(.parameter(let l, let p, let i)) = pass.quantity(named: parameter),
        let found = comparisons.first(where: { $0.layer == l && $0.tensor == p && $0.index == i })
      else { return .failure(LookupProblem(message: "`\(reference)`: `\(parameter)` is not a parameter of this network")) }
      return .success(relative ? found.relativeError : found.numeric)
    }
    switch pass.quantity(named: reference) {
    case .success(let q):
      if case .parameter = q { return .success(pass.value(q)) }
      guard state.forward != nil else {
        return .failure(LookupProblem(message: "`\(reference)` has no value yet: no directive has run network `\(state.declaration.spec.name)`",
          notes: ["values appear after a `forward`, `loss`, `backward`, `step` or `train` block"], missingValue: true))
      }
      return .success(pass.value(q))
    case .failure(.notInPass(let what)):
      let directive = what.contains("loss") ? "loss" : what.contains("backward") ? "backward" : "update"
      return missing(reference, directive)
    case .failure(let problem):
      let d = problem.diagnostic(reference, pass: Pass(pass, lines: [0]), at: SourceLocation(file: lesson.file, line: 1, column: 1))
      if case .unknown = problem {
        let layers = state.declaration.layered.layers.map { $0.neurons.isEmpty ? "\($0.name) (\($0.type))" : "\($0.neurons.joined(separator: ", ")) (dense)" }
        return .failure(LookupProblem(message: d.message, notes: ["network `\(state.declaration.spec.name)` has the layers \(layers.joined(separator: ", ")); names look like c1.z[1,2,3], p1.a[1,1,1], K[1,2].grad, o1.delta, E (see the README)"]))
      }
      return .failure(LookupProblem(message: d.message, notes: d.notes))
    }
  }
}
