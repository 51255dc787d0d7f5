/// A problem found in a lesson, kept as a value so every problem in a file is reported at once.
public struct Diagnostic: Sendable, Hashable, Error, CustomStringConvertible {
  public enum Severity: String, Sendable, Hashable { case error, warning, note }

  public var severity: Severity
  public var message: String
  public var location: SourceLocation
  /// Further lines shown after the caret, such as "did you mean …".
  public var notes: [String]

  public init(_ severity: Severity = .error, _ message: String, at location: SourceLocation, notes: [String] = []) {
    self.severity = severity
    self.message = message
    self.location = location
    self.notes = notes
  }

  public static func error(_ message: String, at location: SourceLocation, notes: [String] = []) -> Diagnostic {
    Diagnostic(.error, message, at: location, notes: notes)
  }

  public var description: String { "\(location): \(severity.rawValue): \(message)" }

  /// The diagnostic as a compiler prints it: the location line, the source line and a caret.
  public func formatted(source: String?) -> String {
    var out = description
    if let source, let text = Self.line(location.line, of: source) {
      let prefix = String(text.unicodeScalars.prefix(max(location.column - 1, 0)).map { $0 == "\t" ? "\t" : " " })
      out += "\n" + text + "\n" + prefix + "^"
    }
    for note in notes { out += "\n  note: " + note }
    return out
  }

  static func line(_ number: Int, of source: String) -> String? {
    var current = 1
    for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
      if current == number { return String(line.hasSuffix("\r") ? line.dropLast() : line) }
      current += 1
    }
    return nil
  }
}

/// The diagnostics a step collected; errors stop a lesson from running, warnings do not.
public struct Diagnostics: Sendable, Error {
  public var items: [Diagnostic]
  public init(_ items: [Diagnostic]) { self.items = items.sorted { $0.location < $1.location } }
  public var hasErrors: Bool { items.contains { $0.severity == .error } }
}

/// Suggests the closest candidate to a misspelt name, if one is close enough to be likely.
func closestMatch(to word: String, in candidates: [String]) -> String? {
  func distance(_ a: [Character], _ b: [Character]) -> Int {
    var previous = Array(0...b.count)
    for (i, ca) in a.enumerated() {
      var current = [i + 1]
      for (j, cb) in b.enumerated() {
        current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1)))
      }
      previous = current
    }
    return previous[b.count]
  }
  let w = Array(word.lowercased())
  let scored = candidates.map { ($0, distance(w, Array($0.lowercased()))) }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }
  guard let best = scored.first, best.1 <= max(1, w.count / 3) else { return nil }
  return best.0
}
