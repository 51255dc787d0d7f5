import Lessons
import Typesetting

extension ReportContext {
  func block(_ block: Block, values: [SourceLocation: Double]) -> HTML {
    switch block {
    case .paragraph(let inlines): return .el("p", [], self.inlines(inlines, values: values))
    case .heading(let level, let inlines): return .el("h\(min(level, 6))", [], self.inlines(inlines, values: values))
    case .blockQuote(let blocks): return .el("blockquote", [], blocks.map { self.block($0, values: values) })
    case .list(let ordered, let start, let tight, let items):
      let attributes: [(String, String)] = ordered && start != 1 ? [("start", "\(start)")] : []
      return .el(ordered ? "ol" : "ul", attributes, items.map { blocks in
        // A tight list's paragraphs render without <p>, as CommonMark specifies.
        .el("li", [], blocks.map { b in
          if tight, case .paragraph(let inlines) = b { return .fragment(self.inlines(inlines, values: values)) }
          return self.block(b, values: values)
        })
      })
    case .code(let info, let text):
      let language = info.split(separator: " ").first.map(String.init)
      return .el("pre", [], [.el("code", language.map { [("class", "language-\($0)")] } ?? [], text)])
    case .html:
      // Raw HTML is not passed through: a lesson may come from anyone.
      return .fragment([])
    case .thematicBreak: return .el("hr")
    case .displayMath(let tex):
      return .el("div", [("class", "math-display")], [.trusted(MathML.render(filled(tex, values: values), display: true))])
    case .table(let alignments, let header, let rows):
      return proseTable(alignments: alignments, header: header, rows: rows, values: values)
    }
  }

  /// A lesson's pipe table: column headers with `scope="col"`, alignment as a class the stylesheet reads.
  func proseTable(alignments: [TableAlignment], header: [[Inline]], rows: [[[Inline]]], values: [SourceLocation: Double]) -> HTML {
    func cell(_ name: String, _ column: Int, _ content: [Inline]) -> HTML {
      var attributes: [(String, String)] = name == "th" ? [("scope", "col")] : []
      switch alignments[column] {
      case .none: break
      case .left: attributes.append(("class", "align-left"))
      case .center: attributes.append(("class", "align-center"))
      case .right: attributes.append(("class", "align-right"))
      }
      return .el(name, attributes, inlines(content, values: values))
    }
    var parts = [HTML.el("thead", [], [.el("tr", [], header.enumerated().map { cell("th", $0, $1) })])]
    if !rows.isEmpty {
      parts.append(.el("tbody", [], rows.map { row in .el("tr", [], row.enumerated().map { cell("td", $0, $1) }) }))
    }
    return .el("div", [("class", "table-wrap")], [.el("table", [("class", "prose")], parts)])
  }

  func inlines(_ inlines: [Inline], values: [SourceLocation: Double]) -> [HTML] {
    inlines.map { inline in
      switch inline {
      case .text(let s): return .text(s)
      case .softBreak: return .text("\n")
      case .lineBreak: return .el("br")
      case .code(let s): return .el("code", [], s)
      case .emphasis(let c): return .el("em", [], self.inlines(c, values: values))
      case .strong(let c): return .el("strong", [], self.inlines(c, values: values))
      case .link(let destination, let title, let c):
        guard Self.isSafe(destination) else { return .fragment(self.inlines(c, values: values)) }
        var attributes = [("href", destination)]
        if !title.isEmpty { attributes.append(("title", title)) }
        return .el("a", attributes, self.inlines(c, values: values))
      case .image(let source, let title, let alt):
        // Only images inside the report itself keep it self-contained; others become their alt text.
        let text = alt.map(\.plainText).joined()
        guard source.hasPrefix("data:image/"), !source.hasPrefix("data:image/svg") else {
          return .el("span", [("class", "image-alt")], "[image: \(text)]")
        }
        var attributes = [("src", source), ("alt", text)]
        if !title.isEmpty { attributes.append(("title", title)) }
        return .el("img", attributes)
      case .html: return .fragment([])
      case .math(let raw, let display):
        let tex = filled(raw, values: values)
        return display ? .el("span", [("class", "math-display")], [.trusted(MathML.render(tex, display: true))]) : .trusted(MathML.render(tex, display: false))
      case .value(let name, let decimals, let location):
        guard let v = values[location] else { return .el("span", [("class", "value missing")], name) }
        if let entry = format.blanks?.entry(named: name, v) {
          var f = format
          if let decimals { f.decimals = decimals }
          return blankInline(v, entry, f)
        }
        let q = proseQuantity(name, v)
        return inlineNumber(v, as: q, computed: q == nil, decimals: decimals)
      }
    }
  }

  /// TeX with the lesson's `{{name}}` values in it, formatted (or blanked) as everywhere else.
  func filled(_ tex: String, values: [SourceLocation: Double]) -> String {
    MathValue.substitute(in: tex, file: run.lesson.file) { reference in
      guard let v = values[reference.location] else { return "\\text{\(reference.name)}" }
      var f = format
      if let d = reference.decimals { f.decimals = d }
      let s = Symbols(notation: notation, format: f)
      let q = proseQuantity(reference.name, v)
      if let blanks = format.blanks, blanks.entry(named: reference.name, v) ?? (q == nil ? blanks.entry(computed: v) : nil) != nil {
        return format.blanks?.hides == true ? Symbols.blankBox : "\\boxed{\(Symbols(notation: notation, format: f.untracked).number(v))}"
      }
      return s.number(v, as: q)
    }
  }

  /// What a `{{name}}` in prose is, as far as the lesson's passes tell: given values are then
  /// known as given; the rest are noted for the leak check.
  func proseQuantity(_ name: String, _ x: Double) -> Quantity? {
    guard let blanks = format.blanks else { return nil }
    for pass in blanks.passes {
      guard case .success(let q) = pass.quantity(named: name) else { continue }
      if pass.value(q) == x || q.isGiven { return q }
      // Before the update, a parameter's plain name shows its given value.
      switch q {
      case .newWeight(let l, let j, let i) where pass.value(.weight(l: l, j: j, i: i)) == x: return .weight(l: l, j: j, i: i)
      case .newBias(let l, let j) where pass.value(.bias(l: l, j: j)) == x: return .bias(l: l, j: j)
      case .newParameter(let l, let p, let i) where pass.value(.parameter(l: l, p: p, index: i)) == x: return .parameter(l: l, p: p, index: i)
      default: continue
      }
    }
    return nil
  }

  /// Links may go to web pages, mail, or anchors in the report; never to `javascript:` or other schemes.
  static func isSafe(_ destination: String) -> Bool {
    let lower = destination.lowercased().filter { !$0.isWhitespace && !$0.isNewline }
    if let colon = lower.firstIndex(of: ":"), !lower[..<colon].contains("/"), !lower[..<colon].contains("#") {
      let scheme = lower[..<colon]
      return ["http", "https", "mailto"].contains(String(scheme))
    }
    return true
  }
}
