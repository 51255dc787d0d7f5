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

  @Option(help: "A student's answers file (`name = value` lines): mark each answer against the lesson.")
  var answers: String?

  @Option(help: "With --answers: text (default) or json.")
  var format: AnswerFormat = .text

  @Option(help: "With --answers: the lesson's variant the student worked.")
  var variant: Int?

  @Option(help: "With --answers: how students were asked to round, e.g. \"4 decimals\", \"4 significant\" or \"4 decimals or significant\"; overrides the lesson's `rounding:`.")
  var rounding: String?

  func validate() throws {
    if let rounding {
      guard answers != nil else { throw ValidationError("--rounding goes with --answers: it says how a student's answers are judged") }
      guard Rounding.parse(rounding) != nil else {
        throw ValidationError("--rounding: `\(rounding)` is not a rounding; write \(Rounding.forms.replacingOccurrences(of: "`", with: "\""))")
      }
    }
  }

  func run() throws {
    if let answers { return try markAnswers(answers) }
    var passed = 0, failed = 0
    var status: Int32 = 0
    for argument in lessons {
      guard let (_, run) = LessonOutcome.executeReporting(argument, limits: options.limits, status: &status) else { continue }
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
