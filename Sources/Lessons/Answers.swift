import Foundation

/// A student's own numbers for a lesson, from an answers file:
///
/// ```
/// # my hand calculation
/// h1.net = 0.3775
/// o1.delta = 0.1385
/// @ line 140          # the answers below refer to the pass at or after line 140
/// w5 = 0.3589
/// ```
///
/// Each answer refers to a pass of the lesson (see ``Pass``): by default the first one, that is
/// the first forward pass with the error, backward pass and update that follow it; after a line
/// `@ line N`, the first pass whose blocks start at or after line N of the lesson.
public struct AnswerSheet: Sendable {
  public struct Line: Sendable, Hashable {
    public var name: String
    public var text: String
    public var value: Double
    /// The lesson line after `@ line`, if one came before this answer.
    public var fromLine: Int?
    public var location: SourceLocation
  }

  public var file: String
  public var lines: [Line]

  /// Parses `name = value` lines, `# comments` and `@ line N` markers.
  public static func parse(_ text: String, file: String) -> (AnswerSheet, [Diagnostic]) {
    var lines: [Line] = []
    var diagnostics: [Diagnostic] = []
    var fromLine: Int?
    for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      var line = Substring(raw.hasSuffix("\r") ? raw.dropLast() : raw)
      if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
      let content = line.trimmingCharacters(in: .whitespaces)
      if content.isEmpty { continue }
      let column = 1 + line.prefix { $0 == " " || $0 == "\t" }.count
      let at = SourceLocation(file: file, line: offset + 1, column: column)
      if content.hasPrefix("@") {
        let words = content.dropFirst().split(separator: " ")
        if words.count == 2, words[0] == "line", let n = Int(words[1]), n >= 1 {
          fromLine = n
        } else {
          diagnostics.append(.error("a marker reads `@ line N`: the answers below refer to the pass at or after line N of the lesson", at: at))
        }
        continue
      }
      guard let equals = content.firstIndex(of: "=") else {
        diagnostics.append(.error("an answer reads `name = value`, e.g. `h1.net = 0.3775`", at: at)); continue
      }
      let name = content[..<equals].trimmingCharacters(in: .whitespaces)
      let number = content[content.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        .replacingOccurrences(of: "−", with: "-")
      guard !name.isEmpty else { diagnostics.append(.error("an answer needs a value name before `=`", at: at)); continue }
      guard let value = Double(number), value.isFinite else {
        diagnostics.append(.error("`\(number)` is not a number", at: at, notes: ["write the number as digits, e.g. `0.3775` or `-1.2e-3`"])); continue
      }
      lines.append(Line(name: name, text: number, value: value, fromLine: fromLine, location: at))
    }
    return (AnswerSheet(file: file, lines: lines), diagnostics)
  }
}

/// How each answer fared.
public struct AnswerReview: Sendable {
  public enum Verdict: String, Sendable, Hashable {
    case right
    /// Not the correct value, but what the student's own earlier values give.
    case consistent
    case wrong
  }

  public struct Item: Sendable {
    public var line: AnswerSheet.Line
    public var quantity: Quantity
    /// The name the report uses, in the lesson's notation.
    public var canonicalName: String
    public var passIndex: Int
    public var correct: Double
    public var verdict: Verdict
    /// The value this answer would have if computed correctly from the student's own earlier
    /// values (their answers where given, the correct values otherwise); nil when no earlier
    /// answer differs from the correct value, or when the tool has no hand formula for it.
    public var fromYourValues: Double?
    /// The nearest earlier answers this one depends on that are off (wrong or consistent).
    public var offBecause: [String]
    /// The earliest wrong answers those go back to: where the slip is.
    public var slips: [String]
  }

  public var items: [Item]
  /// The passes the answers refer to.
  public var passes: [Pass]

  public var right: Int { items.filter { $0.verdict == .right }.count }
  public var consistent: Int { items.filter { $0.verdict == .consistent }.count }
  public var wrong: Int { items.filter { $0.verdict == .wrong }.count }
}

extension AnswerReview {
  /// Marks every answer against the lesson's values; problems with names come back as errors.
  public static func review(_ sheet: AnswerSheet, against run: ExecutedLesson) -> (AnswerReview?, [Diagnostic]) {
    let allPasses = run.passes
    var diagnostics: [Diagnostic] = []
    guard !allPasses.isEmpty else {
      let at = sheet.lines.first?.location ?? SourceLocation(file: sheet.file, line: 1, column: 1)
      return (nil, [.error("the lesson computes nothing to compare answers with: it has no forward, loss, backward or step block", at: at)])
    }
    // Which pass each answer refers to, and which quantity it names there.
    var used: [Int: Int] = [:]
    var resolved: [(AnswerSheet.Line, Int, Quantity)] = []
    var seen: [Quantity: SourceLocation] = [:]
    for line in sheet.lines {
      let passIndex = line.fromLine.flatMap { n in allPasses.firstIndex { $0.lines.contains { $0 >= n } } } ?? 0
      if let n = line.fromLine, allPasses.firstIndex(where: { $0.lines.contains { $0 >= n } }) == nil {
        diagnostics.append(.error("no pass of the lesson starts at or after line \(n)", at: line.location,
          notes: ["passes start at lines \(allPasses.map { "\($0.lines[0])" }.joined(separator: ", "))"]))
        continue
      }
      let pass = allPasses[passIndex]
      switch pass.quantity(named: line.name) {
      case .success(let q):
        if let earlier = seen[q] {
          diagnostics.append(.error("`\(line.name)` is answered twice; the first answer is at line \(earlier.line)", at: line.location)); continue
        }
        seen[q] = line.location
        used[passIndex, default: 0] += 1
        resolved.append((line, passIndex, q))
      case .failure(let problem):
        diagnostics.append(problem.diagnostic(line.name, pass: pass, at: line.location))
      }
    }
    if diagnostics.contains(where: { $0.severity == .error }) { return (nil, diagnostics) }

    var items: [Item] = []
    for (index, pass) in allPasses.enumerated() where used[index] != nil {
      let mine = resolved.filter { $0.1 == index }
      var answers: [Quantity: AnswerSheet.Line] = [:]
      for (line, _, q) in mine { answers[q] = line }
      let marking = Marking(pass: pass, answers: answers)
      for (line, _, q) in mine {
        items.append(marking.item(line, q, passIndex: index))
      }
    }
    let passes = allPasses.enumerated().filter { used[$0.offset] != nil }.map(\.element)
    return (AnswerReview(items: items, passes: passes), diagnostics)
  }
}

/// Follow-through marking within one pass.
final class Marking {
  let pass: Pass
  let answers: [Quantity: AnswerSheet.Line]
  let order: [Quantity: Int]
  /// The student's world: their answer where it is not right, else recomputed from their values.
  var yours: [Quantity: Double] = [:]
  var verdicts: [Quantity: AnswerReview.Verdict] = [:]

  init(pass: Pass, answers: [Quantity: AnswerSheet.Line]) {
    self.pass = pass
    self.answers = answers
    var order: [Quantity: Int] = [:]
    for (index, q) in pass.computedQuantities.enumerated() { order[q] = index }
    self.order = order
  }

  func sorted(_ qs: some Sequence<Quantity>) -> [Quantity] {
    qs.sorted { (order[$0] ?? -1, $0) < (order[$1] ?? -1, $1) }
  }

  /// A right answer stands for the correct value, so rounding carried by right answers is never held against later ones.
  func yourValue(_ q: Quantity) -> Double {
    if let v = yours[q] { return v }
    let v: Double
    if answers[q] != nil, verdict(q) != .right {
      v = answers[q]!.value
    } else if !offAncestors(q).isEmpty {
      v = pass.recompute(q) { self.yourValue($0) } ?? pass.value(q)
    } else {
      v = pass.value(q)
    }
    yours[q] = v
    return v
  }

  func verdict(_ q: Quantity) -> AnswerReview.Verdict {
    if let v = verdicts[q] { return v }
    let line = answers[q]!
    var v = AnswerReview.Verdict.wrong
    if AnswerTolerance.agrees(line.text, line.value, with: pass.value(q)) {
      v = .right
    } else if let expected = fromYourValues(q), AnswerTolerance.agrees(line.text, line.value, with: expected) {
      v = .consistent
    }
    verdicts[q] = v
    return v
  }

  /// The value recomputed from the student's own values of its parents, when an earlier answer is off.
  func fromYourValues(_ q: Quantity) -> Double? {
    guard !offAncestors(q).isEmpty else { return nil }
    return pass.recompute(q) { self.yourValue($0) }
  }

  /// The nearest answered values upstream that are off (not right), searching through unanswered ones.
  func offAncestors(_ q: Quantity) -> [Quantity] {
    var out: Set<Quantity> = []
    var stack = pass.parents(q)
    var visited: Set<Quantity> = []
    while let p = stack.popLast() {
      guard visited.insert(p).inserted else { continue }
      if answers[p] != nil {
        if verdict(p) != .right { out.insert(p) }
        continue
      }
      stack += pass.parents(p)
    }
    // Keep the nearest: drop any that another one depends on.
    return sorted(out.filter { candidate in !out.contains { $0 != candidate && dependsOn($0, candidate) } })
  }

  func dependsOn(_ q: Quantity, _ ancestor: Quantity) -> Bool {
    var stack = pass.parents(q)
    var visited: Set<Quantity> = []
    while let p = stack.popLast() {
      if p == ancestor { return true }
      guard visited.insert(p).inserted else { continue }
      stack += pass.parents(p)
    }
    return false
  }

  /// Every wrong answer upstream along values that are off: where the mistakes were made.
  func slips(_ q: Quantity) -> [Quantity] {
    var out: Set<Quantity> = []
    var stack = offAncestors(q)
    var visited: Set<Quantity> = []
    while let p = stack.popLast() {
      guard visited.insert(p).inserted else { continue }
      if verdict(p) == .wrong { out.insert(p) }
      stack += offAncestors(p)
    }
    return sorted(out)
  }

  func item(_ line: AnswerSheet.Line, _ q: Quantity, passIndex: Int) -> AnswerReview.Item {
    let v = verdict(q)
    return AnswerReview.Item(line: line, quantity: q, canonicalName: pass.name(q), passIndex: passIndex, correct: pass.value(q), verdict: v,
      fromYourValues: v == .right ? nil : fromYourValues(q),
      offBecause: v == .right ? [] : offAncestors(q).map { answers[$0]!.name },
      slips: v == .right ? [] : slips(q).map { answers[$0]!.name })
  }
}

extension Pass.NameProblem {
  func diagnostic(_ name: String, pass: Pass, at location: SourceLocation) -> Diagnostic {
    switch self {
    case .unknown(let suggestion):
      return .error("unknown value `\(name)`", at: location,
        notes: [suggestion.map { "did you mean `\($0)`?" } ?? "names look like h1.net, h1.out, o1.delta, w5.grad, w5, E (as the report shows them)"])
    case .needsSample(let count):
      return .error("`\(name)` has one value per sample and there are \(count): say which, e.g. `\(name)[1]`", at: location)
    case .noSuchSample(let count):
      return .error("`\(name)`: the data has \(count) sample\(count == 1 ? "" : "s")", at: location)
    case .notInPass(let what):
      return .error("`\(name)` comes from \(what), which the pass at line \(pass.lines[0]) does not have", at: location,
        notes: ["use `@ line N` to point at a later part of the lesson"])
    case .unsupported:
      return .error("`\(name)` is not a value of one pass; answers cover z, a, the error, δ, gradients and updated parameters", at: location)
    }
  }
}
