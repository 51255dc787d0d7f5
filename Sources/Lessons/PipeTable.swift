/// A GitHub-style pipe table found by the pre-pass, its cells still raw Markdown.
///
/// ```
/// | name | slope |        header row
/// | :--- | ----: |        delimiter row: one cell per column, colons give the alignment
/// | ReLU | 0, 1  |        body rows, up to the first blank line or line without a pipe
/// ```
///
/// Pipes at the ends of a row are optional. `\|` is a literal pipe, and a pipe inside a code
/// span or math does not split a cell (math is already a placeholder when rows are split).
/// Body rows with fewer cells than the header are padded with empty cells; extra cells are
/// dropped, as GitHub does.
struct PipeTable: Sendable, Hashable {
  var alignments: [TableAlignment]
  var header: [String]
  var rows: [[String]]

  /// The table starting at `lines[start]`, and how many lines it takes; nil when the line and
  /// the next are not a header row and a delimiter row with the same number of cells.
  static func parse(_ lines: [[Character]], at start: Int) -> (table: PipeTable, lineCount: Int)? {
    guard start + 1 < lines.count, indentation(lines[start]) < 4, indentation(lines[start + 1]) < 4,
      let header = cells(lines[start]), let alignments = alignments(lines[start + 1]), header.count == alignments.count
    else { return nil }
    var rows: [[String]] = []
    var end = start + 2
    while end < lines.count, let row = cells(lines[end]) {
      rows.append((0..<header.count).map { $0 < row.count ? row[$0] : "" })
      end += 1
    }
    return (PipeTable(alignments: alignments, header: header, rows: rows), end - start)
  }

  /// The line's indentation in columns, a tab reaching the next multiple of 4 as in CommonMark.
  static func indentation(_ line: [Character]) -> Int {
    var width = 0
    for c in line {
      if c == " " { width += 1 } else if c == "\t" { width += 4 - width % 4 } else { break }
    }
    return width
  }

  /// A row's cells, trimmed, with `\|` made a plain pipe; nil when the line has no pipe that splits.
  static func cells(_ line: [Character]) -> [String]? {
    var chars = Array(String(line).trimmingSpaces)
    var sawPipe = false
    if chars.first == "|" {
      chars.removeFirst()
      sawPipe = true
    }
    var cells: [String] = []
    var cell: [Character] = []
    var i = 0
    while i < chars.count {
      let c = chars[i]
      if c == "\\", i + 1 < chars.count {
        // A literal pipe needs no escape once out of the row; other escapes are cmark's to read.
        if chars[i + 1] == "|" { cell.append("|") } else { cell += [c, chars[i + 1]] }
        i += 2
      } else if c == "`" {
        var run = 0
        while i + run < chars.count, chars[i + run] == "`" { run += 1 }
        let end = Prepass.closingBackticks(chars, from: i + run, length: run) ?? i + run
        // Inside a code span a pipe needs no escape, but `\|` is still read as one, as GitHub does.
        var j = i
        while j < end {
          if chars[j] == "\\", j + 1 < end, chars[j + 1] == "|" { j += 1 }
          cell.append(chars[j])
          j += 1
        }
        i = end
      } else if c == "|" {
        cells.append(String(cell).trimmingSpaces)
        cell = []
        sawPipe = true
        i += 1
      } else {
        cell.append(c)
        i += 1
      }
    }
    // A trailing pipe closes the last cell rather than opening an empty one.
    if !cell.allSatisfy({ $0 == " " || $0 == "\t" }) || cells.isEmpty { cells.append(String(cell).trimmingSpaces) }
    return sawPipe ? cells : nil
  }

  /// The alignments of a delimiter row (`| :-- | :-: | --: |`); nil when it is not one.
  static func alignments(_ line: [Character]) -> [TableAlignment]? {
    guard line.contains("-"), let cells = cells(line) else { return nil }
    var out: [TableAlignment] = []
    for cell in cells {
      let left = cell.hasPrefix(":"), right = cell.hasSuffix(":")
      let dashes = cell.dropFirst(left ? 1 : 0).dropLast(right && cell.count > 1 ? 1 : 0)
      guard !dashes.isEmpty, dashes.allSatisfy({ $0 == "-" }) else { return nil }
      out.append(left && right ? .center : left ? .left : right ? .right : .none)
    }
    return out
  }
}
