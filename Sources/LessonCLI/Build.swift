import ArgumentParser
import Dispatch
import Foundation
import LessonIO
import Lessons
import Reports

/// `lesson build [DIR]`: every lesson under DIR/lessons/ into DIR/output/, with an index page.
///
/// Lessons run in parallel, one job per lesson (or per lesson and variant). A job is skipped
/// when its inputs are unchanged since the last build: the lesson file's bytes, the bytes of
/// every data file it read, the tool's version and the options. Their hashes are kept in
/// `output/.lesson-build.json`, with each job's title and check counts for the index.
struct Build: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Render every lesson under lessons/ into output/, with an index page.")

  @Argument(help: "The course folder, holding lessons/ (default: the current folder).")
  var folder: String = "."

  @Option(help: "Variants to draw for lessons with ~U(…) numbers, e.g. 1-30 or 1,4,7-9.")
  var variants: String?

  @Flag(help: "Also write each lesson's worksheet, NAME.handout.html.")
  var handout = false

  @Flag(help: "Also write each lesson's answer key, NAME.key.html.")
  var key = false

  @Flag(help: "Exit 0 even when a check fails.")
  var continueOnFailure = false

  @Flag(help: "Rebuild every lesson, changed or not.")
  var force = false

  @Option(help: "Lessons run at once (default: the number of cores).")
  var jobs: Int?

  @OptionGroup var options: RunOptions

  func validate() throws {
    if let variants { _ = try Self.parseVariants(variants) }
  }

  /// `1-30`, `3`, `1,4,7-9`.
  static func parseVariants(_ text: String) throws -> [Int] {
    var out: [Int] = []
    for part in text.split(separator: ",") {
      let bounds = part.split(separator: "-", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
      guard (1...2).contains(bounds.count), bounds.allSatisfy({ $0 != nil && $0! >= 0 }), bounds.first!! <= bounds.last!!, bounds.last!! - bounds.first!! < 10_000 else {
        throw ValidationError("--variants takes numbers and ranges such as 1-30 or 1,4,7-9")
      }
      out += Array(bounds.first!!...bounds.last!!)
    }
    return Array(Set(out)).sorted()
  }

  struct Job: Sendable {
    var lesson: URL
    var relative: String
    var variant: Int?
    var key: String { relative + (variant.map { ".v\($0)" } ?? "") }
  }

  /// What a job produced, kept in the manifest for the index and for skipping.
  struct Record: Codable, Sendable {
    var inputs: String
    var dataFiles: [String: String]
    var outputs: [String]
    var title: String
    var passed: Int
    var failed: Int
    var status: Int32
  }

  struct Manifest: Codable {
    var format = "lesson-build"
    var version = 1
    var jobs: [String: Record] = [:]
  }

  struct Result: Sendable {
    var record: Record?
    var skipped = false
    var stdout: [String] = []
    var stderr: [String] = []
    var status: Int32 = 0
  }

  func run() throws {
    let root = URL(fileURLWithPath: folder).standardizedFileURL
    let lessonsFolder = root.appendingPathComponent("lessons")
    let outputFolder = root.appendingPathComponent("output")
    let manifestURL = outputFolder.appendingPathComponent(".lesson-build.json")
    let fm = FileManager.default
    guard let enumerator = fm.enumerator(at: lessonsFolder, includingPropertiesForKeys: nil) else {
      DiagnosticPrinter.printError("error: no lessons/ folder in `\(root.path)`")
      throw ExitCode(Status.fileError)
    }
    let lessonFiles = enumerator.compactMap { $0 as? URL }.filter { $0.pathExtension == "md" }
      .map { $0.standardizedFileURL }.sorted { $0.path < $1.path }
    let variantList = try variants.map(Self.parseVariants)
    var jobs: [Job] = []
    for url in lessonFiles {
      let relative = String(url.path.dropFirst(lessonsFolder.path.count + 1).dropLast(3))
      let drawn = variantList != nil && ((try? LessonFiles.read(url)).map(Variants.drawsNumbers) ?? false)
      if drawn, let variantList {
        // The lesson's own numbers too: its checks are written against them.
        jobs.append(Job(lesson: url, relative: relative, variant: nil))
        jobs += variantList.map { Job(lesson: url, relative: relative, variant: $0) }
      } else {
        jobs.append(Job(lesson: url, relative: relative, variant: nil))
      }
    }

    var manifest = Manifest()
    if let data = fm.contents(atPath: manifestURL.path), let old = try? JSONDecoder().decode(Manifest.self, from: data) { manifest = old }
    let previous = manifest.jobs
    let settings = "version \(LessonCommand.configuration.version) handout \(handout) key \(key) limits \(options.maxParameters) \(options.maxWork)"

    let results = ResultBox(count: jobs.count)
    let queue = DispatchQueue(label: "lesson.build", attributes: .concurrent)
    let group = DispatchGroup()
    let slots = DispatchSemaphore(value: max(jobs.count == 0 ? 1 : min(self.jobs ?? ProcessInfo.processInfo.activeProcessorCount, jobs.count), 1))
    for (index, job) in jobs.enumerated() {
      let old = previous[job.key]
      let build = self
      slots.wait()
      queue.async(group: group) {
        defer { slots.signal() }
        results.set(index, build.perform(job, settings: settings, previous: old, output: outputFolder))
      }
    }
    group.wait()

    var status: Int32 = 0
    var built = 0, skipped = 0
    manifest.jobs = [:]
    var rows: [String: (title: String, links: [(String, String)], passed: Int, failed: Int, status: Int32, variants: Int)] = [:]
    for (index, job) in jobs.enumerated() {
      let result = results.get(index)
      result.stderr.forEach(DiagnosticPrinter.printError)
      result.stdout.forEach { print($0) }
      status = max(status, result.status)
      if result.skipped { skipped += 1 } else { built += 1 }
      guard let record = result.record else {
        rows[job.relative, default: (job.relative, [], 0, 0, 0, 0)].status = max(rows[job.relative]?.status ?? 0, result.status)
        continue
      }
      manifest.jobs[job.key] = record
      var row = rows[job.relative] ?? (record.title, [], 0, 0, 0, 0)
      row.title = record.title
      let prefix = job.variant.map { "v\($0) " } ?? ""
      for output in record.outputs {
        let label = output.hasSuffix(".handout.html") ? "worksheet" : output.hasSuffix(".key.html") ? "key" : "report"
        row.links.append((prefix + label, output))
      }
      row.passed += record.passed
      row.failed += record.failed
      row.status = max(row.status, record.status)
      if job.variant != nil { row.variants += 1 }
      rows[job.relative] = row
    }

    let indexRows = rows.keys.sorted().map { relative -> CourseIndex.Row in
      let row = rows[relative]!
      let text: String
      let cls: String
      switch row.status {
      case Status.lessonErrors: (text, cls) = ("errors: not built", "fail")
      case Status.numericalTrouble: (text, cls) = ("stopped: a value became NaN or infinite", "fail")
      case Status.fileError: (text, cls) = ("a file could not be read or written", "fail")
      default:
        // Checks run on the lesson's own numbers; a drawn variant meets the constraints instead.
        let drawn = row.variants > 0 ? "; \(row.variants) variants, each meeting the constraints" : ""
        if row.failed > 0 {
          (text, cls) = ("\(row.failed) of \(row.passed + row.failed) checks fail\(drawn)", "fail")
        } else if row.passed > 0 {
          (text, cls) = ("all \(row.passed) checks pass\(drawn)", "pass")
        } else {
          (text, cls) = ("no checks\(drawn)", "warn")
        }
      }
      return CourseIndex.Row(title: row.title, source: "lessons/\(relative).md", links: row.links, status: text, statusClass: cls)
    }
    do {
      try LessonFiles.writeAtomically(CourseIndex.render(title: "Lessons", rows: indexRows), to: outputFolder.appendingPathComponent("index.html"))
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      try LessonFiles.writeAtomically(String(decoding: try encoder.encode(manifest), as: UTF8.self) + "\n", to: manifestURL)
    } catch {
      DiagnosticPrinter.printError("error: \(error)")
      status = max(status, Status.fileError)
    }
    print("built \(built), unchanged \(skipped); index at \(outputFolder.appendingPathComponent("index.html").path)")
    if status == Status.checkFailed, continueOnFailure { status = 0 }
    if status != 0 { throw ExitCode(status) }
  }

  /// Runs one job, unless its inputs match the previous build's.
  func perform(_ job: Job, settings: String, previous: Record?, output: URL) -> Result {
    var result = Result()
    guard let bytes = FileManager.default.contents(atPath: job.lesson.path) else {
      result.stderr.append("error: cannot read `\(job.lesson.path)`")
      result.status = Status.fileError
      return result
    }
    let inputs = ContentHash.of(Data((settings + " variant \(job.variant.map(String.init) ?? "-")\n").utf8) + bytes)
    let folder = output.appendingPathComponent(job.relative).deletingLastPathComponent()
    if !force, let previous, previous.inputs == inputs,
      previous.dataFiles.allSatisfy({ path, hash in
        (try? LessonFiles.loader(for: job.lesson)(path)).map { ContentHash.of(Data($0.utf8)) } == hash
      }),
      previous.outputs.allSatisfy({ FileManager.default.fileExists(atPath: output.appendingPathComponent($0).path) })
    {
      result.record = previous
      result.skipped = true
      result.status = previous.status == Status.checkFailed && continueOnFailure ? 0 : previous.status
      result.stdout.append("unchanged \(job.key)")
      return result
    }

    let recorder = ReadRecorder()
    let base = LessonFiles.loader(for: job.lesson)
    let loader: LessonRunner.Loader = { path in
      let text = try base(path)
      recorder.note(path, ContentHash.of(Data(text.utf8)))
      return text
    }
    let outcome: LessonOutcome
    do {
      outcome = try LessonOutcome.execute(job.lesson.path, limits: options.limits, variant: job.variant, loader: loader)
    } catch {
      result.stderr.append("error: \(error)")
      result.status = Status.fileError
      return result
    }
    result.stderr += outcome.diagnostics.map { $0.formatted(source: outcome.source) }
    guard let run = outcome.run else {
      result.stderr.append("\(job.lesson.path): not built (\(outcome.diagnostics.filter { $0.severity == .error }.count) errors)")
      result.status = Status.lessonErrors
      return result
    }
    let name = job.lesson.deletingPathExtension().lastPathComponent
    var outputs: [LessonOutputs.File] = []
    let report = LessonOutputs().render(run, name: name, variant: job.variant)
    outputs += report.files
    if handout || key {
      let sheets = LessonOutputs(handout: handout, key: key).render(run, name: name, variant: job.variant)
      result.stderr += sheets.problems.map { $0.formatted(source: outcome.source) } + sheets.warnings.map { "\(job.key): \($0)" }
      if sheets.files.isEmpty {
        result.status = Status.lessonErrors
        return result
      }
      outputs += sheets.files
    }
    let subfolder = job.relative.contains("/") ? String(job.relative[..<job.relative.lastIndex(of: "/")!]) + "/" : ""
    do {
      for file in outputs { try LessonFiles.writeAtomically(file.text, to: folder.appendingPathComponent(file.name)) }
    } catch {
      result.stderr.append("error: \(error)")
      result.status = Status.fileError
      return result
    }
    let failed = run.checks.filter { !$0.passed }.count
    if let stop = run.stoppedEarly {
      result.stderr.append(stop.formatted(source: outcome.source))
      result.status = Status.numericalTrouble
    } else if failed > 0 {
      result.stderr += run.checks.filter { !$0.passed }.map(CheckLine.failure)
      result.status = continueOnFailure ? 0 : Status.checkFailed
    }
    let title = run.lesson.settings.title ?? run.lesson.items.lazy.compactMap { item -> String? in
      if case .prose(let node) = item, case .heading(_, let inlines) = node.block { return inlines.map(\.plainText).joined() }
      return nil
    }.first ?? name
    result.record = Record(inputs: inputs, dataFiles: recorder.files, outputs: outputs.map { subfolder + $0.name }, title: title,
      passed: run.checks.count - failed, failed: failed, status: run.stoppedEarly != nil ? Status.numericalTrouble : (failed > 0 ? Status.checkFailed : 0))
    result.stdout.append("built \(job.key): \(outputs.map(\.name).joined(separator: ", "))" + (run.checks.isEmpty ? "" : " (\(run.checks.count - failed) of \(run.checks.count) checks passed)"))
    return result
  }
}

/// Results written by parallel jobs, each into its own slot.
final class ResultBox: @unchecked Sendable {
  private var results: [Build.Result]
  private let lock = NSLock()
  init(count: Int) { results = Array(repeating: Build.Result(), count: count) }
  func set(_ index: Int, _ result: Build.Result) { lock.lock(); results[index] = result; lock.unlock() }
  func get(_ index: Int) -> Build.Result { lock.lock(); defer { lock.unlock() }; return results[index] }
}

/// The data files a lesson read, with their hashes.
final class ReadRecorder: @unchecked Sendable {
  private var recorded: [String: String] = [:]
  private let lock = NSLock()
  func note(_ path: String, _ hash: String) { lock.lock(); recorded[path] = hash; lock.unlock() }
  var files: [String: String] { lock.lock(); defer { lock.unlock() }; return recorded }
}

/// FNV-1a, 64 bits: enough to notice a changed file, not meant to resist tampering.
enum ContentHash {
  static func of(_ data: Data) -> String {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in data { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
    let text = String(h, radix: 16)
    return String(repeating: "0", count: 16 - text.count) + text
  }
}
