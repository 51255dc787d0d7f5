import Foundation

/// One chart axis: how data values map to a fraction of its length, and its ticks.
struct Axis {
  /// A labelled tick.
  struct Tick {
    var value: Double
    var label: String
  }

  /// Linear between `lower` and `upper`, or logarithmic between their base-10 logarithms.
  var isLogarithmic: Bool
  var lower: Double
  var upper: Double
  var ticks: [Tick]
  var minorTicks: [Double]

  /// Where `value` falls: 0 at `lower`, 1 at `upper` (values outside give fractions outside 0…1).
  func fraction(_ value: Double) -> Double {
    if isLogarithmic {
      let low = log10(lower)
      return (log10(value) - low) / (log10(upper) - low)
    }
    return (value - lower) / (upper - lower)
  }

  /// Whether `value` can be drawn on this axis at all.
  func accepts(_ value: Double) -> Bool {
    value.isFinite && (!isLogarithmic || value > 0)
  }

  /// A linear axis whose ends are the outermost nice ticks around `min`…`max` (Heckbert's loose
  /// labelling), so the data never touches the frame awkwardly.
  static func looseLinear(min: Double, max: Double, count: Int = 5) -> Axis {
    let ticks = NiceTicks.linear(min: min, max: max, count: count)
    return Axis(
      isLogarithmic: false, lower: ticks.values.first!, upper: ticks.values.last!,
      ticks: ticks.values.map { Tick(value: $0, label: ticks.label($0)) }, minorTicks: [])
  }

  /// A linear axis that spans exactly `min`…`max`, with only the nice ticks inside it. Equal
  /// bounds fall back to the loose axis, which widens them.
  static func tightLinear(min: Double, max: Double, count: Int = 5) -> Axis {
    guard min.isFinite, max.isFinite, min != max else { return looseLinear(min: min, max: max, count: count) }
    let lower = Swift.min(min, max)
    let upper = Swift.max(min, max)
    let ticks = NiceTicks.linear(min: lower, max: upper, count: count)
    let slack = (upper - lower) * 1e-9
    let inside = ticks.values.filter { $0 >= lower - slack && $0 <= upper + slack }
    return Axis(
      isLogarithmic: false, lower: lower, upper: upper,
      ticks: inside.map { Tick(value: $0, label: ticks.label($0)) }, minorTicks: [])
  }

  /// A logarithmic axis from the power of ten at or below `min` to the one at or above `max`.
  static func logarithmic(min: Double, max: Double) -> Axis {
    let ticks = NiceTicks.logarithmic(min: min, max: max)
    return Axis(
      isLogarithmic: true, lower: ticks.lower, upper: ticks.upper,
      ticks: ticks.majorExponents.map {
        Tick(value: NiceTicks.powerOfTen($0), label: NiceTicks.powerOfTenLabel($0))
      },
      minorTicks: ticks.minor)
  }
}

/// The pixel rectangle a chart plots into, and the drawing of its frame, grid, ticks and labels.
struct PlotFrame {
  var left: Double
  var top: Double
  var right: Double
  var bottom: Double
  var x: Axis
  var y: Axis

  static let tickFont = 11.0
  static let labelFont = 12.0
  static let tickLength = 5.0

  func px(_ value: Double) -> Double { left + x.fraction(value) * (right - left) }
  func py(_ value: Double) -> Double { bottom - y.fraction(value) * (bottom - top) }

  /// Width needed left of the plot for y tick labels, the gap and the rotated y label.
  static func leftMargin(for y: Axis, hasLabel: Bool) -> Double {
    let widest = y.ticks.map { SVG.estimatedWidth($0.label, fontSize: tickFont) }.max() ?? 0
    return 8 + (hasLabel ? labelFont + 8 : 0) + widest + tickLength + 4
  }

  /// Height needed below the plot for x tick labels and the x label.
  static func bottomMargin(hasLabel: Bool) -> Double {
    tickLength + 4 + tickFont + (hasLabel ? 8 + labelFont : 0) + 8
  }

  /// Horizontal grid lines at the y ticks, vertical ones at the x ticks, except where they would
  /// lie on the axis lines themselves.
  func grid() -> SVGNode {
    var d = ""
    for tick in y.ticks where SVG.number(py(tick.value)) != SVG.number(bottom) {
      d += "M\(SVG.number(left)) \(SVG.number(py(tick.value)))H\(SVG.number(right))"
    }
    for tick in x.ticks where SVG.number(px(tick.value)) != SVG.number(left) {
      d += "M\(SVG.number(px(tick.value))) \(SVG.number(top))V\(SVG.number(bottom))"
    }
    return .empty("path", [("class", "fig-grid"), ("d", d)])
  }

  /// The left and bottom axis lines, tick marks (minor ones half length), tick labels and axis labels.
  func axes(xLabel: String, yLabel: String) -> [SVGNode] {
    var d = "M\(SVG.number(left)) \(SVG.number(top))V\(SVG.number(bottom))H\(SVG.number(right))"
    let t = SVG.number(Self.tickLength)
    let half = SVG.number(Self.tickLength / 2)
    for tick in y.ticks { d += "M\(SVG.number(left)) \(SVG.number(py(tick.value)))h-\(t)" }
    for value in y.minorTicks { d += "M\(SVG.number(left)) \(SVG.number(py(value)))h-\(half)" }
    for tick in x.ticks { d += "M\(SVG.number(px(tick.value))) \(SVG.number(bottom))v\(t)" }
    for value in x.minorTicks { d += "M\(SVG.number(px(value))) \(SVG.number(bottom))v\(half)" }
    var nodes: [SVGNode] = [.empty("path", [("class", "fig-axis"), ("d", d)])]

    var labels: [SVGNode] = []
    for tick in y.ticks {
      labels.append(.element("text", [
        ("x", SVG.number(left - Self.tickLength - 3)), ("y", SVG.number(py(tick.value))),
        ("dy", "0.35em"), ("text-anchor", "end"),
      ], [.text(tick.label)]))
    }
    for tick in x.ticks {
      labels.append(.element("text", [
        ("x", SVG.number(px(tick.value))), ("y", SVG.number(bottom + Self.tickLength + 3 + Self.tickFont * 0.8)),
        ("text-anchor", "middle"),
      ], [.text(tick.label)]))
    }
    nodes.append(.element("g", [("class", "fig-ticks")], labels))

    if !xLabel.isEmpty {
      let baseline = bottom + Self.tickLength + 4 + Self.tickFont + 8 + Self.labelFont * 0.8
      nodes.append(.element("text", [
        ("class", "fig-axis-label"), ("x", SVG.number((left + right) / 2)), ("y", SVG.number(baseline)),
        ("text-anchor", "middle"),
      ], [.text(xLabel)]))
    }
    if !yLabel.isEmpty {
      let cx = 8 + Self.labelFont * 0.8
      let cy = (top + bottom) / 2
      nodes.append(.element("text", [
        ("class", "fig-axis-label"), ("x", SVG.number(cx)), ("y", SVG.number(cy)),
        ("text-anchor", "middle"), ("transform", "rotate(-90 \(SVG.number(cx)) \(SVG.number(cy)))"),
      ], [.text(yLabel)]))
    }
    return nodes
  }
}
