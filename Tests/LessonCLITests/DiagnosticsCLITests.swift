import Foundation
import Testing

/// Issue 14, parts 3 to 5, as a user of the binary sees them: errors at the mistake, every
/// independent error in one run, and warnings that leave the exit status alone.
@Suite("Diagnostics of the lesson command", .serialized)
struct DiagnosticsCLITests {
  static let network = """
    ```network n
    inputs: [i1, i2]
    layers:
      - neurons: [h1, h2]
        weights: [[0.15, 0.20], [0.25, 0.30]]
        biases: 0.35
      - neurons: [o1]
        weights: [[0.40, 0.45]]
    learning-rate: RATE
    ```

    ```data
    inputs: [[0.05, 0.10]]
    targets: [[0.01]]
    ```

    """

  /// Writes `bytes` as `name` in a fresh folder.
  func lesson(_ name: String, _ bytes: [UInt8]) throws -> (folder: URL, file: URL) {
    let folder = try CLI.temporaryFolder()
    let file = folder.appendingPathComponent(name)
    try Data(bytes).write(to: file)
    return (folder, file)
  }

  @Test("a lesson that is not UTF-8 is a lesson error (exit 2) at the line and column of its first bad byte")
  func notUTF8() throws {
    // "Café" in Latin-1 on line 3, after two lines with CR LF endings and a two-byte é on line 1.
    let bytes = Array("# Résumé\r\n\r\nA caf".utf8) + [0xE9] + Array(" here.\n".utf8)
    let (folder, file) = try lesson("latin.md", bytes)
    defer { try? FileManager.default.removeItem(at: folder) }
    let run = try CLI.run(["run", file.path, "--out", folder.appendingPathComponent("out").path])
    #expect(run.status == 2)
    #expect(run.stderr.contains("\(file.path):3:6: error: this file is not UTF-8 text: byte 0xE9"))
    // The line shown with the bad byte as U+FFFD, and the caret under it.
    #expect(run.stderr.contains("A caf\u{FFFD} here.\n     ^"))
    #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/latin.html").path))

    let check = try CLI.run(["check", file.path])
    #expect(check.status == 2)
    #expect(check.stderr.contains("\(file.path):3:6: error: this file is not UTF-8 text"))
  }

  @Test("a data file that is not UTF-8 is reported at the lesson's csv: line, with the byte's place in the file")
  func dataNotUTF8() throws {
    let source = "# CSV\n\n```data\ncsv: d.csv\n```\n"
    let (folder, file) = try lesson("csv.md", Array(source.utf8))
    defer { try? FileManager.default.removeItem(at: folder) }
    try Data(Array("x,t\n0.5,".utf8) + [0xE9] + Array("\n".utf8)).write(to: folder.appendingPathComponent("d.csv"))
    let run = try CLI.run(["run", file.path, "--out", folder.path])
    #expect(run.status == 2)
    #expect(run.stderr.contains("\(file.path):4:6: error: cannot read data file `d.csv`: it is not UTF-8 text: byte 0xE9 at line 2, column 5 of `d.csv`"), "\(run.stderr)")
  }

  @Test("lesson build reports a non-UTF-8 lesson at its byte and exits 2")
  func notUTF8Build() throws {
    let folder = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    try FileManager.default.createDirectory(at: folder.appendingPathComponent("lessons"), withIntermediateDirectories: true)
    try Data(Array("# T\n\nna".utf8) + [0xEF, 0xBB] + Array("ve\n".utf8)).write(to: folder.appendingPathComponent("lessons/bad.md"))
    let build = try CLI.run(["build", folder.path, "--jobs", "1"])
    #expect(build.status == 2)
    #expect(build.stderr.contains("bad.md:3:3: error: this file is not UTF-8 text: byte 0xEF"), "\(build.stderr)")
  }

  @Test("a lesson with three independent errors prints all three, in reading order")
  func threeIndependentErrors() throws {
    let source = "# Three\n\n" + Self.network.replacingOccurrences(of: "RATE", with: "0.5") + """
      ```forward
      ```

      ```check
      h1.z = 0.37x75
      ```

      The value {{h9.net}} is unknown.

      ```check
      o9.a = 0.75
      ```

      """
    let (folder, file) = try lesson("three.md", Array(source.utf8))
    defer { try? FileManager.default.removeItem(at: folder) }
    let run = try CLI.run(["run", file.path, "--out", folder.path])
    #expect(run.status == 2)
    let errors = run.stderr.split(separator: "\n").filter { $0.contains(": error: ") }
    #expect(errors == [
      "\(file.path):22:8: error: `0.37x75` is not a number",
      "\(file.path):25:11: error: unknown value `h9.net`",
      "\(file.path):28:1: error: unknown value `o9.a`",
    ])
  }

  @Test("a learning rate of 0 warns on stderr and in the report, and still exits 0")
  func warningKeepsStatus() throws {
    let source = "# Zero\n\n" + Self.network.replacingOccurrences(of: "RATE", with: "0") + "```step\n```\n"
    let (folder, file) = try lesson("zero.md", Array(source.utf8))
    defer { try? FileManager.default.removeItem(at: folder) }
    let run = try CLI.run(["run", file.path, "--out", folder.path])
    #expect(run.status == 0)
    #expect(run.stderr.contains("\(file.path):18:1: warning: network `n` has a learning rate of 0, so this `step` changes no parameter"))
    #expect(run.stderr.contains("note: likely cause: `learning-rate: 0`"))
    let report = try String(contentsOf: folder.appendingPathComponent("zero.html"), encoding: .utf8)
    #expect(report.contains("<div class=\"warning\" role=\"note\"><strong>Warning: </strong>network <code>n</code> has a learning rate of 0"))
    let check = try CLI.run(["check", file.path])
    #expect(check.status == 0)
    #expect(check.stderr.contains("warning: network `n` has a learning rate of 0"))
    let json = try CLI.run(["run", file.path, "--out", folder.path, "--format", "json"])
    #expect(json.status == 0)
    let trace = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("zero.json"))) as? [String: Any]
    let warnings = trace?["warnings"] as? [[String: Any]]
    #expect(warnings?.count == 1)
    #expect(warnings?.first?["line"] as? Int == 18)
    #expect((warnings?.first?["message"] as? String)?.hasPrefix("network `n` has a learning rate of 0") == true)
  }
}
