import Backprop
import Foundation

/// One line of a ```` ```constraints ```` block: two expressions over value names compared with
/// `<`, `<=`, `>`, `>=`, `=` or `!=`. Expressions use numbers, value names, `+ - * /`,
/// parentheses and `abs(…)`.
///
/// A plain name is read where the block stands, as `{{name}}` would be. `NAME.before` and
/// `NAME.after` read a value of the lesson's first pass that has an update, computed with the
/// parameters before and after that update: `E.after < E.before` says the first step lowers
/// the error.
public struct ConstraintLine: Sendable {
  public var text: String
  public var location: SourceLocation
  var left: Expression
  var relation: String
  var right: Expression

  public var names: [String] { left.names + right.names }

  indirect enum Expression: Sendable, Hashable {
    case number(Double)
    case name(String)
    case negate(Expression)
    case binary(Character, Expression, Expression)
    case abs(Expression)

    var names: [String] {
      switch self {
      case .number: []
      case .name(let n): [n]
      case .negate(let e), .abs(let e): e.names
      case .binary(_, let l, let r): l.names + r.names
      }
    }

    func evaluate(_ value: (String) -> Double) -> Double {
      switch self {
      case .number(let x): return x
      case .name(let n): return value(n)
      case .negate(let e): return -e.evaluate(value)
      case .abs(let e): return Swift.abs(e.evaluate(value))
      case .binary(let op, let l, let r):
        let a = l.evaluate(value), b = r.evaluate(value)
        switch op {
        case "+": return a + b
        case "-": return a - b
        case "*": return a * b
        default: return a / b
        }
      }
    }
  }

  /// nil for a blank or comment-only line.
  static func parse(_ line: String, at location: SourceLocation) -> Result<ConstraintLine?, Diagnostic> {
    var content = Substring(line)
    if let hash = content.firstIndex(of: "#") { content = content[..<hash] }
    let text = content.trimmingCharacters(in: .whitespaces)
    if text.isEmpty { return .success(nil) }
    // Two-character spellings of ≤ ≥ ≠; `origin` keeps each parsed character's offset in `text`.
    var chars: [Character] = [], origin: [Int] = []
    for (k, c) in text.enumerated() {
      let spelled: [Character] = c == "≤" ? ["<", "="] : c == "≥" ? [">", "="] : c == "≠" ? ["!", "="] : [Parser.ascii[c] ?? c]
      chars += spelled
      origin += Array(repeating: k, count: spelled.count)
    }
    var parser = Parser(chars: chars, written: chars.indices.map { Array(text)[origin[$0]] })
    let indent = line.prefix { $0 == " " }.count
    let at = SourceLocation(file: location.file, line: location.line, column: 1 + indent)
    func failure(_ message: String?) -> Result<ConstraintLine?, Diagnostic> {
      // Point at the token that is wrong, counted in the line as written.
      let offset = parser.failure?.offset ?? parser.i
      let k = offset < origin.count ? origin[offset] : text.count
      let column = 1 + indent + String(text.prefix(k)).unicodeScalars.count
      let form = "a constraint reads `expression < expression` (or <=, >, >=, =, !=) over value names, e.g. `E.after < E.before`"
      return .failure(.error(parser.failure?.message ?? message ?? form, at: SourceLocation(file: location.file, line: location.line, column: column), notes: [form]))
    }
    guard let left = parser.sum() else { return failure(nil) }
    guard let relation = parser.relation() else {
      return failure(parser.i < chars.count ? "`\(parser.written[parser.i])` is not a comparison: write <, <=, >, >=, = or != here" : "the constraint needs a comparison: <, <=, >, >=, = or !=")
    }
    guard let right = parser.sum() else { return failure(nil) }
    guard parser.atEnd else { return failure("`\(parser.written[parser.i])` cannot follow a complete expression: an operator (+ - * /) is missing, or a parenthesis does not match") }
    return .success(ConstraintLine(text: text, location: at, left: left, relation: relation, right: right))
  }

  /// An arithmetic expression alone (a check's expected value): numbers, value names,
  /// `+ - * /` (also `− × · ÷`), parentheses, unary minus and `abs(…)`. A failure gives the
  /// offset, in characters of `text`, of the token that is wrong.
  static func expression(_ text: String, names: Bool = true) -> Result<Expression, ExpressionProblem> {
    var parser = Parser(chars: Array(text).map { Parser.ascii[$0] ?? $0 }, names: names, written: Array(text))
    guard let e = parser.sum() else { return .failure(ExpressionProblem(offset: parser.problem.offset, message: parser.problem.message)) }
    guard parser.atEnd else {
      return .failure(ExpressionProblem(offset: parser.i,
        message: "`\(parser.written[parser.i])` cannot follow a complete expression: an operator (+ - * /) is missing, or a parenthesis does not match"))
    }
    return .success(e)
  }

  struct ExpressionProblem: Error {
    /// In characters of the text.
    var offset: Int
    var message: String
  }

  struct Parser {
    /// One character for one, so offsets stay those of the text as written.
    static let ascii: [Character: Character] = ["−": "-", "×": "*", "·": "*", "÷": "/"]

    let chars: [Character]
    /// Whether value names are allowed (constraints) or only numbers (a check's expected value).
    var names = true
    /// The characters as written, for messages (`×` rather than `*`).
    var written: [Character] = []
    var i = 0
    /// Where parsing first failed, and why.
    var failure: (offset: Int, message: String)?

    var problem: (offset: Int, message: String) { failure ?? (i, "this expression cannot be read") }

    var atEnd: Bool { mutating get { skipSpaces(); return i == chars.count } }

    mutating func skipSpaces() { while i < chars.count, chars[i] == " " || chars[i] == "\t" { i += 1 } }

    mutating func fail(_ message: String) -> Expression? {
      if failure == nil { failure = (i, message) }
      return nil
    }

    mutating func relation() -> String? {
      skipSpaces()
      for op in ["<=", ">=", "!=", "==", "<", ">", "="] where i + op.count <= chars.count && String(chars[i..<i + op.count]) == op {
        i += op.count
        return op == "==" ? "=" : op
      }
      return nil
    }

    mutating func sum() -> Expression? {
      guard var e = product() else { return nil }
      while true {
        skipSpaces()
        guard i < chars.count, chars[i] == "+" || chars[i] == "-" else { return e }
        let op = chars[i]
        i += 1
        guard let r = product() else { return nil }
        e = .binary(op, e, r)
      }
    }

    mutating func product() -> Expression? {
      guard var e = unary() else { return nil }
      while true {
        skipSpaces()
        guard i < chars.count, chars[i] == "*" || chars[i] == "/" else { return e }
        let op = chars[i]
        i += 1
        guard let r = unary() else { return nil }
        e = .binary(op, e, r)
      }
    }

    mutating func closing() -> Bool {
      skipSpaces()
      guard i < chars.count, chars[i] == ")" else { _ = fail(i < chars.count ? "expected `)` here, not `\(chars[i])`" : "a `(` is not closed: `)` is missing at the end"); return false }
      i += 1
      return true
    }

    mutating func unary() -> Expression? {
      skipSpaces()
      guard i < chars.count else { return fail("the expression ends where a number, a name or `(` should follow") }
      if chars[i] == "-" { i += 1; return unary().map { .negate($0) } }
      if chars[i] == "+" { i += 1; return unary() }
      if chars[i] == "(" {
        i += 1
        guard let e = sum(), closing() else { return nil }
        return e
      }
      if chars[i].isNumber || chars[i] == "." {
        let start = i
        while i < chars.count, chars[i].isNumber || chars[i] == "." || chars[i] == "e" || chars[i] == "E"
          || ((chars[i] == "-" || chars[i] == "+") && (chars[i - 1] == "e" || chars[i - 1] == "E")) { i += 1 }
        let word = String(chars[start..<i])
        guard let x = Double(word), x.isFinite else { i = start; return fail("`\(word)` is not a number") }
        return .number(x)
      }
      if chars[i].isLetter {
        let start = i
        // A comma belongs to the name inside brackets only (`c1.z[1,2,3]`).
        var depth = 0
        while i < chars.count, chars[i].isLetter || chars[i].isNumber || "._[]'".contains(chars[i]) || (chars[i] == "," && depth > 0) {
          if chars[i] == "[" { depth += 1 } else if chars[i] == "]" { depth -= 1 }
          i += 1
        }
        let word = String(chars[start..<i])
        if !names, word != "abs" { i = start; return fail("`\(word)` is not a number: the expected value is a number or an arithmetic expression of numbers") }
        skipSpaces()
        if word == "abs", i < chars.count, chars[i] == "(" {
          i += 1
          guard let e = sum(), closing() else { return nil }
          return .abs(e)
        }
        return .name(word)
      }
      return fail("`\(written.isEmpty ? chars[i] : written[i])` cannot start a term: write a number\(names ? ", a value name" : "") or `(`")
    }
  }

  func holds(_ value: (String) -> Double) -> (Bool, Double, Double) {
    let a = left.evaluate(value), b = right.evaluate(value)
    let ok: Bool
    switch relation {
    case "<": ok = a < b
    case "<=": ok = a <= b
    case ">": ok = a > b
    case ">=": ok = a >= b
    case "!=": ok = a != b
    default: ok = Swift.abs(a - b) <= 1e-12 * max(Swift.abs(a), Swift.abs(b), 1)
    }
    return (ok, a, b)
  }
}

enum Constraints {
  /// Evaluates the lesson's constraints after its run; returns one diagnostic per failing line,
  /// and errors for names that have no value. Removes the helper paragraph from the run.
  static func evaluate(_ prepared: Variants.Prepared, in run: inout ExecutedLesson) -> (failures: [Diagnostic], problems: [Diagnostic]) {
    var values: [String: Double] = [:]
    if let line = prepared.valueLine, let index = run.items.firstIndex(where: { if case .prose(let node, _) = $0 { node.location.line == line } else { false } }) {
      if case .prose(let node, let found) = run.items[index] {
        for (name, location) in node.block.valueReferences(file: run.lesson.file) { if let v = found[location] { values[name] = v } }
      }
      run.items.remove(at: index)
    }
    guard !prepared.constraints.isEmpty else { return ([], []) }
    var problems: [Diagnostic] = []
    // NAME.before and NAME.after: the first pass with an update, before and after it (Pass reads both).
    let stepped = run.passes.first { $0.hasUpdate }
    let after = stepped?.afterUpdate()
    for c in prepared.constraints {
      for name in c.names where values[name] == nil {
        guard name.hasSuffix(".before") || name.hasSuffix(".after") else {
          problems.append(.error("`\(name)` has no value where this constraints block stands", at: c.location)); continue
        }
        guard let stepped, let after else {
          problems.append(.error("`\(name)` needs a pass with an update (an `update` or `step` block) in the lesson", at: c.location)); continue
        }
        switch stepped.quantity(named: name) {
        case .success(.after(let q)): values[name] = after.value(q)
        case .success(let q): values[name] = stepped.value(q)
        case .failure(let problem): problems.append(problem.diagnostic(name, pass: stepped, at: c.location))
        }
      }
    }
    if !problems.isEmpty { return ([], problems) }
    var failures: [Diagnostic] = []
    for c in prepared.constraints {
      let (ok, a, b) = c.holds { values[$0] ?? .nan }
      if !ok { failures.append(.error("\(c.text) (\(a) vs \(b))", at: c.location)) }
    }
    return (failures, [])
  }
}
