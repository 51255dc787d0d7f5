import Backprop
import Lessons
import Typesetting

extension ReportContext {
  var symbols: Symbols { Symbols(notation: notation, format: format) }

  func math(_ tex: String, display: Bool = true) -> HTML {
    display ? .el("div", [("class", "math-display")], [.trusted(MathML.render(tex, display: true))]) : .trusted(MathML.render(tex, display: false))
  }

  func table(caption: String, header: [String], rows: [[HTML]], numericFrom: Int = 1) -> HTML {
    .el("div", [("class", "table-wrap")], [
      .el("table", [], [
        .el("caption", [], caption),
        .el("thead", [], [.el("tr", [], header.enumerated().map { i, h in
          .el("th", [("scope", "col")] + (i >= numericFrom ? [("class", "num")] : []), h)
        })]),
        .el("tbody", [], rows.map { .el("tr", [], $0) }),
      ])
    ])
  }

  func rowHeader(_ text: String) -> HTML { .el("th", [("scope", "row")], [.el("code", [], text)]) }

  /// Rows shown for `count` items: all up to 10, else the first 6 and the last 2.
  func shownIndices(_ count: Int) -> [Int?] {
    guard count > 10 else { return Array(0..<count) }
    return Array(0..<6) + [nil] + [count - 2, count - 1]
  }

  func ellipsisRow(_ columns: Int, hidden: Int, what: String) -> [HTML] {
    [.el("td", [("colspan", "\(columns)"), ("class", "fold")], "⋮ \(hidden) more \(what) (all of them are in the JSON trace)")]
  }

  mutating func network(_ d: NetworkDeclaration) -> HTML {
    let spec = d.spec
    let n = d.network
    let sizes = ([spec.inputs.count] + spec.layers.map { $0.neurons.count }).map(String.init).joined(separator: "–")
    var facts: [String] = [
      "\(sizes) network \(spec.name)",
      "loss: \(spec.loss.name) (\(spec.reduction.rawValue) over samples)",
      "optimizer: \(spec.optimizer.name), learning rate \(format.untracked.short(spec.optimizer.learningRate))",
      spec.updatesBiases ? "biases are updated" : "biases stay fixed",
      spec.updateOrder == .simultaneous
        ? "update order: simultaneous (every δ uses the weights from before the step)"
        : "update order: sequential (hidden δ use the already-updated weights above them)",
    ]
    if spec.layers.contains(where: { $0.weights == nil }) { facts.append("weights drawn with seed \(spec.seed)") }
    let title: HTML = .el("p", [("class", "block-title")], [.el("span", [("class", "kind")], "network"), .text(" " + facts.joined(separator: " · "))])
    // A copy of an earlier network (as `from:` makes) would repeat its diagram and table word for word.
    if let twin = earlierTwin(of: d) {
      return .el("section", [("class", "block network")], [
        title,
        .el("p", [], "Same layers, weights and biases as network \(twin.spec.name) (line \(twin.location.line)), as that network was declared; only the settings above may differ."),
      ])
    }
    let diagram = NetworkDiagram(
      id: nextFigureID("net"), title: "Network \(spec.name)",
      description: "\(sizes) network; edges are labelled with their weights.",
      layers: diagramLayers(d.names, n, forward: nil, backward: nil),
      edgeLabel: { e in edgeLabel(d.names, n, e, value: n.layers[e.layer].weights[e.to, e.from], as: .weight(l: e.layer, j: e.to, i: e.from)) })
    var rows: [[HTML]] = []
    for l in n.layers.indices {
      for j in 0..<n.layers[l].neuronCount {
        for i in 0..<n.layers[l].inputCount {
          rows.append([rowHeader(d.names.weights[l][j][i]), .el("td", [], "\(d.names.inputsOf(layer: l)[i]) → \(d.names.neurons[l][j])"),
            cell(n.layers[l].weights[j, i], as: .weight(l: l, j: j, i: i))])
        }
        rows.append([rowHeader(d.names.biases[l][j]), .el("td", [], "bias of \(d.names.neurons[l][j])"), cell(n.layers[l].biases[j], as: .bias(l: l, j: j))])
      }
    }
    let folded = rows.count > 40
    return .el("section", [("class", "block network")], [
      title,
      .el("p", [("class", "layers")], Self.layerSummary(spec)),
      figure(.trusted(diagram.svg())),
      .fragment(activationFormulas(spec)),
      folded
        ? .el("details", [], [.el("summary", [], "All \(rows.count) parameters"), table(caption: "Parameters of \(spec.name)", header: ["name", "connects", "value"], rows: rows, numericFrom: 2)])
        : table(caption: "Parameters of \(spec.name)", header: ["name", "connects", "value"], rows: rows, numericFrom: 2),
    ])
  }

  func figure(_ content: HTML) -> HTML { .el("figure", [], [content]) }

  /// "layers 1–5: 1 sigmoid neuron each; layer 6: 1 linear neuron": runs of alike layers said once.
  static func layerSummary(_ spec: NetworkSpec) -> String {
    var parts: [String] = []
    var start = 0
    while start < spec.layers.count {
      let layer = spec.layers[start]
      var end = start
      while end + 1 < spec.layers.count, spec.layers[end + 1].neurons.count == layer.neurons.count,
        spec.layers[end + 1].activation == layer.activation { end += 1 }
      let what = "\(layer.neurons.count) \(layer.activation.name) neuron\(layer.neurons.count == 1 ? "" : "s")"
      parts.append(end == start ? "layer \(start + 1): \(what)" : "layers \(start + 1)–\(end + 1): \(what) each")
      start = end + 1
    }
    return parts.joined(separator: "; ")
  }

  /// The first network declared before `d` with the same names, layers and starting parameters.
  func earlierTwin(of d: NetworkDeclaration) -> NetworkDeclaration? {
    for item in run.items {
      guard case .network(let other) = item, other.location < d.location else { continue }
      if other.names == d.names, other.network.layers == d.network.layers { return other }
    }
    return nil
  }

  /// Numbers in diagrams: at most 4 decimals (the tables beside them hold the rest), same blanks.
  var diagramFormat: NumberFormat {
    var compact = format
    compact.decimals = min(format.decimals, 4)
    return compact
  }

  /// An edge's label: the weight's own name when the lesson gave one, and the value. Layers joined
  /// by many edges get none: the labels would pile up, and the table lists every value.
  func edgeLabel(_ names: NetworkNames, _ n: Network, _ e: NetworkDiagram.Edge, value: Double, as q: Quantity, gradient: Bool = false) -> [String] {
    let layer = n.layers[e.layer]
    guard layer.inputCount * layer.neuronCount <= 8 else { return [] }
    let name = names.customWeights[e.layer] ? names.weights[e.layer][e.to][e.from] : ""
    let label = gradient ? "∂E/∂\(name.isEmpty ? "w" : name) " : (name.isEmpty ? "" : name + " ")
    return [label + diagramNumber(value, as: q)]
  }

  /// Each activation the network uses, with its derivative, as the working will use them.
  func activationFormulas(_ spec: NetworkSpec) -> [HTML] {
    var seen: [String] = []
    var lines: [String] = []
    for layer in spec.layers where !seen.contains(layer.activation.name) {
      seen.append(layer.activation.name)
      switch layer.activation {
      case .sigmoid: lines.append("\\sigma(z) = \\frac{1}{1 + e^{-z}}, \\qquad \\sigma'(z) = \\sigma(z)\\,(1 - \\sigma(z))")
      case .tanh: lines.append("\\tanh(z) = \\frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}, \\qquad \\tanh'(z) = 1 - \\tanh^2(z)")
      case .relu: lines.append("\\mathrm{ReLU}(z) = \\max(0, z), \\qquad \\mathrm{ReLU}'(z) = \\begin{cases} 1 & z > 0 \\\\ 0 & z \\le 0 \\end{cases}")
      case .leakyReLU(let slope):
        let a = format.untracked.short(slope)
        lines.append("f(z) = \\begin{cases} z & z > 0 \\\\ \(a)\\,z & z \\le 0 \\end{cases}, \\qquad f'(z) = \\begin{cases} 1 & z > 0 \\\\ \(a) & z \\le 0 \\end{cases}")
      case .linear: lines.append("f(z) = z, \\qquad f'(z) = 1")
      case .softmax: lines.append("\\mathrm{softmax}(z)_j = \\frac{e^{z_j}}{\\sum_k e^{z_k}}, \\qquad \\frac{\\partial a_j}{\\partial z_k} = a_j(\\delta_{jk} - a_k)")
      }
    }
    return lines.map { math($0) }
  }

  func diagramLayers(_ names: NetworkNames, _ n: Network, forward: ForwardPass?, backward: BackwardPass?) -> [NetworkDiagram.Layer] {
    var layers = [NetworkDiagram.Layer(name: "inputs", neurons: names.inputs.enumerated().map { i, name in
      NetworkDiagram.Neuron(name, lines: forward.map { [diagramNumber($0.inputs[0, i], as: .input(i: i, n: 0))] } ?? [])
    })]
    for l in n.layers.indices {
      layers.append(NetworkDiagram.Layer(
        name: l == n.layers.count - 1 ? "outputs" : "hidden \(n.layers.count > 2 ? "\(l + 1)" : "")",
        neurons: names.neurons[l].enumerated().map { j, name in
          var lines: [String] = []
          if let f = forward {
            lines.append("\(notation.net) \(diagramNumber(f.z[l][0, j], as: .net(l: l, j: j, n: 0)))")
            lines.append("\(notation.out) \(diagramNumber(f.a[l][0, j], as: .out(l: l, j: j, n: 0)))")
          }
          if let b = backward { lines.append("δ \(diagramNumber(b.delta[l][0, j], as: .delta(l: l, j: j, n: 0)))") }
          return NetworkDiagram.Neuron(name, lines: lines)
        },
        bias: forward == nil ? biasLabel(n.layers[l].biases, layer: l) : nil))
    }
    return layers
  }

  func biasLabel(_ biases: [Double], layer l: Int) -> String {
    if let first = biases.first, biases.allSatisfy({ $0 == first }) { return "b \(diagramNumber(first, as: .bias(l: l, j: 0)))" }
    return "biases"
  }

  mutating func data(_ d: DataDeclaration) -> HTML {
    if let grids = dataGrids(d) { return grids }
    let ds = d.dataset
    var rows: [[HTML]] = []
    for index in shownIndices(ds.count) {
      guard let n = index else {
        rows.append(ellipsisRow(1 + ds.inputs.columns + ds.targets.columns, hidden: ds.count - 8, what: "samples"))
        continue
      }
      rows.append([.el("th", [("scope", "row"), ("class", "num")], "\(n + 1)")]
        + ds.inputs.row(n).enumerated().map { i, x in cell(x, as: .input(i: i, n: n)) }
        + ds.targets.row(n).enumerated().map { k, t in cell(t, as: .target(k: k, n: n), "target") })
    }
    let header = ["sample"] + (0..<ds.inputs.columns).map { "input \($0 + 1)" } + (0..<ds.targets.columns).map { "target \($0 + 1)" }
    let origin: String
    switch d.source {
    case .inline: origin = "given in the lesson"
    case .csv(let path, _): origin = "read from \(path)"
    case .xor: origin = "the four XOR points"
    case .spiral(let k, let p, let noise, let seed): origin = "a spiral of \(k) classes × \(p) points, noise \(format.untracked.short(noise)), seed \(seed)"
    }
    return .el("section", [("class", "block data")], [
      // An unnamed block is called `data`: "data data" would say it twice.
      .el("p", [("class", "block-title")], [.el("span", [("class", "kind")], "data"),
        .text("\(d.name == "data" ? "" : " " + d.name): \(ds.count) sample\(ds.count == 1 ? "" : "s"), \(origin)")]),
      table(caption: d.name == "data" ? "Data" : "Data \(d.name)", header: header, rows: rows),
    ])
  }

  func checks(_ results: [CheckResult]) -> HTML {
    // A worksheet leaves checks out: they state the answers.
    if format.blanks?.hides == true { return .fragment([]) }
    let rows: [[HTML]] = results.map { r in
      let mark: HTML = .el("td", [("class", r.passed ? "verdict pass" : "verdict fail")], r.passed ? "✓ pass" : "✗ fail")
      let computed: HTML = r.computed.map { cell($0) } ?? .el("td", [("class", "num")], "—")
      let difference: HTML = r.computed.map { d in
        .el("td", [("class", "num"), ("title", NumberFormat.exact(d - r.spec.expected))], NumberFormat.compact(d - r.spec.expected))
      } ?? .el("td", [], "")
      return [rowHeader(r.spec.name), .el("td", [("class", "num")], NumberFormat.minus(r.spec.expectedText)), computed, difference,
              .el("td", [("class", "num")], "± " + NumberFormat.compact(r.allowed)), mark,
              .el("td", [("class", "note")], r.spec.note ?? "")]
    }
    return .el("section", [("class", "block checks")], [
      table(caption: "Checks", header: ["value", "expected", "computed", "difference", "tolerance", "", "note"], rows: rows),
    ])
  }
}
