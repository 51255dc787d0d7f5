import Foundation
import Testing

/// Runs the built `lesson` binary and captures what a user would see.
struct CLI {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// The binary sits beside the test bundle in the build folder.
  static var binary: URL {
    var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
      let candidate = folder.appendingPathComponent("lesson")
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
      folder = folder.deletingLastPathComponent()
    }
    return root.appendingPathComponent(".build/debug/lesson")
  }

  struct Result {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  static func run(_ arguments: [String], in directory: URL = root, environment: [String: String] = [:]) throws -> Result {
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    process.currentDirectoryURL = directory
    if !environment.isEmpty {
      process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
  }

  static func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("lesson-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }
}

@Suite("The lesson command", .serialized)
struct CLITests {
  @Test("run writes the worked example's report with the published numbers")
  func runWorkedExample() throws {
    let out = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: out) }
    let result = try CLI.run(["run", "02-worked-example", "--out", out.path])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("18 of 18 checks passed"))
    let html = try String(contentsOf: out.appendingPathComponent("02-worked-example.html"), encoding: .utf8)
    for number in ["0.3775", "0.593269992", "0.75136507", "0.298371109", "0.138498562", "0.082167041", "0.291027774", "0.291027924", "0.015912196", "0.984065734"] {
      #expect(html.contains(number), "report lacks \(number)")
    }
    #expect(!html.contains("<script"))
    #expect(!html.contains("http://") || !html.contains("src=\"http"))
    #expect(html.contains("<math"))
    #expect(html.contains("<svg"))
  }

  @Test("the same lesson gives byte-identical reports")
  func deterministic() throws {
    let a = try CLI.temporaryFolder(), b = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: a); try? FileManager.default.removeItem(at: b) }
    for format in ["html", "json"] {
      _ = try CLI.run(["run", "lessons/02-worked-example.md", "--out", a.path, "--format", format])
      _ = try CLI.run(["run", "lessons/02-worked-example.md", "--out", b.path, "--format", format])
      let x = try Data(contentsOf: a.appendingPathComponent("02-worked-example.\(format)"))
      let y = try Data(contentsOf: b.appendingPathComponent("02-worked-example.\(format)"))
      #expect(x == y)
    }
  }

  @Test("trace version 1 is still written on request, and refused for a lesson with typed layers")
  func traceVersionOne() throws {
    let out = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: out) }
    let file = out.appendingPathComponent("02-worked-example.json")
    #expect(try CLI.run(["run", "02-worked-example", "--out", out.path, "--format", "json"]).status == 0)
    let current = try String(contentsOf: file, encoding: .utf8)
    #expect(try CLI.run(["run", "02-worked-example", "--out", out.path, "--format", "json", "--trace-version", "1"]).status == 0)
    let one = try String(contentsOf: file, encoding: .utf8)
    // A dense lesson's trace is version 1's but for the number.
    #expect(one.contains("\"version\": 1,") && current.contains("\"version\": 2,"))
    #expect(one.split(separator: "\n").filter { !$0.contains("version") } == current.split(separator: "\n").filter { !$0.contains("version") })
    let refused = try CLI.run(["run", "11-convolution", "--out", out.path, "--format", "json", "--trace-version", "1"])
    #expect(refused.status != 0)
    #expect(refused.stderr.contains("trace version 1 has no typed layers"))
    #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("11-convolution.json").path))
    #expect(try CLI.run(["run", "02-worked-example", "--format", "json", "--trace-version", "3"]).status != 0)
  }

  @Test("the JSON trace carries every value at full precision")
  func json() throws {
    let out = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: out) }
    let result = try CLI.run(["run", "02-worked-example", "--out", out.path, "--format", "json"])
    #expect(result.status == 0)
    let data = try Data(contentsOf: out.appendingPathComponent("02-worked-example.json"))
    let trace = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    #expect(trace["format"] as? String == "lesson-trace")
    #expect(trace["version"] as? Int == 2)
    let steps = try #require(trace["steps"] as? [[String: Any]])
    let backward = try #require(steps.first { $0["kind"] as? String == "backward" })
    let parameters = try #require(backward["parameters"] as? [String: [String: Any]])
    let w5 = try #require(parameters["w5"]?["grad"] as? Double)
    #expect(abs(w5 - 0.082167041) < 5e-10)
    let layers = try #require((backward["backward"] as? [String: Any])?["layers"] as? [[String: Any]])
    let delta = try #require(layers[1]["delta"] as? [[Double]])
    #expect(abs(delta[0][0] - 0.138498562) < 5e-10)
  }

  @Test("a broken lesson prints every error with file:line:column, exits 2 and keeps the old report")
  func brokenLesson() throws {
    let folder = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let lesson = folder.appendingPathComponent("bad.md")
    try "# Bad\n\n```network n\ninputs: [i1]\nlayers:\n  - neurons: [o1]\n    activation: sigmod\nlearning-rate: 0.1\n```\n\n{{E}}\n".write(to: lesson, atomically: true, encoding: .utf8)
    let report = folder.appendingPathComponent("out/bad.html")
    try FileManager.default.createDirectory(at: report.deletingLastPathComponent(), withIntermediateDirectories: true)
    try "previous good report".write(to: report, atomically: true, encoding: .utf8)
    let result = try CLI.run(["run", lesson.path, "--out", folder.appendingPathComponent("out").path])
    #expect(result.status == 2)
    #expect(result.stderr.contains("\(lesson.path):7:17: error: unknown activation `sigmod`"))
    #expect(result.stderr.contains("    activation: sigmod\n                ^"))
    #expect(try String(contentsOf: report, encoding: .utf8) == "previous good report")
  }

  @Test("check prints each check and a closing count, and fails on a wrong value")
  func check() throws {
    let ok = try CLI.run(["check", "02-worked-example"])
    #expect(ok.status == 0)
    #expect(ok.stdout.hasSuffix("18 passed, 0 failed\n"))
    let folder = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let source = try String(contentsOf: CLI.root.appendingPathComponent("lessons/02-worked-example.md"), encoding: .utf8)
    let lesson = folder.appendingPathComponent("wrong.md")
    try source.replacingOccurrences(of: "E = 0.298371109", with: "E = 0.298371119").write(to: lesson, atomically: true, encoding: .utf8)
    let bad = try CLI.run(["check", lesson.path])
    #expect(bad.status == 1)
    #expect(bad.stdout.contains("FAIL"))
    #expect(bad.stdout.hasSuffix("17 passed, 1 failed\n"))
  }

  @Test("a missing lesson is a clear error with exit status 4")
  func missing() throws {
    let result = try CLI.run(["run", "no-such-lesson"])
    #expect(result.status == 4)
    #expect(result.stderr.contains("no lesson at `no-such-lesson`"))
  }

  @Test("data files outside the lesson's folder are refused")
  func dataOutsideFolder() throws {
    let folder = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let lesson = folder.appendingPathComponent("escape.md")
    try "```network n\ninputs: 1\nlayers:\n  - neurons: 1\nlearning-rate: 0.1\n```\n\n```data\ncsv: ../secret.csv\n```\n".write(to: lesson, atomically: true, encoding: .utf8)
    let result = try CLI.run(["run", lesson.path, "--out", folder.path])
    #expect(result.status == 2)
    #expect(result.stderr.contains("outside the lesson's folder"))
  }
}
