import Foundation
import Lessons
import TestSupport
import Testing

/// Every lesson in `lessons/` runs in-process as `lesson run` would run it: no error diagnostics,
/// no value that became NaN or infinite, at least one check, and every check passing.
@Suite("The curriculum")
struct CurriculumTests {
  @Test("a test that runs once per file fails on an empty folder, rather than running never")
  func emptyFolderFails() throws {
    let empty = FileManager.default.temporaryDirectory.appendingPathComponent("no-lessons-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: empty) }
    let names = Repository.files(in: empty, endingIn: ".md")
    #expect(names.count == 1)
    #expect(!FileManager.default.fileExists(atPath: empty.appendingPathComponent(names[0]).path))
  }

  @Test("there are lessons to run")
  func lessonsExist() {
    #expect(Repository.lessonNames().count >= 2, "no lessons found in \(Repository.lessons.path)")
  }

  @Test("the lesson runs with every check passing", arguments: Repository.lessonNames())
  func lessonRuns(_ name: String) throws {
    let url = Repository.lessons.appendingPathComponent(name)
    let source = try String(contentsOf: url, encoding: .utf8)
    // The entry point `lesson run` uses: drawn numbers (`~U(…)`) take their defaults, constraints hold.
    let outcome = LessonRunner.run(source: source, file: "lessons/\(name)", variant: nil, loader: Repository.loader(for: Repository.lessons))
    let errors = outcome.diagnostics.filter { $0.severity == .error }
    #expect(errors.isEmpty, "\(name):\n\(errors.map(\.description).joined(separator: "\n"))")
    guard let run = outcome.run else { return }
    #expect(run.stoppedEarly == nil, "\(name) stopped early: \(run.stoppedEarly.map(\.description) ?? "")")
    #expect(!run.checks.isEmpty, "\(name) has no `check` block: every lesson checks its numbers")
    for check in run.checks where !check.passed {
      Issue.record("\(name):\(check.spec.location.line): \(check.spec.name) = \(check.computed.map { "\($0)" } ?? "no value"), expected \(check.spec.expectedText)")
    }
  }
}
