import Foundation
import Lessons

/// Worksheets (`--handout`) and answer keys (`--key`).
///
/// A worksheet is the report with every blank's value left out wherever it would appear:
/// table cells and sentences get an input box, worked arithmetic an empty box, diagram
/// labels a line. Blanks are found by value, not by where they are drawn, so a number equal
/// to an answer never shows, whatever part of the report prints it. Check blocks and the
/// check summary are left out (they state answers).
///
/// Each input checks what is typed in the browser, offline, by the rule of
/// ``AnswerTolerance``, without the answer in the page: it carries a salt, the decimal place P
/// and two hashes, of the correct value rounded to P − 1 and to P + 1 decimals, each as
/// `salt:places:digits`. The script rounds the typed number the same way (trying the
/// neighbours within half a unit at P + 1 decimals) and compares hashes. The hash (two
/// 32-bit FNV-style lanes, ``BlankSet/hash(_:)``) hides answers from View Source and from
/// anyone reading the page; it does not stop a student who writes a program to try every
/// number, which no offline check can.
public struct Worksheet: Sendable {
  public enum Kind: Sendable { case handout, key }
  public var kind: Kind
  public var blanks: [Blank]
  /// Mixed into every hash; the CLI uses the lesson's name and variant, so outputs are byte-stable.
  public var salt: String
  /// Shown under the title, e.g. "Variant 7".
  public var note: String?
  /// How answers must be rounded, as `lesson check --answers` marks them; nil: the lesson's `rounding`.
  public var rounding: Rounding?

  public init(kind: Kind, blanks: [Blank], salt: String, note: String? = nil) {
    self.kind = kind
    self.blanks = blanks
    self.salt = salt
    self.note = note
  }
}

/// The blanks a report hides (handout) or marks (key).
///
/// A number is hidden where the report prints a blank's quantity with the blank's value, and
/// nowhere else: a given value (an input, a target, a declared weight) that happens to equal an
/// answer stays visible. The same quantity with the same value is hidden in every block that
/// prints it (a loss table's outputs, a copied network's forward pass), and so is a factor of
/// the working computed from a blank (a(1 − a) beside a blank a).
struct BlankSet: Sendable {
  struct Key: Hashable, Sendable {
    var quantity: Quantity
    var bits: UInt64
    init(_ quantity: Quantity, _ x: Double) {
      self.quantity = quantity
      bits = (x == 0 ? 0.0 : x).bitPattern
    }
  }

  struct Entry: Sendable {
    var blank: Blank
    var salt: String
    var places: Int
    var name: String { blank.name }
    /// The input's `data-check`, see ``BlankSet/check(_:salt:places:)``: made only for the
    /// blanks a page shows, since a large lesson has thousands it folds away.
    var check: String { BlankSet.check(blank, salt: salt, places: places) }
  }

  var hides: Bool
  var entries: [Key: Entry]
  /// The same blanks by quantity, for values computed by another route (a training's last
  /// forward pass) that agree to rounding.
  var byQuantity: [Quantity: [(value: Double, entry: Entry)]] = [:]
  /// The same blanks by value, for numbers no quantity names (a training's errors).
  var byValue: [(value: Double, entry: Entry)] = []
  /// Every parameter as a network block declares it: given, so never hidden.
  var declared: Set<Key>
  /// The lesson's passes, to read a `{{name}}` in prose as a quantity.
  var passes: [Pass]
  /// The line of the lesson block being rendered, for the log.
  var line = 0
  /// What the report printed, for the leak check.
  let log = PrintLog()

  static let placeholder = "______"

  init(_ worksheet: Worksheet, run: ExecutedLesson) {
    hides = worksheet.kind == .handout
    entries = [:]
    for blank in worksheet.blanks where entries[Key(blank.quantity, blank.value)] == nil {
      let rounding = worksheet.rounding ?? run.lesson.settings.rounding
      let entry = Entry(blank: blank, salt: worksheet.salt, places: rounding.requiredPlaces(for: blank.value))
      entries[Key(blank.quantity, blank.value)] = entry
      byQuantity[blank.quantity, default: []].append((blank.value, entry))
      byValue.append((blank.value, entry))
    }
    byValue.sort { $0.value < $1.value }
    declared = []
    for item in run.items {
      if case .layeredNetwork(let d) = item {
        for (l, layer) in d.layered.network.layers.enumerated() {
          for (p, tensor) in layer.parameters.enumerated() {
            for (i, x) in tensor.enumerated() { declared.insert(Key(.parameter(l: l, p: p, index: i), x)) }
          }
        }
      }
      guard case .network(let d) = item else { continue }
      for (l, layer) in d.network.layers.enumerated() {
        for j in 0..<layer.neuronCount {
          for i in 0..<layer.inputCount { declared.insert(Key(.weight(l: l, j: j, i: i), layer.weights[j, i])) }
          declared.insert(Key(.bias(l: l, j: j), layer.biases[j]))
        }
      }
    }
    passes = run.passes
  }

  /// The blank printed as quantity `q` with value `x`, if it is one. A parameter's current value
  /// is the answer of an earlier update unless a network block declared it so.
  func entry(_ q: Quantity?, _ x: Double) -> Entry? {
    guard let q else { return nil }
    switch q {
    case .weight(let l, let j, let i):
      return declared.contains(Key(q, x)) ? nil : entries[Key(.newWeight(l: l, j: j, i: i), x)]
    case .bias(let l, let j):
      return declared.contains(Key(q, x)) ? nil : entries[Key(.newBias(l: l, j: j), x)]
    case .parameter(let l, let p, let i):
      return declared.contains(Key(q, x)) ? nil : entries[Key(.newParameter(l: l, p: p, index: i), x)]
    default:
      if let exact = entries[Key(q, x)] { return exact }
      return byQuantity[q]?.first { Self.agree($0.value, x) }?.entry
    }
  }

  /// Two computations of one value, equal but for rounding.
  static func agree(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-12 * max(abs(a), abs(b)) }

  /// The blank with this value, for a number computed from the pass's parameters that no
  /// quantity names: a training's error in its first iterations is the pass's error.
  func entry(computed x: Double) -> Entry? {
    guard x != 0, x.isFinite else { return nil }
    var lo = 0, hi = byValue.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if byValue[mid].value < x - 1e-12 * abs(x) { lo = mid + 1 } else { hi = mid }
    }
    return lo < byValue.count && Self.agree(byValue[lo].value, x) ? byValue[lo].entry : nil
  }

  /// The first blank among the values a factor was computed from.
  func entry(from sources: [(Quantity, Double)]) -> Entry? {
    for (q, x) in sources { if let e = entry(q, x) { return e } }
    return nil
  }

  /// The blank a prose `{{name}}` with value `x` shows, read as a quantity of any pass.
  func entry(named name: String, _ x: Double) -> Entry? {
    for pass in passes {
      if case .success(let q) = pass.quantity(named: name), let e = entry(q, x) { return e }
    }
    return nil
  }

  /// Notes a number the report shows (not hidden), with what it is.
  func shown(_ x: Double, _ q: Quantity?, sources: [(Quantity, Double)] = []) {
    log.record(PrintLog.Item(value: x, quantity: q, sources: sources.map(\.0), line: line))
  }

  /// A box's `data-check`: `salt R fine c₁ c₂ c₃ [x:e:hash]`. R is the decimal places a fully
  /// right answer carries; `fine` hashes the answer rounded to R + 2 decimals (an answer with R
  /// decimals or more is right within 50 units of it, half a unit at R); cᵢ hashes it rounded
  /// to R − i decimals (an answer with that many decimals is the answer rounded: right, but give
  /// more). An answer exact with e < R decimals (0.25, 0) adds `x:e:hash`: typed exactly, it is right.
  static func check(_ blank: Blank, salt lessonSalt: String, places r: Int) -> String {
    let salt = hash("\(lessonSalt)|\(blank.name)|\(blank.line)")
    func rounded(_ d: Int) -> String { hash("\(salt):\(d):\(digits(AnswerTolerance.units(blank.value, places: d), places: d))") }
    var fields = [salt, "\(r)", rounded(r + 2)] + (1...AnswerTolerance.moreDigitsReach).filter { r - $0 >= 0 }.map { rounded(r - $0) }
    if let e = (0..<r).first(where: { AnswerTolerance.units(blank.value, places: $0) / pow(10, Double($0)) == blank.value }) {
      fields.append("x:\(e):\(rounded(e))")
    }
    return fields.joined(separator: " ")
  }

  /// A whole number of units 10⁻ᵖ written as a decimal: (12345, 4) → "1.2345", (-5, 2) → "-0.05",
  /// (7, 0) → "7.". The script's `fixed` writes the same.
  static func digits(_ units: Double, places: Int) -> String {
    let negative = units < 0
    var d = String(Int64(abs(units)))
    while d.count < places + 1 { d = "0" + d }
    let split = d.index(d.endIndex, offsetBy: -places)
    return (negative ? "-" : "") + d[..<split] + "." + d[split...]
  }

  /// Two 32-bit lanes over UTF-16 code units, as the script's `h` computes them.
  static func hash(_ s: String) -> String {
    var a: UInt32 = 0x811c_9dc5, b: UInt32 = 0x9747_b28c
    for c in s.utf16 {
      a = (a ^ UInt32(c)) &* 0x0100_0193
      b = (b ^ UInt32(c)) &* 0x5bd1_e995
      b ^= b >> 15
    }
    a = (a ^ (a >> 16)) &* 0x85eb_ca6b
    b = (b ^ (b >> 13)) &* 0xc2b2_ae35
    a ^= b >> 16
    b ^= a >> 13
    func hex(_ x: UInt32) -> String {
      let h = String(x, radix: 16)
      return String(repeating: "0", count: 8 - h.count) + h
    }
    return hex(a) + hex(b)
  }

  /// Checks every `input.blank` as it is typed; nothing leaves the page.
  static let script = """
    (function(){
    function h(s){var a=0x811c9dc5|0,b=0x9747b28c|0;for(var i=0;i<s.length;i++){var c=s.charCodeAt(i);a=Math.imul(a^c,0x01000193);b=Math.imul(b^c,0x5bd1e995);b^=b>>>15;}
    a=Math.imul(a^(a>>>16),0x85ebca6b);b=Math.imul(b^(b>>>13),0xc2b2ae35);a^=b>>>16;b^=a>>>13;
    return ("0000000"+(a>>>0).toString(16)).slice(-8)+("0000000"+(b>>>0).toString(16)).slice(-8);}
    function fixed(m,p){var n=m<0,d=String(Math.abs(m));while(d.length<p+1)d="0"+d;return (n?"-":"")+d.slice(0,d.length-p)+"."+d.slice(d.length-p);}
    function judge(t,spec){var f=spec.split(" "),s=f[0],p=+f[1];
    t=t.trim().replace(/\\u2212/g,"-").replace(",",".");if(t==="")return "";
    if(!/^[-+]?(\\d+\\.?\\d*|\\.\\d+)(e[-+]?\\d+)?$/i.test(t))return "nan";
    var x=Number(t),parts=t.toLowerCase().split("e"),dec=Math.max((parts[0].split(".")[1]||"").length-(parts[1]?+parts[1]:0),0);
    var ex=f[f.length-1].split(":");if(ex[0]==="x"&&dec>=+ex[1]&&dec<p){var e=+ex[1],v=Math.round(x*Math.pow(10,dec)),z=Math.pow(10,dec-e);if(v%z===0&&h(s+":"+e+":"+fixed(v/z,e))===ex[2])return "right";}
    if(dec>=p){var u=Math.round(x*Math.pow(10,p+2));for(var k=-50;k<=50;k++){if(h(s+":"+(p+2)+":"+fixed(u+k,p+2))===f[2])return "right";}return "wrong";}
    var i=p-dec;if(i<=3&&f[2+i]&&f[2+i].charAt(0)!=="x"&&h(s+":"+dec+":"+fixed(Math.round(x*Math.pow(10,dec)),dec))===f[2+i])return "more";return "wrong";}
    var text={"":"","nan":"not a number","right":"\\u2713","more":"\\u2713 so far: give more digits","wrong":"\\u2717 not yet"};
    document.querySelectorAll("input.blank").forEach(function(box){var mark=box.nextElementSibling;
    box.addEventListener("input",function(){var v=judge(box.value,box.getAttribute("data-check"));box.setAttribute("data-state",v);if(mark)mark.textContent=text[v];});});
    })();
    """

  static let css = """
    input.blank{font:inherit;font-variant-numeric:tabular-nums;width:8.5em;max-width:100%;border:0;border-bottom:1.5px solid var(--fg);background:transparent;color:var(--fg);text-align:right;padding:0 .2em}
    input.blank[data-state=right]{border-bottom-color:var(--pass);background:color-mix(in srgb,var(--pass) 12%,transparent)}
    input.blank[data-state=wrong],input.blank[data-state=nan]{border-bottom-color:var(--fail)}
    input.blank[data-state=more]{border-bottom-color:var(--warn)}
    .blank-mark{font-size:.85em;margin-left:.25em;color:var(--muted)}
    .value.blank-cell{border-bottom:0}
    /* Chromium draws a box's border over the operator before it; a margin keeps "= [ ]" apart. */
    mrow.boxed{margin-left:.25em}
    .key-answer{background:color-mix(in srgb,var(--warn) 22%,transparent);font-weight:600}
    .sheet-banner{padding:.4rem .8rem;border-radius:4px;background:var(--panel);border-left:3px solid var(--warn)}
    .sheet-id{display:flex;flex-wrap:wrap;gap:.6rem 2rem;align-items:baseline;margin:.6rem 0 1rem;font-size:1.05rem}
    .sheet-id label{display:flex;align-items:baseline;gap:.5em;flex:1 1 14rem}
    .sheet-id input{flex:1;min-width:8em;font:inherit;border:0;border-bottom:1.5px solid var(--fg);background:transparent;color:var(--fg);padding:0 .2em}
    .sheet-variant{font-weight:600;white-space:nowrap}
    @media print{
      .blank-mark{display:none}.sheet-banner{border:0;padding:0}
      /* Room to write six digits by hand: about 36 mm by 7.5 mm on paper, in tables, sentences and working. */
      input.blank{width:36mm;height:7.5mm;border:.6pt solid #000;border-radius:1mm;background:none;vertical-align:middle;box-sizing:border-box}
      mrow.boxed{border-width:.6pt!important}
      mrow.boxed>mspace{width:0}
      mrow.boxed>mspace:first-child{width:30mm;padding:2mm 0}
      /* Browsers leave backgrounds out of print by default; a key's highlight must stay. */
      .key-answer{print-color-adjust:exact;-webkit-print-color-adjust:exact}
      .sheet-id{font-size:11pt;margin:.2rem 0 .8rem}
      .sheet-id input{height:8mm;border-bottom:.8pt solid #000}
    }
    """
}

extension HTMLReport {
  /// A worksheet or an answer key of an executed lesson.
  public static func render(_ run: ExecutedLesson, worksheet: Worksheet) -> String {
    var context = ReportContext(run: run)
    context.format.blanks = BlankSet(worksheet, run: run)
    return render(run, worksheet: worksheet, context: context)
  }

  static func render(_ run: ExecutedLesson, worksheet: Worksheet, context: ReportContext) -> String {
    let count = Set(worksheet.blanks.map { BlankSet.Key($0.quantity, $0.value) }).count
    var banner: [HTML] = []
    switch worksheet.kind {
    case .handout:
      // Who and which variant, on paper and on screen: typed here it prints with the sheet.
      banner.append(.el("div", [("class", "sheet-id"), ("role", "group"), ("aria-label", "Student")], [
        .el("label", [], [.text("Name"), .el("input", [("class", "sheet-field"), ("type", "text"), ("name", "student-name"), ("autocomplete", "off")])]),
        .el("label", [], [.text("Student ID"), .el("input", [("class", "sheet-field"), ("type", "text"), ("name", "student-id"), ("autocomplete", "off")])]),
        .el("span", [("class", "sheet-variant")], worksheet.note ?? "Variant: none (the lesson's own numbers)"),
      ]))
      banner.append(.el("p", [("class", "sheet-banner")],
        "Worksheet. Work out the \(count) blank value\(count == 1 ? "" : "s") by hand and type each into its box: a tick means it is right to \(worksheet.rounding ?? run.lesson.settings.rounding); a tick with \u{201C}give more digits\u{201D} means it is right as far as it goes. Nothing you type leaves this page."))
      return render(run, context: context, head: [.el("style", [], [.trusted(BlankSet.css)])], banner: banner, titleSuffix: " (worksheet)")
        .replacingOccurrences(of: "</body>", with: "<script>\n\(BlankSet.script)\n</script>\n</body>")
    case .key:
      let which = worksheet.note.map { " — " + $0.prefix(1).lowercased() + $0.dropFirst() } ?? ""
      banner.append(.el("p", [("class", "sheet-banner")], "Answer key\(which). The \(count) value\(count == 1 ? "" : "s") the worksheet leaves blank are highlighted."))
      return render(run, context: context, head: [.el("style", [], [.trusted(BlankSet.css)])], banner: banner, titleSuffix: " (answer key)")
    }
  }
}

extension ReportContext {
  /// The blank printed here as quantity `q` (or as a factor computed from `sources`), if it is
  /// one; any other number is noted as shown, for the leak check.
  func blank(_ x: Double, _ q: Quantity?, from sources: [(Quantity, Double)] = [], computed: Bool = false) -> BlankSet.Entry? {
    guard let blanks = format.blanks else { return nil }
    if let entry = blanks.entry(q, x) ?? blanks.entry(from: sources) ?? (computed ? blanks.entry(computed: x) : nil) { return entry }
    blanks.shown(x, q, sources: sources)
    return nil
  }

  /// A table cell for a blank: an input on a worksheet, the value highlighted in a key.
  func blankCell(_ x: Double, _ entry: BlankSet.Entry, _ extraClass: String?) -> HTML {
    let classes = "num" + (extraClass.map { " " + $0 } ?? "")
    if format.blanks?.hides == true { return .el("td", [("class", classes + " blank-cell")], blankInput(entry)) }
    return .el("td", [("class", classes + " key-answer"), ("title", NumberFormat.exact(x))], format.untracked.fixed(x))
  }

  func blankInline(_ x: Double, _ entry: BlankSet.Entry, _ f: NumberFormat) -> HTML {
    if format.blanks?.hides == true { return .el("span", [("class", "value blank-cell")], blankInput(entry)) }
    return .el("span", [("class", "value key-answer"), ("title", NumberFormat.exact(x))], f.untracked.short(x))
  }

  /// A number in a diagram label: a line to write on in a worksheet.
  func diagramNumber(_ x: Double, as q: Quantity?) -> String {
    if blank(x, q) != nil, format.blanks?.hides == true { return BlankSet.placeholder }
    return diagramFormat.untracked.short(x)
  }

  func blankInput(_ entry: BlankSet.Entry) -> [HTML] {
    [
      .el("input", [("class", "blank"), ("type", "text"), ("inputmode", "decimal"), ("autocomplete", "off"), ("spellcheck", "false"),
        ("aria-label", entry.name), ("data-check", entry.check)]),
      .el("span", [("class", "blank-mark"), ("aria-live", "polite")], []),
    ]
  }
}
