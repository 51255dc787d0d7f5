import Foundation
import Lessons
import Reports

/// The files one run of a lesson produces: its report, or its worksheet and answer key,
/// named `NAME[.vN].html`, `NAME[.vN].handout.html`, `NAME[.vN].key.html` (or `.json`).
struct LessonOutputs {
  var handout = false
  var key = false
  var format: OutputFormat = .html
  /// The JSON trace's version (see JSONTrace).
  var traceVersion = JSONTrace.version

  struct File {
    var name: String
    var text: String
  }

  /// The files, or the problems that stop them (bad `blanks:` names); `warnings` go to standard error.
  func render(_ run: ExecutedLesson, name: String, variant: Int?) -> (files: [File], problems: [Diagnostic], warnings: [String]) {
    let base = name + (variant.map { ".v\($0)" } ?? "")
    guard handout || key else {
      if format == .json, !JSONTrace.canRender(run, version: traceVersion) {
        return ([], [], ["\(run.lesson.file): error: trace version \(traceVersion) has no typed layers (conv, pooling, rnn); write version \(JSONTrace.version) (leave out --trace-version)"])
      }
      return ([File(name: "\(base).\(format.rawValue)", text: format == .json ? JSONTrace.render(run, version: traceVersion) : HTMLReport.render(run))], [], [])
    }
    let (blanks, problems) = run.blanks()
    if problems.contains(where: { $0.severity == .error }) { return ([], problems, []) }
    var files: [File] = []
    var warnings: [String] = []
    let note = variant.map { "Variant \($0)" }
    let salt = "\(name)|\(variant.map(String.init) ?? "-")"
    if handout {
      let (html, leaks) = HTMLReport.worksheet(run, Worksheet(kind: .handout, blanks: blanks, salt: salt, note: note))
      for leak in leaks {
        warnings.append("\(run.lesson.file):\(leak.line): warning: \(leak.message)\(variant.map { " (variant \($0))" } ?? "")")
      }
      files.append(File(name: "\(base).handout.html", text: html))
    }
    if key {
      files.append(File(name: "\(base).key.html", text: HTMLReport.render(run, worksheet: Worksheet(kind: .key, blanks: blanks, salt: salt, note: note))))
    }
    return (files, problems, warnings)
  }
}
