import ArgumentParser
import Foundation
import LessonIO
import Lessons
import Reports

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case html, json
}

/// Options shared by the commands that run lessons.
struct RunOptions: ParsableArguments {
  @Option(help: "Largest network a lesson may declare, in trainable numbers.")
  var maxParameters: Int = RunLimits().parameters

  @Option(help: "Most multiply-adds one train block may ask for.")
  var maxWork: Double = RunLimits().work

  @Option(help: "Most iterations one train block may run.")
  var maxIterations: Int = RunLimits().iterations

  @Option(help: "Most iterations one train block may list in the report (record, every).")
  var maxRecorded: Int = RunLimits().recorded

  @Option(help: "Most numbers (inputs and targets) in one data set.")
  var maxData: Int = RunLimits().dataNumbers

  @Option(help: "Most nodes in all of a lesson's graph blocks together.")
  var maxGraphNodes: Int = RunLimits().graphNodes

  @Option(help: "Largest lesson file, in bytes, checked before it is parsed.")
  var maxInputBytes: Int = RunLimits().inputBytes

  @Option(help: "Most lines in all of a lesson's check blocks together.")
  var maxChecks: Int = RunLimits().checks

  var limits: RunLimits {
    var l = RunLimits()
    l.parameters = maxParameters
    l.work = maxWork
    l.iterations = maxIterations
    l.recorded = maxRecorded
    l.dataNumbers = maxData
    l.graphNodes = maxGraphNodes
    l.inputBytes = maxInputBytes
    l.checks = maxChecks
    return l
  }
}

/// A lesson read, parsed and run, or the reason it could not be.
struct LessonOutcome {
  var url: URL
  var source: String
  var run: ExecutedLesson?
  var diagnostics: [Diagnostic]

  /// `variant` draws the lesson's `~U(…)` numbers from that seed (see Variants.swift).
  static func execute(_ argument: String, limits: RunLimits, variant: Int? = nil, loader: LessonRunner.Loader? = nil) throws -> LessonOutcome {
    let url = try LessonFiles.locate(argument)
    let display = argument.contains("/") || FileManager.default.fileExists(atPath: argument) ? argument : url.path
    // Before reading: a 50 MB file took half a minute and a gigabyte to reach its first error.
    if let size = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int, size > limits.inputBytes {
      let problem = Diagnostic.error("the lesson is \(size) bytes, over the limit of \(limits.inputBytes)", at: SourceLocation(file: display, line: 1, column: 1),
        notes: ["raise the limit on purpose with `--max-input-bytes N`"])
      return LessonOutcome(url: url, source: "", run: nil, diagnostics: [problem])
    }
    let source: String
    do {
      source = try LessonFiles.read(url)
    } catch let bad as LessonFiles.NotUTF8 {
      // The lesson's mistake, not the file system's: exit 2, at the byte, like any lesson error.
      return LessonOutcome(url: url, source: bad.lossyText, run: nil, diagnostics: [bad.diagnostic(file: display)])
    }
    let outcome = LessonRunner.run(source: source, file: display, variant: variant, limits: limits, loader: loader ?? LessonFiles.loader(for: url))
    let all = outcome.diagnostics
    return LessonOutcome(url: url, source: source, run: all.contains { $0.severity == .error } ? nil : outcome.run, diagnostics: all)
  }

  /// Runs a lesson the way every command does: its diagnostics printed, and a failure raising
  /// `status` (4 for a file, 2 for lesson errors). Nil when there is nothing to report on.
  static func executeReporting(_ argument: String, limits: RunLimits, variant: Int? = nil, status: inout Int32) -> (LessonOutcome, ExecutedLesson)? {
    let outcome: LessonOutcome
    do {
      outcome = try execute(argument, limits: limits, variant: variant)
    } catch {
      DiagnosticPrinter.printError("error: \(error)")
      status = max(status, Status.fileError)
      return nil
    }
    DiagnosticPrinter.print(outcome.diagnostics, source: outcome.source)
    guard let run = outcome.run else {
      status = max(status, Status.lessonErrors)
      return nil
    }
    return (outcome, run)
  }
}

struct Run: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Run lessons and write their reports.")

  @Argument(help: "Lesson files, or names of lessons under lessons/.")
  var lessons: [String]

  @Option(help: "Folder for the reports (default: output/ beside the lessons/ folder).")
  var out: String?

  @Option(help: "Report format: html, or json for the trace of every value.")
  var format: OutputFormat = .html

  @Option(help: "With --format json: the trace's version, 2 (the default) or 1 (networks of dense layers only).")
  var traceVersion: Int = JSONTrace.version

  @Flag(help: "Write the report and exit 0 even when a check fails.")
  var continueOnFailure = false

  @Flag(help: "Write a worksheet, NAME.handout.html: the lesson with the values students compute left blank.")
  var handout = false

  @Flag(help: "Write the matching answer key, NAME.key.html.")
  var key = false

  @Option(help: "Draw the lesson's ~U(…) numbers from seed N; outputs are named NAME.vN….")
  var variant: Int?

  @OptionGroup var options: RunOptions

  func validate() throws {
    if (handout || key) && format == .json { throw ValidationError("--handout and --key write HTML; leave out --format json") }
    if let variant, variant < 0 { throw ValidationError("--variant takes a whole number from 0") }
    if !JSONTrace.versions.contains(traceVersion) { throw ValidationError("--trace-version is 1 or 2") }
  }

  func run() throws {
    var status: Int32 = 0
    for argument in lessons {
      guard let (outcome, run) = LessonOutcome.executeReporting(argument, limits: options.limits, variant: variant, status: &status) else {
        DiagnosticPrinter.printError("\(argument): no report written")
        continue
      }
      let folder = out.map { URL(fileURLWithPath: $0) } ?? LessonFiles.defaultOutput(for: outcome.url)
      let name = outcome.url.deletingPathExtension().lastPathComponent
      let rendered = LessonOutputs(handout: handout, key: key, format: format, traceVersion: traceVersion).render(run, name: name, variant: variant)
      DiagnosticPrinter.print(rendered.problems, source: outcome.source)
      rendered.warnings.forEach(DiagnosticPrinter.printError)
      if rendered.files.isEmpty {
        status = max(status, Status.lessonErrors)
        continue
      }
      var written: [URL] = []
      do {
        for file in rendered.files {
          let target = folder.appendingPathComponent(file.name)
          try LessonFiles.writeAtomically(file.text, to: target)
          written.append(target)
        }
      } catch {
        DiagnosticPrinter.printError("error: \(error)")
        status = max(status, Status.fileError)
        continue
      }
      let failed = run.checks.filter { !$0.passed }
      print("wrote \(written.map(\.path).joined(separator: ", "))" + (run.checks.isEmpty ? "" : " (\(run.checks.count - failed.count) of \(run.checks.count) checks passed)"))
      if let stop = run.stoppedEarly {
        DiagnosticPrinter.print([stop], source: outcome.source)
        status = max(status, Status.numericalTrouble)
      }
      if !failed.isEmpty {
        for f in failed { DiagnosticPrinter.printError(CheckLine.failure(f)) }
        if !continueOnFailure { status = max(status, Status.checkFailed) }
      }
    }
    if status != 0 { throw ExitCode(status) }
  }
}
