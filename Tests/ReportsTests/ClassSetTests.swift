import Foundation
import Lessons
import TestSupport
import Testing

@testable import Reports

/// Every worksheet of the shipped course, as `lesson build --variants 1-30 --handout` writes
/// them: each shows what the student is given and gives no answer away.
@Suite("Class sets of the shipped course")
struct ClassSetTests {
  /// (lesson file, variant): 30 variants of each lesson that draws numbers, one run of the others.
  static func sheets() -> [(String, Int?)] {
    Repository.lessonNames().flatMap { name -> [(String, Int?)] in
      let source = (try? String(contentsOf: Repository.lessons.appendingPathComponent(name), encoding: .utf8)) ?? ""
      return source.contains("~U(") ? (1...30).map { (name, $0) } : [(name, nil)]
    }
  }

  @Test("the course has lessons, and some of them draw variants")
  func courseIsThere() {
    let sheets = Self.sheets()
    #expect(sheets.count >= 10 + 29)
    #expect(sheets.contains { $0.1 == 30 })
  }

  @Test("every worksheet shows every given value and leaks no answer", arguments: sheets())
  func worksheet(_ name: String, _ variant: Int?) throws {
    let source = try String(contentsOf: Repository.lessons.appendingPathComponent(name), encoding: .utf8)
    let outcome = LessonRunner.run(source: source, file: "lessons/\(name)", variant: variant, loader: Repository.loader(for: Repository.lessons))
    let run = try #require(outcome.run)
    let (blanks, problems) = run.blanks()
    #expect(problems.isEmpty)
    let salt = "\(name)|\(variant.map(String.init) ?? "-")"
    let (handout, leaks) = HTMLReport.worksheet(run, Worksheet(kind: .handout, blanks: blanks, salt: salt))
    #expect(leaks.isEmpty, "\(leaks.map(\.message))")
    let report = HTMLReport.render(run)

    // Given values: the network and data blocks read exactly as in the report.
    for kind in ["network", "data"] {
      #expect(Self.sections(kind, of: handout) == Self.sections(kind, of: report), "a \(kind) block differs from the report's")
    }

    // Answers, checked on the page's text independently of how the renderer hides them: no
    // number the page prints is an answer, or a factor a student could invert to get one,
    // unless the lesson gives that same number.
    let format = NumberFormat(decimals: run.lesson.settings.decimals)
    let givenTexts = Set(Self.givenValues(run).flatMap { [format.fixed($0), format.short($0)] })
    let printed = Self.numbers(in: handout)
    // A number shown with d digits equals one of N candidates by chance about N·10⁻ᵈ of the
    // time: the rounded forms are checked only where that is small (all but the spiral's
    // thousands of blanks); the exact forms, 17 digits, always.
    let digitsNeeded = Int(Foundation.log10(Double(max(blanks.count * printed.count, 1)))) + 2
    for blank in blanks where !blank.quantity.isGiven {
      let v = blank.value
      for (how, x) in [("itself", v), ("x(1 − x)", v * (1 - v)), ("1 − x²", 1 - v * v)] where HTMLReport.isDistinctive(x) {
        let exact = NumberFormat.exact(x).replacingOccurrences(of: "-", with: "−")
        let rounded = [format.fixed(x), format.short(x)].filter { $0.filter(\.isNumber).drop { $0 == "0" }.count >= digitsNeeded }
        for text in [exact] + rounded where text.filter(\.isNumber).count >= 5 && !givenTexts.contains(text) {
          let shown = printed.contains(text)
          #expect(!shown, "\(name) variant \(variant ?? 0): the worksheet prints \(text), \(how) for `\(blank.name)`")
        }
      }
    }
  }

  /// The `<section class="block KIND">` elements of a page, in order.
  static func sections(_ kind: String, of html: String) -> [Substring] {
    var out: [Substring] = []
    var rest = html[...]
    while let start = rest.range(of: "<section class=\"block \(kind)\">"), let end = rest[start.upperBound...].range(of: "</section>") {
      out.append(rest[start.lowerBound..<end.upperBound])
      rest = rest[end.upperBound...]
    }
    return out
  }

  /// Everything the lesson gives: inputs, targets, declared weights and biases, and the
  /// parameters each pass starts from (after a training, the trained ones).
  static func givenValues(_ run: ExecutedLesson) -> [Double] {
    var out = run.passes.flatMap { pass -> [Double] in
      if let d = pass.dense { return d.network.layers.flatMap { $0.weights.values + $0.biases } + d.data.inputs.values + d.data.targets.values }
      let l = pass.layered!
      return l.network.layers.flatMap { $0.parameters.joined() } + l.inputs.joined() + l.targets.joined()
    }
    for item in run.items {
      switch item {
      case .network(let d): out += d.network.layers.flatMap { $0.weights.values + $0.biases }
      case .data(let d): out += d.dataset.inputs.values + d.dataset.targets.values
      default: break
      }
    }
    return out
  }

  /// Each run of digits, points and minus signs in the page (text, attributes and MathML alike).
  static func numbers(in html: String) -> Set<String> {
    var out: Set<String> = []
    var current = ""
    for c in html + " " {
      if c.isASCII && c.isNumber || c == "." || c == "−" { current.append(c); continue }
      if !current.isEmpty {
        out.insert(current)
        if current.first == "−" { out.insert(String(current.dropFirst())) }
      }
      current = ""
    }
    return out
  }
}
