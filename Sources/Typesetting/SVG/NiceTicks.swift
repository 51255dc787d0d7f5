import Foundation

/// Tick values for chart axes.
///
/// Linear axes follow Heckbert, "Nice Numbers for Graph Labels" (Graphics Gems, 1990): the step is
/// 1, 2 or 5 times a power of ten, and the ticks run from the largest multiple of the step at or
/// below the minimum to the smallest at or above the maximum ("loose" labelling). Logarithmic axes
/// put major ticks at powers of ten and, when the range spans few decades, minor ticks at 2…9 times
/// each power (as d3-scale's log ticks do).
public enum NiceTicks {
  /// Ticks for a linear axis.
  public struct Linear: Sendable, Equatable {
    /// The tick values, ascending, evenly spaced by `step`; the first is ≤ the minimum asked for
    /// and the last ≥ the maximum.
    public var values: [Double]
    /// The distance between ticks: 1, 2 or 5 × 10ᵏ.
    public var step: Double
    /// Digits after the decimal point that labels need: max(−⌊log₁₀ step⌋, 0).
    public var decimals: Int

    /// `value` with `decimals` digits and a real minus sign (U+2212), e.g. "0.2", "−5", "1000".
    public func label(_ value: Double) -> String {
      SVG.fixed(value, decimals: decimals)
    }
  }

  /// Ticks for a logarithmic (base 10) axis.
  public struct Logarithmic: Sendable, Equatable {
    /// The exponent of the power of ten at or below the minimum.
    public var lowerExponent: Int
    /// The exponent of the power of ten at or above the maximum (always > `lowerExponent`).
    public var upperExponent: Int
    /// Exponents of the labelled powers of ten, ascending. Every decade when there are at most 8;
    /// otherwise the multiples of k = ⌈decades / 8⌉, so that at most about 9 labels remain.
    public var majorExponents: [Int]
    /// Unlabelled ticks at 2…9 × 10ᵏ inside the range, present only when it spans at most 3 decades.
    public var minor: [Double]

    /// The labelled values, 10^e for each of `majorExponents`.
    public var major: [Double] { majorExponents.map(NiceTicks.powerOfTen) }
    /// 10^lowerExponent, the bottom of the axis.
    public var lower: Double { NiceTicks.powerOfTen(lowerExponent) }
    /// 10^upperExponent, the top of the axis.
    public var upper: Double { NiceTicks.powerOfTen(upperExponent) }
  }

  /// Heckbert's nice number near `x` (> 0): 1, 2, 5 or 10 times a power of ten.
  ///
  /// With `rounding` the nearest such number (fraction < 1.5 → 1, < 3 → 2, < 7 → 5, else 10);
  /// without, the smallest one ≥ x (≤ 1 → 1, ≤ 2 → 2, ≤ 5 → 5, else 10). Returns `x` unchanged
  /// when it is not positive and finite.
  public static func niceNumber(_ x: Double, rounding: Bool) -> Double {
    guard x.isFinite, x > 0 else { return x }
    var exponent = Int(floor(log10(x)))
    var fraction = x / powerOfTen(exponent)
    // log10 may be off by one ulp at exact powers of ten.
    if fraction >= 10 { fraction /= 10; exponent += 1 }
    if fraction < 1 { fraction *= 10; exponent -= 1 }
    let nice: Double
    if rounding {
      nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
    } else {
      nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
    }
    return times(nice, powerOfTen: exponent)
  }

  /// About `count` nicely spaced ticks covering `min`…`max` (Heckbert's loose labelling).
  ///
  /// step = nice(nice(max − min, rounding: false) / (count − 1), rounding: true). The bounds may
  /// come in either order. Edge cases: non-finite bounds give the ticks for 0…1; equal bounds are
  /// widened by 10 % of their magnitude (or to −1…1 at zero); `count` below 2 counts as 2.
  /// Tick values are computed as k·step (or k / (1/step) for fractional steps, as d3 does) so that
  /// 0.1 × 3 shows as 0.3, not 0.30000000000000004.
  public static func linear(min: Double, max: Double, count: Int = 5) -> Linear {
    guard min.isFinite, max.isFinite else { return linear(min: 0, max: 1, count: count) }
    var lower = Swift.min(min, max)
    var upper = Swift.max(min, max)
    if lower == upper {
      let pad = lower == 0 ? 1 : abs(lower) * 0.1
      lower -= pad
      upper += pad
    }
    let intervals = Double(Swift.max(count, 2) - 1)
    let range = niceNumber(upper - lower, rounding: false)
    let step = niceNumber(range / intervals, rounding: true)
    guard step.isFinite, step > 0 else { return Linear(values: [lower, upper], step: upper - lower, decimals: 0) }
    // The tolerance absorbs division error such as 0.3 / 0.1 = 2.9999999999999996.
    let first = floor(lower / step + 1e-9)
    let last = ceil(upper / step - 1e-9)
    let inverse = step < 1 ? (1 / step).rounded() : 0
    let values = stride(from: first, through: last, by: 1).map { k in
      let value = step < 1 ? k / inverse : k * step
      return value == 0 ? 0 : value  // no −0
    }
    let decimals = Swift.max(-Int(floor(log10(step) + 1e-9)), 0)
    return Linear(values: values, step: step, decimals: decimals)
  }

  /// Powers of ten covering `min`…`max` (both should be > 0), with minor ticks for short ranges.
  ///
  /// lowerExponent = ⌊log₁₀ min⌋, upperExponent = ⌈log₁₀ max⌉, at least one decade apart. Edge
  /// cases: bounds in either order; an unusable (non-positive or non-finite) `min` becomes max / 10,
  /// an unusable `max` becomes min × 10, and both unusable give 10⁰…10¹.
  public static func logarithmic(min: Double, max: Double) -> Logarithmic {
    let usable: (Double) -> Bool = { $0.isFinite && $0 > 0 }
    let low: Double
    let high: Double
    switch (usable(min), usable(max)) {
    case (true, true): (low, high) = (Swift.min(min, max), Swift.max(min, max))
    case (true, false): (low, high) = (min, min * 10)
    case (false, true): (low, high) = (max / 10, max)
    case (false, false): (low, high) = (1, 10)
    }
    let lowerExponent = Int(floor(log10(low) + 1e-9))
    var upperExponent = Int(ceil(log10(high) - 1e-9))
    if upperExponent <= lowerExponent { upperExponent = lowerExponent + 1 }
    let decades = upperExponent - lowerExponent
    let every = decades <= 8 ? 1 : Int((Double(decades) / 8).rounded(.up))
    // Multiples of `every`, so that 10⁰ is labelled whenever it is in range.
    let firstMajor = Int((Double(lowerExponent) / Double(every)).rounded(.up)) * every
    let majorExponents = Array(stride(from: firstMajor, through: upperExponent, by: every))
    var minor: [Double] = []
    if decades <= 3 {
      for exponent in lowerExponent..<upperExponent {
        for k in 2...9 { minor.append(times(Double(k), powerOfTen: exponent)) }
      }
    }
    return Logarithmic(
      lowerExponent: lowerExponent, upperExponent: upperExponent,
      majorExponents: majorExponents, minor: minor)
  }

  /// "10" followed by the exponent in Unicode superscripts: −3 → "10⁻³", 0 → "10⁰", 12 → "10¹²".
  public static func powerOfTenLabel(_ exponent: Int) -> String {
    let digits: [Character] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
    let sign = exponent < 0 ? "⁻" : ""
    let superscript = String(String(exponent.magnitude).map { digits[Int(String($0))!] })
    return "10" + sign + superscript
  }

  /// 10^e, exact for |e| ≤ 22 (and correctly rounded for negative e, since 1/10^k is one division).
  static func powerOfTen(_ exponent: Int) -> Double {
    exponent >= 0 ? pow(10, Double(exponent)) : 1 / pow(10, Double(-exponent))
  }

  /// m × 10^e computed as a division for negative e, so 2 × 10⁻³ is exactly the double nearest 0.002.
  static func times(_ mantissa: Double, powerOfTen exponent: Int) -> Double {
    exponent >= 0 ? mantissa * pow(10, Double(exponent)) : mantissa / pow(10, Double(-exponent))
  }
}
