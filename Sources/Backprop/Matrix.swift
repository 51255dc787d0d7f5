/// A dense row-major matrix of doubles: rows are samples (or neurons), columns are features.
///
/// Storage is one contiguous array so the kernels can walk it without indirection.
public struct Matrix: Sendable, Hashable {
  public let rows: Int
  public let columns: Int
  public var values: [Double]

  public init(rows: Int, columns: Int, repeating value: Double = 0) {
    precondition(rows >= 0 && columns >= 0)
    self.rows = rows
    self.columns = columns
    self.values = Array(repeating: value, count: rows * columns)
  }

  public init(rows: Int, columns: Int, values: [Double]) {
    precondition(values.count == rows * columns, "matrix needs \(rows * columns) values, got \(values.count)")
    self.rows = rows
    self.columns = columns
    self.values = values
  }

  /// Builds a matrix from nested rows, which must all have the same length.
  public init(_ nested: [[Double]]) {
    let columns = nested.first?.count ?? 0
    precondition(nested.allSatisfy { $0.count == columns }, "ragged rows")
    self.init(rows: nested.count, columns: columns, values: nested.flatMap { $0 })
  }

  public subscript(row: Int, column: Int) -> Double {
    get { values[row * columns + column] }
    set { values[row * columns + column] = newValue }
  }

  public func row(_ index: Int) -> [Double] {
    Array(values[index * columns..<(index + 1) * columns])
  }

  public var nested: [[Double]] { (0..<rows).map(row) }

  /// The rows at the given indices, in that order (a mini-batch).
  public func selectingRows(_ indices: [Int]) -> Matrix {
    var out = Matrix(rows: indices.count, columns: columns)
    for (r, source) in indices.enumerated() {
      for c in 0..<columns { out.values[r * columns + c] = values[source * columns + c] }
    }
    return out
  }
}
