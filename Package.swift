// swift-tools-version: 6.0
import PackageDescription

let package = Package(
  name: "lesson",
  products: [
    .executable(name: "lesson", targets: ["LessonCLI"]),
    .library(name: "Backprop", targets: ["Backprop"]),
    .library(name: "Lessons", targets: ["Lessons"]),
    .library(name: "Reports", targets: ["Reports"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
  ],
  targets: [
    // MARK: - C

    // The only C in the project: cmark, reached through one Swift file in Lessons.
    .systemLibrary(
      name: "CCmark",
      pkgConfig: "libcmark",
      providers: [.apt(["libcmark-dev"])]
    ),

    // MARK: - Libraries (no file I/O)

    // The backpropagation engine: values in, values out.
    .target(name: "Backprop"),
    // Lesson model, parsing and execution of directives.
    .target(name: "Lessons", dependencies: ["Backprop", "CCmark", "Yams"]),
    // TeX to MathML and the SVG figures: strings in, markup out, nothing lesson-specific.
    .target(name: "Typesetting"),
    // HTML and JSON reports from executed lessons.
    .target(name: "Reports", dependencies: ["Lessons", "Backprop", "Typesetting"]),

    // MARK: - Files

    // Reading lessons and data, writing reports atomically: the only file I/O, shared by the
    // command-line tool and the tests that run lessons as it does.
    .target(name: "LessonIO", dependencies: ["Lessons"]),

    // MARK: - Command-line tool

    .executableTarget(
      name: "LessonCLI",
      dependencies: [
        "Lessons", "Reports", "LessonIO",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),

    // MARK: - Tests

    // One closeness rule, the repository's lessons, and the tool's own file loader, for every test target.
    .target(name: "TestSupport", dependencies: ["Lessons", "LessonIO"], path: "Tests/TestSupport"),
    .testTarget(name: "BackpropTests", dependencies: ["Backprop", "TestSupport"]),
    // BrokenLessons/ is read at test time through #filePath, not built.
    .testTarget(name: "LessonsTests", dependencies: ["Backprop", "Lessons", "TestSupport"], exclude: ["BrokenLessons"]),
    .testTarget(name: "TypesettingTests", dependencies: ["Typesetting"]),
    .testTarget(name: "ReportsTests", dependencies: ["Reports", "Lessons", "TestSupport"]),
    .testTarget(name: "LessonCLITests", dependencies: ["LessonCLI"]),
  ],
  swiftLanguageModes: [.v6]
)
