/// Lifts what cmark must not see out of the source before it parses: the front matter, TeX
/// (which Markdown emphasis would mangle: `$a^*=b^*$`) and `{{value}}` references.
///
/// Each lifted span becomes an inert placeholder on the same line, so cmark's line numbers
/// stay the file's line numbers.
struct Prepass {
  enum Span: Sendable, Hashable {
    case math(tex: String, display: Bool)
    case value(name: String, decimals: Int?)
    /// A pipe table, its cells still Markdown with their own placeholders in them.
    case table(PipeTable)
  }

  struct Lifted: Sendable, Hashable {
    var span: Span
    var source: String
    var location: SourceLocation
  }

  var text: String
  var frontMatter: (yaml: String, firstLine: Int)?
  var lifted: [Lifted]
  var diagnostics: [Diagnostic]
  /// The 1-based line of a code fence still open at the end of the file. cmark runs such a
  /// block to the end, so the parser reports it there rather than blaming the prose it swallowed.
  var unclosedFence: Int?

  static let open: Character = "\u{E000}"
  static let close: Character = "\u{E001}"

  static func placeholder(_ index: Int) -> String { "\(open)\(index)\(close)" }

  /// A table's placeholder: a one-line HTML block (`<pre>` ends on the line that has `</pre>`),
  /// which cmark lets interrupt a paragraph and ends before the next line, whatever is around it.
  static func tablePlaceholder(_ index: Int) -> String { "<pre>\(placeholder(index))</pre>" }

  /// The lifted index in a table placeholder, given the HTML block cmark read it as.
  static func tableIndex(_ html: String) -> Int? {
    let text = html.trimmingSpaces
    let prefix = "<pre>\(open)", suffix = "\(close)</pre>"
    guard text.hasPrefix(prefix), text.hasSuffix(suffix), text.count > prefix.count + suffix.count else { return nil }
    return Int(text.dropFirst(prefix.count).dropLast(suffix.count))
  }

  init(_ source: String, file: String) {
    var lines = source.split(separator: "\n", omittingEmptySubsequences: false).map { line -> [Character] in
      Array(line.hasSuffix("\r") ? line.dropLast() : line)
    }
    lifted = []
    diagnostics = []
    unclosedFence = nil
    frontMatter = nil
    text = ""

    // Front matter: `---` on the first line up to the next `---` or `...`.
    if let first = lines.first, String(first).trimmingTrailingSpaces == "---" {
      if let end = lines.indices.dropFirst().first(where: { ["---", "..."].contains(String(lines[$0]).trimmingTrailingSpaces) }) {
        frontMatter = (lines[1..<end].map { String($0) }.joined(separator: "\n"), 2)
        for i in 0...end { lines[i] = [] }
      } else {
        diagnostics.append(.error("front matter opened with `---` is never closed", at: SourceLocation(file: file, line: 1, column: 1),
          notes: ["end it with a line holding only `---`"]))
      }
    }

    var fence: (character: Character, length: Int)?
    var chunk: [(line: Int, chars: [Character])] = []
    func flush(_ pass: inout Prepass) {
      guard !chunk.isEmpty else { return }
      pass.liftSpans(in: &chunk, file: file)
      pass.liftTables(in: &chunk, file: file)
      for (line, chars) in chunk { lines[line] = chars }
      chunk = []
    }
    for index in lines.indices {
      let line = lines[index]
      let (indent, marker, run) = Self.fenceMarker(line)
      if let open = fence {
        if let marker, marker == open.character, run >= open.length, indent < 4,
           line.dropFirst(indent + run).allSatisfy({ $0 == " " || $0 == "\t" }) {
          fence = nil
          unclosedFence = nil
        }
        continue
      }
      if let marker, indent < 4 {
        flush(&self)
        fence = (marker, run)
        unclosedFence = index + 1
        continue
      }
      if line.allSatisfy({ $0 == " " || $0 == "\t" }) {
        flush(&self)
      } else {
        chunk.append((index, line))
      }
    }
    flush(&self)
    text = lines.map { String($0) }.joined(separator: "\n")
  }

  /// The indentation, fence character and run length if the line opens or closes a code fence.
  static func fenceMarker(_ line: [Character]) -> (Int, Character?, Int) {
    var i = 0
    while i < line.count, line[i] == " " { i += 1 }
    guard i < line.count, line[i] == "`" || line[i] == "~" else { return (i, nil, 0) }
    let c = line[i]
    var j = i
    while j < line.count, line[j] == c { j += 1 }
    guard j - i >= 3 else { return (i, nil, 0) }
    if c == "`", line[j...].contains("`") { return (i, nil, 0) }
    return (i, c, j - i)
  }

  /// Replaces math and value references in one paragraph-like run of lines.
  private mutating func liftSpans(in chunk: inout [(line: Int, chars: [Character])], file: String) {
    // Flatten with a position per character so spans may cross lines (`$$` display math does).
    var chars: [Character] = []
    var positions: [(line: Int, column: Int)] = []
    for (n, entry) in chunk.enumerated() {
      if n > 0 {
        chars.append("\n")
        positions.append((entry.line + 1, 0))
      }
      for (c, ch) in entry.chars.enumerated() {
        chars.append(ch)
        positions.append((entry.line + 1, c + 1))
      }
    }
    var out: [Character] = []
    var i = 0
    func location(_ at: Int) -> SourceLocation { SourceLocation(file: file, line: positions[at].line, column: positions[at].column) }
    func emit(_ span: Span, from start: Int, to end: Int) {
      lifted.append(Lifted(span: span, source: String(chars[start..<end]), location: location(start)))
      out += Array(Self.placeholder(lifted.count - 1))
      // Keep the line count: a span across lines leaves its newlines behind.
      out += Array(repeating: "\n", count: chars[start..<end].filter { $0 == "\n" }.count)
      i = end
    }
    while i < chars.count {
      let c = chars[i]
      if c == "\\", i + 1 < chars.count {
        out.append(c)
        out.append(chars[i + 1])
        i += 2
        continue
      }
      if c == "`" {
        var run = 0
        while i + run < chars.count, chars[i + run] == "`" { run += 1 }
        if let end = Self.closingBackticks(chars, from: i + run, length: run) {
          out += chars[i..<end]
          i = end
        } else {
          out += chars[i..<i + run]
          i += run
        }
        continue
      }
      if c == "$", i + 1 < chars.count, chars[i + 1] == "$" {
        if let end = Self.find(["$", "$"], in: chars, from: i + 2) {
          let tex = markValues(chars, (i + 2)..<end, location).trimmingSpaces
          if tex.isEmpty {
            diagnostics.append(.error("empty display math `$$$$`", at: location(i)))
          }
          emit(.math(tex: tex, display: true), from: i, to: end + 2)
        } else {
          diagnostics.append(.error("display math opened with `$$` is never closed", at: location(i),
            notes: ["close it with `$$` before the next blank line, or write `\\$` for a dollar sign"]))
          out += ["$", "$"]
          i += 2
        }
        continue
      }
      if c == "$", i + 1 < chars.count, !chars[i + 1].isWhitespace, i == 0 || !chars[i - 1].isNumber {
        if let end = Self.closingDollar(chars, from: i + 1) {
          emit(.math(tex: markValues(chars, (i + 1)..<end, location), display: false), from: i, to: end + 1)
          continue
        }
      }
      if c == "{", i + 1 < chars.count, chars[i + 1] == "{", let end = Self.find(["}", "}"], in: chars, from: i + 2) {
        let body = String(chars[(i + 2)..<end]).trimmingSpaces
        if let span = Self.valueReference(body) {
          emit(span, from: i, to: end + 2)
          continue
        }
        if let colon = body.lastIndex(of: ":"), let d = Int(String(body[body.index(after: colon)...]).trimmingSpaces), !(0...15).contains(d) {
          diagnostics.append(.error("`{{\(body)}}` asks for \(d) decimals; a value shows 0 to 15", at: location(i)))
        } else {
          diagnostics.append(.error("`{{\(body)}}` is not a value reference", at: location(i),
            notes: ["write a value's name, e.g. `{{h1.a}}`, or `{{h1.a:4}}` for 4 decimals"]))
        }
      }
      out.append(c)
      i += 1
    }
    // Split back into the chunk's lines.
    let split = out.split(separator: "\n", omittingEmptySubsequences: false)
    for n in chunk.indices { chunk[n].chars = n < split.count ? Array(split[n]) : [] }
  }

  /// Replaces each pipe table in a run of lines (math and values already lifted) with a
  /// placeholder on its first line and blank lines after it, so line numbers stay the file's.
  private mutating func liftTables(in chunk: inout [(line: Int, chars: [Character])], file: String) {
    let lines = chunk.map(\.chars)
    var n = 0
    while n < lines.count {
      guard let (table, count) = PipeTable.parse(lines, at: n) else {
        n += 1
        continue
      }
      let indent = lines[n].prefix { $0 == " " || $0 == "\t" }
      let location = SourceLocation(file: file, line: chunk[n].line + 1, column: indent.count + 1)
      lifted.append(Lifted(span: .table(table), source: lines[n..<n + count].map { String($0) }.joined(separator: "\n"), location: location))
      chunk[n].chars = Array(indent) + Array(Self.tablePlaceholder(lifted.count - 1))
      for k in n + 1..<n + count { chunk[k].chars = [] }
      n += count
    }
  }

  /// TeX with each `{{name}}` in it replaced by a marker the report fills in (see ``MathValue``).
  mutating func markValues(_ chars: [Character], _ range: Range<Int>, _ location: (Int) -> SourceLocation) -> String {
    var out = ""
    var i = range.lowerBound
    while i < range.upperBound {
      if chars[i] == "{", i + 1 < range.upperBound, chars[i + 1] == "{",
         let end = Self.find(["}", "}"], in: Array(chars[..<range.upperBound]), from: i + 2) {
        let body = String(chars[(i + 2)..<end]).trimmingSpaces
        if case .value(let name, let decimals)? = Self.valueReference(body) {
          out += MathValue.marker(name: name, decimals: decimals, at: location(i))
        } else {
          diagnostics.append(.error("`{{\(body)}}` is not a value reference", at: location(i),
            notes: ["write a value's name, e.g. `{{h1.a}}`, or `{{h1.a:4}}` for 4 decimals"]))
        }
        i = end + 2
        continue
      }
      out.append(chars[i])
      i += 1
    }
    return out
  }

  static func valueReference(_ body: String) -> Span? {
    var name = body
    var decimals: Int?
    if let colon = body.lastIndex(of: ":") {
      guard let d = Int(String(body[body.index(after: colon)...]).trimmingSpaces), (0...15).contains(d) else { return nil }
      decimals = d
      name = String(body[..<colon]).trimmingSpaces
    }
    guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "._[]-/',".contains($0) }) else { return nil }
    // Commas only separate a tensor index's parts: `c1.z[1,2,3]`.
    var depth = 0
    for c in name {
      if c == "[" { depth += 1 } else if c == "]" { depth -= 1 } else if c == ",", depth != 1 { return nil }
    }
    return .value(name: name, decimals: decimals)
  }

  static func find(_ pattern: [Character], in chars: [Character], from start: Int) -> Int? {
    var i = start
    while i + pattern.count <= chars.count {
      if chars[i] == "\\" { i += 2; continue }
      // Display math may not cross a blank line; the chunk has none, so no check is needed.
      if Array(chars[i..<i + pattern.count]) == pattern { return i }
      i += 1
    }
    return nil
  }

  /// The closing `$` of inline math: not after a space, not before a digit, not escaped.
  static func closingDollar(_ chars: [Character], from start: Int) -> Int? {
    var i = start
    while i < chars.count {
      if chars[i] == "\\" { i += 2; continue }
      if chars[i] == "\n", i + 1 < chars.count, chars[i + 1] == "\n" { return nil }
      if chars[i] == "$" {
        if !chars[i - 1].isWhitespace, i + 1 >= chars.count || !chars[i + 1].isNumber { return i }
        return nil
      }
      i += 1
    }
    return nil
  }

  static func closingBackticks(_ chars: [Character], from start: Int, length: Int) -> Int? {
    var i = start
    while i < chars.count {
      if chars[i] == "`" {
        var run = 0
        while i + run < chars.count, chars[i + run] == "`" { run += 1 }
        if run == length { return i + run }
        i += run
      } else {
        i += 1
      }
    }
    return nil
  }
}

extension String {
  // Index walks, not reversed copies: checks call these for every line.
  var trimmingSpaces: String {
    guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
    return String(self[first...last])
  }
  var trimmingTrailingSpaces: String {
    guard let last = lastIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
    return String(self[...last])
  }
}
