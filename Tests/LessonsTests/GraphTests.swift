import Backprop
import Lessons
import Testing

/// The diagnostics of a lesson made of one graph block with `body`, as `line:column: message`.
private func graphErrors(_ body: String) -> [String] {
  let (_, diagnostics) = Lesson.parse("```graph g\n" + body + "```\n", file: "graph.md")
  return diagnostics.map { "\($0.location.line):\($0.location.column): \($0.message)" + $0.notes.map { " | " + $0 }.joined() }
}

private func graphSpec(_ body: String) -> GraphSpec? {
  let (lesson, _) = Lesson.parse("```graph g\n" + body + "```\n", file: "graph.md")
  for case .block(let block) in lesson.items {
    if case .graph(let spec) = block.content { return spec }
  }
  return nil
}

@Suite("Graph blocks: parsing")
struct GraphParserTests {
  @Test("inputs, expressions, precedence and settings")
  func parses() throws {
    let spec = try #require(graphSpec("""
      x = -2   # an input
      y = 5
      q = -x^2 + 3*y - y/2
      f = sigmoid(q) * exp(-(x + y))
      backward: q
      expand: x, y

      """))
    #expect(spec.name == "g")
    #expect(spec.definitions.map(\.name) == ["x", "y", "q", "f"])
    #expect(spec.definitions[0].body == .input(-2))
    #expect(spec.definitions[1].body == .input(5))
    // -x^2 is −(x²); * and / bind tighter than + and −, which group to the left.
    let q: GraphExpression = .binary(.subtract,
      .binary(.add, .negate(.power(.name("x"), exponent: 2)), .binary(.multiply, .number(3), .name("y"))),
      .binary(.divide, .name("y"), .number(2)))
    #expect(spec.definitions[2].body == .expression(q))
    #expect(spec.definitions[3].body == .expression(.binary(.multiply, .call(.sigmoid, .name("q")), .call(.exp, .negate(.binary(.add, .name("x"), .name("y")))))))
    #expect(spec.output == "q")
    #expect(spec.expand == ["x", "y"])
    #expect(spec.definitions[2].location.line == 4)
  }

  @Test("powers group to the right and take a negative or computed exponent")
  func powers() throws {
    let spec = try #require(graphSpec("x = 2\nf = x^3^2\ng = x ** -1\nh = x^(1/2)\nk = x − 1 × 2 ÷ 4\n"))
    #expect(spec.definitions[1].body == .expression(.power(.name("x"), exponent: 9)))
    #expect(spec.definitions[2].body == .expression(.power(.name("x"), exponent: -1)))
    #expect(spec.definitions[3].body == .expression(.power(.name("x"), exponent: 0.5)))
    #expect(spec.definitions[4].body == .expression(.binary(.subtract, .name("x"), .binary(.divide, .binary(.multiply, .number(1), .number(2)), .number(4)))))
  }

  @Test("an unknown name is reported at its exact column, with a suggestion")
  func unknownName() {
    #expect(graphErrors("x = 1\ny = 2\nf = x * zz\n") == ["4:9: unknown name `zz` | define it above, e.g. `zz = 1`"])
    #expect(graphErrors("rate = 1\nf = 2 * rte\n") == ["3:9: unknown name `rte` | did you mean `rate`?"])
  }

  @Test("unbalanced parentheses point at the parenthesis")
  func parentheses() {
    #expect(graphErrors("x = 1\nf = (x + 1\n") == ["3:5: this `(` is never closed | add `)` where the group ends"])
    #expect(graphErrors("x = 1\nf = x + 1)\n") == ["3:10: this `)` has no matching `(`"])
    #expect(graphErrors("x = 1\nf = exp(x\n") == ["3:8: this `(` is never closed | add `)` after the argument of `exp`"])
    #expect(graphErrors("x = 1\nf = (x + 1 x\n") == ["3:12: expected `)` to close the `(` at column 5, found `x`"])
  }

  @Test("an unknown function suggests the closest one")
  func unknownFunction() {
    #expect(graphErrors("x = 1\nf = 2 * sigmod(x)\n") == ["3:9: unknown function `sigmod` | did you mean `sigmoid`?"])
    #expect(graphErrors("x = 1\nf = cosh(x)\n") == ["3:5: unknown function `cosh` | the functions are exp, log, tanh, sigmoid, relu, sqrt, square"])
  }

  @Test("order, redefinition, self-reference and exponents")
  func definitions() {
    #expect(graphErrors("f = x + 1\nx = 2\n") == ["2:5: `x` is used before it is defined on line 3 | move its definition above this line"])
    #expect(graphErrors("x = 1\nx = 2\n") == ["3:1: `x` is already defined on line 2 | each name is defined once; choose a new name for the new value"])
    #expect(graphErrors("x = x + 1\n").first?.hasPrefix("2:5: `x` cannot be computed from itself") == true)
    #expect(graphErrors("x = 1\ny = 2\nf = x ^ y\n").first?.hasPrefix("4:9: the exponent must be a number") == true)
    #expect(graphErrors("exp = 1\n") == ["2:1: `exp` names a function; choose another name"])
  }

  @Test("malformed lines and expressions")
  func malformed() {
    #expect(graphErrors("x = 1\nf = 2x\n") == ["3:6: unexpected `x` after a complete expression | write `*` for a product, e.g. `2 * x`"])
    #expect(graphErrors("x = 1\nf = x +\n") == ["3:8: the expression ends where a number, a name or `(` should be"])
    #expect(graphErrors("x = 1\nf = x * * 2\n") == ["3:9: expected a number, a name or `(` before `*`"])
    #expect(graphErrors("x = 1\nf = x $ 2\n").first?.hasPrefix("3:7: unexpected `$` in an expression") == true)
    #expect(graphErrors("  x + 1\n").first?.hasPrefix("2:3: a graph line reads") == true)
    #expect(graphErrors("x =\n") == ["2:4: `x =` needs a number or an expression after it"])
  }

  @Test("settings name defined values")
  func settings() {
    #expect(graphErrors("x = 1\nf = x\nbackward: output\n") == ["4:11: `backward` names `output`, which this graph does not define | defined: x, f"])
    #expect(graphErrors("x = 1\nexpand: x y\n") == ["3:11: names after `expand:` are separated by commas"])
    #expect(graphErrors("x = 1\nbakward: x\n") == ["3:1: unknown setting `bakward` in a graph block | did you mean `backward`?"])
    #expect(graphErrors("") == ["1:1: a graph block needs at least one line `name = value` | for example `x = -2`, `y = 5`, `f = x * y`"])
  }

  @Test("every error in a block is reported, and a failed line does not cascade")
  func collectsErrors() {
    #expect(graphErrors("x = 1\nq = x + (\nf = q * zz\n") == [
      "3:10: the expression ends where a number, a name or `(` should be",
      "4:9: unknown name `zz` | define it above, e.g. `zz = 1`",
    ])
  }
}

@Suite("Graph blocks: running")
struct GraphRunTests {
  static let lesson = """
    ```graph simple
    x = -2
    y = 5
    z = -4
    q = x + y
    f = q * z
    ```

    With x = {{x}}, f = {{f}} and ∂f/∂x = {{x.grad}}.

    ```check
    q = 3
    f = -12
    x.grad = -4
    y.grad = -4
    z.grad = 3
    q.grad = -4
    f.grad = 1
    simple/z.grad = 3
    ```

    ```graph neuron
    x1 = 2
    x2 = 0
    w1 = -3
    w2 = 1
    b = 6.8813735870195432
    n = w1*x1 + w2*x2 + b
    o = tanh(n)
    ```

    ```check
    o = 0.7071 ± 1e-4
    n.grad = 0.5 ± 1e-6
    x1.grad = -1.5 ± 1e-6
    w1.grad = 1 ± 1e-6
    x2.grad = 0.5 ± 1e-6
    w2.grad = 0 ± 1e-12
    simple/x.grad = -4
    ```

    """

  @Test("checks and inline values read graph values and gradients")
  func checksPass() throws {
    let (run, diagnostics) = runLesson(Self.lesson)
    #expect(diagnostics.isEmpty, "\(diagnostics)")
    let checks = try #require(run).checks
    #expect(checks.count == 15)
    for c in checks { #expect(c.passed, "\(c.spec.name) = \(String(describing: c.computed)), expected \(c.spec.expectedText)") }
    let values = try #require(run).items.compactMap { item -> [Double]? in
      if case .prose(_, let values) = item, !values.isEmpty { return values.sorted { $0.key < $1.key }.map(\.value) }
      return nil
    }
    #expect(values == [[-2, -12, -4]])
  }

  @Test("the graph result holds the nodes, the output and the input to expand")
  func result() throws {
    let (run, _) = runLesson(Self.lesson)
    let graphs = try #require(run).items.compactMap { item -> GraphResult? in
      if case .graph(let g) = item { return g }
      return nil
    }
    #expect(graphs.map(\.name) == ["simple", "neuron"])
    let g = graphs[0]
    #expect(g.graph.nodes.map(\.op) == [.input, .input, .input, .add, .mul])
    #expect(g.outputName == "f")
    #expect(g.expand == [0], "the first input by default")
    #expect(graphs[1].label(of: 7) == "w1·x1 + w2·x2")
  }

  @Test("a network's value wins over a graph's, and unknown graph names get suggestions")
  func namespaces() throws {
    let source = tinyNetwork + "```forward\n```\n\n```graph g\nh1 = 7\nloss = h1 * 2\n```\n\n```check\ni1 = 0.05\nloss.grad = 1\ng/h1 = 7\n```\n\n{{los}}\n"
    let (run, diagnostics) = runLesson(source)
    #expect(diagnostics.map(\.message) == ["unknown value `los`"])
    #expect(diagnostics.first?.notes == ["did you mean `loss`?"])
    #expect(try #require(run).checks.allSatisfy(\.passed))
  }

  @Test("a value that is not finite stops the run at the graph")
  func nonFinite() throws {
    let (run, _) = runLesson("```graph\nx = 0\nf = log(x)\n```\n\n```check\nx = 0\n```\n")
    let stop = try #require(run?.stoppedEarly)
    // At the line that takes the log, naming it, and with no nan or inf in the words.
    #expect(stop.message.contains("`log` of 0 in `f`"), "\(stop.message)")
    #expect(stop.message.contains("graph `graph`"))
    #expect(stop.location.line == 3)
    #expect(!stop.message.contains("nan") && !stop.message.contains("inf"))
  }

  @Test("sqrt at 0 stops at its line with a readable message; x^0 and relu at 0 have gradient 0")
  func derivativesAtZero() throws {
    let (run, _) = runLesson("```graph\nx = 0\ny = 3 * x\nr = sqrt(y) + 1\n```\n")
    let stop = try #require(run?.stoppedEarly)
    #expect(stop.message.contains("`sqrt` of 0 in `r` has no finite derivative"), "\(stop.message)")
    #expect(stop.location.line == 4)
    #expect(!stop.message.contains("nan") && !stop.message.contains("inf"))

    let (fine, _) = runLesson("```graph\nx = 0\ny = x^0 + relu(x)\n```\n\n```check\ny = 1\nx.grad = 0\n```\n")
    let ran = try #require(fine)
    #expect(ran.stoppedEarly == nil)
    #expect(ran.checks.count == 2 && ran.checks.allSatisfy(\.passed))
  }
}
