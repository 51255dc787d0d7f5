import Backprop
import Lessons

extension JSONTrace {
  /// A `graph` step: every node with its operation, inputs (node ids), value and gradient, and every
  /// edge the output depends on with its local derivative and chain-rule contribution.
  static func graph(_ g: GraphResult) -> JSONValue {
    let nodes = g.graph.nodes.indices.map { n -> JSONValue in
      let node = g.graph.nodes[n]
      var pairs: [(String, JSONValue)] = [
        ("id", .number(Double(n))),
        ("name", g.nodeNames[n].map(JSONValue.string) ?? .null),
        ("label", .string(g.label(of: n))),
        ("op", .string(node.op.name)),
      ]
      if case .pow(let c) = node.op { pairs.append(("exponent", .number(c))) }
      pairs += [
        ("inputs", .numbers(node.inputs.map(Double.init))),
        ("value", .number(node.value)),
        ("grad", .number(node.grad)),
      ]
      return .object(pairs)
    }
    let edges = g.graph.edges(endingAt: g.output).map { e -> JSONValue in
      let upstream = g.graph.nodes[e.to].grad
      return .object([
        ("from", .number(Double(e.from))),
        ("to", .number(Double(e.to))),
        ("operand", .number(Double(e.operand))),
        ("local", .number(e.local)),
        ("upstream", .number(upstream)),
        ("contribution", .number(upstream * e.local)),
      ])
    }
    return .object([
      ("kind", .string("graph")),
      ("line", .number(Double(g.location.line))),
      ("name", .string(g.name)),
      ("output", .number(Double(g.output))),
      ("names", .object(g.definitions.map { ($0.name, .number(Double($0.node))) })),
      ("nodes", .array(nodes)),
      ("edges", .array(edges)),
    ])
  }
}
