/// Values written inside math, as in `$E = {{E}}$`: the pre-pass leaves a marker in the TeX that
/// names the value and where it was written, and the report puts the number in its place.
public enum MathValue {
  public struct Reference: Sendable, Hashable {
    public var name: String
    public var decimals: Int?
    public var location: SourceLocation
  }

  static let prefix = "\\lessonvalue{"

  static func marker(name: String, decimals: Int?, at location: SourceLocation) -> String {
    "\(prefix)\(location.line):\(location.column):\(decimals ?? -1):\(name)}"
  }

  /// The references in a piece of TeX, in order.
  public static func references(in tex: String, file: String) -> [Reference] {
    var out: [Reference] = []
    _ = substitute(in: tex, file: file) { out.append($0); return "" }
    return out
  }

  /// The TeX with each marker replaced by `value(reference)`.
  public static func substitute(in tex: String, file: String, _ value: (Reference) -> String) -> String {
    guard tex.contains(prefix) else { return tex }
    var out = ""
    var rest = Substring(tex)
    while let start = rest.range(of: prefix), let close = rest[start.upperBound...].firstIndex(of: "}") {
      out += rest[..<start.lowerBound]
      let fields = rest[start.upperBound..<close].split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
      if fields.count == 4, let line = Int(fields[0]), let column = Int(fields[1]), let decimals = Int(fields[2]) {
        out += value(Reference(name: String(fields[3]), decimals: decimals < 0 ? nil : decimals,
          location: SourceLocation(file: file, line: line, column: column)))
      }
      rest = rest[rest.index(after: close)...]
    }
    return out + rest
  }
}
