/// What a TeX control sequence means. Kept as data in `TeXCommand.table`, so supporting a new symbol
/// is one line and the parser only has a case per kind of command.
enum TeXCommand: Equatable, Sendable {
  case identifier(String)
  /// An identifier that stays upright, such as Δ or ∇ (TeX sets upper-case Greek roman).
  case upright(String)
  case op(String, MathClass)
  case largeOp(String, limits: Bool)
  case function(String, limits: Bool)
  case space(String)
  case text(MathAlphabet?)
  case font(MathAlphabet)
  case accent(String, stretchy: Bool, under: Bool)
  case brace(over: Bool)
  case line(over: Bool)
  case fraction(FractionStyle)
  case binomial, sqrt, left, middle, right
  case big(String)
  case operatorName, color, boxed, begin, end, newline
  case style(display: Bool)
  case limits(Bool)
  /// Accepted and dropped: `\hline`, `\nonumber`.
  case ignored
}

extension TeXCommand {
  static let table: [String: TeXCommand] = {
    var table: [String: TeXCommand] = [:]
    for (name, letter) in greek { table[name] = .identifier(letter) }
    for (name, letter) in capitalGreek { table[name] = .upright(letter) }
    for (name, text) in relations { table[name] = .op(text, .rel) }
    for (name, text) in binaries { table[name] = .op(text, .bin) }
    for (name, text) in opening { table[name] = .op(text, .open) }
    for (name, text) in closing { table[name] = .op(text, .close) }
    for name in plainFunctions { table[name] = .function(name, limits: false) }
    for name in limitFunctions { table[name] = .function(name, limits: true) }
    for (name, text) in [("argmax", "arg max"), ("argmin", "arg min"), ("liminf", "lim inf"), ("limsup", "lim sup")] {
      table[name] = .function(text, limits: true)
    }
    for (name, value) in others { table[name] = value }
    return table
  }()

  /// Characters typed directly (`≤`, `α`) mean the same as their command.
  static let byCharacter: [Character: TeXCommand] = {
    var map: [Character: TeXCommand] = [:]
    for (_, command) in table {
      switch command {
      case .identifier(let text), .upright(let text), .op(let text, _), .largeOp(let text, _):
        if text.count == 1, map[text.first!] == nil { map[text.first!] = command }
      default: break
      }
    }
    return map
  }()

  static let greek: [(String, String)] = [
    ("alpha", "α"), ("beta", "β"), ("gamma", "γ"), ("delta", "δ"), ("epsilon", "ϵ"), ("varepsilon", "ε"),
    ("zeta", "ζ"), ("eta", "η"), ("theta", "θ"), ("vartheta", "ϑ"), ("iota", "ι"), ("kappa", "κ"),
    ("lambda", "λ"), ("mu", "μ"), ("nu", "ν"), ("xi", "ξ"), ("omicron", "ο"), ("pi", "π"), ("varpi", "ϖ"),
    ("rho", "ρ"), ("varrho", "ϱ"), ("sigma", "σ"), ("varsigma", "ς"), ("tau", "τ"), ("upsilon", "υ"),
    ("phi", "ϕ"), ("varphi", "φ"), ("chi", "χ"), ("psi", "ψ"), ("omega", "ω"),
    ("partial", "∂"), ("infty", "∞"), ("ell", "ℓ"), ("hbar", "ℏ"), ("top", "⊤"), ("bot", "⊥"),
    ("emptyset", "∅"), ("varnothing", "∅"), ("forall", "∀"), ("exists", "∃"), ("neg", "¬"), ("lnot", "¬"),
    ("Re", "ℜ"), ("Im", "ℑ"), ("aleph", "ℵ"),
  ]

  static let capitalGreek: [(String, String)] = [
    ("Gamma", "Γ"), ("Delta", "Δ"), ("Theta", "Θ"), ("Lambda", "Λ"), ("Xi", "Ξ"), ("Pi", "Π"),
    ("Sigma", "Σ"), ("Upsilon", "Υ"), ("Phi", "Φ"), ("Psi", "Ψ"), ("Omega", "Ω"), ("nabla", "∇"),
  ]

  static let relations: [(String, String)] = [
    ("neq", "≠"), ("ne", "≠"), ("approx", "≈"), ("le", "≤"), ("leq", "≤"), ("ge", "≥"), ("geq", "≥"),
    ("ll", "≪"), ("gg", "≫"), ("equiv", "≡"), ("propto", "∝"), ("sim", "∼"), ("simeq", "≃"), ("cong", "≅"),
    ("in", "∈"), ("notin", "∉"), ("ni", "∋"), ("subset", "⊂"), ("subseteq", "⊆"), ("supset", "⊃"),
    ("supseteq", "⊇"), ("to", "→"), ("rightarrow", "→"), ("gets", "←"), ("leftarrow", "←"),
    ("leftrightarrow", "↔"), ("mapsto", "↦"), ("Rightarrow", "⇒"), ("Leftarrow", "⇐"),
    ("Leftrightarrow", "⇔"), ("implies", "⟹"), ("iff", "⟺"), ("longrightarrow", "⟶"),
    ("longmapsto", "⟼"), ("uparrow", "↑"), ("downarrow", "↓"), ("mid", "∣"), ("parallel", "∥"),
    ("perp", "⟂"), ("coloneqq", "≔"), ("triangleq", "≜"), ("doteq", "≐"), ("lt", "<"), ("gt", ">"),
  ]

  static let binaries: [(String, String)] = [
    ("cdot", "⋅"), ("times", "×"), ("div", "÷"), ("pm", "±"), ("mp", "∓"), ("odot", "⊙"),
    ("otimes", "⊗"), ("oplus", "⊕"), ("ominus", "⊖"), ("oslash", "⊘"), ("circ", "∘"), ("bullet", "∙"),
    ("ast", "∗"), ("star", "⋆"), ("cup", "∪"), ("cap", "∩"), ("setminus", "∖"), ("wedge", "∧"),
    ("land", "∧"), ("vee", "∨"), ("lor", "∨"), ("diamond", "⋄"),
  ]

  static let opening: [(String, String)] = [
    ("{", "{"), ("lbrace", "{"), ("langle", "⟨"), ("lvert", "|"), ("lVert", "‖"), ("lfloor", "⌊"),
    ("lceil", "⌈"), ("lbrack", "["),
  ]

  static let closing: [(String, String)] = [
    ("}", "}"), ("rbrace", "}"), ("rangle", "⟩"), ("rvert", "|"), ("rVert", "‖"), ("rfloor", "⌋"),
    ("rceil", "⌉"), ("rbrack", "]"),
  ]

  static let plainFunctions = [
    "arccos", "arcsin", "arctan", "arg", "cos", "cosh", "cot", "coth", "csc", "deg", "dim", "exp", "hom",
    "ker", "lg", "ln", "log", "sec", "sin", "sinh", "tan", "tanh",
  ]

  static let limitFunctions = ["det", "gcd", "inf", "lim", "max", "min", "Pr", "sup"]

  static let others: [(String, TeXCommand)] = [
    ("|", .op("‖", .ord)), ("vert", .op("|", .ord)), ("Vert", .op("‖", .ord)), ("prime", .op("′", .ord)),
    ("colon", .op(":", .punct)), ("%", .op("%", .ord)), ("$", .op("$", .ord)), ("&", .op("&", .ord)),
    ("#", .op("#", .ord)), ("_", .op("_", .ord)), ("backslash", .op("\\", .ord)),
    ("ldots", .op("…", .inner)), ("dots", .op("…", .inner)), ("cdots", .op("⋯", .inner)),
    ("vdots", .op("⋮", .ord)), ("ddots", .op("⋱", .inner)),
    ("sum", .largeOp("∑", limits: true)), ("prod", .largeOp("∏", limits: true)),
    ("coprod", .largeOp("∐", limits: true)), ("bigcup", .largeOp("⋃", limits: true)),
    ("bigcap", .largeOp("⋂", limits: true)), ("bigoplus", .largeOp("⨁", limits: true)),
    ("bigotimes", .largeOp("⨂", limits: true)), ("bigodot", .largeOp("⨀", limits: true)),
    ("bigvee", .largeOp("⋁", limits: true)), ("bigwedge", .largeOp("⋀", limits: true)),
    ("int", .largeOp("∫", limits: false)), ("iint", .largeOp("∬", limits: false)),
    ("iiint", .largeOp("∭", limits: false)), ("oint", .largeOp("∮", limits: false)),
    (",", .space("0.1667em")), ("thinspace", .space("0.1667em")), (":", .space("0.2222em")),
    (">", .space("0.2222em")), ("medspace", .space("0.2222em")), (";", .space("0.2778em")),
    ("thickspace", .space("0.2778em")), ("!", .space("-0.1667em")), ("negthinspace", .space("-0.1667em")),
    ("enspace", .space("0.5em")), ("quad", .space("1em")), ("qquad", .space("2em")),
    (" ", .space("0.3333em")),
    ("text", .text(nil)), ("textrm", .text(nil)), ("textnormal", .text(nil)), ("mbox", .text(nil)),
    ("textbf", .text(.bold)), ("textit", .text(.italic)), ("textsf", .text(.sansSerif)),
    ("texttt", .text(.monospace)),
    ("mathrm", .font(.roman)), ("operatorname", .operatorName), ("mathbf", .font(.bold)),
    ("mathit", .font(.italic)), ("boldsymbol", .font(.boldSymbol)), ("bm", .font(.boldSymbol)),
    ("mathcal", .font(.script)), ("mathscr", .font(.script)), ("mathbb", .font(.doubleStruck)),
    ("mathfrak", .font(.fraktur)), ("mathsf", .font(.sansSerif)), ("mathtt", .font(.monospace)),
    ("hat", .accent("ˆ", stretchy: false, under: false)), ("widehat", .accent("\u{302}", stretchy: true, under: false)),
    ("tilde", .accent("˜", stretchy: false, under: false)),
    ("widetilde", .accent("˜", stretchy: true, under: false)),
    ("bar", .accent("‾", stretchy: false, under: false)),
    ("overline", .line(over: true)), ("underline", .line(over: false)),
    ("vec", .accent("→", stretchy: false, under: false)),
    ("overrightarrow", .accent("→", stretchy: true, under: false)),
    ("overleftarrow", .accent("←", stretchy: true, under: false)),
    ("dot", .accent("˙", stretchy: false, under: false)), ("ddot", .accent("¨", stretchy: false, under: false)),
    ("check", .accent("ˇ", stretchy: false, under: false)), ("breve", .accent("˘", stretchy: false, under: false)),
    ("acute", .accent("´", stretchy: false, under: false)), ("grave", .accent("`", stretchy: false, under: false)),
    ("underbrace", .brace(over: false)), ("overbrace", .brace(over: true)),
    ("frac", .fraction(.automatic)), ("dfrac", .fraction(.display)), ("cfrac", .fraction(.display)),
    ("tfrac", .fraction(.text)), ("binom", .binomial), ("sqrt", .sqrt),
    ("left", .left), ("middle", .middle), ("right", .right),
    ("big", .big("1.2em")), ("bigl", .big("1.2em")), ("bigr", .big("1.2em")), ("bigm", .big("1.2em")),
    ("Big", .big("1.8em")), ("Bigl", .big("1.8em")), ("Bigr", .big("1.8em")), ("Bigm", .big("1.8em")),
    ("bigg", .big("2.4em")), ("biggl", .big("2.4em")), ("biggr", .big("2.4em")), ("biggm", .big("2.4em")),
    ("Bigg", .big("3em")), ("Biggl", .big("3em")), ("Biggr", .big("3em")), ("Biggm", .big("3em")),
    ("color", .color), ("textcolor", .color), ("boxed", .boxed), ("begin", .begin), ("end", .end),
    ("\\", .newline), ("cr", .newline), ("displaystyle", .style(display: true)),
    ("textstyle", .style(display: false)), ("limits", .limits(true)), ("nolimits", .limits(false)),
    ("hline", .ignored), ("nonumber", .ignored), ("notag", .ignored),
  ]

  /// Delimiters allowed after `\left`, `\middle`, `\right` and `\big`, by character; commands come from the table.
  static let delimiterCharacters: [Character: String] = [
    "(": "(", ")": ")", "[": "[", "]": "]", "|": "|", "/": "/", "<": "⟨", ">": "⟩", ".": "",
  ]

  /// The fences around each environment.
  static let environments: [String: MathEnvironment] = [
    "matrix": .matrix(open: "", close: ""), "pmatrix": .matrix(open: "(", close: ")"),
    "bmatrix": .matrix(open: "[", close: "]"), "Bmatrix": .matrix(open: "{", close: "}"),
    "vmatrix": .matrix(open: "|", close: "|"), "Vmatrix": .matrix(open: "‖", close: "‖"),
    "cases": .cases, "aligned": .aligned, "align": .aligned, "align*": .aligned, "split": .aligned,
    "gathered": .array([.center]), "gather": .array([.center]), "gather*": .array([.center]),
  ]
}
