import Foundation
import Lessons
import TestSupport
import Testing

/// The broken lessons under `BrokenLessons/`, each beside the exact diagnostics it must produce.
enum BrokenLessons {
  static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("BrokenLessons")

  static var names: [String] {
    Repository.files(in: folder, endingIn: ".md").map { $0.hasSuffix(".md") ? String($0.dropLast(3)) : $0 }
  }

  /// Serves data files from the corpus folder, as the CLI serves them from a lesson's folder.
  static let loader: LessonRunner.Loader = { path in
    let url = folder.appendingPathComponent(path)
    guard let data = FileManager.default.contents(atPath: url.path) else {
      throw Missing(description: "no such file")
    }
    return String(decoding: data, as: UTF8.self)
  }

  struct Missing: Error, CustomStringConvertible { var description: String }

  /// Parses and runs the lesson, as `lesson run` does; then
  /// prints each diagnostic as its `file:line:column: severity: message` line and its notes.
  static func diagnostics(of name: String) throws -> String {
    let source = try String(contentsOf: folder.appendingPathComponent(name + ".md"), encoding: .utf8)
    let (lesson, parsed) = Lesson.parse(source, file: name + ".md")
    // After parse errors the lesson still runs, for the errors that do not depend on the
    // broken blocks, and everything is reported in reading order (as LessonRunner.run(source:) does).
    let broken = parsed.contains(where: { $0.severity == .error })
    let ran = LessonRunner.run(lesson, loader: loader, diagnosticsOnly: broken).1
    let all = broken ? (parsed + ran).inReadingOrder : parsed + ran
    return all.map { d in ([d.description] + d.notes.map { "  note: " + $0 }).joined(separator: "\n") + "\n" }.joined()
  }
}

@Suite("Broken lessons give exact diagnostics")
struct BrokenLessonTests {
  @Test("the corpus holds at least 40 broken lessons, each with its expected diagnostics")
  func corpusSize() {
    let names = BrokenLessons.names
    #expect(names.count >= 40)
    for name in names {
      #expect(FileManager.default.fileExists(atPath: BrokenLessons.folder.appendingPathComponent(name + ".expected").path), "\(name) has no .expected file")
    }
  }

  @Test("each broken lesson produces exactly its expected diagnostics", arguments: BrokenLessons.names)
  func diagnostics(_ name: String) throws {
    let actual = try BrokenLessons.diagnostics(of: name)
    // To add a case: run with DUMP_BROKEN=/some/folder, read what it wrote, and copy it in only when every line is right.
    if let folder = ProcessInfo.processInfo.environment["DUMP_BROKEN"] {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      try actual.write(to: URL(fileURLWithPath: folder).appendingPathComponent("\(name).expected"), atomically: true, encoding: .utf8)
    }
    let expected = try String(contentsOf: BrokenLessons.folder.appendingPathComponent(name + ".expected"), encoding: .utf8)
    #expect(!actual.isEmpty, "a broken lesson must produce at least one diagnostic")
    #expect(actual == expected)
  }
}
