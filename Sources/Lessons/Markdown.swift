/// The lesson's prose as a small Markdown tree, built from cmark's parse.
///
/// Raw HTML survives only as `.html` nodes, which the report does not pass through.
public indirect enum Block: Sendable, Hashable {
  case paragraph([Inline])
  case heading(level: Int, [Inline])
  case blockQuote([Block])
  case list(ordered: Bool, start: Int, tight: Bool, items: [[Block]])
  case code(info: String, text: String)
  case html(String)
  case thematicBreak
  /// A paragraph that held nothing but `$$…$$`.
  case displayMath(tex: String)
  /// A pipe table: one alignment per column, the header's cells, and body rows of exactly as many cells.
  case table(alignments: [TableAlignment], header: [[Inline]], rows: [[[Inline]]])
}

/// How a table column is aligned, from the colons of its delimiter cell (`:--`, `:-:`, `--:`).
public enum TableAlignment: Sendable, Hashable {
  /// `---`: no colon, the report's default.
  case none
  case left
  case center
  case right
}

public indirect enum Inline: Sendable, Hashable {
  case text(String)
  case softBreak
  case lineBreak
  case code(String)
  case emphasis([Inline])
  case strong([Inline])
  case link(destination: String, title: String, [Inline])
  case image(source: String, title: String, alt: [Inline])
  case html(String)
  case math(tex: String, display: Bool)
  /// `{{name}}`: a value of the lesson at this point; resolved when the lesson runs.
  case value(name: String, decimals: Int?, location: SourceLocation)
}

/// A top-level node of the Markdown with the line it starts on.
public struct MarkdownNode: Sendable, Hashable {
  public var block: Block
  public var location: SourceLocation
}

extension Inline {
  /// The inline content as plain text (for titles, anchors and alt text).
  public var plainText: String {
    switch self {
    case .text(let s), .code(let s): s
    case .softBreak, .lineBreak: " "
    case .emphasis(let c), .strong(let c), .link(_, _, let c), .image(_, _, let c): c.map(\.plainText).joined()
    case .html: ""
    case .math(let tex, _): tex
    case .value(let name, _, _): name
    }
  }
}
