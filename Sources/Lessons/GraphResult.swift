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

  /// For each node, whether the lesson left it unnamed and its expression is too long to repeat
  /// wherever the node is used; such a node is written `#n` (n its id, as in the JSON trace).
  /// Repeating every operand's whole expression made labels, and so the report, quadratic in the
  /// length of a chain (`- - - … x`, a product of 300 factors).
  public private(set) var abbreviated: [Bool]

  /// An unnamed node's expression longer than this, in characters, is written `#n` elsewhere.
  public static let longestLabel = 24

  public init(name: String, location: SourceLocation, graph: ScalarGraph, nodeNames: [String?], definitions: [(name: String, node: Int)],
    output: Int, expand: [Int])
  {
    self.name = name
    self.location = location
    self.graph = graph
    self.nodeNames = nodeNames
    self.definitions = definitions
    self.output = output
    self.expand = expand
    // One pass in node order (operands come first): a node's text stops at operands already
    // named or abbreviated, so each text is short and the pass is linear.
    abbreviated = [Bool](repeating: false, count: graph.nodes.count)
    for n in graph.nodes.indices where nodeNames[n] == nil && !graph.nodes[n].inputs.isEmpty {
      abbreviated[n] = text(n, context: 0, expand: true).count > Self.longestLabel
    }
  }

  public var outputName: String { nodeNames[output] ?? label(of: output) }

  /// How a node is referred to when another node uses it: its name, `#n` for a long unnamed
  /// expression, or nil when its expression is written out.
  public func reference(_ n: Int) -> String? { nodeNames[n] ?? (abbreviated[n] ? "#\(n)" : nil) }

  /// What node `n` computes, one level deep: `q·z`, or `−#11` for the 12th minus in a chain.
  public func expression(of n: Int) -> String { text(n, context: 0, expand: true) }

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

  /// A node as text: its name, or for an unnamed node the expression it computes, e.g. `w1·x1 + w2·x2`
  /// (`#n` when that would be long).
  public func label(of n: Int) -> String { text(n, context: 0) }

  /// The expression text of node `n`, parenthesized when it binds less tightly than `context`
  /// (0 sum, 1 product, 2 unary minus, 3 power base). Recursion stops at names and `#n`, so it
  /// is never deeper than ``longestLabel``.
  func text(_ n: Int, context: Int, expand: Bool = false) -> String {
    if !expand, let reference = reference(n) { return reference }
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
