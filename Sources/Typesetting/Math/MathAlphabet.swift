/// The math font commands (`\mathbf`, `\mathbb`, …). MathML Core ignores every `mathvariant` except
/// `normal`, so styled letters are spelled with Unicode's Mathematical Alphanumeric Symbols (U+1D400…).
enum MathAlphabet: Equatable, Sendable {
  /// `\mathrm`: plain letters, upright.
  case roman
  case bold, italic, script, fraktur, doubleStruck, sansSerif, monospace
  /// `\boldsymbol`: bold italic letters and lower-case Greek, bold upright capital Greek, as in TeX.
  case boldSymbol

  /// Maps one character; anything without a styled form (operators, punctuation) is returned unchanged.
  func map(_ character: Character) -> Character {
    guard character.unicodeScalars.count == 1, let scalar = character.unicodeScalars.first else { return character }
    let value = scalar.value
    let styled: UInt32?
    switch value {
    case 0x41...0x5A: styled = latinStart.map { $0 + value - 0x41 }
    case 0x61...0x7A: styled = latinStart.map { $0 + 26 + value - 0x61 }
    case 0x30...0x39: styled = digitStart.map { $0 + value - 0x30 }
    default:
      styled = Self.greekOffset(value).flatMap { offset in
        greekStart(capital: offset < 26).map { $0 + offset }
      }
    }
    guard let styled else { return character }
    let code = Self.holes[styled] ?? styled
    return Unicode.Scalar(code).map(Character.init) ?? character
  }

  func map(_ text: String) -> String {
    String(text.map(map))
  }

  private var latinStart: UInt32? {
    switch self {
    case .roman: nil
    case .bold: 0x1D400
    case .italic: 0x1D434
    case .boldSymbol: 0x1D468
    case .script: 0x1D49C
    case .fraktur: 0x1D504
    case .doubleStruck: 0x1D538
    case .sansSerif: 0x1D5A0
    case .monospace: 0x1D670
    }
  }

  private var digitStart: UInt32? {
    switch self {
    case .bold, .boldSymbol: 0x1D7CE
    case .doubleStruck: 0x1D7D8
    case .sansSerif: 0x1D7E2
    case .monospace: 0x1D7F6
    case .roman, .italic, .script, .fraktur: nil
    }
  }

  private func greekStart(capital: Bool) -> UInt32? {
    switch self {
    case .bold: 0x1D6A8
    case .italic: 0x1D6E2
    case .boldSymbol: capital ? 0x1D6A8 : 0x1D71C
    default: nil
    }
  }

  /// Position of a Greek letter within each styled Greek block: capitals Α–Ω with ϴ in the gap at 17,
  /// then ∇ (25), small α–ω (26…50), then ∂ ϵ ϑ ϰ ϕ ϱ ϖ.
  private static func greekOffset(_ value: UInt32) -> UInt32? {
    switch value {
    case 0x391...0x3A9 where value != 0x3A2: value - 0x391
    case 0x3F4: 17
    case 0x2207: 25
    case 0x3B1...0x3C9: 26 + value - 0x3B1
    case 0x2202: 51
    case 0x3F5: 52
    case 0x3D1: 53
    case 0x3F0: 54
    case 0x3D5: 55
    case 0x3F1: 56
    case 0x3D6: 57
    default: nil
    }
  }

  /// Letters that were encoded in Letterlike Symbols before the math block existed; their slots are empty.
  private static let holes: [UInt32: UInt32] = [
    0x1D455: 0x210E,  // italic h
    0x1D49D: 0x212C, 0x1D4A0: 0x2130, 0x1D4A1: 0x2131, 0x1D4A3: 0x210B, 0x1D4A4: 0x2110,
    0x1D4A7: 0x2112, 0x1D4A8: 0x2133, 0x1D4AD: 0x211B, 0x1D4BA: 0x212F, 0x1D4BC: 0x210A,
    0x1D4C4: 0x2134,  // script B E F H I L M R e g o
    0x1D506: 0x212D, 0x1D50B: 0x210C, 0x1D50C: 0x2111, 0x1D515: 0x211C, 0x1D51D: 0x2128,  // fraktur C H I R Z
    0x1D53A: 0x2102, 0x1D53F: 0x210D, 0x1D545: 0x2115, 0x1D547: 0x2119, 0x1D548: 0x211A,
    0x1D549: 0x211D, 0x1D551: 0x2124,  // double-struck C H N P Q R Z
  ]
}
