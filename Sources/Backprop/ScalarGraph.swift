import Foundation

/// A scalar expression as a graph of operations, differentiated in reverse mode, micrograd's way.
///
/// Every node records its operation, the nodes it reads, its value and, after ``backward(from:)``,
/// its gradient ∂output/∂node. Nodes can only read nodes added before them, so the graph is
/// acyclic by construction. A node read twice (say by `x * x`) receives a contribution along each
/// edge: gradients accumulate with `+=`, which is the multivariable chain rule
/// ∂f/∂x = Σ over the edges x → u of ∂f/∂u · ∂u/∂x.
///
/// The operations are a closed enum rather than closures, so a report can name each one and write
/// its local derivative as a formula. Pure: no I/O, no global state.
public struct ScalarGraph: Sendable, Hashable {
  /// What a node computes from its inputs x₀ (and x₁).
  public enum Op: Sendable, Hashable {
    /// A named quantity given a value: a leaf whose gradient is usually the point of the exercise.
    case input
    /// A number written in an expression: a leaf.
    case constant
    /// x₀ + x₁; ∂/∂x₀ = 1, ∂/∂x₁ = 1.
    case add
    /// x₀ − x₁; ∂/∂x₀ = 1, ∂/∂x₁ = −1.
    case sub
    /// x₀ · x₁; ∂/∂x₀ = x₁, ∂/∂x₁ = x₀.
    case mul
    /// x₀ / x₁; ∂/∂x₀ = 1/x₁, ∂/∂x₁ = −x₀/x₁².
    case div
    /// −x₀; ∂/∂x₀ = −1.
    case neg
    /// x₀ᶜ for a constant c; ∂/∂x₀ = c · x₀ᶜ⁻¹.
    case pow(Double)
    /// x₀²; ∂/∂x₀ = 2x₀.
    case square
    /// √x₀; ∂/∂x₀ = 1/(2√x₀), infinite at 0.
    case sqrt
    /// eˣ⁰; ∂/∂x₀ = eˣ⁰, the node's own value.
    case exp
    /// ln x₀; ∂/∂x₀ = 1/x₀.
    case log
    /// tanh x₀; ∂/∂x₀ = 1 − tanh² x₀.
    case tanh
    /// σ(x₀) = 1/(1 + e⁻ˣ⁰); ∂/∂x₀ = σ(x₀)(1 − σ(x₀)).
    case sigmoid
    /// max(0, x₀); ∂/∂x₀ = 1 when x₀ > 0, else 0 (0 at the kink, as micrograd and PyTorch choose).
    case relu

    /// How many inputs the operation reads.
    public var arity: Int {
      switch self {
      case .input, .constant: 0
      case .add, .sub, .mul, .div: 2
      case .neg, .pow, .square, .sqrt, .exp, .log, .tanh, .sigmoid, .relu: 1
      }
    }

    /// A short lower-case name for traces: "add", "pow", "sigmoid", ….
    public var name: String {
      switch self {
      case .input: "input"
      case .constant: "constant"
      case .add: "add"
      case .sub: "sub"
      case .mul: "mul"
      case .div: "div"
      case .neg: "neg"
      case .pow: "pow"
      case .square: "square"
      case .sqrt: "sqrt"
      case .exp: "exp"
      case .log: "log"
      case .tanh: "tanh"
      case .sigmoid: "sigmoid"
      case .relu: "relu"
      }
    }

    /// The forward value from the input values `x` (`x.count == arity`, at least 1).
    public func value(_ x: [Double]) -> Double {
      switch self {
      case .input, .constant: preconditionFailure("a leaf has no inputs to compute its value from")
      case .add: return x[0] + x[1]
      case .sub: return x[0] - x[1]
      case .mul: return x[0] * x[1]
      case .div: return x[0] / x[1]
      case .neg: return -x[0]
      case .pow(let c): return c == 2 ? x[0] * x[0] : Foundation.pow(x[0], c)
      case .square: return x[0] * x[0]
      case .sqrt: return x[0].squareRoot()
      case .exp: return Foundation.exp(x[0])
      case .log: return Foundation.log(x[0])
      case .tanh: return Foundation.tanh(x[0])
      case .sigmoid:
        // Two forms so that neither exp overflows for large |x| (the dense engine does the same).
        if x[0] >= 0 { return 1 / (1 + Foundation.exp(-x[0])) }
        let e = Foundation.exp(x[0])
        return e / (1 + e)
      case .relu: return x[0] > 0 ? x[0] : 0
      }
    }

    /// ∂output/∂xᵢ for each input, from the input values and the node's own output
    /// (several derivatives are cheapest and exact in terms of the output).
    public func localDerivatives(_ x: [Double], output y: Double) -> [Double] {
      switch self {
      case .input, .constant: return []
      case .add: return [1, 1]
      case .sub: return [1, -1]
      case .mul: return [x[1], x[0]]
      case .div: return [1 / x[1], -x[0] / (x[1] * x[1])]
      case .neg: return [-1]
      // x⁰ is the constant 1: its derivative is 0 everywhere, x = 0 included (as PyTorch has it),
      // where c·x^(c−1) would be 0·∞.
      case .pow(let c): return [c == 0 ? 0 : c == 2 ? 2 * x[0] : c * Foundation.pow(x[0], c - 1)]
      case .square: return [2 * x[0]]
      case .sqrt: return [1 / (2 * y)]
      case .exp: return [y]
      case .log: return [1 / x[0]]
      case .tanh: return [1 - y * y]
      case .sigmoid: return [y * (1 - y)]
      case .relu: return [x[0] > 0 ? 1 : 0]
      }
    }
  }

  public struct Node: Sendable, Hashable {
    public var op: Op
    /// Indices of the nodes read, in operand order; repeated when a node is read twice.
    public var inputs: [Int]
    public var value: Double
    /// ∂output/∂node after ``ScalarGraph/backward(from:)``; 0 before, and for nodes the output does not depend on.
    public var grad: Double
  }

  /// One use of a node by another: `to` reads `from` as its operand number `operand`.
  public struct Edge: Sendable, Hashable {
    public var from: Int
    public var to: Int
    public var operand: Int
    /// ∂to/∂from along this edge alone.
    public var local: Double
  }

  public private(set) var nodes: [Node] = []

  public init() {}

  /// Adds a leaf holding `value`; returns its index.
  @discardableResult
  public mutating func input(_ value: Double) -> Int {
    nodes.append(Node(op: .input, inputs: [], value: value, grad: 0))
    return nodes.count - 1
  }

  /// Adds a constant leaf; returns its index.
  @discardableResult
  public mutating func constant(_ value: Double) -> Int {
    nodes.append(Node(op: .constant, inputs: [], value: value, grad: 0))
    return nodes.count - 1
  }

  /// Adds a node computing `op` of earlier nodes, and computes its value; returns its index.
  @discardableResult
  public mutating func apply(_ op: Op, _ inputs: [Int]) -> Int {
    precondition(op.arity > 0 && inputs.count == op.arity, "\(op.name) takes \(op.arity) inputs, got \(inputs.count)")
    precondition(inputs.allSatisfy { nodes.indices.contains($0) }, "a node can only read nodes added before it")
    nodes.append(Node(op: op, inputs: inputs, value: op.value(inputs.map { nodes[$0].value }), grad: 0))
    return nodes.count - 1
  }

  @discardableResult
  public mutating func apply(_ op: Op, _ inputs: Int...) -> Int { apply(op, inputs) }

  /// The local derivatives of node `n` along each of its input edges, in operand order.
  public func localDerivatives(of n: Int) -> [Double] {
    let node = nodes[n]
    return node.op.localDerivatives(node.inputs.map { nodes[$0].value }, output: node.value)
  }

  /// Every node `output` depends on, itself last, each after all the nodes it reads
  /// (a depth-first post-order, as micrograd's `build_topo`).
  public func topologicalOrder(endingAt output: Int) -> [Int] {
    var order: [Int] = []
    var visited = Set<Int>()
    // An explicit stack, so a long chain cannot overflow the call stack.
    var stack: [(node: Int, next: Int)] = [(output, 0)]
    visited.insert(output)
    while let top = stack.last {
      let inputs = nodes[top.node].inputs
      if top.next < inputs.count {
        stack[stack.count - 1].next += 1
        let child = inputs[top.next]
        if visited.insert(child).inserted { stack.append((child, 0)) }
      } else {
        order.append(top.node)
        stack.removeLast()
      }
    }
    return order
  }

  /// Sets every gradient to ∂nodes[output]/∂node: 1 at the output, then, walking the topological
  /// order in reverse, each node passes `grad × local derivative` to each of its inputs, where it
  /// is added to what other uses contributed.
  public mutating func backward(from output: Int) {
    for i in nodes.indices { nodes[i].grad = 0 }
    nodes[output].grad = 1
    for n in topologicalOrder(endingAt: output).reversed() {
      let upstream = nodes[n].grad
      for (operand, local) in localDerivatives(of: n).enumerated() {
        nodes[nodes[n].inputs[operand]].grad += upstream * local
      }
    }
  }

  /// Every edge on which `output` depends, in topological order of their target, with its local derivative.
  public func edges(endingAt output: Int) -> [Edge] {
    topologicalOrder(endingAt: output).flatMap { to in
      zip(nodes[to].inputs, localDerivatives(of: to)).enumerated().map { operand, pair in
        Edge(from: pair.0, to: to, operand: operand, local: pair.1)
      }
    }
  }

  /// Every path from `node` to `output`, each as the edges it follows from `node` onwards.
  /// The chain rule's sum over paths: ∂output/∂node = Σ over paths of the product of their local
  /// derivatives. Stops after `limit` paths (their number can grow exponentially with depth).
  /// `edges` are ``edges(endingAt:)`` for `output`, when the caller has them already.
  public func paths(from node: Int, to output: Int, limit: Int = 64, edges relevant: [Edge]? = nil) -> [[Edge]] {
    var outgoing: [Int: [Edge]] = [:]
    for e in relevant ?? edges(endingAt: output) { outgoing[e.from, default: []].append(e) }
    guard node == output || outgoing[node] != nil else { return [] }
    // Depth first with an explicit stack (a path can be as long as the graph); every edge kept
    // leads to the output, so each step is on the way to a path and the walk ends after at most
    // `limit` paths' worth of steps.
    var found: [[Edge]] = []
    var path: [Edge] = []
    var stack: [(node: Int, next: Int)] = [(node, 0)]
    while let top = stack.last, found.count < limit {
      let leaving = top.node == output ? [] : outgoing[top.node] ?? []
      if top.node == output { found.append(path) }
      if top.next < leaving.count {
        stack[stack.count - 1].next += 1
        path.append(leaving[top.next])
        stack.append((leaving[top.next].to, 0))
      } else {
        stack.removeLast()
        if !path.isEmpty { path.removeLast() }
      }
    }
    return found
  }
}
