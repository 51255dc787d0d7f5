import Backprop
import Foundation
import Lessons
import Testing

/// The repository's lessons folder, found from this file so tests need no working directory.
let lessonsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("lessons")

func runLesson(_ source: String, file: String = "test.md") -> (ExecutedLesson?, [Diagnostic]) {
  let (lesson, parse) = Lesson.parse(source, file: file)
  if parse.contains(where: { $0.severity == .error }) { return (nil, parse) }
  let (run, diagnostics) = LessonRunner.run(lesson)
  return (run, parse + diagnostics)
}

let tinyNetwork = """
  ```network tiny
  inputs: [i1, i2]
  layers:
    - neurons: [h1, h2]
      weights: [[0.15, 0.20], [0.25, 0.30]]
      weight-names: [[w1, w2], [w3, w4]]
      biases: 0.35
    - neurons: [o1, o2]
      weights: [[0.40, 0.45], [0.50, 0.55]]
      weight-names: [[w5, w6], [w7, w8]]
      biases: 0.60
  learning-rate: 0.5
  update-biases: false
  ```

  ```data
  inputs: [[0.05, 0.10]]
  targets: [[0.01, 0.99]]
  ```

  """

@Suite("Running lessons")
struct LessonRunTests {
  @Test("the worked-example lesson runs with every check passing")
  func workedExample() throws {
    let source = try String(contentsOf: lessonsFolder.appendingPathComponent("02-worked-example.md"), encoding: .utf8)
    let (run, diagnostics) = runLesson(source, file: "02-worked-example.md")
    #expect(diagnostics.isEmpty, "\(diagnostics)")
    let checks = try #require(run).checks
    #expect(checks.count >= 15)
    for c in checks { #expect(c.passed, "\(c.spec.name) = \(String(describing: c.computed)), expected \(c.spec.expectedText)") }
  }

  @Test("inline values are evaluated where they appear")
  func inlineValues() throws {
    let source = tinyNetwork + "```forward\n```\n\nNet {{h1.z}} and {{h1.a:4}}.\n\n```loss\n```\n\nError {{E}}.\n"
    let (run, diagnostics) = runLesson(source)
    #expect(diagnostics.isEmpty, "\(diagnostics)")
    let values = try #require(run).items.compactMap { item -> [Double]? in
      if case .prose(_, let values) = item, !values.isEmpty { return values.sorted { $0.key < $1.key }.map(\.value) }
      return nil
    }
    #expect(values.count == 2)
    #expect(abs(values[0][0] - 0.3775) < 1e-15)
    #expect(abs(values[0][1] - 0.5932699921071872) < 1e-15)
    #expect(abs(values[1][0] - 0.2983711087600027) < 1e-13)
  }

  @Test("a check fails when the value differs beyond the digits written")
  func failingCheck() throws {
    let source = tinyNetwork + "```forward\n```\n\n```check\nh1.z = 0.3775\nh1.a = 0.5933\nh1.a = 0.59327 ± 1e-6\nh1.a = 0.6 ± 2%\n```\n"
    let (run, _) = runLesson(source)
    let checks = try #require(run).checks
    #expect(checks.map(\.passed) == [true, true, true, true])
    let strict = tinyNetwork + "```forward\n```\n\n```check\nh1.a = 0.593269\n```\n"
    #expect(try #require(runLesson(strict).0).checks.map(\.passed) == [false])
  }

  @Test("class labels become one-hot targets")
  func labels() throws {
    let source = "```data\ninputs: [[1], [2], [3]]\nlabels: [0, 2, 1]\nclasses: 3\n```\n"
    let (run, diagnostics) = runLesson(source)
    #expect(diagnostics.isEmpty, "\(diagnostics)")
    guard case .data(let d) = try #require(run).items.first else { Issue.record("no data"); return }
    #expect(d.dataset.targets.nested == [[1, 0, 0], [0, 0, 1], [0, 1, 0]])
  }

  @Test("accuracy and gradient-check results have names")
  func trainingAndGradcheckNames() throws {
    let source = """
      ```network n
      inputs: 2
      layers:
        - neurons: 3
          activation: tanh
          seed: 3
        - neurons: 1
      learning-rate: 2
      seed: 3
      ```

      ```data
      generate: xor
      ```

      ```gradcheck
      ```

      ```train
      iterations: 3000
      ```

      ```check
      accuracy = 1
      h1.w.i1.grad.error = 0 ± 1e-6
      ```
      """.replacingOccurrences(of: "    seed: 3\n", with: "")
    let (run, diagnostics) = runLesson(source)
    #expect(diagnostics.isEmpty, "\(diagnostics)")
    let checks = try #require(run).checks
    #expect(checks.count == 2)
    #expect(checks.allSatisfy { $0.passed }, "\(checks.map { ($0.spec.name, $0.computed ?? .nan) })")
    let curve = try #require(run).items.compactMap { item -> [(iteration: Int, accuracy: Double)]? in
      if case .directive(let r) = item { return r.training?.accuracyCurve }
      return nil
    }.first
    #expect(curve?.count == 100)
    #expect(curve?.last?.iteration == 3000)
    #expect(curve?.last?.accuracy == 1)
  }

  @Test("a network declared from another may give its learning rate inside the optimizer")
  func fromWithOptimizerMapping() throws {
    let source = tinyNetwork + "```network fast\nfrom: tiny\noptimizer: {type: adam, learning-rate: 0.01}\n```\n\n```step\n```\n"
    let (run, diagnostics) = runLesson(source)
    #expect(diagnostics.isEmpty, "\(diagnostics)")
    let fast = try #require(run).items.compactMap { item -> NetworkSpec? in
      if case .network(let d) = item, d.spec.name == "fast" { return d.spec }
      return nil
    }.first
    #expect(fast?.optimizer == .adam(.init(learningRate: 0.01)))
  }

  @Test("names that need a sample index say so")
  func sampleIndex() {
    let source = """
      ```network n
      inputs: 1
      layers:
        - neurons: 1
          weights: [[2]]
      learning-rate: 0.1
      ```

      ```data
      inputs: [[1], [2]]
      targets: [[0], [1]]
      ```

      ```forward
      ```

      Value {{o1.a}} and {{o1.a[2]}}.
      """
    let (_, diagnostics) = runLesson(source)
    #expect(diagnostics.count == 1)
    #expect(diagnostics.first?.message.contains("one value per sample") == true)
    #expect(diagnostics.first?.location.line == 17)
  }
}

@Suite("Diagnostics point at the mistake")
struct DiagnosticTests {
  func diagnostics(_ source: String) -> [String] {
    runLesson(source, file: "bad.md").1.map(\.description)
  }

  @Test("an unknown key is reported at its line and column with a suggestion")
  func unknownKey() {
    let source = "# T\n\n```network n\ninputs: [a]\nlayers:\n  - neurons: [o]\n    activaton: sigmoid\nlearning-rate: 0.1\n```\n"
    let (_, d) = runLesson(source, file: "bad.md")
    #expect(d.map(\.description) == ["bad.md:7:5: error: unknown key `activaton` in layer 1"])
    #expect(d.first?.notes == ["did you mean `activation`?"])
  }

  @Test("a weight matrix of the wrong shape names the neurons and inputs")
  func wrongShape() {
    let source = "```network n\ninputs: [i1, i2]\nlayers:\n  - neurons: [o1]\n    weights: [[1, 2, 3]]\nlearning-rate: 0.1\n```\n"
    #expect(diagnostics(source) == ["bad.md:5:14: error: each row of weights in layer 1 needs 2 numbers, one per input (i1, i2); got 3"])
  }

  @Test("every problem in the file is reported at once, in order")
  func allAtOnce() {
    let source = "```network n\ninputs: [i1]\nlayers:\n  - neurons: [o1]\n    activation: sigmod\nlearning-rate: -1\n```\n\n```forward\n```\n\n{{nope}}\n"
    let d = diagnostics(source)
    #expect(d.count == 2)
    #expect(d[0].hasPrefix("bad.md:5:17: error: unknown activation `sigmod`"))
    #expect(d[1].hasPrefix("bad.md:6:16: error: learning-rate must be between 0"))
  }

  @Test("malformed YAML is reported at the lesson's line")
  func malformedYAML() {
    let d = diagnostics("Text.\n\n```data\ninputs: [[1, 2]\ntargets: [[1]]\n```\n")
    #expect(d.count == 1)
    #expect(d.first?.hasPrefix("bad.md:5:") == true)
  }

  @Test("an unknown value name suggests the closest one")
  func unknownValue() {
    let (_, d) = runLesson(tinyNetwork + "```forward\n```\n\nSee {{h1.zz}}.\n", file: "bad.md")
    #expect(d.map(\.description) == ["bad.md:23:5: error: unknown value `h1.zz`"])
    #expect(d.first?.notes == ["did you mean `h1.z`?"])
  }

  @Test("a failed directive is reported once, not again at every value it would have produced")
  func noCascade() {
    let source = tinyNetwork + "```forward nope\n```\n\nSee {{h1.z}} and {{E}}.\n"
    #expect(diagnostics(source).count == 1)
  }

  @Test("a gradient check leaves the lesson's values as they were")
  func gradcheckKeepsValues() throws {
    let source = tinyNetwork + "```step\n```\n\n```gradcheck\n```\n\n```check\nE = 0.298371109\nw5.grad = 0.082167041\n```\n"
    let (run, d) = runLesson(source)
    #expect(d.isEmpty, "\(d)")
    #expect(try #require(run).checks.allSatisfy { $0.passed })
  }

  @Test("a directive before any network says what is missing")
  func directiveWithoutNetwork() {
    #expect(diagnostics("```forward\n```\n") == ["bad.md:1:1: error: a `forward` block needs a network declared before it"])
  }

  @Test("data whose size does not fit the network is an error")
  func dataMismatch() {
    let source = tinyNetwork + "```data wide\ninputs: [[1, 2, 3]]\ntargets: [[1, 2]]\n```\n\n```forward\n```\n"
    #expect(diagnostics(source) == ["bad.md:25:1: error: data `wide` has 3 inputs per sample, but network `tiny` takes 2 (i1, i2)"])
  }

  @Test("a lone carriage return ends a line for every part alike, so the caret shows the right line")
  func loneCarriageReturn() {
    let source = "Text\n\r```check\nfoo\n```\n"
    let (_, d) = runLesson(source, file: "cr.md")
    #expect(d.map(\.description) == ["cr.md:4:1: error: a check line reads `name = value`"])
    #expect(d.first?.formatted(source: source).hasPrefix("cr.md:4:1: error: a check line reads `name = value`\nfoo\n^") == true)
  }

  @Test("formatted diagnostics show the line and a caret under the column")
  func caret() {
    let d = Diagnostic.error("oops", at: SourceLocation(file: "f.md", line: 2, column: 3))
    #expect(d.formatted(source: "first\nabcdef\n") == "f.md:2:3: error: oops\nabcdef\n  ^")
  }
}

@Suite("Value references")
struct ValueReferenceTests {
  @Test("a name splits into network, base name, sample and timing, the timing before or after the index")
  func parts() {
    let plain = ValueReference("h1.a")
    #expect(plain.prefix == nil && plain.base == "h1.a" && plain.sample == nil && plain.timing == .plain)
    let full = ValueReference("sequential/h1.a[2].after")
    #expect(full.prefix == "sequential" && full.base == "h1.a" && full.sample == .some(2) && full.timing == .after)
    #expect(full.local == "h1.a[2].after")
    let other = ValueReference("w5.before[3]")
    #expect(other.base == "w5" && other.sample == .some(3) && other.timing == .before && other.sampleSuffix == "[3]")
    let bad = ValueReference("E[0]")
    #expect(bad.base == "E" && bad.sample == .some(nil) && bad.sampleSuffix == "")
    #expect(ValueReference("E.iteration[100]").base == "E.iteration")
    #expect(ValueReference("g/q.grad").prefix == "g" && ValueReference("g/q.grad").base == "q.grad")
  }
}
