import CCmark

/// The one place that talks to cmark: parses CommonMark into ``MarkdownNode`` values.
enum CommonMark {
  /// How deep block quotes, lists (each list and item counts), emphasis, links and images may
  /// nest. cmark itself nests all of them without bound; our tree, its conversion, its
  /// rendering and even its release are recursive, so deeper input is refused here. 100 levels
  /// is far beyond any lesson and stays well inside a 512 KB secondary thread's stack.
  static let maximumNesting = 100

  /// Parses `text` (already free of front matter and math) into top-level blocks with their lines.
  /// A top-level block nested deeper than ``maximumNesting`` is left out, with an error in `problems`.
  static func parse(_ text: String, file: String, problems: inout [Diagnostic]) -> [MarkdownNode] {
    let options = CMARK_OPT_SOURCEPOS | CMARK_OPT_VALIDATE_UTF8
    let bytes = Array(text.utf8)
    guard let document = bytes.withUnsafeBufferPointer({ buffer in
      buffer.baseAddress.map { base in
        base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { cmark_parse_document($0, buffer.count, options) }
      } ?? cmark_parse_document("", 0, options)
    }) else { return [] }
    defer { cmark_node_free(document) }

    var nodes: [MarkdownNode] = []
    var child = cmark_node_first_child(document)
    while let node = child {
      let location = SourceLocation(file: file, line: Int(cmark_node_get_start_line(node)), column: Int(cmark_node_get_start_column(node)))
      if let deep = tooDeep(node) {
        let at = SourceLocation(file: file, line: deep.line > 0 ? deep.line : location.line, column: deep.line > 0 ? max(deep.column, 1) : location.column)
        problems.append(.error("block quotes, lists, emphasis and links nest more than \(maximumNesting) deep here", at: at,
          notes: ["nothing in a lesson needs such nesting; was a run of `>`, `-`, `*` or `[` meant to be text? Escape it with `\\`"]))
      } else {
        nodes.append(MarkdownNode(block: block(node), location: location))
      }
      child = cmark_node_next(node)
    }
    return nodes
  }

  /// Parses one line of inline Markdown (a table cell) into inlines, never into a block:
  /// a leading no-break space keeps `# x`, `- x` or `> x` from starting a heading, list or
  /// quote, and counts as whitespace for emphasis, as the start of a line would.
  /// A cell nested too deeply is kept as its plain text.
  static func inlines(_ text: String) -> [Inline] {
    var problems: [Diagnostic] = []
    let blocks = parse("\u{A0}" + text, file: "", problems: &problems)
    guard problems.isEmpty else { return [.text(text)] }
    guard let first = blocks.first, case .paragraph(var inlines) = first.block else { return [.text(text)] }
    if case .text(let s) = inlines.first, s.first == "\u{A0}" {
      let rest = String(s.dropFirst())
      if rest.isEmpty { inlines.removeFirst() } else { inlines[0] = .text(rest) }
    }
    return inlines
  }

  private static func literal(_ node: OpaquePointer) -> String {
    cmark_node_get_literal(node).map { String(cString: $0) } ?? ""
  }

  private static func string(_ pointer: UnsafePointer<CChar>?) -> String {
    pointer.map { String(cString: $0) } ?? ""
  }

  private static func children(_ node: OpaquePointer) -> [OpaquePointer] {
    var out: [OpaquePointer] = []
    var child = cmark_node_first_child(node)
    while let c = child {
      out.append(c)
      child = cmark_node_next(c)
    }
    return out
  }

  /// Where `root`'s subtree first nests deeper than ``maximumNesting`` (line 0 when cmark kept no
  /// position for that node), walked with cmark's own iterator so that the walk cannot overflow.
  private static let uncounted = Set([
    CMARK_NODE_PARAGRAPH, CMARK_NODE_HEADING,
    CMARK_NODE_HTML_BLOCK, CMARK_NODE_THEMATIC_BREAK, CMARK_NODE_CODE_BLOCK, CMARK_NODE_TEXT,
    CMARK_NODE_SOFTBREAK, CMARK_NODE_LINEBREAK, CMARK_NODE_CODE, CMARK_NODE_HTML_INLINE,
  ].map(\.rawValue))

  private static func tooDeep(_ root: OpaquePointer) -> (line: Int, column: Int)? {
    guard let iterator = cmark_iter_new(root) else { return nil }
    defer { cmark_iter_free(iterator) }
    var depth = 0
    while true {
      switch cmark_iter_next(iterator) {
      case CMARK_EVENT_DONE: return nil
      case CMARK_EVENT_ENTER:
        // Leaves (text, code, breaks, raw HTML) get no EXIT event; paragraphs and headings only
        // hold a line of inlines. Neither counts.
        guard let node = cmark_iter_get_node(iterator), !uncounted.contains(cmark_node_get_type(node).rawValue) else { continue }
        depth += 1
        if depth > maximumNesting {
          // Inline nodes may lack a position: fall back to the nearest ancestor that has one.
          var at: OpaquePointer? = node
          while let n = at, cmark_node_get_start_line(n) == 0 { at = cmark_node_parent(n) }
          return at.map { (Int(cmark_node_get_start_line($0)), Int(cmark_node_get_start_column($0))) } ?? (0, 0)
        }
      case CMARK_EVENT_EXIT:
        if let node = cmark_iter_get_node(iterator), !uncounted.contains(cmark_node_get_type(node).rawValue) { depth -= 1 }
      default: continue
      }
    }
  }

  // Recursion here is bounded by `maximumNesting`, checked before conversion.
  private static func block(_ node: OpaquePointer) -> Block {
    switch cmark_node_get_type(node) {
    case CMARK_NODE_PARAGRAPH: return .paragraph(inlines(node))
    case CMARK_NODE_HEADING: return .heading(level: Int(cmark_node_get_heading_level(node)), inlines(node))
    case CMARK_NODE_BLOCK_QUOTE: return .blockQuote(children(node).map(block))
    case CMARK_NODE_LIST:
      let items = children(node).map { children($0).map(block) }
      return .list(
        ordered: cmark_node_get_list_type(node) == CMARK_ORDERED_LIST,
        start: Int(cmark_node_get_list_start(node)), tight: cmark_node_get_list_tight(node) != 0, items: items)
    case CMARK_NODE_CODE_BLOCK: return .code(info: string(cmark_node_get_fence_info(node)), text: literal(node))
    case CMARK_NODE_HTML_BLOCK: return .html(literal(node))
    case CMARK_NODE_THEMATIC_BREAK: return .thematicBreak
    default: return .paragraph(inlines(node))
    }
  }

  private static func inlines(_ node: OpaquePointer) -> [Inline] {
    children(node).map(inline)
  }

  private static func inline(_ node: OpaquePointer) -> Inline {
    switch cmark_node_get_type(node) {
    case CMARK_NODE_TEXT: return .text(literal(node))
    case CMARK_NODE_SOFTBREAK: return .softBreak
    case CMARK_NODE_LINEBREAK: return .lineBreak
    case CMARK_NODE_CODE: return .code(literal(node))
    case CMARK_NODE_EMPH: return .emphasis(inlines(node))
    case CMARK_NODE_STRONG: return .strong(inlines(node))
    case CMARK_NODE_LINK:
      return .link(destination: string(cmark_node_get_url(node)), title: string(cmark_node_get_title(node)), inlines(node))
    case CMARK_NODE_IMAGE:
      return .image(source: string(cmark_node_get_url(node)), title: string(cmark_node_get_title(node)), alt: inlines(node))
    case CMARK_NODE_HTML_INLINE: return .html(literal(node))
    default: return .text(literal(node))
    }
  }
}
