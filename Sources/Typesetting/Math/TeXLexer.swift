/// One token of TeX math input, with the character offsets it came from so errors can point at it.
struct TeXToken: Equatable, Sendable {
  enum Kind: Equatable, Sendable {
    /// `\frac` is `command("frac")`; a control symbol such as `\,` is `command(",")`.
    case command(String)
    /// A letter, punctuation or any other character that stands for itself.
    case character(Character)
    /// Digits, with a decimal point only when a digit follows it (so `x = 1.` keeps its full stop).
    case number(String)
    case beginGroup, endGroup, caret, underscore, alignment, prime, tie
    case end
  }

  var kind: Kind
  /// Offsets in characters (grapheme clusters) into the source.
  var range: Range<Int>
}

/// Splits TeX math into tokens on demand; the parser drives it, because `\text{…}` and
/// `\begin{name}` need their argument raw, with spaces, rather than as tokens.
struct TeXLexer {
  let source: [Character]
  private(set) var position = 0

  init(_ text: String) {
    source = Array(text)
  }

  func peek() -> TeXToken {
    var copy = self
    return copy.next()
  }

  mutating func next() -> TeXToken {
    skipSpacesAndComments()
    let start = position
    guard position < source.count else { return TeXToken(kind: .end, range: start..<start) }
    let c = source[position]
    position += 1
    let kind: TeXToken.Kind
    switch c {
    case "\\": kind = .command(readCommandName())
    case "{": kind = .beginGroup
    case "}": kind = .endGroup
    case "^": kind = .caret
    case "_": kind = .underscore
    case "&": kind = .alignment
    case "'": kind = .prime
    case "~": kind = .tie
    case _ where Self.isDigit(c), "." where position < source.count && Self.isDigit(source[position]):
      position -= 1
      kind = .number(readNumber())
    default: kind = .character(c)
    }
    return TeXToken(kind: kind, range: start..<position)
  }

  /// Re-reads a multi-digit number as one digit, as TeX does for `x^10` (which is x¹0) and `\frac12`.
  mutating func takeFirstDigit(of token: TeXToken) -> String {
    position = token.range.lowerBound + 1
    return String(source[token.range.lowerBound])
  }

  /// The raw text of a `{…}` group, braces balanced and `\{` skipped; nil when there is no group.
  mutating func rawGroup() -> String? {
    skipSpacesAndComments()
    guard position < source.count, source[position] == "{" else { return nil }
    var depth = 0
    var index = position
    while index < source.count {
      switch source[index] {
      case "\\": index += 1
      case "{": depth += 1
      case "}":
        depth -= 1
        if depth == 0 {
          let text = String(source[(position + 1)..<index])
          position = index + 1
          return text
        }
      default: break
      }
      index += 1
    }
    return nil
  }

  /// The next character after spaces, without consuming anything (for `\sqrt[` and `\operatorname*`).
  func peekCharacter() -> Character? {
    var copy = self
    copy.skipSpacesAndComments()
    return copy.position < copy.source.count ? copy.source[copy.position] : nil
  }

  mutating func skipCharacter() {
    skipSpacesAndComments()
    position += 1
  }

  /// Skips a row separator's optional spacing such as `\\[2pt]`, which we do not honour.
  mutating func skipOptionalBracket() {
    guard peekCharacter() == "[" else { return }
    skipSpacesAndComments()
    while position < source.count, source[position] != "]" { position += 1 }
    position = min(position + 1, source.count)
  }

  private mutating func readCommandName() -> String {
    guard position < source.count else { return "" }
    let first = source[position]
    guard Self.isLetter(first) else {
      position += 1
      return String(first)
    }
    let start = position
    while position < source.count, Self.isLetter(source[position]) { position += 1 }
    let name = String(source[start..<position])
    // TeX drops the spaces after a control word, so `\alpha b` is two atoms.
    while position < source.count, source[position].isWhitespace { position += 1 }
    return name
  }

  private mutating func readNumber() -> String {
    let start = position
    while position < source.count {
      let c = source[position]
      if Self.isDigit(c) {
        position += 1
      } else if c == ".", position + 1 < source.count, Self.isDigit(source[position + 1]) {
        position += 1
      } else {
        break
      }
    }
    return String(source[start..<position])
  }

  private mutating func skipSpacesAndComments() {
    while position < source.count {
      if source[position].isWhitespace {
        position += 1
      } else if source[position] == "%" {
        while position < source.count, !source[position].isNewline { position += 1 }
      } else {
        return
      }
    }
  }

  private static func isDigit(_ c: Character) -> Bool { c.isASCII && c.isWholeNumber }
  private static func isLetter(_ c: Character) -> Bool { c.isASCII && c.isLetter }
}
