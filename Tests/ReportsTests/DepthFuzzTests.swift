import Foundation
import Lessons
import Reports
import Testing

/// Runs `body` on a thread with a 512 KB stack, the smallest a test or a caller's worker thread
/// may get, and waits for it. A stack overflow kills the test runner, which is the failure.
private final class Box<T>: @unchecked Sendable {
  var value: T?
}

private func onSmallStack<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
  let box = Box<T>()
  let done = DispatchSemaphore(value: 0)
  let thread = Thread {
    box.value = body()
    done.signal()
  }
  thread.stackSize = 512 * 1024
  thread.start()
  done.wait()
  return box.value!
}

/// Parses, runs and renders a lesson (HTML and JSON) the way `lesson run` does.
private struct Outcome: Sendable {
  var errors: [Diagnostic]
  var html: String?
  var json: String?
}

private func runLesson(_ source: String, limits: RunLimits = RunLimits()) -> Outcome {
  onSmallStack {
    let (lesson, parseDiagnostics) = Lesson.parse(source, file: "deep.md")
    var errors = parseDiagnostics.filter { $0.severity == .error }
    guard errors.isEmpty else { return Outcome(errors: errors) }
    let (run, diagnostics) = LessonRunner.run(lesson, limits: limits)
    errors = diagnostics.filter { $0.severity == .error }
    guard errors.isEmpty else { return Outcome(errors: errors) }
    return Outcome(errors: [], html: HTMLReport.render(run), json: JSONTrace.render(run))
  }
}

private func graph(_ expression: String) -> String {
  "```graph g\nx = 0.5\ny = 1.5\nf = \(expression)\n```\n"
}

@Suite("Nesting 100,000 deep: no crash, a located error or a correct report")
struct DepthFuzzTests {
  static let n = 100_000

  /// Every construct nested `n` deep, with the line and column the error must name (nil: any
  /// column on line `line`), or nil when the lesson is expected to render.
  static let cases: [(name: String, source: String, line: Int, column: Int?)] = [
    ("block quotes", String(repeating: "> ", count: n) + "deep\n", 1, 201),
    ("lists", String(repeating: "- ", count: n) + "deep\n", 1, 101),
    ("ordered lists", String(repeating: "1. ", count: n) + "deep\n", 1, 151),
    ("emphasis", String(repeating: "*a ", count: n) + "b" + String(repeating: "*", count: n) + "\n", 1, nil),
    ("strong", String(repeating: "**a ", count: n) + "b" + String(repeating: "**", count: n) + "\n", 1, nil),
    ("images", String(repeating: "![", count: n) + "x" + String(repeating: "](http://a)", count: n) + "\n", 1, nil),
    ("quotes in lists", String(repeating: "- > ", count: n / 2) + "deep\n", 1, nil),
    ("graph parentheses", graph(String(repeating: "(", count: n) + "x" + String(repeating: ")", count: n)), 4, 37),
    ("graph calls", graph(String(repeating: "exp(", count: n) + "x" + String(repeating: ")", count: n)), 4, nil),
    ("graph unary minus", graph(String(repeating: "- ", count: n) + "x"), 4, 69),
    ("graph powers", graph(String(repeating: "x^", count: n) + "2"), 4, nil),
    ("graph product", graph(Array(repeating: "x", count: n).joined(separator: " * ")), 4, nil),
    ("YAML flow sequences", "```network\ninputs: " + String(repeating: "[", count: n) + String(repeating: "]", count: n) + "\n```\n", 2, nil),
    ("YAML flow mappings", "```network\ninputs: " + String(repeating: "{a: ", count: n) + "1" + String(repeating: "}", count: n) + "\n```\n", 2, nil),
    ("YAML compact sequences", "```network\ninputs:\n  " + String(repeating: "- ", count: n) + "x\n```\n", 3, nil),
    ("front matter", "---\ntitle: " + String(repeating: "[", count: n) + String(repeating: "]", count: n) + "\n---\n# T\n", 2, nil),
  ]

  @Test("a located error", arguments: cases.indices)
  func deepInputIsRefusedWhereItGoesTooDeep(_ i: Int) {
    let c = Self.cases[i]
    let outcome = runLesson(c.source)
    #expect(outcome.html == nil, "\(c.name) should be refused")
    let first = outcome.errors.first
    #expect(first?.location.file == "deep.md", "\(c.name)")
    #expect(first?.location.line == c.line, "\(c.name): \(String(describing: first))")
    if let column = c.column { #expect(first?.location.column == column, "\(c.name): \(String(describing: first))") }
  }

  /// TeX is rendered, never refused: too deep a formula becomes an `<merror>` showing its source.
  @Test("math nested 100,000 deep renders as an error in place", arguments: [
    "$" + String(repeating: "\\frac{", count: n) + "1" + String(repeating: "}{2}", count: n) + "$\n",
    "$" + String(repeating: "\\sqrt", count: n) + " x$\n",
    "$" + String(repeating: "\\hat ", count: n) + "x$\n",
    "$x" + String(repeating: "^{x", count: n) + String(repeating: "}", count: n) + "$\n",
    "$" + String(repeating: "\\left(", count: n) + "x" + String(repeating: "\\right)", count: n) + "$\n",
  ])
  func deepMath(_ source: String) throws {
    let outcome = runLesson(source)
    #expect(outcome.errors.isEmpty, "\(outcome.errors)")
    let html = try #require(outcome.html)
    #expect(html.contains("<merror>"))
  }

  /// Links cannot contain links, so cmark leaves `[[[…](u)](u)]` flat: it renders.
  @Test func nestedLinkBracketsRender() throws {
    let outcome = runLesson(String(repeating: "[", count: Self.n) + "x" + String(repeating: "](http://a)", count: Self.n) + "\n")
    #expect(outcome.errors.isEmpty)
    #expect(try #require(outcome.html).contains("<a href=\"http://a\">"))
  }

  /// Just inside every limit, the whole pipeline still fits a 512 KB stack and renders.
  @Test("at the limits it renders", arguments: [
    String(repeating: "> ", count: 100) + "deep\n",
    String(repeating: "- ", count: 50) + "deep\n",
    String(repeating: "*a ", count: 99) + "b" + String(repeating: "*", count: 99) + "\n",
    String(repeating: "> - ", count: 33) + "*x*\n",
    graph(String(repeating: "(", count: 31) + "x" + String(repeating: ")", count: 31)),
    graph(String(repeating: "-", count: 31) + "x"),
    graph(String(repeating: "exp(", count: 31) + "x" + String(repeating: ")", count: 31)),
    graph(String(repeating: "sigmoid(x * ", count: 31) + "x" + String(repeating: ")", count: 31)),
    graph(Array(repeating: "x", count: 1_001).joined(separator: " * ")),
    graph(Array(repeating: "x", count: 1_001).joined(separator: " / ")),
    "```network\ninputs: 1\nlayers:\n  - neurons: 1\n    weights: " + String(repeating: "[", count: 95) + "1" + String(repeating: "]", count: 95) + "\n```\n",
  ])
  func atTheLimits(_ source: String) {
    let outcome = runLesson(source)
    // The network case (just inside YAMLNesting's limit) is refused for its shape, not its depth:
    // Yams and the checks after it only have to survive.
    if source.hasPrefix("```network") {
      #expect(!outcome.errors.contains { $0.message.contains("nests more than") }, "\(outcome.errors)")
      return
    }
    #expect(outcome.errors.isEmpty, "\(outcome.errors)")
    #expect(outcome.html != nil)
  }

  @Test func oneNestingPastTheMarkdownLimitIsAnError() {
    #expect(runLesson(String(repeating: "> ", count: 100) + "deep\n").errors.isEmpty)
    let errors = runLesson(String(repeating: "> ", count: 101) + "deep\n").errors
    #expect(errors.map(\.location.column) == [201])
    #expect(errors.first?.message.contains("nest more than 100 deep") == true)
  }
}

@Suite("A graph's report grows linearly with the graph")
struct GraphGrowthTests {
  func reportBytes(_ expression: String) throws -> (html: Int, json: Int) {
    let outcome = runLesson(graph(expression))
    #expect(outcome.errors.isEmpty, "\(outcome.errors)")
    return (try #require(outcome.html).utf8.count, try #require(outcome.json).utf8.count)
  }

  /// Each node's label used to repeat its operands' whole expressions, so a chain of n made a
  /// report of about n² bytes (1,000 minuses: 74 MB).
  @Test("chains of unary minus, products, sums and calls", arguments: [
    ("- ", ""), ("x * ", "x"), ("x + ", "x"), ("exp(", ")"), ("(1 - ", ")"),
  ])
  func linear(_ piece: (String, String)) throws {
    func expression(_ n: Int) -> String {
      // A chain across lines would be linear anyway; in one expression it reaches the limits.
      String(repeating: piece.0, count: n) + "y" + String(repeating: piece.1, count: piece.1 == "x" ? 0 : n)
    }
    // Differences cancel the page's fixed part: linear growth doubles them, quadratic quadruples.
    // Nested chains stop at 32 levels; flat ones (sums, products) can be long.
    let sizes = try (piece.1 == "x" ? [200, 400, 800] : [7, 14, 28]).map { try reportBytes(expression($0)) }
    let html = (Double(sizes[1].html - sizes[0].html), Double(sizes[2].html - sizes[1].html))
    let json = (Double(sizes[1].json - sizes[0].json), Double(sizes[2].json - sizes[1].json))
    #expect(html.1 < 2.5 * html.0, "HTML \(sizes.map(\.html))")
    #expect(json.1 < 2.5 * json.0, "JSON \(sizes.map(\.json))")
  }

  @Test func productOf1000IsLinearToo() throws {
    let factors = { (n: Int) in Array(repeating: "x", count: n).joined(separator: " * ") }
    let sizes = try [250, 500, 1_000].map { try reportBytes(factors($0)).html }
    #expect(Double(sizes[2] - sizes[1]) < 2.5 * Double(sizes[1] - sizes[0]), "\(sizes)")
  }

  /// A long chain across named lines: the chain rule is one path of 1,000 edges, written as a sum.
  @Test func longPathIsSummarized() throws {
    var lines = ["x0 = 0.5"]
    for i in 1...1_000 { lines.append("x\(i) = -x\(i - 1)") }
    let outcome = runLesson("```graph g\n" + lines.joined(separator: "\n") + "\n```\n")
    let html = try #require(outcome.html)
    #expect(html.contains("a path of 1000 edges"))
    #expect(html.contains("more than the 60 a drawing can show"))
  }

  @Test func unnamedLongOperandsAreReferredToByID() throws {
    let outcome = runLesson(graph(Array(repeating: "x", count: 101).joined(separator: " - ")))
    let json = try #require(outcome.json)
    let trace = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    let step = try #require((trace["steps"] as? [[String: Any]])?.first)
    let labels = try #require((step["nodes"] as? [[String: Any]])?.compactMap { $0["label"] as? String })
    #expect(labels.count == 102)
    #expect(labels.allSatisfy { $0.count <= GraphResult.longestLabel }, "\(labels)")
    // Node k (after x and y) is x − x − … with k − 1 subtractions, 1 + 4(k − 1) characters:
    // the first past the limit is written `#k`, and the next one uses it.
    let k = (GraphResult.longestLabel - 1) / 4 + 2
    #expect(labels[k - 1] == Array(repeating: "x", count: k - 1).joined(separator: " − "))
    #expect(labels[k] == "#\(k)")
    #expect(labels[k + 1] == "#\(k) − x")
  }
}

@Suite("Graph limits")
struct GraphLimitTests {
  @Test func tooManyOperationsInOneExpression() {
    let outcome = runLesson(graph(Array(repeating: "x", count: 1_002).joined(separator: " * ")))
    #expect(outcome.errors.count == 1)
    #expect(outcome.errors.first?.message == "this expression has more than 1000 operations")
    // At the 1,001st `*`: "f = " is 4 columns, each "x * " 4 more.
    #expect(outcome.errors.first?.location.line == 4)
    #expect(outcome.errors.first?.location.column == 5 + 1_000 * 4 + 2)
  }

  @Test func nodeLimitAcrossTheLessonIsLocatedAndRaisable() {
    let block = { (name: String) in "```graph \(name)\nx = 1\ny = x * x * x\n```\n\n" }
    let source = block("a") + block("b") + block("c")
    var limits = RunLimits()
    limits.graphNodes = 8  // each graph has 1 input and 2 products: the third passes 8 at `y`
    let outcome = runLesson(source, limits: limits)
    #expect(outcome.errors.count == 1)
    #expect(outcome.errors.first?.location.line == 13)
    #expect(outcome.errors.first?.message.contains("past 8 nodes at `y`") == true)
    limits.graphNodes = 9
    #expect(runLesson(source, limits: limits).errors.isEmpty)
  }
}
