import Backprop
import Foundation

/// Lessons whose numbers are drawn at random: one lesson, a different worksheet per student.
///
/// Inside `network` and `data` blocks, a number may be written `~U(low, high, step)` or
/// `~U(low, high, step, default)`: a value drawn uniformly from low, low + step, …, high.
/// `--variant N` draws every such number, in the order they appear, from the engine's
/// `SeededGenerator` seeded with N, so a variant is the same on every machine. Without
/// `--variant` each takes its default, or the middle of its range (rounded down to a step).
///
/// A ```` ```constraints ```` block holds lines a variant must satisfy, such as
/// `E.after < E.before` or `abs(o1.delta) > 0.01`; a variant that fails one is drawn again
/// (up to ``maximumAttempts`` times). In a drawn variant the lesson's `check` blocks, which
/// compare with fixed numbers, are skipped: constraints carry the relations instead.
public enum Variants {
  public static let maximumAttempts = 100

  /// Whether a lesson has numbers to draw (a `~U(…)` inside a network or data block).
  public static func drawsNumbers(_ source: String) -> Bool {
    guard source.contains("~U(") else { return false }
    var none: SeededGenerator? = nil
    return !prepare(source, file: "", generator: &none).0.ranges.isEmpty
  }

  /// One `~U(…)` in the lesson.
  public struct Range: Sendable, Hashable {
    public var low: Double
    public var high: Double
    public var step: Double
    public var defaultValue: Double?
    public var decimals: Int
    public var location: SourceLocation

    var count: Int { Int(((high - low) / step + 1e-9).rounded(.down)) + 1 }

    func text(_ k: Int) -> String { String(format: "%.\(decimals)f", low + Double(k) * step) }

    var middle: String {
      if let d = defaultValue { return String(format: "%.\(decimals)f", d) }
      return text((count - 1) / 2)
    }
  }

  /// The lesson's source with every `~U(…)` replaced, its constraints lifted out, and what was drawn.
  public struct Prepared: Sendable {
    public var source: String
    public var ranges: [Range]
    /// The numbers written in place of each range, in order.
    public var drawn: [String]
    public var constraints: [ConstraintLine]
    /// The line holding the `{{name}}` references that read the constraints' values, if any.
    var valueLine: Int?
  }

  /// Finds the ranges and constraints of a lesson, and replaces each range with a number:
  /// drawn from `generator`, or the range's default when it is nil.
  public static func prepare(_ source: String, file: String, generator: inout SeededGenerator?) -> (Prepared, [Diagnostic]) {
    var lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    var diagnostics: [Diagnostic] = []
    var ranges: [Range] = []
    var drawn: [String] = []
    var constraints: [ConstraintLine] = []
    var valueLine: Int?
    var fence: (marker: String, kind: String, start: Int)?
    var index = 0
    while index < lines.count {
      let line = lines[index]
      let trimmed = line.drop { $0 == " " }
      if let open = fence {
        if trimmed.hasPrefix(open.marker), trimmed.trimmingCharacters(in: .whitespaces).allSatisfy({ $0 == open.marker.first }) {
          if open.kind == "constraints" {
            // The block becomes blank lines and one paragraph of `{{name}}` references, read where
            // the block stands and removed from the report after the run.
            for k in open.start...index { lines[k] = "" }
            let names = Set(constraints.filter { $0.location.line > open.start }.flatMap(\.names)).filter { !$0.hasSuffix(".before") && !$0.hasSuffix(".after") }.sorted()
            if !names.isEmpty, open.start + 1 < index {
              lines[open.start + 1] = names.map { "{{\($0)}}" }.joined(separator: " ")
              valueLine = open.start + 2
            }
          }
          fence = nil
        } else if open.kind == "constraints" {
          let location = SourceLocation(file: file, line: index + 1, column: 1)
          switch ConstraintLine.parse(line, at: location) {
          case .success(let c?): constraints.append(c)
          case .success(nil): break
          case .failure(let d): diagnostics.append(d)
          }
        } else if open.kind == "network" || open.kind == "data" {
          lines[index] = substitute(line, lineNumber: index + 1, file: file, generator: &generator, ranges: &ranges, drawn: &drawn, diagnostics: &diagnostics)
        }
      } else if line.count - trimmed.count <= 3, trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
        let marker = String(trimmed.prefix { $0 == trimmed.first })
        let info = trimmed.dropFirst(marker.count).trimmingCharacters(in: .whitespaces)
        if marker.count >= 3 { fence = (marker, String(info.split(separator: " ").first ?? ""), index) }
      }
      index += 1
    }
    if let open = fence, open.kind == "constraints" {
      diagnostics.append(.error("this constraints block is not closed", at: SourceLocation(file: file, line: open.start + 1, column: 1)))
    }
    return (Prepared(source: lines.joined(separator: "\n"), ranges: ranges, drawn: drawn, constraints: constraints, valueLine: valueLine), diagnostics)
  }

  static func substitute(_ line: String, lineNumber: Int, file: String, generator: inout SeededGenerator?, ranges: inout [Range], drawn: inout [String], diagnostics: inout [Diagnostic]) -> String {
    guard line.contains("~U(") else { return line }
    var out = ""
    var rest = Substring(line)
    while let start = rest.range(of: "~U(") {
      out += rest[..<start.lowerBound]
      let column = line.distance(from: line.startIndex, to: start.lowerBound) + 1
      let location = SourceLocation(file: file, line: lineNumber, column: column)
      guard let close = rest[start.upperBound...].firstIndex(of: ")") else {
        diagnostics.append(.error("`~U(` needs a closing `)`: write `~U(low, high, step)`", at: location))
        return line
      }
      let arguments = rest[start.upperBound..<close].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
      let numbers = arguments.compactMap(Double.init)
      guard (3...4).contains(arguments.count), numbers.count == arguments.count, numbers.allSatisfy(\.isFinite) else {
        diagnostics.append(.error("a drawn number reads `~U(low, high, step)` or `~U(low, high, step, default)`, with numbers", at: location))
        return line
      }
      let (low, high, step) = (numbers[0], numbers[1], numbers[2])
      guard step > 0, high >= low, (high - low) / step <= 1_000_000 else {
        diagnostics.append(.error("`~U(low, high, step)` needs low ≤ high and a positive step", at: location))
        return line
      }
      let decimals = min(max(AnswerTolerance.writtenDecimals(arguments[0]), AnswerTolerance.writtenDecimals(arguments[2])), 12)
      let range = Range(low: low, high: high, step: step, defaultValue: numbers.count == 4 ? numbers[3] : nil, decimals: decimals, location: location)
      let text = generator.map { _ in range.text(generator!.index(below: range.count)) } ?? range.middle
      ranges.append(range)
      drawn.append(text)
      out += text
      rest = rest[rest.index(after: close)...]
    }
    return out + rest
  }
}

/// A lesson prepared (its numbers drawn), parsed and run, with its constraints met.
public struct VariantOutcome: Sendable {
  public var lesson: Lesson?
  public var run: ExecutedLesson?
  public var diagnostics: [Diagnostic]
  /// The source the lesson ran from, after drawing.
  public var preparedSource: String
  public var drawn: [String]
  /// How many draws it took to meet the constraints.
  public var attempts: Int
}

extension LessonRunner {
  /// Draws, parses and runs a lesson; redraws a variant that fails its constraints.
  ///
  /// `variant` nil runs the lesson with its defaults; its constraints must then hold, or the
  /// run is an error at the constraint's line.
  public static func run(source: String, file: String, variant: Int?, limits: RunLimits = RunLimits(), loader: @escaping Loader) -> VariantOutcome {
    var generator: SeededGenerator? = variant.map { SeededGenerator(seed: UInt64($0)) }
    var attempts = 0
    var lastFailure: [Diagnostic] = []
    while attempts < (variant == nil ? 1 : Variants.maximumAttempts) {
      attempts += 1
      let (prepared, prepareProblems) = Variants.prepare(source, file: file, generator: &generator)
      var outcome = VariantOutcome(lesson: nil, run: nil, diagnostics: prepareProblems, preparedSource: prepared.source, drawn: prepared.drawn, attempts: attempts)
      if prepareProblems.contains(where: { $0.severity == .error }) { return outcome }
      let (lesson, parseProblems) = Lesson.parse(prepared.source, file: file)
      outcome.lesson = lesson
      outcome.diagnostics += parseProblems
      if parseProblems.contains(where: { $0.severity == .error }) {
        // Run anyway, for the errors that do not depend on the broken blocks (a check's
        // unknown name, a `{{…}}` in prose): every independent error in one run, as compilers do.
        outcome.diagnostics = (outcome.diagnostics + LessonRunner.run(lesson, limits: limits, loader: loader, diagnosticsOnly: true).1).inReadingOrder
        return outcome
      }
      var (run, runProblems) = LessonRunner.run(lesson, limits: limits, loader: loader)
      outcome.diagnostics += runProblems
      if runProblems.contains(where: { $0.severity == .error }) { return outcome }
      if variant != nil, !prepared.ranges.isEmpty {
        run.items.removeAll { if case .checks = $0 { true } else { false } }
      }
      let (failures, constraintProblems) = Constraints.evaluate(prepared, in: &run)
      outcome.diagnostics += constraintProblems
      if constraintProblems.contains(where: { $0.severity == .error }) { return outcome }
      if failures.isEmpty {
        outcome.run = run
        return outcome
      }
      lastFailure = failures
      if variant == nil || prepared.ranges.isEmpty {
        outcome.diagnostics += failures.map { d in
          var d = d
          d.message = "constraint fails for the lesson's \(variant == nil ? "own numbers (without --variant)" : "numbers"): \(d.message)"
          return d
        }
        return outcome
      }
    }
    let at = lastFailure.first?.location ?? SourceLocation(file: file, line: 1, column: 1)
    return VariantOutcome(lesson: nil, run: nil,
      diagnostics: [.error("no draw of variant \(variant ?? 0) met the constraints in \(Variants.maximumAttempts) attempts", at: at,
        notes: lastFailure.map { "the last draw failed `\($0.message)`" } + ["widen the ranges of the drawn numbers, or loosen the constraints"])],
      preparedSource: source, drawn: [], attempts: attempts)
  }
}
