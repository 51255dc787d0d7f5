/// TeX math to MathML Core, for HTML that needs no JavaScript and no web fonts beyond a math font.
public enum MathML {
  /// Converts TeX to a complete `<math>` element (display="block" when display is true), with
  /// `<semantics>` and an `<annotation encoding="application/x-tex">` holding the escaped TeX source.
  /// Never throws: unknown commands or malformed input give an `<merror>` part with the source text.
  public static func render(_ tex: String, display: Bool) -> String {
    let emitter = MathMLEmitter()
    let body: MathMLElement
    do {
      var parser = TeXParser(tex)
      body = emitter.wrap(emitter.row([try parser.parse()]))
    } catch {
      // Broken structure (an unclosed brace, \left without \right): show the source so the author sees it.
      body = MathMLElement("merror", [:], [MathMLElement("mtext", text: tex)])
    }
    let annotation = MathMLElement("annotation", ["encoding": "application/x-tex"], text: tex)
    let semantics = MathMLElement("semantics", [:], [body, annotation])
    return MathMLElement("math", display ? ["display": "block"] : [:], [semantics]).rendered
  }
}
