import Lessons

/// A small HTML tree. Text and attribute values are escaped only when rendered, in one place;
/// `trusted` is for markup this program generated itself (MathML, SVG), never for lesson text.
public indirect enum HTML: Sendable {
  case element(String, [(String, String)], [HTML])
  case text(String)
  case trusted(String)
  case fragment([HTML])

  static let voidElements: Set<String> = ["br", "hr", "img", "meta", "input", "link", "col", "wbr"]

  public static func el(_ name: String, _ attributes: [(String, String)] = [], _ children: [HTML] = []) -> HTML {
    .element(name, attributes, children)
  }

  public static func el(_ name: String, _ attributes: [(String, String)] = [], _ text: String) -> HTML {
    .element(name, attributes, [.text(text)])
  }

  /// A whole page: doctype, the head every page of ours shares (with `css` inline) and `main`.
  /// The title also goes into the printed footer (the stylesheet's `@page` rule adds page numbers).
  static func page(title: String, css: String, head: [HTML] = [], generator: Bool = false, main: [HTML]) -> String {
    let document = HTML.fragment([
      .trusted("<!DOCTYPE html>\n"),
      .el("html", [("lang", "en")], [
        .el("head", [], [
          .el("meta", [("charset", "utf-8")]),
          .el("meta", [("name", "viewport"), ("content", "width=device-width, initial-scale=1")]),
          .fragment(generator ? [.el("meta", [("name", "generator"), ("content", "lesson (format \(Lesson.formatVersion))")])] : []),
          .el("title", [], title),
          .el("style", [], [.trusted(css)]),
          .el("style", [], [.trusted(footerCSS(title))]),
          .fragment(head),
        ]),
        .el("body", [], [.el("main", [], main)]),
      ]),
    ])
    return document.rendered() + "\n"
  }

  /// The `@page` rule that prints `title` at the foot of every page.
  static func footerCSS(_ title: String) -> String {
    "@page{@bottom-left{content:\(cssString(title))}}"
  }

  /// `s` as a quoted CSS string that is also safe inside a `<style>` element: everything but
  /// letters, digits, spaces and harmless punctuation becomes a six-digit hex escape, so no quote,
  /// backslash, newline or `</style>` can end the string or the element.
  static func cssString(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
      let safe = scalar.properties.isAlphabetic || scalar.properties.numericType != nil
        || " .,:;!?()-+=/#%*_'".unicodeScalars.contains(scalar) || "\u{2013}\u{2014}\u{00B7}".unicodeScalars.contains(scalar)
      if safe, scalar.value >= 0x20, scalar.value != 0x7F {
        out.unicodeScalars.append(scalar)
      } else {
        let hex = String(scalar.value, radix: 16)
        out += "\\" + String(repeating: "0", count: 6 - hex.count) + hex
      }
    }
    return out + "\""
  }

  public func rendered() -> String {
    var out = ""
    render(into: &out)
    return out
  }

  /// Walks the tree with an explicit stack, so no depth of nesting can overflow the call stack.
  func render(into out: inout String) {
    enum Work {
      case node(HTML)
      case close(String)
    }
    var stack: [Work] = [.node(self)]
    while let work = stack.popLast() {
      switch work {
      case .close(let name):
        out += "</" + name + ">"
        // Line breaks after block-level elements keep the file readable and diffable.
        if Self.blockElements.contains(name) { out += "\n" }
      case .node(.text(let s)): Self.escape(s, into: &out, attribute: false)
      case .node(.trusted(let s)): out += s
      case .node(.fragment(let children)): stack += children.reversed().map(Work.node)
      case .node(.element(let name, let attributes, let children)):
        out += "<" + name
        for (key, value) in attributes {
          out += " " + key + "=\""
          Self.escape(value, into: &out, attribute: true)
          out += "\""
        }
        out += ">"
        if Self.voidElements.contains(name) { continue }
        stack.append(.close(name))
        stack += children.reversed().map(Work.node)
      }
    }
  }

  static let blockElements: Set<String> = [
    "p", "div", "section", "table", "tr", "h1", "h2", "h3", "h4", "li", "ul", "ol", "figure", "thead", "tbody", "details", "nav",
    "header", "pre", "blockquote",
  ]

  public static func escape(_ s: String, into out: inout String, attribute: Bool) {
    // Most text needs no escaping: append it whole rather than a scalar at a time.
    if !s.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || (attribute && ($0 == 0x22 || $0 == 0x27)) }) {
      out += s
      return
    }
    for scalar in s.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"" where attribute: out += "&quot;"
      case "'" where attribute: out += "&#39;"
      default: out.unicodeScalars.append(scalar)
      }
    }
  }

  public static func escaped(_ s: String) -> String {
    var out = ""
    escape(s, into: &out, attribute: true)
    return out
  }
}
