import Lessons
import Testing

@Suite("Math and value references survive Markdown")
struct PrepassTests {
  func inlines(_ source: String) -> [Inline] {
    let (lesson, _) = Lesson.parse(source, file: "t.md")
    guard case .prose(let node) = lesson.items.first, case .paragraph(let inlines) = node.block else { return [] }
    return inlines
  }

  @Test("TeX with stars and underscores is not turned into emphasis")
  func emphasisProtected() {
    #expect(inlines("Let $a^*=x_1-b^*$ be.") == [.text("Let "), .math(tex: "a^*=x_1-b^*", display: false), .text(" be.")])
  }

  @Test("dollar amounts and escaped dollars stay text")
  func dollars() {
    #expect(inlines("It costs $20 and $30.").allSatisfy { if case .math = $0 { false } else { true } })
    #expect(inlines("A \\$ sign $x$.").contains(.math(tex: "x", display: false)))
  }

  @Test("display math on its own becomes a display block, with line breaks kept")
  func displayMath() {
    let (lesson, _) = Lesson.parse("Intro.\n\n$$\n\\begin{pmatrix} a \\\\ b \\end{pmatrix}\n$$\n\nAfter.\n", file: "t.md")
    guard case .prose(let node) = lesson.items[1] else { Issue.record("no prose"); return }
    #expect(node.block == .displayMath(tex: "\\begin{pmatrix} a \\\\ b \\end{pmatrix}"))
    guard case .prose(let after) = lesson.items[2] else { Issue.record("no prose"); return }
    #expect(after.location.line == 7, "line numbers are kept after display math")
  }

  @Test("code spans and fenced code keep their dollars and braces")
  func codeUntouched() {
    #expect(inlines("Use `$x$` and `{{E}}` literally.") == [.text("Use "), .code("$x$"), .text(" and "), .code("{{E}}"), .text(" literally.")])
  }

  @Test("value references carry their location and decimals")
  func valueReference() {
    let found = inlines("Here: {{ h1.a:4 }}.")
    #expect(found.count == 3)
    #expect(found[1] == .value(name: "h1.a", decimals: 4, location: SourceLocation(file: "t.md", line: 1, column: 7)))
  }

  @Test("front matter keeps line numbers and sets the notation")
  func frontMatter() {
    let (lesson, diagnostics) = Lesson.parse("---\ntitle: T\nnotation: net-out\n---\n\n# Heading\n", file: "t.md")
    #expect(diagnostics.isEmpty)
    #expect(lesson.settings.title == "T")
    #expect(lesson.settings.notation == .netOut)
    guard case .prose(let node) = lesson.items.first else { Issue.record("no prose"); return }
    #expect(node.location.line == 6)
  }
}
