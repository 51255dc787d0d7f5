/// Lays out a `MathNode` tree as MathML Core elements. Spacing decisions that depend on neighbours
/// (a sign versus a binary minus, the thin space around `\log`) are made per row, as TeX does.
struct MathMLEmitter {
  /// One element for a node, wrapped in `<mrow>` when it produced several (or none).
  func single(_ node: MathNode) -> MathMLElement {
    wrap(row([node]))
  }

  func wrap(_ elements: [MathMLElement]) -> MathMLElement {
    elements.count == 1 ? elements[0] : MathMLElement("mrow", [:], elements)
  }

  /// The children for an element that already lays them out as a row, so `{…}` adds no second mrow.
  private func contents(_ node: MathNode) -> [MathMLElement] {
    if case .group(let items) = node { return row(items) }
    return row([node])
  }

  func row(_ nodes: [MathNode]) -> [MathMLElement] {
    var output: [MathMLElement] = []
    for (index, node) in nodes.enumerated() {
      let previous = nodes[..<index].reversed().lazy.compactMap(Self.trailingClass).first
      let next = nodes[(index + 1)...].lazy.compactMap(Self.leadingClass).first
      if case .op(let text, .bin) = node {
        let isSign = previous.map { [.bin, .rel, .open, .punct, .op].contains($0) } ?? true
        output.append(isSign ? op(text, .bin).setting("form", "prefix") : op(text, .bin))
      } else if Self.isFunction(node) {
        // An <mi> gets ordinary spacing, but TeX puts a thin space between a function name and its operand.
        if let previous, [.ord, .close, .inner].contains(previous) { output.append(Self.thinSpace) }
        output += emit(node)
        output.append(MathMLElement("mo", text: "\u{2061}"))
        if let next, [.ord, .op, .inner, .bin].contains(next) { output.append(Self.thinSpace) }
      } else {
        output += emit(node)
      }
    }
    return output
  }

  private static let thinSpace = MathMLElement("mspace", ["width": "0.1667em"])

  private func emit(_ node: MathNode) -> [MathMLElement] {
    switch node {
    case .identifier(let text, let upright):
      let normal = upright && text.count == 1 && text.unicodeScalars.first!.value < 0x10000
      return [MathMLElement("mi", normal ? ["mathvariant": "normal"] : [:], text: text)]
    case .number(let digits):
      return [MathMLElement("mn", text: digits)]
    case .op(let text, let mathClass):
      return [op(text, mathClass)]
    case .text(let text):
      return [MathMLElement("mtext", text: Self.keepingEdgeSpaces(text))]
    case .space(let width):
      if width.hasPrefix("-") { return [MathMLElement("mspace", ["style": "margin-left:\(width)"])] }
      return [MathMLElement("mspace", ["width": width])]
    case .group(let items):
      return [wrap(row(items))]
    case .fencePair(let items):
      return [MathMLElement("mrow", [:], row(items))]
    case .row(let items):
      return row(items)
    case .fraction(let numerator, let denominator, let style):
      let fraction = MathMLElement("mfrac", [:], [single(numerator), single(denominator)])
      switch style {
      case .automatic: return [fraction]
      case .display: return [MathMLElement("mstyle", ["displaystyle": "true", "scriptlevel": "0"], [fraction])]
      case .text: return [MathMLElement("mstyle", ["displaystyle": "false", "scriptlevel": "0"], [fraction])]
      }
    case .binomial(let top, let bottom):
      let stack = MathMLElement("mfrac", ["linethickness": "0"], [single(top), single(bottom)])
      return [MathMLElement("mrow", [:], [MathMLElement("mo", text: "("), stack, MathMLElement("mo", text: ")")])]
    case .root(let radicand, nil):
      return [MathMLElement("msqrt", [:], contents(radicand))]
    case .root(let radicand, let index?):
      return [MathMLElement("mroot", [:], [single(radicand), single(index)])]
    case .scripts(let base, let sub, let sup, let limits):
      return [scripts(base, sub, sup, limits)]
    case .primed(let base, let count):
      let mark = ["′", "″", "‴", "⁗"][min(count, 4) - 1]
      return row([base]) + [MathMLElement("mo", text: mark)]
    case .fenced(let open, let close, let parts, let middles):
      var children = fence(open, form: "prefix")
      for (index, part) in parts.enumerated() {
        if index > 0 { children += fence(middles[index - 1], form: "infix") }
        children += row([part])
      }
      return [MathMLElement("mrow", [:], children + fence(close, form: "postfix"))]
    case .sizedDelimiter(let text, let size, let mathClass):
      let form = mathClass == .open ? "prefix" : mathClass == .close ? "postfix" : "infix"
      return [
        MathMLElement(
          "mo", ["form": form, "stretchy": "true", "symmetric": "true", "minsize": size, "maxsize": size], text: text)
      ]
    case .accent(let base, let mark, let stretchy, let under):
      var accent = MathMLElement("mo", ["stretchy": stretchy ? "true" : "false"], text: mark)
      // A full-size arrow towers over its letter; TeX's \vec arrow is small.
      if !stretchy, mark == "→" { accent = accent.setting("mathsize", "70%") }
      return under
        ? [MathMLElement("munder", ["accentunder": "true"], [single(base), accent])]
        : [MathMLElement("mover", ["accent": "true"], [single(base), accent])]
    case .line(let base, let over):
      let style =
        over ? "border-top:0.06em solid;padding-top:0.08em" : "border-bottom:0.06em solid;padding-bottom:0.08em"
      return [MathMLElement("mrow", ["style": style], contents(base))]
    case .brace(let base, let over):
      let brace = MathMLElement("mo", ["stretchy": "true"], text: over ? "⏞" : "⏟")
      return [MathMLElement(over ? "mover" : "munder", [:], [single(base), brace])]
    case .largeOp(let text, _):
      return [MathMLElement("mo", text: text)]
    case .function(let name, _):
      return [MathMLElement("mi", name.count == 1 ? ["mathvariant": "normal"] : [:], text: name)]
    case .table(let rows, let environment):
      return table(rows, environment)
    case .color(let color, let body):
      return [MathMLElement("mrow", ["mathcolor": color], contents(body))]
    case .style(let display, let body):
      return [
        MathMLElement("mstyle", ["displaystyle": display ? "true" : "false", "scriptlevel": "0"], contents(body))
      ]
    case .boxed(let body):
      // menclose is not in MathML Core, so the box is a CSS border.
      let style = "border:0.06em solid currentColor;padding:0.2em 0.3em"
      return [MathMLElement("mrow", ["class": "boxed", "style": style], contents(body))]
    case .error(let source):
      return [MathMLElement("merror", [:], [MathMLElement("mtext", text: source)])]
    }
  }

  /// An operator with TeX's spacing where the MathML operator dictionary disagrees: ordinary symbols
  /// get none, dots get a thin space, and plain fences never stretch (only `\left`/`\right` do).
  private func op(_ text: String, _ mathClass: MathClass) -> MathMLElement {
    let element = MathMLElement("mo", text: text)
    if text == "|" || text == "‖" {
      return element.setting("stretchy", "false").setting("lspace", "0").setting("rspace", "0")
    }
    switch mathClass {
    case .open, .close: return element.setting("stretchy", "false")
    case .ord:
      let fixed = text == "/" ? element.setting("stretchy", "false") : element
      return fixed.setting("lspace", "0").setting("rspace", "0")
    case .inner: return element.setting("lspace", "0.1667em").setting("rspace", "0.1667em")
    case .op, .bin, .rel, .punct: return element
    }
  }

  private func fence(_ text: String, form: String) -> [MathMLElement] {
    guard !text.isEmpty else { return [] }
    return [MathMLElement("mo", ["fence": "true", "form": form, "stretchy": "true"], text: text)]
  }

  /// Scripts go above and below for `\sum` and `\max` (the browser moves them aside outside display
  /// style, through `movablelimits`), for a brace's label and after `\limits`; otherwise to the side.
  private func scripts(_ base: MathNode, _ sub: MathNode?, _ sup: MathNode?, _ limits: Bool?) -> MathMLElement {
    let stacked: Bool
    var baseElement = single(base)
    switch base {
    case .largeOp(_, let defaultLimits):
      stacked = limits ?? defaultLimits
      if limits == true { baseElement = baseElement.setting("movablelimits", "false") }
    case .function(let name, let defaultLimits):
      stacked = limits ?? defaultLimits
      if stacked {
        baseElement = MathMLElement("mo", ["movablelimits": "true", "lspace": "0", "rspace": "0"], text: name)
      }
    case .brace: stacked = true
    default: stacked = limits ?? false
    }
    let names = stacked ? ("munder", "mover", "munderover") : ("msub", "msup", "msubsup")
    switch (sub, sup) {
    case (let sub?, let sup?): return MathMLElement(names.2, [:], [baseElement, single(sub), single(sup)])
    case (let sub?, nil): return MathMLElement(names.0, [:], [baseElement, single(sub)])
    case (nil, let sup?): return MathMLElement(names.1, [:], [baseElement, single(sup)])
    case (nil, nil): return baseElement
    }
  }

  /// Matrices and friends. MathML Core has no `columnalign`, so alignment and the tight `&=` columns of
  /// `aligned` are CSS on each cell.
  private func table(_ rows: [[MathNode]], _ environment: MathEnvironment) -> [MathMLElement] {
    let displayStyle = environment == .aligned
    let tableRows = rows.map { cells in
      MathMLElement(
        "mtr", [:],
        cells.enumerated().map { column, cell in
          var nodes = [cell]
          // `&=` in aligned: an empty group before the relation keeps its space, as TeX's {} does.
          if environment == .aligned, column % 2 == 1, let first = Self.leadingClass(cell),
            first == .rel || first == .bin
          {
            nodes.insert(.group([]), at: 0)
          }
          let content = row(nodes)
          guard let style = cellStyle(environment, column: column) else { return MathMLElement("mtd", [:], content) }
          return MathMLElement("mtd", ["style": style], content)
        })
    }
    let mtable = MathMLElement("mtable", displayStyle ? ["displaystyle": "true"] : [:], tableRows)
    let (open, close): (String, String)
    switch environment {
    case .matrix(let left, let right): (open, close) = (left, right)
    case .cases: (open, close) = ("{", "")
    case .aligned, .array: return [mtable]
    }
    return [MathMLElement("mrow", [:], fence(open, form: "prefix") + [mtable] + fence(close, form: "postfix"))]
  }

  private func cellStyle(_ environment: MathEnvironment, column: Int) -> String? {
    switch environment {
    case .matrix: return nil
    case .cases: return column == 0 ? "text-align:left;padding-left:0" : "text-align:left;padding-left:1em"
    case .aligned: return column % 2 == 0 ? "text-align:right;padding-right:0" : "text-align:left;padding-left:0"
    case .array(let alignments):
      switch column < alignments.count ? alignments[column] : .center {
      case .left: return "text-align:left"
      case .center: return nil
      case .right: return "text-align:right"
      }
    }
  }

  // MARK: - Atom classes

  private static func isFunction(_ node: MathNode) -> Bool {
    switch node {
    case .function: true
    case .scripts(let base, _, _, _), .primed(let base, _): isFunction(base)
    default: false
    }
  }

  /// The class a node presents to the atom before it; nil for spaces, which TeX's spacing ignores.
  private static func leadingClass(_ node: MathNode) -> MathClass? {
    switch node {
    case .op(_, let mathClass), .sizedDelimiter(_, _, let mathClass): mathClass
    case .largeOp, .function: .op
    case .scripts(let base, _, _, _), .primed(let base, _): leadingClass(base) ?? .ord
    case .fencePair: .open
    case .fenced: .inner
    case .row(let items): items.lazy.compactMap(leadingClass).first
    case .color(_, let body), .style(_, let body): leadingClass(body)
    case .space: nil
    default: .ord
    }
  }

  /// The class a node presents to the atom after it.
  private static func trailingClass(_ node: MathNode) -> MathClass? {
    switch node {
    case .op(_, let mathClass), .sizedDelimiter(_, _, let mathClass): mathClass
    case .largeOp, .function: .op
    case .scripts(let base, _, _, _): trailingClass(base) ?? .ord
    case .primed: .ord
    case .fencePair: .close
    case .fenced: .inner
    case .row(let items): items.reversed().lazy.compactMap(trailingClass).first
    case .color(_, let body), .style(_, let body): trailingClass(body)
    case .space: nil
    default: .ord
    }
  }

  /// Browsers trim spaces at the ends of `<mtext>`; TeX keeps them, so `\text{ if }` uses no-break spaces.
  private static func keepingEdgeSpaces(_ text: String) -> String {
    var result = text
    if result.first == " " { result = "\u{A0}" + result.dropFirst() }
    if result.count > 1, result.last == " " { result = result.dropLast() + "\u{A0}" }
    return result
  }
}
