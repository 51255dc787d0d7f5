/// A small SVG element tree. Text and attribute values are escaped only when rendered, so no
/// figure code ever writes markup by hand.
indirect enum SVGNode {
  /// An element with ordered attributes (order is kept so output is deterministic).
  case element(String, [(String, String)], [SVGNode])
  /// Character data, escaped when rendered.
  case text(String)

  /// An element without children.
  static func empty(_ name: String, _ attributes: [(String, String)]) -> SVGNode {
    .element(name, attributes, [])
  }

  /// The markup. Elements whose children are all elements put each child on its own line, which
  /// keeps diffs and test expectations readable; text elements stay on one line because
  /// whitespace inside `<text>` is rendered.
  var rendered: String {
    var out = ""
    render(into: &out)
    return out
  }

  func render(into out: inout String) {
    switch self {
    case .text(let text):
      out += SVG.escape(text)
    case .element(let name, let attributes, let children):
      out += "<" + name
      for (key, value) in attributes {
        out += " " + key + "=\"" + SVG.escape(value) + "\""
      }
      guard !children.isEmpty else {
        out += "/>"
        return
      }
      out += ">"
      let onLines = !["text", "tspan", "title", "desc"].contains(name)
        && children.allSatisfy { if case .element = $0 { true } else { false } }
      if onLines { out += "\n" }
      for child in children {
        child.render(into: &out)
        if onLines { out += "\n" }
      }
      out += "</" + name + ">"
    }
  }
}
