import Foundation
import Lessons
import TestSupport
import Testing

@testable import Reports

/// What the report of typed layers writes: patch sums that index the input as the stride and
/// padding say, max-pool routes kept off worksheets, and grids only where they are legible.
@Suite("Reports of typed layers")
struct LayerReportTests {
  static func report(_ network: String, inputs: String, handout: Bool = false) throws -> String {
    let text = "```network n\n\(network)\n```\n\n```data\ninputs: \(inputs)\ntargets: [[1]]\n```\n\n```step\n```\n"
    let outcome = LessonRunner.run(source: text, file: "r.md", variant: nil, loader: { _ in "" })
    #expect(outcome.diagnostics.filter { $0.severity == .error }.isEmpty, "\(outcome.diagnostics)")
    let run = try #require(outcome.run)
    guard handout else { return HTMLReport.render(run) }
    let (blanks, _) = run.blanks()
    return HTMLReport.worksheet(run, Worksheet(kind: .handout, blanks: blanks, salt: "t")).0
  }

  @Test("a kernel weight's patch sum indexes the input by stride and padding")
  func patchIndex() throws {
    let html = try Self.report("""
      input-shape: [1, 5, 5]
      layers:
        - type: conv2d
          kernel: 3
          stride: 2
          padding: 1
          weights: [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]]
        - type: flatten
        - neurons: 1
          weights: [[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]]
      learning-rate: 0.1
      """, inputs: "[[\(Array(repeating: "0.5", count: 25).joined(separator: ", "))]]")
    // Output cell i (from 1) meets input row 2(i − 1) + 1 + r − 1 under kernel row r (from 0).
    #expect(html.contains("x_{1,2i-2,2j-2}"), "kernel weight (1,1)")
    #expect(html.contains("x_{1,2i-1,2j-1}"), "kernel weight (2,2)")
    #expect(html.contains("x_{1,2i-2,2j}"), "kernel weight (1,3)")
  }

  @Test("a worksheet does not say which input each max-pool window took")
  func routesHidden() throws {
    let network = """
      input-shape: [1, 2, 2]
      layers:
        - type: maxpool
          size: 2
        - type: flatten
        - neurons: 1
          weights: [[0.5]]
      learning-rate: 0.1
      """
    let report = try Self.report(network, inputs: "[[[[0.1, 0.9], [0.3, 0.2]]]]")
    let sheet = try Self.report(network, inputs: "[[[[0.1, 0.9], [0.3, 0.2]]]]", handout: true)
    #expect(report.contains("(from }"))
    #expect(!sheet.contains("(from }"))
    #expect(report.contains("fig-output"))
    #expect(!sheet.contains("fig-neuron fig-input fig-output"))
  }

  @Test("a worksheet of a dense and a typed network names each leak by its own network")
  func mixedNetworks() throws {
    let text = """
      ```network dense
      inputs: 1
      layers:
        - neurons: 1
          weights: [[0.5]]
      learning-rate: 0.1
      ```

      ```data one
      inputs: [[1]]
      targets: [[0]]
      ```

      ```step
      ```

      ```network cnn
      input-shape: [1, 2, 2]
      layers:
        - type: conv2d
          kernel: 1
          weights: [[0.3721]]
        - type: maxpool
          size: 2
        - type: flatten
        - neurons: 1
          weights: [[0.7]]
      learning-rate: 0.1
      ```

      ```data grid
      inputs: [[[[0.1, 0.9], [0.3, 0.2]]]]
      targets: [[1]]
      ```

      ```forward
      blanks: [p1.a[1,1,1]]
      ```

      """
    let outcome = LessonRunner.run(source: text, file: "m.md", variant: nil, loader: { _ in "" })
    let run = try #require(outcome.run)
    let (blanks, problems) = run.blanks()
    #expect(problems.isEmpty)
    #expect(blanks.map(\.name) == ["p1.a[1,1,1]"])
    let (_, leaks) = HTMLReport.worksheet(run, Worksheet(kind: .handout, blanks: blanks, salt: "m"))
    // The conv map prints the cell the max took (c1.z[1,1,2] = c1.a[1,1,2] = 0.33489, a linear
    // convolution), which gives the answer away; the leak is named in the typed network's names.
    #expect(leaks.contains { $0.message.contains("`c1.z[1,1,2]`") && $0.message.contains("`p1.a[1,1,1]`") }, "\(leaks.map(\.message))")
  }
}
