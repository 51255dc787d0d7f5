import Foundation
import Testing

/// `--max-input-bytes` and `--max-graph-nodes` end to end: located errors, exit 2, nothing written.
@Suite("Input limits of the lesson command", .serialized)
struct InputLimitTests {
  @Test func tooLargeALessonIsRefusedBeforeReading() throws {
    let folder = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let lesson = folder.appendingPathComponent("big.md")
    let out = folder.appendingPathComponent("out")
    try ("# Big\n\n" + String(repeating: "Some prose.\n\n", count: 400)).write(to: lesson, atomically: true, encoding: .utf8)
    let size = try #require(try FileManager.default.attributesOfItem(atPath: lesson.path)[.size] as? Int)

    let refused = try CLI.run(["run", lesson.path, "--out", out.path, "--max-input-bytes", "\(size - 1)"])
    #expect(refused.status == 2, "\(refused.stderr)")
    #expect(refused.stderr.contains("big.md:1:1: error: the lesson is \(size) bytes, over the limit of \(size - 1)"), "\(refused.stderr)")
    #expect(refused.stderr.contains("--max-input-bytes N"))
    #expect(!refused.stderr.contains("\n^"), "no source line was read, so none is shown")
    #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("big.html").path))

    let accepted = try CLI.run(["run", lesson.path, "--out", out.path, "--max-input-bytes", "\(size)"])
    #expect(accepted.status == 0, "\(accepted.stderr)")
    #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("big.html").path))
  }

  @Test func theDefaultRefusesA5MBLessonAndCheckAppliesItToo() throws {
    let folder = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let lesson = folder.appendingPathComponent("huge.md")
    try String(repeating: "Some prose.\n\n", count: 400_000).write(to: lesson, atomically: true, encoding: .utf8)
    let result = try CLI.run(["check", lesson.path])
    #expect(result.status == 2, "\(result.stderr)")
    #expect(result.stderr.contains("huge.md:1:1: error: the lesson is 5200000 bytes, over the limit of 4000000"), "\(result.stderr)")
  }

  @Test func graphNodeLimitIsAnOption() throws {
    let folder = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let lesson = folder.appendingPathComponent("g.md")
    try "```graph g\nx = 2\nf = x * x * x\n```\n".write(to: lesson, atomically: true, encoding: .utf8)
    let refused = try CLI.run(["run", lesson.path, "--out", folder.path, "--max-graph-nodes", "2"])
    #expect(refused.status == 2)
    #expect(refused.stderr.contains("g.md:3:1: error: graph `g` takes the lesson's graphs past 2 nodes at `f`"), "\(refused.stderr)")
    #expect(try CLI.run(["run", lesson.path, "--out", folder.path, "--max-graph-nodes", "3"]).status == 0)
  }

  @Test("more check lines than the limit is an error at the first one over it; --max-checks raises it")
  func checkLimitIsAnOption() throws {
    let folder = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let lesson = folder.appendingPathComponent("c.md")
    // Two blocks, so the line over the limit is in the second one.
    try ("```graph g\nx = 1\n```\n\n```check\n" + String(repeating: "x = 1\n", count: 3) + "```\n\n```check\n"
      + String(repeating: "x = 1\n", count: 3) + "```\n").write(to: lesson, atomically: true, encoding: .utf8)
    let refused = try CLI.run(["run", lesson.path, "--out", folder.path, "--max-checks", "4"])
    #expect(refused.status == 2)
    #expect(refused.stderr.contains("c.md:13:1: error: the lesson has more than 4 check lines"), "\(refused.stderr)")
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("c.html").path))
    let accepted = try CLI.run(["run", lesson.path, "--out", folder.path, "--max-checks", "6"])
    #expect(accepted.status == 0, "\(accepted.stderr)")
  }
}
