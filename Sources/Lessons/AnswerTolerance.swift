import Foundation

/// How closely a student's number must agree with the correct one: the rule shared by
/// `lesson check --answers` and the blanks of a worksheet.
///
/// Let P be the decimal place of the correct value's 4th significant digit (0.5933 → 4,
/// 0.08217 → 5, 12.34 → 2; at least 1). An answer written with at least P decimals is right
/// when it is within half a unit of that place, |x − c| ≤ ½·10⁻ᴾ: hand work that carries
/// rounded intermediate values still agrees to 4 significant figures. An answer written
/// with fewer decimals is right when it and the correct value round to the same number at
/// P − 1 decimals (3 significant figures), so `0.593` is right for 0.593269992, `0.59` is not.
public enum AnswerTolerance {
  /// P for a correct value c.
  public static func places(for correct: Double) -> Int {
    guard correct != 0, correct.isFinite else { return 4 }
    let magnitude = Int(Foundation.floor(Foundation.log10(abs(correct))))
    return min(max(3 - magnitude, 1), 15)
  }

  /// Decimals written in a number as typed: `0.3775` → 4, `12` → 0, `1.5e-3` → 4.
  public static func writtenDecimals(_ text: String) -> Int { max(decimalPlaces(text), 0) }

  /// The decimal place of the last digit written, negative left of the point: `0.3775` → 4,
  /// `2.5e-3` → 4, `12` → 0, `12e3` → −3. The check blocks' default tolerance uses it too.
  static func decimalPlaces(_ text: String) -> Int {
    let lower = text.lowercased().trimmingCharacters(in: .whitespaces)
    var mantissa = Substring(lower)
    var exponent = 0
    if let e = lower.firstIndex(of: "e") {
      mantissa = lower[..<e]
      exponent = Int(lower[lower.index(after: e)...]) ?? 0
    }
    let decimals = mantissa.firstIndex(of: ".").map { mantissa.distance(from: $0, to: mantissa.endIndex) - 1 } ?? 0
    return decimals - exponent
  }

  /// x rounded to `places` decimals as a whole number of units 10⁻ᵖˡᵃᶜᵉˢ.
  public static func units(_ x: Double, places: Int) -> Double {
    (x * Foundation.pow(10, Double(places))).rounded(.toNearestOrAwayFromZero)
  }

  /// Whether `written` (the number as the student wrote it) is right for `correct`.
  public static func agrees(_ written: String, _ value: Double, with correct: Double) -> Bool {
    guard value.isFinite, correct.isFinite else { return false }
    let p = places(for: correct)
    if writtenDecimals(written) >= p {
      // A hair over half a unit, so a value exactly on the boundary passes.
      return abs(value - correct) <= 0.5 * Foundation.pow(10, Double(-p)) * (1 + 1e-9) + 1e-15
    }
    return units(value, places: p - 1) == units(correct, places: p - 1)
  }

  /// A sentence for the README and the output: how answers are judged.
  public static let summary = "right when it agrees with the correct value to 4 significant figures (within half a unit of the 4th), or, written with fewer digits, to 3"
}
