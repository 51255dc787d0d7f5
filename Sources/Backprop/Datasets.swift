import Foundation

/// Inputs and targets, one sample per row.
public struct Dataset: Sendable, Hashable {
  public var inputs: Matrix
  public var targets: Matrix
  public init(inputs: Matrix, targets: Matrix) {
    precondition(inputs.rows == targets.rows, "one target row per input row")
    self.inputs = inputs
    self.targets = targets
  }
  public var count: Int { inputs.rows }

  /// The four points of XOR with their targets (one output).
  public static let xor = Dataset(
    inputs: Matrix([[0, 0], [0, 1], [1, 0], [1, 1]]),
    targets: Matrix([[0], [1], [1], [0]]))

  /// K interleaved spiral arms of `pointsPerClass` points in the plane, targets one-hot,
  /// after the CS231n notes: radius r = i/(n−1) and angle θ = 4(k + r) + noise·N(0, 1).
  public static func spiral(classes: Int, pointsPerClass: Int, noise: Double = 0.2, seed: UInt64) -> Dataset {
    var rng = SeededGenerator(seed: seed)
    var inputs = Matrix(rows: classes * pointsPerClass, columns: 2)
    var targets = Matrix(rows: classes * pointsPerClass, columns: classes)
    for k in 0..<classes {
      for i in 0..<pointsPerClass {
        let n = k * pointsPerClass + i
        let r = pointsPerClass > 1 ? Double(i) / Double(pointsPerClass - 1) : 0
        let theta = Double(4 * k) + 4 * r + noise * rng.normal()
        inputs[n, 0] = r * Foundation.sin(theta)
        inputs[n, 1] = r * Foundation.cos(theta)
        targets[n, k] = 1
      }
    }
    return Dataset(inputs: inputs, targets: targets)
  }
}
