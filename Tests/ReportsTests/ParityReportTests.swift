import Foundation
import Lessons
import Reports
import Testing

// The options added for PyTorch parity, end to end: what a lesson says, what the run computes,
// what the report writes out and what the trace records.

fileprivate func trace(_ source: String) throws -> [String: Any] {
  let (lesson, diagnostics) = Lesson.parse(source, file: "t.md")
  #expect(diagnostics.isEmpty, "\(diagnostics.map(\.message))")
  let (run, _) = LessonRunner.run(lesson)
  let json = JSONTrace.render(run)
  return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
}

fileprivate func steps(_ t: [String: Any], kind: String) -> [[String: Any]] {
  ((t["steps"] as? [[String: Any]]) ?? []).filter { $0["kind"] as? String == kind }
}

fileprivate func network(loss: String, optimizer: String = "sgd") -> String {
  """
  ```network n
  inputs: [i1, i2]
  layers:
    - neurons: [h1, h2]
      weights: [[0.15, 0.20], [0.25, 0.30]]
      biases: 0.35
    - neurons: [o1, o2]
      weights: [[0.40, 0.45], [0.50, 0.55]]
      biases: 0.6
  loss: \(loss)
  optimizer: \(optimizer)
  learning-rate: 0.5
  ```

  ```data
  inputs: [[0.05, 0.10]]
  targets: [[0.01, 0.99]]
  ```

  """
}

@Suite("PyTorch parity: lessons, report and trace")
struct ParityReportTests {
  @Test("binary-cross-entropy sums over the outputs in format 1 and averages (BCELoss) in format 2")
  func bceFormats() throws {
    let body = network(loss: "binary-cross-entropy") + "```step\n```\n"
    let old = try trace(body)
    let new = try trace("---\nformat: 2\n---\n\n" + body)
    let explicit = try trace(network(loss: "{type: binary-cross-entropy, outputs: mean}") + "```step\n```\n")
    func e(_ t: [String: Any]) -> Double { ((steps(t, kind: "step").first?["loss"] as? [String: Any])?["E"] as? Double) ?? .nan }
    #expect(abs(e(old) / 2 - e(new)) < 1e-15)
    #expect(e(new) == e(explicit))
    #expect(steps(old, kind: "network").first?["loss_outputs"] as? String == "sum")
    #expect(steps(new, kind: "network").first?["loss_outputs"] as? String == "mean")
    #expect((old["lesson"] as? [String: Any])?["lesson_format"] as? Double == 1)
    #expect((new["lesson"] as? [String: Any])?["lesson_format"] as? Double == 2)
  }

  @Test("a format newer than the tool is refused, and output reductions a loss cannot take are errors")
  func refusals() {
    let (_, d1) = Lesson.parse("---\nformat: 3\n---\n", file: "t.md")
    #expect(d1.map(\.message) == ["this lesson asks for format 3, but this version of lesson reads formats 1 to 2"])
    let (_, d2) = Lesson.parse(network(loss: "{type: cross-entropy, outputs: mean}"), file: "t.md")
    #expect(d2.contains { $0.message.contains("cross-entropy sums over the classes") })
    let (_, d3) = Lesson.parse(network(loss: "{type: huber, beta: 2}"), file: "t.md")
    #expect(d3.contains { $0.message == "`beta` is not a setting of huber" })
  }

  @Test("AdamW, AMSGrad and centered RMSprop write their update out with numbers and record their state")
  func optimizerWorking() throws {
    let cases: [(String, [String], String)] = [
      ("{type: adamw}", ["(1 - \\eta \\lambda)", "0.01"], "first_moment"),
      ("{type: adam, amsgrad: true}", ["\\max(\\hat v, v^{+})"], "max_second_moment"),
      ("{type: rmsprop, centered: true}", ["\\bar g^{+}", "\\sqrt{s^{+} - (\\bar g^{+})^2}"], "gradient_average"),
    ]
    for (optimizer, texts, field) in cases {
      let source = network(loss: "{type: huber, delta: 0.5}", optimizer: optimizer) + "```step\n```\n"
      let html = report(source)
      for text in texts { #expect(html.contains(text), "\(optimizer): \(text)") }
      let t = try trace(source)
      let update = try #require(steps(t, kind: "step").first?["update"] as? [String: Any])
      let layers = try #require(update["layers"] as? [[String: Any]])
      let state = try #require((layers.first?["optimizer_state"] as? [String: Any])?["weights"] as? [String: Any])
      #expect(state[field] != nil, "\(optimizer): \(field) in \(state.keys.sorted())")
    }
    let t = try trace(network(loss: "binary-cross-entropy", optimizer: "adamw") + "```step\n```\n")
    let o = try #require(steps(t, kind: "network").first?["optimizer"] as? [String: Any])
    #expect(o["type"] as? String == "adamw" && o["weight_decay"] as? Double == 0.01 && o["amsgrad"] as? Bool == false)
  }

  @Test("Huber's report writes the piece that applies to each output")
  func huberWorking() {
    let html = report(network(loss: "{type: huber, delta: 0.5}") + "```loss\n```\n")
    #expect(html.contains("\\begin{cases}"))
    #expect(html.contains("\\tfrac{1}{K}"))
  }

  @Test("a schedule in train: the trace records it and each recorded iteration's rate; the report charts it")
  func schedule() throws {
    let source = network(loss: "mean-squared-error") + "```train\niterations: 6\nrecord: [1, 3, 6]\nschedule: {type: step, step-size: 2, gamma: 0.5, per: iteration}\n```\n"
    let t = try trace(source)
    let train = try #require(steps(t, kind: "train").first?["train"] as? [String: Any])
    let recorded = try #require(train["recorded"] as? [[String: Any]])
    #expect(recorded.compactMap { $0["learning_rate"] as? Double } == [0.5, 0.25, 0.125])
    #expect((train["schedule"] as? [String: Any])?["type"] as? String == "step")
    let html = report(source)
    #expect(html.contains("Learning rate during training of n"))
    #expect(html.contains("learning rate η"))
  }
}
