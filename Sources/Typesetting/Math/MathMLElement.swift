/// A MathML element tree. Text and attribute values are escaped only in `render`, so no caller can forget.
struct MathMLElement: Equatable, Sendable {
  enum Child: Equatable, Sendable {
    case element(MathMLElement)
    case text(String)
  }

  var name: String
  var attributes: [Attribute]
  var children: [Child]

  struct Attribute: Equatable, Sendable {
    var name: String
    var value: String
  }

  init(_ name: String, _ attributes: KeyValuePairs<String, String> = [:], _ children: [MathMLElement] = []) {
    self.name = name
    self.attributes = attributes.map { Attribute(name: $0.key, value: $0.value) }
    self.children = children.map(Child.element)
  }

  init(_ name: String, _ attributes: KeyValuePairs<String, String> = [:], text: String) {
    self.init(name, attributes)
    children = [.text(text)]
  }

  func setting(_ name: String, _ value: String) -> MathMLElement {
    var copy = self
    copy.attributes.append(Attribute(name: name, value: value))
    return copy
  }

  var rendered: String {
    var output = ""
    render(into: &output)
    return output
  }

  func render(into output: inout String) {
    output += "<" + name
    for attribute in attributes {
      output += " \(attribute.name)=\""
      Self.escape(attribute.value, into: &output)
      output += "\""
    }
    output += ">"
    for child in children {
      switch child {
      case .element(let element): element.render(into: &output)
      case .text(let text): Self.escape(text, into: &output)
      }
    }
    output += "</\(name)>"
  }

  /// Escapes markup characters; writes invisible operators and no-break spaces as references so the
  /// source stays readable; replaces characters XML forbids even as references.
  static func escape(_ text: String, into output: inout String) {
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": output += "&amp;"
      case "<": output += "&lt;"
      case ">": output += "&gt;"
      case "\"": output += "&quot;"
      case "\u{A0}", "\u{2061}"..."\u{2064}", "\u{200B}":
        output += "&#x" + String(scalar.value, radix: 16, uppercase: true) + ";"
      case "\t", "\n", "\r": output.unicodeScalars.append(scalar)
      case "\u{0}"..."\u{1F}", "\u{FFFE}", "\u{FFFF}": output += "\u{FFFD}"
      default: output.unicodeScalars.append(scalar)
      }
    }
  }
}
