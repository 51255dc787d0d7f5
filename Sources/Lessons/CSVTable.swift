import Foundation
import Backprop

/// Reads a data file: comma-separated numbers, one sample per line, inputs then targets.
/// A first line that is not numeric is taken as a header; `#` starts a comment line.
enum CSVTable {
  struct Problem: Error {
    var line: Int
    var message: String
  }

  static func parse(_ text: String, inputColumns: Int?) -> Result<Dataset, Problem> {
    var rows: [[Double]] = []
    var first = true
    for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
      if line.isEmpty || line.hasPrefix("#") { continue }
      let cells = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
      let numbers = cells.map { Double($0) }
      if numbers.contains(where: { $0 == nil }) {
        if first { first = false; continue }
        let bad = cells[numbers.firstIndex { $0 == nil }!]
        return .failure(Problem(line: index + 1, message: "`\(bad)` is not a number"))
      }
      first = false
      let values = numbers.map { $0! }
      if let bad = values.first(where: { !$0.isFinite }) {
        return .failure(Problem(line: index + 1, message: "`\(bad)` is not a finite number"))
      }
      if let width = rows.first?.count, width != values.count {
        return .failure(Problem(line: index + 1, message: "\(values.count) columns, but the first row has \(width)"))
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
