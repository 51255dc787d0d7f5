import Lessons
import Reports
import Testing

func report(_ source: String) -> String {
  let (lesson, _) = Lesson.parse(source, file: "t.md")
  let (run, _) = LessonRunner.run(lesson)
  return HTMLReport.render(run)
}

@Suite("HTML report")
struct ReportTests {
  @Test("text from the lesson is escaped and raw HTML is dropped")
  func escaping() {
    let html = report("# A <b>bold</b> & \"quoted\" title\n\n<script>alert(1)</script>\n\nText with <img src=x onerror=alert(1)> inline.\n")
    #expect(!html.contains("<script>alert"))
    #expect(!html.contains("onerror"))
    #expect(html.contains("A bold &amp; \"quoted\" title") || html.contains("A  &amp;"))
  }

  @Test("javascript links lose their link but keep their text")
  func unsafeLinks() {
    let html = report("[click](javascript:alert(1)) and [ok](https://example.org/x)\n")
    #expect(!html.contains("javascript:"))
    #expect(html.contains("click"))
    #expect(html.contains("<a href=\"https://example.org/x\">ok</a>"))
  }

  @Test("math in prose becomes MathML with its TeX kept as an annotation")
  func math() {
    let html = report("Logistic: $\\sigma(x) = \\frac{1}{1+e^{-x}}$.\n")
    #expect(html.contains("<math"))
    #expect(html.contains("<mfrac>"))
    #expect(html.contains("annotation encoding=\"application/x-tex\""))
  }

  @Test("values inside math are filled in, and unknown ones are errors at their column")
  func valuesInMath() {
    let lesson = "```network n\ninputs: [i1]\nlayers:\n  - neurons: [o1]\n    weights: [[0.5]]\n    biases: -1\nlearning-rate: 0.1\n```\n\n```data\ninputs: [[1]]\ntargets: [[1]]\n```\n\n```forward\n```\n\n"
    let html = report(lesson + "So $z = {{o1.z}}$ and $$a = {{o1.a:3}}$$\n")
    #expect(html.contains("<mo form=\"prefix\">−</mo><mn>0.5</mn>") || html.contains("<mn>−0.5</mn>") || html.contains("−</mo><mn>0.5</mn>"))
    #expect(html.contains("<mn>0.378</mn>"))
    #expect(!html.contains("lessonvalue"))
    let (parsed, _) = Lesson.parse(lesson + "See $x = {{o1.q}}$.\n", file: "t.md")
    let (_, diagnostics) = LessonRunner.run(parsed)
    #expect(diagnostics.map(\.description) == ["t.md:18:10: error: unknown value `o1.q`"])
  }

  @Test("a pipe table in prose becomes a table with column headers and alignment classes")
  func proseTable() {
    let html = report("| a | *b* | c |\n| :-: | --: | --- |\n| x < y | `c|d` | |\n")
    #expect(html.contains(#"""
      <div class="table-wrap"><table class="prose"><thead><tr><th scope="col" class="align-center">a</th><th scope="col" class="align-right"><em>b</em></th><th scope="col">c</th></tr>
      </thead>
      <tbody><tr><td class="align-center">x &lt; y</td><td class="align-right"><code>c|d</code></td><td></td></tr>
      </tbody>
      </table>
      </div>
      """#))
  }

  @Test("a network copied with from: is described, not drawn and tabulated again")
  func twinNetwork() {
    let base = "```network a\ninputs: [i1]\nlayers:\n  - neurons: [o1]\n    weights: [[0.5]]\nlearning-rate: 0.1\n```\n\n"
    let html = report(base + "```network b\nfrom: a\nlearning-rate: 0.2\n```\n\n```network c\nfrom: a\nlayers:\n  - neurons: [o1]\n    weights: [[0.7]]\n```\n")
    #expect(html.components(separatedBy: "<caption>Parameters of").count == 3, "a and c have tables, b does not")
    #expect(html.contains("Same layers, weights and biases as network a (line 1)"))
  }

  @Test("numbers: fixed decimals in tables, six significant digits when small, a true minus")
  func numbers() {
    let f = NumberFormat(decimals: 9)
    #expect(f.fixed(0.3775) == "0.377500000")
    #expect(f.short(0.3775) == "0.3775")
    #expect(f.fixed(-0.0000351019) == "−0.0000351019")
    #expect(f.short(0.0000350848) == "0.0000350848")
    #expect(f.fixed(3.5e-14) == "3.50000×10⁻¹⁴")
    #expect(f.fixed(.nan) == "NaN")
    #expect(NumberFormat.compact(-2.82115e-10) == "−2.82×10⁻¹⁰")
    #expect(NumberFormat.compact(5.000000005e-10) == "5×10⁻¹⁰")
    #expect(NumberFormat.compact(9.9996e-5) == "1×10⁻⁴")
    #expect(NumberFormat.compact(0.0125) == "0.0125")
    #expect(NumberFormat.compact(0.5) == "0.5")
  }

  @Test("the document is self-contained: no scripts, no external resources")
  func selfContained() {
    let html = report("# T\n\n![remote](https://example.org/a.png)\n")
    #expect(!html.contains("<script"))
    #expect(!html.contains("src=\"https"))
    #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
  }
}

@Suite("JSON values")
struct JSONValueTests {
  @Test("numbers round-trip, non-finite numbers become null, strings are escaped")
  func rendering() {
    let v = JSONValue.object([("a", .number(0.1)), ("b", .number(3)), ("c", .number(.infinity)), ("d", .string("q\"\n\u{1}"))])
    #expect(v.rendered() == "{\n  \"a\": 0.1,\n  \"b\": 3,\n  \"c\": null,\n  \"d\": \"q\\\"\\n\\u0001\"\n}")
  }
}
