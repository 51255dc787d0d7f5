import Foundation

/// How the report writes numbers: a fixed count of decimals, but never fewer than six
/// significant digits for small values, and a true minus sign.
public struct NumberFormat: Sendable {
  public var decimals: Int
  /// A worksheet's blanks: hidden (handout) or marked (key). See HTMLReport+Handout.swift.
  var blanks: BlankSet?

  public init(decimals: Int) { self.decimals = decimals }

  /// Decimal places used for `x`: `decimals`, or more for a small value so six significant digits remain.
  func places(_ x: Double) -> Int {
    guard x != 0, x.isFinite, abs(x) < 0.01 else { return decimals }
    let magnitude = Int(Foundation.floor(Foundation.log10(abs(x))))
    return min(max(decimals, 5 - magnitude), 17)
  }

  /// The same format without a worksheet's bookkeeping, for numbers whose blank was already looked up.
  var untracked: NumberFormat {
    var f = self
    f.blanks = nil
    return f
  }

  /// For tables: fixed decimals, so columns align. On a worksheet, a number printed this way
  /// names no quantity, so it is shown, and noted for the leak check.
  public func fixed(_ x: Double) -> String {
    blanks?.shown(x, nil)
    guard x.isFinite else { return x.isNaN ? "NaN" : (x > 0 ? "∞" : "−∞") }
    if x != 0, abs(x) < 1e-12 { return scientific(x) }
    let text = String(format: "%.\(places(x))f", x)
    return Self.minus(text)
  }

  /// For sentences and working: as `fixed`, without trailing zeros.
  public func short(_ x: Double) -> String {
    let text = fixed(x)
    guard text.contains("."), !text.contains("×") else { return text }
    var trimmed = Substring(text)
    while trimmed.hasSuffix("0") { trimmed = trimmed.dropLast() }
    if trimmed.hasSuffix(".") { trimmed = trimmed.dropLast() }
    return trimmed == "−0" ? "0" : String(trimmed)
  }

  /// A small quantity whose size is the point (a difference, a tolerance): three significant
  /// digits, in powers of ten below 0.001, e.g. 2.82×10⁻¹⁰, 5×10⁻⁵, 0.0125.
  public static func compact(_ x: Double) -> String {
    guard x.isFinite else { return x.isNaN ? "NaN" : (x > 0 ? "∞" : "−∞") }
    if x == 0 { return "0" }
    if abs(x) >= 0.001 {
      var f = NumberFormat(decimals: 0)
      f.decimals = max(0, 2 - Int(Foundation.floor(Foundation.log10(abs(x)))))
      return f.short(x)
    }
    var exponent = Int(Foundation.floor(Foundation.log10(abs(x))))
    var scaled = x / Foundation.pow(10, Double(exponent))
    if abs((scaled * 100).rounded()) >= 1000 { exponent += 1; scaled /= 10 }  // 9.996 would print as 10.00
    var mantissa = Self.minus(String(format: "%.2f", scaled))
    while mantissa.hasSuffix("0") { mantissa.removeLast() }
    if mantissa.hasSuffix(".") { mantissa.removeLast() }
    return mantissa + "×10" + superscript(exponent)
  }

  /// An exponent in superscript digits: −10 → ⁻¹⁰.
  static func superscript(_ exponent: Int) -> String {
    let digits: [Character: Character] = ["0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹", "-": "⁻"]
    return String(String(exponent).map { digits[$0]! })
  }

  /// The exact value, for hover text and the JSON trace: the shortest decimal that reads back the same double.
  public static func exact(_ x: Double) -> String { "\(x)" }

  func scientific(_ x: Double) -> String {
    let exponent = Int(Foundation.floor(Foundation.log10(abs(x))))
    let mantissa = x / Foundation.pow(10, Double(exponent))
    return Self.minus(String(format: "%.5f", mantissa)) + "×10" + Self.superscript(exponent)
  }

  static func minus(_ text: String) -> String {
    text.hasPrefix("-") ? "−" + text.dropFirst() : text
  }
}
