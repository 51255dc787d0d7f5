/// A `graph` block: named inputs with values, named expressions built from them, which output to
/// differentiate and which chain-rule expansions to show.
///
/// ```graph neuron
/// x = -2
/// y = 5
/// z = -4
/// q = x + y
/// f = q * z
/// backward: f
/// expand: x
/// ```
public struct GraphSpec: Sendable, Hashable {
  public var name: String
  /// The definitions, in the order written; every name is defined before it is used.
  public var definitions: [GraphDefinition]
  /// The name to differentiate (`backward:`); nil means the last definition.
  public var output: String?
  /// The names whose chain-rule expansion the report writes out (`expand:`); empty means the first input.
  public var expand: [String]

  /// The name differentiated: `backward:`, else the last definition.
  public var outputName: String? { output ?? definitions.last?.name }
}

/// One line `name = value` or `name = expression`.
public struct GraphDefinition: Sendable, Hashable {
  public enum Body: Sendable, Hashable {
    /// `x = -2`: an input, a leaf whose value is given.
    case input(Double)
    case expression(GraphExpression)
  }
  public var name: String
  public var body: Body
  /// Where the name stands.
  public var location: SourceLocation
}

/// An expression over earlier names, as parsed (names are checked by the parser).
public indirect enum GraphExpression: Sendable, Hashable {
  case number(Double)
  case name(String)
  case negate(GraphExpression)
  case binary(GraphBinaryOperator, GraphExpression, GraphExpression)
  /// `base ^ exponent`, the exponent a number known when parsing.
  case power(GraphExpression, exponent: Double)
  case call(GraphFunction, GraphExpression)
}

public enum GraphBinaryOperator: String, Sendable, Hashable, CaseIterable {
  case add = "+", subtract = "-", multiply = "*", divide = "/"
}

/// The functions a graph expression may call, each of one argument.
public enum GraphFunction: String, Sendable, Hashable, CaseIterable {
  case exp, log, tanh, sigmoid, relu, sqrt, square

  /// Other spellings accepted: `ln` for log, `σ` for sigmoid.
  static let aliases: [String: GraphFunction] = ["ln": .log, "σ": .sigmoid]

  public init?(word: String) {
    if let f = GraphFunction(rawValue: word) ?? Self.aliases[word] { self = f } else { return nil }
  }
}

extension GraphExpression {
  /// Every subexpression, operands before the operation that reads them (left before right),
  /// found with an explicit stack: a product of 1,000 factors is a tree 1,000 deep, too deep to
  /// walk by recursion on a small thread.
  public var postOrder: [GraphExpression] {
    var out: [GraphExpression] = []
    var stack: [(GraphExpression, expanded: Bool)] = [(self, false)]
    while let (e, expanded) = stack.popLast() {
      if expanded {
        out.append(e)
        continue
      }
      stack.append((e, true))
      switch e {
      case .number, .name: break
      case .negate(let x), .power(let x, _), .call(_, let x): stack.append((x, false))
      case .binary(_, let l, let r): stack += [(r, false), (l, false)]
      }
    }
    return out
  }
}
