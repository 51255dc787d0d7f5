/// A depth guard run on YAML text before Yams sees it.
///
/// libyaml stops at 1,000 levels, but Yams builds its nodes recursively and so does every walk of
/// them: 1,000 levels of `[[[…]]]` or `- - - …` overflow a 512 KB thread's stack. No lesson needs
/// more than a handful of levels.
enum YAMLNesting {
  static let maximumDepth = 100

  static func error(at location: SourceLocation) -> Diagnostic {
    .error("this YAML nests more than \(maximumDepth) deep here", at: location,
      notes: ["lesson blocks need a few levels: lists of numbers, lists of rows, a layer's settings"])
  }

  /// The 1-based line and column (in Unicode scalars) where `text` first nests deeper than
  /// ``maximumDepth``, counting flow collections (`[`, `{`), `- ` entries that open a sequence on
  /// the same line, and indentation levels; nil when it does not. Quoted strings and comments are
  /// skipped; the count is an upper bound on the depth Yams would build.
  static func tooDeep(_ text: String) -> (line: Int, column: Int)? {
    var indents: [Int] = []
    var flow = 0
    for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let scalars = Array(line.unicodeScalars)
      var i = 0
      while i < scalars.count, scalars[i] == " " { i += 1 }
      if i == scalars.count || scalars[i] == "#" { continue }
      // Block structure: one level per indentation deeper than the lines around it.
      if flow == 0 {
        while let last = indents.last, last >= i { indents.removeLast() }
        indents.append(i)
      }
      var quote: Unicode.Scalar?
      var previous: Unicode.Scalar = " "
      var dashes = 0
      while i < scalars.count {
        let c = scalars[i]
        if let q = quote {
          if c == "\\" && q == "\"" { i += 1 } else if c == q { quote = nil }
        } else {
          switch c {
          case "\"", "'": quote = c
          case "#" where previous == " " || previous == "\t": i = scalars.count; continue
          case "[", "{": flow += 1
          case "]", "}": flow = max(flow - 1, 0)
          case "-" where flow == 0 && (previous == " " || previous == "-") && i + 1 < scalars.count && scalars[i + 1] == " ":
            dashes += 1
          default: break
          }
          if indents.count + flow + dashes > maximumDepth { return (offset + 1, i + 1) }
        }
        previous = c
        i += 1
      }
    }
    return nil
  }
}
