import Foundation
import Testing

/// A lesson for the teaching tests: the worked example's network with two weights and an input
/// drawn for variants (their defaults are the published numbers), checks, inline values, and a
/// constraint. Its prose writes no computed number, so a worksheet of it must show none.
let teachingLesson = """
  ---
  title: One step by hand
  notation: net-out
  ---

  # One step by hand

  ```network
  inputs: [i1, i2]
  layers:
    - neurons: [h1, h2]
      weights: [[~U(0.10, 0.50, 0.05, 0.15), 0.20], [0.25, ~U(0.10, 0.50, 0.05, 0.30)]]
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
  inputs:  [[~U(0.02, 0.10, 0.01, 0.05), 0.10]]
  targets: [[0.01, 0.99]]
  ```

  ## Forward

  ```forward
  ```

  The hidden neuron receives {{h1.net}} and sends on {{h1.out}}.

  ```check
  h1.net = 0.3775
  h1.out = 0.593269992
  ```

  ```loss
  ```

  ## Backward

  ```backward
  ```

  So the output's delta is {{o1.delta}}.

  ```check
  o1.delta = 0.138498562
  w5.grad = 0.082167041
  ```

  ## Update

  ```update
  ```

  ```constraints
  E.after < E.before
  abs(o1.delta.before) > 0.001
  ```
  """

@Suite("Teaching: worksheets, answers, variants, courses", .serialized)
struct TeachingTests {
  /// A course folder with `lessons/NAME.md` for each lesson given.
  func course(_ lessons: [String: String]) throws -> URL {
    let root = try CLI.temporaryFolder()
    try FileManager.default.createDirectory(at: root.appendingPathComponent("lessons"), withIntermediateDirectories: true)
    for (name, text) in lessons {
      try text.write(to: root.appendingPathComponent("lessons/\(name).md"), atomically: true, encoding: .utf8)
    }
    return root
  }

  func read(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

  /// The answers a key highlights: (exact value, digits as shown).
  func keyAnswers(_ key: String) -> [(String, String)] {
    let pattern = try! NSRegularExpression(pattern: #"key-answer" title="([^"]+)">([^<]+)<"#)
    return pattern.matches(in: key, range: NSRange(key.startIndex..., in: key)).map { m in
      (String(key[Range(m.range(at: 1), in: key)!]), String(key[Range(m.range(at: 2), in: key)!]))
    }
  }

  @Test("a lesson with checks passes them with its own numbers")
  func checksPass() throws {
    let root = try course(["one-step": teachingLesson])
    defer { try? FileManager.default.removeItem(at: root) }
    let result = try CLI.run(["check", "one-step"], in: root)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.hasSuffix("4 passed, 0 failed\n"))
  }

  @Test("a worksheet leaves every answer out, and its key shows them highlighted")
  func worksheetAndKey() throws {
    let root = try course(["one-step": teachingLesson])
    defer { try? FileManager.default.removeItem(at: root) }
    let result = try CLI.run(["run", "one-step", "--handout", "--key"], in: root)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.isEmpty, "a warning about a leaked answer: \(result.stderr)")
    let handout = try read(root.appendingPathComponent("output/one-step.handout.html"))
    let key = try read(root.appendingPathComponent("output/one-step.key.html"))

    let answers = keyAnswers(key)
    // The first pass: z and a of 4 neurons, 2 output errors and E, ∂E/∂a and δ of 4 neurons,
    // 8 weight and 4 bias gradients, 8 updated weights; equal values share a highlight.
    #expect(answers.count >= 30, "only \(answers.count) highlighted answers")
    for needle in ["0.3775", "0.593269992", "0.138498562", "0.082167041", "0.35891648"] {
      #expect(answers.contains { $0.0.hasPrefix(needle) || $0.1.hasPrefix(needle) }, "the key lacks \(needle)")
    }
    for (exact, shown) in answers {
      let digits = shown.replacingOccurrences(of: "−", with: "")
      #expect(!handout.contains(shown), "the worksheet shows \(shown)")
      #expect(!handout.contains(exact), "the worksheet holds \(exact)")
      #expect(!handout.contains(digits) || digits.filter(\.isNumber).count < 5, "the worksheet shows the digits \(digits)")
    }
    // Inputs that check in the browser, an empty box to write in on paper, no checks (they state answers).
    #expect(handout.contains(#"<input class="blank""#))
    #expect(handout.contains(#"aria-label="h1.net" data-check=""#))
    #expect(handout.contains("<script>"))
    #expect(handout.contains("input.blank{width:36mm;height:7.5mm;border:.6pt solid #000"))
    #expect(!handout.contains("<caption>Checks</caption>"))
    #expect(key.contains("<caption>Checks</caption>"))
    #expect(!key.contains("<script"))
    #expect(key.contains("\\boxed") || key.contains("menclose") || key.contains("boxed"))
  }

  @Test("a student's answers: one slip marked wrong, the answers that follow from it marked consistent")
  func answersWithOneSlip() throws {
    let root = try course(["one-step": teachingLesson])
    defer { try? FileManager.default.removeItem(at: root) }
    let answers = """
      # Ana's hand calculation
      h1.net = 0.3775
      h1.out = 0.5966      # the slip: 0.5933 is right
      o1.net = 1.1072      # right from her h1.out
      o1.out = 0.7516
      o1.delta = 0.1385
      w5.grad = 0.0826     # right from her h1.out
      E = 0.2984
      """
    try answers.write(to: root.appendingPathComponent("ana.txt"), atomically: true, encoding: .utf8)
    let text = try CLI.run(["check", "one-step", "--answers", "ana.txt"], in: root)
    #expect(text.status == 1, "\(text.stderr)")
    #expect(text.stdout.contains("✓ right        h1.net = 0.3775"))
    #expect(text.stdout.contains("✗ wrong        h1.out = 0.5966    the correct value is 0.593269992"))
    #expect(text.stdout.contains("~ consistent   o1.net = 1.1072    consistent with your earlier value of h1.out"))
    #expect(text.stdout.contains("the slip to look for: h1.out"))
    #expect(text.stdout.contains("7 answers: 3 right, 3 consistent with your earlier values, 1 wrong"))

    let json = try CLI.run(["check", "one-step", "--answers", "ana.txt", "--format", "json"], in: root)
    #expect(json.status == 1)
    let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    #expect(document["format"] as? String == "lesson-answers")
    let items = try #require(document["answers"] as? [[String: Any]])
    let verdicts = Dictionary(uniqueKeysWithValues: items.map { ($0["name"] as! String, $0["verdict"] as! String) })
    #expect(verdicts == ["h1.net": "right", "h1.out": "wrong", "o1.net": "consistent", "o1.out": "consistent",
      "o1.delta": "right", "w5.grad": "consistent", "E": "right"])
    let w5 = try #require(items.first { $0["name"] as? String == "w5.grad" })
    #expect(w5["off_because"] as? [String] == ["h1.out"])
    #expect(abs((w5["correct"] as? Double ?? 0) - 0.082167041) < 1e-9)

    // All right: exit 0. A name the lesson does not have: exit 2 with its line.
    try "h1.net = 0.3775\no1.delta = 0.138498562\n".write(to: root.appendingPathComponent("good.txt"), atomically: true, encoding: .utf8)
    #expect(try CLI.run(["check", "one-step", "--answers", "good.txt"], in: root).status == 0)
    try "h1.nett = 0.3775\n".write(to: root.appendingPathComponent("bad.txt"), atomically: true, encoding: .utf8)
    let bad = try CLI.run(["check", "one-step", "--answers", "bad.txt"], in: root)
    #expect(bad.status == 2)
    #expect(bad.stderr.contains("bad.txt:1:1: error: unknown value `h1.nett`"))
    #expect(bad.stderr.contains("did you mean `h1.net`?"))
  }

  @Test("a class set: variants differ, worksheet and key match, and a rebuild is byte-identical")
  func classSet() throws {
    let root = try course(["one-step": teachingLesson])
    defer { try? FileManager.default.removeItem(at: root) }
    let first = try CLI.run(["build", ".", "--variants", "1-3", "--handout", "--key"], in: root)
    #expect(first.status == 0, "\(first.stderr)")
    let output = root.appendingPathComponent("output")
    var files: [String: Data] = [:]
    for v in 1...3 {
      for suffix in ["html", "handout.html", "key.html"] {
        let name = "one-step.v\(v).\(suffix)"
        files[name] = try Data(contentsOf: output.appendingPathComponent(name))
      }
    }
    let index = try read(output.appendingPathComponent("index.html"))
    #expect(index.contains("One step by hand"))
    #expect(index.contains(#"href="one-step.v2.handout.html""#))
    // The lesson's own numbers are built and checked beside the variants.
    #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("one-step.html").path))
    #expect(index.contains("all 4 checks pass; 3 variants, each meeting the constraints"), "\(index)")

    // Different numbers per variant; within a variant the key's answers are the worksheet's.
    let v1 = try read(output.appendingPathComponent("one-step.v1.key.html")), v2 = try read(output.appendingPathComponent("one-step.v2.key.html"))
    #expect(keyAnswers(v1).map(\.0) != keyAnswers(v2).map(\.0))
    let handout1 = try read(output.appendingPathComponent("one-step.v1.handout.html"))
    for (exact, _) in keyAnswers(v1) { #expect(!handout1.contains(exact), "variant 1's worksheet holds \(exact)") }
    let checks1 = try #require(handout1.components(separatedBy: "data-check=\"").dropFirst().first)
    let run1 = try CLI.run(["run", "one-step", "--handout", "--variant", "1", "--out", "again"], in: root)
    #expect(run1.status == 0, "\(run1.stderr)")
    #expect(try Data(contentsOf: root.appendingPathComponent("again/one-step.v1.handout.html")) == files["one-step.v1.handout.html"])
    #expect(handout1.contains(checks1.prefix(20)))

    // Rebuilding everything gives the same bytes.
    let forced = try CLI.run(["build", ".", "--variants", "1-3", "--handout", "--key", "--force"], in: root)
    #expect(forced.status == 0)
    for (name, data) in files { #expect(try Data(contentsOf: output.appendingPathComponent(name)) == data, "\(name) changed") }
  }

  @Test("build skips lessons whose inputs have not changed")
  func buildSkipsUnchanged() throws {
    let root = try course(["one-step": teachingLesson, "other": teachingLesson.replacingOccurrences(of: "One step by hand", with: "Another")])
    defer { try? FileManager.default.removeItem(at: root) }
    let first = try CLI.run(["build"], in: root)
    #expect(first.status == 0, "\(first.stderr)")
    #expect(first.stdout.contains("built 2, unchanged 0"))
    #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("output/.lesson-build.json").path))
    let index = try read(root.appendingPathComponent("output/index.html"))
    #expect(index.contains("all 4 checks pass"))

    let second = try CLI.run(["build"], in: root)
    #expect(second.stdout.contains("built 0, unchanged 2"))

    try (teachingLesson + "\nOne more sentence.\n").write(to: root.appendingPathComponent("lessons/other.md"), atomically: true, encoding: .utf8)
    let third = try CLI.run(["build"], in: root)
    #expect(third.stdout.contains("built other"))
    #expect(third.stdout.contains("unchanged one-step"))
    #expect(third.stdout.contains("built 1, unchanged 1"))

    // Other options are other inputs.
    let fourth = try CLI.run(["build", "--handout"], in: root)
    #expect(fourth.stdout.contains("built 2, unchanged 0"))
    #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("output/other.handout.html").path))
  }

  @Test("variants that cannot meet the constraints are a clear error")
  func impossibleConstraints() throws {
    let impossible = teachingLesson.replacingOccurrences(of: "E.after < E.before", with: "E.after > E.before")
    let root = try course(["one-step": impossible])
    defer { try? FileManager.default.removeItem(at: root) }
    let base = try CLI.run(["run", "one-step"], in: root)
    #expect(base.status == 2)
    #expect(base.stderr.contains("constraint fails for the lesson's own numbers"))
    let drawn = try CLI.run(["run", "one-step", "--variant", "4"], in: root)
    #expect(drawn.status == 2)
    #expect(drawn.stderr.contains("no draw of variant 4 met the constraints in 100 attempts"))
  }

  @Test("new writes a starter lesson that runs, and never overwrites one")
  func newLesson() throws {
    let root = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: root) }
    let made = try CLI.run(["new", "my-first"], in: root)
    #expect(made.status == 0, "\(made.stderr)")
    let ran = try CLI.run(["run", "my-first", "--handout", "--key"], in: root)
    #expect(ran.status == 0, "\(ran.stderr)")
    #expect(ran.stdout.contains("checks passed"))
    let checked = try CLI.run(["check", "my-first"], in: root)
    #expect(checked.status == 0)
    #expect(checked.stdout.contains(", 0 failed"))
    let before = try Data(contentsOf: root.appendingPathComponent("lessons/my-first.md"))
    let again = try CLI.run(["new", "my-first"], in: root)
    #expect(again.status == 4)
    #expect(again.stderr.contains("already exists"))
    #expect(try Data(contentsOf: root.appendingPathComponent("lessons/my-first.md")) == before)
  }
}
