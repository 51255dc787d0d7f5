import Backprop
import Yams

extension Lesson {
  /// Parses a lesson; the diagnostics hold every problem found, and the lesson should not run
  /// when any of them is an error.
  /// CR LF and a lone CR become LF, as cmark reads them, so every part counts lines alike.
  public static func normalizingLineEndings(_ source: String) -> String {
    guard source.contains("\r") else { return source }
    return source.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
  }

  public static func parse(_ source: String, file: String) -> (Lesson, [Diagnostic]) {
    var parser = LessonParser(file: file)
    let lesson = parser.parse(Lesson.normalizingLineEndings(source))
    return (lesson, parser.diagnostics.inReadingOrder)
  }
}

struct LessonParser {
  let file: String
  var diagnostics: [Diagnostic] = []
  /// Network bodies seen so far, for `from:`.
  var networkBodies: [String: Node] = [:]
  /// Where each network was declared and whether its declaration parsed without errors.
  var networkDeclarations: [String: (location: SourceLocation, valid: Bool)] = [:]
  var lifted: [Prepass.Lifted] = []
  /// The lesson's format version (front matter `format:`), which fixes defaults that changed.
  var format = 1

  init(file: String) { self.file = file }

  mutating func parse(_ source: String) -> Lesson {
    let pre = Prepass(source, file: file)
    diagnostics += pre.diagnostics
    lifted = pre.lifted
    var settings = LessonSettings()
    if let front = pre.frontMatter { settings = parseSettings(front.yaml, firstLine: front.firstLine) }

    var items: [LessonItem] = []
    for node in CommonMark.parse(pre.text, file: file, problems: &diagnostics) {
      if case .code(let info, let text) = node.block, node.location.line == pre.unclosedFence {
        items.append(unclosed(info: info, text: text, node: node))
        continue
      }
      if case .code(let info, let text) = node.block, let block = lessonBlock(info: info, text: text, at: node.location) {
        items.append(.block(block))
      } else {
        items.append(.prose(MarkdownNode(block: resolve(node.block), location: node.location)))
      }
    }
    return Lesson(file: file, source: source, settings: settings, items: items)
  }

  /// A fence never closed: cmark reads the rest of the file as its body. When that body still
  /// reads as the block (the closing fence was simply left off at the end), a warning says so;
  /// when it does not, the errors would blame the prose it swallowed, so one error at the fence
  /// replaces them. A plain code block is shown as it is, with a warning.
  mutating func unclosed(info: String, text: String, node: MarkdownNode) -> LessonItem {
    let close = "close it with a line of three backticks (or the fence's own characters) where the block ends"
    let before = diagnostics.count
    let declarations = networkDeclarations, bodies = networkBodies
    guard let block = lessonBlock(info: info, text: text, at: node.location) else {
      diagnostics.append(Diagnostic(.warning, "the code block opened at line \(node.location.line) is never closed, so everything after it is shown as code", at: node.location, notes: [close]))
      return .prose(MarkdownNode(block: resolve(node.block), location: node.location))
    }
    let swallowed = diagnostics[before...].filter { $0.severity == .error }.sorted { $0.location < $1.location }
    guard let first = swallowed.first else {
      diagnostics.append(Diagnostic(.warning, "the fence opened at line \(node.location.line) is never closed, so this `\(block.kind.rawValue)` block runs to the end of the file", at: node.location, notes: [close]))
      return .block(block)
    }
    diagnostics.removeSubrange(before...)
    networkDeclarations = declarations
    networkBodies = bodies
    let name = block.argument ?? "network"
    if block.kind == .network, networkDeclarations[name] == nil { networkDeclarations[name] = (node.location, false) }
    diagnostics.append(.error("the fence opened at line \(node.location.line) is never closed: the rest of the file is read as this `\(block.kind.rawValue)` block", at: node.location,
      notes: [close, "read that way, the block fails at line \(first.location.line): \(first.message)"]))
    var invalid = block
    invalid.content = .invalid
    return .block(invalid)
  }

  // MARK: Front matter

  mutating func parseSettings(_ yaml: String, firstLine: Int) -> LessonSettings {
    var settings = LessonSettings()
    var body = YAMLBody(file: file, firstLine: firstLine, column: 1)
    defer { diagnostics += body.diagnostics }
    guard let root = body.parse(yaml) else { return settings }
    let fields = body.fields(root, allowed: ["title", "notation", "decimals", "format", "rounding"], what: "the front matter")
    if let node = fields["title"] { settings.title = body.string(node, "title") }
    if let node = fields["notation"], let word = body.string(node, "notation") {
      if let notation = Notation(rawValue: word) {
        settings.notation = notation
      } else {
        body.error("unknown notation `\(word)`", at: node, notes: ["use `z-a` (z, a, δ) or `net-out` (net, out, δ)"])
      }
    }
    if let node = fields["decimals"], let d = body.integer(node, "decimals", range: 1...15) { settings.decimals = d }
    if let node = fields["rounding"], let text = body.string(node, "rounding") {
      if let rounding = Rounding.parse(text) {
        settings.rounding = rounding
      } else {
        body.error("`\(text)` is not a rounding", at: node, notes: ["write \(Rounding.forms)"])
      }
    }
    if let node = fields["format"], let v = body.integer(node, "format", range: 1...1_000) {
      if v > Lesson.formatVersion {
        body.error("this lesson asks for format \(v), but this version of lesson reads formats 1 to \(Lesson.formatVersion)", at: node)
      } else {
        settings.format = v
        format = v
      }
    }
    return settings
  }

  // MARK: Placeholders

  func resolve(_ block: Block) -> Block {
    switch block {
    case .paragraph(let inlines):
      let resolved = resolve(inlines)
      if resolved.count == 1, case .math(let tex, true) = resolved[0] { return .displayMath(tex: tex) }
      return .paragraph(resolved)
    case .heading(let level, let inlines): return .heading(level: level, resolve(inlines))
    case .blockQuote(let blocks): return .blockQuote(blocks.map(resolve))
    case .list(let ordered, let start, let tight, let items): return .list(ordered: ordered, start: start, tight: tight, items: items.map { $0.map(resolve) })
    case .code(let info, let text): return .code(info: info, text: restore(text))
    case .html(let text): return table(at: text) ?? .html(restore(text))
    case .thematicBreak, .displayMath, .table: return block
    }
  }

  /// The pipe table a pre-pass placeholder stands for, each cell parsed as a line of inline Markdown.
  func table(at placeholder: String) -> Block? {
    guard let index = Prepass.tableIndex(placeholder), lifted.indices.contains(index), case .table(let table) = lifted[index].span else {
      return nil
    }
    func cell(_ text: String) -> [Inline] { resolve(CommonMark.inlines(text)) }
    return .table(alignments: table.alignments, header: table.header.map(cell), rows: table.rows.map { $0.map(cell) })
  }

  func resolve(_ inlines: [Inline]) -> [Inline] {
    inlines.flatMap { inline -> [Inline] in
      switch inline {
      case .text(let s): return split(s)
      case .code(let s): return [.code(restore(s))]
      case .html(let s): return [.html(restore(s))]
      case .emphasis(let c): return [.emphasis(resolve(c))]
      case .strong(let c): return [.strong(resolve(c))]
      case .link(let d, let t, let c): return [.link(destination: restore(d), title: restore(t), resolve(c))]
      case .image(let s, let t, let c): return [.image(source: restore(s), title: restore(t), alt: resolve(c))]
      case .softBreak, .lineBreak, .math, .value: return [inline]
      }
    }
  }

  /// Splits a text run at placeholders into text, math and value references.
  func split(_ text: String) -> [Inline] {
    guard text.contains(Prepass.open) else { return [.text(text)] }
    var out: [Inline] = []
    var rest = Substring(text)
    while let open = rest.firstIndex(of: Prepass.open), let close = rest[open...].firstIndex(of: Prepass.close),
      let index = Int(rest[rest.index(after: open)..<close]), lifted.indices.contains(index)
    {
      if open > rest.startIndex { out.append(.text(String(rest[..<open]))) }
      let item = lifted[index]
      switch item.span {
      case .math(let tex, let display): out.append(.math(tex: tex, display: display))
      case .value(let name, let decimals): out.append(.value(name: name, decimals: decimals, location: item.location))
      case .table: out.append(.text(restore(item.source)))  // tables are blocks; never inside a line
      }
      rest = rest[rest.index(after: close)...]
    }
    if !rest.isEmpty { out.append(.text(String(rest))) }
    return out
  }

  /// Puts lifted source back where a placeholder landed in literal text (code spans, URLs).
  func restore(_ text: String) -> String {
    guard text.contains(Prepass.open) else { return text }
    var out = text
    for (index, item) in lifted.enumerated().reversed() {
      out = out.replacingOccurrences(of: Prepass.placeholder(index), with: item.source)
    }
    return out
  }

  // MARK: Blocks

  mutating func lessonBlock(info: String, text: String, at location: SourceLocation) -> LessonBlock? {
    let words = info.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    guard let first = words.first, let kind = LessonBlock.Kind(rawValue: first) else { return nil }
    let argument = words.count > 1 ? words[1] : nil
    let bodyStart = SourceLocation(file: file, line: location.line + 1, column: location.column)
    if words.count > 2 {
      diagnostics.append(.error("a `\(kind.rawValue)` block takes at most one name after its kind", at: location,
        notes: ["write ```` ```\(kind.rawValue) \(words[1]) ````"]))
    }
    // `blanks: [c1.z[1,1,1], K[1,2].grad]` reads as the author means it, not as nested YAML lists.
    let text = kind.directive != nil ? Self.quotingTensorNames(text) : text
    var block = LessonBlock(kind: kind, argument: argument, location: location, body: text, content: .invalid)
    switch kind {
    case .check:
      block.content = .check(parseChecks(text, start: bodyStart))
    case .graph:
      block.content = parseGraph(text, name: argument, start: bodyStart, block: location).map(LessonBlock.Content.graph) ?? .invalid
    default:
      var body = YAMLBody(file: file, firstLine: bodyStart.line, column: bodyStart.column, block: location)
      let root = body.parse(text)
      if root == nil, kind == .network, networkDeclarations[argument ?? "network"] == nil {
        networkDeclarations[argument ?? "network"] = (location, false)
      }
      if let root {
        switch kind {
        case .network:
          if let spec = parseNetwork(root, name: argument ?? "network", at: location, body: &body) { block.content = .network(spec) }
        case .data:
          if let spec = parseData(root, name: argument, at: location, body: &body) { block.content = .data(spec) }
        default:
          if let spec = parseDirective(kind, root, body: &body) { block.content = .directive(spec) }
        }
      }
      diagnostics += body.diagnostics
    }
    return block
  }
}

extension LessonParser {
  /// A directive body with the names in a one-line `blanks: [...]` list quoted where they hold
  /// a bracketed index (YAML would read `c1.z[1,1,1]` as a name followed by a list). Other
  /// lines are kept as they are.
  static func quotingTensorNames(_ text: String) -> String {
    guard text.contains("blanks"), text.contains("],") || text.contains("]]") else { return text }
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    for (n, line) in lines.enumerated() {
      let trimmed = line.drop { $0 == " " }
      guard trimmed.hasPrefix("blanks:"), let open = line.firstIndex(of: "["), let close = line.lastIndex(of: "]"), open < close else { continue }
      let inside = line[line.index(after: open)..<close]
      var items: [String] = []
      var current = ""
      var depth = 0
      for c in inside {
        if c == "[" { depth += 1 } else if c == "]" { depth -= 1 }
        if c == ",", depth == 0 { items.append(current); current = ""; continue }
        current.append(c)
      }
      items.append(current)
      guard items.contains(where: { $0.contains("[") }) else { continue }
      let quoted = items.map { item -> String in
        let word = item.trimmingSpaces
        return word.contains("[") && !word.hasPrefix("\"") && !word.hasPrefix("'") ? "\"\(word)\"" : word
      }
      lines[n] = String(line[...open]) + quoted.joined(separator: ", ") + String(line[close...])
    }
    return lines.joined(separator: "\n")
  }
}
