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
    formatted(line: source.flatMap { Self.line(location.line, of: $0) })
  }

  /// The same, given the text of the diagnostic's line: a printer with many diagnostics for one
  /// file splits it into lines once (finding each line anew made 50,000 errors quadratic).
  public func formatted(line text: String?) -> String {
    var out = description
    if let text {
      let prefix = String(text.unicodeScalars.prefix(max(location.column - 1, 0)).map { $0 == "\t" ? "\t" : " " })
      out += "\n" + text + "\n" + prefix + "^"
    }
    for note in notes { out += "\n  note: " + note }
    return out
  }

  static func line(_ number: Int, of source: String) -> String? {
    var current = 1
    for line in Lesson.normalizingLineEndings(source).split(separator: "\n", omittingEmptySubsequences: false) {
      if current == number { return String(line) }
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

extension Array where Element == Diagnostic {
  /// In reading order (by location, then message), each distinct diagnostic once, so one
  /// mistake seen from two places is reported once and the order never depends on hashing.
  public var inReadingOrder: [Diagnostic] {
    var seen = Set<Diagnostic>()
    return sorted { ($0.location, $0.message) < ($1.location, $1.message) }.filter { seen.insert($0).inserted }
  }
}

/// A number as an author would write it: `0`, `1`, `-0.5`, `1e-08`, not `0.0` or `1.0`.
func plainNumber(_ value: Double) -> String {
  if value.rounded() == value, abs(value) < 1e15 { return String(Int(value)) }
  return "\(value)"
}

/// Suggests the closest candidate to a misspelt name, if one is close enough to be likely.
///
/// Closeness is the optimal-string-alignment distance: insertions, deletions, substitutions
/// and swaps of two neighbouring letters (`titel` → `title`) each count 1.
func closestMatch(to word: String, in candidates: [String]) -> String? {
  func distance(_ a: [Character], _ b: [Character]) -> Int {
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var d = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { d[i][0] = i }
    for j in 0...b.count { d[0][j] = j }
    for i in 1...a.count {
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        d[i][j] = Swift.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
        if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = Swift.min(d[i][j], d[i - 2][j - 2] + 1) }
      }
    }
    return d[a.count][b.count]
  }
  // Very long words (fuzzed input, pasted text) are never typos of a key.
  guard word.count <= 64 else { return nil }
  let w = Array(word.lowercased())
  let scored = candidates.map { ($0, distance(w, Array($0.lowercased()))) }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }
  guard let best = scored.first, best.1 <= max(1, w.count / 3) else { return nil }
  return best.0
}
