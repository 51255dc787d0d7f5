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

  @Test("answers agree to 4 decimals or 4 significant figures (more in AnswerToleranceTests)")
  func tolerance() {
    #expect(AnswerTolerance.places(for: 0.593269992) == 4)
    #expect(AnswerTolerance.places(for: 0.082167041) == 5)
    #expect(AnswerTolerance.places(for: 12.34) == 2)
    #expect(AnswerTolerance.agrees("0.5933", 0.5933, with: 0.593269992))
    #expect(!AnswerTolerance.agrees("0.593", 0.593, with: 0.593269992))  // right, but short of digits
    #expect(AnswerTolerance.agrees("0.59327", 0.59327, with: 0.593269992))
    #expect(!AnswerTolerance.agrees("0.5932", 0.5932, with: 0.593269992))
    #expect(!AnswerTolerance.agrees("0.59", 0.59, with: 0.593269992))
    #expect(AnswerTolerance.agrees("-0.0088", -0.0088, with: -0.00877))  // 4 decimals
    #expect(AnswerTolerance.agrees("-0.00877", -0.00877, with: -0.008771355))
  }

  static func run(_ source: String) -> ExecutedLesson {
    let (lesson, _) = Lesson.parse(source, file: "t.md")
    return LessonRunner.run(lesson).0
  }

  /// One neuron, one sample, and a forward pass that leaves z blank: the worksheet tests' lesson.
  static let oneNeuron = """
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
    """

  @Test("a worksheet hides a blank's value in tables, sentences, working and diagrams; the key marks it")
  func hidesTheBlank() throws {
    let run = Self.run(Self.oneNeuron + "\n\nThe net input is {{o1.z}} and the output {{o1.a}}.\n")
    let (blanks, problems) = run.blanks()
    #expect(problems.isEmpty)
    #expect(blanks.map(\.name) == ["o1.z"])
    let (handout, leaks) = HTMLReport.worksheet(run, Worksheet(kind: .handout, blanks: blanks, salt: "s"))
    for shown in ["0.650000000", ">0.65<", "\"0.65\"", "z 0.65", ">0.65 "] { #expect(!handout.contains(shown), "the worksheet shows \(shown)") }
    // The diagram draws the blank as its label and a box to write in (NetworkDiagram).
    #expect(handout.contains("net 0.65") == false && handout.contains("\">z</text>\n<rect class=\"fig-blank\""))
    #expect(handout.contains(#"aria-label="o1.z""#))
    #expect(handout.contains("0.6570"))  // o1.a = σ(0.65) was not asked for
    #expect(leaks.isEmpty, "\(leaks.map(\.message))")
    let key = HTMLReport.render(run, worksheet: Worksheet(kind: .key, blanks: blanks, salt: "s"))
    #expect(key.contains(#"class="value key-answer" title="0.65">0.65<"#))
  }

  /// A 1–1 network whose bias equals its net input: the weight's input is 0.
  static let coincidence = """
    ```network
    inputs: [i1]
    layers:
      - neurons: [o1]
        weights: [[0.4]]
        biases: -0.1
    learning-rate: 0.5
    ```

    ```data
    inputs: [[0]]
    targets: [[0]]
    ```

    ```step
    ```
    """

  @Test("a given value equal to an answer stays visible everywhere; the answer alone is blank")
  func givenValuesStay() throws {
    let run = Self.run(Self.coincidence)
    let (blanks, _) = run.blanks()
    let z = try #require(blanks.first { $0.name == "o1.z" })
    #expect(z.value == -0.1)
    let report = HTMLReport.render(run)
    let (handout, _) = HTMLReport.worksheet(run, Worksheet(kind: .handout, blanks: blanks, salt: "s"))
    // The declarations are the report's, number for number.
    for kind in ["network", "data"] { #expect(Self.section(kind, of: handout) == Self.section(kind, of: report)) }
    // The working still prints the bias, and the weight 0.4 beside the input 0.
    #expect(handout.contains("<mn>0.4</mn><mo>×</mo><mn>0</mn>") || handout.contains("<mn>0.4</mn>"))
    #expect(handout.components(separatedBy: "−0.100000000").count >= 2)
    #expect(handout.contains(#"aria-label="o1.z""#))
  }

  /// The first `<section class="block KIND">…</section>` of a page.
  static func section(_ kind: String, of html: String) -> String? {
    guard let start = html.range(of: "<section class=\"block \(kind)\">") else { return nil }
    guard let end = html[start.upperBound...].range(of: "</section>") else { return nil }
    return String(html[start.lowerBound..<end.upperBound])
  }

  @Test("a factor of the working computed from a blank is blank too: σ′ = a(1 − a) beside a blank a")
  func derivedFactorsAreBlank() throws {
    let run = Self.run(Self.coincidence.replacingOccurrences(of: "inputs: [[0]]", with: "inputs: [[0.7]]"))
    let (blanks, _) = run.blanks()
    let a = try #require(blanks.first { $0.name == "o1.a" }).value
    let slope = a * (1 - a)
    let (handout, leaks) = HTMLReport.worksheet(run, Worksheet(kind: .handout, blanks: blanks, salt: "s"))
    let format = NumberFormat(decimals: 9)
    #expect(HTMLReport.render(run).contains(format.short(slope)), "the report shows σ′ (so the test looks for the right digits)")
    #expect(!handout.contains(format.short(slope)), "the worksheet shows σ′ = \(format.short(slope)), from which a follows")
    #expect(leaks.isEmpty, "\(leaks.map(\.message))")
  }

  @Test("the leak check finds answers in the lesson's text and derived factors, and says at which line")
  func leakCheckSaysWhere() throws {
    let run = Self.run(Self.coincidence.replacingOccurrences(of: "inputs: [[0]]", with: "inputs: [[0.7321]]"))
    let (blanks, _) = run.blanks()
    let a = try #require(blanks.first { $0.name == "o1.a" }).value
    let z = try #require(blanks.first { $0.name == "o1.z" }).value
    let text = String(format: "%.6f", a * (1 - a))
    let written = Self.run(Self.coincidence.replacingOccurrences(of: "inputs: [[0]]", with: "inputs: [[0.7321]]")
      + "\n\nThe slope is \(text) and the net input \(String(format: "%.5f", z)).\n")
    let (_, leaks) = HTMLReport.worksheet(written, Worksheet(kind: .handout, blanks: blanks, salt: "s"))
    let lines = Set(leaks.map(\.line))
    #expect(lines == [18], "\(leaks.map(\.message))")
    #expect(leaks.contains { $0.blank.name == "o1.a" && $0.how.contains(text) })
    #expect(leaks.contains { $0.blank.name == "o1.z" })
  }

  @Test("a training that starts from the pass's parameters does not show its error on the worksheet")
  func trainingErrorsAreBlank() throws {
    let run = Self.run(Self.coincidence.replacingOccurrences(of: "inputs: [[0]]", with: "inputs: [[0.7]]")
      + "\n\n```network again\nfrom: network\n```\n\n```train\niterations: 3\n```\n")
    let (blanks, _) = run.blanks()
    let e = try #require(blanks.first { $0.name == "E" }).value
    let (handout, leaks) = HTMLReport.worksheet(run, Worksheet(kind: .handout, blanks: blanks, salt: "s"))
    #expect(!handout.contains(NumberFormat(decimals: 9).fixed(e)))
    #expect(leaks.isEmpty, "\(leaks.map(\.message))")
  }
}
