import Backprop
import Foundation
import Lessons
import Testing

/// Random lessons built from the pieces authors write, from a fixed seed so a failure replays.
/// Each property: parsing and running never crash or hang (inputs stay small), and every
/// diagnostic points at a line and column that exist in the file.
@Suite("Parsers survive random input")
struct ParserFuzzTests {
  static let iterations = 300

  struct Fuzzer {
    var rng: SeededGenerator

    init(seed: UInt64) { rng = SeededGenerator(seed: seed) }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...items.count - 1)] }
    mutating func chance(_ p: Double) -> Bool { rng.nextUnit() < p }

    /// `count` pieces chosen from `pieces`, now and then a random character instead.
    mutating func text(_ pieces: [String], count: ClosedRange<Int>) -> String {
      var out = ""
      for _ in 0..<int(count) {
        out += chance(0.1) ? String(pick(Self.oddCharacters)) : pick(pieces)
      }
      return out
    }

    static let oddCharacters: [Character] = ["\t", "\r", "\0", "é", "δ", "\u{E000}", "\u{E001}", "\u{FEFF}", "😀", "\\", "\"", "'", "&", "<", ">", "|", "*", "!", "%", "@", "`"]
  }

  /// Checks that every diagnostic names this file at a line and column inside it, and that
  /// the printed form shows that line with a caret.
  func expectInside(_ diagnostics: [Diagnostic], of source: String, file: String, _ comment: @autoclosure () -> String) {
    // Lines as CommonMark counts them: a lone CR ends one too.
    let lines = Lesson.normalizingLineEndings(source).split(separator: "\n", omittingEmptySubsequences: false)
    for d in diagnostics {
      #expect(d.location.file == file, "\(comment())")
      #expect(d.location.line >= 1 && d.location.line <= lines.count, "\(d) is outside the file's \(lines.count) lines; \(comment())")
      #expect(d.location.column >= 1, "\(d) has no column; \(comment())")
      #expect(d.formatted(source: source).split(separator: "\n", omittingEmptySubsequences: false).count >= 3 + d.notes.count, "\(d) cannot show its line; \(comment())")
      #expect(!d.message.isEmpty)
    }
  }

  /// Parses and runs, as `lesson run` does (after parse errors too, for the independent ones).
  func parseAndRun(_ source: String, loader: @escaping LessonRunner.Loader = { _ in throw LessonRunner.LoaderUnavailable() }) -> [Diagnostic] {
    let (lesson, parsed) = Lesson.parse(source, file: "fuzz.md")
    var limits = RunLimits()
    limits.work = 1e7
    limits.iterations = 1_000
    limits.dataNumbers = 10_000
    return parsed + LessonRunner.run(lesson, limits: limits, loader: loader, diagnosticsOnly: parsed.contains { $0.severity == .error }).1
  }

  static let networkBody = "inputs: [i1, i2]\nlayers:\n  - neurons: [h1]\n    weights: [[0.1, 0.2]]\n  - neurons: [o1]\nlearning-rate: 0.5\n"

  @Test("random mixes of fences, math, value references and front matter")
  func lessonStructure() {
    var fuzz = Fuzzer(seed: 0x1E55_0001)
    let pieces = [
      "\n", "\n\n", " ", "text ", "# Heading\n", "---\n", "...\n", "title: T\n", "notation: net-out\n", "decimals: 3\n",
      "```", "```\n", "~~~\n", "````network n\n", "```network n\n", "```network m\n", "```data\n", "```forward\n", "```train\n",
      "```check\n", "```loss\n", "```backward\n", "```update\n", "```step\n", "```gradcheck\n", "```forward n extra\n",
      Self.networkBody, "inputs: [[0.05, 0.1]]\ntargets: [[0.01]]\n", "iterations: 3\n", "E = 0.1\n", "h1.a = 0.5 ± 1%\n",
      "$", "$$", "$x^2$", "$$\n\\frac{a}{b}\n$$\n", "\\$", "{{", "}}", "{{E}}", "{{h1.a:4}}", "{{o1.a[2]}}", "{{ }}", "{{a:99}}",
      "`", "``", "`code`", "<b>", "<script>", "[a](javascript:x)", "- item\n", "> quote\n", "    indented\n", ":", "[", "]", "{", "}",
    ]
    for round in 0..<Self.iterations {
      let source = fuzz.text(pieces, count: 0...30)
      expectInside(parseAndRun(source), of: source, file: "fuzz.md", "round \(round): \(source.debugDescription)")
    }
  }

  @Test("random pipe tables among prose, math, value references and fences")
  func tables() {
    var fuzz = Fuzzer(seed: 0x1E55_0007)
    let pieces = [
      "\n", "\n\n", " ", "text ", "|", " | ", "| a | b |\n", "a | b\n", "|---|:-:|\n", "--|--\n", "| :-- | --: | :-: |\n", "---\n",
      "| {{E}} | {{h1.a:4}} |\n", "{{nope}}", "$x|y$", "$", "`a|b`", "`", "\\|", "\\", "*", "[l](https://x.org)", "# H\n", "- item\n",
      "> quote\n", "    indented\n", "```\n", "```forward\n", "<pre>", "</pre>", "\u{E000}0\u{E001}",
    ]
    for round in 0..<Self.iterations {
      let source = "```network\n" + Self.networkBody + "```\n\n" + fuzz.text(pieces, count: 0...30)
      expectInside(parseAndRun(source), of: source, file: "fuzz.md", "round \(round): \(source.debugDescription)")
    }
  }

  @Test("random YAML in network, data and directive blocks")
  func yamlBodies() {
    var fuzz = Fuzzer(seed: 0x1E55_0002)
    let pieces = [
      "\n", "  ", "    ", "- ", ": ", ":", ",", "[", "]", "{", "}", "'", "\"", "#", "&a ", "*a", "!!str ", "|\n", ">\n", "? ",
      "inputs", "layers", "neurons", "weights", "biases", "activation", "learning-rate", "loss", "optimizer", "type", "from", "targets",
      "csv", "generate", "spiral", "labels", "iterations", "epochs", "record", "every", "batch-size", "step", "data",
      "0", "1", "-1", "0.5", "1e999", ".nan", ".inf", "-.inf", "2", "100000000000000000000", "sigmoid", "softmax", "adam", "xor", "n", "i1", "h1", "o1",
    ]
    let kinds = ["network n", "network", "data", "data d", "train", "forward", "gradcheck", "step"]
    for round in 0..<Self.iterations {
      var source = "```network base\n" + Self.networkBody + "```\n\n"
      for _ in 0..<fuzz.int(1...3) {
        source += "```\(fuzz.pick(kinds))\n" + fuzz.text(pieces, count: 0...25) + "\n```\n\n"
      }
      expectInside(parseAndRun(source), of: source, file: "fuzz.md", "round \(round): \(source.debugDescription)")
    }
  }

  @Test("random networks of typed layers, with shapes, sizes and names that may not fit")
  func typedNetworks() {
    var fuzz = Fuzzer(seed: 0x1E55_0016)
    var ran = 0
    for round in 0..<Self.iterations {
      // Half the rounds keep to sizes that fit, so the engine and the report run too.
      let wild = fuzz.chance(0.5)
      let odd = ["0", "-1", "[2, 2]", "[1, 3]", "[]", "[0, 1]", "100000", "x", "5"]
      func size() -> String { wild && fuzz.chance(0.4) ? fuzz.pick(odd) : fuzz.pick(["1", "2"]) }
      let sequence = fuzz.chance(0.3)
      let dims = sequence ? [fuzz.int(1...4), fuzz.int(1...3)] : [fuzz.int(1...2)] + (0..<fuzz.int(1...2)).map { _ in fuzz.int(3...6) }
      var body = "input-shape: [\(dims.map(String.init).joined(separator: ", "))]\nseed: \(fuzz.int(0...9))\nlayers:\n"
      if sequence {
        for _ in 0..<fuzz.int(1...2) { body += "  - type: rnn\n    hidden: \(size())\n    returns: \(fuzz.pick(["sequence", "sequence", wild ? "all" : "sequence"]))\n" }
      } else {
        for _ in 0..<fuzz.int(0...3) {
          switch fuzz.int(0...2) {
          case 0:
            body += "  - type: \(dims.count == 2 ? "conv1d" : "conv2d")\n    kernel: \(size())\n    stride: \(size())\n    padding: \(fuzz.pick(["0", "1"]))\n    channels: \(size())\n"
              + "    activation: \(fuzz.pick(["relu", "tanh", "sigmoid", "linear"]))\n"
            if fuzz.chance(0.3) { body += "    kernel-names: [\(fuzz.pick(["K", "K, L", "x", "o1"]))]\n" }
          case 1: body += "  - type: \(fuzz.pick(["maxpool", "avgpool"]))\n    size: \(size())\n" + (fuzz.chance(0.5) ? "    stride: \(size())\n" : "")
          default: body += wild ? "  - type: \(fuzz.pick(["conv3d", "pool", "dense"]))\n" : ""
          }
        }
      }
      let outputs = fuzz.int(1...2)
      body += "  - type: flatten\n  - neurons: \(outputs)\n    activation: \(fuzz.pick(["sigmoid", "tanh", "linear"]))\nlearning-rate: 0.5\n"
      let count = dims.reduce(1, *) + (wild && fuzz.chance(0.3) ? 1 : 0)
      let samples = fuzz.int(1...2)
      let row = { (0..<count).map { _ in fuzz.pick(["0.5", "1", "-2", "0.25"]) }.joined(separator: ", ") }
      let data = "inputs: [\((0..<samples).map { _ in "[\(row())]" }.joined(separator: ", "))]\ntargets: [\((0..<samples).map { _ in "[" + Array(repeating: "0.5", count: outputs).joined(separator: ", ") + "]" }.joined(separator: ", "))]\n"
      let directive = fuzz.pick(["step", "forward", "backward", "gradcheck", "train\niterations: 3", "loss"])
      let names = wild ? fuzz.pick(["{{c1.z[1,1,1]}}", "{{p1.a[1,1]}}", "{{r1.h[1,1][1]}}", "{{f1.a[1][1]}}", "{{K[1,1].grad}}", "{{x[1,1,1][1]}}", "{{c1.z[0,0]}}"])
        : fuzz.pick(["{{E}}", "The error is {{E}}."])
      let source = "```network n\n\(body)```\n\n```data\n\(data)```\n\n```\(directive)\n```\n\n\(names)\n"
      let diagnostics = parseAndRun(source)
      if !diagnostics.contains(where: { $0.severity == .error }) { ran += 1 }
      expectInside(diagnostics, of: source, file: "fuzz.md", "round \(round): \(source.debugDescription)")
    }
    // Without lessons that run, this would test only the errors.
    #expect(ran >= Self.iterations / 10, "\(ran) of \(Self.iterations) random lessons ran without errors")
  }

  @Test("random data files")
  func csv() {
    var fuzz = Fuzzer(seed: 0x1E55_0003)
    let pieces = ["\n", ",", " ", "0", "1", "-2.5", "1e3", "1e999", "nan", "inf", "x", "# comment\n", "a,b,c\n", "\r\n", "", ",,", "0.25"]
    for round in 0..<Self.iterations {
      let table = fuzz.text(pieces, count: 0...40)
      let columns = fuzz.chance(0.3) ? "input-columns: \(fuzz.int(0...3))\n" : ""
      let source = "```network n\ninputs: 2\nlayers:\n  - neurons: 1\nlearning-rate: 0.1\n```\n\n```data\ncsv: table.csv\n\(columns)```\n\n```forward\n```\n"
      let (lesson, parsed) = Lesson.parse(source, file: "fuzz.md")
      var diagnostics = parsed
      var run: ExecutedLesson?
      if !parsed.contains(where: { $0.severity == .error }) {
        let result = LessonRunner.run(lesson) { _ in table }
        run = result.0
        diagnostics += result.1
      }
      expectInside(diagnostics, of: source, file: "fuzz.md", "round \(round): \(table.debugDescription)")
      // A table that was read holds only finite numbers, in rows of one width.
      for case .data(let data) in run?.items ?? [] {
        #expect(data.dataset.inputs.values.allSatisfy(\.isFinite) && data.dataset.targets.values.allSatisfy(\.isFinite), "round \(round)")
        #expect(data.dataset.inputs.rows == data.dataset.targets.rows)
      }
    }
  }

  @Test("random check lines")
  func checkLines() {
    var fuzz = Fuzzer(seed: 0x1E55_0004)
    let pieces = [
      "h1.a", "h1.z", "o1.a", "E", "w1", "E.iteration[1]", "o1.a[1]", "o1.a[0]", "x y", " ", "=", "==", "±", "+-", "+/-", "%", "#", "# note",
      "0.5", "-1", "1e-3", "1e999", "nan", "0x10", "abc", ".", "[", "]", ":", "/", "n/E", "\n",
    ]
    let prelude = "```network n\n" + Self.networkBody + "```\n\n```data\ninputs: [[0.05, 0.1]]\ntargets: [[0.01]]\n```\n\n```loss\n```\n\n"
    for round in 0..<Self.iterations {
      let source = prelude + "```check\n" + fuzz.text(pieces, count: 0...20) + "\n```\n"
      expectInside(parseAndRun(source), of: source, file: "fuzz.md", "round \(round): \(source.debugDescription)")
    }
  }

  @Test("a name that is not a value is reported, never read as another")
  func checkNamesAreExact() {
    let prelude = "```network n\n" + Self.networkBody + "```\n\n```data\ninputs: [[0.05, 0.1]]\ntargets: [[0.01]]\n```\n\n```forward\n```\n\n"
    for name in ["h1", "h1.", ".a", "h1.a.b", "h2.a", "o1.t.grad", "E[2]", "h1.a[2]"] {
      let source = prelude + "```check\n\(name) = 0.5\n```\n"
      let diagnostics = parseAndRun(source)
      #expect(diagnostics.count == 1, "\(name): \(diagnostics)")
      #expect(diagnostics.first?.location.line == 19, "\(name)")
    }
  }
}
