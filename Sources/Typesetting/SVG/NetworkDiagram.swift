/// A fully connected feed-forward network drawn left to right, input layer first.
///
/// - Each neuron is a circle with its name inside (or above, when the name is wider than the
///   circle) and up to three short value lines below it, e.g. "z 0.377500", "a 0.593270",
///   "δ 0.008774". Lines beyond the third are dropped.
/// - Every neuron of a layer is joined to every neuron of the next. An edge may carry one or two
///   label lines (e.g. "w5 0.40" and "∂ 0.0822"; more are dropped), centred on the edge at
///   t = 0.3 from the source for even target indices and t = 0.6 for odd ones, so labels of
///   adjacent edges do not sit on top of each other; a halo from the stylesheet keeps them legible.
/// - A layer's bias is a small square "b" node with the caller's text above it, standing in the
///   previous layer's column above its neurons, with dashed edges to every neuron of the layer.
///   The first layer has no previous column, so its bias square stands above it without edges.
/// - Layers with more than ``condenseThreshold`` neurons show their first three, a
///   "⋮ (n more)" marker and their last two; edges join shown neurons only. Indices in
///   ``Edge`` always refer to the caller's full layers.
/// - A value written as a run of underscores ("net ______", as a worksheet prints a blank) is a
///   blank to write in by hand: under a neuron it becomes its label and a 110 × 28 box (29 × 7 mm
///   when printed unscaled), on a white ground drawn over the edges, so no line runs through it;
///   a neuron's boxes line up. An edge has no room for such a box, so a blank edge label is only
///   its name (or a number when names repeat), and the boxes stand in a legend under the
///   diagram, clear of every edge.
public struct NetworkDiagram: Sendable, Equatable {
  /// One unit: a name and up to three value lines.
  public struct Neuron: Sendable, Equatable {
    public var name: String
    public var lines: [String]
    public init(_ name: String, lines: [String] = []) {
      self.name = name
      self.lines = lines
    }
  }

  /// A named column of neurons, with the bias that feeds it (shown as text, e.g. "b1 0.35").
  public struct Layer: Sendable, Equatable {
    public var name: String
    public var neurons: [Neuron]
    public var bias: String?
    public init(name: String, neurons: [Neuron], bias: String? = nil) {
      self.name = name
      self.neurons = neurons
      self.bias = bias
    }
  }

  /// The connection from neuron `from` of layer `layer` to neuron `to` of layer `layer + 1`.
  public struct Edge: Sendable, Hashable {
    public var layer: Int
    public var from: Int
    public var to: Int
    public init(layer: Int, from: Int, to: Int) {
      self.layer = layer
      self.from = from
      self.to = to
    }
  }

  /// Layers with more neurons than this are condensed to 3 + marker + 2.
  public static let condenseThreshold = 8

  public var id: String
  public var title: String
  public var description: String
  public var layers: [Layer]
  /// One or two label lines per edge; edges without an entry are unlabelled.
  public var edgeLabels: [Edge: [String]]

  public init(id: String, title: String, description: String, layers: [Layer], edgeLabels: [Edge: [String]] = [:]) {
    self.id = id
    self.title = title
    self.description = description
    self.layers = layers
    self.edgeLabels = edgeLabels
  }

  /// Labels edges by asking `edgeLabel` about every edge of the network; an empty answer leaves
  /// the edge unlabelled.
  public init(
    id: String, title: String, description: String, layers: [Layer],
    edgeLabel: (Edge) -> [String]
  ) {
    var labels: [Edge: [String]] = [:]
    for layer in layers.indices.dropLast() {
      for from in layers[layer].neurons.indices {
        for to in layers[layer + 1].neurons.indices {
          let edge = Edge(layer: layer, from: from, to: to)
          let lines = edgeLabel(edge)
          if !lines.isEmpty { labels[edge] = lines }
        }
      }
    }
    self.init(id: id, title: title, description: description, layers: layers, edgeLabels: labels)
  }

  /// What occupies one vertical position in a drawn layer.
  enum Slot: Equatable {
    case neuron(Int)
    case more(Int)
  }

  /// The positions of a layer of `count` neurons after condensing.
  static func slots(count: Int) -> [Slot] {
    guard count > condenseThreshold else { return (0..<count).map(Slot.neuron) }
    return [.neuron(0), .neuron(1), .neuron(2), .more(count - 5), .neuron(count - 2), .neuron(count - 1)]
  }

  // Layout constants, in pixels.
  private static let radius = 20.0
  private static let nameFont = 12.0
  private static let valueFont = 10.5
  private static let valueLine = 12.5
  private static let labelFont = 10.5
  private static let labelLine = 12.0
  private static let slotGap = 14.0
  private static let pad = 8.0
  private static let blankWidth = 110.0
  private static let blankHeight = 28.0
  private static let blankLine = 33.0

  /// The label of a blank line ("net ______" → "net"), or nil when the line shows a value.
  static func blankLabel(_ line: String) -> String? {
    guard let r = line.range(of: "___") else { return nil }
    var label = Substring(line[..<r.lowerBound])
    while label.last == " " { label = label.dropLast() }
    return String(label)
  }

  /// The room for the labels before a neuron's blank boxes, so its boxes line up: the widest label and a space.
  private static func labelColumn(_ lines: [String]) -> Double {
    let widest = lines.compactMap(blankLabel).map { SVG.estimatedWidth($0, fontSize: valueFont) }.max() ?? 0
    return widest > 0 ? widest + 4 : 0
  }

  /// The width of a neuron's value lines: the widest text, or the labels and boxes of its blanks.
  private static func linesWidth(_ lines: [String]) -> [Double] {
    lines.map { line in
      blankLabel(line) == nil ? SVG.estimatedWidth(line, fontSize: valueFont) : labelColumn(lines) + blankWidth
    }
  }

  private static func lineHeight(_ line: String) -> Double { blankLabel(line) == nil ? valueLine : blankLine }

  /// Edge labels with every blank line replaced by a tag, and the legend entries that carry the
  /// boxes, edge by edge into each neuron in turn (as weights are usually numbered). Tags are the
  /// labels' names, or "(1)", "(2)", … when two names would be the same or a name is empty.
  private func taggedEdgeLabels(slots: [[Slot]]) -> (labels: [Edge: [String]], legend: [String]) {
    let ordered = edgeLabels.keys.filter { isShown($0, slots: slots) }
      .sorted { ($0.layer, $0.to, $0.from) < ($1.layer, $1.to, $1.from) }
    var names: [String] = []
    for edge in ordered { for line in edgeLabels[edge]!.prefix(2) { if let l = Self.blankLabel(line) { names.append(l) } } }
    let numbered = Set(names).count < names.count || names.contains("")
    var labels = edgeLabels
    var legend: [String] = []
    for edge in ordered {
      labels[edge] = edgeLabels[edge]!.map { line in
        guard let name = Self.blankLabel(line) else { return line }
        legend.append(numbered ? "(\(legend.count + 1))\(name.isEmpty ? "" : " " + name)" : name)
        return numbered ? "(\(legend.count))" : name
      }
    }
    return (labels, legend)
  }

  /// The diagram as an `<svg>` element.
  public func svg() -> String {
    let r = Self.radius
    let slots = layers.map { Self.slots(count: $0.neurons.count) }
    let shown: [[Neuron]] = zip(layers, slots).map { layer, slots in
      slots.compactMap { if case .neuron(let i) = $0 { layer.neurons[i] } else { nil } }
    }
    let allShown = shown.joined()
    let fitsInside: (String) -> Bool = { SVG.estimatedWidth($0, fontSize: Self.nameFont) <= 2 * r - 8 }
    let namesAbove = allShown.contains { !fitsInside($0.name) }
    let aboveHeight = namesAbove ? 16.0 : 0
    let tallestLines = allShown.map { $0.lines.prefix(3).map(Self.lineHeight).reduce(0, +) }.max() ?? 0
    let linesHeight = tallestLines > 0 ? 4 + tallestLines : 0
    let slotHeight = aboveHeight + 2 * r + linesHeight + Self.slotGap

    // Labels of shown edges only; blanks among them become tags, their boxes a legend.
    let (edgeLabels, legend) = taggedEdgeLabels(slots: slots)
    var labelWidth = 0.0
    for (edge, lines) in edgeLabels where isShown(edge, slots: slots) {
      for line in lines.prefix(2) { labelWidth = max(labelWidth, SVG.estimatedWidth(line, fontSize: Self.labelFont)) }
    }
    let moreTexts = slots.joined().compactMap { if case .more(let n) = $0 { "(\(n) more)" } else { nil } }
    let columnWidth = 8 + ([2 * r]
      + allShown.flatMap { Self.linesWidth(Array($0.lines.prefix(3))) }
      + allShown.filter { !fitsInside($0.name) }.map { SVG.estimatedWidth($0.name, fontSize: Self.nameFont) }
      + layers.map { SVG.estimatedWidth($0.name, fontSize: 11) }
      + layers.compactMap(\.bias).map { SVG.estimatedWidth($0, fontSize: Self.labelFont) }
      + moreTexts.map { SVG.estimatedWidth($0, fontSize: Self.valueFont) }).max()!
    let gap = labelWidth > 0
      ? max(140, (columnWidth / 2 + labelWidth / 2 + 8) / 0.3, (labelWidth + 10) / 0.3)
      : max(120, columnWidth + 60)

    let hasBias = layers.contains { $0.bias != nil }
    let namesRow = 24.0
    let biasRow = hasBias ? 40.0 : 0
    let contentTop = namesRow + biasRow + 4
    let tallest = slots.map { Double($0.count) * slotHeight }.max() ?? 0
    let width = 2 * Self.pad + columnWidth + Double(max(layers.count - 1, 0)) * gap
    let legendEntryWidth = (legend.map { SVG.estimatedWidth($0, fontSize: Self.valueFont) }.max() ?? 0) + 4 + Self.blankWidth + 24
    let legendColumns = max(1, Int((width - 2 * Self.pad + 24) / legendEntryWidth))
    let legendRows = (legend.count + legendColumns - 1) / legendColumns
    let legendTop = contentTop + max(tallest - Self.slotGap, 0) + 10
    let height = legend.isEmpty
      ? contentTop + max(tallest - Self.slotGap, 0) + Self.pad
      : legendTop + Double(legendRows) * Self.blankLine + Self.pad

    let columnX: (Int) -> Double = { Self.pad + columnWidth / 2 + Double($0) * gap }
    // Centre of the circle in slot `s` of layer `l`.
    let slotY: (Int, Int) -> Double = { l, s in
      let layerTop = contentTop + (tallest - Double(slots[l].count) * slotHeight) / 2
      return layerTop + Double(s) * slotHeight + aboveHeight + r
    }
    // Slot position of each shown neuron, by layer and full index.
    let positions: [[Int: Int]] = slots.map { layerSlots in
      var map: [Int: Int] = [:]
      for (s, slot) in layerSlots.enumerated() { if case .neuron(let i) = slot { map[i] = s } }
      return map
    }
    let n = SVG.number

    var edges: [SVGNode] = []
    var labels: [SVGNode] = []
    for l in layers.indices.dropLast() {
      var d = ""
      let x0 = columnX(l)
      let x1 = columnX(l + 1)
      for (from, s0) in positions[l].sorted(by: { $0.value < $1.value }) {
        for (to, s1) in positions[l + 1].sorted(by: { $0.value < $1.value }) {
          let y0 = slotY(l, s0)
          let y1 = slotY(l + 1, s1)
          d += "M\(n(x0)) \(n(y0))L\(n(x1)) \(n(y1))"
          if let lines = edgeLabels[Edge(layer: l, from: from, to: to)], !lines.isEmpty {
            let t = s1 % 2 == 0 ? 0.3 : 0.6
            labels += Self.centredLines(
              Array(lines.prefix(2)), x: x0 + t * (x1 - x0), centreY: y0 + t * (y1 - y0),
              fontSize: Self.labelFont, lineHeight: Self.labelLine)
          }
        }
      }
      if !d.isEmpty { edges.append(.empty("path", [("class", "fig-edge"), ("d", d)])) }
    }

    var biasNodes: [SVGNode] = []
    let squareY = namesRow + 24
    for (l, layer) in layers.enumerated() {
      guard let bias = layer.bias else { continue }
      let x = columnX(max(l - 1, 0))
      if l > 0 {
        var d = ""
        for s in positions[l].values.sorted() {
          d += "M\(n(x)) \(n(squareY))L\(n(columnX(l))) \(n(slotY(l, s)))"
        }
        if !d.isEmpty { edges.append(.empty("path", [("class", "fig-bias-edge"), ("d", d)])) }
      }
      biasNodes.append(.empty("rect", [
        ("class", "fig-bias"), ("x", n(x - 7)), ("y", n(squareY - 7)), ("width", "14"), ("height", "14"),
      ]))
      biasNodes.append(.element("text", [
        ("class", "fig-bias-mark"), ("x", n(x)), ("y", n(squareY + 3.5)), ("text-anchor", "middle"),
      ], [.text("b")]))
      biasNodes.append(.element("text", [
        ("class", "fig-value"), ("x", n(x)), ("y", n(squareY - 11)), ("text-anchor", "middle"),
      ], [.text(bias)]))
    }

    var units: [SVGNode] = []
    for (l, layer) in layers.enumerated() {
      let x = columnX(l)
      units.append(.element("text", [
        ("class", "fig-layer-name"), ("x", n(x)), ("y", "16"), ("text-anchor", "middle"),
      ], [.text(layer.name)]))
      for (s, slot) in slots[l].enumerated() {
        let y = slotY(l, s)
        switch slot {
        case .neuron(let index):
          let neuron = layer.neurons[index]
          let kind = l == 0 ? "fig-neuron fig-input" : l == layers.count - 1 ? "fig-neuron fig-output" : "fig-neuron"
          units.append(.empty("circle", [("class", kind), ("cx", n(x)), ("cy", n(y)), ("r", n(r))]))
          let nameY = fitsInside(neuron.name) ? y + 0.35 * Self.nameFont : y - r - 5
          units.append(.element("text", [
            ("class", "fig-name"), ("x", n(x)), ("y", n(nameY)), ("text-anchor", "middle"),
          ], [.text(neuron.name)]))
          var top = y + r + 4
          let labels = Self.labelColumn(Array(neuron.lines.prefix(3)))
          for line in neuron.lines.prefix(3) {
            if Self.blankLabel(line) != nil {
              units += Self.blank(line, boxX: x - (labels + Self.blankWidth) / 2 + labels, top: top)
            } else {
              units.append(.element("text", [
                ("class", "fig-value"), ("x", n(x)), ("y", n(top + 0.8 * Self.valueFont)), ("text-anchor", "middle"),
              ], [.text(line)]))
            }
            top += Self.lineHeight(line)
          }
        case .more(let hidden):
          units.append(.element("text", [
            ("class", "fig-more"), ("x", n(x)), ("y", n(y)), ("text-anchor", "middle"),
          ], [.element("tspan", [("x", n(x))], [.text("⋮")]),
              .element("tspan", [("x", n(x)), ("dy", "1.3em")], [.text("(\(hidden) more)")])]))
        }
      }
    }

    var content = edges + biasNodes + units
    if !labels.isEmpty { content.append(.element("g", [("class", "fig-labels")], labels)) }
    for (i, entry) in legend.enumerated() {
      let left = Self.pad + Double(i % legendColumns) * legendEntryWidth
      let boxX = left + SVG.estimatedWidth(entry, fontSize: Self.valueFont) + 4
      content += Self.blank(entry + " ______", boxX: boxX, top: legendTop + Double(i / legendColumns) * Self.blankLine)
    }
    return SVG.document(
      id: id, kind: "network", width: width, height: height,
      title: title, description: description, content: content)
  }

  /// A blank line `blankLine` high from `top`: its label ending just before the box at `boxX`.
  private static func blank(_ line: String, boxX: Double, top: Double) -> [SVGNode] {
    let label = blankLabel(line) ?? ""
    let n = SVG.number
    var nodes: [SVGNode] = []
    if !label.isEmpty {
      nodes.append(.element("text", [
        ("class", "fig-value fig-blank-label"), ("x", n(boxX - 4)), ("y", n(top + blankLine / 2 + 0.35 * valueFont)),
        ("text-anchor", "end"),
      ], [.text(label)]))
    }
    nodes.append(.empty("rect", [
      ("class", "fig-blank"), ("x", n(boxX)), ("y", n(top + (blankLine - blankHeight) / 2)),
      ("width", n(blankWidth)), ("height", n(blankHeight)), ("rx", "2"),
    ]))
    return nodes
  }

  /// Whether both ends of `edge` are drawn.
  private func isShown(_ edge: Edge, slots: [[Slot]]) -> Bool {
    guard edge.layer >= 0, edge.layer + 1 < slots.count else { return false }
    return slots[edge.layer].contains(.neuron(edge.from)) && slots[edge.layer + 1].contains(.neuron(edge.to))
  }

  /// Lines of text centred horizontally on x and as a block vertically on centreY.
  private static func centredLines(_ lines: [String], x: Double, centreY: Double, fontSize: Double, lineHeight: Double)
    -> [SVGNode]
  {
    lines.enumerated().map { i, line in
      let middle = centreY + (Double(i) - Double(lines.count - 1) / 2) * lineHeight
      return .element("text", [
        ("x", SVG.number(x)), ("y", SVG.number(middle + 0.35 * fontSize)), ("text-anchor", "middle"),
      ], [.text(line)])
    }
  }
}
