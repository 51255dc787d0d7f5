/// Why a formula could not be parsed, and where.
struct TeXParseError: Error, Equatable {
  var message: String
  var offset: Int
}

/// Recursive-descent parser from TeX math to `MathNode`. Unknown commands become `.error` nodes in
/// place; broken structure (an unclosed `{`, `\left` without `\right`) throws `TeXParseError`.
struct TeXParser {
  private var lexer: TeXLexer
  private var depth = 0
  /// The closing bracket of `\sqrt[…]` while its index is being parsed.
  private var closer: Character?
  /// Deep enough for any real formula, shallow enough that the recursion cannot exhaust a thread's stack.
  private static let maximumDepth = 60

  init(_ source: String) {
    lexer = TeXLexer(source)
  }

  mutating func parse() throws -> MathNode {
    let items = try parseRow()
    let token = lexer.next()
    guard token.kind == .end else { throw failure("Unexpected \(describe(token))", token) }
    return .row(items)
  }

  // MARK: - Rows and atoms

  /// Atoms up to a `}`, `&`, `\\`, `\right`, `\middle`, `\end` or the end, which it leaves for the caller.
  /// Matching `( )`, `[ ]`, `\{ \}`, `| |` are gathered into `.fencePair` so a script after the
  /// closer applies to the whole group; an unmatched fence stays a plain operator.
  private mutating func parseRow() throws -> [MathNode] {
    depth += 1
    defer { depth -= 1 }
    guard depth <= Self.maximumDepth else { throw failure("Formula is nested too deeply", lexer.peek()) }
    var items: [MathNode] = []
    var openFences: [(close: String, index: Int)] = []
    while true {
      let token = lexer.peek()
      switch token.kind {
      case .end, .endGroup, .alignment: return items
      case .command(let name) where Self.terminators.contains(name): return items
      case .character(let c) where c == closer && !openFences.contains(where: { $0.close == String(c) }):
        return items
      default: break
      }
      var node = try parsePrimary()
      if case .op(let text, let mathClass) = node, mathClass != .rel {
        let isToggle = text == "|" || text == "‖"
        if let match = openFences.lastIndex(where: { $0.close == text }),
          mathClass == .close || (isToggle && mathClass != .open)
        {
          let start = openFences[match].index
          openFences.removeSubrange(match...)
          var inner = Array(items[start...])
          items.removeSubrange(start...)
          if case .op(let opening, _) = inner[0] { inner[0] = .op(opening, .open) }
          node = .fencePair(inner + [.op(text, .close)])
        } else if let close = Self.pairs[text], mathClass == .open || isToggle, !isScripted() {
          openFences.append((close, items.count))
          items.append(.op(text, .open))
          continue
        }
      }
      items.append(try parseScripts(on: node))
    }
  }

  private static let terminators: Set<String> = ["right", "middle", "end", "\\", "cr"]
  private static let pairs: [String: String] = [
    "(": ")", "[": "]", "{": "}", "⟨": "⟩", "⌊": "⌋", "⌈": "⌉", "|": "|", "‖": "‖",
  ]

  private func isScripted() -> Bool {
    let kind = lexer.peek().kind
    return kind == .caret || kind == .underscore || kind == .prime
  }

  /// The `^`, `_` and `'` after a base (TeX allows them in either order, once each).
  private mutating func parseScripts(on base: MathNode) throws -> MathNode {
    var sub: MathNode?
    var sup: MathNode?
    var primes = 0
    var limits: Bool?
    loop: while true {
      let token = lexer.peek()
      switch token.kind {
      case .caret:
        _ = lexer.next()
        guard sup == nil else { throw failure("Double superscript", token) }
        sup = try parseArgument()
      case .underscore:
        _ = lexer.next()
        guard sub == nil else { throw failure("Double subscript", token) }
        sub = try parseArgument()
      case .prime:
        _ = lexer.next()
        primes += 1
      case .command("limits"), .command("nolimits"):
        _ = lexer.next()
        limits = token.kind == .command("limits")
      default:
        break loop
      }
    }
    var node = base
    if primes > 0 { node = .primed(node, count: primes) }
    if sub != nil || sup != nil { node = .scripts(base: node, sub: sub, sup: sup, limits: limits) }
    return node
  }

  /// One argument: a `{group}`, a single digit, or a single symbol or command (`x^\top`, `\frac12`).
  private mutating func parseArgument() throws -> MathNode {
    // Arguments nest without a row in between (`\sqrt\sqrt\sqrt x`, `\hat\hat x`): count them too.
    depth += 1
    defer { depth -= 1 }
    let token = lexer.peek()
    guard depth <= Self.maximumDepth else { throw failure("Formula is nested too deeply", token) }
    switch token.kind {
    case .number(let digits) where digits.count > 1:
      return .number(lexer.takeFirstDigit(of: token))
    case .end, .endGroup, .alignment, .caret, .underscore, .prime:
      throw failure("Missing argument before \(describe(token))", token)
    case .command(let name) where Self.terminators.contains(name):
      throw failure("Missing argument before \(describe(token))", token)
    default:
      return try parsePrimary()
    }
  }

  /// One atom without its scripts.
  private mutating func parsePrimary() throws -> MathNode {
    let peeked = lexer.peek()
    if peeked.kind == .caret || peeked.kind == .underscore { return .group([]) }  // `{}^2`
    let token = lexer.next()
    switch token.kind {
    case .number(let digits): return .number(digits)
    case .character(let c): return node(for: c)
    case .tie: return .text("\u{A0}")
    case .prime: return .op("′", .ord)
    case .beginGroup:
      let saved = closer
      closer = nil
      defer { closer = saved }
      let items = try parseRow()
      try expect(.endGroup, "Missing } for the { at offset \(token.range.lowerBound)", token)
      return .group(items)
    case .command(let name): return try parseCommand(name, token)
    case .endGroup, .end, .alignment, .caret, .underscore:
      throw failure("Unexpected \(describe(token))", token)
    }
  }

  private mutating func node(for c: Character) -> MathNode {
    switch c {
    case "-": return .op("−", .bin)
    case "+": return .op("+", .bin)
    case "*": return .op("∗", .bin)
    case ":" where lexer.peek().kind == .character("="):
      _ = lexer.next()
      return .op(":=", .rel)
    case "=", "<", ">", ":": return .op(String(c), .rel)
    case ",", ";": return .op(String(c), .punct)
    case "(", "[": return .op(String(c), .open)
    case ")", "]", "!", "?": return .op(String(c), .close)
    case "|", "/", ".", "@", "\"": return .op(String(c), .ord)
    case "#", "$", "\\": return .error(String(c))
    default:
      if let command = TeXCommand.byCharacter[c] {
        switch command {
        case .identifier(let text): return .identifier(text, upright: false)
        case .upright(let text): return .identifier(text, upright: true)
        case .op(let text, let mathClass): return .op(text, mathClass)
        case .largeOp(let text, let limits): return .largeOp(text, limits: limits)
        default: break
        }
      }
      if c.isLetter { return .identifier(String(c), upright: false) }
      if c.isNumber { return .number(String(c)) }
      return .op(String(c), .ord)
    }
  }

  // MARK: - Commands

  private mutating func parseCommand(_ name: String, _ token: TeXToken) throws -> MathNode {
    guard let command = TeXCommand.table[name] else { return .error("\\" + name) }
    switch command {
    case .identifier(let text): return .identifier(text, upright: false)
    case .upright(let text): return .identifier(text, upright: true)
    case .op(let text, let mathClass): return .op(text, mathClass)
    case .largeOp(let text, let limits): return .largeOp(text, limits: limits)
    case .function(let text, let limits): return .function(text, limits: limits)
    case .space(let width): return .space(width)
    case .text(let alphabet):
      let text = try textArgument(token)
      return .text(alphabet?.map(text) ?? text)
    case .font(let alphabet): return applying(alphabet, to: try parseArgument())
    case .accent(let mark, let stretchy, let under):
      return .accent(try parseArgument(), mark: mark, stretchy: stretchy, under: under)
    case .brace(let over): return .brace(try parseArgument(), over: over)
    case .line(let over): return .line(try parseArgument(), over: over)
    case .fraction(let style): return .fraction(try parseArgument(), try parseArgument(), style)
    case .binomial: return .binomial(try parseArgument(), try parseArgument())
    case .sqrt:
      var index: MathNode?
      if lexer.peekCharacter() == "[" {
        lexer.skipCharacter()
        let saved = closer
        closer = "]"
        let items = try parseRow()
        closer = saved
        try expect(.character("]"), "Missing ] after \\sqrt[", token)
        index = .group(items)
      }
      return .root(try parseArgument(), index: index)
    case .left: return try parseFenced(token)
    case .big(let size):
      let delimiter = try parseDelimiter(after: token)
      let mathClass: MathClass = name.hasSuffix("l") ? .open : name.hasSuffix("r") ? .close : .ord
      return .sizedDelimiter(delimiter, size: size, mathClass)
    case .operatorName:
      var limits = false
      if lexer.peekCharacter() == "*" {
        lexer.skipCharacter()
        limits = true
      }
      return .function(try textArgument(token), limits: limits)
    case .color:
      guard let color = lexer.rawGroup(), !color.isEmpty, color.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "#" })
      else { throw failure("\\\(name) needs a colour name such as {red} or {#0a7}", token) }
      if lexer.peek().kind == .beginGroup { return .color(color, try parseArgument()) }
      return .color(color, .row(try parseRow()))  // a switch: colours the rest of the group
    case .style(let display): return .style(display: display, .row(try parseRow()))
    case .boxed: return .boxed(try parseArgument())
    case .begin: return try parseEnvironment(token)
    case .limits: return .error("\\" + name)
    case .ignored: return .row([])
    case .middle, .right, .end, .newline: throw failure("Unexpected \\\(name)", token)
    }
  }

  /// `\left( … \middle| … \right)`.
  private mutating func parseFenced(_ left: TeXToken) throws -> MathNode {
    let open = try parseDelimiter(after: left)
    var parts: [MathNode] = []
    var middles: [String] = []
    while true {
      parts.append(.row(try parseRow()))
      let token = lexer.next()
      switch token.kind {
      case .command("middle"): middles.append(try parseDelimiter(after: token))
      case .command("right"):
        return .fenced(open: open, close: try parseDelimiter(after: token), parts: parts, middles: middles)
      default: throw failure("\\left without a matching \\right", left)
      }
    }
  }

  private mutating func parseDelimiter(after command: TeXToken) throws -> String {
    let token = lexer.next()
    switch token.kind {
    case .character(let c):
      if let delimiter = TeXCommand.delimiterCharacters[c] { return delimiter }
    case .command(let name):
      switch TeXCommand.table[name] {
      case .op(let text, let mathClass) where mathClass != .bin && mathClass != .inner && mathClass != .punct:
        return text
      default: break
      }
    default: break
    }
    throw failure("Missing delimiter after \(describe(command))", command)
  }

  /// `\begin{name} cell & cell \\ … \end{name}`.
  private mutating func parseEnvironment(_ begin: TeXToken) throws -> MathNode {
    guard let name = lexer.rawGroup() else { throw failure("\\begin needs an environment name", begin) }
    var environment = TeXCommand.environments[name]
    if name == "array" {
      let spec = lexer.rawGroup() ?? ""
      environment = .array(spec.compactMap { ["l": .left, "c": .center, "r": .right][$0] })
    }
    guard let environment else { throw failure("Unknown environment \(name)", begin) }
    var rows: [[MathNode]] = []
    var cells: [MathNode] = []
    while true {
      cells.append(.row(try parseRow()))
      let token = lexer.next()
      switch token.kind {
      case .alignment: continue
      case .command("\\"), .command("cr"):
        rows.append(cells)
        cells = []
        lexer.skipOptionalBracket()
      case .command("end"):
        guard lexer.rawGroup() == name else { throw failure("\\end does not match \\begin{\(name)}", token) }
        if cells != [.row([])] || rows.isEmpty { rows.append(cells) }  // a trailing \\ adds no row
        return .table(rows, environment)
      default: throw failure("Missing \\end{\(name)}", begin)
      }
    }
  }

  /// The argument of `\text` and `\operatorname`: raw text, with TeX's text-mode escapes resolved.
  private mutating func textArgument(_ command: TeXToken) throws -> String {
    let raw: String
    if let group = lexer.rawGroup() {
      raw = group
    } else {
      let token = lexer.next()
      guard case .character(let c) = token.kind else {
        throw failure("Missing argument for \(describe(command))", command)
      }
      raw = String(c)
    }
    var text = ""
    var characters = raw[...]
    while let c = characters.popFirst() {
      switch c {
      case "{", "}": break
      case "~": text.append("\u{A0}")
      case "\\":
        let name = characters.prefix(while: { $0.isASCII && $0.isLetter })
        if name.isEmpty {
          if let escaped = characters.popFirst() {
            text += [",": "\u{2009}", ";": " ", ":": " ", "!": "", "\\": ""][escaped] ?? String(escaped)
          }
        } else {
          characters = characters.dropFirst(name.count)
          text += ["quad": "\u{2003}", "qquad": "\u{2003}\u{2003}", "textbackslash": "\\"][String(name)] ?? "\\" + name
        }
      default: text.append(c.isWhitespace ? " " : c)
      }
    }
    return text
  }

  // MARK: - Helpers

  /// `\mathbf{…}` and friends restyle letters and digits throughout their argument; `\mathrm{ReLU}` and
  /// other runs of letters become one identifier, as a word rather than a product of variables.
  private func applying(_ alphabet: MathAlphabet, to node: MathNode) -> MathNode {
    func apply(_ node: MathNode) -> MathNode { applying(alphabet, to: node) }
    func applyAll(_ nodes: [MathNode]) -> [MathNode] {
      var merged: [MathNode] = []
      for node in nodes.map(apply) {
        if case .identifier(let next, _) = node, case .identifier(let previous, _)? = merged.last {
          merged[merged.count - 1] = .identifier(previous + next, upright: alphabet == .roman)
        } else {
          merged.append(node)
        }
      }
      return merged
    }
    switch node {
    case .identifier(let text, _): return .identifier(alphabet.map(text), upright: alphabet == .roman)
    case .number(let digits): return .number(alphabet.map(digits))
    case .group(let items): return .group(applyAll(items))
    case .fencePair(let items): return .fencePair(applyAll(items))
    case .row(let items): return .row(applyAll(items))
    case .scripts(let base, let sub, let sup, let limits):
      return .scripts(base: apply(base), sub: sub.map(apply), sup: sup.map(apply), limits: limits)
    case .primed(let base, let count): return .primed(apply(base), count: count)
    case .fraction(let top, let bottom, let style): return .fraction(apply(top), apply(bottom), style)
    case .accent(let base, let mark, let stretchy, let under):
      return .accent(apply(base), mark: mark, stretchy: stretchy, under: under)
    case .color(let color, let body): return .color(color, apply(body))
    case .line(let base, let over): return .line(apply(base), over: over)
    case .root(let base, let index): return .root(apply(base), index: index)
    case .boxed(let body): return .boxed(apply(body))
    default: return node
    }
  }

  private mutating func expect(_ kind: TeXToken.Kind, _ message: String, _ origin: TeXToken) throws {
    let token = lexer.next()
    guard token.kind == kind else { throw failure(message, origin) }
  }

  private func failure(_ message: String, _ token: TeXToken) -> TeXParseError {
    TeXParseError(message: message, offset: token.range.lowerBound)
  }

  private func describe(_ token: TeXToken) -> String {
    switch token.kind {
    case .command(let name): "\\" + name
    case .character(let c): "'\(c)'"
    case .number(let digits): digits
    case .beginGroup: "{"
    case .endGroup: "}"
    case .caret: "^"
    case .underscore: "_"
    case .alignment: "&"
    case .prime: "'"
    case .tie: "~"
    case .end: "end of formula"
    }
  }
}
