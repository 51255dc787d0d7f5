import Backprop
import Lessons
import Typesetting

/// The HTML report: one self-contained file with the lesson's prose and, after each directive,
/// its values and the working that produced them. No scripts, nothing fetched.
public enum HTMLReport {
  public static func render(_ run: ExecutedLesson) -> String {
    render(run, context: ReportContext(run: run))
  }

  /// The report with a given context; worksheets and keys (HTMLReport+Handout.swift) add to its head and header.
  static func render(_ run: ExecutedLesson, context start: ReportContext, head: [HTML] = [], banner: [HTML] = [], titleSuffix: String = "") -> String {
    var context = start
    var body: [HTML] = []
    var headings: [(level: Int, id: String, text: String)] = []
    for item in run.items {
      context.format.blanks?.line = Self.line(of: item)
      switch item {
      case .prose(let node, let values):
        if case .heading(let level, let inlines) = node.block {
          let id = context.anchor(for: inlines.map(\.plainText).joined())
          headings.append((level, id, inlines.map(\.plainText).joined()))
          body.append(.el("h\(min(level, 6))", [("id", id)], context.inlines(inlines, values: values)))
        } else {
          body.append(context.block(node.block, values: values))
        }
      case .network(let declaration): body.append(context.network(declaration))
      case .data(let data): body.append(context.data(data))
      case .directive(let result): body.append(context.directive(result))
      case .checks(let results, _): body.append(context.checks(results))
      case .graph(let g): body.append(context.graph(g))
      case .layeredNetwork(let d): body.append(context.layeredNetwork(d))
      case .layered(let r): body.append(context.layeredDirective(r))
      }
      body += context.warnings(after: item)
    }
    if let stop = run.stoppedEarly {
      body.append(.el("div", [("class", "stopped"), ("role", "alert")], [
        .el("strong", [], "The run stopped here. "),
        .text("\(stop.location): \(stop.message). " + stop.notes.joined(separator: " ")),
      ]))
    }

    let title = (run.lesson.settings.title ?? headings.first?.text ?? run.lesson.file) + titleSuffix
    // The first heading is the page title when it repeats the lesson's title; the contents list the rest.
    let contents = headings.filter { $0.level >= 2 && $0.level <= 3 }
    var page: [HTML] = []
    let firstIsTitle = headings.first.map { $0.level == 1 } ?? false
    let summary = context.summary()
    if contents.count >= 2 {
      page.append(.el("nav", [("class", "toc"), ("aria-label", "Contents")], [
        .el("h2", [], "Contents"),
        .el("ol", [], contents.map { h in .el("li", [("class", "toc-\(h.level)")], [.el("a", [("href", "#\(h.id)")], h.text)]) }),
      ]))
    }
    return HTML.page(title: title, css: Stylesheet.css + SVG.stylesheet, head: head, generator: true, main: [
      // The title first, then how the checks went, then the contents.
      firstIsTitle ? body.first! : .el("h1", [], title),
      .el("header", [], [summary] + banner),
      .fragment(page),
      .fragment(firstIsTitle ? Array(body.dropFirst()) : body),
    ])
  }
}

extension HTMLReport {
  static func line(of item: ExecutedItem) -> Int {
    switch item {
    case .prose(let node, _): node.location.line
    case .network(let d): d.location.line
    case .data(let d): d.location.line
    case .directive(let r): r.location.line
    case .checks(_, let location): location.line
    case .graph(let g): g.location.line
    case .layeredNetwork(let d): d.location.line
    case .layered(let r): r.location.line
    }
  }
}

extension ReportContext {
  /// The run's warnings about the block just rendered (a rate of 0, saturated neurons), as a
  /// visible note under it. Left out of worksheets, whose values they might give away.
  /// A diagnostic's text with its `backticked` names set as code, as the terminal shows them quoted.
  static func codeSpans(_ text: String) -> [HTML] {
    text.split(separator: "`", omittingEmptySubsequences: false).enumerated().map { i, part in
      i % 2 == 1 ? .el("code", [], String(part)) : .text(String(part))
    }
  }

  func warnings(after item: ExecutedItem) -> [HTML] {
    guard case .directive(let result) = item, format.blanks?.hides != true else { return [] }
    return run.warnings.filter { $0.location == result.location }.map { w in
      .el("div", [("class", "warning"), ("role", "note")], [
        .el("strong", [], "Warning: "),
        .fragment(Self.codeSpans("\(w.message). " + w.notes.map { $0.prefix(1).uppercased() + $0.dropFirst() + "." }.joined(separator: " "))),
      ])
    }
  }
}

/// Per-report state: the number format, the notation and the anchors already used.
struct ReportContext {
  let run: ExecutedLesson
  var format: NumberFormat
  let notation: Notation
  var usedAnchors: [String: Int] = [:]
  var figureCount = 0

  init(run: ExecutedLesson) {
    self.run = run
    format = NumberFormat(decimals: run.lesson.settings.decimals)
    notation = run.lesson.settings.notation
  }

  mutating func anchor(for text: String) -> String {
    var slug = String(text.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
    while slug.contains("--") { slug = slug.replacingOccurrences(of: "--", with: "-") }
    slug = String(slug.drop { $0 == "-" }.reversed().drop { $0 == "-" }.reversed())
    if slug.isEmpty { slug = "section" }
    let n = usedAnchors[slug, default: 0]
    usedAnchors[slug] = n + 1
    return n == 0 ? slug : "\(slug)-\(n + 1)"
  }

  mutating func nextFigureID(_ prefix: String) -> String {
    figureCount += 1
    return "\(prefix)\(figureCount)"
  }

  /// A number in a table cell: fixed decimals, the exact value on hover. `q` says which value
  /// of a pass it is, so a worksheet can leave it blank; numbers without one are always shown.
  /// `computed` marks a number computed from the lesson's parameters that no quantity names.
  func cell(_ x: Double, as q: Quantity? = nil, from sources: [(Quantity, Double)] = [], computed: Bool = false, _ extraClass: String? = nil) -> HTML {
    if let entry = blank(x, q, from: sources, computed: computed) { return blankCell(x, entry, extraClass) }
    return .el("td", [("class", "num" + (extraClass.map { " " + $0 } ?? "")), ("title", NumberFormat.exact(x))], format.untracked.fixed(x))
  }

  /// A number inside a sentence.
  func inlineNumber(_ x: Double, as q: Quantity? = nil, computed: Bool = false, decimals: Int? = nil) -> HTML {
    var f = format
    if let decimals { f.decimals = decimals }
    if let entry = blank(x, q, computed: computed) { return blankInline(x, entry, f) }
    return .el("span", [("class", "value"), ("title", NumberFormat.exact(x))], f.untracked.short(x))
  }

  func summary() -> HTML {
    let checks = run.checks
    guard !checks.isEmpty, format.blanks?.hides != true else { return .fragment([]) }
    let failed = checks.filter { !$0.passed }.count
    let text = failed == 0 ? "All \(checks.count) checks pass." : "\(failed) of \(checks.count) checks fail."
    return .el("p", [("class", failed == 0 ? "summary pass" : "summary fail")], text)
  }

  func summaryCaption(_ s: String) -> HTML { .el("caption", [], s) }
}
