import Foundation
import Testing

/// Bad input never crashes, never lies, never loses work: the binary end to end.
@Suite("Robustness of the lesson command", .serialized)
struct RobustnessTests {
  /// A folder with `lesson.md` (and any other files given), removed when the test ends.
  struct Scratch {
    let folder: URL
    var lesson: URL { folder.appendingPathComponent("lesson.md") }
    var out: URL { folder.appendingPathComponent("out") }

    init(_ lesson: String, files: [String: String] = [:]) throws {
      folder = try CLI.temporaryFolder()
      try lesson.write(to: self.lesson, atomically: true, encoding: .utf8)
      for (name, text) in files {
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
      }
    }

    func run(_ extra: [String] = [], environment: [String: String] = [:]) throws -> CLI.Result {
      try CLI.run(["run", lesson.path, "--out", out.path] + extra, environment: environment)
    }

    func report(_ format: String = "html") throws -> String {
      try String(contentsOf: out.appendingPathComponent("lesson.\(format)"), encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }
  }

  static let network = """
    ```network n
    inputs: [x]
    layers:
      - neurons: [o1]
        activation: linear
        weights: [[0.5]]
    learning-rate: 0.1
    ```

    """

  static let diverging = """
    # Too large a step

    ```network n
    inputs: [x]
    layers:
      - neurons: [o1]
        activation: linear
        weights: [[0.5]]
    learning-rate: 10
    ```

    ```data
    inputs: [[2], [3]]
    targets: [[1], [2]]
    ```

    ```train
    iterations: 1000
    ```

    AFTER-THE-STOP {{E}}

    ```check
    E = 0
    ```

    """

  @Test("a lesson whose training diverges stops there, says where and why, writes the report up to that point and exits 3")
  func divergingTraining() throws {
    let scratch = try Scratch(Self.diverging)
    defer { scratch.remove() }
    let result = try scratch.run()
    #expect(result.status == 3, "\(result.stderr)")
    #expect(result.stderr.contains("lesson.md:17:1: error: training stopped at iteration"))
    #expect(result.stderr.contains("the error E became inf; o1's share of the error for sample 1 is inf"))
    #expect(result.stderr.contains("note: the weight largest in size is o1.w.x = "))
    #expect(result.stderr.contains("note: likely cause: the learning rate 10.0 is too large"))
    #expect(result.stderr.contains("note: the error went from"))
    let html = try scratch.report()
    #expect(html.contains("The run stopped here."))
    #expect(html.contains("training stopped at iteration"))
    #expect(!html.contains("AFTER-THE-STOP"), "the report ends where the run stopped")

    let json = try scratch.run(["--format", "json"])
    #expect(json.status == 3)
    let trace = try #require(try JSONSerialization.jsonObject(with: Data(scratch.report("json").utf8)) as? [String: Any])
    let stopped = try #require(trace["stopped"] as? [String: Any])
    #expect(stopped["line"] as? Int == 17)
    #expect((stopped["message"] as? String)?.contains("training stopped at iteration") == true)
  }

  @Test("raw HTML and script links in a lesson do not reach the report")
  func rawHTMLAndScriptLinks() throws {
    let scratch = try Scratch("""
      # Safe

      <script>alert("block")</script>

      Text <img src=x onerror="alert('inline')"> and <b onclick="x()">bold</b>.

      [one](javascript:alert(1)) [two](JavaScript:alert(2)) [three](java&#9;script:alert(3)) [four](&#106;avascript:alert(4))
      [five](vbscript:x) [six](data:text/html,x) [seven](<javascript:alert(7)>) ![img](javascript:alert(8))
      [ok](https://example.org/) [mail](mailto:a@example.org) [anchor](#safe)

      """)
    defer { scratch.remove() }
    let result = try scratch.run()
    #expect(result.status == 0, "\(result.stderr)")
    let html = try scratch.report().lowercased()
    for bad in ["<script", "<img src=\"x", "onerror=", "onclick=", "<b "] {
      #expect(!html.contains(bad), "report contains \(bad)")
    }
    // Every link and source left in the report goes to the web, to mail, or within the page.
    for attribute in ["href=\"", "src=\""] {
      for part in html.components(separatedBy: attribute).dropFirst() {
        let value = part.prefix { $0 != "\"" }
        #expect(["http://", "https://", "mailto:", "#"].contains { value.hasPrefix($0) }, "\(attribute)\(value)\"")
      }
    }
    #expect(html.contains("href=\"https://example.org/\""))
    #expect(html.contains("href=\"mailto:a@example.org\""))
  }

  static func csvLesson(_ path: String) -> String {
    network + "```data\ncsv: \(path)\n```\n"
  }

  @Test("an absolute data path is refused where it is written")
  func absoluteDataPath() throws {
    let scratch = try Scratch(Self.csvLesson("/etc/hostname"))
    defer { scratch.remove() }
    let result = try scratch.run()
    #expect(result.status == 2)
    #expect(result.stderr.contains("lesson.md:10:6: error: data files are named relative to the lesson's folder; `/etc/hostname` is an absolute path"))
  }

  @Test("a data path with `..` is refused even when it comes back into the folder")
  func dotDotDataPath() throws {
    let scratch = try Scratch(Self.csvLesson("sub/../../secret.csv"), files: ["sub/x.csv": "1,2\n"])
    defer { scratch.remove() }
    try "1,2\n".write(to: scratch.folder.deletingLastPathComponent().appendingPathComponent("secret.csv"), atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: scratch.folder.deletingLastPathComponent().appendingPathComponent("secret.csv")) }
    let result = try scratch.run()
    #expect(result.status == 2)
    #expect(result.stderr.contains("lesson.md:10:6: error: `sub/../../secret.csv` is outside the lesson's folder"))
  }

  @Test("a symbolic link inside the folder that points out of it is refused; one that stays inside is read")
  func symlinkedDataFile() throws {
    let outside = try CLI.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: outside) }
    try "0.5,1\n".write(to: outside.appendingPathComponent("secret.csv"), atomically: true, encoding: .utf8)
    let scratch = try Scratch(Self.csvLesson("link.csv"), files: ["real.csv": "0.5,1\n"])
    defer { scratch.remove() }
    let fm = FileManager.default
    try fm.createSymbolicLink(at: scratch.folder.appendingPathComponent("link.csv"), withDestinationURL: outside.appendingPathComponent("secret.csv"))
    let refused = try scratch.run()
    #expect(refused.status == 2)
    #expect(refused.stderr.contains("lesson.md:10:6: error: cannot read data file `link.csv`: `link.csv` is outside the lesson's folder"))

    // A linked folder that leads out is refused the same way.
    try fm.createSymbolicLink(at: scratch.folder.appendingPathComponent("away"), withDestinationURL: outside)
    try Self.csvLesson("away/secret.csv").write(to: scratch.lesson, atomically: true, encoding: .utf8)
    let viaFolder = try scratch.run()
    #expect(viaFolder.status == 2)
    #expect(viaFolder.stderr.contains("is outside the lesson's folder"))

    try fm.removeItem(at: scratch.folder.appendingPathComponent("link.csv"))
    try fm.createSymbolicLink(at: scratch.folder.appendingPathComponent("link.csv"), withDestinationURL: scratch.folder.appendingPathComponent("real.csv"))
    try Self.csvLesson("link.csv").write(to: scratch.lesson, atomically: true, encoding: .utf8)
    let inside = try scratch.run()
    #expect(inside.status == 0, "\(inside.stderr)")
  }

  @Test("a run that fails leaves the existing report as it was and no temporary file behind")
  func failedRunKeepsReport() throws {
    let scratch = try Scratch(Self.csvLesson("missing.csv"))
    defer { scratch.remove() }
    try FileManager.default.createDirectory(at: scratch.out, withIntermediateDirectories: true)
    let report = scratch.out.appendingPathComponent("lesson.html")
    try "previous good report".write(to: report, atomically: true, encoding: .utf8)
    let result = try scratch.run()
    #expect(result.status == 2)
    #expect(result.stderr.contains("lesson.md:10:6: error: cannot read data file `missing.csv`"))
    #expect(result.stderr.contains("no report written"))
    #expect(try String(contentsOf: report, encoding: .utf8) == "previous good report")
    #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.out.path) == ["lesson.html"])
  }

  @Test("a report that cannot be written exits 4 and leaves nothing half-written")
  func unwritableReport() throws {
    let scratch = try Scratch(Self.network + "```data\ninputs: [[1]]\ntargets: [[0]]\n```\n\n```forward\n```\n")
    defer { scratch.remove() }
    // The report's path is taken by a folder, so the final rename must fail.
    try FileManager.default.createDirectory(at: scratch.out.appendingPathComponent("lesson.html/inside"), withIntermediateDirectories: true)
    let result = try scratch.run()
    #expect(result.status == 4, "\(result.stderr)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.out.path) == ["lesson.html"])
  }

  @Test("raising a limit on purpose lets a lesson through that the default refuses")
  func limitsCanBeRaised() throws {
    let scratch = try Scratch(Self.network + "```data\ninputs: [[1]]\ntargets: [[0]]\n```\n\n```train\niterations: 20\nevery: 1\n```\n")
    defer { scratch.remove() }
    let refused = try scratch.run(["--max-recorded", "10"])
    #expect(refused.status == 2)
    #expect(refused.stderr.contains("over the limit of 10"))
    #expect(refused.stderr.contains("--max-recorded N"))
    #expect(try scratch.run(["--max-recorded", "20"]).status == 0)
    let iterations = try scratch.run(["--max-iterations", "19"])
    #expect(iterations.status == 2)
    #expect(iterations.stderr.contains("--max-iterations N"))
    let data = try scratch.run(["--max-data", "1"])
    #expect(data.status == 2)
    #expect(data.stderr.contains("--max-data N"))
  }

  @Test("the same lesson gives byte-identical JSON and HTML, run twice and under another locale")
  func determinism() throws {
    let scratch = try Scratch("""
      ---
      decimals: 4
      ---

      # Spiral

      ```network n
      inputs: 2
      layers:
        - neurons: 4
          activation: tanh
        - neurons: 3
          activation: softmax
      loss: cross-entropy
      optimizer: {type: adam, learning-rate: 0.05}
      seed: 7
      ```

      ```data
      generate: {spiral: {classes: 3, points: 10, noise: 0.1, seed: 3}}
      ```

      ```train
      iterations: 30
      batch-size: 8
      shuffle: 5
      every: 10
      ```

      The error is {{E:6}} and $E = \\frac{1}{N}\\sum_n E_n$.

      """)
    defer { scratch.remove() }
    for format in ["html", "json"] {
      var outputs: [Data] = []
      for environment in [[:], [:], ["LC_ALL": "de_DE.UTF-8", "LANG": "de_DE.UTF-8", "TZ": "Pacific/Auckland"]] {
        let result = try scratch.run(["--format", format], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        outputs.append(try Data(contentsOf: scratch.out.appendingPathComponent("lesson.\(format)")))
      }
      #expect(outputs[0] == outputs[1], "\(format) differs between two runs")
      #expect(outputs[0] == outputs[2], "\(format) differs under another locale")
    }
  }
}
