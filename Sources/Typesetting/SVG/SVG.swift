/// Dependency-free SVG figures for the reports: a network diagram, a line chart and decision regions.
///
/// Every figure is a pure function from a value to a string. The output:
/// - starts with `<svg` and ends with `</svg>`, with a `viewBox` sized from the content;
/// - has `role="img"` and `aria-labelledby` naming its `<title>` and `<desc>`, whose ids derive
///   from the figure's `id` so several figures can share a page;
/// - escapes every text and attribute value in one place (`SVGNode.render`);
/// - writes coordinates with at most two decimals and no locale (`SVG.number`);
/// - takes colour only from CSS classes and `currentColor`, so ``SVG/stylesheet`` and the
///   report's variables (`--fg`, `--bg`, `--muted`, `--accent`, `--accent2`, `--grid`) decide
///   light and dark mode;
/// - contains no scripts and no external references.
public enum SVG {}

extension SVG {
  /// `x` with at most two decimals and no trailing zeros: 12.5 → "12.5", 3.0 → "3", −0.004 → "0".
  ///
  /// Rounds half away from zero on the value scaled by 100. Uses ASCII "-" (this is for
  /// coordinates, not for reading). Non-finite input gives "0"; magnitudes beyond 10¹² are clamped
  /// so the integer arithmetic cannot overflow.
  static func number(_ x: Double) -> String {
    fixed(x, decimals: 2, trimZeros: true, minus: "-")
  }

  /// `x` with exactly `decimals` digits after the point (or fewer when `trimZeros`), computed with
  /// integer arithmetic so the result never depends on a locale.
  ///
  /// `decimals` is clamped to 0…15 (Double carries no more); magnitudes beyond 10¹² are clamped.
  static func fixed(_ x: Double, decimals: Int, trimZeros: Bool = false, minus: String = "\u{2212}") -> String {
    guard x.isFinite else { return "0" }
    let places = max(0, min(decimals, 15))
    let clamped = max(-1e12, min(1e12, x))
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    let scaled = (clamped * scale).rounded()
    // Beyond 2^63 the product cannot be an Int64; fall back to fewer places.
    guard abs(scaled) < 9.2e18 else {
      return fixed(x, decimals: places - 1, trimZeros: trimZeros, minus: minus)
    }
    let n = Int64(scaled)
    if n == 0 { return trimZeros || places == 0 ? "0" : "0." + String(repeating: "0", count: places) }
    let magnitude = n.magnitude
    let unit = UInt64(scale)
    let whole = magnitude / unit
    var fraction = places == 0 ? "" : String(magnitude % unit)
    if places > 0 {
      fraction = String(repeating: "0", count: places - fraction.count) + fraction
      if trimZeros {
        while fraction.last == "0" { fraction.removeLast() }
      }
    }
    let sign = n < 0 ? minus : ""
    return fraction.isEmpty ? "\(sign)\(whole)" : "\(sign)\(whole).\(fraction)"
  }

  /// `text` with the five XML specials replaced (`& < > " '`) and characters XML 1.0 forbids
  /// (C0 controls other than tab, newline and return; lone surrogates cannot occur in a String;
  /// U+FFFE and U+FFFF) dropped, so any caller string gives well-formed markup.
  static func escape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
      default:
        if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
        out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  /// A figure id safe inside `id` and `aria-labelledby` (a space-separated list): letters, digits,
  /// `-` and `_` are kept, anything else becomes `-`; an empty id becomes "fig".
  static func identifier(_ id: String) -> String {
    let kept = id.unicodeScalars.map { scalar -> Character in
      switch scalar {
      case "a"..."z", "A"..."Z", "0"..."9", "-", "_": Character(scalar)
      default: "-"
      }
    }
    guard let first = kept.first else { return "fig" }
    // An id starting with a digit is legal in HTML but awkward in CSS selectors.
    return first.isLetter ? String(kept) : "fig-" + String(kept)
  }

  /// A rough width of `text` at `fontSize` in a sans-serif face: 0.6 em per character, which
  /// slightly overestimates digits and lower-case letters so that layouts err on the roomy side.
  static func estimatedWidth(_ text: String, fontSize: Double) -> Double {
    Double(text.count) * 0.6 * fontSize
  }

  /// The root element of a figure: namespace, class, viewBox, intrinsic size, the accessible name
  /// and description, then `content`.
  static func document(
    id: String, kind: String, width: Double, height: Double,
    title: String, description: String, content: [SVGNode]
  ) -> String {
    let base = identifier(id)
    let w = number(width.rounded(.up))
    let h = number(height.rounded(.up))
    let root = SVGNode.element(
      "svg",
      [
        ("xmlns", "http://www.w3.org/2000/svg"),
        ("class", "fig fig-\(kind)"),
        ("viewBox", "0 0 \(w) \(h)"),
        ("width", w),
        ("height", h),
        ("font-size", "12"),
        ("role", "img"),
        ("aria-labelledby", "\(base)-title \(base)-desc"),
      ],
      [
        .element("title", [("id", "\(base)-title")], [.text(title)]),
        .element("desc", [("id", "\(base)-desc")], [.text(description)]),
      ] + content
    )
    return root.rendered
  }
}
