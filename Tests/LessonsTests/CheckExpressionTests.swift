import Foundation
import Lessons
import Testing

/// Check lines whose expected value is an expression or a whole number, and checks of the
/// values around an update.
@Suite("Check expressions")
struct CheckExpressionTests {
  /// The tiny network's forward pass, then one check block with these lines (the first at line 25).
  func checks(_ lines: [String], before: String = "```forward\n```\n\n") -> ([CheckResult], [Diagnostic]) {
    let source = tinyNetwork + before + "```check\n" + lines.joined(separator: "\n") + "\n```\n"
    let (run, diagnostics) = runLesson(source)
    return (run?.checks ?? [], diagnostics)
  }

  /// The line of the first check line in `checks(_:before:)`.
  func firstLine(before: String = "```forward\n```\n\n") -> Int {
    (tinyNetwork + before).split(separator: "\n", omittingEmptySubsequences: false).count + 1
  }

  @Test("an expected value may be arithmetic: + - * / (also − × ·), parentheses, unary minus")
  func expressions() {
    // h1.z = 0.15·0.05 + 0.20·0.10 + 0.35 = 0.3775.
    let (results, diagnostics) = checks([
      "h1.z = 0.15*0.05 + 0.2*0.1 + 0.35",
      "h1.z = 0.15 × 0.05 + 0.20 · 0.10 + 0.35",
      "h1.z = −(−0.3775)",
      "h1.z = (0.15 * 0.5 + 0.2) / 2 + 0.24 - 0.0 * 7",
      "h1.z = 0.3 + 0.08 ± 0.01",
    ])
    #expect(diagnostics.isEmpty, "\(diagnostics)")
    #expect(results.count == 5)
    for r in results { #expect(r.passed, "\(r.spec.expectedText): \(String(describing: r.computed)) vs \(r.spec.expected)") }
    #expect(results.first?.spec.expectedText == "0.15*0.05 + 0.2*0.1 + 0.35")
    #expect(abs((results.first?.allowed ?? 1) - 1e-9 * 0.3775) < 1e-18)
    #expect(results.last?.allowed == 0.01)
  }

  @Test("an expression has no digits written: it must agree to a relative 1e-9")
  func expressionTolerance() {
    let (results, _) = checks(["h1.z = 0.378", "h1.z = 0.378 + 0", "h1.z = 0.3775 * (1 + 1e-10)", "h1.z = 0.3775 * (1 + 1e-8)"])
    #expect(results.map(\.passed) == [true, false, true, false])
  }

  @Test("a whole number is exact unless a tolerance is written")
  func integers() throws {
    // h1.z is 0.3775: the old rule ("rounds to the digits written") let `0` pass it.
    let (results, _) = checks(["h1.z = 0", "h1.z = 0 ± 0.5", "h1.z = 0.4", "h1.z = 1 ± 70%"])
    #expect(results.map(\.passed) == [false, true, true, true])
    #expect(results.first?.allowed == 0)
    // A value that is exactly zero or one passes a whole number.
    let source = """
      ```network
      inputs: [x]
      layers:
        - neurons: [y]
          activation: linear
          weights: [[0]]
          biases: 1
      learning-rate: 0.1
      ```

      ```data
      inputs: [[3]]
      targets: [[1]]
      ```

      ```loss
      ```

      ```check
      y.z = 1
      y.z = +1
      E = 0
      x = 3
      E = -0
      ```
      """
    let (run, diagnostics) = runLesson(source)
    #expect(diagnostics.isEmpty)
    #expect(try #require(run).checks.map(\.passed) == [true, true, true, true, true])
  }

  @Test("a mistake in an expression is reported at the token that is wrong")
  func errors() {
    let line = firstLine()
    func error(_ check: String) -> String? { checks([check]).1.first.map(\.description) }
    #expect(error("h1.z = (0.3775") == "test.md:\(line):15: error: a `(` is not closed: `)` is missing at the end")
    #expect(error("h1.z = 0.3 + * 2") == "test.md:\(line):14: error: `*` cannot start a term: write a number or `(`")
    #expect(error("h1.z = 0.2 + h1.a") == "test.md:\(line):14: error: `h1.a` is not a number: the expected value is a number or an arithmetic expression of numbers")
    #expect(error("h1.z = 0.3 )") == "test.md:\(line):12: error: `)` cannot follow a complete expression: an operator (+ - * /) is missing, or a parenthesis does not match")
    #expect(error("h1.z = 1/0") == "test.md:\(line):8: error: `1/0` is not a finite number (it divides by zero, or overflows)")
    #expect(error("h1.z = 0.3 ×× 2") == "test.md:\(line):13: error: `×` cannot start a term: write a number or `(`")
    #expect(error("  h1.z = (1 + 2") == "test.md:\(line):16: error: a `(` is not closed: `)` is missing at the end")
    // A value that is no number at all keeps its old message.
    #expect(error("h1.z = about 0.4") == "test.md:\(line):8: error: `about 0.4` is not a number")
  }

  @Test("checks name the values around the latest update: NAME.after and NAME.before")
  func aroundUpdate() {
    let steps = "```forward\n```\n\n```loss\n```\n\n```backward\n```\n\n```update\n```\n\n"
    // The worked example's numbers after one step (its lesson checks them at line 139).
    let (results, diagnostics) = checks([
      "E.after = 0.291027774", "w5.after = 0.35891648", "w5 = 0.35891648", "w5.before = 0.40", "h1.b.after = 0.35",
      "E.before = 0.298371109", "tiny/E.after = 0.291027774",
      // 0.149780716·0.05 + 0.199561432·0.10 + 0.35, from the updated w1 and w2.
      "h1.z.after = 0.377445",
    ], before: steps)
    #expect(diagnostics.isEmpty, "\(diagnostics)")
    for r in results { #expect(r.passed, "\(r.spec.name) = \(String(describing: r.computed))") }
    // Inline values read them the same way.
    let (run, inline) = runLesson(tinyNetwork + steps + "The error is now {{E.after}}.\n")
    #expect(inline.isEmpty)
    let shown = run?.items.compactMap { item -> Double? in if case .prose(_, let values) = item { values.values.first } else { nil } }
    #expect(shown.map { $0.count == 1 && abs($0[0] - 0.291027774) < 1e-9 } == true)
    let (_, early) = checks(["E.after = 0.29"])
    #expect(early.first?.description == "test.md:\(firstLine()):1: error: `E.after` reads a value around an update, and network `tiny` has had no update before this point")
  }
}

@Suite("Constraint expressions")
struct ConstraintExpressionTests {
  func problems(_ line: String) -> [String] {
    let source = tinyNetwork + "```step\n```\n\n```constraints\n" + line + "\n```\n"
    let outcome = LessonRunner.run(source: source, file: "c.md", variant: nil, loader: { _ in "" })
    return outcome.diagnostics.filter { $0.severity == .error }.map(\.description)
  }

  @Test("constraints that hold pass; a mistake is reported at its token, ≤ and × counted as written")
  func located() {
    let line = (tinyNetwork + "```step\n```\n\n```constraints\n").split(separator: "\n", omittingEmptySubsequences: false).count
    #expect(problems("E.after < E.before") == [])
    #expect(problems("E.after ≤ E.before × 1") == [])
    #expect(problems("E.after ≤ E.before × * 1") == ["c.md:\(line):22: error: `*` cannot start a term: write a number, a value name or `(`"])
    #expect(problems("  E.after E.before") == ["c.md:\(line):11: error: `E` is not a comparison: write <, <=, >, >=, = or != here"])
    #expect(problems("abs(E.after < 1") == ["c.md:\(line):13: error: expected `)` here, not `<`"])
    #expect(problems("E.after < 1 )") == ["c.md:\(line):13: error: `)` cannot follow a complete expression: an operator (+ - * /) is missing, or a parenthesis does not match"])
  }
}
