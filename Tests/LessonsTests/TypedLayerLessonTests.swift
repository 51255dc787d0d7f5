import Backprop
import Foundation
import Lessons
import TestSupport
import Testing

/// Lessons with typed layers run every directive: drawn weights, step, train, gradcheck and the
/// names around an update.
@Suite("Lessons with typed layers")
struct TypedLayerLessonTests {
  static let lesson = """
    ```network seq
    input-shape: [2, 6]
    seed: 7
    layers:
      - type: conv1d
        channels: 2
        kernel: 3
        padding: 1
        activation: tanh
      - type: avgpool
        size: 2
      - type: flatten
      - neurons: 2
        activation: softmax
    loss: cross-entropy
    optimizer: {type: adam, learning-rate: 0.05}
    ```

    ```data
    inputs: [[[0.1, 0.5, -0.3, 0.8, 0.2, -0.6], [0.4, -0.1, 0.9, 0.0, -0.5, 0.3]],
             [[-0.2, 0.3, 0.7, -0.4, 0.6, 0.1], [0.5, 0.5, -0.8, 0.2, 0.1, -0.3]]]
    labels: [0, 1]
    ```

    ```gradcheck
    ```

    ```step
    ```

    ```train
    iterations: 60
    ```

    """

  static func run(_ text: String = lesson) throws -> ExecutedLesson {
    let outcome = LessonRunner.run(source: text, file: "typed.md", variant: nil, loader: { _ in "" })
    #expect(outcome.diagnostics.filter { $0.severity == .error }.isEmpty, "\(outcome.diagnostics)")
    return try #require(outcome.run)
  }

  func value(_ run: ExecutedLesson, _ name: String, after text: String = "") throws -> Double {
    let probe = try Self.run(Self.lesson + text + "\n{{\(name)}}\n")
    guard case .prose(_, let values)? = probe.items.last else { throw CancellationError() }
    return try #require(values.values.first, "\(name) has no value")
  }

  @Test("gradcheck agrees with backprop, step lowers the error, train lowers it further")
  func directives() throws {
    let run = try Self.run()
    let results = run.items.compactMap { item -> LayeredResult? in if case .layered(let r) = item { r } else { nil } }
    #expect(results.map(\.kind) == [.gradcheck, .step, .train])
    let checks = try #require(results[0].gradientCheck)
    // conv1d 2×2×3 weights and 2 biases; the dense layer reads 2 channels × 3 pooled cells.
    #expect(checks.count == 2 * 2 * 3 + 2 + 2 * 6 + 2)
    for c in checks { #expect(isClose(c.analytic, c.numeric, relative: 1e-6, absolute: 1e-9), "\(c)") }
    let pass = try #require(run.passes.first)
    let error = pass.value(.error)
    let afterStep = try #require(pass.afterUpdate()).value(.error)
    #expect(afterStep < error)
    let history = try #require(results[2].history)
    #expect(history.losses.count == 60)
    #expect(history.losses.first! == afterStep)
    #expect(history.losses.last! < afterStep)
  }

  @Test("the same seed draws the same weights; names read them around the update")
  func names() throws {
    let trained = try value(try Self.run(), "c1.w[1,1,2]")
    #expect(try value(try Self.run(), "c1.w[1,1,2]") == trained)
    // `.before` reads the latest update's starting point: the step's, from the drawn weights.
    let pass = try #require(try Self.run().passes.first)
    let drawn = pass.value(.parameter(l: 0, p: 0, index: 1))
    #expect(drawn != 0)
    #expect(try value(try Self.run(), "c1.w[1,1,2].before") == drawn)
    #expect(trained != drawn)
    let numeric = try value(try Self.run(), "c1.w[1,2,3].grad.numeric")
    let gradcheck = try Self.run().items.compactMap { item -> LayeredResult? in if case .layered(let r) = item { r } else { nil } }[0]
    // c1.w[1,2,3] is out channel 1, in channel 2, position 3: flat index 5.
    #expect(numeric == gradcheck.gradientCheck?.first { $0.layer == 0 && $0.tensor == 0 && $0.index == 5 }?.numeric)
    let training = try Self.run().items.compactMap { item -> TrainingHistory? in if case .layered(let r) = item { r.history } else { nil } }
    #expect(try value(try Self.run(), "E.iteration[60]") == training.first?.losses.last)
  }

  @Test("variants draw a typed network's numbers, and constraints read its names")
  func variants() throws {
    let text = """
      ```network cnn
      input-shape: [1, 3, 3]
      layers:
        - type: conv2d
          kernel: 2
          kernel-names: [K]
          weights: [[~U(0.1, 0.9, 0.1, 0.9), -0.5], [0.25, ~U(-0.5, 0.5, 0.1, 0.2)]]
          activation: relu
        - type: maxpool
          size: 2
        - type: flatten
        - neurons: [o1]
          weights: [[0.7]]
      learning-rate: 0.5
      ```

      ```data
      inputs: [[[[1, 2, 1], [0, 1, 3], [2, 1, 0]]]]
      targets: [[1]]
      ```

      ```step
      ```

      ```constraints
      c1.z[1,1,1] > 0
      abs(K[1,1].grad) > 0.0001
      ```

      """
    var kernels: Set<[Double]> = []
    for variant in 1...6 {
      let outcome = LessonRunner.run(source: text, file: "v.md", variant: variant, loader: { _ in "" })
      #expect(outcome.diagnostics.filter { $0.severity == .error }.isEmpty, "variant \(variant): \(outcome.diagnostics)")
      let pass = try #require(outcome.run?.passes.first)
      guard case .success(let z) = pass.quantity(named: "c1.z[1,1,1]"), case .success(let k) = pass.quantity(named: "K[1,1].before") else {
        Issue.record("names do not resolve"); continue
      }
      #expect(pass.value(z) > 0)
      kernels.insert([pass.value(k), pass.value(.parameter(l: 0, p: 0, index: 3))])
    }
    #expect(kernels.count > 2, "the variants drew \(kernels)")
  }

  @Test("a blanks list may name tensor values without quotes")
  func blanksByName() throws {
    let text = Self.lesson.replacingOccurrences(of: "```step\n```", with: "```step\nblanks: [c1.z[1,3][2], c1.w[1,1,2].grad, o1.delta[1]]\n```")
    #expect(text != Self.lesson)
    let run = try Self.run(text)
    let (blanks, problems) = run.blanks()
    #expect(problems.isEmpty, "\(problems)")
    #expect(blanks.map(\.name) == ["c1.z[1,3][2]", "c1.w[1,1,2].grad", "o1.delta[1]"])
  }

  static func run(network: String, data: String, directives: String) throws -> ExecutedLesson {
    try run("```network n\n\(network)\n```\n\n```data\n\(data)\n```\n\n\(directives)")
  }

  @Test("every value recomputes from its parents, for stacks the course lessons do not have",
    arguments: [
      ("input-shape: [3, 2]\nlayers:\n  - type: rnn\n    hidden: 2\n    returns: sequence\n  - type: avgpool\n    size: 2\n  - type: flatten\n  - neurons: 1\nseed: 5\nlearning-rate: 0.1",
       "inputs: [[[0.5, -1], [0.3, 0.8], [-0.2, 0.4]]]\ntargets: [[0.2]]"),
      ("input-shape: [3, 1]\nlayers:\n  - type: rnn\n    hidden: 2\n    returns: sequence\n  - type: rnn\n    hidden: 2\n  - neurons: 1\nseed: 6\nlearning-rate: 0.1",
       "inputs: [[[0.5], [-1], [0.8]], [[0.1], [0.2], [-0.3]]]\ntargets: [[0.2], [-0.1]]"),
      ("input-shape: [2, 4, 4]\nlayers:\n  - type: conv2d\n    channels: 2\n    kernel: 2\n    stride: 2\n    padding: 1\n    activation: sigmoid\n  - type: maxpool\n    size: 2\n  - type: flatten\n  - neurons: 2\n    activation: softmax\nloss: cross-entropy\nseed: 7\nlearning-rate: 0.1",
       "inputs: [[\((1...32).map { String(format: "%.2f", sin(Double($0))) }.joined(separator: ", "))]]\nlabels: [1]"),
    ])
  func recomputes(_ network: String, _ data: String) throws {
    let run = try Self.run(network: network, data: data, directives: "```step\n```\n")
    let pass = try #require(run.passes.first)
    let after = try #require(pass.afterUpdate())
    for q in pass.computedQuantities + pass.afterQuantities {
      let value = try #require(pass.recompute(q) { p in
        if case .after(let inner) = p { return after.value(inner) }
        return pass.value(p)
      }, "\(pass.name(q)) has no formula")
      #expect(isClose(value, pass.value(q), relative: 1e-11, absolute: 1e-14), "\(pass.name(q)): formula \(value), pass \(pass.value(q))")
    }
  }

  @Test("a gradcheck on other data leaves the values as they were")
  func gradcheckOnOtherData() throws {
    let text = """
      ```network n
      input-shape: [1, 2, 2]
      layers:
        - type: conv2d
          kernel: 1
          weights: [[0.5]]
        - type: flatten
        - neurons: 1
          weights: [[0.1, 0.2, 0.3, 0.4]]
      learning-rate: 0.1
      ```

      ```data a
      inputs: [[[[1, 2], [3, 4]]]]
      targets: [[1]]
      ```

      ```data b
      inputs: [[[[5, 6], [7, 8]]], [[[1, 1], [1, 1]]]]
      targets: [[1], [0]]
      ```

      ```forward
      data: a
      ```

      ```gradcheck
      data: b
      ```

      Still a's: {{c1.z[1,1,2]}} and {{x[1,1,2]}}.

      """
    let run = try Self.run(text)
    guard case .prose(_, let values)? = run.items.last else { Issue.record("no prose"); return }
    #expect(values.values.sorted() == [1.0, 2.0])
    // A timing suffix may stand before a tensor index, as before a sample index.
    let early = LessonRunner.run(source: text + "{{c1.z.after[1,1,1]}}\n", file: "g.md", variant: nil, loader: { _ in "" })
    #expect(early.diagnostics.map(\.message) == ["`c1.z.after[1,1,1]` reads a value around an update, and network `n` has had no update before this point"])
  }

  @Test("accuracy after training a typed network on classes")
  func accuracy() throws {
    let run = try Self.run(network: "input-shape: [1, 4]\nlayers:\n  - type: conv1d\n    kernel: 2\n    activation: tanh\n  - type: flatten\n  - neurons: 2\n    activation: softmax\nloss: cross-entropy\nseed: 3\nlearning-rate: 0.5",
      data: "inputs: [[[1, 0, 0, 0]], [[0, 0, 0, 1]], [[1, 1, 0, 0]], [[0, 0, 1, 1]]]\nlabels: [0, 1, 0, 1]", directives: "```train\niterations: 200\n```\n\n{{accuracy}}\n")
    guard case .prose(_, let values)? = run.items.last else { Issue.record("no prose"); return }
    #expect(values.values.first == 1.0)
    let training = run.items.compactMap { item -> LayeredTraining? in if case .layered(let r) = item { r.outcome.training } else { nil } }
    #expect(training.first?.accuracy == 1.0)
  }
}
