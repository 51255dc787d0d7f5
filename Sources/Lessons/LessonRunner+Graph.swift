import Backprop

extension LessonRunner {
  /// Builds a `graph` block's scalar graph, runs the backward pass from its output and records
  /// the result; its names become readable by checks and `{{…}}` from here on.
  mutating func run(_ spec: GraphSpec, at location: SourceLocation) {
    // Past the node limit once, later graphs are skipped: one error says it.
    guard graphNodesSoFar <= limits.graphNodes else { return }
    var graph = ScalarGraph()
    var nodeNames: [String?] = []
    var definitions: [(name: String, node: Int)] = []
    var byName: [String: Int] = [:]

    // Operands first, each result on a stack, so no depth of expression recurses.
    func build(_ e: GraphExpression) -> Int {
      var results: [Int] = []
      for part in e.postOrder {
        switch part {
        case .number(let v): results.append(graph.constant(v))
        case .name(let n): results.append(byName[n]!)  // the parser checked every name
        case .negate: results.append(graph.apply(.neg, results.removeLast()))
        case .power(_, let c): results.append(graph.apply(.pow(c), results.removeLast()))
        case .binary(let op, _, _):
          let b = results.removeLast(), a = results.removeLast()
          switch op {
          case .add: results.append(graph.apply(.add, a, b))
          case .subtract: results.append(graph.apply(.sub, a, b))
          case .multiply: results.append(graph.apply(.mul, a, b))
          case .divide: results.append(graph.apply(.div, a, b))
          }
        case .call(let f, _):
          let a = results.removeLast()
          switch f {
          case .exp: results.append(graph.apply(.exp, a))
          case .log: results.append(graph.apply(.log, a))
          case .tanh: results.append(graph.apply(.tanh, a))
          case .sigmoid: results.append(graph.apply(.sigmoid, a))
          case .relu: results.append(graph.apply(.relu, a))
          case .sqrt: results.append(graph.apply(.sqrt, a))
          case .square: results.append(graph.apply(.square, a))
          }
        }
      }
      return results[0]
    }

    for definition in spec.definitions {
      let node: Int
      switch definition.body {
      case .input(let v): node = graph.input(v)
      case .expression(let e): node = build(e)
      }
      if graph.nodes.count > limits.graphNodes - graphNodesSoFar {  // never overflows: graphNodesSoFar ≤ the limit
        error("graph `\(spec.name)` takes the lesson's graphs past \(limits.graphNodes) nodes at `\(definition.name)`", at: definition.location,
          notes: ["the report lists every node and edge; raise the limit on purpose with `--max-graph-nodes N`"])
        graphNodesSoFar = .max
        return
      }
      while nodeNames.count < graph.nodes.count { nodeNames.append(nil) }
      if nodeNames[node] == nil { nodeNames[node] = definition.name }
      byName[definition.name] = node
      definitions.append((definition.name, node))
    }
    graphNodesSoFar += graph.nodes.count
    guard let outputName = spec.outputName, let output = byName[outputName] else { return }
    graph.backward(from: output)

    // The chain rule written out: for the names asked for, else for the first input the output depends on.
    var expand = spec.expand.compactMap { byName[$0] }
    if spec.expand.isEmpty {
      let reached = Set(graph.topologicalOrder(endingAt: output))
      if let first = definitions.first(where: { graph.nodes[$0.node].op == .input && reached.contains($0.node) && $0.node != output }) {
        expand = [first.node]
      }
    }

    let result = GraphResult(name: spec.name, location: location, graph: graph, nodeNames: nodeNames,
      definitions: definitions, output: output, expand: expand)
    if let (message, at) = Self.nonFinite(graph, output: output, spec: spec, byName: byName) {
      // Located at the line that computes it, with the operation and its input, never a bare nan.
      stopped = .error("graph `\(spec.name)`: \(message)", at: at ?? location,
        notes: ["likely causes: a division by 0, the log of a number ≤ 0, or the square root of a number ≤ 0 (whose derivative is infinite at 0)"])
    } else if let bad = graph.nodes.indices.first(where: { !graph.nodes[$0].value.isFinite }) ?? graph.nodes.indices.first(where: { !graph.nodes[$0].grad.isFinite }) {
      let node = graph.nodes[bad]
      stopped = .error("a value is not finite: `\(result.label(of: bad))` in graph `\(spec.name)` has value \(node.value) and gradient \(node.grad)", at: location,
        notes: ["likely causes: a division by 0, the log of a number ≤ 0, or the square root of a negative number"])
    }
    graphs[spec.name] = result
    latestGraph = spec.name
    items.append(.graph(result))
  }

  /// The first operation, in the order of the definitions, whose value or local derivative (on a
  /// path to the output) is not finite, described in words, with the line of its definition.
  static func nonFinite(_ graph: ScalarGraph, output: Int, spec: GraphSpec, byName: [String: Int]) -> (String, SourceLocation?)? {
    let reached = Set(graph.topologicalOrder(endingAt: output))
    func describe(_ v: Double) -> String { v.isNaN ? "undefined" : v > 0 ? "+∞" : "−∞" }
    for n in graph.nodes.indices where reached.contains(n) {
      let node = graph.nodes[n]
      let inputs = node.inputs.map { graph.nodes[$0].value }
      guard inputs.allSatisfy(\.isFinite) else { continue }  // reported where it first went wrong
      let locals = node.inputs.isEmpty ? [] : graph.localDerivatives(of: n)
      let valueBad = !node.value.isFinite, derivativeBad = locals.contains { !$0.isFinite }
      guard valueBad || derivativeBad else { continue }
      // The definition that holds this node (the first that reaches it), for the line.
      let definition = spec.definitions.first { d in
        guard let m = byName[d.name] else { return false }
        return m == n || graph.topologicalOrder(endingAt: m).contains(n)
      }
      let x = inputs.map { plainNumber($0) }.joined(separator: ", ")
      let what = "`\(node.op.name)` of \(x)" + (definition.map { " in `\($0.name)`" } ?? "")
      let message = valueBad
        ? "\(what) has no finite value (it is \(describe(node.value)))"
        : "\(what) has no finite derivative (it is \(describe(locals.first { !$0.isFinite }!))), so the gradient cannot pass through it"
      return (message, definition?.location)
    }
    return nil
  }

  /// A graph value for `[GRAPH/]name[.grad]`: `.none` when the reference is not for a graph (so
  /// the network's answer stands), else the value or why there is none.
  func graphLookup(_ reference: String) -> Result<Double, LookupProblem>? {
    let ref = ValueReference(reference)
    let name = ref.local
    var graphName = latestGraph
    if let prefix = ref.prefix {
      guard networks[prefix] == nil, graphs[prefix] != nil else { return nil }
      graphName = prefix
    }
    guard let graphName, let graph = graphs[graphName] else { return nil }
    if let v = graph.value(String(name)) { return .success(v) }
    let suggestion = closestMatch(to: String(name), in: graph.valueNames)
    // Without a prefix, the graph's answer matters only when no network could have meant it.
    guard reference.contains("/") || networks.isEmpty || suggestion != nil else { return nil }
    return .failure(LookupProblem(message: "unknown value `\(reference)`",
      notes: [suggestion.map { "did you mean `\($0)`?" } ?? "graph `\(graphName)` defines \(graph.definitions.map(\.name).joined(separator: ", ")); add `.grad` for a gradient"]))
  }
}
