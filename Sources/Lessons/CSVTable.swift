import Foundation
import Backprop

/// Reads a data file: comma-separated numbers, one sample per line, inputs then targets.
/// A first line that is not numeric is taken as a header; `#` starts a comment line.
enum CSVTable {
  struct Problem: Error {
    var line: Int
    /// 1-based column of the cell at fault, when one cell is.
    var column: Int?
    var message: String
    /// Whether the table is over the size limit rather than malformed.
    var overLimit = false

    init(line: Int, column: Int? = nil, message: String, overLimit: Bool = false) {
      self.line = line
      self.column = column
      self.message = message
      self.overLimit = overLimit
    }

    /// "line 3, column 5" (column counted in characters of the file's line).
    var place: String { "line \(line)" + (column.map { ", column \($0)" } ?? "") }
  }

  /// Parses `text`; stops with a problem as soon as the table holds more than `maxNumbers` numbers.
  static func parse(_ text: String, inputColumns: Int?, maxNumbers: Int = .max) -> Result<Dataset, Problem> {
    var rows: [[Double]] = []
    var count = 0
    var first = true
    for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
      if line.isEmpty || line.hasPrefix("#") { continue }
      let rawCells = raw.split(separator: ",", omittingEmptySubsequences: false)
      let cells = rawCells.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
      // The column where each cell's text starts, for pointing at a bad one.
      var columns: [Int] = []
      var column = 1
      for cell in rawCells {
        columns.append(column + cell.prefix { $0 == " " || $0 == "\t" }.count)
        column += cell.count + 1
      }
      let numbers = cells.map { Double($0) }
      if let bad = numbers.firstIndex(where: { $0 == nil }) {
        if first { first = false; continue }
        let message = cells[bad].isEmpty ? "an empty cell where a number belongs" : "`\(cells[bad])` is not a number"
        return .failure(Problem(line: index + 1, column: columns[bad], message: message))
      }
      first = false
      let values = numbers.map { $0! }
      if let bad = values.firstIndex(where: { !$0.isFinite }) {
        return .failure(Problem(line: index + 1, column: columns[bad], message: "`\(cells[bad])` is not a finite number"))
      }
      if let width = rows.first?.count, width != values.count {
        return .failure(Problem(line: index + 1, message: "\(values.count) columns, but the first row has \(width)"))
      }
      count += values.count
      if count > maxNumbers {
        return .failure(Problem(line: index + 1, message: "more than \(maxNumbers) numbers", overLimit: true))
      }
      rows.append(values)
    }
    guard let width = rows.first?.count else { return .failure(Problem(line: 1, message: "no rows of numbers")) }
    let inputs = inputColumns ?? (width - 1)
    guard inputs >= 1, inputs < width else {
      return .failure(Problem(line: 1, message: "\(width) columns leave no room for \(inputs) inputs and at least one target"))
    }
    return .success(Dataset(
      inputs: Matrix(rows.map { Array($0[..<inputs]) }),
      targets: Matrix(rows.map { Array($0[inputs...]) })))
  }
}
