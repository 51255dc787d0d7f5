import Foundation
import Lessons
import Testing

/// Every lesson in `lessons/` runs in-process as `lesson run` would run it: no error diagnostics,
/// no value that became NaN or infinite, at least one check, and every check passing.
@Suite("The curriculum")
struct CurriculumTests {
  /// The repository root, found from this file so the tests need no working directory.
  static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  static let lessons = root.appendingPathComponent("lessons")

  /// The lesson files, by name (`02-worked-example.md`), in teaching order.
  static func lessonNames() -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: lessons.path)) ?? []
    return names.filter { $0.hasSuffix(".md") }.sorted()
  }

  /// Reads data files beside the lesson, as the command-line tool does: relative paths inside
  /// the lesson's folder only.
  static func loader(for folder: URL) -> LessonRunner.Loader {
    let base = folder.standardizedFileURL.path
    return { path in
      guard !path.hasPrefix("/"), !path.hasPrefix("~") else {
        throw CocoaError(.fileReadInvalidFileName)
      }
      let target = folder.appendingPathComponent(path).standardizedFileURL
      guard target.path.hasPrefix(base + "/") else { throw CocoaError(.fileReadNoPermission) }
      return try String(contentsOf: target, encoding: .utf8)
    }
  }

  @Test("there are lessons to run")
  func lessonsExist() {
    #expect(Self.lessonNames().count >= 2, "no lessons found in \(Self.lessons.path)")
  }

  @Test("the lesson runs with every check passing", arguments: lessonNames())
  func lessonRuns(_ name: String) throws {
    let url = Self.lessons.appendingPathComponent(name)
    let source = try String(contentsOf: url, encoding: .utf8)
    // The entry point `lesson run` uses: drawn numbers (`~U(…)`) take their defaults, constraints hold.
    let outcome = LessonRunner.run(source: source, file: "lessons/\(name)", variant: nil, loader: Self.loader(for: Self.lessons))
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
