import Lessons
import Testing

@testable import Reports

@Suite("Worksheets")
struct WorksheetTests {
  @Test("the Swift hash and digits match the worksheet script's (vectors from running the script in Node)")
  func hashMatchesScript() {
    #expect(BlankSet.hash("") == "5db645680dd9f717")
    #expect(BlankSet.hash("a") == "579412d9eebb036e")
    #expect(BlankSet.hash("salt:4:0.3775") == "675d61e926f55732")
    #expect(BlankSet.hash("4aebc0b76448f32f:5:-0.00877") == "bc719a0460e644ec")
    #expect(BlankSet.digits(12345, places: 4) == "1.2345")
    #expect(BlankSet.digits(-5, places: 2) == "-0.05")
    #expect(BlankSet.digits(7, places: 0) == "7.")
    #expect(BlankSet.digits(0, places: 3) == "0.000")
  }

  @Test("answers agree to 4 significant figures, or to 3 when written with fewer digits")
  func tolerance() {
    #expect(AnswerTolerance.places(for: 0.593269992) == 4)
    #expect(AnswerTolerance.places(for: 0.082167041) == 5)
    #expect(AnswerTolerance.places(for: 12.34) == 2)
    #expect(AnswerTolerance.agrees("0.5933", 0.5933, with: 0.593269992))
    #expect(AnswerTolerance.agrees("0.593", 0.593, with: 0.593269992))
    #expect(AnswerTolerance.agrees("0.59327", 0.59327, with: 0.593269992))
    #expect(!AnswerTolerance.agrees("0.5932", 0.5932, with: 0.593269992))
    #expect(!AnswerTolerance.agrees("0.59", 0.59, with: 0.593269992))
    #expect(AnswerTolerance.agrees("-0.0088", -0.0088, with: -0.00877) == false)
    #expect(AnswerTolerance.agrees("-0.00877", -0.00877, with: -0.008771355))
  }

  @Test("a worksheet hides a blank's value in tables, sentences, working and diagrams; the key marks it")
  func hidesByValue() {
    let source = """
      ```network
      inputs: [i1]
      layers:
        - neurons: [o1]
          weights: [[0.5]]
          biases: 0.25
      learning-rate: 0.1
      ```

      ```data
      inputs: [[0.8]]
      targets: [[1]]
      ```

      ```forward
      blanks: [o1.z]
      ```

      The net input is {{o1.z}} and the output {{o1.a}}.
      """
    let (lesson, _) = Lesson.parse(source, file: "t.md")
    let (run, _) = LessonRunner.run(lesson)
    let (blanks, problems) = run.blanks()
    #expect(problems.isEmpty)
    #expect(blanks.map(\.name) == ["o1.z"])
    let handout = HTMLReport.render(run, worksheet: Worksheet(kind: .handout, blanks: blanks, salt: "s"))
    for shown in ["0.650000000", ">0.65<", "\"0.65\"", "z 0.65", ">0.65 "] { #expect(!handout.contains(shown), "the worksheet shows \(shown)") }
    // The diagram draws the blank as its label and a box to write in (NetworkDiagram).
    #expect(handout.contains("net 0.65") == false && handout.contains("\">z</text>\n<rect class=\"fig-blank\""))
    #expect(handout.contains(#"aria-label="o1.z""#))
    #expect(handout.contains("0.6570"))  // o1.a = σ(0.65) stays
    #expect(HTMLReport.leakedBlanks(handout, blanks: blanks, decimals: 9).isEmpty)
    let key = HTMLReport.render(run, worksheet: Worksheet(kind: .key, blanks: blanks, salt: "s"))
    #expect(key.contains(#"class="value key-answer" title="0.65">0.65<"#))
    #expect(!HTMLReport.leakedBlanks(key, blanks: blanks, decimals: 9).isEmpty)
  }
}
