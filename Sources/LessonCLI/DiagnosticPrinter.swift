import Foundation
import Lessons

/// Prints diagnostics to standard error the way compilers do, with the source line and a caret.
enum DiagnosticPrinter {
  static func print(_ diagnostics: [Diagnostic], source: String?) {
    guard !diagnostics.isEmpty else { return }
    // An empty source (a lesson refused before it was read) has no line to show under the error.
    let text = source.map(Lesson.normalizingLineEndings) ?? ""
    let lines = text.isEmpty ? [] : text.split(separator: "\n", omittingEmptySubsequences: false)
    for d in diagnostics {
      printError(d.formatted(line: lines.indices.contains(d.location.line - 1) ? String(lines[d.location.line - 1]) : nil))
    }
  }

  static func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
  }
}
