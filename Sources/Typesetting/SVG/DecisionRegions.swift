/// A 2-D classification picture: the class a model predicts over a grid of the input plane, drawn
/// as tinted regions, with the data points on top.
///
/// - `grid[row][column]` is the class index of the cell x ∈ [x₀ + column·Δx, x₀ + (column+1)·Δx],
///   y ∈ [y₀ + row·Δy, y₀ + (row+1)·Δy], where Δx = xRange width / columns and Δy = yRange
///   height / rows: **row 0 is at the bottom** (smallest y), as when the grid is computed with y
///   increasing. Rows may differ in length; each uses its own Δx.
/// - Runs of equal class within a row become one rectangle, so a 100 × 100 grid with a smooth
///   boundary costs a few hundred rectangles rather than ten thousand.
/// - Class k is drawn with CSS class `c(k mod 6)`; negative indices mean "no class" and are not
///   drawn. Points also differ by shape per class (circle, square, triangle, diamond, inverted
///   triangle, plus) so the figure reads without colour.
/// - Points outside the ranges or with non-finite coordinates are skipped.
public struct DecisionRegions: Sendable, Equatable {
  /// A labelled data point.
  public struct Sample: Sendable, Equatable {
    public var x: Double
    public var y: Double
    public var label: Int
    public init(x: Double, y: Double, label: Int) {
      self.x = x
      self.y = y
      self.label = label
    }
  }

  public var id: String
  public var title: String
  public var description: String
  public var xRange: ClosedRange<Double>
  public var yRange: ClosedRange<Double>
  public var grid: [[Int]]
  public var samples: [Sample]
  /// Names for classes 0, 1, …; when not empty a legend shows each with its marker.
  public var classNames: [String]
  public var xLabel: String
  public var yLabel: String
  /// The plot area's size in pixels; margins for ticks, labels and legend are added around it.
  public var plotWidth: Double
  public var plotHeight: Double

  public init(
    id: String, title: String, description: String,
    xRange: ClosedRange<Double>, yRange: ClosedRange<Double>,
    grid: [[Int]], samples: [Sample], classNames: [String] = [],
    xLabel: String = "x₁", yLabel: String = "x₂",
    plotWidth: Double = 320, plotHeight: Double = 320
  ) {
    self.id = id
    self.title = title
    self.description = description
    self.xRange = xRange
    self.yRange = yRange
    self.grid = grid
    self.samples = samples
    self.classNames = classNames
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.plotWidth = plotWidth
    self.plotHeight = plotHeight
  }

  /// The figure as an `<svg>` element.
  public func svg() -> String {
    let x = Axis.tightLinear(min: xRange.lowerBound, max: xRange.upperBound, count: 5)
    let y = Axis.tightLinear(min: yRange.lowerBound, max: yRange.upperBound, count: 5)
    let left = PlotFrame.leftMargin(for: y, hasLabel: !yLabel.isEmpty)
    let top = 10.0
    let frame = PlotFrame(
      left: left, top: top, right: left + plotWidth, bottom: top + plotHeight, x: x, y: y)

    let legendWidth = classNames.isEmpty
      ? 0 : 24 + (classNames.map { SVG.estimatedWidth($0, fontSize: 12) }.max() ?? 0)
    let width = frame.right + 16 + legendWidth
    let legendHeight = Double(classNames.count) * 18 + 10
    let height = max(frame.bottom + PlotFrame.bottomMargin(hasLabel: !xLabel.isEmpty), legendHeight)

    var content: [SVGNode] = [regions(in: frame), frame.grid()]
    content += frame.axes(xLabel: xLabel, yLabel: yLabel)

    let points = samples.filter {
      $0.x.isFinite && $0.y.isFinite && $0.label >= 0 && xRange.contains($0.x) && yRange.contains($0.y)
    }
    if !points.isEmpty {
      content.append(.element("g", [("class", "fig-points")], points.map { sample in
        Self.marker(label: sample.label, x: frame.px(sample.x), y: frame.py(sample.y), size: 4)
      }))
    }

    if !classNames.isEmpty {
      var entries: [SVGNode] = []
      for (index, name) in classNames.enumerated() {
        let cy = top + 9 + Double(index) * 18
        entries.append(Self.marker(label: index, x: frame.right + 24, y: cy, size: 4.5))
        entries.append(.element("text", [
          ("x", SVG.number(frame.right + 34)), ("y", SVG.number(cy)), ("dy", "0.35em"),
        ], [.text(name)]))
      }
      content.append(.element("g", [("class", "fig-legend")], entries))
    }

    return SVG.document(
      id: id, kind: "regions", width: width, height: height,
      title: title, description: description, content: content)
  }

  /// One rectangle per run of equal class in each row.
  private func regions(in frame: PlotFrame) -> SVGNode {
    var rects: [SVGNode] = []
    let rows = grid.count
    guard rows > 0 else { return .element("g", [("class", "fig-regions")], []) }
    let rowHeight = (yRange.upperBound - yRange.lowerBound) / Double(rows)
    for (rowIndex, row) in grid.enumerated() where !row.isEmpty {
      let columnWidth = (xRange.upperBound - xRange.lowerBound) / Double(row.count)
      let yTop = frame.py(yRange.lowerBound + Double(rowIndex + 1) * rowHeight)
      let yBottom = frame.py(yRange.lowerBound + Double(rowIndex) * rowHeight)
      var start = 0
      while start < row.count {
        var end = start + 1
        while end < row.count, row[end] == row[start] { end += 1 }
        if row[start] >= 0 {
          let x0 = frame.px(xRange.lowerBound + Double(start) * columnWidth)
          let x1 = frame.px(xRange.lowerBound + Double(end) * columnWidth)
          rects.append(.empty("rect", [
            ("class", "c\(row[start] % 6)"),
            ("x", SVG.number(x0)), ("y", SVG.number(yTop)),
            ("width", SVG.number(x1 - x0)), ("height", SVG.number(yBottom - yTop)),
          ]))
        }
        start = end
      }
    }
    return .element("g", [("class", "fig-regions")], rects)
  }

  /// The marker for class `label` centred at (x, y): circle, square, triangle, diamond, inverted
  /// triangle or plus for classes 0…5 (mod 6); `size` is roughly the half-width.
  static func marker(label: Int, x: Double, y: Double, size s: Double) -> SVGNode {
    let kind = label % 6
    let style = "c\(kind)"
    let n = SVG.number
    switch kind {
    case 0:
      return .empty("circle", [("class", style), ("cx", n(x)), ("cy", n(y)), ("r", n(s))])
    case 1:
      let side = s * 1.7
      return .empty("rect", [
        ("class", style), ("x", n(x - side / 2)), ("y", n(y - side / 2)), ("width", n(side)), ("height", n(side)),
      ])
    case 2, 4:
      // Equilateral-ish triangle with its centroid at (x, y); kind 4 points down.
      let r = s * 1.3
      let flip = kind == 2 ? 1.0 : -1.0
      let d = "M\(n(x)) \(n(y - flip * r))L\(n(x + r * 0.87)) \(n(y + flip * r / 2))H\(n(x - r * 0.87))Z"
      return .empty("path", [("class", style), ("d", d)])
    case 3:
      let r = s * 1.3
      let d = "M\(n(x)) \(n(y - r))L\(n(x + r)) \(n(y))L\(n(x)) \(n(y + r))L\(n(x - r)) \(n(y))Z"
      return .empty("path", [("class", style), ("d", d)])
    default:
      // A plus sign drawn as a filled outline so it takes the same fill and stroke as the others.
      let r = s * 1.2
      let a = r / 3
      let d = "M\(n(x - a)) \(n(y - r))H\(n(x + a))V\(n(y - a))H\(n(x + r))V\(n(y + a))H\(n(x + a))V\(n(y + r))"
        + "H\(n(x - a))V\(n(y + a))H\(n(x - r))V\(n(y - a))H\(n(x - a))Z"
      return .empty("path", [("class", style), ("d", d)])
    }
  }
}
