import Foundation
import Lessons
import TestSupport
import Testing

/// Marking a student's answers file against a lesson: rounding, follow-through, pass markers
/// and the values after an update.
@Suite("Answer marking")
struct AnswerMarkingTests {
  static let workedExample: ExecutedLesson = {
    let url = Repository.lessons.appendingPathComponent("02-worked-example.md")
    let source = try! String(contentsOf: url, encoding: .utf8)
    let outcome = LessonRunner.run(source: source, file: "lessons/02-worked-example.md", variant: nil, loader: Repository.loader(for: Repository.lessons))
    return outcome.run!
  }()

  func mark(_ text: String, _ run: ExecutedLesson = workedExample, rounding: Rounding? = nil) -> (AnswerReview?, [Diagnostic]) {
    let (sheet, problems) = AnswerSheet.parse(text, file: "ana.txt")
    guard problems.isEmpty else { return (nil, problems) }
    return AnswerReview.review(sheet, against: run, rounding: rounding)
  }

  func verdicts(_ review: AnswerReview?) -> [String: AnswerReview.Verdict] {
    Dictionary(uniqueKeysWithValues: (review?.items ?? []).map { ($0.line.name, $0.verdict) })
  }

  func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

  /// Every value of the worked example's first pass, and those after its update, with a
  /// formatter that rounds them as a student would (C's printf, not the code under test).
  func roundedSheet(_ format: (Double) -> String) -> (String, Int) {
    let pass = Self.workedExample.passes[0]
    let quantities = pass.computedQuantities + pass.afterQuantities
    return (quantities.map { "\(pass.name($0)) = \(format(pass.value($0)))" }.joined(separator: "\n"), quantities.count)
  }

  @Test("answers rounded to 4 decimals are right for every value of the worked example's first pass")
  func fourDecimals() throws {
    let (text, count) = roundedSheet { String(format: "%.4f", $0) }
    #expect(count > 40)
    for rounding in [Rounding.standard, Rounding(digits: 4, mode: .decimals)] {
      let (r, problems) = mark(text, rounding: rounding)
      #expect(problems.isEmpty, "\(problems)")
      let review = try #require(r)
      #expect(review.items.count == count)
      for item in review.items { #expect(item.verdict == .right, "\(item.line.name) = \(item.line.text) for \(item.correct) under \(rounding)") }
    }
    // Asked for 4 significant figures, the small ones are right as far as they go; none is wrong.
    let (r, _) = mark(text, rounding: Rounding(digits: 4, mode: .significant))
    let items = try #require(r).items
    #expect(items.allSatisfy { $0.verdict != .wrong })
    #expect(items.contains { $0.verdict == .moreDigits && $0.line.name == "w1.grad" })
  }

  @Test("answers rounded to 4 significant figures are right for every value of the worked example's first pass")
  func fourSignificant() throws {
    // `#` keeps trailing zeros, as a student writing 4 significant figures does (0.2500).
    let (text, count) = roundedSheet { String(format: "%#.4g", $0) }
    #expect(text.contains("w1.grad = 0.0004386"))
    for rounding in [Rounding.standard, Rounding(digits: 4, mode: .significant)] {
      let (r, problems) = mark(text, rounding: rounding)
      #expect(problems.isEmpty, "\(problems)")
      let review = try #require(r)
      #expect(review.items.count == count)
      for item in review.items { #expect(item.verdict == .right, "\(item.line.name) = \(item.line.text) for \(item.correct) under \(rounding)") }
    }
  }

  @Test("a rounded answer is not a slip, and what follows from it is judged from the student's value")
  func followThroughFromRounded() throws {
    // o1.net from the rounded h1.out = 0.59 and the correct h2.out, computed here by hand.
    let h2out = sigmoid(0.25 * 0.05 + 0.30 * 0.10 + 0.35)
    let o1net = 0.40 * 0.59 + 0.45 * h2out + 0.60
    let text = """
      h1.net = 0.3775
      h1.out = 0.59
      o1.net = \(String(format: "%.4f", o1net))
      """
    let (r, problems) = mark(text)
    #expect(problems.isEmpty)
    let review = try #require(r)
    #expect(verdicts(review) == ["h1.net": .right, "h1.out": .moreDigits, "o1.net": .consistent])
    let o1 = try #require(review.items.first { $0.line.name == "o1.net" })
    #expect(o1.offBecause == ["h1.out"])
    #expect(o1.slips.isEmpty, "a rounded answer is never the slip")
    #expect(abs(try #require(o1.fromYourValues) - o1net) < 1e-12)
    let h1 = try #require(review.items.first { $0.line.name == "h1.out" })
    #expect(h1.slips.isEmpty && h1.offBecause.isEmpty && h1.requiredPlaces == 4)
    #expect(review.moreDigits == 1 && review.consistent == 1 && review.wrong == 0)
  }

  @Test("follow-through uses the same rounding rule: a consistent answer rounded to fewer places is still consistent")
  func followThroughSameTolerance() throws {
    let h1out = 0.5966  // a slip
    let o1net = 0.40 * h1out + 0.45 * sigmoid(0.25 * 0.05 + 0.30 * 0.10 + 0.35) + 0.60
    for (written, verdict) in [(String(format: "%.4f", o1net), AnswerReview.Verdict.consistent), (String(format: "%.3f", o1net), .consistent),
      (String(format: "%.4f", o1net + 0.001), .wrong)]
    {
      let (r, _) = mark("h1.out = 0.5966\no1.net = \(written)")
      #expect(verdicts(r)["o1.net"] == verdict, "\(written)")
      #expect(verdicts(r)["h1.out"] == .wrong)
    }
  }

  @Test("markers choose a pass by network, by number or by line; unknown ones are located errors")
  func markers() throws {
    let passes = Self.workedExample.passes
    #expect(passes.map(\.networkName) == ["standard", "standard", "sequential", "sequential"])
    let text = """
      E = 0.2984
      @ pass 2
      E = 0.2910
      @ sequential
      w5 = 0.3589
      @ line 134
      h1.net = 0.3774
      @ step 4
      E = 0.2910
      """
    let (r, problems) = mark(text)
    #expect(problems.isEmpty, "\(problems)")
    let review = try #require(r)
    // Items come pass by pass, in the lesson's order.
    #expect(review.items.map { "\($0.line.name)@\($0.passIndex)" } == ["E@0", "E@1", "h1.net@1", "w5@2", "E@3"])
    #expect(review.items.allSatisfy { $0.verdict == .right }, "\(review.items.map { ($0.line.name, $0.verdict, $0.correct) })")
    #expect(mark("@ network sequential\nE = 0.2984").0?.items.first?.passIndex == 2)
    // What the README's old example, `@ line 140`, selected: the sequential network's step.
    let (old, _) = mark("@ line 140\nE = 0.2984")
    #expect(old?.items.first?.passIndex == 2)

    func error(_ text: String) -> Diagnostic? { mark(text).1.first }
    let misspelt = try #require(error("h1.net = 0.3775\n@  standrd\n"))
    #expect(misspelt.description == "ana.txt:2:4: error: unknown network `standrd`")
    #expect(misspelt.notes.first == "did you mean `standard`?")
    #expect(error("@ pass 9\nE = 0.3")?.description == "ana.txt:1:8: error: the lesson has 4 passes, so there is no pass 9")
    #expect(error("@ long-run\nE = 0.3")?.message.hasPrefix("network `long-run` has no pass") == true)
    #expect(error("@ line 999\nE = 0.3")?.description == "ana.txt:1:8: error: no pass of the lesson has a block at or after line 999")
    #expect(error("@ line x")?.description == "ana.txt:1:8: error: `x` is not a line number: write a whole number from 1")
    #expect(error("  @")?.description == "ana.txt:1:3: error: a marker reads `@ NETWORK`, `@ pass N` (or `@ step N`) or `@ line N`")
    #expect(error("@ pass 0")?.location.column == 8)
    // A wrong marker is reported once, not at every answer after it.
    #expect(mark("@ nope\nE = 0.3\nh1.net = 0.3775").1.count == 1)
  }

  @Test("values after the update have names: w5.after, h1.b.after, E.after; and before it: w5.before")
  func afterNames() throws {
    let text = """
      w5.after = 0.3589
      h1.b.after = 0.3500
      E.after = 0.2910
      h1.net.after = 0.3774
      w5.before = 0.4000
      E.before = 0.2984
      """
    let (r, problems) = mark(text)
    #expect(problems.isEmpty, "\(problems)")
    let review = try #require(r)
    #expect(review.items.allSatisfy { $0.verdict == .right })
    // The lesson's own checks at line 139 state these values after the update.
    let e = try #require(review.items.first { $0.line.name == "E.after" })
    #expect(abs(e.correct - 0.291027774) < 1e-9)
    #expect(e.canonicalName == "E.after")
    #expect(abs(try #require(review.items.first { $0.line.name == "w5.after" }).correct - 0.35891648) < 1e-8)

    // `w5` and `w5.after` are one value.
    let twice = mark("w5 = 0.3589\nw5.after = 0.3589").1
    #expect(twice.first?.description == "ana.txt:2:1: error: `w5.after` is answered twice; the first answer is at line 1")
    // The pass after the update has no update of its own.
    #expect(mark("@ pass 2\nE.after = 0.29").1.first?.message.hasPrefix("`E.after` comes from an update") == true)
    #expect(mark("E.aftr = 0.29").1.first?.message == "unknown value `E.aftr`")
  }

  @Test("E.after follows through from the student's own updated weight")
  func afterFollowThrough() throws {
    // One sigmoid neuron, worked here by hand.
    let source = """
      ```network
      inputs: [x]
      layers:
        - neurons: [y]
          weights: [[0.8]]
          weight-names: [[w]]
          biases: 0.1
      learning-rate: 0.5
      update-biases: false
      ```

      ```data
      inputs: [[1.5]]
      targets: [[0.2]]
      ```

      ```step
      ```
      """
    let (lesson, _) = Lesson.parse(source, file: "one.md")
    let (run, diagnostics) = LessonRunner.run(lesson)
    #expect(diagnostics.isEmpty)
    let a = sigmoid(0.8 * 1.5 + 0.1)
    let grad = (a - 0.2) * a * (1 - a) * 1.5
    let wAfter = 0.8 - 0.5 * grad
    let mine = wAfter + 0.01  // a slip in the update
    let eMine = 0.5 * pow(0.2 - sigmoid(mine * 1.5 + 0.1), 2)
    let eRight = 0.5 * pow(0.2 - sigmoid(wAfter * 1.5 + 0.1), 2)
    #expect(abs(eMine - eRight) > 0.001)
    let text = "w.grad = \(String(format: "%.4f", grad))\nw = \(String(format: "%.4f", mine))\nE.after = \(String(format: "%.4f", eMine))"
    let (r, problems) = mark(text, run)
    #expect(problems.isEmpty)
    let review = try #require(r)
    #expect(verdicts(review) == ["w.grad": .right, "w": .wrong, "E.after": .consistent])
    let e = try #require(review.items.first { $0.line.name == "E.after" })
    #expect(abs(e.correct - eRight) < 1e-12)
    #expect(e.slips == ["w"])
    #expect(abs(try #require(e.fromYourValues) - 0.5 * pow(0.2 - sigmoid(Double(String(format: "%.4f", mine))! * 1.5 + 0.1), 2)) < 1e-12)
  }

  @Test("the lesson's `rounding:` setting is read from the front matter; a bad one is a located error")
  func frontMatter() {
    let (lesson, d) = Lesson.parse("---\nrounding: 3 significant\n---\n\n# T\n", file: "r.md")
    #expect(d.isEmpty)
    #expect(lesson.settings.rounding == Rounding(digits: 3, mode: .significant))
    #expect(Lesson.parse("# T\n", file: "r.md").0.settings.rounding == .standard)
    let (_, bad) = Lesson.parse("---\nrounding: 4 digits\n---\n\n# T\n", file: "r.md")
    #expect(bad.map(\.description) == ["r.md:2:11: error: `4 digits` is not a rounding"])
    #expect(bad.first?.notes.first?.contains("4 decimals or significant") == true)
  }

  @Test("the lesson's rounding is used unless the caller overrides it")
  func lessonRounding() throws {
    let url = Repository.lessons.appendingPathComponent("02-worked-example.md")
    let source = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "notation: net-out", with: "notation: net-out\nrounding: 4 significant")
    let outcome = LessonRunner.run(source: source, file: "w.md", variant: nil, loader: Repository.loader(for: Repository.lessons))
    let run = try #require(outcome.run)
    // h1.delta = 0.008771355: 4 decimals are enough for the default, not for 4 significant figures.
    #expect(verdicts(mark("h1.delta = 0.0088", run).0) == ["h1.delta": .moreDigits])
    #expect(verdicts(mark("h1.delta = 0.0088", run, rounding: .standard).0) == ["h1.delta": .right])
    #expect(mark("h1.delta = 0.0088", run).0?.rounding == Rounding(digits: 4, mode: .significant))
  }
}
