import Yams

/// Reads a YAML block body with every node's position mapped back to the lesson file,
/// collecting a diagnostic for each problem instead of stopping at the first.
struct YAMLBody {
  let file: String
  /// The lesson line of the body's first line, and the column its first character is in.
  let firstLine: Int
  let column: Int
  var diagnostics: [Diagnostic] = []

  init(file: String, firstLine: Int, column: Int) {
    self.file = file
    self.firstLine = firstLine
    self.column = column
  }

  var start: SourceLocation { SourceLocation(file: file, line: firstLine, column: column) }

  func location(_ node: Node?) -> SourceLocation {
    guard let mark = node?.mark else { return start }
    return location(mark)
  }

  func location(_ mark: Mark) -> SourceLocation {
    SourceLocation(file: file, line: firstLine + mark.line - 1, column: column + mark.column - 1)
  }

  mutating func error(_ message: String, at node: Node?, notes: [String] = []) {
    diagnostics.append(.error(message, at: location(node), notes: notes))
  }

  /// Parses the text; an empty body is an empty mapping.
  mutating func parse(_ text: String) -> Node? {
    do {
      return try Yams.compose(yaml: text) ?? Node.mapping(Node.Mapping([]))
    } catch let error as YamlError {
      switch error {
      case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
        diagnostics.append(.error("malformed YAML: \(problem)", at: location(mark)))
      case .duplicatedKeysInMapping(let duplicates, let context):
        diagnostics.append(.error("duplicate key \(duplicates.map { "`\($0)`" }.joined(separator: ", "))", at: location(context.mark)))
      default:
        diagnostics.append(.error("malformed YAML: \(error)", at: start))
      }
    } catch {
      diagnostics.append(.error("malformed YAML: \(error)", at: start))
    }
    return nil
  }

  /// The entries of a mapping, after reporting keys that are not in `allowed` (with a suggestion).
  mutating func fields(_ node: Node, allowed: [String], what: String) -> [String: Node] {
    guard case .mapping(let mapping) = node else {
      error("\(what) must be a mapping of `key: value` lines", at: node)
      return [:]
    }
    var out: [String: Node] = [:]
    for (key, value) in mapping {
      guard let name = key.string else {
        error("keys in \(what) must be plain words", at: key)
        continue
      }
      if allowed.contains(name) {
        out[name] = value
      } else {
        let suggestion = closestMatch(to: name, in: allowed).map { "did you mean `\($0)`?" }
        error("unknown key `\(name)` in \(what)", at: key,
          notes: [suggestion ?? "known keys: \(allowed.joined(separator: ", "))"])
      }
    }
    return out
  }

  /// Keys whose node is a mapping, checked, with a location for keys the caller requires.
  func keyLocation(_ node: Node, _ key: String) -> Node? {
    guard case .mapping(let mapping) = node else { return nil }
    return mapping.first { $0.key.string == key }?.key
  }

  mutating func string(_ node: Node, _ what: String) -> String? {
    guard case .scalar(let scalar) = node, !scalar.string.isEmpty else {
      error("\(what) must be a word", at: node)
      return nil
    }
    return scalar.string
  }

  mutating func number(_ node: Node, _ what: String) -> Double? {
    guard case .scalar(let scalar) = node else {
      error("\(what) must be a number", at: node)
      return nil
    }
    let text = scalar.string.replacingOccurrences(of: "_", with: "")
    guard let value = Double(text) else {
      error("\(what) must be a number, not `\(scalar.string)`", at: node)
      return nil
    }
    guard value.isFinite else {
      error("\(what) must be a finite number, not `\(scalar.string)`", at: node)
      return nil
    }
    return value
  }

  mutating func integer(_ node: Node, _ what: String, range: ClosedRange<Int>) -> Int? {
    guard case .scalar(let scalar) = node, let value = Int(scalar.string.replacingOccurrences(of: "_", with: "")) else {
      error("\(what) must be a whole number", at: node)
      return nil
    }
    guard range.contains(value) else {
      error("\(what) must be between \(range.lowerBound) and \(range.upperBound), not \(value)", at: node)
      return nil
    }
    return value
  }

  mutating func bool(_ node: Node, _ what: String) -> Bool? {
    guard case .scalar(let scalar) = node, let value = ["true": true, "false": false, "yes": true, "no": false][scalar.string.lowercased()] else {
      error("\(what) must be true or false", at: node)
      return nil
    }
    return value
  }

  mutating func list(_ node: Node, _ what: String) -> [Node]? {
    guard case .sequence(let sequence) = node else {
      error("\(what) must be a list, e.g. `[a, b]`", at: node)
      return nil
    }
    return Array(sequence)
  }

  mutating func strings(_ node: Node, _ what: String) -> [String]? {
    guard let items = list(node, what) else { return nil }
    let out = items.compactMap { string($0, "each entry of \(what)") }
    return out.count == items.count ? out : nil
  }

  mutating func numbers(_ node: Node, _ what: String) -> [Double]? {
    guard let items = list(node, what) else { return nil }
    let out = items.compactMap { number($0, "each entry of \(what)") }
    return out.count == items.count ? out : nil
  }

  /// A list of rows of numbers, all of one length.
  mutating func rows(_ node: Node, _ what: String) -> [[Double]]? {
    guard let items = list(node, what) else { return nil }
    var out: [[Double]] = []
    for item in items {
      guard let row = numbers(item, "each row of \(what)") else { return nil }
      if let first = out.first, first.count != row.count {
        error("each row of \(what) needs \(first.count) numbers like the first; this one has \(row.count)", at: item)
        return nil
      }
      out.append(row)
    }
    return out
  }
}
