import Foundation
import Lessons

/// Every number a worksheet showed, with what it is: the leak check reads it.
final class PrintLog: @unchecked Sendable {
  struct Item {
    var value: Double
    /// Nil for numbers that are no value of a pass (training curves, gradient checks, graph nodes).
    var quantity: Quantity?
    /// For a factor of the working: the values it was computed from.
    var sources: [Quantity]
    var line: Int
  }

  private(set) var items: [Item] = []
  private let lock = NSLock()

  func record(_ item: Item) {
    lock.lock()
    items.append(item)
    lock.unlock()
  }
}

/// An answer a worksheet lets a student read off instead of working it out.
public struct WorksheetLeak: Sendable, Hashable {
  public var blank: Blank
  /// The lesson line of the block (or prose) that shows it.
  public var line: Int
  /// What shows it: "the value itself", "1 − a² = 0.6421", "the lesson's text writes 0.5933".
  public var how: String

  public var message: String {
    "the worksheet shows \(how), from which the answer `\(blank.name)` (line \(blank.line)) can be read off, at line \(line)"
  }
}

extension HTMLReport {
  /// A worksheet and every way it gives an answer away.
  ///
  /// Three kinds of leak are looked for, independently of how the report hides blanks: a shown
  /// number equal to an answer, or to a factor a student could invert to get one (−x, 1 − x,
  /// x(1 − x), 1 − x², x²), wherever the report printed it; a number in the lesson's own text
  /// that is an answer rounded as written; and an update that leaves a parameter at its given
  /// value, so the answer is printed as the given one. Values the lesson gives (inputs,
  /// targets, declared parameters) may equal an answer by coincidence: they are not leaks.
  public static func worksheet(_ run: ExecutedLesson, _ worksheet: Worksheet) -> (html: String, leaks: [WorksheetLeak]) {
    var context = ReportContext(run: run)
    let blanks = BlankSet(worksheet, run: run)
    context.format.blanks = blanks
    let html = render(run, worksheet: worksheet, context: context)
    guard worksheet.kind == .handout, !worksheet.blanks.isEmpty else { return (html, []) }

    // Candidates sorted by value, so each shown number is one binary search.
    var candidates: [(value: Double, blank: Int, how: String)] = []
    for (b, blank) in worksheet.blanks.enumerated() {
      let v = blank.value
      for (how, c) in [("", v), ("−x", -v), ("1 − x", 1 - v), ("x(1 − x)", v * (1 - v)), ("1 − x²", 1 - v * v), ("x²", v * v)]
      where Self.isDistinctive(c) {
        candidates.append((c, b, how))
      }
    }
    candidates.sort { $0.value < $1.value }
    func matches(_ x: Double, within tolerance: Double) -> [(blank: Int, how: String)] {
      var lo = 0, hi = candidates.count
      while lo < hi {
        let mid = (lo + hi) / 2
        if candidates[mid].value < x - tolerance { lo = mid + 1 } else { hi = mid }
      }
      var out: [(Int, String)] = []
      while lo < candidates.count, candidates[lo].value <= x + tolerance {
        out.append((candidates[lo].blank, candidates[lo].how))
        lo += 1
      }
      return out
    }

    var leaks: [WorksheetLeak] = []
    var seen: Set<String> = []
    func add(_ b: Int, line: Int, how: String) {
      guard seen.insert("\(b) \(line)").inserted else { return }
      leaks.append(WorksheetLeak(blank: worksheet.blanks[b], line: line, how: how))
    }
    let shownFormat = NumberFormat(decimals: run.lesson.settings.decimals)
    for item in blanks.log.items where item.quantity?.isGiven != true {
      guard Self.isDistinctive(item.value) else { continue }
      for (b, how) in matches(item.value, within: 1e-9 * abs(item.value)) {
        // Named by the pass of the block that printed it, or else any pass that has such a value.
        let name = item.quantity.map { q in
          (run.passes.first { $0.lines.contains(item.line) && $0.canName(q) } ?? run.passes.first { $0.canName(q) }).map { $0.name(q) } ?? "\(q)"
        }
        let what = how.isEmpty
          ? (name.map { "`\($0)` = \(shownFormat.short(item.value))" } ?? "the number \(shownFormat.short(item.value))")
          : "\(how.replacingOccurrences(of: "x", with: "`\(worksheet.blanks[b].name)`")) = \(shownFormat.short(item.value))"
        add(b, line: item.line, how: what)
      }
    }
    // A number written with d significant digits matches one of N answers by chance about
    // N·10⁻ᵈ of the time: ask for enough digits that a match is no accident.
    let digitsNeeded = max(4, Int(Foundation.log10(Double(worksheet.blanks.count)).rounded(.up)) + 2)
    for item in run.items {
      guard case .prose(let node, _) = item else { continue }
      for literal in Self.numberLiterals(in: node.block) {
        guard let x = Double(literal), literal.filter(\.isNumber).drop(while: { $0 == "0" }).count >= digitsNeeded else { continue }
        let places = AnswerTolerance.writtenDecimals(literal)
        // Prose writes no sign before a number as often as with one.
        for (b, how) in matches(x, within: 0.5 * pow(10, Double(-places)) * (1 + 1e-9)) + matches(-x, within: 0.5 * pow(10, Double(-places)) * (1 + 1e-9)) {
          let what = how.isEmpty ? "" : " (\(how.replacingOccurrences(of: "x", with: "`\(worksheet.blanks[b].name)`")))"
          add(b, line: node.location.line, how: "the number \(literal)\(what) in the lesson's text")
        }
      }
    }
    for (b, blank) in worksheet.blanks.enumerated() {
      let unchanged: Bool
      switch blank.quantity {
      case .newWeight(let l, let j, let i): unchanged = blanks.declared.contains(.init(.weight(l: l, j: j, i: i), blank.value))
      case .newBias(let l, let j): unchanged = blanks.declared.contains(.init(.bias(l: l, j: j), blank.value))
      case .newParameter(let l, let p, let i): unchanged = blanks.declared.contains(.init(.parameter(l: l, p: p, index: i), blank.value))
      default: unchanged = false
      }
      if unchanged { add(b, line: blank.line, how: "the given value of a parameter the update leaves unchanged") }
    }
    return (html, leaks)
  }

  /// Whether a number could only be an answer on purpose: not 0, not a whole or short number
  /// like 1, 0.5 or 0.25 that a lesson writes for its own reasons.
  static func isDistinctive(_ x: Double) -> Bool {
    guard x.isFinite, x != 0 else { return false }
    let magnitude = Foundation.floor(Foundation.log10(abs(x)))
    let scaled = abs(x) / Foundation.pow(10, magnitude - 2)  // three significant digits before the point
    return abs(scaled - scaled.rounded()) > 1e-6 * scaled
  }

  /// The decimal numbers written in prose text and math (not the `{{…}}` values, which are the report's).
  static func numberLiterals(in block: Block) -> [String] {
    var texts: [String] = []
    func inline(_ i: Inline) {
      switch i {
      case .text(let t), .code(let t): texts.append(t)
      case .math(let raw, _): texts.append(MathValue.substitute(in: raw, file: "") { _ in " " })
      case .emphasis(let c), .strong(let c), .link(_, _, let c), .image(_, _, let c): c.forEach(inline)
      default: break
      }
    }
    var stack = [block]
    while let b = stack.popLast() {
      switch b {
      case .paragraph(let c), .heading(_, let c): c.forEach(inline)
      case .blockQuote(let c): stack += c
      case .list(_, _, _, let items): stack += items.flatMap { $0 }
      case .displayMath(let tex): texts.append(MathValue.substitute(in: tex, file: "") { _ in " " })
      case .table(_, let header, let rows): (header + rows.flatMap { $0 }).forEach { $0.forEach(inline) }
      case .code, .html, .thematicBreak: break
      }
    }
    var out: [String] = []
    for text in texts {
      var current = ""
      for c in text + " " {
        if c.isASCII, c.isNumber || (c == "." && !current.isEmpty) { current.append(c); continue }
        while current.last == "." { current.removeLast() }
        if current.contains(".") { out.append(current) }
        current = ""
      }
    }
    return out
  }
}
