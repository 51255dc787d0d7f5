import ArgumentParser
import Foundation
import LessonIO
import Lessons
import Reports

enum AnswerFormat: String, ExpressibleByArgument, CaseIterable {
  case text, json
}

extension Check {
  /// `lesson check LESSON --answers FILE`: marks a student's numbers. Exit 1 when any answer is
  /// wrong or only consistent (not the correct value); answers that are right but short of
  /// digits do not fail: the number is right, only its precision is asked for.
  func markAnswers(_ answersPath: String) throws {
    guard lessons.count == 1 else {
      throw ValidationError("--answers marks one lesson at a time; give exactly one lesson")
    }
    let outcome: LessonOutcome
    let text: String
    do {
      outcome = try LessonOutcome.execute(lessons[0], limits: options.limits, variant: variant)
      text = try LessonFiles.read(URL(fileURLWithPath: answersPath))
    } catch {
      DiagnosticPrinter.printError("error: \(error)")
      throw ExitCode(Status.fileError)
    }
    DiagnosticPrinter.print(outcome.diagnostics, source: outcome.source)
    guard let run = outcome.run else { throw ExitCode(Status.lessonErrors) }
    let (sheet, parseProblems) = AnswerSheet.parse(text, file: answersPath)
    DiagnosticPrinter.print(parseProblems, source: text)
    if parseProblems.contains(where: { $0.severity == .error }) { throw ExitCode(Status.lessonErrors) }
    let (review, problems) = AnswerReview.review(sheet, against: run, rounding: rounding.flatMap(Rounding.parse))
    DiagnosticPrinter.print(problems, source: text)
    guard let review else { throw ExitCode(Status.lessonErrors) }
    switch format {
    case .text: print(AnswerReport.text(review, lesson: run, answersFile: answersPath), terminator: "")
    case .json: print(AnswerReport.json(review, lesson: run, answersFile: answersPath), terminator: "")
    }
    if review.wrong + review.consistent > 0 { throw ExitCode(Status.checkFailed) }
  }
}
