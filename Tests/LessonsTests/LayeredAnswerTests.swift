import Foundation
import Lessons
import TestSupport
import Testing

/// Follow-through for typed layers: every value recomputes from its parents, and a slip in a
/// convolution or a recurrent step is traced to where it was made.
@Suite("Answers on typed layers")
struct LayeredAnswerTests {
  static func run(_ name: String) throws -> ExecutedLesson { try #require(try Repository.run(name).run) }

  func mark(_ text: String, _ run: ExecutedLesson) -> AnswerReview? {
    let (sheet, problems) = AnswerSheet.parse(text, file: "ana.txt")
    #expect(problems.isEmpty, "\(problems)")
    let (review, diagnostics) = AnswerReview.review(sheet, against: run)
    #expect(diagnostics.isEmpty, "\(diagnostics)")
    return review
  }

  @Test("every value of the pass is its formula applied to its parents' values", arguments: ["11-convolution.md", "12-recurrent.md"])
  func recomputes(_ name: String) throws {
    let pass = try #require(try Self.run(name).passes.first)
    let after = try #require(pass.afterUpdate())
    var recomputed = 0
    for q in pass.computedQuantities + pass.afterQuantities {
      guard let value = pass.recompute(q, from: { p in
        if case .after(let inner) = p { return after.value(inner) }
        return pass.value(p)
      }) else { continue }
      recomputed += 1
      let expected = pass.value(q)
      #expect(isClose(value, expected, relative: 1e-12, absolute: 1e-15), "\(name) \(pass.name(q)): formula \(value), pass \(expected)")
      // Only a sum of nothing has no parents: a cell no pooling window took gets 0.
      #expect(!pass.parents(q).isEmpty || expected == 0, "\(name) \(pass.name(q)) has a formula but no parents")
    }
    // Everything a student computes has a formula here (the flatten copies are not asked for).
    #expect(recomputed == (pass.computedQuantities + pass.afterQuantities).count, "\(name): \(recomputed) recomputed")
  }

  @Test("a slip in one convolution cell is found, and what follows from it is consistent")
  func convolutionSlip() throws {
    let run = try Self.run("11-convolution.md")
    // c1.z[1,1,2] is 2.85; written as 2.58, its ReLU and the maximum that took it follow from it.
    let review = try #require(mark("""
      c1.z[1,1,1] = 0.1000
      c1.z[1,1,2] = 2.5800
      c1.a[1,1,2] = 2.5800
      p1.a[1,1,1] = 2.5800
      o1.z = 0.4395
      """, run))
    let verdicts = Dictionary(uniqueKeysWithValues: review.items.map { ($0.line.name, $0.verdict) })
    #expect(verdicts["c1.z[1,1,1]"] == .right)
    #expect(verdicts["c1.z[1,1,2]"] == .wrong)
    #expect(verdicts["c1.a[1,1,2]"] == .consistent)
    #expect(verdicts["p1.a[1,1,1]"] == .consistent)
    // o1.z = 0.4·p11 − 0.3·p12 + 0.2·p21 + 0.1·p22 − 0.2 with p11 = 2.58 and the others right (p12 = 2.85).
    let slipped = 0.4 * 2.58 - 0.3 * 2.85 + 0.2 * 1.6 + 0.1 * 2.1 - 0.2
    #expect(String(format: "%.4f", slipped) == "0.5070")
    #expect(verdicts["o1.z"] == .wrong)
  }

  @Test("a slip in a recurrent step is carried through time")
  func recurrentSlip() throws {
    let run = try Self.run("12-recurrent.md")
    let pass = try #require(run.passes.first)
    func value(_ name: String) throws -> Double {
      guard case .success(let q) = pass.quantity(named: name) else { throw CancellationError() }
      return pass.value(q)
    }
    // h at step 1, unit 1 written as 0.38 (right) and unit 2 as −0.21 (a slip, −0.1974 is right):
    // z at step 2 from those values is 0.6·(−1) + 0.3·0.38 − 0.2·(−0.21) + 0.1.
    let z21 = 0.6 * -1 + 0.3 * 0.3799 - 0.2 * -0.21 + 0.1
    // The next answer follows from the student's rounded z, as they would compute it.
    let h21 = tanh((z21 * 10_000).rounded() / 10_000)
    let review = try #require(mark("""
      r1.h[1,1] = 0.3799
      r1.h[1,2] = -0.2100
      r1.z[2,1] = \(String(format: "%.4f", z21))
      r1.h[2,1] = \(String(format: "%.4f", h21))
      """, run))
    let verdicts = Dictionary(uniqueKeysWithValues: review.items.map { ($0.line.name, $0.verdict) })
    #expect(verdicts["r1.h[1,1]"] == .right)
    #expect(verdicts["r1.h[1,2]"] == .wrong)
    #expect(verdicts["r1.z[2,1]"] == .consistent)
    #expect(verdicts["r1.h[2,1]"] == .consistent)
    #expect(try abs(value("r1.z[2,1]") - z21) > 1e-3)
  }
}
