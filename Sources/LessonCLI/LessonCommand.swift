import ArgumentParser

@main
struct LessonCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lesson",
    abstract: "Turns Markdown lessons about backpropagation into reports that show every value and its working.",
    discussion: """
      Exit status: 0 success; 1 a check failed; 2 the lesson has errors (nothing written); \
      3 a value became NaN or infinite (report written up to that point, marked); 4 a file could not be read or written.
      """,
    version: "0.1.0",
    subcommands: [Run.self, Check.self, Build.self, New.self]
  )
}

/// Exit statuses, documented in the README.
enum Status {
  static let checkFailed: Int32 = 1
  static let lessonErrors: Int32 = 2
  static let numericalTrouble: Int32 = 3
  static let fileError: Int32 = 4
}
