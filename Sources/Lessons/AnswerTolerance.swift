import Foundation

/// How students are asked to round: to a number of decimals, of significant figures, or
/// whichever of the two asks for fewer decimal places for the value at hand (the default,
/// `4 decimals or significant`). A lesson sets it with `rounding:` in its front matter and
/// `lesson check --answers` with `--rounding`; answers and worksheet boxes are judged by it.
public struct Rounding: Sendable, Hashable, CustomStringConvertible {
  public enum Mode: Sendable, Hashable { case significant, decimals, either }
  public var digits: Int
  public var mode: Mode

  public init(digits: Int = 4, mode: Mode = .either) {
    self.digits = digits
    self.mode = mode
  }

  public static let standard = Rounding(digits: 4, mode: .either)

  /// Decimal places R an answer to `correct` must carry to be fully right (at least 0):
  /// `.decimals` asks for `digits`; `.significant` for the place of the `digits`-th
  /// significant digit (0.5933 → 4, 0.009954 → 6, 12.34 → 2, 12345 → 0); `.either` for the
  /// smaller of the two. Zero has no significant digits, so it asks for `digits` decimals.
  public func requiredPlaces(for correct: Double) -> Int {
    let decimals = digits
    guard correct != 0, correct.isFinite else { return decimals }
    let significant = min(max(digits - 1 - Self.magnitude(correct), 0), 15)
    switch mode {
    case .decimals: return decimals
    case .significant: return significant
    case .either: return min(decimals, significant)
    }
  }

  /// ⌊log₁₀ |x|⌋, corrected where `log10` rounds across a power of ten (0.001, 1000).
  static func magnitude(_ x: Double) -> Int {
    let a = abs(x)
    var m = Int(Foundation.floor(Foundation.log10(a)))
    if a >= Foundation.pow(10, Double(m + 1)) { m += 1 }
    if a < Foundation.pow(10, Double(m)) { m -= 1 }
    return m
  }

  /// `decimals`, `significant` or `either`, for JSON.
  public var modeName: String {
    switch mode {
    case .decimals: "decimals"
    case .significant: "significant"
    case .either: "either"
    }
  }

  /// "4 decimals or 4 significant figures", "4 decimals", "3 significant figures".
  public var description: String {
    let decimals = "\(digits) decimal\(digits == 1 ? "" : "s")"
    let significant = "\(digits) significant figure\(digits == 1 ? "" : "s")"
    switch mode {
    case .decimals: return decimals
    case .significant: return significant
    case .either: return "\(decimals) or \(significant)"
    }
  }

  /// The forms `parse` reads, for error messages.
  public static let forms = "`4 decimals`, `4 significant` or `4 decimals or significant` (the digits from 1 to 15)"

  /// Reads `4 decimals`, `4 decimal places`, `4 significant`, `4 significant figures`,
  /// `4 sig figs`, `4 decimals or significant`, `4 decimals or 4 significant figures` (and
  /// the two halves the other way round); nil for anything else.
  public static func parse(_ text: String) -> Rounding? {
    var words = text.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    guard let first = words.first, let digits = Int(first), (1...15).contains(digits) else { return nil }
    words.removeFirst()
    // Each side of `or` names one mode, optionally repeating the digits.
    var modes: [Mode] = []
    for part in words.split(separator: "or", omittingEmptySubsequences: false) {
      var part = Array(part)
      if let n = part.first.flatMap({ Int($0) }) {
        guard n == digits else { return nil }
        part.removeFirst()
      }
      switch part.joined(separator: " ") {
      case "decimals", "decimal", "decimal places", "places", "dp": modes.append(.decimals)
      case "significant", "significant figures", "significant digits", "sig figs", "sf": modes.append(.significant)
      default: return nil
      }
    }
    switch Set(modes).count == modes.count ? modes.count : 0 {
    case 1: return Rounding(digits: digits, mode: modes[0])
    case 2: return Rounding(digits: digits, mode: .either)
    default: return nil
    }
  }
}

/// How an answer fares against the correct value under a ``Rounding``.
public enum AnswerVerdict: String, Sendable {
  case right
  /// The correct value rounded to fewer decimals than the rounding asks for.
  case moreDigits = "more-digits"
  case wrong
}

/// How closely a student's number must agree with the correct one: the rule shared by
/// `lesson check --answers` and the blanks of a worksheet.
///
/// Let d be the decimals the student wrote and R the places the rounding asks for
/// (``Rounding/requiredPlaces(for:)``). With d ≥ R the answer is right when it is within half
/// a unit of the R-th decimal, |x − c| ≤ ½·10⁻ᴿ: hand work that carries rounded intermediate
/// values still agrees. With R − 3 ≤ d < R it is "right, but give more digits" when it is the
/// correct value rounded (half away from zero) to d decimals; otherwise it is wrong. An answer exactly
/// equal to the correct value is right however few digits it has (`0.25` for 0.25).
public enum AnswerTolerance {
  /// P: the decimal place of the correct value's 4th significant digit (0.5933 → 4,
  /// 0.08217 → 5, 12.34 → 2; at least 1). The worksheet boxes' hashes are built around it.
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

  /// `written` (the number as the student wrote it, `value` as read) judged against `correct`.
  public static func judge(_ written: String, _ value: Double, correct: Double, rounding: Rounding) -> AnswerVerdict {
    guard value.isFinite, correct.isFinite else { return .wrong }
    if value == correct { return .right }
    let r = rounding.requiredPlaces(for: correct)
    let d = writtenDecimals(written)
    if d >= r {
      // A hair over half a unit, so a value exactly on the boundary passes.
      return abs(value - correct) <= 0.5 * Foundation.pow(10, Double(-r)) * (1 + 1e-9) + 1e-15 ? .right : .wrong
    }
    // Only a few places short: `1` for 0.5933 agrees with nothing worth the name. The
    // worksheet boxes can recognise the same range (they hash the answer at those places).
    guard r - d <= moreDigitsReach else { return .wrong }
    return units(value, places: d) == units(correct, places: d) ? .moreDigits : .wrong
  }

  /// How many places short of R an answer may be and still be "right, but give more digits".
  public static let moreDigitsReach = 3

  /// Whether `written` is fully right for `correct` under the standard rounding.
  public static func agrees(_ written: String, _ value: Double, with correct: Double, rounding: Rounding = .standard) -> Bool {
    judge(written, value, correct: correct, rounding: rounding) == .right
  }

  /// A sentence for the output: how answers are judged.
  public static func summary(_ rounding: Rounding) -> String {
    let which = rounding.mode == .either ? ", whichever gives fewer decimals," : ""
    return "right when it agrees with the correct value rounded to \(rounding)\(which) to within half a unit of the last place; the correct value rounded to fewer places is right, but asks for more digits"
  }
}
