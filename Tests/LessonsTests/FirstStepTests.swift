import Backprop
import Lessons
import Testing

// Answers follow through the first update of every optimizer: its state starts at zero, so the
// new parameter is a hand formula of the parameter and its gradient (Pass.plainStep).

@Suite("First-step follow-through for every optimizer")
struct FirstStepTests {
  static let optimizers = [
    "sgd", "{type: sgd, momentum: 0.9, nesterov: true}", "{type: rmsprop, centered: true, momentum: 0.5}",
    "{type: adam, weight-decay: 0.1, amsgrad: true}", "adamw", "{type: adamw, weight-decay: 0.3}",
  ]

  static func lesson(_ optimizer: String, steps: Int) -> String {
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
    loss: {type: binary-cross-entropy, outputs: mean}
    optimizer: \(optimizer)
    learning-rate: 0.1
    ```

    ```data
    inputs: [[0.05, 0.10]]
    targets: [[0.01, 0.99]]
    ```

    """ + String(repeating: "```step\n```\n\n", count: steps)
  }

  @Test("the first step's new weights are recomputed from the weight and its gradient", arguments: optimizers)
  func firstStep(optimizer: String) throws {
    let (run, diagnostics) = runLesson(Self.lesson(optimizer, steps: 1))
    #expect(diagnostics.isEmpty, "\(diagnostics.map(\.message))")
    let pass = try #require(run?.passes.first)
    for l in 0..<2 {
      for j in 0..<2 {
        for i in 0..<2 {
          let q = Quantity.newWeight(l: l, j: j, i: i)
          let recomputed = try #require(pass.recompute(q, from: pass.value), "\(optimizer): no hand formula for \(q)")
          #expect(recomputed == pass.value(q), "\(optimizer) \(q)")
        }
        let b = Quantity.newBias(l: l, j: j)
        #expect(pass.recompute(b, from: pass.value) == pass.value(b), "\(optimizer) \(b)")
      }
    }
  }

  @Test("after the first step only plain SGD keeps a hand formula", arguments: optimizers)
  func laterSteps(optimizer: String) throws {
    let (run, _) = runLesson(Self.lesson(optimizer, steps: 2))
    let pass = try #require(run?.passes.last)
    let q = Quantity.newWeight(l: 1, j: 0, i: 0)
    #expect((pass.recompute(q, from: pass.value) != nil) == (optimizer == "sgd"), "\(optimizer)")
  }

  @Test("a schedule's settings are checked where they are written")
  func scheduleErrors() {
    let base = Self.lesson("sgd", steps: 0)
    let cases: [(String, String)] = [
      ("{type: stepped, step-size: 2}", "unknown schedule `stepped`"),
      ("{type: step}", "the step schedule needs `step-size`"),
      ("{type: cosine, t-max: 5, gamma: 0.5}", "`gamma` is not a setting of the cosine schedule"),
      ("{type: exponential, gamma: 0.9, per: batch}", "a schedule steps per `epoch` (the default, as PyTorch code usually does) or per `iteration`"),
    ]
    for (schedule, message) in cases {
      let (_, diagnostics) = runLesson(base + "```train\niterations: 3\nschedule: \(schedule)\n```\n")
      #expect(diagnostics.contains { $0.message == message }, "\(schedule): \(diagnostics.map(\.message))")
    }
  }
}
