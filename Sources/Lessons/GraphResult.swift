import Backprop

/// A `graph` block after it ran: the scalar graph with every value and gradient, and the lesson's
/// names for its nodes.
public struct GraphResult: Sendable {
  public var name: String
  public var location: SourceLocation
  /// Values and gradients ∂output/∂node, after the backward pass from ``output``.
  public var graph: ScalarGraph
  /// The name the lesson gave each node, or nil for a node it did not name (an intermediate
  /// result inside an expression, or a constant).
  public var nodeNames: [String?]
  /// Every name the lesson defined, in order, with its node (two names share a node when one is
  /// defined as the other, as in `r = q`).
  public var definitions: [(name: String, node: Int)]
  /// The node differentiated.
  public var output: Int
  /// The nodes whose chain-rule expansion the report writes out.
  public var expand: [Int]

  public var outputName: String { nodeNames[output] ?? label(of: output) }

  /// The node a name refers to.
  public func node(named name: String) -> Int? {
    definitions.last { $0.name == name }?.node
  }

  /// `q` is a node's value and `q.grad` its gradient ∂output/∂q.
  public func value(_ reference: String) -> Double? {
    if reference.hasSuffix(".grad"), let n = node(named: String(reference.dropLast(5))) { return graph.nodes[n].grad }
    return node(named: reference).map { graph.nodes[$0].value }
  }

  /// Every name a lesson can ask this graph for.
  public var valueNames: [String] { definitions.flatMap { [$0.name, $0.name + ".grad"] } }

  /// A node as text: its name, or for an unnamed node the expression it computes, e.g. `w1·x1 + w2·x2`.
  public func label(of n: Int) -> String { text(n, context: 0) }

  /// The expression text of node `n`, parenthesized when it binds less tightly than `context`
  /// (0 sum, 1 product, 2 unary minus, 3 power base).
  func text(_ n: Int, context: Int) -> String {
    if let name = nodeNames[n] { return name }
    let node = graph.nodes[n]
    let x = node.inputs
    func wrap(_ s: String, _ precedence: Int) -> String { precedence < context ? "(\(s))" : s }
    switch node.op {
    case .input, .constant: return Self.number(node.value)
    case .add: return wrap("\(text(x[0], context: 0)) + \(text(x[1], context: 0))", 0)
    case .sub: return wrap("\(text(x[0], context: 0)) − \(text(x[1], context: 1))", 0)
    case .mul: return wrap("\(text(x[0], context: 1))·\(text(x[1], context: 2))", 1)
    case .div: return wrap("\(text(x[0], context: 1))/\(text(x[1], context: 2))", 1)
    case .neg: return wrap("−\(text(x[0], context: 2))", 2)
    case .pow(let c): return wrap("\(text(x[0], context: 3))^\(Self.number(c))", 3)
    case .square, .sqrt, .exp, .log, .tanh, .sigmoid, .relu: return "\(node.op.name)(\(text(x[0], context: 0)))"
    }
  }

  /// A number as written in an expression: the shortest form that reads back the same, with a true minus.
  public static func number(_ x: Double) -> String {
    let s = x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)"
    return s.hasPrefix("-") ? "−" + s.dropFirst() : s
  }
}
