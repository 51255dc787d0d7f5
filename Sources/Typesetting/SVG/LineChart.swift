/// A line chart for loss curves: one or more named series of (x, y) points over a linear x axis
/// and a linear or logarithmic y axis.
///
/// - The x axis spans the data exactly, with nice ticks inside; a linear y axis is widened to the
///   nice ticks around the data (Heckbert), a logarithmic one to whole decades.
/// - Points with a non-finite coordinate, and on a log axis points with y ≤ 0, are skipped; the
///   line joins the neighbouring points.
/// - Series longer than ``downsampleLimit`` points are reduced to the minimum and maximum of
///   equal-count buckets (about 600 points in all), which keeps spikes and the envelope visible
///   and a 1,000,000-point series to a few kilobytes.
/// - Several series get a legend and differ by dash pattern as well as colour (classes `s0`…`s5`).
public struct LineChart: Sendable, Equatable {
  /// How the y axis maps values.
  public enum Scale: Sendable, Equatable {
    case linear
    /// Base 10; only positive values are drawn.
    case logarithmic
  }

  /// A data point.
  public struct Point: Sendable, Equatable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) {
      self.x = x
      self.y = y
    }
  }

  /// A named line, optionally with some points marked by small circles (e.g. recorded iterations).
  public struct Series: Sendable, Equatable {
    public var name: String
    public var points: [Point]
    public var marked: [Point]

    public init(name: String, points: [Point], marked: [Point] = []) {
      self.name = name
      self.points = points
      self.marked = marked
    }

    /// A series of `values` at x = firstX, firstX + stepX, … (a loss per iteration or epoch).
    public init(name: String, values: [Double], firstX: Double = 0, stepX: Double = 1, marked: [Point] = []) {
      self.init(
        name: name,
        points: values.enumerated().map { Point(x: firstX + Double($0.offset) * stepX, y: $0.element) },
        marked: marked)
    }
  }

  /// Series longer than this are downsampled to min/max buckets.
  public static let downsampleLimit = 600

  public var id: String
  public var title: String
  public var description: String
  public var series: [Series]
  public var xLabel: String
  public var yLabel: String
  public var yScale: Scale
  /// The whole figure's size in pixels (the viewBox); the plot area is what the margins leave.
  public var width: Double
  public var height: Double

  public init(
    id: String, title: String, description: String, series: [Series],
    xLabel: String = "", yLabel: String = "", yScale: Scale = .linear,
    width: Double = 640, height: Double = 360
  ) {
    self.id = id
    self.title = title
    self.description = description
    self.series = series
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.yScale = yScale
    self.width = width
    self.height = height
  }

  /// The chart as an `<svg>` element.
  public func svg() -> String {
    let usable: (Point) -> Bool = { p in
      p.x.isFinite && p.y.isFinite && (yScale == .linear || p.y > 0)
    }
    let lines = series.map { $0.points.filter(usable) }
    let marks = series.map { $0.marked.filter(usable) }
    var xMin = Double.infinity, xMax = -Double.infinity
    var yMin = Double.infinity, yMax = -Double.infinity
    for point in (lines + marks).joined() {
      xMin = min(xMin, point.x)
      xMax = max(xMax, point.x)
      yMin = min(yMin, point.y)
      yMax = max(yMax, point.y)
    }
    let empty = xMin > xMax
    let x = Axis.tightLinear(min: empty ? 0 : xMin, max: empty ? 1 : xMax, count: 6)
    let y: Axis
    switch yScale {
    case .linear: y = Axis.looseLinear(min: empty ? 0 : yMin, max: empty ? 1 : yMax, count: 5)
    case .logarithmic: y = Axis.logarithmic(min: empty ? 1 : yMin, max: empty ? 10 : yMax)
    }

    // Legend rows above the plot, wrapped to the figure width.
    let legendFont = 12.0
    var legendItems: [(index: Int, x: Double, row: Int)] = []
    if series.count > 1 {
      var cursor = 0.0
      var row = 0
      let available = width - 16
      for (index, s) in series.enumerated() {
        let itemWidth = 24 + SVG.estimatedWidth(s.name, fontSize: legendFont) + 16
        if cursor > 0, cursor + itemWidth > available {
          row += 1
          cursor = 0
        }
        legendItems.append((index, cursor, row))
        cursor += itemWidth
      }
    }
    let legendRows = legendItems.map(\.row).max().map { $0 + 1 } ?? 0
    let legendHeight = Double(legendRows) * 18

    let lastXLabel = x.ticks.last.map { SVG.estimatedWidth($0.label, fontSize: PlotFrame.tickFont) } ?? 0
    let frame = PlotFrame(
      left: PlotFrame.leftMargin(for: y, hasLabel: !yLabel.isEmpty),
      top: 10 + legendHeight + (legendRows > 0 ? 6 : 0),
      right: width - max(16, lastXLabel / 2 + 4),
      bottom: height - PlotFrame.bottomMargin(hasLabel: !xLabel.isEmpty),
      x: x, y: y)

    var content: [SVGNode] = [frame.grid()]
    content += frame.axes(xLabel: xLabel, yLabel: yLabel)

    for (index, points) in lines.enumerated() where !points.isEmpty {
      let style = "s\(index % 6)"
      var coordinates: [String] = []
      var previous = ""
      for point in Self.downsampled(points) {
        let pair = SVG.number(frame.px(point.x)) + "," + SVG.number(frame.py(point.y))
        if pair != previous { coordinates.append(pair) }
        previous = pair
      }
      content.append(.empty("polyline", [
        ("class", "fig-line \(style)"), ("vector-effect", "non-scaling-stroke"),
        ("points", coordinates.joined(separator: " ")),
      ]))
    }
    for (index, points) in marks.enumerated() where !points.isEmpty {
      let style = "s\(index % 6)"
      content.append(.element("g", [("class", "fig-mark \(style)")], points.map { point in
        .empty("circle", [("cx", SVG.number(frame.px(point.x))), ("cy", SVG.number(frame.py(point.y))), ("r", "3")])
      }))
    }

    if !legendItems.isEmpty {
      var entries: [SVGNode] = []
      for item in legendItems {
        let left = 8 + item.x
        let middle = 10 + Double(item.row) * 18 + 7
        entries.append(.empty("path", [
          ("class", "fig-line s\(item.index % 6)"),
          ("d", "M\(SVG.number(left)) \(SVG.number(middle))h18"),
        ]))
        entries.append(.element("text", [
          ("x", SVG.number(left + 24)), ("y", SVG.number(middle)), ("dy", "0.35em"),
        ], [.text(series[item.index].name)]))
      }
      content.append(.element("g", [("class", "fig-legend")], entries))
    }

    return SVG.document(
      id: id, kind: "chart", width: width, height: height,
      title: title, description: description, content: content)
  }

  /// `points` unchanged when there are at most ``downsampleLimit``; otherwise, for each of
  /// limit/2 buckets of consecutive points, its lowest and highest point in their original order,
  /// plus the very first and last points.
  static func downsampled(_ points: [Point], limit: Int = downsampleLimit) -> [Point] {
    guard points.count > limit else { return points }
    let buckets = limit / 2
    var out: [Point] = []
    out.reserveCapacity(limit + 2)
    out.append(points[0])
    for bucket in 0..<buckets {
      let start = bucket * points.count / buckets
      let end = (bucket + 1) * points.count / buckets
      var low = start
      var high = start
      for index in start..<end {
        if points[index].y < points[low].y { low = index }
        if points[index].y > points[high].y { high = index }
      }
      for index in [min(low, high), max(low, high)] {
        if out.last != points[index] { out.append(points[index]) }
      }
    }
    if out.last != points[points.count - 1] { out.append(points[points.count - 1]) }
    return out
  }
}
