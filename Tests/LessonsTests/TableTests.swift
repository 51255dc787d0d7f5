import Lessons
import Testing

@Suite("Pipe tables in prose")
struct TableTests {
  func blocks(_ source: String) -> [Block] {
    Lesson.parse(source, file: "t.md").0.items.compactMap { item in
      if case .prose(let node) = item { node.block } else { nil }
    }
  }

  func cells(_ texts: String...) -> [[Inline]] { texts.map { $0.isEmpty ? [] : [.text($0)] } }

  @Test("colons in the delimiter row set each column's alignment")
  func alignment() {
    let source = "| a | b | c | d |\n| --- | :-- | :-: | --: |\n| 1 | 2 | 3 | 4 |\n"
    #expect(blocks(source) == [
      .table(alignments: [.none, .left, .center, .right], header: cells("a", "b", "c", "d"), rows: [cells("1", "2", "3", "4")])
    ])
  }

  @Test("pipes at the ends are optional, and short rows are padded and long rows cut to the header")
  func raggedRows() {
    #expect(blocks("a | b\n--|--\n1 |\n2 | 3 | 4\n") == [
      .table(alignments: [.none, .none], header: cells("a", "b"), rows: [cells("1", ""), cells("2", "3")])
    ])
  }

  @Test("an escaped pipe is a literal pipe, and a pipe in a code span does not split the cell")
  func escapedPipes() {
    let source = "| x | y |\n|---|---|\n| a \\| b | `c | d` and `e \\| f` |\n"
    #expect(blocks(source) == [
      .table(alignments: [.none, .none], header: cells("x", "y"),
        rows: [[[.text("a | b")], [.code("c | d"), .text(" and "), .code("e | f")]]])
    ])
  }

  @Test("cells hold inline Markdown: emphasis, links, math with a pipe, value references at their column")
  func inlineContent() {
    let source = "Intro.\n\n| what | value |\n| :--- | ---: |\n| *slope* of [ReLU](https://example.org) | $|z|$ is {{h1.a:3}} |\n"
    #expect(blocks(source) == [
      .paragraph([.text("Intro.")]),
      .table(alignments: [.left, .right], header: cells("what", "value"), rows: [[
        [.emphasis([.text("slope")]), .text(" of "), .link(destination: "https://example.org", title: "", [.text("ReLU")])],
        [.math(tex: "|z|", display: false), .text(" is "), .value(name: "h1.a", decimals: 3, location: SourceLocation(file: "t.md", line: 5, column: 53))],
      ]])
    ])
  }

  @Test("a cell that looks like a heading, list or quote stays inline text")
  func noBlocksInCells() {
    #expect(blocks("| # one | - two | > three |\n|---|---|---|\n") == [
      .table(alignments: [.none, .none, .none], header: cells("# one", "- two", "> three"), rows: [])
    ])
  }

  @Test("a table right after a paragraph line ends the paragraph, and the lines after keep their numbers")
  func afterParagraph() {
    let (lesson, diagnostics) = Lesson.parse("Some text\n| a |\n| - |\n| 1 |\nMore text.\n\n# Next\n", file: "t.md")
    #expect(diagnostics.isEmpty)
    let nodes = lesson.items.compactMap { item in if case .prose(let node) = item { node } else { nil } }
    #expect(nodes.map(\.block) == [
      .paragraph([.text("Some text")]),
      .table(alignments: [.none], header: cells("a"), rows: [cells("1")]),
      .paragraph([.text("More text.")]),
      .heading(level: 1, [.text("Next")]),
    ])
    #expect(nodes.map(\.location.line) == [1, 2, 5, 7])
  }

  @Test("rows without a delimiter row stay a paragraph, and a table in fenced code stays code")
  func notTables() {
    #expect(blocks("| a | b |\n| c | d |\n") == [.paragraph([.text("| a | b |"), .softBreak, .text("| c | d |")])])
    #expect(blocks("Title\n---\n") == [.heading(level: 2, [.text("Title")])])
    #expect(blocks("```\n| a |\n| - |\n```\n") == [.code(info: "", text: "| a |\n| - |\n")])
    #expect(blocks("| a | b |\n| - |\n") == [.paragraph([.text("| a | b |"), .softBreak, .text("| - |")])])
  }

  @Test("a value in a cell is read at that point of the lesson, and an unknown one is reported at its line and column")
  func valuesInCells() throws {
    let before = "| before | {{w5}} |\n| --- | --- |\n\n```step\n```\n\n"
    let after = "| after | value |\n| --- | ---: |\n| w5 | {{w5}} |\n"
    let (run, diagnostics) = runLesson(tinyNetwork + before + after)
    #expect(diagnostics.isEmpty, "\(diagnostics)")
    let values = try #require(run).items.compactMap { item -> [Double]? in
      if case .prose(let node, let values) = item, case .table = node.block { return values.sorted { $0.key < $1.key }.map(\.value) }
      return nil
    }
    #expect(values.count == 2)
    #expect(values.first == [0.40])
    #expect(abs((values.last?.first ?? 0) - 0.358916479717885) < 1e-12)

    let (_, unknown) = runLesson(tinyNetwork + "```forward\n```\n\n| neuron | net |\n| --- | ---: |\n| h1 | {{h1.z}} |\n| h2 | {{h2.zz}} |\n", file: "bad.md")
    #expect(unknown.map(\.description) == ["bad.md:26:8: error: unknown value `h2.zz`"])
  }
}
