/// A place in a lesson file: 1-based line and column (columns count Unicode scalars).
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
  public var file: String
  public var line: Int
  public var column: Int

  public init(file: String, line: Int, column: Int) {
    self.file = file
    self.line = line
    self.column = column
  }

  /// `path:line:column`, the form editors and terminals recognise.
  public var description: String { "\(file):\(line):\(column)" }

  public static func < (l: SourceLocation, r: SourceLocation) -> Bool {
    (l.file, l.line, l.column) < (r.file, r.line, r.column)
  }
}
