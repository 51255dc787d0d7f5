import Foundation
import Lessons

/// Prints diagnostics to standard error the way compilers do, with the source line and a caret.
enum DiagnosticPrinter {
  static func print(_ diagnostics: [Diagnostic], source: String?) {
    for d in diagnostics { printError(d.formatted(source: source)) }
  }

  static func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
  }
}
