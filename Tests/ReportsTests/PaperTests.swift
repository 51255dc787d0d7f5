import Lessons
import Testing

@testable import Reports

/// What printing needs and a string can show: the worksheet's name line, the footer rules and the
/// page-break rules. Page counts need a browser: scripts/check-reports measures them.
@Suite("Paper")
struct PaperTests {
  static let source = """
    ---
    title: Tiny "quoted" </style> lesson
    ---

    """ + WorksheetTests.oneNeuron

  static func run() -> ExecutedLesson {
    let (lesson, _) = Lesson.parse(source, file: "t.md")
    return LessonRunner.run(lesson).0
  }

  @Test("only the worksheet has the Name / Student ID / variant line; the key says which variant it answers")
  func nameLine() {
    let run = Self.run()
    let blanks = run.blanks().0
    let handout = HTMLReport.render(run, worksheet: Worksheet(kind: .handout, blanks: blanks, salt: "s", note: "Variant 3"))
    let key = HTMLReport.render(run, worksheet: Worksheet(kind: .key, blanks: blanks, salt: "s", note: "Variant 3"))
    let report = HTMLReport.render(run)
    let line = #"<div class="sheet-id" role="group" aria-label="Student">"#
    #expect(handout.contains(line))
    #expect(handout.contains(#"<label>Name<input class="sheet-field""#))
    #expect(handout.contains(#"<label>Student ID<input class="sheet-field""#))
    #expect(handout.contains(#"<span class="sheet-variant">Variant 3</span>"#))
    // The line comes before the first block, at the top of the sheet.
    #expect(handout.range(of: line)!.lowerBound < handout.range(of: #"<section class="block"#)!.lowerBound)
    // Name fields are not answer boxes: the checking script leaves them alone.
    #expect(!handout.contains(#"class="blank" type="text" name="#))
    #expect(!key.contains(line) && !key.contains("Student ID"))
    #expect(key.contains("Answer key — variant 3."))
    #expect(!report.contains(line) && !report.contains("Student ID") && !report.contains("sheet-id"))
    let plain = HTMLReport.render(run, worksheet: Worksheet(kind: .handout, blanks: blanks, salt: "s"))
    #expect(plain.contains(#"<span class="sheet-variant">Variant: none (the lesson's own numbers)</span>"#))
  }

  @Test("printed pages are A4 with the lesson's title and page n / N in the footer")
  func footer() {
    #expect(Stylesheet.css.contains("@page{size:A4;"))
    #expect(Stylesheet.css.contains(#"@bottom-right{content:counter(page) " / " counter(pages);"#))
    let report = HTMLReport.render(Self.run())
    // The title, escaped so neither its quotes nor its "</style>" end the string or the element.
    let rule = #"<style>@page{@bottom-left{content:"Tiny \000022quoted\000022 \00003c/style\00003e lesson"}}</style>"#
    #expect(report.contains(rule))
    let handout = HTMLReport.render(Self.run(), worksheet: Worksheet(kind: .handout, blanks: [], salt: "s"))
    #expect(handout.contains(#"@page{@bottom-left{content:"Tiny \000022quoted\000022 \00003c/style\00003e lesson (worksheet)"}}"#))
  }

  @Test("a CSS string escapes everything that could end it or its style element")
  func cssString() {
    #expect(HTML.cssString("Backprop: one step (v2)") == #""Backprop: one step (v2)""#)
    #expect(HTML.cssString("a\"b\\c\nd</style>e") == #""a\000022b\00005cc\00000ad\00003c/style\00003ee""#)
    #expect(HTML.cssString("δ für Ω — 3") == "\"δ für Ω — 3\"")
    let hostile = HTML.cssString("\"}</style><script>x</script>\\\u{0}")
    #expect(!hostile.dropFirst().dropLast().contains("\"") && !hostile.contains("<") && !hostile.contains("\n"))
  }

  @Test("print keeps rows, formulas, figures and short tables whole, but lets blocks and working break")
  func breaks() {
    let css = Stylesheet.css
    #expect(css.contains("tr,figure,svg,.math-display,pre,.stopped,.warning{break-inside:avoid;"))
    #expect(css.contains("table:not(:has(tr:nth-child(13))){break-inside:avoid;"))
    #expect(css.contains("h1,h2,h3,.block-title,caption,details>summary{break-after:avoid;"))
    // Whole directive blocks and their working kept on one page left pages a third empty.
    let avoiding = css.split(separator: "\n").filter { $0.contains("break-inside:avoid") }
    #expect(avoiding.allSatisfy { !$0.contains(".block") && !$0.contains("details") })
  }
}
