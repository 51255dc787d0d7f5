import Backprop
import Foundation
import Lessons
import TestSupport
import Testing

@testable import Reports

/// Reads the report's working back from its MathML and does the arithmetic: every side of a line
/// `symbolic = numeric = result` that is numbers only (or names whose values the run knows) must
/// come to the printed result when read the way a reader reads it, with × before − and a minus
/// sign only where a sign may stand. A missing bracket, `(a − t) · 1 − a²` or `−0.5 × −0.08`,
/// then fails here.
@Suite("Working formulas")
struct WorkingFormulaTests {
  // MARK: Lessons

  static let hiddenActivations = ["sigmoid", "tanh", "relu", "leaky-relu", "linear"]
  /// Every output activation with every loss the parser accepts after it.
  static let outputs: [(activation: String, loss: String)] =
    ["sigmoid", "tanh", "relu", "leaky-relu", "linear", "softmax"].flatMap { a in
      ["half-squared-error", "mean-squared-error"].map { (a, $0) }
    } + [("softmax", "cross-entropy"), ("sigmoid", "binary-cross-entropy"),
      // Added for PyTorch parity: BCELoss's mean, MSE summed, Huber and smooth L1 with both pieces.
      ("sigmoid", "{type: binary-cross-entropy, outputs: mean}"), ("linear", "{type: mean-squared-error, outputs: sum}"),
      ("linear", "{type: huber, delta: 0.5}"), ("tanh", "{type: smooth-l1, beta: 0.3, outputs: sum}")]

  /// A 2–2–2 network whose weights, inputs and targets make z, a − t, δ and gradients negative
  /// somewhere (z of h1 is −0.66, of h2 0.25, so a ReLU has one neuron on and one off).
  static func lesson(hidden: String, output: String, loss: String, samples: Int, optimizer: String = "sgd",
    notation: String = "z-a", steps: Int = 1, settings: String = "") -> String {
    func slope(_ a: String) -> String { a == "leaky-relu" ? "\n    slope: 0.1" : "" }
    let inputs = [[-0.4, 0.7], [0.3, -0.9], [0.8, 0.2]].prefix(samples)
    let targets = loss == "cross-entropy" ? [[1, 0], [0, 1], [1, 0]].prefix(samples) : [[0.9, 0.1], [0.2, 0.7], [0.6, 0.4]].prefix(samples)
    return """
      ---
      notation: \(notation)
      ---

      ```network
      inputs: [i1, i2]
      layers:
        - neurons: [h1, h2]
          activation: \(hidden)\(slope(hidden))
          weights: [[0.5, -0.8], [-0.6, 0.3]]
          biases: [0.1, -0.2]
        - neurons: [o1, o2]
          activation: \(output)\(slope(output))
          weights: [[-0.7, 0.9], [0.8, -0.5]]
          biases: [-0.3, 0.2]
      loss: \(loss)
      optimizer: \(optimizer)
      learning-rate: 0.5\(settings)
      ```

      ```data
      inputs: \(inputs.map { "\($0)" }.joined(separator: ", ").wrapped)
      targets: \(targets.map { "\($0)" }.joined(separator: ", ").wrapped)
      ```

      """ + String(repeating: "```step\n```\n\n", count: steps)
  }

  static func run(_ source: String) throws -> ExecutedLesson {
    let (lesson, diagnostics) = Lesson.parse(source, file: "t.md")
    #expect(diagnostics.isEmpty, "\(diagnostics.map(\.message))")
    let (run, problems) = LessonRunner.run(lesson)
    #expect(problems.isEmpty, "\(problems.map(\.message))")
    #expect(run.stoppedEarly == nil)
    return run
  }

  // MARK: Tests

  @Test("the working of every activation after every other, with every loss, adds up", arguments: [1, 2])
  func everyActivationAndLoss(samples: Int) throws {
    var total = Tally()
    for hidden in Self.hiddenActivations {
      for (output, loss) in Self.outputs {
        let run = try Self.run(Self.lesson(hidden: hidden, output: output, loss: loss, samples: samples))
        let tally = Self.checkWorking(of: run, "\(hidden)→\(output), \(loss), \(samples) sample(s)")
        // Forward: z and a of 4 neurons; loss: 2 terms and E; backward: 4 δ and 8 weight gradients;
        // update: 3 parameters of each layer. Only the loss's general formula and the bias gradient's
        // sentence may be skipped.
        #expect(tally.lines >= 29, "\(hidden)→\(output), \(loss): only \(tally.lines) lines evaluated; \(tally)")
        #expect(tally.skipped["symbolic", default: 0] <= (loss == "half-squared-error" ? 0 : 1), "\(hidden)→\(output), \(loss): \(tally)")
        #expect(tally.skipped.keys.allSatisfy { ["symbolic", "text"].contains($0) }, "\(hidden)→\(output), \(loss): \(tally)")
        total.add(tally)
      }
    }
    // The tally is deterministic (2,030 lines; 1,046 and 686 symbolic sides when this was written):
    // a floor catches a template that stops giving numbers.
    #expect(total.lines >= 2_000, "\(total)")
    #expect(total.boundSides >= (samples == 1 ? 1_000 : 650), "\(total)")
  }

  @Test("summed errors and the sequential update order add up too", arguments: ["\nreduction: sum", "\nupdate-order: sequential", "\nreduction: sum\nupdate-order: sequential"])
  func reductionAndOrder(_ settings: String) throws {
    for (hidden, output, loss) in [("tanh", "sigmoid", "half-squared-error"), ("relu", "softmax", "cross-entropy"), ("leaky-relu", "linear", "mean-squared-error")] {
      for samples in [1, 3] {
        let run = try Self.run(Self.lesson(hidden: hidden, output: output, loss: loss, samples: samples, steps: 2, settings: settings))
        let tally = Self.checkWorking(of: run, "\(hidden)→\(output), \(loss), \(samples) sample(s)\(settings)")
        #expect(tally.lines >= 58, "\(settings): \(tally)")
      }
    }
  }

  /// Each optimizer, and how many update lines its 2 steps give (3 parameters of each of 2 layers,
  /// at each step: w⁺; g with weight decay; v⁺, s⁺, m⁺ of the state).
  static let optimizers: [(String, Int)] = [
    ("sgd", 12), ("{type: sgd, weight-decay: 0.1}", 24), ("momentum", 24), ("{type: sgd, momentum: 0.9, dampening: 0.5}", 24),
    ("{type: sgd, momentum: 0.9, nesterov: true}", 24), ("{type: sgd, momentum: 0.9, weight-decay: 0.1}", 36),
    ("rmsprop", 24), ("{type: rmsprop, momentum: 0.5}", 36), ("{type: rmsprop, weight-decay: 0.1}", 36),
    ("adam", 36), ("{type: adam, weight-decay: 0.1}", 48),
    // AdamW: p·(1 − ηλ), m⁺, v⁺, p⁺; AMSGrad adds v̂⁺; centered RMSprop adds ḡ⁺.
    ("adamw", 48), ("{type: adamw, weight-decay: 0.1, amsgrad: true}", 60), ("{type: adam, amsgrad: true}", 48),
    ("{type: rmsprop, centered: true}", 36), ("{type: rmsprop, centered: true, momentum: 0.5, weight-decay: 0.1}", 60),
  ]

  @Test("each optimizer's update lines add up, at its first step and its second", arguments: optimizers)
  func updates(optimizer: String, count: Int) throws {
    for samples in [1, 2] {
      let run = try Self.run(Self.lesson(hidden: "tanh", output: "sigmoid", loss: "half-squared-error", samples: samples, optimizer: optimizer, steps: 2))
      let tally = Self.checkWorking(of: run, "\(optimizer), \(samples) sample(s)", only: " was updated</summary>")
      // Only momentum's first velocity, v⁺ = g, has no arithmetic to do (and AMSGrad's second v̂⁺).
      // AMSGrad's v̂⁺ = max(v̂, v⁺) after the first step: the record keeps no v̂ from before it.
      let first = (optimizer.contains("momentum") && !optimizer.contains("rmsprop") ? 6 : 0) + (optimizer.contains("amsgrad") ? 6 : 0)
      #expect(tally.lines == count - first, "\(optimizer): \(tally)")
      #expect(tally.skipped.keys.allSatisfy { $0 == "symbolic" } && tally.skipped["symbolic", default: 0] == first, "\(optimizer): \(tally)")
    }
  }

  @Test("the course's own lessons: every working line that can be evaluated adds up")
  func courseLessons() throws {
    var total = Tally()
    for name in Repository.lessonNames() {
      let source = try String(contentsOf: Repository.lessons.appendingPathComponent(name), encoding: .utf8)
      let outcome = LessonRunner.run(source: source, file: "lessons/\(name)", variant: nil, loader: Repository.loader(for: Repository.lessons))
      let run = try #require(outcome.run)
      let tally = Self.checkWorking(of: run, name)
      let hasWorking = HTMLReport.render(run).contains("<details class=\"working\"")
      #expect(!hasWorking || tally.lines > 0, "\(name) shows working but none of it was evaluated: \(tally)")
      total.add(tally)
    }
    // 359 lines when this was written.
    #expect(total.lines >= 300, "\(total)")
  }

  @Test("on a worksheet, lines with a blank are skipped and counted; the rest still add up")
  func worksheetBlanks() throws {
    let source = Self.lesson(hidden: "tanh", output: "sigmoid", loss: "half-squared-error", samples: 1)
      .replacingOccurrences(of: "```step\n```", with: "```step\nblanks: [h1.z, o1.delta]\n```")
    let run = try Self.run(source)
    let (blanks, problems) = run.blanks()
    #expect(problems.isEmpty)
    #expect(blanks.count == 2)
    for kind in [Worksheet.Kind.handout, .key] {
      let (sheet, _) = HTMLReport.worksheet(run, Worksheet(kind: kind, blanks: blanks, salt: "s"))
      let tally = Self.checkWorking(of: run, "\(kind)", html: sheet)
      // z of h1 is in its own line and in a of h1's; δ of o1 in its own line and both hidden δ lines.
      #expect(tally.skipped["blank", default: 0] == 5, "\(kind): \(tally)")
      #expect(tally.lines >= 15, "\(kind): \(tally)")
    }
  }

  @Test("a number in powers of ten keeps its meaning after tanh and ln", arguments: ["tanh", "sigmoid"])
  func scientificNumbers(_ output: String) throws {
    // z of h1 is 10⁻¹³, which the report writes as 1 × 10⁻¹³: `\\tanh 1 \\times 10^{-13}` would read as tanh(1) × 10⁻¹³.
    let run = try Self.run("""
      ```network
      inputs: [i1]
      layers:
        - neurons: [h1]
          activation: tanh
          weights: [[1]]
        - neurons: [o1, o2]
          activation: \(output == "tanh" ? "softmax" : "sigmoid")
          weights: [[1], [-1]]
      loss: \(output == "tanh" ? "cross-entropy" : "binary-cross-entropy")
      learning-rate: 0.5
      ```

      ```data
      inputs: [[1e-13]]
      targets: [[1, 0]]
      ```

      ```step
      ```
      """)
    let html = HTMLReport.render(run)
    #expect(html.contains("10^{-13}"))
    let tally = Self.checkWorking(of: run, "tiny")
    #expect(tally.lines >= 10, "\(tally)")
  }

  @Test("a fixed bias is said to stay fixed, not updated by a formula it did not follow")
  func fixedBiases() throws {
    let run = try Self.run("""
      ```network
      inputs: [i1]
      layers:
        - neurons: [o1]
          weights: [[-0.5]]
          biases: 0.25
      learning-rate: 0.5
      update-biases: false
      ```

      ```data
      inputs: [[0.8]]
      targets: [[1]]
      ```

      ```step
      ```
      """)
    let html = HTMLReport.render(run)
    #expect(html.contains(#"b_{o1}^{+} = b_{o1} = 0.25 \quad \text{(biases stay fixed)}"#))
    #expect(!html.contains(#"b_{o1}^{+} = b_{o1} - \eta"#))
    #expect(Self.checkWorking(of: run, "fixed", only: " was updated</summary>").lines == 1)
  }

  @Test("the net-out notation and a wide layer: symbols and ellipses are skipped, and counted")
  func wideLayerSkipsEllipses() throws {
    let source = """
      ---
      notation: net-out
      ---

      ```network
      inputs: 5
      layers:
        - neurons: 5
          activation: tanh
          weights: [[0.5, -0.8, 0.1, -0.2, 0.3], [-0.6, 0.3, 0.2, 0.1, -0.4], [0.1, 0.2, -0.3, 0.4, -0.5], [0.2, -0.1, 0.3, -0.2, 0.1], [-0.3, 0.1, 0.2, 0.4, -0.1]]
        - neurons: [o1]
          weights: [[-0.7, 0.9, 0.3, -0.2, 0.5]]
      learning-rate: 0.5
      ```

      ```data
      inputs: [[-0.4, 0.7, 0.1, -0.3, 0.5]]
      targets: [[0.9]]
      ```

      ```step
      ```
      """
    let tally = Self.checkWorking(of: try Self.run(source), "wide")
    #expect(tally.skipped["ellipsis", default: 0] >= 4, "\(tally)")
    #expect(tally.skipped["text", default: 0] >= 2, "\(tally)")
    #expect(tally.lines >= 10, "\(tally)")
  }

  @Test("the tanh δ brackets 1 − a²: δ = (Σ w δ) · (1 − a²) computed from the run's values")
  func tanhDerivativeIsBracketed() throws {
    let run = try Self.run(Self.lesson(hidden: "tanh", output: "tanh", loss: "half-squared-error", samples: 1))
    let html = HTMLReport.render(run)
    #expect(html.contains(#"\left(1 - a_{o1}^2\right)"#))
    let tally = Self.checkWorking(of: run, "tanh", only: "δ values")
    // The symbolic side of each of the 4 δ lines, with a, t, the weights and δ above substituted.
    #expect(tally.boundSides == 4, "\(tally)")
    #expect(tally.lines == 4, "\(tally)")
  }

  @Test("the evaluator reads precedence as a reader does, and refuses a sign after an operator")
  func evaluatorReadsPrecedence() throws {
    func value(_ mathML: String, _ env: [String: Double] = [:]) throws -> Double {
      var e = Evaluator(items: Self.items(try XMLReader.parse(mathML)), env: env)
      return try e.whole()
    }
    #expect(try value("<mrow><mn>1</mn><mo>−</mo><mn>2</mn><mo>×</mo><mn>3</mn></mrow>") == -5)
    #expect(try value("<mrow><mo>−</mo><msup><mn>2</mn><mn>2</mn></msup></mrow>") == -4)
    #expect(try value("<mrow><msup><mrow><mo>(</mo><mo>−</mo><mn>2</mn><mo>)</mo></mrow><mn>2</mn></msup></mrow>") == 4)
    #expect(try value("<mrow><mfrac><mn>1</mn><mn>4</mn></mfrac><mrow><mo>(</mo><mn>3</mn><mo>−</mo><mn>1</mn><mo>)</mo></mrow></mrow>") == 0.5)
    #expect(try value("<mrow><mn>1</mn><mo>−</mo><msup><mi>a</mi><mn>2</mn></msup></mrow>".replacingOccurrences(of: "<mi>a</mi>", with: "<msub><mi>a</mi><mn>1</mn></msub>"), ["a_1": 3]) == -8)
    #expect(try value("<mrow><mi>max</mi><mo>\u{2061}</mo><mo>(</mo><mn>0</mn><mo>,</mo><mo>−</mo><mn>2</mn><mo>)</mo></mrow>") == 0)
    #expect(try value("<mrow><msqrt><mn>4</mn></msqrt><mo>+</mo><mn>1</mn><mo>×</mo><msup><mn>10</mn><mrow><mo>−</mo><mn>2</mn></mrow></msup></mrow>") == 2.01)
    #expect(throws: Evaluator.Failure.self) { try value("<mrow><mn>0.5</mn><mo>×</mo><mo>−</mo><mn>2</mn></mrow>") }
    #expect(throws: Evaluator.Failure.self) { try value("<mrow><mn>1</mn><mo>−</mo><mo>−</mo><mn>2</mn></mrow>") }
    // A line whose sides disagree is reported: the check can fail.
    var tally = Tally()
    let wrong = Self.checkLine(try XMLReader.parse("<math><mrow><mi>x</mi><mo>=</mo><mn>1</mn><mo>−</mo><mn>2</mn><mo>×</mo><mn>3</mn><mo>=</mo><mn>-3</mn></mrow></math>"), env: [:], tally: &tally)
    #expect(wrong.count == 1)
    // So is TeX our parser could not read.
    let broken = Self.checkLine(try XMLReader.parse("<math><merror><mtext>\\frac{1</mtext></merror></math>"), env: [:], tally: &tally)
    #expect(broken.count == 1)
  }

  @Test("the block titles say data once, and the δ working is summarised in words")
  func titlesReadWell() throws {
    let run = try Self.run(Self.lesson(hidden: "sigmoid", output: "sigmoid", loss: "half-squared-error", samples: 2))
    let html = HTMLReport.render(run)
    #expect(!html.contains("data data"))
    #expect(!html.contains("data</span> data"))
    #expect(html.contains("<summary>How the δ values of layer 2 were computed</summary>"))
    #expect(html.contains("<summary>How the δ values of layer 1 were computed</summary>"))
    #expect(html.contains(#"<span class="kind">data</span>: 2 samples"#))
    #expect(html.contains("· data (2 samples)"))
    // A named block is called by its name, once.
    let named = try Self.run(Self.lesson(hidden: "sigmoid", output: "sigmoid", loss: "half-squared-error", samples: 1)
      .replacingOccurrences(of: "```data\n", with: "```data train\n"))
    let namedHTML = HTMLReport.render(named)
    #expect(!namedHTML.contains("data data"))
    #expect(namedHTML.contains(#"<span class="kind">data</span> train: 1 sample"#))
    #expect(namedHTML.contains("· data train (1 sample)"))
  }

  // MARK: Reading the report

  struct Tally: CustomStringConvertible {
    /// Lines with at least one side evaluated against the result.
    var lines = 0
    var numericSides = 0
    /// Sides of names, evaluated with the run's values of those names.
    var boundSides = 0
    var skipped: [String: Int] = [:]

    mutating func add(_ other: Tally) {
      lines += other.lines; numericSides += other.numericSides; boundSides += other.boundSides
      skipped.merge(other.skipped, uniquingKeysWith: +)
    }

    var description: String { "\(lines) lines, \(numericSides) numeric and \(boundSides) symbolic sides evaluated; skipped \(skipped.sorted { $0.key < $1.key })" }
  }

  /// Checks every working line of every directive of `run`; `only` keeps the working whose summary says it.
  static func checkWorking(of run: ExecutedLesson, _ label: String, only: String? = nil, html given: String? = nil) -> Tally {
    let html = given ?? HTMLReport.render(run)
    // Typed layers' working names tensor cells: numbers only there.
    let directives = run.items.compactMap { item -> [String: Double]? in
      switch item {
      case .directive(let r): environment(r)
      case .layered: [:]
      default: nil
      }
    }
    // Each section up to the next: the last directive's is not followed into a later graph's.
    let sections = html.components(separatedBy: "<section class=\"block directive ").dropFirst().map { $0.components(separatedBy: "<section ")[0] }
    #expect(sections.count == directives.count, "\(label): \(sections.count) directive sections for \(directives.count) directives")
    // A graph block's working names its own variables: numbers only there.
    let graphs = html.components(separatedBy: "<section class=\"block graph\"").dropFirst().map { ($0.components(separatedBy: "<section ")[0], [String: Double]()) }
    var tally = Tally()
    for (section, env) in zip(sections, directives) + graphs {
      for details in section.components(separatedBy: "<details class=\"working\"").dropFirst() {
        let body = details.components(separatedBy: "</details>")[0]
        if let only, !body.contains(only) { continue }
        for math in body.components(separatedBy: "<math").dropFirst() {
          let source = "<math" + math.components(separatedBy: "</math>")[0] + "</math>"
          do {
            for problem in checkLine(try XMLReader.parse(source), env: env, tally: &tally) {
              Issue.record("\(label): \(problem)\n\(annotation(source))")
            }
          } catch {
            Issue.record("\(label): unreadable MathML (\(error)): \(source)")
          }
        }
      }
    }
    return tally
  }

  static func annotation(_ source: String) -> String {
    source.components(separatedBy: "application/x-tex\">").last?.components(separatedBy: "</annotation>").first ?? source
  }

  /// The values the working may name, for sample 1, keyed as `key` reads a subscripted name.
  static func environment(_ r: DirectiveResult) -> [String: Double] {
    var env: [String: Double] = [:]
    func key(_ tex: String) -> String {
      tex.replacingOccurrences(of: "\\delta", with: "δ").replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: "")
    }
    let s = Symbols(notation: .za, format: NumberFormat(decimals: 9))
    for (i, name) in r.names.inputs.enumerated() { env[key(s.name(name))] = r.data.inputs[0, i] }
    for (l, layer) in r.before.layers.enumerated() {
      for (j, neuron) in r.names.neurons[l].enumerated() {
        for i in 0..<layer.inputCount { env[key(s.name(r.names.weights[l][j][i]))] = layer.weights[j, i] }
        env[key(s.name(r.names.biases[l][j]))] = layer.biases[j]
        if let f = r.forward { env[key(s.net(neuron))] = f.z[l][0, j]; env[key(s.out(neuron))] = f.a[l][0, j] }
        if let b = r.backward { env[key(s.delta(neuron))] = b.delta[l][0, j] }
        if l == r.before.layers.count - 1 { env[key(s.target(neuron))] = r.data.targets[0, j] }
      }
    }
    return env.filter { !$0.key.contains("\\") }
  }

  /// Checks one `<math>`: each equation (split at top-level commas) is split at its `=`; the last
  /// side is the result; every other side that can be evaluated must equal it. Returns the problems.
  static func checkLine(_ math: XMLReader.Element, env: [String: Double], tally: inout Tally) -> [String] {
    let all = items(math)
    if all.contains(where: \.isError) { return ["TeX that the parser could not read (merror)"] }
    if let reason = all.lazy.compactMap(skipReason).first(where: { $0 != "symbolic" }) {
      tally.skipped[reason, default: 0] += 1
      return []
    }
    var problems: [String] = []
    var evaluated = false
    for equation in split(all, at: ",") {
      let sides = split(equation, at: "=")
      guard sides.count >= 2, let last = sides.last else { continue }
      var resultEvaluator = Evaluator(items: last, env: [:])
      guard last.allSatisfy({ skipReason($0) == nil }), let result = try? resultEvaluator.whole() else { continue }
      for (index, side) in sides.dropLast().enumerated() {
        if side.contains(where: { skipReason($0) != nil }) { continue }
        let bound = side.contains(where: \.namesSomething)
        var evaluator = Evaluator(items: side, env: env)
        do {
          let value = try evaluator.whole()
          // A lone name on the left checks the run's values against the result, but is not working.
          if index == 0, side.count == 1, case .name = side[0] {} else {
            evaluated = true
            if bound { tally.boundSides += 1 } else { tally.numericSides += 1 }
          }
          // Relative, for rounding of the factors; plus a few units of the 9th decimal, unless the
          // result is written in powers of ten (its digits are all significant then).
          let scientific = last.contains { if case .power = $0 { true } else { false } }
          let tolerance = 2e-5 * max(abs(result), abs(value)) + (scientific ? 0 : 2e-8)
          if !(abs(value - result) <= tolerance) { problems.append("a side comes to \(value), the line says \(result)") }
        } catch Evaluator.Failure.unbound {
          continue  // a name the run does not know (η, g, E): symbolic
        } catch {
          problems.append("a side cannot be read as arithmetic: \(error)")
        }
      }
    }
    if evaluated { tally.lines += 1 } else { tally.skipped["symbolic", default: 0] += 1 }
    return problems
  }

  /// Splits at `separator` outside brackets.
  static func split(_ items: [Item], at separator: String) -> [[Item]] {
    var parts: [[Item]] = [[]]
    var depth = 0
    for item in items {
      if case .op(let o) = item {
        if o == "(" || o == "[" { depth += 1 } else if o == ")" || o == "]" { depth -= 1 }
        if depth == 0, o == separator { parts.append([]); continue }
      }
      parts[parts.count - 1].append(item)
    }
    return parts
  }

  /// Why a line or side cannot be evaluated, or nil when it can (perhaps with the run's values).
  static func skipReason(_ item: Item) -> String? {
    switch item {
    case .ellipsis: "ellipsis"
    case .blank: "blank"
    case .text: "text"
    case .opaque: "symbolic"
    case .power(let a, let b), .fraction(let a, let b): (a + b).lazy.compactMap(skipReason).first
    case .root(let a): a.lazy.compactMap(skipReason).first
    case .number, .op, .function, .name: nil
    }
  }

  // MARK: MathML to arithmetic

  indirect enum Item {
    case number(Double)
    /// + − × · / = , ( ) [ ]
    case op(String)
    case function(String)
    /// A subscripted name such as a_h1, looked up in the run's values.
    case name(String)
    case power([Item], [Item])
    case fraction([Item], [Item])
    case root([Item])
    /// Something arithmetic cannot read: ∂, ∑, σ, a bare letter, a relation.
    case opaque(String)
    case ellipsis, blank, text

    var isError: Bool {
      switch self {
      case .opaque(let what): what == "merror"
      case .power(let a, let b), .fraction(let a, let b): (a + b).contains(where: \.isError)
      case .root(let a): a.contains(where: \.isError)
      default: false
      }
    }

    var namesSomething: Bool {
      switch self {
      case .name: true
      case .power(let a, let b), .fraction(let a, let b): (a + b).contains(where: \.namesSomething)
      case .root(let a): a.contains(where: \.namesSomething)
      default: false
      }
    }
  }

  /// The row of items a reader sees in an element, brackets kept as items.
  static func items(_ e: XMLReader.Element) -> [Item] {
    switch e.name {
    case "math", "mrow", "mstyle", "mtable", "mtr", "mtd":
      // The emitter draws a worksheet's blank as a boxed mrow.
      if e.attributes["class"] == "boxed" { return [.blank] }
      return e.children.flatMap(items)
    case "semantics": return e.children.first.map(items) ?? []
    case "mn": return Double(e.text).map { [.number($0)] } ?? [.opaque(e.text)]
    case "mo":
      switch e.text {
      case "\u{2061}": return []
      case "⋯", "…", "⋮", "⋱": return [.ellipsis]
      case "+", "−", "×", "/", "=", ",", "(", ")", "[", "]": return [.op(e.text)]
      case "⋅", "·": return [.op("·")]  // \cdot is U+22C5
      default: return [.opaque(e.text)]
      }
    case "mi":
      switch e.text {
      case "e": return [.number(M_E)]
      case "tanh", "max", "ln", "exp": return [.function(e.text)]
      default: return [.opaque(e.text)]
      }
    case "msub" where e.children.count == 2: return [.name(e.children[0].allText + "_" + e.children[1].allText)]
    case "msup" where e.children.count == 2:
      if e.children[1].allText == "+" { return [.opaque("⁺")] }  // w⁺, the value after the update
      return [.power(items(e.children[0]), items(e.children[1]))]
    case "msubsup" where e.children.count == 3:
      if e.children[2].allText == "+" { return [.opaque("⁺")] }
      return [.power([.name(e.children[0].allText + "_" + e.children[1].allText)], items(e.children[2]))]
    case "mfrac" where e.children.count == 2: return [.fraction(items(e.children[0]), items(e.children[1]))]
    case "msqrt": return [.root(e.children.flatMap(items))]
    case "mspace": return []
    case "mtext": return [.text]
    case "merror": return [.opaque("merror")]
    default: return [.opaque(e.name)]
    }
  }

  /// Arithmetic on a row of items: + and − below ×, · and / (and a product written by juxtaposition),
  /// below powers; a minus sign only at the start of an expression or after an opening bracket.
  struct Evaluator {
    enum Failure: Error { case unbound(String), unexpected(String), signAfterOperator }

    var items: [Item]
    var env: [String: Double]
    var i = 0

    mutating func whole() throws -> Double {
      let v = try expression()
      guard i == items.count else { throw Failure.unexpected("\(items[i]) after a complete expression") }
      return v
    }

    var peekOp: String? { if i < items.count, case .op(let o) = items[i] { o } else { nil } }

    mutating func expression() throws -> Double {
      var v: Double
      if peekOp == "−" { i += 1; v = -(try product()) } else if peekOp == "+" { i += 1; v = try product() } else { v = try product() }
      while let o = peekOp, o == "+" || o == "−" {
        i += 1
        let r = try product()
        v = o == "+" ? v + r : v - r
      }
      return v
    }

    mutating func product() throws -> Double {
      var v = try factor()
      while i < items.count {
        if let o = peekOp, ["×", "·", "/"].contains(o) {
          i += 1
          let r = try factor()
          v = o == "/" ? v / r : v * r
        } else if startsFactor(items[i]) {
          v *= try factor()
        } else { break }
      }
      return v
    }

    func startsFactor(_ item: Item) -> Bool {
      switch item {
      case .op(let o): o == "(" || o == "["
      case .number, .function, .name, .power, .fraction, .root: true
      default: false
      }
    }

    static func sub(_ items: [Item], _ env: [String: Double]) throws -> Double {
      var e = Evaluator(items: items, env: env)
      return try e.whole()
    }

    mutating func factor() throws -> Double {
      guard i < items.count else { throw Failure.unexpected("end of the row where a number belongs") }
      let item = items[i]
      i += 1
      switch item {
      case .number(let x): return x
      case .name(let n):
        guard let x = env[n] else { throw Failure.unbound(n) }
        return x
      case .power(let base, let exponent): return pow(try Self.sub(base, env), try Self.sub(exponent, env))
      case .fraction(let n, let d): return try Self.sub(n, env) / Self.sub(d, env)
      case .root(let x): return try Self.sub(x, env).squareRoot()
      case .op(let o) where o == "(" || o == "[":
        let v = try expression()
        guard peekOp == (o == "(" ? ")" : "]") else { throw Failure.unexpected("no closing bracket") }
        i += 1
        return v
      case .op(let o) where o == "−" || o == "+": throw Failure.signAfterOperator
      case .function(let f):
        if f == "max" {
          guard peekOp == "(" else { throw Failure.unexpected("max without brackets") }
          i += 1
          let a = try expression()
          guard peekOp == "," else { throw Failure.unexpected("max without a comma") }
          i += 1
          let b = try expression()
          guard peekOp == ")" else { throw Failure.unexpected("max without a closing bracket") }
          i += 1
          return max(a, b)
        }
        let x = try factor()
        switch f {
        case "tanh": return Foundation.tanh(x)
        case "ln": return Foundation.log(x)
        default: return Foundation.exp(x)
        }
      default: throw Failure.unexpected("\(item)")
      }
    }
  }
}

private extension String {
  /// `[a, b], [c, d]` → `[[a, b], [c, d]]`.
  var wrapped: String { "[" + self + "]" }
}

/// Just enough XML for the MathML the emitter writes: elements, attributes, text and character references.
struct XMLReader {
  struct Element {
    var name: String
    var attributes: [String: String] = [:]
    var children: [Element] = []
    var text = ""

    var allText: String { text + children.map(\.allText).joined() }
  }

  struct Malformed: Error { var at: Int }

  let chars: [Character]
  var i = 0

  static func parse(_ source: String) throws -> Element {
    var reader = XMLReader(chars: Array(source))
    return try reader.element()
  }

  mutating func expect(_ c: Character) throws {
    guard i < chars.count, chars[i] == c else { throw Malformed(at: i) }
    i += 1
  }

  mutating func name() -> String {
    var n = ""
    while i < chars.count, !" />=\"".contains(chars[i]) { n.append(chars[i]); i += 1 }
    return n
  }

  mutating func element() throws -> Element {
    try expect("<")
    var e = Element(name: name())
    while i < chars.count, chars[i] == " " {
      i += 1
      let key = name()
      try expect("=")
      try expect("\"")
      var value = ""
      while i < chars.count, chars[i] != "\"" { value.append(chars[i]); i += 1 }
      try expect("\"")
      e.attributes[key] = Self.decode(value)
    }
    if i < chars.count, chars[i] == "/" { i += 1; try expect(">"); return e }
    try expect(">")
    while i < chars.count {
      if chars[i] == "<" {
        if i + 1 < chars.count, chars[i + 1] == "/" {
          i += 2
          guard name() == e.name else { throw Malformed(at: i) }
          try expect(">")
          return e
        }
        e.children.append(try element())
      } else {
        var text = ""
        while i < chars.count, chars[i] != "<" { text.append(chars[i]); i += 1 }
        e.text += Self.decode(text)
      }
    }
    throw Malformed(at: i)
  }

  static func decode(_ s: String) -> String {
    guard s.contains("&") else { return s }
    var out = ""
    var rest = Substring(s)
    while let amp = rest.firstIndex(of: "&"), let semi = rest[amp...].firstIndex(of: ";") {
      out += rest[..<amp]
      let entity = rest[rest.index(after: amp)..<semi]
      switch entity {
      case "amp": out += "&"
      case "lt": out += "<"
      case "gt": out += ">"
      case "quot": out += "\""
      default:
        if entity.hasPrefix("#x"), let v = UInt32(entity.dropFirst(2), radix: 16), let u = Unicode.Scalar(v) { out.unicodeScalars.append(u) } else { out += "&\(entity);" }
      }
      rest = rest[rest.index(after: semi)...]
    }
    return out + rest
  }
}
