import Backprop
import Lessons
import Typesetting

extension ReportContext {
  // MARK: Graph

  /// A `graph` block: the drawing, every node's value and gradient, every edge's local derivative
  /// and contribution, and the chain rule written out for the chosen inputs.
  mutating func graph(_ g: GraphResult) -> HTML {
    let out = g.outputName
    let reached = Set(g.graph.topologicalOrder(endingAt: g.output))
    let edges = g.graph.edges(endingAt: g.output)
    let diagramFormat = NumberFormat(decimals: min(run.lesson.settings.decimals, 4))

    var parts: [HTML] = [
      .el("p", [("class", "block-title")], [.el("span", [("class", "kind")], "graph"), .text(" \(g.name) · differentiating \(out)")])
    ]
    if g.graph.nodes.count <= GraphDiagram.maximumNodes {
      let nodes = g.graph.nodes.indices.map { n -> GraphDiagram.Node in
        let node = g.graph.nodes[n]
        let role: GraphDiagram.Node.Role =
          n == g.output ? .output : node.op == .input ? .input : node.op == .constant ? .constant : .operation
        var lines = node.op == .constant ? [] : ["value \(diagramFormat.short(node.value))"]
        if reached.contains(n), node.op != .constant { lines.append("grad \(diagramFormat.short(node.grad))") }
        return GraphDiagram.Node(Self.shortened(g.label(of: n)), operation: Self.symbol(node.op), lines: lines, role: role)
      }
      let diagram = GraphDiagram(
        id: nextFigureID("graph"), title: "Computational graph \(g.name)",
        description: "Each box shows a value and its gradient ∂\(out)/∂(box); operations sit on the left edge of their box, "
          + "and each arrow carries its local derivative. "
          + g.definitions.map { d in "\(d.name) = \(definitionText(g, d.node))" }.joined(separator: "; ") + ".",
        nodes: nodes,
        edges: edges.map { GraphDiagram.Edge(from: $0.from, to: $0.to, operand: $0.operand, label: diagramFormat.short($0.local)) })
      parts.append(figure(.trusted(diagram.svg())))
    } else {
      // Hundreds of boxes are no picture, and laying them out costs more than the rest of the report.
      parts.append(.el("p", [("class", "note")],
        "The graph has \(g.graph.nodes.count) nodes, more than the \(GraphDiagram.maximumNodes) a drawing can show legibly; the tables below list every node and edge."))
    }

    var nodeRows: [[HTML]] = []
    for n in g.graph.nodes.indices where g.graph.nodes[n].op != .constant {
      let node = g.graph.nodes[n]
      nodeRows.append([
        rowHeader(g.label(of: n)),
        .el("td", [], [math(nodeTeX(g, n, definition: true), display: false)]),
        cell(node.value),
        reached.contains(n) ? cell(node.grad) : .el("td", [("class", "num muted")], "0 (not used)"),
      ])
    }
    parts.append(table(caption: "Nodes: values and gradients", header: ["node", "computes", "value", "∂\(out)/∂node"], rows: nodeRows, numericFrom: 2))

    var edgeRows: [[HTML]] = []
    for e in edges.reversed() {
      let upstream = g.graph.nodes[e.to].grad
      edgeRows.append([
        .el("th", [("scope", "row")], [.el("code", [], "\(g.label(of: e.from)) → \(g.label(of: e.to))")]),
        .el("td", [], [math("\(symbols.partial(atom(g, e.to), atom(g, e.from))) = \(localDerivativeTeX(g, e))", display: false)]),
        cell(e.local),
        cell(upstream),
        cell(upstream * e.local),
      ])
    }
    if !edgeRows.isEmpty {
      parts.append(table(
        caption: "Edges, in the order the backward pass visits them: local derivative and chain-rule product",
        header: ["edge", "local derivative", "value", "upstream ∂\(out)/∂to", "contribution = upstream × local"],
        rows: edgeRows, numericFrom: 2))
      parts.append(.el("p", [("class", "note")], "A node's gradient is the sum of the contributions on the edges that leave it."))
    }

    for x in g.expand where x != g.output {
      parts.append(working("The chain rule for ∂\(out)/∂\(g.label(of: x))", chainRule(g, from: x, edges: edges)))
    }
    return .el("section", [("class", "block graph")], parts)
  }

  /// The chain rule from `x` to the output as a sum over paths of products of local derivatives,
  /// first in symbols, then in numbers.
  func chainRule(_ g: GraphResult, from x: Int, edges: [ScalarGraph.Edge]) -> [String] {
    let s = symbols
    let lhs = s.partial(atom(g, g.output), atom(g, x))
    let limit = 8
    let paths = g.graph.paths(from: x, to: g.output, limit: limit + 1, edges: edges)
    guard !paths.isEmpty else { return ["\(lhs) = 0 \\quad \\text{(\(g.outputName) does not depend on \(g.label(of: x)))}"] }
    guard paths.count <= limit else {
      return ["\(lhs) = \\sum_{\\text{paths}} \\prod_{\\text{edges}} \\frac{\\partial\\,\\text{to}}{\\partial\\,\\text{from}} = \(s.number(g.graph.nodes[x].grad)) \\quad \\text{(more than \(limit) paths; the edge table lists every factor)}"]
    }
    // A path through a long chain would be a product of hundreds of factors: the sum stands for it.
    let longest = paths.map(\.count).max() ?? 0
    guard longest <= Self.longestWrittenPath else {
      return ["\(lhs) = \\sum_{\\text{paths}} \\prod_{\\text{edges}} \\frac{\\partial\\,\\text{to}}{\\partial\\,\\text{from}} = \(s.number(g.graph.nodes[x].grad)) \\quad \\text{(a path of \(longest) edges; the edge table lists every factor)}"]
    }
    // Each path runs from x to the output; the chain rule reads it from the output down.
    let symbolic = paths.map { path in path.reversed().map { s.partial(atom(g, $0.to), atom(g, $0.from)) }.joined(separator: " \\cdot ") }
    let numeric = paths.map { path in path.reversed().map { s.number($0.local, parenthesized: true) }.joined(separator: " \\times ") }
    let products = paths.map { path in path.reduce(1.0) { $0 * $1.local } }
    let total = s.number(g.graph.nodes[x].grad)
    if paths.count == 1 {
      let factors = paths[0].count > 1 ? " = \(numeric[0])" : ""
      return ["\(lhs) = \(symbolic[0])\(factors) = \(total)"]
    }
    // With several paths the left side is the total derivative (d), to tell it from the one-step partials (∂).
    let totalDerivative = "\\frac{\\mathrm{d} \(atom(g, g.output))}{\\mathrm{d} \(atom(g, x))}"
    let grouped = numeric.enumerated().map { i, n in paths[i].count > 1 ? "\\left(\(n)\\right)" : n }
    return [
      "\\begin{aligned} \(totalDerivative) &= \(symbolic.joined(separator: " + ")) \\\\ "
        + "&= \(grouped.joined(separator: " + ")) \\\\ "
        + "&= \(products.map { s.number($0, parenthesized: true) }.joined(separator: " + ")) = \(total) \\end{aligned}",
      "\\text{(one term per path from \(g.label(of: x)) to \(g.outputName); d follows every path, ∂ a single edge)}",
    ]
  }

  /// The most edges one path may have for the chain rule to be written out factor by factor.
  static let longestWrittenPath = 24

  // MARK: TeX for nodes

  /// A node in TeX: its name, or the expression it computes, in parentheses when it binds less
  /// tightly than `context` (0 sum, 1 product, 2 unary minus, 3 power, 4 atom).
  func tex(_ g: GraphResult, _ n: Int, context: Int = 0) -> String {
    if let name = g.nodeNames[n] { return symbols.name(name) }
    if g.abbreviated[n] { return "\\#\(n)" }
    return expressionTeX(g, n, context: context)
  }

  /// A node's expression in terms of its operands: `x + y` for q. With `definition`, an input is its value.
  func nodeTeX(_ g: GraphResult, _ n: Int, definition: Bool) -> String {
    if g.graph.nodes[n].op == .input { return definition ? symbols.number(g.graph.nodes[n].value) : tex(g, n) }
    return expressionTeX(g, n, context: 0)
  }

  func expressionTeX(_ g: GraphResult, _ n: Int, context: Int) -> String {
    let node = g.graph.nodes[n]
    let x = node.inputs
    func wrap(_ t: String, _ precedence: Int) -> String { precedence < context ? "\\left(\(t)\\right)" : t }
    /// A right-hand operand; a leading minus there gets parentheses: a + (−b).
    func right(_ i: Int, _ c: Int) -> String {
      let t = tex(g, x[i], context: c)
      return t.hasPrefix("-") ? "\\left(\(t)\\right)" : t
    }
    switch node.op {
    case .input: return symbols.name(g.label(of: n))
    case .constant: return node.value < 0 ? wrap(symbols.number(node.value), 2) : symbols.number(node.value)
    case .add: return wrap("\(tex(g, x[0], context: 0)) + \(right(1, 0))", 0)
    case .sub: return wrap("\(tex(g, x[0], context: 0)) - \(right(1, 1))", 0)
    case .mul: return wrap("\(tex(g, x[0], context: 1)) \\cdot \(right(1, 2))", 1)
    case .div: return "\\frac{\(tex(g, x[0]))}{\(tex(g, x[1]))}"
    case .neg: return wrap("-\(tex(g, x[0], context: 2))", 2)
    case .pow(let c): return wrap("{\(atom(g, x[0]))}^{\(symbols.number(c))}", 3)
    case .square: return wrap("{\(atom(g, x[0]))}^{2}", 3)
    case .sqrt: return "\\sqrt{\(tex(g, x[0]))}"
    case .exp: return wrap("e^{\(tex(g, x[0]))}", 3)
    case .log: return "\\ln\\left(\(tex(g, x[0]))\\right)"
    case .tanh: return "\\tanh\\left(\(tex(g, x[0]))\\right)"
    case .sigmoid: return "\\sigma\\left(\(tex(g, x[0]))\\right)"
    case .relu: return "\\operatorname{ReLU}\\left(\(tex(g, x[0]))\\right)"
    }
  }

  /// A node in TeX, in parentheses unless it is a name, a non-negative number or a function call.
  func atom(_ g: GraphResult, _ n: Int) -> String { tex(g, n, context: 4) }

  /// ∂to/∂from for one edge as a formula in the operands (and, where shorter, the node's own value).
  func localDerivativeTeX(_ g: GraphResult, _ e: ScalarGraph.Edge) -> String {
    let s = symbols
    let node = g.graph.nodes[e.to]
    let x = node.inputs
    let a = atom(g, x[0])
    let y = atom(g, e.to)
    switch node.op {
    case .input, .constant: return "0"
    case .add: return "1"
    case .sub: return e.operand == 0 ? "1" : "-1"
    case .mul: return e.operand == 0 ? tex(g, x[1]) : tex(g, x[0])
    case .div:
      return e.operand == 0 ? "\\frac{1}{\(tex(g, x[1]))}" : "-\\frac{\(tex(g, x[0]))}{{\(atom(g, x[1]))}^{2}}"
    case .neg: return "-1"
    case .pow(let c):
      if c == 2 { return "2\(a)" }
      return "\(s.number(c)) \\, {\(a)}^{\(s.number(c - 1))}"
    case .square: return "2\(a)"
    case .sqrt: return "\\frac{1}{2\(g.nodeNames[e.to] == nil ? "\\sqrt{\(tex(g, x[0]))}" : y)}"
    case .exp: return g.nodeNames[e.to] == nil ? "e^{\(tex(g, x[0]))}" : y
    case .log: return "\\frac{1}{\(tex(g, x[0]))}"
    case .tanh: return "1 - {\(y)}^{2}"
    case .sigmoid: return "\(y)\\left(1 - \(y)\\right)"
    case .relu: return "[\(tex(g, x[0])) > 0]"
    }
  }

  /// A definition as plain text for the figure's description: `x + y`, or the value of an input.
  func definitionText(_ g: GraphResult, _ n: Int) -> String {
    let node = g.graph.nodes[n]
    guard node.op != .input else { return format.short(node.value) }
    return g.expression(of: n)
  }

  /// The badge of an operation in the figure.
  static func symbol(_ op: ScalarGraph.Op) -> String? {
    switch op {
    case .input, .constant: nil
    case .add: "+"
    case .sub: "−"
    case .mul: "×"
    case .div: "÷"
    case .neg: "−"
    case .pow(let c): "^" + GraphResult.number(c)
    case .square: "^2"
    case .sqrt: "√"
    case .exp: "exp"
    case .log: "ln"
    case .tanh: "tanh"
    case .sigmoid: "σ"
    case .relu: "ReLU"
    }
  }

  /// A label short enough for a box in the figure.
  static func shortened(_ label: String) -> String {
    label.count <= 24 ? label : String(label.prefix(22)) + "…"
  }
}
