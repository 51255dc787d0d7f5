/// TeX's atom classes, which decide the spacing around an atom and whether a `−` is binary or a sign
/// (TeXbook, Appendix G).
enum MathClass: Equatable, Sendable {
  case ord, op, bin, rel, open, close, punct, inner
}

/// How a fraction sets its numerator and denominator: `\frac` follows the surroundings,
/// `\dfrac` and `\tfrac` force display or text style.
enum FractionStyle: Equatable, Sendable {
  case automatic, display, text
}

/// The layout of a `\begin{…}` environment.
enum MathEnvironment: Equatable, Sendable {
  enum Alignment: Equatable, Sendable { case left, center, right }

  /// `matrix`, `pmatrix`, `bmatrix`…: centred cells between optional fences.
  case matrix(open: String, close: String)
  /// `cases`: left-aligned columns after a brace.
  case cases
  /// `aligned`: right/left column pairs in display style, as for `&=`.
  case aligned
  /// `array`: columns aligned as the `{lcr}` specification says.
  case array([Alignment])
}

/// The parsed formula. The parser resolves every command, so the emitter only has to lay out this tree.
indirect enum MathNode: Equatable, Sendable {
  /// A variable or named constant (`<mi>`); upright cancels the automatic italic of one character.
  case identifier(String, upright: Bool)
  case number(String)
  case op(String, MathClass)
  case text(String)
  /// A fixed space such as `\,`, width in CSS units ("0.1667em"); a leading minus means a negative space.
  case space(String)
  /// `{…}`: an ordinary atom, laid out as one row.
  case group([MathNode])
  /// A matched `(…)` or `[…]`, kept together so that `(a)^T` puts the T on the whole group.
  case fencePair([MathNode])
  /// A bare sequence (a whole formula, or the rest of a row after `\color{red}`), spliced into its parent.
  case row([MathNode])
  case fraction(MathNode, MathNode, FractionStyle)
  case binomial(MathNode, MathNode)
  case root(MathNode, index: MathNode?)
  /// Sub- and superscripts; `limits` is nil unless `\limits` or `\nolimits` was written.
  case scripts(base: MathNode, sub: MathNode?, sup: MathNode?, limits: Bool?)
  /// `f'`: primes follow the base as an operator rather than a superscript, which sits too high in browsers.
  case primed(MathNode, count: Int)
  /// `\left … \middle … \right`: stretchy fences around `parts`, with one middle fence between each pair.
  case fenced(open: String, close: String, parts: [MathNode], middles: [String])
  /// `\big(` and friends: a delimiter at a fixed height.
  case sizedDelimiter(String, size: String, MathClass)
  case accent(MathNode, mark: String, stretchy: Bool, under: Bool)
  /// `\overline` and `\underline`: no font we tried stretches a rule character to full width, so CSS draws it.
  case line(MathNode, over: Bool)
  /// `\underbrace` (over false) and `\overbrace`; a script on it becomes its label.
  case brace(MathNode, over: Bool)
  /// `\sum`, `\int`…; `limits` says whether scripts go above and below in display style.
  case largeOp(String, limits: Bool)
  /// `\log`, `\max`, `\operatorname{…}`: an upright name followed by an invisible function application.
  case function(String, limits: Bool)
  case table([[MathNode]], MathEnvironment)
  case color(String, MathNode)
  case style(display: Bool, MathNode)
  case boxed(MathNode)
  /// Something we could not understand, shown as its source text.
  case error(String)
}
