import Lessons

/// The index page of a course built with `lesson build`: every lesson's title, its outputs and
/// how its checks went.
public enum CourseIndex {
  public struct Row: Sendable {
    public var title: String
    public var source: String
    /// Label and relative link of each output, e.g. ("report", "02-worked-example.html").
    public var links: [(String, String)]
    public var status: String
    /// `pass`, `fail` or `warn`, for colour.
    public var statusClass: String

    public init(title: String, source: String, links: [(String, String)], status: String, statusClass: String) {
      self.title = title
      self.source = source
      self.links = links
      self.status = status
      self.statusClass = statusClass
    }
  }

  public static func render(title: String, rows: [Row]) -> String {
    let body: [HTML] = rows.map { row in
      .el("tr", [], [
        .el("th", [("scope", "row")], [
          row.links.first.map { .el("a", [("href", $0.1)], row.title) } ?? .text(row.title),
          .el("div", [("class", "note")], [.el("code", [], row.source)]),
        ]),
        .el("td", [("class", "verdict \(row.statusClass)")], row.status),
        .el("td", [], row.links.enumerated().flatMap { index, link -> [HTML] in
          (index == 0 ? [] : [.text(" · ")]) + [.el("a", [("href", link.1)], link.0)]
        }),
      ])
    }
    return HTML.page(title: title, css: Stylesheet.css, main: [
      .el("h1", [], title),
      .el("p", [], "\(rows.count) lesson\(rows.count == 1 ? "" : "s"), built by lesson (format \(Lesson.formatVersion))."),
      .el("div", [("class", "table-wrap")], [
        .el("table", [], [
          .el("thead", [], [.el("tr", [], [.el("th", [("scope", "col")], "lesson"), .el("th", [("scope", "col")], "checks"), .el("th", [("scope", "col")], "files")])]),
          .el("tbody", [], body),
        ])
      ]),
    ])
  }
}
