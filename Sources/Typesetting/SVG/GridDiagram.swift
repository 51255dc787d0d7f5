/// Small grids of numbers side by side, as a convolution is worked on paper: an input, a
/// kernel and the result, with a symbol between them (`∗`, `=`, `→`).
///
/// - Each grid is a table of square-cornered cells with its title above; a cell shows one
///   short text, centred.
/// - Highlighted cells (a kernel's window, a pooling window's maximum) get the output outline.
/// - A cell written as a run of underscores is a blank to write in by hand: the cell widens to a
///   96 × 30 box (about 25 × 8 mm at print scale) and shows nothing.
/// - Colours come from the same classes as the network diagram, so light, dark and print follow.
/// - Grids wider together than ``maxWidth`` go on over several lines.
public struct GridDiagram: Sendable, Equatable {
  public struct Grid: Sendable, Equatable {
    public enum Role: Sendable, Equatable { case given, computed }
    public var title: String
    public var rows: Int
    public var columns: Int
    /// Row-major.
    public var cells: [String]
    public var highlighted: Set<Int>
    public var role: Role

    public init(title: String, rows: Int, columns: Int, cells: [String], highlighted: Set<Int> = [], role: Role = .computed) {
      precondition(cells.count == rows * columns, "one text per cell")
      (self.title, self.rows, self.columns, self.cells, self.highlighted, self.role) = (title, rows, columns, cells, highlighted, role)
    }
  }

  public var id: String
  public var title: String
  public var description: String
  public var grids: [Grid]
  /// Between grid i and i + 1; missing entries leave a gap.
  public var separators: [String]

  public init(id: String, title: String, description: String, grids: [Grid], separators: [String] = []) {
    (self.id, self.title, self.description, self.grids, self.separators) = (id, title, description, grids, separators)
  }

  static let cellHeight = 26.0
  static let blankCell = (width: 96.0, height: 30.0)
  static let font = 12.0
  static let titleHeight = 20.0
  static let gap = 34.0
  static let pad = 8.0

  static func isBlank(_ text: String) -> Bool { !text.isEmpty && text.allSatisfy { $0 == "_" } }

  func size(_ grid: Grid) -> (cell: Double, row: Double) {
    let blanks = grid.cells.contains(where: Self.isBlank)
    let widest = grid.cells.filter { !Self.isBlank($0) }.map { SVG.estimatedWidth($0, fontSize: Self.font) }.max() ?? 0
    let cell = max(widest + 14, 34, blanks ? Self.blankCell.width : 0)
    return (cell, blanks ? Self.blankCell.height : Self.cellHeight)
  }

  /// Wider than this, the grids go on over several lines, each line after the first starting
  /// with the symbol that joined it to the line before: a figure keeps its print scale.
  static let maxWidth = 760.0

  public func svg() -> String {
    let n = SVG.number
    let widths = grids.map { grid -> Double in
      let (w, _) = size(grid)
      return max(Double(grid.columns) * w, SVG.estimatedWidth(grid.title, fontSize: 11) + 4)
    }
    let symbols = grids.indices.map { $0 < separators.count ? separators[$0] : "" }
    let gaps = symbols.map { max(Self.gap, SVG.estimatedWidth($0, fontSize: Self.font) + 16) }
    // Break into lines: (first grid, grids) each.
    var lines: [[Int]] = [[]]
    var x = Self.pad
    for g in grids.indices {
      if !lines[lines.count - 1].isEmpty, x + widths[g] > Self.maxWidth {
        lines.append([])
        x = Self.pad + gaps[g - 1]
      }
      lines[lines.count - 1].append(g)
      x += widths[g] + gaps[g]
    }
    var content: [SVGNode] = []
    var lineTop = Self.pad
    var right = 0.0
    for line in lines {
      let tallest = line.map { Double(grids[$0].rows) * size(grids[$0]).row }.max() ?? 0
      let top = lineTop + Self.titleHeight
      var x = Self.pad
      if let first = line.first, first > 0 {
        // The symbol that joins this line to the one before.
        content.append(.element("text", [("class", "fig-name"), ("x", n(x + gaps[first - 1] / 2)), ("y", n(top + tallest / 2 + 5)), ("text-anchor", "middle")], [.text(symbols[first - 1])]))
        x += gaps[first - 1]
      }
      for g in line {
        let grid = grids[g]
        let (w, h) = size(grid)
        let width = widths[g]
        let left = x + (width - Double(grid.columns) * w) / 2
        let y0 = top + (tallest - Double(grid.rows) * h) / 2
        content.append(.element("text", [("class", "fig-layer-name"), ("x", n(x + width / 2)), ("y", n(y0 - 6)), ("text-anchor", "middle")], [.text(grid.title)]))
        for r in 0..<grid.rows {
          for c in 0..<grid.columns {
            let k = r * grid.columns + c
            let text = grid.cells[k]
            var kind = grid.role == .given ? "fig-neuron fig-input" : "fig-neuron"
            if Self.isBlank(text) { kind = "fig-blank" }
            if grid.highlighted.contains(k) { kind += " fig-output" }
            let cx = left + Double(c) * w, cy = y0 + Double(r) * h
            content.append(.empty("rect", [("class", kind), ("x", n(cx)), ("y", n(cy)), ("width", n(w)), ("height", n(h))]))
            if !Self.isBlank(text) {
              content.append(.element("text", [("class", "fig-name"), ("x", n(cx + w / 2)), ("y", n(cy + h / 2 + 0.35 * Self.font)), ("text-anchor", "middle")], [.text(text)]))
            }
          }
        }
        x += width
        if g < grids.count - 1, g != line.last {
          content.append(.element("text", [("class", "fig-name"), ("x", n(x + gaps[g] / 2)), ("y", n(top + tallest / 2 + 5)), ("text-anchor", "middle")], [.text(symbols[g])]))
          x += gaps[g]
        }
      }
      right = max(right, x)
      lineTop = top + tallest + 14
    }
    return SVG.document(id: id, kind: "grid", width: right + Self.pad, height: lineTop - 14 + Self.pad, title: title, description: description, content: content)
  }
}

/// A recurrent layer unrolled over its time steps: each step's input below its hidden state,
/// each hidden state feeding the next (W_h) and its own input feeding it (W_x), the last one
/// feeding the output. Under each box, up to four value lines; a line written as "name ______"
/// is a blank with its label and a box to write in.
public struct SequenceDiagram: Sendable, Equatable {
  public struct Box: Sendable, Equatable {
    public var name: String
    public var lines: [String]
    public init(_ name: String, lines: [String] = []) { (self.name, self.lines) = (name, lines) }
  }

  public var id: String
  public var title: String
  public var description: String
  public var inputs: [Box]
  public var states: [Box]
  public var output: Box?

  public init(id: String, title: String, description: String, inputs: [Box], states: [Box], output: Box?) {
    precondition(inputs.count == states.count, "one input per step")
    (self.id, self.title, self.description, self.inputs, self.states, self.output) = (id, title, description, inputs, states, output)
  }

  static let font = 10.5
  static let line = 15.0
  static let blank = (width: 96.0, height: 26.0, line: 31.0)

  static func blankLabel(_ line: String) -> String? {
    guard line.hasSuffix("______") else { return nil }
    var label = line.dropLast(6)
    while label.last == " " { label = label.dropLast() }
    return String(label)
  }

  func width(_ box: Box) -> Double {
    let texts = box.lines.map { Self.blankLabel($0).map { SVG.estimatedWidth($0, fontSize: Self.font) + 4 + Self.blank.width } ?? SVG.estimatedWidth($0, fontSize: Self.font) }
    return max(64, (texts.max() ?? 0) + 12, SVG.estimatedWidth(box.name, fontSize: 12) + 16)
  }

  func height(_ box: Box) -> Double {
    22 + box.lines.prefix(4).reduce(0) { $0 + (Self.blankLabel($1) == nil ? Self.line : Self.blank.line) } + 4
  }

  func draw(_ box: Box, x: Double, y: Double, width w: Double, given: Bool) -> [SVGNode] {
    let n = SVG.number
    var out: [SVGNode] = [
      .empty("rect", [("class", given ? "fig-neuron fig-input" : "fig-neuron"), ("x", n(x - w / 2)), ("y", n(y)), ("width", n(w)), ("height", n(height(box))), ("rx", "6")]),
      .element("text", [("class", "fig-name"), ("x", n(x)), ("y", n(y + 16)), ("text-anchor", "middle")], [.text(box.name)]),
    ]
    var top = y + 22
    for line in box.lines.prefix(4) {
      if let label = Self.blankLabel(line) {
        let boxX = x - (SVG.estimatedWidth(label, fontSize: Self.font) + 4 + Self.blank.width) / 2 + SVG.estimatedWidth(label, fontSize: Self.font) + 4
        out.append(.element("text", [("class", "fig-value"), ("x", n(boxX - 4)), ("y", n(top + Self.blank.line / 2 + 4)), ("text-anchor", "end")], [.text(label)]))
        out.append(.empty("rect", [("class", "fig-blank"), ("x", n(boxX)), ("y", n(top + 2)), ("width", n(Self.blank.width)), ("height", n(Self.blank.height)), ("rx", "2")]))
        top += Self.blank.line
      } else {
        out.append(.element("text", [("class", "fig-value"), ("x", n(x)), ("y", n(top + 11)), ("text-anchor", "middle")], [.text(line)]))
        top += Self.line
      }
    }
    return out
  }

  static func arrow(from a: (Double, Double), to b: (Double, Double), label: String?) -> [SVGNode] {
    let n = SVG.number
    let (dx, dy) = (b.0 - a.0, b.1 - a.1)
    let length = max((dx * dx + dy * dy).squareRoot(), 1)
    let (ux, uy) = (dx / length, dy / length)
    let head = "\(n(b.0)),\(n(b.1)) \(n(b.0 - 8 * ux - 4 * uy)),\(n(b.1 - 8 * uy + 4 * ux)) \(n(b.0 - 8 * ux + 4 * uy)),\(n(b.1 - 8 * uy - 4 * ux))"
    var out: [SVGNode] = [
      .empty("line", [("class", "fig-edge"), ("x1", n(a.0)), ("y1", n(a.1)), ("x2", n(b.0)), ("y2", n(b.1))]),
      .empty("polygon", [("class", "fig-bias"), ("points", head)]),
    ]
    if let label {
      out.append(.element("g", [("class", "fig-labels")], [.element("text", [("x", n((a.0 + b.0) / 2 + (dy == 0 ? 0 : 6))), ("y", n((a.1 + b.1) / 2 - (dy == 0 ? 5 : 0))), ("text-anchor", dy == 0 ? "middle" : "start")], [.text(label)])]))
    }
    return out
  }

  public func svg() -> String {
    let steps = states.count
    let columnWidth = (0..<steps).map { max(width(states[$0]), width(inputs[$0])) }.max() ?? 64
    let spacing = columnWidth + 48
    let stateHeight = states.map(height).max() ?? 40
    let inputHeight = inputs.map(height).max() ?? 40
    let outputWidth = output.map(width) ?? 0
    let top = 30.0
    let stateY = top + (output.map(height) ?? 0) + 40
    let inputY = stateY + stateHeight + 40
    var content: [SVGNode] = []
    for t in 0..<steps {
      let x = 12 + columnWidth / 2 + Double(t) * spacing
      content += Self.arrow(from: (x, inputY), to: (x, stateY + height(states[t])), label: "W_x")
      if t > 0 {
        let previous = x - spacing
        content += Self.arrow(from: (previous + width(states[t - 1]) / 2, stateY + 18), to: (x - width(states[t]) / 2, stateY + 18), label: "W_h")
      }
      content += draw(inputs[t], x: x, y: inputY, width: width(inputs[t]), given: true)
      content += draw(states[t], x: x, y: stateY, width: width(states[t]), given: false)
      content.append(.element("text", [("class", "fig-layer-name"), ("x", SVG.number(x)), ("y", SVG.number(inputY + inputHeight + 16)), ("text-anchor", "middle")], [.text("t = \(t + 1)")]))
    }
    let lastX = 12 + columnWidth / 2 + Double(steps - 1) * spacing
    var right = lastX + columnWidth / 2 + 12
    if let output {
      let x = lastX + spacing
      content += Self.arrow(from: (lastX + width(states[steps - 1]) / 2, stateY + 18), to: (x - outputWidth / 2, top + height(output) / 2), label: nil)
      content += draw(output, x: x, y: top, width: outputWidth, given: false)
      right = x + outputWidth / 2 + 12
    }
    return SVG.document(id: id, kind: "sequence", width: right, height: inputY + inputHeight + 26, title: title, description: description, content: content)
  }
}
