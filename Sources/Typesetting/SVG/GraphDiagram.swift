/// A computational graph drawn left to right: each node a box with its name and value lines,
/// operations as a badge on the box's left edge where the arrows from their operands arrive.
///
/// The layout is a small Sugiyama-style one (after dagre):
/// 1. **Layers** by longest path from the sources, then each source moved right to just before
///    its first use, so a constant or a late input does not sit far left of where it is used.
/// 2. **Dummy vertices** on edges that span several layers, so they bend around boxes.
/// 3. **Ordering** by barycenter sweeps, alternately down and up, keeping the order with the
///    fewest crossings and stopping after 4 sweeps without improvement.
/// 4. **Vertical positions** by averaging passes: each vertex moves toward the mean of its
///    neighbours in the previous layer, then the layer is fitted to those wishes in order with a
///    minimum separation (least squares under order constraints, by pooling adjacent violators).
/// 5. **Edges** as cubic Béziers with horizontal tangents, ending in an arrowhead at an operand
///    port (operand 0 on top), with an optional label at the middle of the last segment.
public struct GraphDiagram: Sendable, Equatable {
  public struct Node: Sendable, Equatable {
    public enum Role: String, Sendable, Equatable {
      case input, constant, operation, output
    }
    /// The first, bold line: the node's name (or its expression when it has none).
    public var name: String
    /// The operation's symbol, drawn as a badge ("+", "×", "σ", "tanh"); nil for leaves.
    public var operation: String?
    /// Further lines, e.g. "value 3" and "grad −4".
    public var lines: [String]
    public var role: Role

    public init(_ name: String, operation: String? = nil, lines: [String] = [], role: Role = .operation) {
      self.name = name
      self.operation = operation
      self.lines = lines
      self.role = role
    }
  }

  /// `from` feeds `to` as its operand number `operand`.
  public struct Edge: Sendable, Equatable {
    public var from: Int
    public var to: Int
    public var operand: Int
    public var label: String?

    public init(from: Int, to: Int, operand: Int = 0, label: String? = nil) {
      self.from = from
      self.to = to
      self.operand = operand
      self.label = label
    }
  }

  public var id: String
  public var title: String
  public var description: String
  public var nodes: [Node]
  public var edges: [Edge]

  public init(id: String, title: String, description: String, nodes: [Node], edges: [Edge]) {
    self.id = id
    self.title = title
    self.description = description
    self.nodes = nodes
    self.edges = edges
  }

  /// The most nodes a diagram is drawn for: beyond this the boxes are unreadable, and the layout
  /// (dummy vertices for long edges, crossing counts) grows faster than the graph.
  public static let maximumNodes = 60

  // Sizes, in pixels.
  static let nameFont = 12.0
  static let lineFont = 10.5
  static let lineHeight = 13.0
  static let boxPadding = 7.0
  static let badgeHeight = 20.0
  static let portSpacing = 8.0
  static let separation = 14.0
  static let pad = 8.0

  func boxWidth(_ n: Node) -> Double {
    let widest = ([SVG.estimatedWidth(n.name, fontSize: Self.nameFont)] + n.lines.map { SVG.estimatedWidth($0, fontSize: Self.lineFont) }).max()!
    return (widest + 2 * Self.boxPadding + badgeWidth(n) / 2).rounded(.up)
  }

  func boxHeight(_ n: Node) -> Double { 2 * Self.boxPadding + Self.nameFont + Double(n.lines.count) * Self.lineHeight }

  func badgeWidth(_ n: Node) -> Double {
    guard let op = n.operation else { return 0 }
    return max(Self.badgeHeight, SVG.estimatedWidth(op, fontSize: Self.nameFont) + 10).rounded(.up)
  }

  /// The diagram as an `<svg>` element.
  public func svg() -> String {
    let layout = GraphLayout(nodeCount: nodes.count, edges: edges.map { ($0.from, $0.to, $0.operand) })
    let n = SVG.number
    let vertexCount = layout.rank.count
    let widths = (0..<vertexCount).map { $0 < nodes.count ? boxWidth(nodes[$0]) : 0 }
    let heights = (0..<vertexCount).map { $0 < nodes.count ? boxHeight(nodes[$0]) : 0 }
    let badges = (0..<vertexCount).map { $0 < nodes.count ? badgeWidth(nodes[$0]) : 0 }

    // Columns: as wide as their widest box plus the badge sticking out on the left.
    let labelWidth = edges.compactMap(\.label).map { SVG.estimatedWidth($0, fontSize: Self.lineFont) }.max() ?? 0
    let gap = max(44, labelWidth + 28)
    var columnLeft: [Double] = []
    var columnWidth: [Double] = []
    var x = Self.pad
    for layer in layout.layers {
      let lead = layer.map { badges[$0] / 2 }.max() ?? 0
      let width = max(layer.map { widths[$0] }.max() ?? 0, 12)
      columnLeft.append(x + lead)
      columnWidth.append(width)
      x += lead + width + gap
    }
    let totalWidth = x - gap + Self.pad
    let y = layout.verticalPositions(heights: heights, separation: Self.separation)
    let top = (0..<vertexCount).map { y[$0] - heights[$0] / 2 }.min() ?? 0
    let bottom = (0..<vertexCount).map { y[$0] + heights[$0] / 2 }.max() ?? 0
    let shift = Self.pad + 4 - top
    let totalHeight = bottom - top + 2 * Self.pad + 8
    // A box is centred in its column.
    let left: (Int) -> Double = { v in columnLeft[layout.rank[v]] + (columnWidth[layout.rank[v]] - widths[v]) / 2 }
    let centreY: (Int) -> Double = { v in y[v] + shift }

    var paths = ""
    var arrows = ""
    var labels: [SVGNode] = []
    for (e, edge) in edges.enumerated() {
      let chain = layout.chains[e]
      let target = edge.to
      let operands = Double(nodes[target].operation == nil ? 1 : max(edges.filter { $0.to == target }.map(\.operand).max()! + 1, 1))
      let dy = (Double(edge.operand) - (operands - 1) / 2) * Self.portSpacing
      var end = (x: left(target), y: centreY(target) + dy)
      if badges[target] > 0 {
        let r = Self.badgeHeight / 2
        let centreOfCap = left(target) - badges[target] / 2 + r
        end.x = centreOfCap - (r * r - min(dy * dy, r * r)).squareRoot()
      }
      var points = [(x: left(edge.from) + widths[edge.from], y: centreY(edge.from))]
      // A long edge runs straight through each column it crosses, level with its dummy vertex.
      for d in chain.dropFirst().dropLast() {
        let r = layout.rank[d]
        points.append((columnLeft[r] - 4, centreY(d)))
        points.append((columnLeft[r] + columnWidth[r] + 4, centreY(d)))
      }
      let tip = end
      end.x -= 6
      points.append(end)
      var d = "M\(n(points[0].x)) \(n(points[0].y))"
      for (p, q) in zip(points, points.dropFirst()) {
        let k = (q.x - p.x) / 2
        d += "C\(n(p.x + k)) \(n(p.y)) \(n(q.x - k)) \(n(q.y)) \(n(q.x)) \(n(q.y))"
      }
      paths += d
      arrows += "M\(n(tip.x)) \(n(tip.y))L\(n(tip.x - 7)) \(n(tip.y - 3.5))L\(n(tip.x - 7)) \(n(tip.y + 3.5))Z"
      if let label = edge.label {
        let p = points[points.count - 2], q = points[points.count - 1]
        labels.append(.element("text", [
          ("x", n((p.x + q.x) / 2)), ("y", n((p.y + q.y) / 2 - 3)), ("text-anchor", "middle"),
        ], [.text(label)]))
      }
    }

    var boxes: [SVGNode] = []
    for (v, node) in nodes.enumerated() {
      let x0 = left(v), cy = centreY(v), h = heights[v], w = widths[v]
      let top = cy - h / 2
      let roleClass: String
      switch node.role {
      case .input: roleClass = "fig-gnode fig-input"
      case .constant: roleClass = "fig-gnode fig-constant"
      case .operation: roleClass = "fig-gnode"
      case .output: roleClass = "fig-gnode fig-output"
      }
      var parts: [SVGNode] = [
        .empty("rect", [("class", roleClass), ("x", n(x0)), ("y", n(top)), ("width", n(w)), ("height", n(h)), ("rx", "4")])
      ]
      let textX = x0 + w / 2 + badges[v] / 4
      parts.append(.element("text", [
        ("class", "fig-name"), ("x", n(textX)), ("y", n(top + Self.boxPadding + Self.nameFont * 0.85)), ("text-anchor", "middle"),
      ], [.text(node.name)]))
      for (i, line) in node.lines.enumerated() {
        parts.append(.element("text", [
          ("class", "fig-value"), ("x", n(textX)),
          ("y", n(top + Self.boxPadding + Self.nameFont + Double(i) * Self.lineHeight + Self.lineFont * 0.95)), ("text-anchor", "middle"),
        ], [.text(line)]))
      }
      if let op = node.operation {
        let bw = badges[v]
        parts.append(.empty("rect", [
          ("class", "fig-op"), ("x", n(x0 - bw / 2)), ("y", n(cy - Self.badgeHeight / 2)),
          ("width", n(bw)), ("height", n(Self.badgeHeight)), ("rx", n(Self.badgeHeight / 2)),
        ]))
        parts.append(.element("text", [
          ("class", "fig-op-symbol"), ("x", n(x0)), ("y", n(cy + 0.35 * Self.nameFont)), ("text-anchor", "middle"),
        ], [.text(op)]))
      }
      boxes.append(.element("g", [], parts))
    }

    var content: [SVGNode] = []
    if !paths.isEmpty {
      content.append(.empty("path", [("class", "fig-edge fig-gedge"), ("d", paths)]))
      content.append(.empty("path", [("class", "fig-arrow"), ("d", arrows)]))
    }
    content += boxes
    if !labels.isEmpty { content.append(.element("g", [("class", "fig-labels")], labels)) }
    return SVG.document(
      id: id, kind: "graph", width: totalWidth, height: totalHeight,
      title: title, description: description, content: content)
  }
}

/// Layers, order and vertical positions of a directed acyclic graph's vertices; vertices from
/// `nodeCount` on are dummies that carry long edges through the layers between their ends.
struct GraphLayout: Equatable {
  /// The layer of each vertex (real, then dummy).
  var rank: [Int]
  /// The vertices of each layer, top to bottom.
  var layers: [[Int]]
  /// For each edge, the vertices it passes through, its source first and its target last.
  var chains: [[Int]]
  /// Edges between adjacent layers: `port` orders the operands arriving at one vertex.
  var segments: [(from: Int, to: Int, port: Int)]

  static func == (l: GraphLayout, r: GraphLayout) -> Bool {
    l.rank == r.rank && l.layers == r.layers && l.chains == r.chains
  }

  init(nodeCount: Int, edges: [(from: Int, to: Int, operand: Int)]) {
    var rank = Self.ranks(nodeCount: nodeCount, edges: edges.map { ($0.from, $0.to) })
    let maxRank = rank.max() ?? 0
    var chains: [[Int]] = []
    var segments: [(Int, Int, Int)] = []
    for e in edges {
      var chain = [e.from]
      var r = rank[e.from] + 1
      while r < rank[e.to] {
        rank.append(r)
        chain.append(rank.count - 1)
        r += 1
      }
      chain.append(e.to)
      for (a, b) in zip(chain, chain.dropFirst()) { segments.append((a, b, b == e.to ? e.operand : 0)) }
      chains.append(chain)
    }
    var layers = [[Int]](repeating: [], count: maxRank + 1)
    for (v, r) in rank.enumerated() { layers[r].append(v) }
    self.rank = rank
    self.chains = chains
    self.segments = segments
    self.layers = layers
    orderByBarycenters()
  }

  /// Longest path from the sources (Kahn's order), then sources pulled right to one layer before
  /// their nearest use. Vertices on a cycle, which a caller should not give, keep layer 0.
  static func ranks(nodeCount: Int, edges: [(Int, Int)]) -> [Int] {
    var rank = [Int](repeating: 0, count: nodeCount)
    var indegree = [Int](repeating: 0, count: nodeCount)
    var successors = [[Int]](repeating: [], count: nodeCount)
    for (a, b) in edges {
      indegree[b] += 1
      successors[a].append(b)
    }
    var ready = (0..<nodeCount).filter { indegree[$0] == 0 }
    var i = 0
    while i < ready.count {
      let v = ready[i]
      i += 1
      for s in successors[v] {
        rank[s] = max(rank[s], rank[v] + 1)
        indegree[s] -= 1
        if indegree[s] == 0 { ready.append(s) }
      }
    }
    let hasInput = Set(edges.map(\.1))
    for v in 0..<nodeCount where !hasInput.contains(v) && !successors[v].isEmpty {
      rank[v] = successors[v].map { rank[$0] }.min()! - 1
    }
    return rank
  }

  /// Crossings between adjacent layers: two segments cross when their ends are in opposite orders.
  func crossings() -> Int {
    var position = [Int](repeating: 0, count: rank.count)
    for layer in layers { for (i, v) in layer.enumerated() { position[v] = i } }
    var count = 0
    for r in layers.indices.dropLast() {
      let between = segments.filter { rank[$0.from] == r }
      for i in between.indices {
        for j in between.indices where j > i {
          let a = between[i], b = between[j]
          let top = position[a.from] - position[b.from]
          let bottom = (position[a.to] - position[b.to]) * 16 + (a.port - b.port)
          if top * bottom < 0 { count += 1 }
        }
      }
    }
    return count
  }

  /// Alternating down and up sweeps, each ordering a layer by the mean position of its
  /// neighbours in the layer just swept; keeps the best order seen.
  mutating func orderByBarycenters() {
    var best = layers
    var bestCrossings = crossings()
    var sweepsWithoutGain = 0
    var sweep = 0
    while bestCrossings > 0, sweepsWithoutGain < 4, sweep < 32 {
      let down = sweep % 2 == 0
      var position = [Double](repeating: 0, count: rank.count)
      for layer in layers { for (i, v) in layer.enumerated() { position[v] = Double(i) } }
      let order = down ? Array(layers.indices.dropFirst()) : Array(layers.indices.dropLast().reversed())
      for r in order {
        var sums = [Int: (Double, Double)]()
        for s in segments {
          let (mine, other) = down ? (s.to, s.from) : (s.from, s.to)
          guard rank[mine] == r else { continue }
          // Looking up, operand ports order the sources of one vertex: operand 0 on top.
          let port = down ? 0 : Double(s.port) / 16
          let entry = sums[mine] ?? (0, 0)
          sums[mine] = (entry.0 + position[other] + port, entry.1 + 1)
        }
        let keyed = layers[r].enumerated().map { i, v in (v, sums[v].map { $0.0 / $0.1 } ?? Double(i), i) }
        layers[r] = keyed.sorted { ($0.1, $0.2) < ($1.1, $1.2) }.map(\.0)
        for (i, v) in layers[r].enumerated() { position[v] = Double(i) }
      }
      let c = crossings()
      if c < bestCrossings {
        best = layers
        bestCrossings = c
        sweepsWithoutGain = 0
      } else {
        sweepsWithoutGain += 1
      }
      sweep += 1
    }
    layers = best
  }

  /// Centre heights of every vertex: layers stacked, then pulled toward their neighbours.
  func verticalPositions(heights: [Double], separation: Double) -> [Double] {
    var y = [Double](repeating: 0, count: rank.count)
    // Minimum distance between the centres of neighbours in a layer.
    func gap(_ a: Int, _ b: Int) -> Double { (heights[a] + heights[b]) / 2 + separation }
    for layer in layers {
      var offset = 0.0
      for (i, v) in layer.enumerated() {
        if i > 0 { offset += gap(layer[i - 1], v) }
        y[v] = offset
      }
      for v in layer { y[v] -= offset / 2 }
    }
    // Each vertex's neighbours, found once rather than by scanning every segment per vertex.
    var above = [[Int]](repeating: [], count: rank.count)
    var below = [[Int]](repeating: [], count: rank.count)
    for s in segments {
      above[s.to].append(s.from)
      below[s.from].append(s.to)
    }
    for pass in 0..<8 {
      let down = pass % 2 == 0
      let order = down ? Array(layers.indices.dropFirst()) : Array(layers.indices.dropLast().reversed())
      for r in order {
        let layer = layers[r]
        let wishes = layer.map { v -> Double in
          let others = (down ? above[v] : below[v]).map { y[$0] }
          return others.isEmpty ? y[v] : others.reduce(0, +) / Double(others.count)
        }
        let fitted = Self.fit(wishes, gaps: zip(layer, layer.dropFirst()).map { gap($0, $1) })
        for (v, value) in zip(layer, fitted) { y[v] = value }
      }
    }
    return y
  }

  /// The positions closest to `wishes` in least squares with `p[i+1] − p[i] ≥ gaps[i]`:
  /// subtracting the running sum of gaps turns this into an isotonic regression, solved by
  /// pooling adjacent violators.
  static func fit(_ wishes: [Double], gaps: [Double]) -> [Double] {
    var offsets = [0.0]
    for g in gaps { offsets.append(offsets.last! + g) }
    let targets = zip(wishes, offsets).map { $0 - $1 }
    var blocks: [(mean: Double, count: Int)] = []
    for t in targets {
      blocks.append((t, 1))
      while blocks.count > 1, blocks[blocks.count - 2].mean > blocks[blocks.count - 1].mean {
        let b = blocks.removeLast(), a = blocks.removeLast()
        let count = a.count + b.count
        blocks.append(((a.mean * Double(a.count) + b.mean * Double(b.count)) / Double(count), count))
      }
    }
    var out: [Double] = []
    for b in blocks { out += Array(repeating: b.mean, count: b.count) }
    return zip(out, offsets).map { $0 + $1 }
  }
}
