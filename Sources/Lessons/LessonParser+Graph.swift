import Foundation

extension LessonParser {
  /// A `graph` block's body: one definition or setting per line, `#` comments, blank lines ignored.
  ///
  /// - `name = number` declares an input; `name = expression` a computed node.
  /// - Expressions: `+ - * /` (also `− × · ÷`), `^` (or `**`) with a number exponent, unary minus,
  ///   parentheses, and calls of ``GraphFunction``. `^` binds tighter than unary minus
  ///   (`-x^2` is −(x²)) and groups to the right; a unary minus may follow `^` (`x^-1`).
  /// - Settings: `backward: NAME` (the output to differentiate) and `expand: NAME[, NAME…]`.
  ///
  /// Every problem is reported at its exact line and column; parsing goes on with the next line,
  /// and the block is invalid when any error was found.
  mutating func parseGraph(_ text: String, name: String?, start: SourceLocation, block: SourceLocation) -> GraphSpec? {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> [Unicode.Scalar] in
      var scalars = Array(line.unicodeScalars)
      if scalars.last == "\r" { scalars.removeLast() }
      if let hash = scalars.firstIndex(of: "#") { scalars.removeSubrange(hash...) }
      return scalars
    }
    let errorsBefore = diagnostics.count
    func location(_ offset: Int, _ column: Int) -> SourceLocation {
      SourceLocation(file: file, line: start.line + offset, column: start.column + column)
    }

    // Every name defined anywhere in the block, so a name used too early gets a precise message.
    var definedLater: [String: Int] = [:]
    for (offset, line) in lines.enumerated() {
      var lexer = GraphLexer(line)
      if case .name(let n)? = try? lexer.next()?.kind, case .symbol("=")? = try? lexer.next()?.kind, definedLater[n] == nil {
        definedLater[n] = start.line + offset
      }
    }

    var spec = GraphSpec(name: name ?? "graph", definitions: [], output: nil, expand: [])
    var defined: [String: Int] = [:]
    var settingLocations: [(name: String, location: SourceLocation, key: String)] = []
    for (offset, line) in lines.enumerated() {
      var lexer = GraphLexer(line)
      do throws(GraphSyntaxError) {
        let tokens = try lexer.all()
        guard let first = tokens.first else { continue }
        guard case .name(let word) = first.kind, tokens.count >= 2, case .symbol(let s) = tokens[1].kind, s == "=" || s == ":" else {
          throw GraphSyntaxError("a graph line reads `name = expression`, `backward: name` or `expand: name`", column: first.column,
            notes: ["for example `q = x + y`, or `x = -2` for an input"])
        }
        if s == ":" {
          let values = try Self.settingNames(Array(tokens.dropFirst(2)), key: word, keyColumn: first.column)
          switch word {
          case "backward":
            guard values.count == 1 else {
              throw GraphSyntaxError("`backward` takes one name, the output to differentiate", column: tokens[1].column)
            }
            if spec.output != nil { throw GraphSyntaxError("`backward` is given twice", column: first.column) }
            spec.output = values[0].name
          case "expand":
            spec.expand += values.map(\.name)
          default:
            throw GraphSyntaxError("unknown setting `\(word)` in a graph block", column: first.column,
              notes: [closestMatch(to: word, in: ["backward", "expand"]).map { "did you mean `\($0)`?" } ?? "the settings are `backward: NAME` and `expand: NAME`"])
          }
          settingLocations += values.map { ($0.name, location(offset, $0.column), word) }
          continue
        }
        if GraphFunction(word: word) != nil {
          throw GraphSyntaxError("`\(word)` names a function; choose another name", column: first.column)
        }
        if let line = defined[word] {
          throw GraphSyntaxError("`\(word)` is already defined on line \(line)", column: first.column,
            notes: ["each name is defined once; choose a new name for the new value"])
        }
        // Defined even when its expression has an error, so later lines do not report it again.
        let known = defined
        defined[word] = start.line + offset
        let rest = Array(tokens.dropFirst(2))
        guard !rest.isEmpty else {
          throw GraphSyntaxError("`\(word) =` needs a number or an expression after it", column: tokens[1].column + 1)
        }
        var parser = GraphExpressionParser(tokens: rest, endColumn: line.count, defining: word, defined: known, definedLater: definedLater)
        let expression = try parser.parse()
        let body: GraphDefinition.Body
        switch expression {
        case .number(let v): body = .input(v)
        case .negate(.number(let v)): body = .input(-v)
        default: body = .expression(expression)
        }
        spec.definitions.append(GraphDefinition(name: word, body: body, location: location(offset, first.column)))
      } catch {
        diagnostics.append(.error(error.message, at: location(offset, error.column), notes: error.notes))
      }
    }

    for setting in settingLocations where defined[setting.name] == nil {
      let suggestion = closestMatch(to: setting.name, in: Array(defined.keys))
      diagnostics.append(.error("`\(setting.key)` names `\(setting.name)`, which this graph does not define", at: setting.location,
        notes: [suggestion.map { "did you mean `\($0)`?" } ?? "defined: \(spec.definitions.map(\.name).joined(separator: ", "))"]))
    }
    if spec.definitions.isEmpty, diagnostics.count == errorsBefore {
      diagnostics.append(.error("a graph block needs at least one line `name = value`", at: block,
        notes: ["for example `x = -2`, `y = 5`, `f = x * y`"]))
    }
    return diagnostics.count == errorsBefore ? spec : nil
  }

  /// The names after `backward:` or `expand:`, separated by commas.
  static func settingNames(_ tokens: [GraphToken], key: String, keyColumn: Int) throws(GraphSyntaxError) -> [(name: String, column: Int)] {
    var out: [(String, Int)] = []
    var expectName = true
    for token in tokens {
      switch (token.kind, expectName) {
      case (.name(let n), true): out.append((n, token.column)); expectName = false
      case (.symbol(","), false): expectName = true
      default:
        throw GraphSyntaxError(expectName ? "expected a name after `\(key):`" : "names after `\(key):` are separated by commas", column: token.column)
      }
    }
    guard !out.isEmpty, !expectName else {
      throw GraphSyntaxError("expected a name after `\(key):`", column: (tokens.last?.column ?? keyColumn + key.count) + 1)
    }
    return out
  }
}

/// A problem in one line of a graph block; `column` is 0-based within the line.
struct GraphSyntaxError: Error {
  var message: String
  var column: Int
  var notes: [String]
  init(_ message: String, column: Int, notes: [String] = []) {
    self.message = message
    self.column = column
    self.notes = notes
  }
}

struct GraphToken: Equatable {
  enum Kind: Equatable {
    case number(Double, text: String)
    case name(String)
    /// One of `+ - * / ^ ( ) = : ,`, with `−`, `×`, `·`, `÷` and `**` mapped to their ASCII forms.
    case symbol(String)
  }
  var kind: Kind
  /// 0-based, in Unicode scalars.
  var column: Int

  var display: String {
    switch kind {
    case .number(_, let text): text
    case .name(let n): n
    case .symbol(let s): s
    }
  }
}

/// Splits one line of a graph block into tokens.
struct GraphLexer {
  let scalars: [Unicode.Scalar]
  var i = 0
  init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

  static func isNameStart(_ c: Unicode.Scalar) -> Bool { c.properties.isAlphabetic || c == "_" }
  static func isNameContinue(_ c: Unicode.Scalar) -> Bool { isNameStart(c) || ("0"..."9").contains(c) }

  mutating func all() throws(GraphSyntaxError) -> [GraphToken] {
    var out: [GraphToken] = []
    while let t = try next() { out.append(t) }
    return out
  }

  mutating func next() throws(GraphSyntaxError) -> GraphToken? {
    while i < scalars.count, scalars[i] == " " || scalars[i] == "\t" { i += 1 }
    guard i < scalars.count else { return nil }
    let start = i
    let c = scalars[i]
    if Self.isNameStart(c) {
      while i < scalars.count, Self.isNameContinue(scalars[i]) { i += 1 }
      return GraphToken(kind: .name(String(String.UnicodeScalarView(scalars[start..<i]))), column: start)
    }
    if ("0"..."9").contains(c) || (c == "." && i + 1 < scalars.count && ("0"..."9").contains(scalars[i + 1])) {
      func digits() { while i < scalars.count, ("0"..."9").contains(scalars[i]) { i += 1 } }
      digits()
      if i < scalars.count, scalars[i] == "." { i += 1; digits() }
      if i < scalars.count, scalars[i] == "e" || scalars[i] == "E" {
        var j = i + 1
        if j < scalars.count, scalars[j] == "+" || scalars[j] == "-" { j += 1 }
        if j < scalars.count, ("0"..."9").contains(scalars[j]) { i = j; digits() }
      }
      let text = String(String.UnicodeScalarView(scalars[start..<i]))
      guard let v = Double(text), v.isFinite else { throw GraphSyntaxError("`\(text)` is not a number", column: start) }
      return GraphToken(kind: .number(v, text: text), column: start)
    }
    i += 1
    switch c {
    case "+", "-", "/", "^", "(", ")", "=", ":", ",": return GraphToken(kind: .symbol(String(c)), column: start)
    case "*":
      if i < scalars.count, scalars[i] == "*" { i += 1; return GraphToken(kind: .symbol("^"), column: start) }
      return GraphToken(kind: .symbol("*"), column: start)
    case "\u{2212}": return GraphToken(kind: .symbol("-"), column: start)
    case "\u{00D7}", "\u{00B7}", "\u{22C5}": return GraphToken(kind: .symbol("*"), column: start)
    case "\u{00F7}": return GraphToken(kind: .symbol("/"), column: start)
    default:
      throw GraphSyntaxError("unexpected `\(c)` in an expression", column: start,
        notes: ["expressions use names, numbers, + - * / ^, parentheses and functions such as exp(…)"])
    }
  }
}

/// Recursive descent, lowest precedence first:
///
///     sum     = product (("+" | "-") product)*
///     product = unary (("*" | "/") unary)*
///     unary   = "-" unary | "+" unary | power
///     power   = primary ("^" unary)?          (right-associative through `unary`)
///     primary = number | name | function "(" sum ")" | "(" sum ")"
struct GraphExpressionParser {
  let tokens: [GraphToken]
  /// The column just past the line's last character, for errors at the end of the line.
  let endColumn: Int
  /// The name being defined, which its own expression may not use.
  let defining: String?
  let defined: [String: Int]
  let definedLater: [String: Int]
  var index = 0
  /// How deeply the parse is nested (parentheses, calls, unary signs, exponents) and how many
  /// operations the expression has so far. The parser, the graph's construction and every walk
  /// of the tree recurse, so both are bounded: a flat product of n factors is a tree n deep.
  var depth = 0
  var operations = 0
  static let maximumDepth = 32
  static let maximumOperations = 1_000

  init(tokens: [GraphToken], endColumn: Int, defining: String? = nil, defined: [String: Int], definedLater: [String: Int]) {
    self.tokens = tokens
    self.endColumn = endColumn
    self.defining = defining
    self.defined = defined
    self.definedLater = definedLater
  }

  var peek: GraphToken? { index < tokens.count ? tokens[index] : nil }

  func isSymbol(_ s: String) -> Bool {
    if case .symbol(s)? = peek?.kind { return true }
    return false
  }

  mutating func parse() throws(GraphSyntaxError) -> GraphExpression {
    let e = try sum()
    if let extra = peek {
      if case .symbol(")") = extra.kind { throw GraphSyntaxError("this `)` has no matching `(`", column: extra.column) }
      var notes: [String] = []
      switch extra.kind {
      case .name, .number: notes = ["write `*` for a product, e.g. `2 * x`"]
      case .symbol("("): notes = ["write `*` for a product, e.g. `2 * (x + y)`"]
      default: break
      }
      throw GraphSyntaxError("unexpected `\(extra.display)` after a complete expression", column: extra.column, notes: notes)
    }
    return e
  }

  mutating func sum() throws(GraphSyntaxError) -> GraphExpression {
    var left = try product()
    while let t = peek, case .symbol(let s) = t.kind, s == "+" || s == "-" {
      index += 1
      try count(at: t)
      left = .binary(s == "+" ? .add : .subtract, left, try product())
    }
    return left
  }

  mutating func product() throws(GraphSyntaxError) -> GraphExpression {
    var left = try unary()
    while let t = peek, case .symbol(let s) = t.kind, s == "*" || s == "/" {
      index += 1
      try count(at: t)
      left = .binary(s == "*" ? .multiply : .divide, left, try unary())
    }
    return left
  }

  /// One more node, made at token `t`; an error past ``maximumOperations``.
  mutating func count(at t: GraphToken) throws(GraphSyntaxError) {
    operations += 1
    guard operations <= Self.maximumOperations else {
      throw GraphSyntaxError("this expression has more than \(Self.maximumOperations) operations", column: t.column,
        notes: ["split it over several lines, naming its parts: `p1 = a * b * c`, then `p = p1 * d`"])
    }
  }

  mutating func unary() throws(GraphSyntaxError) -> GraphExpression {
    // Every nesting (parentheses, calls, signs, exponents) passes through here.
    depth += 1
    defer { depth -= 1 }
    if depth > Self.maximumDepth, let t = peek { throw Self.tooDeep(t) }
    if let t = peek, isSymbol("-") { index += 1; try count(at: t); return .negate(try unary()) }
    if isSymbol("+") { index += 1; return try unary() }
    return try power()
  }

  // The functions on the recursive path (unary, power, primary, call, sum, product) stay small:
  // a debug build gives every local of a function its own stack slot, so the messages are built
  // in the functions below, off the path, and 32 levels fit a 512 KB thread (about 8 KB a level there).

  @inline(never)
  static func tooDeep(_ t: GraphToken) -> GraphSyntaxError {
    GraphSyntaxError("the expression nests more than \(maximumDepth) deep here", column: t.column,
      notes: ["name the inner parts on lines of their own: `u = -x`, then `v = -u`"])
  }

  mutating func power() throws(GraphSyntaxError) -> GraphExpression {
    let base = try primary()
    guard let caret = peek, isSymbol("^") else { return base }
    index += 1
    try count(at: caret)
    let column = peek?.column ?? endColumn
    let exponent = try unary()
    guard let c = Self.constantValue(exponent), c.isFinite else { throw Self.notANumber(column) }
    return .power(base, exponent: c)
  }

  @inline(never)
  static func notANumber(_ column: Int) -> GraphSyntaxError {
    GraphSyntaxError("the exponent must be a number", column: column,
      notes: ["a power with a computed exponent is not supported; write it as exp(y * log(x))"])
  }

  mutating func primary() throws(GraphSyntaxError) -> GraphExpression {
    guard let t = peek else { throw missingOperand() }
    index += 1
    switch t.kind {
    case .number(let v, _): return .number(v)
    case .symbol("("):
      let inner = try sum()
      guard isSymbol(")") else { throw unclosed(t, function: nil) }
      index += 1
      return inner
    case .symbol: throw missingOperand(before: t)
    case .name(let word):
      if isSymbol("(") { return try call(word, at: t) }
      return try name(word, at: t)
    }
  }

  mutating func call(_ word: String, at t: GraphToken) throws(GraphSyntaxError) -> GraphExpression {
    guard let function = GraphFunction(word: word) else { throw unknownFunction(word, at: t) }
    let open = peek!
    index += 1
    try count(at: t)
    let argument = try sum()
    guard isSymbol(")") else { throw unclosed(open, function: word) }
    index += 1
    return .call(function, argument)
  }

  @inline(never)
  func missingOperand(before t: GraphToken? = nil) -> GraphSyntaxError {
    guard let t, case .symbol(let s) = t.kind else {
      return GraphSyntaxError("the expression ends where a number, a name or `(` should be", column: endColumn)
    }
    return GraphSyntaxError("expected a number, a name or `(` before `\(s)`", column: t.column)
  }

  /// The `(` at `open` (of a call of `function`, if given) has no `)` where the group ends.
  @inline(never)
  func unclosed(_ open: GraphToken, function: String?) -> GraphSyntaxError {
    if let function, isSymbol(",") { return GraphSyntaxError("`\(function)` takes one argument", column: peek!.column) }
    if let other = peek {
      let what = function.map { "`\($0)(`" } ?? "the `(`"
      return GraphSyntaxError("expected `)` to close \(what) at column \(open.column + 1), found `\(other.display)`", column: other.column)
    }
    return GraphSyntaxError("this `(` is never closed", column: open.column,
      notes: [function.map { "add `)` after the argument of `\($0)`" } ?? "add `)` where the group ends"])
  }

  @inline(never)
  func unknownFunction(_ word: String, at t: GraphToken) -> GraphSyntaxError {
    let all = GraphFunction.allCases.map(\.rawValue)
    return GraphSyntaxError("unknown function `\(word)`", column: t.column,
      notes: [closestMatch(to: word, in: all).map { "did you mean `\($0)`?" } ?? "the functions are \(all.joined(separator: ", "))"])
  }

  @inline(never)
  func name(_ word: String, at t: GraphToken) throws(GraphSyntaxError) -> GraphExpression {
    if GraphFunction(word: word) != nil {
      throw GraphSyntaxError("`\(word)` is a function: write `\(word)(…)`", column: t.column)
    }
    guard defined[word] != nil else {
      if word == defining {
        throw GraphSyntaxError("`\(word)` cannot be computed from itself", column: t.column,
          notes: ["a graph has no cycles: give the new value a new name, e.g. `\(word)2 = \(word) + 1`"])
      }
      if let line = definedLater[word] {
        throw GraphSyntaxError("`\(word)` is used before it is defined on line \(line)", column: t.column,
          notes: ["move its definition above this line"])
      }
      throw GraphSyntaxError("unknown name `\(word)`", column: t.column,
        notes: [closestMatch(to: word, in: Array(defined.keys)).map { "did you mean `\($0)`?" } ?? "define it above, e.g. `\(word) = 1`"])
    }
    return .name(word)
  }

  /// The value of an expression of numbers only, or nil when it reads a name.
  static func constantValue(_ e: GraphExpression) -> Double? {
    switch e {
    case .number(let v): return v
    case .name, .call: return nil
    case .negate(let x): return constantValue(x).map { -$0 }
    case .power(let b, let c): return constantValue(b).map { Foundation.pow($0, c) }
    case .binary(let op, let l, let r):
      guard let a = constantValue(l), let b = constantValue(r) else { return nil }
      switch op {
      case .add: return a + b
      case .subtract: return a - b
      case .multiply: return a * b
      case .divide: return a / b
      }
    }
  }
}
