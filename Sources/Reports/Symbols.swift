import Lessons

/// TeX for the lesson's names and numbers, in the lesson's notation.
struct Symbols {
  let notation: Notation
  let format: NumberFormat

  /// `w5` → w_{5}, `h1` → h_{1}, `h1.w.i1` → w_{h1,i1}, `h1.b` → b_{h1}; anything else upright.
  func name(_ s: String) -> String {
    let parts = s.split(separator: ".")
    if parts.count == 3, parts[1] == "w" { return "w_{\(Self.plain(parts[0])),\(Self.plain(parts[2]))}" }
    if parts.count == 2, parts[1] == "b" { return "b_{\(Self.plain(parts[0]))}" }
    let letters = s.prefix { $0.isLetter }
    let rest = s.dropFirst(letters.count)
    if letters.count == 1, !rest.isEmpty, rest.allSatisfy(\.isNumber) { return "\(letters)_{\(rest)}" }
    if s.count == 1, s.first!.isLetter { return s }
    return "\\mathrm{\(Self.plain(Substring(s)))}"
  }

  /// A name safe inside a subscript: letters, digits and `_` kept, the rest dropped.
  static func plain(_ s: Substring) -> String {
    let kept = s.filter { $0.isLetter || $0.isNumber }
    return kept.isEmpty ? "x" : String(kept)
  }

  var netSymbol: String { notation == .za ? "z" : "\\mathit{net}" }
  var outSymbol: String { notation == .za ? "a" : "\\mathit{out}" }

  func net(_ neuron: String) -> String { "\(netSymbol)_{\(Self.plain(Substring(neuron)))}" }
  func out(_ neuron: String) -> String { "\(outSymbol)_{\(Self.plain(Substring(neuron)))}" }
  func delta(_ neuron: String) -> String { "\\delta_{\(Self.plain(Substring(neuron)))}" }
  func target(_ neuron: String) -> String { "t_{\(Self.plain(Substring(neuron)))}" }

  /// A number for TeX: the report's digits, a true minus, and parentheses when negative in a
  /// product. `q` says which value of a pass it is, `sources` what a factor was computed from,
  /// so a worksheet leaves it blank where either is an answer.
  func number(_ x: Double, as q: Quantity? = nil, from sources: [(Quantity, Double)] = [], parenthesized: Bool = false) -> String {
    if let blanks = format.blanks {
      if blanks.entry(q, x) ?? blanks.entry(from: sources) != nil {
        if blanks.hides { return Self.blankBox }
        return "\\boxed{\(Symbols(notation: notation, format: format.untracked).number(x, parenthesized: parenthesized))}"
      }
      blanks.shown(x, q, sources: sources)
    }
    let text = format.untracked.short(x).replacingOccurrences(of: "−", with: "-").replacingOccurrences(of: "×10", with: "\\times 10^{")
    let tex = text.contains("\\times 10^{") ? Self.superscriptToTeX(text) : text
    return parenthesized && x < 0 ? "(\(tex))" : tex
  }

  /// The box a worksheet's working leaves for a number.
  static let blankBox = "\\boxed{\\qquad\\quad}"

  static func superscriptToTeX(_ text: String) -> String {
    let map: [Character: Character] = ["⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8", "⁹": "9", "⁻": "-"]
    var out = ""
    for c in text { out.append(map[c] ?? c) }
    return out + "}"
  }

  func partial(_ of: String, _ by: String) -> String { "\\frac{\\partial \(of)}{\\partial \(by)}" }
}
