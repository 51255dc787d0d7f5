import Foundation
import Lessons
import Reports
import TestSupport
import Testing

/// `output/` holds the report of every lesson, and each is exactly what the current code and
/// lesson produce: a lesson or renderer change without regenerated reports fails here.
@Suite("Reports in output/")
struct OutputUpToDateTests {
  @Test("the report in output/ is up to date with its lesson", arguments: Repository.lessonNames())
  func reportIsCurrent(_ name: String) throws {
    let stem = String(name.dropLast(3))
    let source = try String(contentsOf: Repository.lessons.appendingPathComponent(name), encoding: .utf8)
    // The file name as `lesson run lessons/NAME.md` passes it, run from the repository root.
    let outcome = LessonRunner.run(source: source, file: "lessons/\(name)", variant: nil, loader: Repository.loader(for: Repository.lessons))
    try #require(!outcome.diagnostics.contains { $0.severity == .error }, "\(name) has errors")
    let run = try #require(outcome.run)
    let expected = HTMLReport.render(run)

    let reportURL = Repository.output.appendingPathComponent("\(stem).html")
    let stale = "output/ is out of date: run `lesson run lessons/\(name)`"
    guard let data = FileManager.default.contents(atPath: reportURL.path) else {
      Issue.record("output/\(stem).html is missing: run `lesson run lessons/\(name)`")
      return
    }
    let written = String(decoding: data, as: UTF8.self)
    if written != expected {
      // Say where they part ways, so the failure is readable without a diff tool.
      let a = Array(written.utf8), b = Array(expected.utf8)
      let first = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
      let context = String(decoding: b[max(0, first - 60)..<min(b.count, first + 60)], as: UTF8.self)
      Issue.record("\(stale) (output/\(stem).html differs from the rendered report at byte \(first), near: …\(context)…)")
    }
  }
}
