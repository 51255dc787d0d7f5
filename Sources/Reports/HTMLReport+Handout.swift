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

  public init(kind: Kind, blanks: [Blank], salt: String, note: String? = nil) {
    self.kind = kind
    self.blanks = blanks
    self.salt = salt
    self.note = note
  }
}

/// The blanks a report hides (handout) or marks (key), looked up by value.
struct BlankSet: Sendable {
  struct Entry: Sendable {
    var name: String
    /// `salt P hash(P−1) hash(P+1)`, the input's `data-check`.
    var check: String
  }

  var hides: Bool
  var entries: [UInt64: Entry]

  static let placeholder = "______"

  static func key(_ x: Double) -> UInt64 { (x == 0 ? 0.0 : x).bitPattern }

  func entry(for x: Double) -> Entry? { entries[Self.key(x)] }

  init(_ worksheet: Worksheet) {
    hides = worksheet.kind == .handout
    entries = [:]
    for blank in worksheet.blanks where entries[Self.key(blank.value)] == nil {
      let salt = Self.hash("\(worksheet.salt)|\(blank.name)|\(blank.line)")
      let p = AnswerTolerance.places(for: blank.value)
      let coarse = Self.hash("\(salt):\(p - 1):\(Self.digits(AnswerTolerance.units(blank.value, places: p - 1), places: p - 1))")
      let fine = Self.hash("\(salt):\(p + 1):\(Self.digits(AnswerTolerance.units(blank.value, places: p + 1), places: p + 1))")
      entries[Self.key(blank.value)] = Entry(name: blank.name, check: "\(salt) \(p) \(coarse) \(fine)")
    }
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
    var x=Number(t),parts=t.toLowerCase().split("e"),dec=(parts[0].split(".")[1]||"").length-(parts[1]?+parts[1]:0);
    if(dec>=p){var u=Math.round(x*Math.pow(10,p+1));for(var k=-5;k<=5;k++){if(h(s+":"+(p+1)+":"+fixed(u+k,p+1))===f[3])return "right";}return "wrong";}
    return h(s+":"+(p-1)+":"+fixed(Math.round(x*Math.pow(10,p-1)),p-1))===f[2]?"right":"wrong";}
    var text={"":"","nan":"not a number","right":"\\u2713","wrong":"\\u2717 not yet"};
    document.querySelectorAll("input.blank").forEach(function(box){var mark=box.nextElementSibling;
    box.addEventListener("input",function(){var v=judge(box.value,box.getAttribute("data-check"));box.setAttribute("data-state",v);if(mark)mark.textContent=text[v];});});
    })();
    """

  static let css = """
    input.blank{font:inherit;font-variant-numeric:tabular-nums;width:8.5em;max-width:100%;border:0;border-bottom:1.5px solid var(--fg);background:transparent;color:var(--fg);text-align:right;padding:0 .2em}
    input.blank[data-state=right]{border-bottom-color:var(--pass);background:color-mix(in srgb,var(--pass) 12%,transparent)}
    input.blank[data-state=wrong],input.blank[data-state=nan]{border-bottom-color:var(--fail)}
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
    context.format.blanks = BlankSet(worksheet)
    let count = Set(worksheet.blanks.map { BlankSet.key($0.value) }).count
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
        "Worksheet. Work out the \(count) blank value\(count == 1 ? "" : "s") by hand and type each into its box: a tick means it agrees to 4 significant figures. Nothing you type leaves this page."))
      return render(run, context: context, head: [.el("style", [], [.trusted(BlankSet.css)])], banner: banner, titleSuffix: " (worksheet)")
        .replacingOccurrences(of: "</body>", with: "<script>\n\(BlankSet.script)\n</script>\n</body>")
    case .key:
      let which = worksheet.note.map { " — " + $0.prefix(1).lowercased() + $0.dropFirst() } ?? ""
      banner.append(.el("p", [("class", "sheet-banner")], "Answer key\(which). The \(count) value\(count == 1 ? "" : "s") the worksheet leaves blank are highlighted."))
      return render(run, context: context, head: [.el("style", [], [.trusted(BlankSet.css)])], banner: banner, titleSuffix: " (answer key)")
    }
  }

  /// Every blank whose digits, as the report writes them, occur in `html`: a worksheet must list none.
  public static func leakedBlanks(_ html: String, blanks: [Blank], decimals: Int) -> [Blank] {
    let format = NumberFormat(decimals: decimals)
    return blanks.filter { blank in
      // With its sign: −0.100000 is not given away by a weight of 0.100000.
      let digits = [format.fixed(blank.value), format.short(blank.value), NumberFormat.exact(blank.value).replacingOccurrences(of: "-", with: "−")]
        .filter { $0.filter(\.isNumber).count >= 4 }
      return digits.contains { text in
        var rest = html[...]
        while let r = rest.range(of: text) {
          let before = html[..<r.lowerBound].last
          let after = r.upperBound < html.endIndex ? html[r.upperBound] : " "
          if before != "−", before != "-", before?.isNumber != true, before != ".", !after.isNumber { return true }
          rest = html[r.upperBound...]
        }
        return false
      }
    }
  }
}

extension ReportContext {
  /// A table cell for a blank: an input on a worksheet, the value highlighted in a key.
  func blankCell(_ x: Double, _ extraClass: String?) -> HTML? {
    guard let blanks = format.blanks, let entry = blanks.entry(for: x) else { return nil }
    let classes = "num" + (extraClass.map { " " + $0 } ?? "")
    if blanks.hides { return .el("td", [("class", classes + " blank-cell")], blankInput(entry)) }
    return .el("td", [("class", classes + " key-answer"), ("title", NumberFormat.exact(x))], format.fixed(x))
  }

  func blankInline(_ x: Double) -> HTML? {
    guard let blanks = format.blanks, let entry = blanks.entry(for: x) else { return nil }
    if blanks.hides { return .el("span", [("class", "value blank-cell")], blankInput(entry)) }
    return .el("span", [("class", "value key-answer"), ("title", NumberFormat.exact(x))], format.short(x))
  }

  func blankInput(_ entry: BlankSet.Entry) -> [HTML] {
    [
      .el("input", [("class", "blank"), ("type", "text"), ("inputmode", "decimal"), ("autocomplete", "off"), ("spellcheck", "false"),
        ("aria-label", entry.name), ("data-check", entry.check)]),
      .el("span", [("class", "blank-mark"), ("aria-live", "polite")], []),
    ]
  }
}
