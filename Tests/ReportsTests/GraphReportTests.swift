import Foundation
import Lessons
import Reports
import Testing

private let graphLesson = """
  ```graph simple
  x = -2
  y = 5
  z = -4
  q = x + y
  f = q * z
  expand: x
  ```

  ```graph twice
  a = 3
  b = -2
  v = a * b + a
  expand: a
  ```

  """

private func run(_ source: String) -> ExecutedLesson {
  let (lesson, diagnostics) = Lesson.parse(source, file: "g.md")
  #expect(diagnostics.isEmpty, "\(diagnostics)")
  return LessonRunner.run(lesson).0
}

@Suite("Graph reports")
struct GraphReportTests {
  @Test("the HTML shows the graph, its edge table and the chain rule with numbers")
  func html() {
    let html = HTMLReport.render(run(graphLesson))
    #expect(html.contains("class=\"fig fig-graph\""))
    #expect(html.contains("<caption>Nodes: values and gradients</caption>"))
    #expect(html.contains("<th scope=\"row\"><code>q → f</code></th>"))
    // The edge q → f: local derivative z = −4, upstream 1, contribution −4.
    #expect(html.contains("title=\"-4.0\">−4.000000000</td><td class=\"num\" title=\"1.0\">1.000000000</td><td class=\"num\" title=\"-4.0\">−4.000000000</td>"))
    // ∂f/∂x = ∂f/∂q · ∂q/∂x = (−4) × 1 = −4, as TeX kept in the MathML annotation.
    #expect(html.contains("\\frac{\\partial f}{\\partial x} &amp;= \\frac{\\partial f}{\\partial q} \\cdot \\frac{\\partial q}{\\partial x}")
      || html.contains("\\frac{\\partial f}{\\partial x} = \\frac{\\partial f}{\\partial q} \\cdot \\frac{\\partial q}{\\partial x}"))
    #expect(html.contains("(-4) \\times 1"))
    // Two paths from a to v: the total derivative is their sum, b + 1 = −1.
    #expect(html.contains("\\frac{\\mathrm{d} v}{\\mathrm{d} a} &amp;= \\frac{\\partial v}{\\partial \\left(a \\cdot b\\right)} \\cdot \\frac{\\partial \\left(a \\cdot b\\right)}{\\partial a} + \\frac{\\partial v}{\\partial a}"))
    #expect(html.contains("= (-2) + 1 = -1"))
    #expect(!html.contains("merror"), "every formula is understood by the TeX converter")
  }

  @Test("the JSON trace has a graph step with nodes and edges")
  func json() throws {
    let text = JSONTrace.render(run(graphLesson))
    let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    let steps = try #require(object["steps"] as? [[String: Any]])
    let graph = try #require(steps.first)
    #expect(graph["kind"] as? String == "graph")
    #expect(graph["name"] as? String == "simple")
    #expect(graph["line"] as? Int == 1)
    #expect(graph["output"] as? Int == 4)
    let nodes = try #require(graph["nodes"] as? [[String: Any]])
    #expect(nodes.map { $0["op"] as? String } == ["input", "input", "input", "add", "mul"])
    #expect(nodes.map { $0["grad"] as? Double } == [-4, -4, 3, -4, 1])
    #expect(nodes[3]["inputs"] as? [Int] == [0, 1])
    let edges = try #require(graph["edges"] as? [[String: Any]])
    #expect(edges.count == 4)
    let qf = try #require(edges.first { $0["from"] as? Int == 3 })
    #expect(qf["local"] as? Double == -4)
    #expect(qf["contribution"] as? Double == -4)
    let names = try #require(graph["names"] as? [String: Int])
    #expect(names == ["x": 0, "y": 1, "z": 2, "q": 3, "f": 4])
  }
}
