import Yams

/// Reads a YAML block body with every node's position mapped back to the lesson file,
/// collecting a diagnostic for each problem instead of stopping at the first.
struct YAMLBody {
  let file: String
  /// The lesson line of the body's first line, and the column its first character is in.
  let firstLine: Int
  let column: Int
  /// Where problems with no node of their own are reported (a key that is missing): the
  /// block's opening fence when known, else the body's first line.
  var block: SourceLocation?
  var diagnostics: [Diagnostic] = []
  /// Keys suggested for misspelt ones, so a missing `learning-rate` is not reported again
  /// after "unknown key `learning_rate`, did you mean `learning-rate`?".
  var suggested: Set<String> = []
  /// The length of each line of the body, to keep a position libyaml gives past its end inside it.
  var lineLengths: [Int] = []
  /// Notes for errors at an alias, pointing back at the anchor whose value it repeats.
  var aliasNotes: [SourceLocation: String] = [:]

  init(file: String, firstLine: Int, column: Int, block: SourceLocation? = nil) {
    self.file = file
    self.firstLine = firstLine
    self.column = column
    self.block = block
  }

  var start: SourceLocation { SourceLocation(file: file, line: firstLine, column: column) }

  func location(_ node: Node?) -> SourceLocation {
    guard let node else { return block ?? start }
    guard let mark = node.mark else { return start }
    return location(mark)
  }

  func location(_ mark: Mark) -> SourceLocation {
    // libyaml reports an unexpected end of the text one line past it: point at the end of the last line.
    if !lineLengths.isEmpty, mark.line > lineLengths.count {
      return SourceLocation(file: file, line: firstLine + lineLengths.count - 1, column: column + lineLengths[lineLengths.count - 1])
    }
    return SourceLocation(file: file, line: firstLine + mark.line - 1, column: column + mark.column - 1)
  }

  mutating func error(_ message: String, at node: Node?, notes: [String] = []) {
    let at = location(node)
    diagnostics.append(.error(message, at: at, notes: notes + (aliasNotes[at].map { [$0] } ?? [])))
  }

  /// Reports a required key that is missing, unless a misspelling of it was already reported.
  mutating func missing(_ key: String, _ message: String, notes: [String] = []) {
    guard !suggested.contains(key) else { return }
    error(message, at: nil, notes: notes)
  }

  /// Parses the text; an empty body is an empty mapping.
  mutating func parse(_ text: String) -> Node? {
    lineLengths = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.unicodeScalars.count }
    // A code block's text ends with a newline; the empty "line" after it is not in the file.
    if text.hasSuffix("\n") { lineLengths.removeLast() }
    if let deep = YAMLNesting.tooDeep(text) {  // before Yams, whose recursion it guards (YAMLNesting.swift)
      diagnostics.append(YAMLNesting.error(at: SourceLocation(file: file, line: firstLine + deep.line - 1, column: column + deep.column - 1)))
      return nil
    }
    do {
      let root = try Yams.compose(yaml: text) ?? Node.mapping(Node.Mapping([]))
      return text.contains("*") ? relocatingAliases(root, in: text) : root
    } catch let error as YamlError {
      switch error {
      case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _), .composer(let context, let problem, let mark, _):
        report(problem: problem, at: mark, context: context)
      case .duplicatedKeysInMapping(let duplicates, let context):
        if let found = Self.duplicateKeys(in: text), !found.isEmpty {
          for d in found {
            let first = location(d.first)
            diagnostics.append(.error("duplicate key `\(d.key)`: each key may appear once in a mapping", at: location(d.again),
              notes: ["`\(d.key)` is first given at line \(first.line), column \(first.column); remove one of them"]))
          }
        } else {
          diagnostics.append(.error("duplicate key \(duplicates.map { "`\($0)`" }.joined(separator: ", ")): each key may appear once", at: location(context.mark)))
        }
      default:
        diagnostics.append(.error("malformed YAML: \(error)", at: start))
      }
    } catch {
      diagnostics.append(.error("malformed YAML: \(error)", at: start))
    }
    return nil
  }

  /// Every repeated key with where it was first given. Yams reports only the first occurrence,
  /// so each reported occurrence is renamed in a copy of the text (same length, so every other
  /// position stays put) and the text composed again, until it composes; the remaining key of
  /// each name is then found beside its renamed twins. Nil when a key cannot be renamed in place
  /// (a quoted key, say), and the plain message is used.
  static func duplicateKeys(in text: String) -> [(key: String, first: Mark, again: Mark)]? {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.unicodeScalars) }
    var renamed: [(key: String, placeholder: String, mark: Mark)] = []
    while renamed.count < 50 {
      let current = lines.map { String(String.UnicodeScalarView($0)) }.joined(separator: "\n")
      do {
        guard let root = try Yams.compose(yaml: current) else { return nil }
        return pairs(root, renamed)
      } catch YamlError.duplicatedKeysInMapping(let keys, let context) {
        let mark = context.mark
        guard let key = keys.first, mark.line >= 1, mark.line <= lines.count else { return nil }
        let scalars = Array(key.unicodeScalars)
        let start = mark.column - 1
        guard start >= 0, start + scalars.count <= lines[mark.line - 1].count,
          Array(lines[mark.line - 1][start..<start + scalars.count]) == scalars else { return nil }
        // Private-use characters: a plain scalar nobody writes, distinct for each renaming.
        let placeholder = String(repeating: "\u{E000}", count: max(scalars.count - 1, 0)) + String(UnicodeScalar(0xE100 + renamed.count)!)
        lines[mark.line - 1].replaceSubrange(start..<start + scalars.count, with: Array(placeholder.unicodeScalars).suffix(scalars.count))
        renamed.append((key, String(String.UnicodeScalarView(Array(placeholder.unicodeScalars).suffix(scalars.count))), mark))
      } catch {
        return nil
      }
    }
    return nil
  }

  /// For each renamed key, the next occurrence of its name in the same mapping.
  private static func pairs(_ root: Node, _ renamed: [(key: String, placeholder: String, mark: Mark)]) -> [(key: String, first: Mark, again: Mark)] {
    var out: [(key: String, first: Mark, again: Mark)] = []
    func walk(_ node: Node) {
      switch node {
      case .mapping(let mapping):
        for r in renamed where mapping.keys.contains(where: { $0.string == r.placeholder }) {
          // Occurrences of this key in this mapping: renamed ones and the one left, in order.
          var marks = renamed.filter { r2 in r2.key == r.key && mapping.keys.contains { $0.string == r2.placeholder } }.map(\.mark)
          if let left = mapping.keys.first(where: { $0.string == r.key })?.mark { marks.append(left) }
          marks.sort { ($0.line, $0.column) < ($1.line, $1.column) }
          if let first = marks.first, (first.line, first.column) == (r.mark.line, r.mark.column), marks.count > 1 {
            for again in marks.dropFirst() { out.append((r.key, marks[0], again)) }
          }
        }
        for (k, v) in mapping { walk(k); walk(v) }
      case .sequence(let sequence): sequence.forEach(walk)
      case .scalar, .alias: break
      }
    }
    walk(root)
    return out.sorted { ($0.again.line, $0.again.column) < ($1.again.line, $1.again.column) }
  }

  /// Yams gives an alias (`*w`) the anchored node itself, marked where the anchor is; an error
  /// in it belongs at the alias, where that value is used. So the text is composed again with
  /// each alias replaced by a plain placeholder of its length, and the two trees are walked
  /// together: wherever the copy has a placeholder, the real node is re-marked at the alias.
  mutating func relocatingAliases(_ root: Node, in text: String) -> Node {
    var scalars = Array(text.unicodeScalars)
    var i = 0, found = false
    while i < scalars.count {
      let before = i == 0 ? " " : scalars[i - 1]
      if scalars[i] == "*", [" ", "\t", "\n", "[", "{", ","].contains(before) {
        var j = i + 1
        while j < scalars.count, !" \t\n,[]{}".unicodeScalars.contains(scalars[j]) { j += 1 }
        if j > i + 1 {
          for k in i..<j { scalars[k] = "\u{E002}" }
          found = true
        }
        i = j
      } else {
        i += 1
      }
    }
    guard found, let copy = try? Yams.compose(yaml: String(String.UnicodeScalarView(scalars))) else { return root }
    func walk(_ real: Node, _ copy: Node) -> Node {
      switch (real, copy) {
      case (_, .scalar(let s)) where !s.string.isEmpty && s.string.unicodeScalars.allSatisfy({ $0 == "\u{E002}" }):
        if let mark = s.mark {
          let anchor = real.mark.map(location)
          aliasNotes[location(mark)] = anchor.map { "this value is the anchor's at line \($0.line), column \($0.column), used here through an alias" }
        }
        return LessonParser.relocated(real, to: s.mark)
      case (.mapping(let a), .mapping(let b)) where a.count == b.count:
        let pairs = zip(Array(a), Array(b)).map { (walk($0.0.key, $0.1.key), walk($0.0.value, $0.1.value)) }
        return .mapping(Node.Mapping(pairs, a.tag, a.style, a.mark))
      case (.sequence(let a), .sequence(let b)) where a.count == b.count:
        return .sequence(Node.Sequence(zip(Array(a), Array(b)).map { walk($0.0, $0.1) }, a.tag, a.style, a.mark))
      default:
        return real
      }
    }
    return walk(root, copy)
  }

  /// libyaml's problem in words an author can act on, at the place the fix belongs.
  private mutating func report(problem: String, at mark: Mark, context: YamlError.Context?) {
    func place(_ mark: Mark) -> String { "line \(location(mark).line), column \(location(mark).column)" }
    switch (problem, context?.text) {
    case ("did not find expected ',' or ']'", "while parsing a flow sequence"?):
      diagnostics.append(.error("malformed YAML: expected `,` or `]` here: the `[` at \(place(context!.mark)) is never closed", at: location(mark)))
    case ("did not find expected ',' or '}'", "while parsing a flow mapping"?):
      diagnostics.append(.error("malformed YAML: expected `,` or `}` here: the `{` at \(place(context!.mark)) is never closed", at: location(mark)))
    case (_, "while scanning a quoted scalar"?):
      diagnostics.append(.error("malformed YAML: this quote is never closed", at: location(context!.mark)))
    case ("did not find expected key", _):
      diagnostics.append(.error("malformed YAML: expected a `key: value` line here; check the indentation", at: location(mark),
        notes: context.map { ["the mapping this line should belong to starts at \(place($0.mark))"] } ?? []))
    case ("did not find expected '-' indicator", _):
      diagnostics.append(.error("malformed YAML: expected a list entry `- …` at this indentation; check the indentation", at: location(mark),
        notes: context.map { ["the list starts at \(place($0.mark))"] } ?? []))
    case ("mapping values are not allowed in this context", _):
      diagnostics.append(.error("malformed YAML: a `:` is not allowed here", at: location(mark),
        notes: ["check the indentation, or put quotes around a value that contains `: `"]))
    case ("found character that cannot start any token", _):
      diagnostics.append(.error("malformed YAML: a value cannot start with this character", at: location(mark),
        notes: ["indent with spaces, not tabs; put quotes around a value that starts with `@`, `` ` `` or `%`"]))
    default:
      diagnostics.append(.error("malformed YAML: \(problem)", at: location(mark),
        notes: context.map { ["\($0.text) that starts at \(place($0.mark))"] } ?? []))
    }
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
      } else if let suggestion = closestMatch(to: name, in: allowed.filter { !mapping.keys.compactMap(\.string).contains($0) }) {
        suggested.insert(suggestion)
        error("unknown key `\(name)` in \(what)", at: key, notes: ["did you mean `\(suggestion)`?"])
      } else {
        error("unknown key `\(name)` in \(what)", at: key, notes: ["known keys: \(allowed.joined(separator: ", "))"])
      }
    }
    return out
  }

  /// The key node of `key` in a mapping, to point at it.
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

  /// YAML's spellings of the values that are not finite numbers.
  static let nonFinite: Set<String> = [".nan", ".inf", "-.inf", "+.inf", "nan", "inf", "-inf", "+inf", "infinity", "-infinity"]

  /// A finite number. `what` names the setting (`learning-rate must be a number`); with
  /// `in: list` the number is one entry of that list (`` `x` in weights is not a number ``).
  mutating func number(_ node: Node, _ what: String, in list: String? = nil) -> Double? {
    guard case .scalar(let scalar) = node else {
      error(list.map { "every entry of \($0) must be a number" } ?? "\(what) must be a number", at: node)
      return nil
    }
    let text = scalar.string.replacingOccurrences(of: "_", with: "")
    let value = Double(text)
    if value?.isFinite == false || Self.nonFinite.contains(text.lowercased()) {
      error(list.map { "`\(scalar.string)` in \($0) is not a finite number" } ?? "\(what) must be a finite number, not `\(scalar.string)`", at: node,
        notes: ["lesson values must be ordinary numbers: no NaN, no infinities, nothing beyond ±1.8e308"])
      return nil
    }
    guard let value else {
      error(list.map { "`\(scalar.string)` in \($0) is not a number" } ?? "\(what) must be a number, not `\(scalar.string)`", at: node)
      return nil
    }
    return value
  }

  mutating func integer(_ node: Node, _ what: String, range: ClosedRange<Int>) -> Int? {
    guard case .scalar(let scalar) = node, let value = Int(scalar.string.replacingOccurrences(of: "_", with: "")) else {
      let shown = node.scalar.map { ", not `\($0.string)`" } ?? ""
      error("\(what) must be a whole number\(shown)", at: node)
      return nil
    }
    guard range.contains(value) else {
      if range.upperBound >= 100_000_000 {
        error("\(what) must be at least \(range.lowerBound), not \(value)", at: node)
      } else {
        error("\(what) must be between \(range.lowerBound) and \(range.upperBound), not \(value)", at: node)
      }
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

  mutating func list(_ node: Node, _ what: String, example: String = "[a, b]") -> [Node]? {
    guard case .sequence(let sequence) = node else {
      error("\(what) must be a list, e.g. `\(example)`", at: node)
      return nil
    }
    return Array(sequence)
  }

  mutating func strings(_ node: Node, _ what: String, example: String = "[a, b]") -> [String]? {
    guard let items = list(node, what, example: example) else { return nil }
    let out = items.compactMap { string($0, "each entry of \(what)") }
    return out.count == items.count ? out : nil
  }

  /// A list of numbers; every bad entry is reported.
  mutating func numbers(_ node: Node, _ what: String) -> [Double]? {
    guard let items = list(node, what, example: "[0.1, 0.2]") else { return nil }
    let out = items.compactMap { number($0, what, in: what) }
    return out.count == items.count ? out : nil
  }

  /// A list of rows of numbers, all of one length (`width` when given, else the first row's);
  /// every bad row and entry is reported.
  mutating func rows(_ node: Node, _ what: String, width: Int? = nil, widthReason: String = "") -> [[Double]]? {
    guard let items = list(node, what, example: "[[0.1, 0.2], [0.3, 0.4]]") else { return nil }
    var out: [[Double]] = []
    var ok = true
    for item in items {
      guard case .sequence = item else {
        error("each row of \(what) must be a list of numbers, e.g. `[0.1, 0.2]`", at: item)
        ok = false
        continue
      }
      guard let row = numbers(item, what) else { ok = false; continue }
      if let width, row.count != width {
        error("each row of \(what) needs \(width) \(width == 1 ? "number" : "numbers")\(widthReason); this one has \(row.count)", at: item)
        ok = false
      } else if width == nil, let first = out.first, first.count != row.count {
        error("each row of \(what) needs \(first.count) \(first.count == 1 ? "number" : "numbers") like the first; this one has \(row.count)", at: item)
        ok = false
      }
      out.append(row)
    }
    return ok ? out : nil
  }
}
