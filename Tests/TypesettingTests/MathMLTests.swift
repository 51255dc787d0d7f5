import Foundation
import Testing

@testable import Typesetting

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// The MathML for `tex` between `<semantics>` and `<annotation>`, so expectations show only the formula.
private func body(_ tex: String) -> String {
  let math = MathML.render(tex, display: false)
  let start = math.range(of: "<semantics>")!.upperBound
  let end = math.range(of: "<annotation")!.lowerBound
  return String(math[start..<end])
}

private func isWellFormedXML(_ text: String) -> Bool {
  XMLParser(data: Data(text.utf8)).parse()
}

private let paren = #"<mo stretchy="false">(</mo>"#
private let closeParen = #"<mo stretchy="false">)</mo>"#

/// Every formula in the project's seed texts, plus the key ones of the curriculum.
private let curriculumFormulas = [
  // From /work/shared/seeds/*.txt.
  "(w)", "(b)", "l", "E", "j", "L",
  #"\alpha"#, #"\sigma"#,
  #"f(x) = g_m(g_{m-1}(\ldots (g_1(x)) \ldots))"#,
  #"\frac{\partial f}{\partial x} = \frac{\partial g_m}{\partial g_{m-1}}\frac{\partial g_{m-1}}{\partial g_{m-2}}\ldots \frac{\partial g_2}{\partial g_1}\frac{\partial g_1}{\partial x}"#,
  #"\frac{\partial g_m}{\partial g_{m-1}}"#,
  #"\delta^{(l)}"#,
  #"\delta^{(l)} = \delta^{(l+1)} \cdot (w^{(l+1)})^T \cdot f'(z^{(l)})"#,
  #"\frac{\partial E}{\partial w^{(l)}} = (a^{(l-1)})^T \cdot \delta^{(l)}"#,
  #"w^{(l)} = w^{(l)} + \alpha \cdot \frac{\partial E}{\partial w^{(l)}}"#,
  #"z_j^{(l)} = \sum_i w_{ji}^{(l)} a_i^{(l-1)} + b_j^{(l)}"#,
  #"a_j^{(l)} = \sigma(z_j^{(l)})"#,
  #"w_{ji}^{(l)}"#, #"b_j^{(l)}"#, #"a_i^{(l-1)}"#,
  #"\frac{\partial L}{\partial w_{ji}^{(l)}} = \frac{\partial L}{\partial z_j^{(l)}} \frac{\partial z_j^{(l)}}{\partial w_{ji}^{(l)}}"#,
  #"\frac{\partial L}{\partial z_j^{(l)}}"#,
  #"\frac{\partial z_j^{(l)}}{\partial w_{ji}^{(l)}} = a_i^{(l-1)}"#,
  // From the brief.
  #"\delta^{(l)} = \left((W^{(l+1)})^T \delta^{(l+1)}\right) \odot \sigma'(z^{(l)})"#,
  #"\sigma(x) = \frac{1}{1 + e^{-x}}"#,
  #"w^{+} = w - \eta \cdot \frac{\partial E}{\partial w}"#,
  #"\mathbf{W}^\top \boldsymbol{\delta}"#,
  #"\begin{pmatrix} w_1 & w_2 \\ w_3 & w_4 \end{pmatrix}"#,
  #"E = \sum_{k} \tfrac{1}{2}(t_k - a_k)^2"#,
  #"\hat{y}"#,
  #"\text{net}_{h1}"#,
  // The rest of the command list.
  #"\operatorname{ReLU}(x) = \max(0, x), \quad \tanh'(x) = 1 - \tanh^2 x"#,
  #"\mathcal{L}(\theta) = -\frac{1}{N}\sum_{n=1}^{N} \log p_\theta(y_n \mid x_n) + \lambda \|\theta\|_2^2"#,
  #"f(x) = \begin{cases} x & \text{if } x > 0 \\ 0.01x & \text{otherwise} \end{cases}"#,
  #"\begin{aligned} a &= b + c \\ &\approx d \end{aligned}"#,
  #"\nabla_\theta J \propto \mathbb{E}[\,\cdots]\quad \vec{v} \otimes \bar{u} \in \mathbb{R}^{n \times m}"#,
  #"\lVert x \rVert \le \langle x, y \rangle \pm \infty \;\Rightarrow\; x \gets x \div 2 \mapsto \dot{x}"#,
  #"\begin{bmatrix} 1 & \cdots \\ \vdots & \ddots \end{bmatrix} \begin{vmatrix} a \end{vmatrix} \{ x \} \prod_i \int_0^1"#,
  #"\color{blue}{\underbrace{\sqrt[3]{x}}_{\text{root}}} \boxed{\dfrac{a}{b}} \tilde{x} \circ \dots \equiv \sim"#,
  #"\theta \leftarrow \theta - \eta \nabla_\theta \mathcal{L} ~\text{and}~ \exp(\ln x) \geq \sqrt{x} \rightarrow \infty"#,
]

@Suite("TeX to MathML")
struct MathMLTests {
  // MARK: - The whole element

  @Test("Inline math is a bare math element holding semantics and the escaped TeX source")
  func inlineElement() {
    #expect(
      MathML.render("a<b", display: false)
        == #"<math><semantics><mrow><mi>a</mi><mo>&lt;</mo><mi>b</mi></mrow><annotation encoding="application/x-tex">a&lt;b</annotation></semantics></math>"#
    )
  }

  @Test("Display math says display=\"block\"")
  func displayElement() {
    #expect(MathML.render("x", display: true).hasPrefix(#"<math display="block"><semantics><mi>x</mi>"#))
  }

  // MARK: - Key constructs

  @Test("A fraction has one child per part")
  func fraction() {
    #expect(body(#"\frac{a+b}{2}"#) == "<mfrac><mrow><mi>a</mi><mo>+</mo><mi>b</mi></mrow><mn>2</mn></mfrac>")
    #expect(body(#"\frac12"#) == "<mfrac><mn>1</mn><mn>2</mn></mfrac>")
  }

  @Test("dfrac and tfrac fix the style of the fraction")
  func fractionStyles() {
    #expect(
      body(#"\dfrac{a}{b}"#)
        == #"<mstyle displaystyle="true" scriptlevel="0"><mfrac><mi>a</mi><mi>b</mi></mfrac></mstyle>"#)
    #expect(
      body(#"\tfrac{1}{2}"#)
        == #"<mstyle displaystyle="false" scriptlevel="0"><mfrac><mn>1</mn><mn>2</mn></mfrac></mstyle>"#)
  }

  @Test("Sub- and superscripts combine in either order; a multi-digit script needs braces")
  func scripts() {
    #expect(body("x_i^2") == "<msubsup><mi>x</mi><mi>i</mi><mn>2</mn></msubsup>")
    #expect(body("x^2_i") == "<msubsup><mi>x</mi><mi>i</mi><mn>2</mn></msubsup>")
    #expect(body("x^10") == "<mrow><msup><mi>x</mi><mn>1</mn></msup><mn>0</mn></mrow>")
    #expect(body("g_{m-1}") == "<msub><mi>g</mi><mrow><mi>m</mi><mo>−</mo><mn>1</mn></mrow></msub>")
  }

  @Test("A prime is a trailing operator, not a superscript")
  func prime() {
    #expect(body("f'(x)") == "<mrow><mi>f</mi><mo>′</mo><mrow>\(paren)<mi>x</mi>\(closeParen)</mrow></mrow>")
    #expect(body("f''") == "<mrow><mi>f</mi><mo>″</mo></mrow>")
    #expect(body(#"\sigma'^2"#) == "<msup><mrow><mi>σ</mi><mo>′</mo></mrow><mn>2</mn></msup>")
  }

  @Test("A transpose after a matched parenthesis applies to the whole group")
  func transposeOnGroup() {
    #expect(body("(a)^T") == "<msup><mrow>\(paren)<mi>a</mi>\(closeParen)</mrow><mi>T</mi></msup>")
    #expect(body(#"\|w\|^2"#).hasPrefix(#"<msup><mrow><mo stretchy="false" lspace="0" rspace="0">‖</mo><mi>w</mi>"#))
  }

  @Test("An unmatched parenthesis stays a plain operator")
  func unmatchedParenthesis() {
    #expect(body("[0, 1)") == #"<mrow><mo stretchy="false">[</mo><mn>0</mn><mo>,</mo><mn>1</mn>\#(closeParen)</mrow>"#)
  }

  @Test("A sum puts its limits under and over the sign")
  func sumWithLimits() {
    #expect(
      body(#"\sum_{k=1}^{n} a_k"#)
        == "<mrow><munderover><mo>∑</mo><mrow><mi>k</mi><mo>=</mo><mn>1</mn></mrow><mi>n</mi></munderover>"
        + "<msub><mi>a</mi><mi>k</mi></msub></mrow>")
    #expect(body(#"\int_0^1"#) == "<msubsup><mo>∫</mo><mn>0</mn><mn>1</mn></msubsup>")
    #expect(body(#"\sum\nolimits_k"#) == "<msub><mo>∑</mo><mi>k</mi></msub>")
  }

  @Test("Bold, blackboard and calligraphic letters use Mathematical Alphanumeric Symbols")
  func alphabets() {
    #expect(body(#"\mathbf{W}"#) == "<mi>𝐖</mi>")
    #expect(body(#"\mathbf{x1}"#) == "<mrow><mi>𝐱</mi><mn>𝟏</mn></mrow>")
    #expect(body(#"\boldsymbol{\delta}"#) == "<mi>𝜹</mi>")
    #expect(body(#"\mathbb{R}"#) == "<mi>ℝ</mi>")
    #expect(body(#"\mathcal{L}"#) == "<mi>ℒ</mi>")
    #expect(body(#"\mathcal{A}"#) == "<mi>𝒜</mi>")
    #expect(body(#"\mathit{h}"#) == "<mi>ℎ</mi>")
  }

  @Test("mathrm and operatorname keep words together and upright")
  func romanWords() {
    #expect(body(#"\mathrm{ReLU}"#) == "<mi>ReLU</mi>")
    #expect(body(#"\mathrm{d}x"#) == #"<mrow><mi mathvariant="normal">d</mi><mi>x</mi></mrow>"#)
    #expect(
      body(#"\operatorname{softmax}(z)"#)
        == "<mrow><mi>softmax</mi><mo>&#x2061;</mo><mrow>\(paren)<mi>z</mi>\(closeParen)</mrow></mrow>")
  }

  @Test("Functions get an invisible function application and TeX's thin space before an operand")
  func functions() {
    #expect(
      body(#"\log x"#) == #"<mrow><mi>log</mi><mo>&#x2061;</mo><mspace width="0.1667em"></mspace><mi>x</mi></mrow>"#)
    #expect(
      body(#"\max_x"#)
        == #"<mrow><munder><mo movablelimits="true" lspace="0" rspace="0">max</mo><mi>x</mi></munder><mo>&#x2061;</mo></mrow>"#
    )
  }

  @Test("left and right make stretchy fences")
  func leftRight() {
    #expect(
      body(#"\left(x\middle|y\right."#)
        == #"<mrow><mo fence="true" form="prefix" stretchy="true">(</mo><mi>x</mi>"#
        + #"<mo fence="true" form="infix" stretchy="true">|</mo><mi>y</mi></mrow>"#)
  }

  @Test("A pmatrix is a table between stretchy parentheses")
  func matrix() {
    #expect(
      body(#"\begin{pmatrix} a & b \\ c & d \end{pmatrix}"#)
        == #"<mrow><mo fence="true" form="prefix" stretchy="true">(</mo><mtable>"#
        + "<mtr><mtd><mi>a</mi></mtd><mtd><mi>b</mi></mtd></mtr><mtr><mtd><mi>c</mi></mtd><mtd><mi>d</mi></mtd></mtr>"
        + #"</mtable><mo fence="true" form="postfix" stretchy="true">)</mo></mrow>"#)
  }

  @Test("aligned keeps the space around a relation that starts a column")
  func aligned() {
    let output = body(#"\begin{aligned} a &= b \\ &= c \end{aligned}"#)
    #expect(
      output.hasPrefix(
        #"<mtable displaystyle="true"><mtr><mtd style="text-align:right;padding-right:0"><mi>a</mi></mtd>"#))
    #expect(output.contains(#"<mtd style="text-align:left;padding-left:0"><mrow></mrow><mo>=</mo><mi>c</mi></mtd>"#))
  }

  @Test("text keeps its inner and edge spaces")
  func text() {
    #expect(body(#"\text{ if } x"#) == "<mrow><mtext>&#xA0;if&#xA0;</mtext><mi>x</mi></mrow>")
    #expect(body(#"\text{net}_{h1}"#) == "<msub><mtext>net</mtext><mrow><mi>h</mi><mn>1</mn></mrow></msub>")
    #expect(body(#"\text{a b\_c}"#) == "<mtext>a b_c</mtext>")
  }

  @Test("A minus is binary between operands and a sign after a relation, an opening or at the start")
  func minusForms() {
    #expect(
      body("a - b = -0.25")
        == #"<mrow><mi>a</mi><mo>−</mo><mi>b</mi><mo>=</mo><mo form="prefix">−</mo><mn>0.25</mn></mrow>"#)
    #expect(body("e^{-x}") == #"<msup><mi>e</mi><mrow><mo form="prefix">−</mo><mi>x</mi></mrow></msup>"#)
    #expect(body("w^{+}") == #"<msup><mi>w</mi><mo form="prefix">+</mo></msup>"#)
    #expect(body("(-1)").contains(#"\#(paren)<mo form="prefix">−</mo><mn>1</mn>"#))
  }

  @Test("Markup characters are escaped in the formula and in the annotation")
  func escaping() {
    #expect(
      body(#"a < b \& c"#)
        == #"<mrow><mi>a</mi><mo>&lt;</mo><mi>b</mi><mo lspace="0" rspace="0">&amp;</mo><mi>c</mi></mrow>"#)
    #expect(
      MathML.render("a<b&", display: false).contains(
        #"<annotation encoding="application/x-tex">a&lt;b&amp;</annotation>"#))
    #expect(body(#"\text{<&>}"#) == "<mtext>&lt;&amp;&gt;</mtext>")
  }

  @Test("Symbols: cdot, Greek capitals, partial, nabla, dots and relations")
  func symbols() {
    #expect(body(#"a \cdot b"#) == "<mrow><mi>a</mi><mo>⋅</mo><mi>b</mi></mrow>")
    #expect(body(#"\Delta"#) == #"<mi mathvariant="normal">Δ</mi>"#)
    #expect(body(#"\partial"#) == "<mi>∂</mi>")
    #expect(body(#"\nabla"#) == #"<mi mathvariant="normal">∇</mi>"#)
    #expect(body(#"\ldots"#) == #"<mo lspace="0.1667em" rspace="0.1667em">…</mo>"#)
    #expect(body("x := 1") == "<mrow><mi>x</mi><mo>:=</mo><mn>1</mn></mrow>")
    #expect(
      body(#"a \le b \neq c \to d"#)
        == "<mrow><mi>a</mi><mo>≤</mo><mi>b</mi><mo>≠</mo><mi>c</mi><mo>→</mo><mi>d</mi></mrow>")
    #expect(body("x ≤ 1") == "<mrow><mi>x</mi><mo>≤</mo><mn>1</mn></mrow>")
  }

  @Test("Accents sit over their base; overline is a CSS border because no rule character stretches")
  func accents() {
    #expect(body(#"\hat{y}"#) == #"<mover accent="true"><mi>y</mi><mo stretchy="false">ˆ</mo></mover>"#)
    #expect(body(#"\vec{v}"#) == #"<mover accent="true"><mi>v</mi><mo stretchy="false" mathsize="70%">→</mo></mover>"#)
    #expect(
      body(#"\overline{xy}"#)
        == #"<mrow style="border-top:0.06em solid;padding-top:0.08em"><mi>x</mi><mi>y</mi></mrow>"#)
  }

  @Test("sqrt takes an optional index")
  func roots() {
    #expect(body(#"\sqrt{x}"#) == "<msqrt><mi>x</mi></msqrt>")
    #expect(body(#"\sqrt[3]{x}"#) == "<mroot><mi>x</mi><mn>3</mn></mroot>")
  }

  @Test("Spacing commands become mspace; a negative space is a negative margin")
  func spacing() {
    #expect(body(#"a\,b"#) == #"<mrow><mi>a</mi><mspace width="0.1667em"></mspace><mi>b</mi></mrow>"#)
    #expect(body(#"\quad"#) == #"<mspace width="1em"></mspace>"#)
    #expect(body(#"\!"#) == #"<mspace style="margin-left:-0.1667em"></mspace>"#)
  }

  @Test("color sets mathcolor on its argument; comments are dropped")
  func colorAndComments() {
    #expect(body(#"\color{red}{x} y"#) == #"<mrow><mrow mathcolor="red"><mi>x</mi></mrow><mi>y</mi></mrow>"#)
    #expect(body("x % a comment\n+ y") == "<mrow><mi>x</mi><mo>+</mo><mi>y</mi></mrow>")
  }

  @Test("underbrace labels go under the brace; boxed is a CSS border")
  func underbraceAndBoxed() {
    #expect(
      body(#"\underbrace{a}_{n}"#)
        == #"<munder><munder><mi>a</mi><mo stretchy="true">⏟</mo></munder><mi>n</mi></munder>"#)
    #expect(body(#"\boxed{x}"#).hasPrefix(#"<mrow class="boxed" style="border:"#))
  }

  // MARK: - Errors

  @Test("Malformed input gives an merror with the source text, without crashing")
  func malformed() {
    for tex in [#"\frac{a"#, "x^", "{", "}", #"\left( x"#, "a & b", "x^a^b", #"\begin{pmatrix} a"#, #"\sqrt["#] {
      let math = MathML.render(tex, display: false)
      #expect(math.hasPrefix("<math><semantics><merror><mtext>"), "\(tex)")
      #expect(isWellFormedXML(math), "\(tex)")
    }
    #expect(body(#"\frac{a"#) == #"<merror><mtext>\frac{a</mtext></merror>"#)
  }

  @Test("An unknown command is an merror in place; the rest still renders")
  func unknownCommand() {
    #expect(body(#"\foo + 1"#) == "<mrow><merror><mtext>\\foo</mtext></merror><mo>+</mo><mn>1</mn></mrow>")
  }

  @Test("Deep nesting is refused rather than exhausting the stack")
  func deepNesting() {
    let tex = String(repeating: "{", count: 5000) + "x" + String(repeating: "}", count: 5000)
    #expect(MathML.render(tex, display: false).contains("<merror>"))
  }

  // MARK: - Seed formulas and robustness

  @Test("Every curriculum formula renders without merror as well-formed XML", arguments: curriculumFormulas)
  func curriculumFormula(_ tex: String) {
    for display in [false, true] {
      let math = MathML.render(tex, display: display)
      #expect(!math.contains("<merror"))
      #expect(isWellFormedXML(math))
    }
  }

  @Test("Random TeX-ish input never crashes and always gives a math element")
  func randomInput() {
    let pieces = [
      "\\", "{", "}", "^", "_", "&", "$", "a", "1", "(", ")", "[", "]", "|", "'", " ", "-", "=", "%", "~",
      #"\frac"#, #"\left"#, #"\right"#, #"\middle"#, #"\sqrt"#, #"\text{"#, #"\mathbf"#, #"\\"#, #"\begin{pmatrix}"#,
      #"\end{pmatrix}"#, #"\color{red}"#, #"\sum"#, #"\max"#, #"\underbrace"#, "\\|", #"\{"#, #"\,"#, "<", "∂",
    ]
    var generator = SplitMix64(seed: 42)
    for _ in 0..<3000 {
      let length = Int(generator.next() % 24)
      let tex = (0..<length).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined()
      let math = MathML.render(tex, display: generator.next() % 2 == 0)
      #expect(math.hasPrefix("<math"), "\(tex)")
      #expect(math.hasSuffix("</math>"), "\(tex)")
      #expect(isWellFormedXML(math), "\(tex)")
    }
  }

}

/// A small seeded generator so the random test is the same on every run.
private struct SplitMix64 {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
