import Foundation

/// The engine's random number generator: xoshiro256** seeded through SplitMix64.
///
/// Both are integer-only and fully specified (Blackman and Vigna, 2018), so a seed gives the same
/// stream on every platform and Swift version; Swift's own generators promise no such thing.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
  private var s: (UInt64, UInt64, UInt64, UInt64)

  public init(seed: UInt64) {
    var x = seed
    func splitMix() -> UInt64 {
      x &+= 0x9E37_79B9_7F4A_7C15
      var z = x
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    s = (splitMix(), splitMix(), splitMix(), splitMix())
  }

  public mutating func next() -> UInt64 {
    let result = rotate(s.1 &* 5, 7) &* 9
    let t = s.1 << 17
    s.2 ^= s.0
    s.3 ^= s.1
    s.1 ^= s.2
    s.0 ^= s.3
    s.2 ^= t
    s.3 = rotate(s.3, 45)
    return result
  }

  private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

  /// A double uniform in [0, 1): the top 53 bits of the next output, times 2⁻⁵³.
  public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1p-53 }

  /// A double uniform in [low, high).
  public mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * nextUnit() }

  /// A standard normal deviate by the Box–Muller transform (one of the pair; the other is discarded
  /// so every call consumes exactly two outputs).
  public mutating func normal() -> Double {
    let u1 = 1 - nextUnit()  // in (0, 1], so the logarithm is finite
    let u2 = nextUnit()
    return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
  }

  /// An integer uniform in 0..<bound, without modulo bias (Lemire's method).
  public mutating func index(below bound: Int) -> Int {
    precondition(bound > 0)
    let b = UInt64(bound)
    var m = next().multipliedFullWidth(by: b)
    if m.low < b {
      let threshold = (0 &- b) % b
      while m.low < threshold { m = next().multipliedFullWidth(by: b) }
    }
    return Int(m.high)
  }

  /// A Fisher–Yates permutation of 0..<count.
  public mutating func permutation(of count: Int) -> [Int] {
    var p = Array(0..<count)
    if count > 1 {
      for i in stride(from: count - 1, to: 0, by: -1) { p.swapAt(i, index(below: i + 1)) }
    }
    return p
  }
}

/// How to draw a layer's initial weights when a lesson does not give them.
public enum Initialization: Sendable, Hashable {
  /// Uniform in [low, high).
  case uniform(low: Double, high: Double)
  /// Normal with mean 0 and the given standard deviation.
  case normal(standardDeviation: Double)
  /// Glorot/Xavier uniform: U(−r, r) with r = √(6 / (fan-in + fan-out)).
  case xavier
  /// He/Kaiming normal: N(0, 2 / fan-in), for ReLU layers.
  case he

  public var name: String {
    switch self {
    case .uniform: "uniform"
    case .normal: "normal"
    case .xavier: "xavier"
    case .he: "he"
    }
  }

  /// Draws a neurons × inputs weight matrix, row by row.
  public func weights(neurons: Int, inputs: Int, using rng: inout SeededGenerator) -> Matrix {
    var m = Matrix(rows: neurons, columns: inputs)
    for i in m.values.indices {
      switch self {
      case .uniform(let low, let high): m.values[i] = rng.uniform(low, high)
      case .normal(let sd): m.values[i] = sd * rng.normal()
      case .xavier:
        let r = (6 / Double(inputs + neurons)).squareRoot()
        m.values[i] = rng.uniform(-r, r)
      case .he: m.values[i] = (2 / Double(inputs)).squareRoot() * rng.normal()
      }
    }
    return m
  }
}
