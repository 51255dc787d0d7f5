import Yams

/// A value a worksheet leaves for the student to compute.
public struct Blank: Sendable, Hashable {
  /// The name the report shows (`h1.net`, `o1.delta`, `w5.grad`, `w5` after an update).
  public var name: String
  public var value: Double
  /// The line of the directive block that computed it.
  public var line: Int
  /// What the value is; a report hides a number only where it prints this quantity with this value.
  public var quantity: Quantity

  public init(name: String, value: Double, line: Int, quantity: Quantity) {
    self.name = name
    self.value = value
    self.line = line
    self.quantity = quantity
  }
}

extension ExecutedLesson {
  /// The values a worksheet of this lesson leaves blank.
  ///
  /// A directive block chooses with `blanks: all`, `blanks: none` or a list of value names
  /// (`blanks: [h1.net, o1.delta, w5.grad]`), read right after the block ran. When no block of
  /// the lesson says, the blanks are every value of the lesson's first pass: the first
  /// forward pass, its error, its backward pass and its update. `all` on a block means every
  /// value that block computed (z and a; each output's error and E; ∂E/∂a, δ and each
  /// gradient; each updated parameter); `train` and `gradcheck` blocks have none.
  public func blanks() -> ([Blank], [Diagnostic]) {
    var diagnostics: [Diagnostic] = []
    var choices: [Int: (Choice, SourceLocation)] = [:]
    for item in lesson.items {
      guard case .block(let block) = item, case .directive = block.content else { continue }
      if let choice = Self.blankChoice(block, diagnostics: &diagnostics) { choices[block.location.line] = (choice, block.location) }
    }
    var out: [Blank] = []
    var seen: Set<String> = []
    func add(_ name: String, _ q: Quantity, _ value: Double, _ line: Int) {
      guard seen.insert("\(line) \(name)").inserted else { return }
      out.append(Blank(name: name, value: value, line: line, quantity: q))
    }

    if choices.isEmpty {
      // The default: the lesson's first pass.
      guard let pass = passes.first else { return ([], diagnostics) }
      for q in pass.computedQuantities { add(pass.name(q), q, pass.value(q), pass.lines[0]) }
      return (out, diagnostics)
    }
    for item in items {
      let pass: Pass, kind: Directive, line: Int
      switch item {
      case .directive(let r):
        guard let f = r.forward else { continue }
        pass = Pass(networkName: r.networkName, names: r.names, notation: lesson.settings.notation, data: r.data, network: r.before,
          optimizer: r.optimizer, forward: f, loss: r.loss, backward: r.backward, update: r.update, lines: [r.location.line])
        (kind, line) = (r.kind, r.location.line)
      case .layered(let r):
        guard let layered = r.pass(notation: lesson.settings.notation) else { continue }
        pass = Pass(layered, lines: [r.location.line])
        (kind, line) = (r.kind, r.location.line)
      default: continue
      }
      guard let (choice, location) = choices[line] else { continue }
      switch choice {
      case .none: break
      case .all:
        let quantities: [Quantity]
        switch kind {
        case .forward: quantities = pass.forwardQuantities
        case .loss: quantities = pass.lossQuantities
        case .backward: quantities = pass.backwardQuantities
        case .update: quantities = pass.updateQuantities
        case .step: quantities = pass.computedQuantities
        case .train, .gradcheck: quantities = []  // their values are never blanks
        }
        for q in quantities { add(pass.name(q), q, pass.value(q), line) }
      case .names(let names):
        for name in names {
          switch pass.quantity(named: name) {
          case .success(let q) where q.isGiven:
            diagnostics.append(.error("`\(name)` is given to the student, so a worksheet cannot leave it blank", at: location))
          case .success(.cell(_, let l, _, _)) where pass.layered?.isFlatten(l) == true:
            // Flatten's own cells (the input's gradient, what an rnn's earlier steps receive) print nowhere.
            diagnostics.append(.error("`\(name)` is not shown in the report, so a worksheet cannot leave it blank", at: location,
              notes: ["name the value of the layer below the flatten instead"]))
          case .success(let q): add(name, q, pass.value(q), line)
          case .failure(let problem): diagnostics.append(problem.diagnostic(name, pass: pass, at: location))
          }
        }
      }
    }
    return (out, diagnostics)
  }

  enum Choice { case all, none, names([String]) }

  static func blankChoice(_ block: LessonBlock, diagnostics: inout [Diagnostic]) -> Choice? {
    guard block.body.contains("blanks"), let root = try? Yams.compose(yaml: block.body), case .mapping(let mapping) = root,
      let node = mapping.first(where: { $0.key.string == "blanks" })?.value
    else { return nil }
    if let word = node.string {
      switch word {
      case "all": return .all
      case "none": return .none
      default: return .names([word])
      }
    }
    if case .sequence(let items) = node {
      let names = items.compactMap(\.string)
      if names.count == items.count { return .names(names) }
    }
    diagnostics.append(.error("`blanks` takes `all`, `none` or a list of value names, e.g. `blanks: [h1.net, o1.delta]`", at: block.location))
    return nil
  }
}
