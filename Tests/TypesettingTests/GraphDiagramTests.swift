import Foundation
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

@testable import Typesetting

private func isWellFormed(_ svg: String) -> Bool { XMLParser(data: Data(svg.utf8)).parse() }

private func occurrences(of needle: String, in haystack: String) -> Int {
  haystack.components(separatedBy: needle).count - 1
}

@Suite("Computational graph diagram")
struct GraphDiagramTests {
  @Test("a two-node graph renders exactly")
  func exactSmallOutput() {
    let diagram = GraphDiagram(
      id: "g1", title: "f = −x", description: "x feeds a negation.",
      nodes: [.init("x", lines: ["value 2"], role: .input), .init("f", operation: "−", lines: ["value −2"], role: .output)],
      edges: [.init(from: 0, to: 1, label: "−1")])
    // Box widths: 0.6 em per character plus padding (and half the badge); the badge is centred on
    // f's left edge, the arrow ends at its rim, the label sits mid-edge.
    #expect(diagram.svg() == #"""
      <svg xmlns="http://www.w3.org/2000/svg" class="fig fig-graph" viewBox="0 0 204 63" width="204" height="63" font-size="12" role="img" aria-labelledby="g1-title g1-desc">
      <title id="g1-title">f = −x</title>
      <desc id="g1-desc">x feeds a negation.</desc>
      <path class="fig-edge fig-gedge" d="M67 31.5C86 31.5 86 31.5 105 31.5"/>
      <path class="fig-arrow" d="M111 31.5L104 28L104 35Z"/>
      <g>
      <rect class="fig-gnode fig-input" x="8" y="12" width="59" height="39" rx="4"/>
      <text class="fig-name" x="37.5" y="29.2" text-anchor="middle">x</text>
      <text class="fig-value" x="37.5" y="40.98" text-anchor="middle">value 2</text>
      </g>
      <g>
      <rect class="fig-gnode fig-output" x="121" y="12" width="75" height="39" rx="4"/>
      <text class="fig-name" x="163.5" y="29.2" text-anchor="middle">f</text>
      <text class="fig-value" x="163.5" y="40.98" text-anchor="middle">value −2</text>
      <rect class="fig-op" x="111" y="21.5" width="20" height="20" rx="10"/>
      <text class="fig-op-symbol" x="121" y="35.7" text-anchor="middle">−</text>
      </g>
      <g class="fig-labels">
      <text x="86" y="28.5" text-anchor="middle">−1</text>
      </g>
      </svg>
      """#)
  }

  @Test("layers: longest path, with sources moved next to their first use")
  func layering() {
    // 0 → 2 → 3 and 1 → 3: input 1 is only used at layer 2, so it sits in layer 1, not 0.
    let ranks = GraphLayout.ranks(nodeCount: 4, edges: [(0, 2), (2, 3), (1, 3)])
    #expect(ranks == [0, 1, 1, 2])
  }

  @Test("an edge spanning layers gets a dummy vertex in each layer between")
  func dummies() {
    // 0 → 1 → 2 → 3 and 0 → 3: the long edge passes layers 1 and 2.
    let layout = GraphLayout(nodeCount: 4, edges: [(0, 1, 0), (1, 2, 0), (2, 3, 0), (0, 3, 1)])
    #expect(layout.rank == [0, 1, 2, 3, 1, 2])
    #expect(layout.chains[3] == [0, 4, 5, 3])
    #expect(layout.layers.map(\.count) == [1, 2, 2, 1])
  }

  @Test("barycenter sweeps remove a crossing and respect operand order")
  func ordering() {
    // Sources 0 and 1 feed 3 and 2 crosswise; after ordering, no segment crosses.
    let crossed = GraphLayout(nodeCount: 4, edges: [(0, 3, 0), (1, 2, 0)])
    #expect(crossed.crossings() == 0)
    #expect(crossed.layers[1] == [3, 2])
    // f = q · z with z defined before q: q (operand 0) ends above z (operand 1).
    let product = GraphLayout(nodeCount: 5, edges: [(0, 3, 0), (1, 3, 1), (3, 4, 0), (2, 4, 1)])
    #expect(product.crossings() == 0)
    #expect(product.layers[1] == [3, 2])
  }

  @Test("a layer is fitted to its wishes in order, at least the separation apart")
  func fitting() {
    #expect(GraphLayout.fit([0, 10, 20], gaps: [5, 5]) == [0, 10, 20])
    // Wishes too close: both move apart symmetrically around their mean.
    #expect(GraphLayout.fit([10, 10], gaps: [20]) == [0, 20])
    #expect(GraphLayout.fit([5, 0], gaps: [10]) == [-2.5, 7.5])
  }

  @Test("a larger graph is well-formed, escapes its text and uses only styled classes")
  func wellFormed() {
    let nodes: [GraphDiagram.Node] = [
      .init("a<b", lines: ["value 1"], role: .input), .init("b & c", lines: ["value 2"], role: .input),
      .init("k", lines: [], role: .constant), .init("s", operation: "+", lines: ["value 3", "grad 1"]),
      .init("t", operation: "\"×\"", lines: ["value 6"]), .init("L", operation: "σ", lines: ["value 0.99"], role: .output),
    ]
    let edges: [GraphDiagram.Edge] = [
      .init(from: 0, to: 3, operand: 0), .init(from: 1, to: 3, operand: 1), .init(from: 3, to: 4, operand: 0, label: "2"),
      .init(from: 0, to: 4, operand: 1, label: "3"), .init(from: 2, to: 5, operand: 0), .init(from: 4, to: 5),
    ]
    let svg = GraphDiagram(id: "big graph", title: "t & <t>", description: "d", nodes: nodes, edges: edges).svg()
    #expect(isWellFormed(svg))
    #expect(svg.contains("a&lt;b") && svg.contains("b &amp; c") && svg.contains("&quot;×&quot;"))
    #expect(svg.contains("aria-labelledby=\"big-graph-title big-graph-desc\""))
    #expect(occurrences(of: "class=\"fig-op\"", in: svg) == 3)
    #expect(!svg.contains("fill=") && !svg.contains("stroke=") && !svg.contains("style="), "colour comes from CSS only")
    for cls in ["fig-gnode", "fig-input", "fig-constant", "fig-output", "fig-op", "fig-op-symbol", "fig-arrow", "fig-gedge"] {
      #expect(svg.contains(cls) && SVG.stylesheet.contains(".\(cls)"), "\(cls)")
    }
  }
}
