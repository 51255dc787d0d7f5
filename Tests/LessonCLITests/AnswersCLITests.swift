import Foundation
import Testing

/// `lesson check LESSON --answers FILE`: the README's example, `--rounding`, JSON and exit statuses.
@Suite("Marking answers from the command line", .serialized)
struct AnswersCLITests {
  static let workedExample = CLI.root.appendingPathComponent("lessons/02-worked-example.md").path

  /// The README's fenced block that starts with `first`.
  func readmeBlock(startingWith first: String) throws -> String {
    let readme = try String(contentsOf: CLI.root.appendingPathComponent("README.md"), encoding: .utf8)
    let start = try #require(readme.range(of: "```\n" + first))
    let end = try #require(readme.range(of: "\n```", range: start.upperBound..<readme.endIndex))
    return String(readme[readme.index(start.lowerBound, offsetBy: 4)..<end.lowerBound])
  }

  func mark(_ answers: String, _ extra: [String] = []) throws -> CLI.Result {
    let folder = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let file = folder.appendingPathComponent("ana.txt")
    try answers.write(to: file, atomically: true, encoding: .utf8)
    return try CLI.run(["check", Self.workedExample, "--answers", file.path] + extra)
  }

  @Test("the README's answers example marks as the README shows, against the shipped worked example")
  func readmeExample() throws {
    let answers = try readmeBlock(startingWith: "# Ana's first step")
    let shown = try readmeBlock(startingWith: "  ✓ right")
    let result = try mark(answers)
    #expect(result.status == 1, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n").map(String.init)
    for line in shown.split(separator: "\n").map(String.init) {
      #expect(lines.contains(line), "the README shows a line the tool does not print: \(line)\n\(result.stdout)")
    }
    #expect(result.stdout.contains("pass 3: values of the pass at line 159 (network sequential"))
  }

  @Test("--rounding overrides the lesson; answers short of digits exit 0, a bad rounding is refused")
  func rounding() throws {
    // h1.delta = 0.008771355: 4 decimals are right by default, short of 4 significant figures.
    let standard = try mark("h1.delta = 0.0088\nw5.grad = 0.08\n")
    #expect(standard.status == 0, "\(standard.stdout)\(standard.stderr)")
    #expect(standard.stdout.contains("✓ right        h1.delta = 0.0088"))
    #expect(standard.stdout.contains("≈ more digits  w5.grad = 0.08"))
    #expect(standard.stdout.contains("2 answers: 1 right, 1 right but short of digits, 0 consistent with your earlier values, 0 wrong"))
    let significant = try mark("h1.delta = 0.0088\n", ["--rounding", "4 significant"])
    #expect(significant.status == 0)
    #expect(significant.stdout.contains("≈ more digits  h1.delta = 0.0088  right as far as it goes: give 4 significant figures (here 6 decimals)"))
    let bad = try mark("h1.delta = 0.0088\n", ["--rounding", "4 digits"])
    #expect(bad.status != 0)
    #expect(bad.stderr.contains("--rounding: `4 digits` is not a rounding"))
    let alone = try CLI.run(["check", Self.workedExample, "--rounding", "4 decimals"])
    #expect(alone.status != 0)
    #expect(alone.stderr.contains("--rounding goes with --answers"))
  }

  @Test("answers that follow from a rounded one: consistent, with no slip named, and a wrong one after them is the slip")
  func roundedUpstream() throws {
    // o1.net from h1.out = 0.59 is 1.1046 (0.40·0.59 + 0.45·0.596884378 + 0.60); o1.out = 0.7510 follows from neither.
    let result = try mark("h1.out = 0.59\no1.net = 1.1046\no1.out = 0.7510\n")
    #expect(result.status == 1)
    let out = result.stdout
    #expect(out.contains("~ consistent   o1.net = 1.1046  consistent with your earlier value of h1.out"))
    #expect(out.contains("carry more digits of h1.out to reach the correct value"))
    #expect(!out.contains("slip to look for: h1.out"))
    #expect(out.contains("✗ wrong        o1.out = 0.7510"))
    #expect(out.contains("no earlier answer is wrong (o1.net only follows from rounded values), so the slip is in this step"))
  }

  @Test("JSON gives the more-digits verdict, the places asked for and the rounding")
  func json() throws {
    let result = try mark("h1.out = 0.59\nE.after = 0.2910\n", ["--format", "json"])
    #expect(result.status == 0)
    let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(document["version"] as? Int == 1)
    let items = try #require(document["answers"] as? [[String: Any]])
    #expect(items.map { $0["verdict"] as? String } == ["more-digits", "right"])
    #expect(items.first?["required_places"] as? Int == 4)
    #expect(items.last?["report_name"] as? String == "E.after")
    let rounding = try #require(document["rounding"] as? [String: Any])
    #expect(rounding["digits"] as? Int == 4 && rounding["mode"] as? String == "either")
    let summary = try #require(document["summary"] as? [String: Any])
    #expect(summary["more_digits"] as? Int == 1 && summary["right"] as? Int == 1 && summary["wrong"] as? Int == 0)
  }

  @Test("a marker naming no network is a located error with a suggestion, exit 2")
  func badMarker() throws {
    let result = try mark("h1.net = 0.3775\n@ sequentail\nE = 0.2984\n")
    #expect(result.status == 2)
    #expect(result.stderr.contains("ana.txt:2:3: error: unknown network `sequentail`"))
    #expect(result.stderr.contains("did you mean `sequential`?"))
  }

  @Test("every shipped lesson still passes `lesson check lessons/*.md`")
  func shippedLessons() throws {
    let folder = CLI.root.appendingPathComponent("lessons")
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".md") }.sorted().map { "lessons/" + $0 }
    #expect(files.count >= 10)
    let result = try CLI.run(["check"] + files)
    #expect(result.status == 0, "\(result.stdout.split(separator: "\n").filter { $0.hasPrefix("FAIL") })\(result.stderr)")
    #expect(result.stdout.hasSuffix(" 0 failed\n"))
  }
}
