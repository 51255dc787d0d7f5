import Foundation
import Lessons
import Testing

@testable import Reports

/// The worksheet's box script, run in Node on answers typed as students type them, must give
/// the verdict of the rule the boxes promise (written out again here, from the README).
@Suite("Worksheet box script")
struct WorksheetScriptTests {
  enum Verdict: String { case right, more, wrong, nan }

  /// The rule: with at least R decimals, right within half a unit at R; with fewer (down to
  /// R − 3), "more" when it is the answer rounded half away from zero to the decimals written.
  static func expected(_ typed: String, correct c: Double, places r: Int) -> Verdict {
    guard let x = Double(typed.replacingOccurrences(of: "−", with: "-")) else { return .nan }
    if x == c { return .right }  // an exact answer, however it is written
    let lower = typed.lowercased()
    let mantissa = lower.split(separator: "e").first.map(String.init) ?? lower
    let exponent = lower.contains("e") ? Int(lower.split(separator: "e")[1]) ?? 0 : 0
    let d = max((mantissa.split(separator: ".", omittingEmptySubsequences: false).dropFirst().first?.count ?? 0) - exponent, 0)
    if d >= r { return abs(x - c) <= 0.5 * pow(10, Double(-r)) ? .right : .wrong }
    guard d >= 0, r - d <= 3 else { return .wrong }
    let scale = pow(10, Double(d))
    return (x * scale).rounded() == (c * scale).rounded(.toNearestOrAwayFromZero) ? .more : .wrong
  }

  @Test("every verdict of the box script is the rule's, for rounded, truncated and slipped answers")
  func scriptAgreesWithRule() throws {
    let node = try #require(["/usr/bin/node", "/usr/local/bin/node"].first { FileManager.default.isExecutableFile(atPath: $0) },
      "Node is needed to run the worksheet's script (scripts/install-deps installs it)")
    let answers = [0.593269992, 0.009954255, 0.00046, -0.0877135, 12.345678, 0.082167041, -1.5, 0.35891648, 2.0e-7, 0.25, 0, 1234.5678]
    var cases: [(typed: String, spec: String, expected: Verdict)] = []
    for (n, c) in answers.enumerated() {
      let rounding = [Rounding.standard, Rounding(digits: 4, mode: .significant), Rounding(digits: 3, mode: .decimals)][n % 3]
      let r = rounding.requiredPlaces(for: c)
      let spec = BlankSet.check(Blank(name: "v\(n)", value: c, line: 1, quantity: .error), salt: "test", places: r)
      var typed: [String] = (0...(r + 3)).map { String(format: "%.\($0)f", c) }
      typed += ["%.3g", "%.4g", "%.5g", "%.4e"].map { String(format: $0, c) }
      let unit = pow(10, Double(-r))
      typed += [-1.2, -0.7, -0.3, 0.3, 0.7, 1.2].map { String(format: "%.\(r + 1)f", c + $0 * unit) }
      typed += ["", "abc", "0,5"]
      for t in typed {
        let verdict: Verdict? = t.isEmpty ? nil : (t == "abc" ? .nan : Self.expected(t.replacingOccurrences(of: ",", with: "."), correct: c, places: r))
        guard let verdict else { continue }
        // The rule `lesson check --answers` applies is the same.
        if verdict != .nan, let x = Double(t.replacingOccurrences(of: ",", with: ".")) {
          let marked = AnswerTolerance.judge(t.replacingOccurrences(of: ",", with: "."), x, correct: c, rounding: rounding)
          #expect(["right": Verdict.right, "more-digits": .more, "wrong": .wrong][marked.rawValue] == verdict, "check --answers says \(marked) for \(t) against \(c)")
        }
        cases.append((t, spec, verdict))
      }
    }
    // Half a unit exactly is a boundary the two sides may round differently: leave it out.
    let script = BlankSet.script
    let start = try #require(script.range(of: "function h("))
    let end = try #require(script.range(of: "var text="))
    let input = cases.map { [$0.typed, $0.spec] }
    let program = String(script[start.lowerBound..<end.lowerBound])
      + "\nconst cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));\nconsole.log(JSON.stringify(cases.map(c => judge(c[0], c[1]))));\n"
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("judge-\(UUID().uuidString).js")
    try program.write(to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: node)
    process.arguments = [file.path]
    let stdin = Pipe(), stdout = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    try process.run()
    stdin.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: input))
    try stdin.fileHandleForWriting.close()
    let data = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let verdicts = try #require(try JSONSerialization.jsonObject(with: data) as? [String])
    try #require(verdicts.count == cases.count)
    #expect(cases.count > 150)
    #expect(Set(cases.map(\.expected)) == [.right, .more, .wrong, .nan], "the cases cover every verdict")
    for (c, got) in zip(cases, verdicts) {
      #expect(got == c.expected.rawValue, "typed \(c.typed) for spec \(c.spec.prefix(30))…: script says \(got), the rule \(c.expected)")
    }
  }
}
