import Foundation
import LessonIO
import Lessons

/// |a − b| ≤ relative·max(|a|, |b|) + absolute: a relative error for ordinary values, with an
/// absolute floor for values that are (or should be) zero, where a relative error means nothing.
/// Infinities and NaN are close only to themselves.
public func isClose(_ a: Double, _ b: Double, relative: Double = 1e-10, absolute: Double = 0) -> Bool {
  guard a.isFinite, b.isFinite else { return a == b || (a.isNaN && b.isNaN) }
  return abs(a - b) <= relative * max(abs(a), abs(b)) + absolute
}

/// The repository the tests run in, found from this file so they need no working directory.
public enum Repository {
  public static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  public static let lessons = root.appendingPathComponent("lessons")
  public static let output = root.appendingPathComponent("output")

  /// The names of the files in `folder` ending in `suffix`, sorted. When there are none, one
  /// name that cannot be read, so a test that runs once per file fails instead of running never.
  public static func files(in folder: URL, endingIn suffix: String) -> [String] {
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(suffix) }.sorted()
    return names.isEmpty ? ["(no \(suffix) files in \(folder.path))"] : names
  }

  /// The shipped lessons (`02-worked-example.md`), in teaching order.
  public static func lessonNames() -> [String] { files(in: lessons, endingIn: ".md") }

  /// The command-line tool's own loader for files a lesson in `folder` names.
  public static func loader(for folder: URL) -> LessonRunner.Loader {
    LessonFiles.loader(for: folder.appendingPathComponent("lesson.md"))
  }

  /// A shipped lesson, run as `lesson run lessons/NAME.md` runs it from the repository root.
  public static func run(_ name: String, variant: Int? = nil) throws -> VariantOutcome {
    let source = try LessonFiles.read(lessons.appendingPathComponent(name))
    return LessonRunner.run(source: source, file: "lessons/\(name)", variant: variant, loader: loader(for: lessons))
  }
}
