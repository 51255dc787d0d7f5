/// A JSON document built in code, written with keys in the order given so output is byte-stable.
public indirect enum JSONValue: Sendable, Hashable {
  case null
  case bool(Bool)
  case number(Double)
  case string(String)
  case array([JSONValue])
  case object([(String, JSONValue)])

  public static func == (l: JSONValue, r: JSONValue) -> Bool { l.rendered() == r.rendered() }
  public func hash(into hasher: inout Hasher) { hasher.combine(rendered()) }

  static func numbers(_ values: [Double]) -> JSONValue { .array(values.map(JSONValue.number)) }
  static func rows(_ rows: [[Double]]) -> JSONValue { .array(rows.map(numbers)) }
  static func strings(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }

  /// Pretty-printed with two-space indentation; numbers in shortest round-trip form, non-finite as null.
  public func rendered() -> String {
    var out = ""
    write(into: &out, indent: 0)
    return out
  }

  private func write(into out: inout String, indent: Int) {
    switch self {
    case .null: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .number(let d): out += Self.format(d)
    case .string(let s): Self.escape(s, into: &out)
    case .array(let items):
      // Arrays of plain numbers stay on one line: matrices read as rows.
      if items.allSatisfy({ if case .number = $0 { true } else if case .null = $0 { true } else { false } }) {
        out += "[" + items.map { $0.rendered() }.joined(separator: ", ") + "]"
        return
      }
      if items.isEmpty { out += "[]"; return }
      out += "[\n"
      for (n, item) in items.enumerated() {
        out += String(repeating: "  ", count: indent + 1)
        item.write(into: &out, indent: indent + 1)
        out += n == items.count - 1 ? "\n" : ",\n"
      }
      out += String(repeating: "  ", count: indent) + "]"
    case .object(let pairs):
      if pairs.isEmpty { out += "{}"; return }
      out += "{\n"
      for (n, (key, value)) in pairs.enumerated() {
        out += String(repeating: "  ", count: indent + 1)
        Self.escape(key, into: &out)
        out += ": "
        value.write(into: &out, indent: indent + 1)
        out += n == pairs.count - 1 ? "\n" : ",\n"
      }
      out += String(repeating: "  ", count: indent) + "}"
    }
  }

  static func format(_ d: Double) -> String {
    guard d.isFinite else { return "null" }
    if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
    return "\(d)"
  }

  static func escape(_ s: String, into out: inout String) {
    out += "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20:
        let hex = String(scalar.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(scalar)
      }
    }
    out += "\""
  }
}
