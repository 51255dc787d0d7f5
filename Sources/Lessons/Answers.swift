import Foundation

/// A student's own numbers for a lesson, from an answers file:
///
/// ```
/// # my hand calculation
/// h1.net = 0.3775
/// o1.delta = 0.1385
/// w5.after = 0.3589    # w5 after the update (as plain `w5`)
/// E.after = 0.2910     # the error with the updated weights
/// @ sequential         # the answers below refer to network `sequential`'s first pass
/// E = 0.2984
/// ```
///
/// Each answer refers to a pass of the lesson (see ``Pass``): by default the first one, that is
/// the first forward pass with the error, backward pass and update that follow it. A marker
/// line chooses another for the answers below it: `@ NETWORK` (that network's first pass),
/// `@ pass N` (also `@ step N`: the Nth pass of the lesson, from 1) or `@ line N` (the first
/// pass with a block at or after line N of the lesson).
public struct AnswerSheet: Sendable {
  /// Which pass the answers after a marker refer to.
  public enum PassChoice: Sendable, Hashable {
    case line(Int)
    case network(String)
    case number(Int)
  }

  public struct Marker: Sendable, Hashable {
    public var choice: PassChoice
    /// Where the choice is written (the word after `@`), for errors.
    public var location: SourceLocation
  }

  public struct Line: Sendable, Hashable {
    public var name: String
    public var text: String
    public var value: Double
    /// The latest marker before this answer, if any.
    public var marker: Marker?
    public var location: SourceLocation

    /// The lesson line after `@ line`, if that is how the pass was chosen.
    public var fromLine: Int? {
      if case .line(let n) = marker?.choice { return n }
      return nil
    }
  }

  public var file: String
  public var lines: [Line]
  /// Every marker, in order (also those with no answer after them: they are checked too).
  public var markers: [Marker] = []

  static let markerForms = "a marker reads `@ NETWORK`, `@ pass N` (or `@ step N`) or `@ line N`"

  /// Parses `name = value` lines, `# comments` and `@ …` markers.
  public static func parse(_ text: String, file: String) -> (AnswerSheet, [Diagnostic]) {
    var lines: [Line] = []
    var markers: [Marker] = []
    var diagnostics: [Diagnostic] = []
    var marker: Marker?
    for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      var line = Substring(raw.hasSuffix("\r") ? raw.dropLast() : raw)
      if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
      let content = line.trimmingCharacters(in: .whitespaces)
      if content.isEmpty { continue }
      let column = 1 + line.prefix { $0 == " " || $0 == "\t" }.count
      let at = SourceLocation(file: file, line: offset + 1, column: column)
      if content.hasPrefix("@") {
        // Columns of each word after `@`, so errors point at the word that is wrong.
        var words: [(String, Int)] = []
        var i = line.index(after: line.firstIndex(of: "@")!)
        while i < line.endIndex {
          if line[i] == " " || line[i] == "\t" { i = line.index(after: i); continue }
          let start = i
          while i < line.endIndex, line[i] != " ", line[i] != "\t" { i = line.index(after: i) }
          words.append((String(line[start..<i]), 1 + line.distance(from: line.startIndex, to: start)))
        }
        func location(_ k: Int) -> SourceLocation { SourceLocation(file: file, line: offset + 1, column: words[k].1) }
        let choice: PassChoice?
        switch (words.count, words.first?.0) {
        case (2, "line"?), (2, "pass"?), (2, "step"?):
          if let n = Int(words[1].0), n >= 1 {
            choice = words[0].0 == "line" ? .line(n) : .number(n)
          } else {
            diagnostics.append(.error("`\(words[1].0)` is not a \(words[0].0 == "line" ? "line" : "pass") number: write a whole number from 1", at: location(1)))
            choice = nil
          }
        case (2, "network"?): choice = .network(words[1].0)
        case (1, let word?) where !["line", "pass", "step", "network"].contains(word): choice = .network(word)
        default:
          diagnostics.append(.error(markerForms, at: at,
            notes: ["`@ standard` is network standard's first pass, `@ pass 2` the lesson's second, `@ line 140` the first at or after line 140"]))
          choice = nil
        }
        if let choice {
          marker = Marker(choice: choice, location: location(words.count == 2 ? 1 : 0))
          markers.append(marker!)
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
      guard let value = Double(number), value.isFinite, !number.lowercased().contains("x") else {
        diagnostics.append(.error("`\(number)` is not a number", at: at, notes: ["write the number as digits, e.g. `0.3775` or `-1.2e-3`"])); continue
      }
      lines.append(Line(name: name, text: number, value: value, marker: marker, location: at))
    }
    return (AnswerSheet(file: file, lines: lines, markers: markers), diagnostics)
  }
}

/// How each answer fared.
public struct AnswerReview: Sendable {
  public enum Verdict: String, Sendable, Hashable {
    case right
    /// The correct value rounded to fewer decimals than the rounding asks for: right as far
    /// as it goes. Not a slip; later answers may follow from it.
    case moreDigits = "more-digits"
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
    /// Decimal places the rounding asks of this answer.
    public var requiredPlaces: Int
    /// The value this answer would have if computed correctly from the student's own earlier
    /// values (their answers where given, the correct values otherwise); nil when no earlier
    /// answer differs from the correct value, or when the tool has no hand formula for it.
    public var fromYourValues: Double?
    /// The nearest earlier answers this one depends on that are not the correct value
    /// (wrong, consistent, or rounded to fewer digits).
    public var offBecause: [String]
    /// The earliest wrong answers those go back to: where the slip is.
    public var slips: [String]
  }

  public var items: [Item]
  /// The passes the answers refer to, and their numbers in the lesson (from 0).
  public var passes: [Pass]
  public var passIndices: [Int] = []
  /// How answers were judged.
  public var rounding: Rounding = .standard

  public var right: Int { items.filter { $0.verdict == .right }.count }
  public var moreDigits: Int { items.filter { $0.verdict == .moreDigits }.count }
  public var consistent: Int { items.filter { $0.verdict == .consistent }.count }
  public var wrong: Int { items.filter { $0.verdict == .wrong }.count }
}

extension AnswerReview {
  /// Marks every answer against the lesson's values, rounded as `rounding` says (by default
  /// the lesson's `rounding:` setting); problems with names come back as errors.
  public static func review(_ sheet: AnswerSheet, against run: ExecutedLesson, rounding: Rounding? = nil) -> (AnswerReview?, [Diagnostic]) {
    let rounding = rounding ?? run.lesson.settings.rounding
    let allPasses = run.passes
    var diagnostics: [Diagnostic] = []
    guard !allPasses.isEmpty else {
      let at = sheet.lines.first?.location ?? SourceLocation(file: sheet.file, line: 1, column: 1)
      return (nil, [.error("the lesson computes nothing to compare answers with: it has no forward, loss, backward or step block", at: at)])
    }
    // Each marker names one pass; a marker that names none is reported once, where it is written.
    var chosen: [AnswerSheet.Marker: Int] = [:]
    for marker in sheet.markers where chosen[marker] == nil {
      switch choose(marker.choice, among: allPasses, run: run) {
      case .success(let index): chosen[marker] = index
      case .failure(let problem): diagnostics.append(problem.at(marker.location))
      }
    }
    // Which pass each answer refers to, and which quantity it names there.
    var used: [Int: Int] = [:]
    var resolved: [(AnswerSheet.Line, Int, Quantity)] = []
    var seen: [Int: [Quantity: SourceLocation]] = [:]
    for line in sheet.lines {
      let passIndex: Int
      if let marker = line.marker {
        guard let index = chosen[marker] else { continue }
        passIndex = index
      } else {
        passIndex = 0
      }
      let pass = allPasses[passIndex]
      switch pass.quantity(named: line.name) {
      case .success(let q):
        if let earlier = seen[passIndex]?[q] {
          diagnostics.append(.error("`\(line.name)` is answered twice; the first answer is at line \(earlier.line)", at: line.location,
            notes: ["`\(pass.name(q))` and its other names (such as `w5` and `w5.after`) are one value"])); continue
        }
        seen[passIndex, default: [:]][q] = line.location
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
      let marking = Marking(pass: pass, answers: answers, rounding: rounding)
      for (line, _, q) in mine {
        items.append(marking.item(line, q, passIndex: index))
      }
    }
    let indices = allPasses.indices.filter { used[$0] != nil }
    return (AnswerReview(items: items, passes: indices.map { allPasses[$0] }, passIndices: indices, rounding: rounding), diagnostics)
  }

  struct MarkerProblem: Error {
    var message: String
    var notes: [String]
    func at(_ location: SourceLocation) -> Diagnostic { .error(message, at: location, notes: notes) }
  }

  /// The index of the pass a marker names.
  static func choose(_ choice: AnswerSheet.PassChoice, among passes: [Pass], run: ExecutedLesson) -> Result<Int, MarkerProblem> {
    let list = "the passes: " + passes.enumerated().map { "\($0.offset + 1) at line \($0.element.lines[0]) (\($0.element.networkName))" }.joined(separator: ", ")
    switch choice {
    case .line(let n):
      if let index = passes.firstIndex(where: { $0.lines.contains { $0 >= n } }) { return .success(index) }
      return .failure(MarkerProblem(message: "no pass of the lesson has a block at or after line \(n)", notes: [list]))
    case .number(let n):
      if n <= passes.count { return .success(n - 1) }
      return .failure(MarkerProblem(message: "the lesson has \(passes.count) pass\(passes.count == 1 ? "" : "es"), so there is no pass \(n)", notes: [list]))
    case .network(let name):
      if let index = passes.firstIndex(where: { $0.networkName == name }) { return .success(index) }
      let declared = run.items.compactMap { item -> String? in if case .network(let d) = item { d.spec.name } else { nil } }
      if declared.contains(name) {
        return .failure(MarkerProblem(message: "network `\(name)` has no pass: no forward, loss, backward or step block runs it", notes: [list]))
      }
      let withPasses = passes.map(\.networkName).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
      let suggestion = closestMatch(to: name, in: withPasses)
      return .failure(MarkerProblem(message: "unknown network `\(name)`",
        notes: [suggestion.map { "did you mean `\($0)`?" } ?? "networks with a pass: \(withPasses.joined(separator: ", "))", list]))
    }
  }
}

/// Follow-through marking within one pass.
final class Marking {
  let pass: Pass
  /// The pass recomputed after its update, for `NAME.after` answers (computed once).
  let after: Pass?
  let answers: [Quantity: AnswerSheet.Line]
  let rounding: Rounding
  let order: [Quantity: Int]
  /// The student's world: their answer where it is not right, else recomputed from their values.
  var yours: [Quantity: Double] = [:]
  var verdicts: [Quantity: AnswerReview.Verdict] = [:]

  init(pass: Pass, answers: [Quantity: AnswerSheet.Line], rounding: Rounding) {
    self.pass = pass
    self.after = answers.keys.contains { if case .after = $0 { true } else { false } } ? pass.afterUpdate() : nil
    self.answers = answers
    self.rounding = rounding
    var order: [Quantity: Int] = [:]
    for (index, q) in (pass.computedQuantities + pass.afterQuantities).enumerated() { order[q] = index }
    self.order = order
  }

  func sorted(_ qs: some Sequence<Quantity>) -> [Quantity] {
    qs.sorted { (order[$0] ?? -1, $0) < (order[$1] ?? -1, $1) }
  }

  /// The value the lesson computed.
  func correct(_ q: Quantity) -> Double {
    if case .after(let inner) = q, let after { return after.value(inner) }
    return pass.value(q)
  }

  /// A right answer stands for the correct value, so rounding carried by right answers is
  /// never held against later ones. Any other answer (rounded to fewer digits, consistent or
  /// wrong) stands for itself: later answers are judged by what follows from it.
  func yourValue(_ q: Quantity) -> Double {
    if let v = yours[q] { return v }
    let v: Double
    if answers[q] != nil, verdict(q) != .right {
      v = answers[q]!.value
    } else if !offAncestors(q).isEmpty {
      v = pass.recompute(q) { self.yourValue($0) } ?? correct(q)
    } else {
      v = correct(q)
    }
    yours[q] = v
    return v
  }

  /// Right or rounded against the correct value; else consistent when the same rule accepts
  /// it against what the student's own earlier values give.
  func verdict(_ q: Quantity) -> AnswerReview.Verdict {
    if let v = verdicts[q] { return v }
    let line = answers[q]!
    var v = AnswerReview.Verdict.wrong
    switch AnswerTolerance.judge(line.text, line.value, correct: correct(q), rounding: rounding) {
    case .right: v = .right
    case .moreDigits: v = .moreDigits
    case .wrong:
      if let expected = fromYourValues(q), AnswerTolerance.judge(line.text, line.value, correct: expected, rounding: rounding) != .wrong {
        v = .consistent
      }
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
    // A rounded answer is the correct value as far as it goes: nothing upstream to blame.
    let settled = v == .right || v == .moreDigits
    return AnswerReview.Item(line: line, quantity: q, canonicalName: pass.name(q), passIndex: passIndex, correct: correct(q), verdict: v,
      requiredPlaces: rounding.requiredPlaces(for: correct(q)),
      fromYourValues: settled ? nil : fromYourValues(q),
      offBecause: settled ? [] : offAncestors(q).map { answers[$0]!.name },
      slips: settled ? [] : slips(q).map { answers[$0]!.name })
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
        notes: ["in an answers file, `@ NETWORK`, `@ pass N` or `@ line N` points at another pass"])
    case .unsupported:
      return .error("`\(name)` is not a value of one pass; answers cover z, a, the error, δ, gradients and updated parameters", at: location)
    case .badIndex(let message):
      return .error("`\(name)`: \(message)", at: location)
    }
  }
}
