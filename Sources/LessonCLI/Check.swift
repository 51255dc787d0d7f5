import ArgumentParser
import Foundation
import Lessons

enum CheckLine {
  static func value(_ d: Double?) -> String { d.map { "\($0)" } ?? "no value" }

  static func failure(_ r: CheckResult) -> String {
    "\(r.spec.location): error: check failed: \(r.spec.name) = \(value(r.computed)), expected \(r.spec.expectedText) (± \(r.allowed))"
  }
}

struct Check: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Run lessons and report their checks like a test runner.")

  @Argument(help: "Lesson files, or names of lessons under lessons/.")
  var lessons: [String]

  @OptionGroup var options: RunOptions

  func run() throws {
    var passed = 0, failed = 0
    var status: Int32 = 0
    for argument in lessons {
      let outcome: LessonOutcome
      do {
        outcome = try LessonOutcome.execute(argument, limits: options.limits)
      } catch {
        DiagnosticPrinter.printError("error: \(error)")
        status = max(status, Status.fileError)
        continue
      }
      DiagnosticPrinter.print(outcome.diagnostics, source: outcome.source)
      guard let run = outcome.run else {
        status = max(status, Status.lessonErrors)
        continue
      }
      for r in run.checks {
        if r.passed {
          passed += 1
          print("ok    \(r.spec.location)  \(r.spec.name) = \(CheckLine.value(r.computed))")
        } else {
          failed += 1
          print("FAIL  \(r.spec.location)  \(r.spec.name) = \(CheckLine.value(r.computed)), expected \(r.spec.expectedText) (± \(r.allowed))")
        }
      }
    }
    print("\(passed) passed, \(failed) failed")
    if failed > 0 { status = max(status, Status.checkFailed) }
    if status != 0 { throw ExitCode(status) }
  }
}
