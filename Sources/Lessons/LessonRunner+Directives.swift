import Backprop

extension LessonRunner {
  mutating func run(_ kind: Directive, _ spec: DirectiveSpec, network name: String?, at location: SourceLocation) {
    // The network and the data are looked up independently, so a block naming neither rightly
    // gets both errors; a block on a network or data set that did not parse is skipped quietly.
    var failed = false
    let networkName = name ?? current
    let declaredNames = Array(networks.keys) + Array(layeredStates.keys)
    if let networkName, let at = brokenNetworks[networkName], !declaredNames.contains(networkName) {
      skipped("network `\(networkName)`", block: at, at: location)
      failed = true
    } else if networkName == nil {
      error("a `\(kind.rawValue)` block needs a network declared before it", at: location,
        notes: ["declare one with a ```` ```network NAME ```` block above this one"])
      failed = true
    } else if !declaredNames.contains(networkName!) {
      error("no network named `\(networkName!)` is declared before this block", at: location,
        notes: [closestMatch(to: networkName!, in: declaredNames).map { "did you mean `\($0)`?" } ?? "declared so far: \(declaredNames.sorted().joined(separator: ", "))"])
      failed = true
    }

    // The data: named, else the one this network last used, else the latest declared.
    var dataName: String?
    if let requested = spec.data {
      if let at = brokenData[requested], datasets[requested] == nil {
        if !failed { skipped("data `\(requested)`", block: at, at: location) }
        failed = true
      } else if datasets[requested] == nil {
        // At the name as written after `data:`, where the fix goes.
        error("no data block named `\(requested)` comes before this block", at: spec.dataLocation ?? location,
          notes: [closestMatch(to: requested, in: Array(datasets.keys)).map { "did you mean `\($0)`?" } ?? (datasets.isEmpty ? "no data block comes before this one" : "declared so far: \(datasets.keys.sorted().joined(separator: ", "))")])
        failed = true
      } else {
        dataName = requested
      }
    } else if let latest = latestData {
      if datasets[latest] == nil {
        if !failed, let at = brokenData[latest] { skipped("data `\(latest)`", block: at, at: location) }
        failed = true
      } else { dataName = latest }
    } else {
      // Before any network, "needs a network" says it: a second error at the same fence would only repeat that the lesson has not begun.
      if networkName != nil {
        error("a `\(kind.rawValue)` block needs data: add a ```` ```data ```` block with inputs and targets before it", at: location)
      }
      failed = true
    }
    if !failed, let networkName, let dataName, layeredStates[networkName] != nil {
      runLayered(kind, spec, network: networkName, data: dataName, at: location)
      return
    }
    guard !failed, let networkName, var state = networks[networkName], let dataName else {
      directiveFailed = true
      return
    }
    current = networkName
    let data = datasets[dataName]!
    let network = state.network
    let declared = ["data `\(dataName)` is declared at line \(dataLocations[dataName]?.line ?? 0), network `\(networkName)` at line \(state.declaration.location.line)"]
    guard data.inputs.columns == network.inputCount else {
      error("data `\(dataName)` has \(data.inputs.columns) inputs per sample, but network `\(networkName)` takes \(network.inputCount) (\(state.declaration.names.inputs.joined(separator: ", ")))", at: location, notes: declared)
      return
    }
    guard data.targets.columns == network.outputCount else {
      error("data `\(dataName)` has \(data.targets.columns) targets per sample, but network `\(networkName)` has \(network.outputCount) \(network.outputCount == 1 ? "output" : "outputs") (\(state.declaration.names.neurons.last!.joined(separator: ", ")))", at: location,
        notes: declared + (Self.isOneHot(data.targets) && data.targets.columns > network.outputCount
          ? ["the targets are one-hot over \(data.targets.columns) classes; with `labels`, every label must be below \(network.outputCount), one class per output"] : []))
      return
    }
    // The values so far are of their own data; a gradcheck on other data leaves them be.
    let sameData = state.dataName == dataName
    if !sameData, kind != .gradcheck { state.forwardIsCurrent = false }

    func ensureForward(_ state: inout State) -> ForwardPass {
      if state.forwardIsCurrent, let f = state.forward { return f }
      let f = state.network.forward(data.inputs)
      state.forward = f
      state.loss = nil
      state.backward = nil
      state.forwardIsCurrent = true
      return f
    }

    let outcome: DirectiveResult.Outcome
    switch kind {
    case .forward:
      let f = state.network.forward(data.inputs)
      state.forward = f
      state.forwardIsCurrent = true
      state.loss = nil
      state.backward = nil
      outcome = .forward(f)
    case .loss:
      let f = ensureForward(&state)
      let l = state.network.loss(of: f.outputs, targets: data.targets)
      state.loss = l
      outcome = .loss(f, l)
    case .backward:
      let f = ensureForward(&state)
      let l = state.loss ?? state.network.loss(of: f.outputs, targets: data.targets)
      let b = state.network.backward(f, targets: data.targets)
      (state.loss, state.backward) = (l, b)
      outcome = .backward(f, l, b)
    case .update:
      guard state.forwardIsCurrent, let f = state.forward, let b = state.backward else {
        error(Self.updateNeedsBackward, at: location)
        return
      }
      let u = state.network.update(from: f, b, targets: data.targets, optimizer: state.declaration.spec.optimizer, state: &state.optimizerState)
      state.forwardIsCurrent = false
      outcome = .update(f, b, u)
    case .step:
      let f = state.network.forward(data.inputs)
      let l = state.network.loss(of: f.outputs, targets: data.targets)
      let b = state.network.backward(f, targets: data.targets)
      let u = state.network.update(from: f, b, targets: data.targets, optimizer: state.declaration.spec.optimizer, state: &state.optimizerState)
      state.forward = f
      state.loss = l
      state.backward = b
      state.forwardIsCurrent = false
      outcome = .step(f, l, b, u)
    case .train:
      guard case .train(let settings) = spec.settings, let training = train(settings, state: &state, data: data, at: location) else { return }
      outcome = .train(training, final: training.finalForward, loss: training.finalLoss)
    case .gradcheck:
      guard case .gradcheck(let h) = spec.settings else { return }
      // Two forward passes over the data for every parameter, each about as many multiply-adds as parameters.
      let work = 2 * Double(state.network.parameterCount) * Double(data.count) * Double(state.network.parameterCount)
      guard gradcheckWithinLimit(work, at: location) else { return }
      let comparisons = state.network.gradientCheck(data, step: h)
      state.gradientCheck = comparisons
      // A check at the current parameters: it shows a forward pass but leaves the lesson's values as they were.
      let f = state.forwardIsCurrent && sameData ? state.forward ?? state.network.forward(data.inputs) : state.network.forward(data.inputs)
      outcome = .gradcheck(f, comparisons)
    }
    var result = DirectiveResult(kind: kind, location: location, networkName: networkName, names: state.declaration.names,
      dataName: dataName, data: data, optimizer: state.declaration.spec.optimizer, before: network, after: network, outcome: outcome)
    if case .train(let settings) = spec.settings { result.trainingLogScale = settings.logScale }
    result.after = state.network
    // A gradcheck leaves the lesson's values as they were: its data does not become the values'.
    if kind != .gradcheck {
      state.dataName = dataName
      state.data = data
    }
    if stopped == nil, let f = result.forward, firstNonFinite(f, result.loss, names: state.declaration.names) != nil
      || !state.network.layers.allSatisfy({ $0.weights.values.allSatisfy(\.isFinite) && $0.biases.allSatisfy(\.isFinite) }) {
      let trouble = NumericalTrouble("a value is not finite after this `\(kind.rawValue)` block", network: state.network,
        names: state.declaration.names, data: data, optimizer: state.declaration.spec.optimizer)
      stopped = .error(trouble.message, at: location, notes: trouble.notes)
    }
    if stopped == nil, !diagnosticsOnly { warnAboutNonsense(result, declaration: state.declaration) }
    networks[networkName] = state
    items.append(.directive(result))
    if kind.isPassStep {
      let pass = Pass(networkName: networkName, names: result.names, notation: lesson.settings.notation, data: data, network: result.before,
        optimizer: result.optimizer, forward: outcome.forward, loss: result.loss, backward: result.backward, update: result.update, lines: [location.line])
      notePass(pass, startsWith: kind, network: .dense(result.before), data: data)
    } else if !kind.isPassStep {
      openPass = nil
    }
  }

  func firstNonFinite(_ f: ForwardPass, _ loss: LossValue?, names: NetworkNames) -> String? {
    for l in f.z.indices {
      for n in 0..<f.z[l].rows {
        for j in 0..<f.z[l].columns where !f.z[l][n, j].isFinite || !f.a[l][n, j].isFinite {
          return "\(names.neurons[l][j]) (layer \(l + 1), sample \(n + 1)) has z = \(f.z[l][n, j]), a = \(f.a[l][n, j])"
        }
      }
    }
    if let loss, !loss.total.isFinite { return "the error E is \(loss.total)" }
    return nil
  }

  mutating func train(_ spec: TrainSettings, state: inout State, data: Dataset, at location: SourceLocation) -> TrainingResult? {
    let perEpoch = TrainingSchedule(iterations: 1, batchSize: spec.batchSize).iterationsPerEpoch(samples: data.count)
    // Neither is given only when a misspelt one was reported by the parser: nothing to run.
    guard let iterations = spec.iterations ?? spec.epochs.map({ $0 * perEpoch }) else { directiveFailed = true; return nil }
    let batch = min(spec.batchSize ?? data.count, data.count)
    let work = 6 * Double(iterations) * Double(batch) * Double(state.network.parameterCount)
    // Every problem of the block's settings is reported, then the block does not run.
    var failed = trainSettingsFail(spec, iterations: iterations, perEpoch: perEpoch, work: work, at: location)
    let listed = spec.record?.count ?? spec.every.map { iterations / $0 } ?? 0
    if listed > limits.recorded {
      error("this `train` block would list the error of \(listed) iterations in the report, over the limit of \(limits.recorded)", at: location,
        notes: ["list fewer (a larger `every`, or a shorter `record`), or raise the limit on purpose with `--max-recorded N`"])
      failed = true
    }
    var comparisons: [(network: String, losses: [Double])] = []
    for (index, other) in spec.compare.enumerated() {
      guard let history = networks[other]?.history else {
        // A network that did not parse has its error already; saying it never trained adds nothing.
        if let at = brokenNetworks[other], networks[other] == nil {
          skipped("network `\(other)`", block: at, at: spec.compareLocations.indices.contains(index) ? spec.compareLocations[index] : location)
          failed = true
          continue
        }
        let trained = networks.filter { $0.value.history != nil }.keys.sorted()
        let why = networks[other] == nil
          ? "`compare` names `\(other)`, but no network of that name is declared before this block"
          : "`compare` names `\(other)`, but no `train` block has run that network before this one"
        error(why, at: spec.compareLocations.indices.contains(index) ? spec.compareLocations[index] : location,
          notes: [trained.isEmpty ? "no network has trained yet: `compare` draws curves of `train` blocks above this one"
            : (networks[other] == nil ? closestMatch(to: other, in: trained).map { "did you mean `\($0)`? " } ?? "" : "") + "trained so far: \(trained.joined(separator: ", "))"])
        failed = true
        continue
      }
      comparisons.append((other, history))
    }
    if failed { return nil }
    // Run only for its errors (the lesson has others): one update stands for the block, so a
    // broken lesson with a long `train` still reports at once; the rest of the history is NaN,
    // kept only so that `E.iteration[k]` is judged against the block's real length.
    let schedule = TrainingSchedule(iterations: diagnosticsOnly ? 1 : iterations, batchSize: spec.batchSize, shuffleSeed: spec.shuffleSeed,
      learningRate: spec.learningRateSchedule)
    // A classifier's accuracy is followed on the whole data set at about 100 points of the run.
    var accuracyCurve: [(iteration: Int, accuracy: Double)] = []
    let classifies = Self.accuracy(data.targets, data.targets) != nil
    var history = state.network.train(
      on: data, schedule: schedule, optimizer: state.declaration.spec.optimizer, state: &state.optimizerState,
      observeEvery: max(iterations / 100, 1),
      observer: classifies ? { k, network in
        if let a = Self.accuracy(network.forward(data.inputs).outputs, data.targets) { accuracyCurve.append((k, a)) }
      } : nil)
    let final = state.network.forward(data.inputs)
    let finalLoss = state.network.loss(of: final.outputs, targets: data.targets)
    state.forward = final
    state.loss = finalLoss
    if diagnosticsOnly, history.stoppedAt == nil { history.losses += repeatElement(.nan, count: iterations - history.losses.count) }
    state.history = history.losses
    state.accuracy = Self.accuracy(final.outputs, data.targets)
    state.backward = nil
    state.forwardIsCurrent = true
    var recorded = spec.record ?? defaultRecord(iterations: iterations, every: spec.every)
    recorded = recorded.filter { $0 <= history.losses.count }
    if let stop = history.stoppedAt {
      let trouble = NumericalTrouble("training stopped at iteration \(stop)", network: state.network, names: state.declaration.names,
        data: data, optimizer: state.declaration.spec.optimizer, losses: history.losses)
      stopped = .error(trouble.message, at: location,
        notes: trouble.notes + ["the report shows the network as it was after iteration \(stop - 1)"])
    }
    return TrainingResult(schedule: schedule, epochs: Double(iterations) / Double(perEpoch), history: history, recorded: recorded,
      finalForward: final, finalLoss: finalLoss, accuracy: Self.accuracy(final.outputs, data.targets), comparisons: comparisons, accuracyCurve: accuracyCurve)
  }

  /// Reports a `train` block's settings past the limits (work, iterations) or past its own
  /// length (`record`); true when there was any.
  mutating func trainSettingsFail(_ spec: TrainSettings, iterations: Int, perEpoch: Int, work: Double, at location: SourceLocation) -> Bool {
    var failed = false
    if work > limits.work {
      error("this `train` block asks for about \(Int(work)) multiply-adds, over the limit of \(Int(limits.work))", at: location,
        notes: ["lower `iterations` or the network's size, or raise the limit on purpose with `--max-work N`"])
      failed = true
    }
    if iterations > limits.iterations {
      error("this `train` block asks for \(iterations) iterations, over the limit of \(limits.iterations) for one block", at: location,
        notes: ["lower `iterations` or `epochs`, or raise the limit on purpose with `--max-iterations N`"])
      failed = true
    }
    if let r = spec.record, let bad = r.firstIndex(where: { $0 > iterations }) {
      // Known only now when the block gives `epochs`: at the entry, as the parser does for `iterations`.
      error("`record` asks for iteration \(r[bad]), but this block runs \(iterations)", at: spec.recordLocations.indices.contains(bad) ? spec.recordLocations[bad] : location,
        notes: spec.epochs.map { ["\($0) \($0 == 1 ? "epoch" : "epochs") of \(perEpoch) \(perEpoch == 1 ? "iteration" : "iterations") each"] } ?? [])
      failed = true
    }
    return failed
  }

  static let updateNeedsBackward = "`update` needs the gradients of the current parameters: put a `backward` block before it"

  /// Reports a `gradcheck` whose finite differences would take more than the work limit.
  mutating func gradcheckWithinLimit(_ work: Double, at location: SourceLocation) -> Bool {
    guard work > limits.work else { return true }
    error("this `gradcheck` asks for about \(Int(work)) multiply-adds (two forward passes per parameter), over the limit of \(Int(limits.work))", at: location,
      notes: ["check a smaller network or fewer samples (`data:`), or raise the limit on purpose with `--max-work N`"])
    return false
  }

  static func isOneHot(_ targets: Matrix) -> Bool {
    (0..<targets.rows).allSatisfy { n in targets.row(n).allSatisfy { $0 == 0 || $0 == 1 } && targets.row(n).reduce(0, +) == 1 }
  }

  func defaultRecord(iterations: Int, every: Int?) -> [Int] {
    if let every { return Array(stride(from: every, through: iterations, by: every)) }
    var out = [1]
    var p = 10
    while p < iterations { out.append(p); p *= 10 }
    if out.last != iterations { out.append(iterations) }
    return out
  }

  /// The share of samples whose predicted class matches the target class, when targets are classes:
  /// one-hot rows (argmax), or a single 0/1 output (threshold ½).
  static func accuracy(_ outputs: Matrix, _ targets: Matrix) -> Double? {
    guard targets.values.allSatisfy({ $0 == 0 || $0 == 1 }) else { return nil }
    var right = 0
    for n in 0..<targets.rows {
      if targets.columns == 1 {
        if (outputs[n, 0] >= 0.5 ? 1.0 : 0.0) == targets[n, 0] { right += 1 }
      } else {
        let t = targets.row(n), a = outputs.row(n)
        guard t.reduce(0, +) == 1 else { return nil }
        if a.indices.max(by: { a[$0] < a[$1] }) == t.firstIndex(of: 1) { right += 1 }
      }
    }
    return Double(right) / Double(targets.rows)
  }

  mutating func check(_ specs: [CheckSpec], at location: SourceLocation) {
    guard checksSoFar <= limits.checks else { return }
    if specs.count > limits.checks - checksSoFar {
      let first = specs[limits.checks - checksSoFar]
      error("the lesson has more than \(limits.checks) check lines: this is one too many", at: first.location,
        notes: ["each check is a row of the report; `--max-checks N` raises the limit on purpose"])
      checksSoFar = .max
      return
    }
    checksSoFar += specs.count
    var results: [CheckResult] = []
    for spec in specs {
      let computed = value(spec.name, at: spec.location)
      let allowed: Double
      switch spec.tolerance {
      case .digitsWritten(let d): allowed = d
      case .absolute(let a): allowed = a
      case .relative(let r): allowed = r * abs(spec.expected)
      }
      let passed = computed.map { abs($0 - spec.expected) <= allowed } ?? false
      results.append(CheckResult(spec: spec, computed: computed, passed: passed, allowed: allowed))
    }
    items.append(.checks(results, location: location))
  }
}
