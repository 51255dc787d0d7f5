import Backprop
import Foundation
import Lessons
import Typesetting

/// Reports for networks of typed layers: each layer's values as grids, every output cell's sum
/// written out, and on the way back each kernel gradient as a sum over input patches, the input
/// gradient as the full convolution with the flipped kernel, max-pooling's routing and
/// backpropagation through time, all with the lesson's numbers (sample 1 in the working).
///
/// Every number goes through `cell`, `inlineNumber`, `symbols.number` or `diagramNumber` with its
/// ``Quantity``, so a worksheet leaves exactly the answers blank. A new layer kind adds its
/// forward and backward section here.
extension ReportContext {
  // MARK: Names in TeX

  /// 1-based indices of a flat position in `shape`.
  static func indices(_ flat: Int, _ shape: [Int]) -> [Int] {
    var rest = flat
    var out: [Int] = []
    for size in shape.reversed() {
      out.append(rest % size + 1)
      rest /= size
    }
    return out.reversed()
  }

  static func subscriptList(_ flat: Int, _ shape: [Int]) -> String { indices(flat, shape).map(String.init).joined(separator: ",") }

  /// The TeX of a typed layer's value: z^{c1}_{1,2,3}, ∂E/∂a for `.aGrad`.
  func cellSymbol(_ p: LayeredPass, _ field: CellField, _ l: Int, _ i: Int) -> String {
    let s = symbols
    let names = p.spec.layers[l]
    if case .dense = p.network.layers[l] {
      switch field {
      case .z: return s.net(names.neurons[i])
      case .a: return s.out(names.neurons[i])
      case .delta: return s.delta(names.neurons[i])
      case .aGrad: return s.partial("E", s.out(names.neurons[i]))
      }
    }
    let recurrent: Bool = if case .recurrent = p.network.layers[l] { true } else { false }
    let base: String
    switch field {
    case .z: base = s.netSymbol
    case .a, .aGrad: base = recurrent ? "h" : s.outSymbol
    case .delta: base = "\\delta"
    }
    let symbol = "\(base)^{\\mathrm{\(Symbols.plain(Substring(names.name)))}}_{\(Self.subscriptList(i, p.network.layers[l].valueShape))}"
    return field == .aGrad ? s.partial("E", symbol) : symbol
  }

  func inputSymbol(_ p: LayeredPass, _ i: Int) -> String {
    "\(Symbols.plain(Substring(p.spec.inputName)))_{\(Self.subscriptList(i, p.network.inputShape))}"
  }

  /// The TeX of a parameter: K_{1,2} for a named kernel, w^{c1}_{1,1,1,2}, (W_x)_{1,1}, w_{o1,3}.
  func parameterSymbol(_ p: LayeredPass, _ l: Int, _ t: Int, _ i: Int) -> String {
    let names = p.spec.layers[l]
    let plain = { (s: String) in Symbols.plain(Substring(s)) }
    switch p.network.layers[l] {
    case .dense(let d):
      if t == 0 {
        if let w = names.weightNames { return symbols.name(w[i / d.inputCount][i % d.inputCount]) }
        return "w_{\(plain(names.neurons[i / d.inputCount])),\(i % d.inputCount + 1)}"
      }
      return names.biasNames.map { symbols.name($0[i]) } ?? "b_{\(plain(names.neurons[i]))}"
    case .convolution(let c):
      if t == 1 { return names.biasNames.map { symbols.name($0[i]) } ?? "b^{\\mathrm{\(plain(names.name))}}_{\(i + 1)}" }
      let shape = p.network.layers[l].parameterShapes[0].shape
      if let kernels = names.kernelNames {
        let per = shape.dropFirst().reduce(1, *)
        let own = Array(shape.dropFirst(c.inChannels == 1 ? 2 : 1))
        return "\(plain(kernels[i / per]))_{\(Self.subscriptList(i % per, own))}"
      }
      return "w^{\\mathrm{\(plain(names.name))}}_{\(Self.subscriptList(i, shape))}"
    case .recurrent:
      return t == 2 ? "b_{\(i + 1)}" : "(W_{\(t == 0 ? "x" : "h")})_{\(Self.subscriptList(i, p.network.layers[l].parameterShapes[t].shape))}"
    case .pooling, .flatten: return "?"
    }
  }

  /// What layer l receives at flat position k, for sample n: an input, or a value of a layer below.
  func layerInput(_ p: LayeredPass, _ l: Int, _ k: Int, _ n: Int) -> Quantity {
    guard l > 0 else { return .input(i: k, n: n) }
    switch p.network.layers[l - 1] {
    case .flatten: return layerInput(p, l - 1, k, n)
    case .recurrent(let r) where !r.returnsSequence: return .cell(.a, l: l - 1, index: (r.steps - 1) * r.hidden + k, n: n)
    default: return .cell(.a, l: l - 1, index: k, n: n)
    }
  }

  func inputTeX(_ p: LayeredPass, _ l: Int, _ k: Int) -> String {
    switch layerInput(p, l, k, 0) {
    case .cell(let f, let below, let i, _): cellSymbol(p, f, below, i)
    default: inputSymbol(p, k)
    }
  }

  /// ∂E/∂(what layer l sends on) at k, as a quantity where the pass names it.
  func outputGradient(_ p: LayeredPass, _ l: Int, _ k: Int, _ n: Int) -> Quantity? {
    switch p.network.layers[l] {
    case .flatten: return l > 0 ? outputGradient(p, l - 1, k, n) : nil
    case .recurrent(let r):
      // The last step's ∂E/∂h is what comes from above alone; an earlier step's also takes in
      // what came back through time, so what it receives from above is no value of the pass.
      let last = (r.steps - 1) * r.hidden
      if !r.returnsSequence { return .cell(.aGrad, l: l, index: last + k, n: n) }
      return k >= last ? .cell(.aGrad, l: l, index: k, n: n) : nil
    default: return .cell(.aGrad, l: l, index: k, n: n)
    }
  }

  /// A grid of one channel of a layer's values (or the input) for sample 1.
  func channelGrid(_ title: String, rows: Int, columns: Int, offset: Int, role: GridDiagram.Grid.Role = .computed, highlighted: Set<Int> = [],
    _ value: (Int) -> (Double, Quantity?)) -> GridDiagram.Grid
  {
    // A grid too large to draw (see `gridFigure`) is not filled in.
    let cells = rows * columns > Self.maxGridCells ? Array(repeating: "", count: rows * columns) : (0..<(rows * columns)).map { k -> String in
      let (x, q) = value(offset + k)
      return diagramNumber(x, as: q)
    }
    return GridDiagram.Grid(title: title, rows: rows, columns: columns, cells: cells, highlighted: highlighted, role: role)
  }

  /// Rows and columns of a [C, H, W] or [C, L] shape's channels.
  static func plane(_ shape: [Int]) -> (channels: Int, rows: Int, columns: Int) {
    switch shape.count {
    case 3: (shape[0], shape[1], shape[2])
    case 2: (shape[0], 1, shape[1])
    default: (1, 1, shape.reduce(1, *))
    }
  }

  /// Cells a grid may have to be drawn: 12 × 12, as much as a page shows legibly.
  static let maxGridCells = 144

  /// A figure of grids, or a note when a grid is too large to draw legibly (the tables and
  /// the JSON trace still hold every value).
  func gridFigure(_ diagram: GridDiagram) -> HTML {
    guard diagram.grids.allSatisfy({ $0.rows * $0.columns <= Self.maxGridCells }) else {
      return .el("p", [("class", "note")], "\(diagram.title): too large to draw (more than \(Self.maxGridCells) cells); the tables list the values.")
    }
    return figure(.trusted(diagram.svg()))
  }

  // MARK: Declaration

  mutating func layeredNetwork(_ d: LayeredDeclaration) -> HTML {
    let spec = d.spec
    let network = d.layered.network
    let facts = [
      "network \(spec.name) of \(network.layers.count) layers on an input of \(network.inputShape.map(String.init).joined(separator: "×"))",
      "loss: \(spec.loss.name) (\(spec.reduction.rawValue) over samples)",
      "optimizer: \(spec.optimizer.name), learning rate \(format.untracked.short(spec.optimizer.learningRate))",
      spec.updatesBiases ? "biases are updated" : "biases stay fixed",
    ]
    var rows: [[HTML]] = []
    var shape = network.inputShape
    for (l, layer) in network.layers.enumerated() {
      let names = d.layered.layers[l]
      rows.append([rowHeader(names.neurons.isEmpty ? names.name : names.neurons.joined(separator: ", ")), .el("td", [], names.type),
        .el("td", [], shape.map(String.init).joined(separator: "×") + " → " + layer.outputShape.map(String.init).joined(separator: "×")),
        .el("td", [], Self.settings(layer))])
      shape = layer.outputShape
    }
    var parts: [HTML] = [
      .el("p", [("class", "block-title")], [.el("span", [("class", "kind")], "network"), .text(" " + facts.joined(separator: " · "))]),
      table(caption: "Layers of \(spec.name)", header: ["layer", "type", "shape", "settings"], rows: rows, numericFrom: 9),
    ]
    // The parameters as given: kernels as grids, matrices as tables.
    let pass = LayeredPass(networkName: spec.name, spec: d.layered, notation: notation, network: network, optimizer: spec.optimizer,
      inputs: [], targets: [], forward: LayeredForward(inputs: [], layers: [], outputs: []), loss: nil, backward: nil, update: nil)
    for (l, layer) in network.layers.enumerated() {
      if case .convolution(let c) = layer {
        var grids: [GridDiagram.Grid] = []
        for o in 0..<c.outChannels {
          for ch in 0..<c.inChannels {
            let start = c.weightIndex(o, ch, 0, 0)
            let title = kernelTitle(pass, l, o, ch)
            grids.append(channelGrid(title, rows: c.kernelRows, columns: c.kernelColumns, offset: start, role: .given) { k in
              (c.weights[k], .parameter(l: l, p: 0, index: k))
            })
          }
        }
        // Four kernels to a row, so that each stays legible on a page.
        for start in stride(from: 0, to: grids.count, by: 4) {
          parts.append(gridFigure(GridDiagram(id: nextFigureID("kernel"), title: "Kernels of \(d.layered.layers[l].name)",
            description: "Each kernel's weights, row by row.", grids: Array(grids[start..<min(start + 4, grids.count)]))))
        }
      }
    }
    parts.append(parameterTable(pass, caption: "Parameters of \(spec.name)", value: { l, t, i in (network.layers[l].parameters[t][i], .parameter(l: l, p: t, index: i)) }))
    return .el("section", [("class", "block network")], parts)
  }

  func kernelTitle(_ p: LayeredPass, _ l: Int, _ o: Int, _ ch: Int) -> String {
    guard case .convolution(let c) = p.network.layers[l] else { return "" }
    let names = p.spec.layers[l]
    let name = names.kernelNames?[o] ?? "\(names.name).w[\(o + 1),·]"
    return c.inChannels == 1 ? name : "\(name), input channel \(ch + 1)"
  }

  static func settings(_ layer: Layer) -> String {
    switch layer {
    case .dense(let d): return "\(d.neuronCount) \(d.activation.name) neuron\(d.neuronCount == 1 ? "" : "s")"
    case .convolution(let c):
      let kernel = c.dimensions == 2 ? "\(c.kernelRows)×\(c.kernelColumns)" : "\(c.kernelColumns)"
      let stride = c.dimensions == 2 ? "\(c.strideRows)×\(c.strideColumns)" : "\(c.strideColumns)"
      let padding = c.dimensions == 2 ? "\(c.paddingRows)×\(c.paddingColumns)" : "\(c.paddingColumns)"
      return "\(c.outChannels) kernel\(c.outChannels == 1 ? "" : "s") of \(kernel), stride \(stride), padding \(padding), then \(c.activation.name)"
    case .pooling(let p):
      let size = p.dimensions == 2 ? "\(p.sizeRows)×\(p.sizeColumns)" : "\(p.sizeColumns)"
      let stride = p.dimensions == 2 ? "\(p.strideRows)×\(p.strideColumns)" : "\(p.strideColumns)"
      return "\(p.kind == .max ? "maximum" : "mean") of each \(size) window, stride \(stride)"
    case .flatten: return "the values in one list, row by row"
    case .recurrent(let r):
      return "\(r.hidden) \(r.activation.name) unit\(r.hidden == 1 ? "" : "s") over \(r.steps) step\(r.steps == 1 ? "" : "s"), from h₀ = 0; passes on \(r.returnsSequence ? "every h_t" : "h_T")"
    }
  }

  /// Every parameter in one table: name, value (and its gradient, or its update, when given).
  func parameterTable(_ p: LayeredPass, caption: String, value: (Int, Int, Int) -> (Double, Quantity),
    extra: [(String, (Int, Int, Int) -> (Double, Quantity))] = []) -> HTML
  {
    var all: [(Int, Int, Int)] = []
    for (l, layer) in p.network.layers.enumerated() {
      for (t, tensor) in layer.parameters.enumerated() { all += tensor.indices.map { (l, t, $0) } }
    }
    var rows: [[HTML]] = []
    for index in shownIndices(all.count) {
      guard let k = index else { rows.append(ellipsisRow(2 + extra.count, hidden: all.count - 8, what: "parameters")); continue }
      let (l, t, i) = all[k]
      let (x, q) = value(l, t, i)
      rows.append([rowHeader(p.parameterName(l, t, i)), cell(x, as: q)] + extra.map { e in
        let (y, r) = e.1(l, t, i)
        return cell(y, as: r)
      })
    }
    return table(caption: caption, header: ["parameter", "value"] + extra.map(\.0), rows: rows)
  }

  /// A data block for the network of typed layers declared before it, when its samples are
  /// images or sequences: each sample's input as grids (up to 4 samples), its targets in a table.
  mutating func dataGrids(_ d: DataDeclaration) -> HTML? {
    let declared = run.items.compactMap { item -> LayeredDeclaration? in if case .layeredNetwork(let n) = item { n } else { nil } }
    guard let network = declared.last(where: { $0.location.line < d.location.line }), network.layered.network.inputShape.count >= 2,
      network.layered.network.inputShape.reduce(1, *) == d.dataset.inputs.columns
    else { return nil }
    let shape = network.layered.network.inputShape
    let sequence: Bool = if case .recurrent = network.layered.network.layers[0] { true } else { false }
    let (channels, rows, columns) = sequence ? (1, shape[0], shape[1]) : Self.plane(shape)
    let ds = d.dataset
    var parts: [HTML] = [.el("p", [("class", "block-title")], [.el("span", [("class", "kind")], "data"),
      .text("\(d.name == "data" ? "" : " " + d.name): \(ds.count) sample\(ds.count == 1 ? "" : "s"), given in the lesson, as the input of \(network.spec.name)")])]
    if rows * columns > Self.maxGridCells {
      parts.append(.el("p", [("class", "note")], "Each sample's input is \(shape.map(String.init).joined(separator: "×")) (\(ds.inputs.columns) numbers), too many to draw; the JSON trace lists them."))
    }
    for n in 0..<(rows * columns > Self.maxGridCells ? 0 : min(ds.count, 4)) {
      let grids = (0..<channels).map { c in
        channelGrid((ds.count == 1 ? "" : "sample \(n + 1) ") + (sequence ? "\(network.layered.inputName) (a row per step)" : channels == 1 ? network.layered.inputName : "channel \(c + 1)"),
          rows: rows, columns: columns, offset: c * rows * columns, role: .given) { k in (ds.inputs[n, k], .input(i: k, n: n)) }
      }
      parts.append(gridFigure(GridDiagram(id: nextFigureID("data"), title: "Input of sample \(n + 1)", description: "The sample's input, laid out as the network reads it.", grids: grids)))
    }
    if ds.count > 4, rows * columns <= Self.maxGridCells { parts.append(.el("p", [("class", "note")], "… and \(ds.count - 4) more samples (all of them are in the JSON trace).")) }
    let outputs = network.layered.layers.last?.neurons ?? []
    let rowsHTML: [[HTML]] = shownIndices(ds.count).map { index in
      guard let n = index else { return ellipsisRow(1 + ds.targets.columns, hidden: ds.count - 8, what: "samples") }
      return [.el("th", [("scope", "row"), ("class", "num")], "\(n + 1)")] + ds.targets.row(n).enumerated().map { k, t in cell(t, as: .target(k: k, n: n), "target") }
    }
    parts.append(table(caption: "Targets", header: ["sample"] + (0..<ds.targets.columns).map { k in k < outputs.count ? "target \(outputs[k])" : "target \(k + 1)" }, rows: rowsHTML))
    return .el("section", [("class", "block data")], parts)
  }

  // MARK: Directives

  mutating func layeredDirective(_ r: LayeredResult) -> HTML {
    let samples = r.data.count
    let dataLabel = r.dataName == "data" ? "data" : "data \(r.dataName)"
    var parts: [HTML] = [.el("p", [("class", "block-title")], [.el("span", [("class", "kind")], r.kind.rawValue),
      .text(" · network \(r.networkName) · \(dataLabel) (\(samples) sample\(samples == 1 ? "" : "s"))")])]
    if samples > 1, r.history == nil, r.gradientCheck == nil {
      parts.append(.el("p", [("class", "note")], "The tables give every sample (up to 4); the grids and the working are for sample 1, but a parameter's gradient adds up every sample's term. Gradients are of the batch error E, the \(r.before.reduction == .mean ? "mean" : "sum") of the samples' errors."))
    }
    guard let p = r.pass(notation: notation) else { return .el("section", [("class", "block directive \(r.kind.rawValue)")], parts) }
    switch r.kind {
    case .forward: parts += layeredForward(p)
    case .loss: parts += layeredLoss(p)
    case .backward: parts += layeredBackward(p)
    case .update: parts += layeredUpdate(p)
    case .step: parts += layeredForward(p) + layeredLoss(p) + layeredBackward(p) + layeredUpdate(p)
    case .train: parts += layeredTraining(r, p)
    case .gradcheck: parts += layeredGradcheck(r, p)
    }
    return .el("section", [("class", "block directive \(r.kind.rawValue)")], parts)
  }

  /// A table of one layer's values, cells down and (up to 4) samples across.
  func valueTable(_ p: LayeredPass, caption: String, layer l: Int, fields: [(String, CellField)]) -> HTML {
    let count = p.network.layers[l].valueShape.reduce(1, *)
    let columns = sampleColumns(p.inputs.count)
    var rows: [[HTML]] = []
    for index in shownIndices(count) {
      guard let k = index else { rows.append(ellipsisRow(1 + fields.count * columns.count, hidden: count - 8, what: "values")); continue }
      let names = p.spec.layers[l]
      let name = names.neurons.isEmpty ? names.name + LayeredPass.indexText(k, p.network.layers[l].valueShape) : names.neurons[k]
      rows.append([rowHeader(name)] + columns.flatMap { n in fields.map { f in
        let q = Quantity.cell(f.1, l: l, index: k, n: n)
        return cell(p.value(q), as: q)
      } })
    }
    return table(caption: caption, header: ["cell"] + columns.flatMap { n in fields.map { "\($0.0)\(sampleSuffix(n, p.inputs.count))" } }, rows: rows)
  }

  // MARK: Forward

  mutating func layeredForward(_ p: LayeredPass) -> [HTML] {
    var out: [HTML] = []
    let (channels, rows, columns) = Self.plane(p.network.inputShape)
    // A first convolution or pooling draws its input itself; an rnn's diagram shows its steps.
    let drawsInput: Bool = switch p.network.layers[0] {
    case .convolution, .pooling, .recurrent: true
    case .dense, .flatten: false
    }
    if p.network.inputShape.count >= 2, !drawsInput {
      let grids = (0..<channels).map { c in
        channelGrid(channels == 1 ? p.spec.inputName : "\(p.spec.inputName), channel \(c + 1)", rows: rows, columns: columns, offset: c * rows * columns, role: .given) { k in
          (p.inputs[0][k], .input(i: k, n: 0))
        }
      }
      out.append(gridFigure(GridDiagram(id: nextFigureID("input"), title: "The input \(p.spec.inputName)", description: "Sample 1's input, one grid per channel.", grids: grids)))
    }
    for (l, layer) in p.network.layers.enumerated() {
      let name = p.spec.layers[l].neurons.isEmpty ? p.spec.layers[l].name : "the output layer"
      switch layer {
      case .convolution(let c): out += convolutionForward(p, l, c)
      case .pooling(let pool): out += poolingForward(p, l, pool)
      case .flatten:
        let count = layer.valueShape.reduce(1, *)
        let shown = (0..<min(count, 12)).map { k -> String in
          let q = layerInput(p, l, k, 0)
          return symbols.number(p.value(q), as: q)
        }.joined(separator: ", ") + (count > 12 ? ", \\ldots" : "")
        out.append(.el("p", [], "Flatten (\(p.spec.layers[l].name)) writes the \(layer.inputShape.map(String.init).joined(separator: "×")) values below it as one list of \(count), row by row, channel after channel; nothing is computed."))
        out.append(math("\\mathrm{\(Symbols.plain(Substring(p.spec.layers[l].name)))} = (\(shown))"))
      case .recurrent(let r): out += recurrentForward(p, l, r)
      case .dense(let d):
        out.append(valueTable(p, caption: "\(name.prefix(1).uppercased() + name.dropFirst()) (\(d.activation.name))", layer: l, fields: [(notation.net, .z), (notation.out, .a)]))
        out.append(working("How \(name) got these values", denseForwardWorking(p, l, d)))
      }
    }
    return out
  }

  mutating func convolutionForward(_ p: LayeredPass, _ l: Int, _ c: Convolution) -> [HTML] {
    var out: [HTML] = []
    let name = p.spec.layers[l].name
    let (rows, columns) = (c.outputRows, c.outputColumns)
    var diagrams: [HTML] = []
    for o in 0..<c.outChannels {
      var grids: [GridDiagram.Grid] = []
      var separators: [String] = []
      for ch in 0..<c.inChannels {
        let patch = Set((0..<c.kernelRows).flatMap { r in (0..<c.kernelColumns).compactMap { s in c.inputIndex(channel: ch, row: 0, column: 0, r: r, s: s).map { $0 - ch * c.height * c.width } } })
        grids.append(channelGrid(c.inChannels == 1 ? "input" : "input channel \(ch + 1)", rows: c.height, columns: c.width, offset: ch * c.height * c.width,
          role: l == 0 ? .given : .computed, highlighted: patch) { k in
          let q = layerInput(p, l, k, 0)
          return (p.value(q), q)
        })
        separators.append("∗")
        let start = c.weightIndex(o, ch, 0, 0)
        grids.append(channelGrid(kernelTitle(p, l, o, ch), rows: c.kernelRows, columns: c.kernelColumns, offset: start, role: .given) { k in
          (p.network.layers[l].parameters[0][k], .parameter(l: l, p: 0, index: k))
        })
        separators.append(ch < c.inChannels - 1 ? "+" : "+ b =")
      }
      let offset = o * rows * columns
      grids.append(channelGrid(notation.net, rows: rows, columns: columns, offset: offset, highlighted: [0]) { k in (p.value(.cell(.z, l: l, index: k, n: 0)), .cell(.z, l: l, index: k, n: 0)) })
      separators.append(c.activation.name)
      grids.append(channelGrid(notation.out, rows: rows, columns: columns, offset: offset) { k in (p.value(.cell(.a, l: l, index: k, n: 0)), .cell(.a, l: l, index: k, n: 0)) })
      diagrams.append(gridFigure(GridDiagram(id: nextFigureID("conv"), title: "Convolution \(name), output channel \(o + 1)",
        description: "The input slides under the kernel: each \(notation.net) cell is the sum of the kernel's weights times the input under it, plus the bias; the outlined cells are the first patch and the cell it gives.",
        grids: grids, separators: separators)))
    }
    out.append(.el("p", [], "Convolution \(name) slides each kernel over its input (cross-correlation, as PyTorch's Conv\(c.dimensions)d: the kernel is not flipped) with stride \(c.dimensions == 2 && c.strideRows != c.strideColumns ? "\(c.strideRows)×\(c.strideColumns)" : "\(c.strideColumns)") and \(c.paddingColumns == 0 && c.paddingRows == 0 ? "no padding" : "zero padding"); every output cell adds the kernel's weights times the input cells under them, and the bias."))
    out += diagrams
    out.append(valueTable(p, caption: "\(name) (\(c.activation.name))", layer: l, fields: [(notation.net, .z), (notation.out, .a)]))
    out.append(working("How \(name) got these values", convolutionForwardWorking(p, l, c)))
    return out
  }

  mutating func convolutionForwardWorking(_ p: LayeredPass, _ l: Int, _ c: Convolution) -> [String] {
    let s = symbols
    let count = c.outChannels * c.outputRows * c.outputColumns
    var lines: [String] = []
    let shown = min(count, 9)
    for k in 0..<shown {
      let o = k / (c.outputRows * c.outputColumns), i = (k / c.outputColumns) % c.outputRows, j = k % c.outputColumns
      var symbolic: [String] = [], numeric: [String] = []
      for ch in 0..<c.inChannels {
        for r in 0..<c.kernelRows {
          for t in 0..<c.kernelColumns {
            guard let x = c.inputIndex(channel: ch, row: i, column: j, r: r, s: t) else { continue }
            let w = c.weightIndex(o, ch, r, t)
            let wq = Quantity.parameter(l: l, p: 0, index: w)
            let xq = layerInput(p, l, x, 0)
            symbolic.append("\(parameterSymbol(p, l, 0, w)) \\, \(inputTeX(p, l, x))")
            numeric.append("\(s.number(p.value(wq), as: wq, parenthesized: !numeric.isEmpty)) \\times \(s.number(p.value(xq), as: xq, parenthesized: true))")
          }
        }
      }
      let bq = Quantity.parameter(l: l, p: 1, index: o)
      let zq = Quantity.cell(.z, l: l, index: k, n: 0), aq = Quantity.cell(.a, l: l, index: k, n: 0)
      let sumSymbolic = symbolic.count > 6 ? symbolic.prefix(4).joined(separator: " + ") + " + \\cdots" : symbolic.joined(separator: " + ")
      let sumNumeric = numeric.count > 6 ? numeric.prefix(4).joined(separator: " + ") + " + \\cdots" : numeric.joined(separator: " + ")
      lines.append("\(cellSymbol(p, .z, l, k)) = \(sumSymbolic) + \(parameterSymbol(p, l, 1, o)) = \(sumNumeric) + \(s.number(p.value(bq), as: bq, parenthesized: true)) = \(s.number(p.value(zq), as: zq))")
      lines.append(activationLine(cellSymbol(p, .a, l, k), cellSymbol(p, .z, l, k), c.activation, z: (p.value(zq), zq), a: (p.value(aq), aq)))
    }
    if count > shown { lines.append("\\text{… and likewise for the other \(count - shown) cells}") }
    return lines
  }

  /// a = f(z) with numbers, for an element-wise activation.
  func activationLine(_ a: String, _ z: String, _ f: Activation, z zv: (Double, Quantity), a av: (Double, Quantity)) -> String {
    let s = symbols
    let zn = s.number(zv.0, as: zv.1)
    let an = s.number(av.0, as: av.1)
    switch f {
    case .sigmoid: return "\(a) = \\sigma(\(z)) = \\frac{1}{1 + \\exp\\left(-\(s.number(zv.0, as: zv.1, parenthesized: true))\\right)} = \(an)"
    case .tanh: return "\(a) = \\tanh(\(z)) = \\tanh(\(zn)) = \(an)"
    case .relu: return "\(a) = \\max(0, \(z)) = \\max(0, \(zn)) = \(an)"
    case .leakyReLU(let slope): return "\(a) = \(zv.0 > 0 ? z : "\(s.number(slope)) \\, \(z)") = \(an)"
    case .linear: return "\(a) = \(z) = \(an)"
    case .softmax: return "\(a) = \\mathrm{softmax}(\(z)) = \(an)"
    }
  }

  mutating func poolingForward(_ p: LayeredPass, _ l: Int, _ pool: Pooling) -> [HTML] {
    let s = symbols
    let name = p.spec.layers[l].name
    let v = p.forward.layers[l][0]
    var out: [HTML] = []
    let plane = pool.height * pool.width, outPlane = pool.outputRows * pool.outputColumns
    for c in 0..<pool.channels {
      let taken = Set((v.routes ?? []).enumerated().filter { $0.offset / outPlane == c }.map { $0.element - c * plane })
      let grids = [
        channelGrid(pool.channels == 1 ? "input" : "input channel \(c + 1)", rows: pool.height, columns: pool.width, offset: c * plane,
          role: l == 0 ? .given : .computed, highlighted: pool.kind == .max && format.blanks?.hides != true ? taken : []) { k in
          let q = layerInput(p, l, k, 0)
          return (p.value(q), q)
        },
        channelGrid(name, rows: pool.outputRows, columns: pool.outputColumns, offset: c * outPlane) { k in (p.value(.cell(.a, l: l, index: k, n: 0)), .cell(.a, l: l, index: k, n: 0)) },
      ]
      out.append(gridFigure(GridDiagram(id: nextFigureID("pool"), title: "\(pool.kind == .max ? "Max" : "Average") pooling \(name)\(pool.channels == 1 ? "" : ", channel \(c + 1)")",
        description: pool.kind == .max ? "Each output is the largest value of its window; the outlined inputs are the ones taken." : "Each output is the mean of its window.",
        grids: grids, separators: ["→"])))
    }
    out.append(valueTable(p, caption: "\(name) (\(pool.kind == .max ? "max" : "average") pooling)", layer: l, fields: [(notation.out, .a)]))
    var lines: [String] = []
    let count = pool.channels * outPlane
    for k in 0..<min(count, 9) {
      let c = k / outPlane, i = (k / pool.outputColumns) % pool.outputRows, j = k % pool.outputColumns
      let window = pool.window(channel: c, row: i, column: j)
      let symbolic = window.map { inputTeX(p, l, $0) }.joined(separator: ", ")
      let numeric = window.map { x in
        let q = layerInput(p, l, x, 0)
        return s.number(p.value(q), as: q)
      }.joined(separator: ", ")
      let aq = Quantity.cell(.a, l: l, index: k, n: 0)
      if pool.kind == .max {
        // Which input won is part of the answer: a worksheet does not say.
        let from = format.blanks?.hides == true ? "" : " \\quad \\text{(from } \(inputTeX(p, l, v.routes![k]))\\text{)}"
        lines.append("\(cellSymbol(p, .a, l, k)) = \\max(\(symbolic)) = \\max(\(numeric)) = \(s.number(p.value(aq), as: aq))\(from)")
      } else {
        // A sum: a negative term after the first in parentheses.
        let terms = window.enumerated().map { position, x in
          let q = layerInput(p, l, x, 0)
          return s.number(p.value(q), as: q, parenthesized: position > 0)
        }.joined(separator: " + ")
        lines.append("\(cellSymbol(p, .a, l, k)) = \\tfrac{1}{\(window.count)}(\(window.map { inputTeX(p, l, $0) }.joined(separator: " + "))) = \\tfrac{1}{\(window.count)}(\(terms)) = \(s.number(p.value(aq), as: aq))")
      }
    }
    if count > 9 { lines.append("\\text{… and likewise for the other \(count - 9) windows}") }
    out.append(working("How \(name) got these values", lines))
    return out
  }

  mutating func recurrentForward(_ p: LayeredPass, _ l: Int, _ r: Recurrent) -> [HTML] {
    let s = symbols
    let name = p.spec.layers[l].name
    var out: [HTML] = []
    out.append(.el("p", [], [.text("The recurrent layer \(name) reads the sequence one step at a time: each hidden state is "),
      math("h_t = " + (r.activation == .tanh ? "\\tanh" : "f") + "(W_x\\, x_t + W_h\\, h_{t-1} + b)", display: false),
      .text(", from "), math("h_0 = 0", display: false), .text(", with the same weights at every step. Unrolled, it is the network below.")]))
    if r.steps <= 12 { out.append(figure(.trusted(sequenceDiagram(p, l, r, backward: false).svg()))) }
    out.append(valueTable(p, caption: "\(name) (\(r.activation.name)), step by step", layer: l, fields: [(notation.net, .z), ("h", .a)]))
    var lines: [String] = []
    for t in Self.shownSteps(r.steps) {
      for k in 0..<min(r.hidden, 3) {
        let cellIndex = t * r.hidden + k
        var symbolic: [String] = [], numeric: [String] = []
        for f in 0..<r.features {
          let wq = Quantity.parameter(l: l, p: 0, index: k * r.features + f), xq = layerInput(p, l, t * r.features + f, 0)
          symbolic.append("\(parameterSymbol(p, l, 0, k * r.features + f)) \\, \(inputTeX(p, l, t * r.features + f))")
          numeric.append("\(s.number(p.value(wq), as: wq, parenthesized: !numeric.isEmpty)) \\times \(s.number(p.value(xq), as: xq, parenthesized: true))")
        }
        if t > 0 {
          for j in 0..<r.hidden {
            let wq = Quantity.parameter(l: l, p: 1, index: k * r.hidden + j), hq = Quantity.cell(.a, l: l, index: (t - 1) * r.hidden + j, n: 0)
            symbolic.append("\(parameterSymbol(p, l, 1, k * r.hidden + j)) \\, \(cellSymbol(p, .a, l, (t - 1) * r.hidden + j))")
            numeric.append("\(s.number(p.value(wq), as: wq, parenthesized: true)) \\times \(s.number(p.value(hq), as: hq, parenthesized: true))")
          }
        }
        let bq = Quantity.parameter(l: l, p: 2, index: k)
        let zq = Quantity.cell(.z, l: l, index: cellIndex, n: 0), hq = Quantity.cell(.a, l: l, index: cellIndex, n: 0)
        lines.append("\(cellSymbol(p, .z, l, cellIndex)) = \(symbolic.joined(separator: " + ")) + \(parameterSymbol(p, l, 2, k)) = \(numeric.joined(separator: " + ")) + \(s.number(p.value(bq), as: bq, parenthesized: true)) = \(s.number(p.value(zq), as: zq))")
        lines.append(activationLine(cellSymbol(p, .a, l, cellIndex), cellSymbol(p, .z, l, cellIndex), r.activation, z: (p.value(zq), zq), a: (p.value(hq), hq)))
      }
    }
    if r.hidden > 3 { lines.append("\\text{… and likewise for the other \(r.hidden - 3) units at each step}") }
    if r.steps > Self.shownSteps(r.steps).count { lines.append("\\text{… and likewise for steps 4 to \(r.steps - 1)}") }
    out.append(working("How \(name) got these values (at the first step h₀ = 0, so only the input and the bias enter)", lines))
    return out
  }

  /// The steps whose working is written out: all up to 5, else the first three and the last.
  static func shownSteps(_ steps: Int) -> [Int] { steps <= 5 ? Array(0..<steps) : [0, 1, 2, steps - 1] }

  mutating func sequenceDiagram(_ p: LayeredPass, _ l: Int, _ r: Recurrent, backward: Bool) -> SequenceDiagram {
    let inputs = (0..<r.steps).map { t in
      SequenceDiagram.Box("x\(t + 1)", lines: (0..<min(r.features, 3)).map { f in
        let q = layerInput(p, l, t * r.features + f, 0)
        return diagramNumber(p.value(q), as: q)
      })
    }
    let states = (0..<r.steps).map { t in
      SequenceDiagram.Box("h\(t + 1)", lines: (0..<min(r.hidden, backward ? 2 : 4)).flatMap { k -> [String] in
        let i = t * r.hidden + k
        let h = Quantity.cell(.a, l: l, index: i, n: 0)
        let prefix = r.hidden == 1 ? "" : "[\(k + 1)] "
        guard backward else { return ["\(prefix)h \(diagramNumber(p.value(h), as: h))"] }
        let g = Quantity.cell(.aGrad, l: l, index: i, n: 0), d = Quantity.cell(.delta, l: l, index: i, n: 0)
        return ["\(prefix)∂E/∂h \(diagramNumber(p.value(g), as: g))", "\(prefix)δ \(diagramNumber(p.value(d), as: d))"]
      })
    }
    var output: SequenceDiagram.Box?
    if !r.returnsSequence, l + 1 < p.network.layers.count {
      let names = p.spec.layers[l + 1]
      output = SequenceDiagram.Box(names.neurons.isEmpty ? names.name : names.neurons.joined(separator: ", "))
    }
    return SequenceDiagram(id: nextFigureID(backward ? "bptt" : "rnn"), title: "\(p.spec.layers[l].name) unrolled over \(r.steps) steps",
      description: backward ? "Each step's ∂E/∂h and δ, from the last step back to the first." : "Each step's input feeds its hidden state, and each hidden state the next.",
      inputs: inputs, states: states, output: output)
  }

  func denseForwardWorking(_ p: LayeredPass, _ l: Int, _ d: DenseLayer) -> [String] {
    let s = symbols
    var lines: [String] = []
    for j in 0..<min(d.neuronCount, 3) {
      let shown = Array(0..<min(d.inputCount, 6))
      let more = d.inputCount > shown.count ? " + \\cdots" : ""
      let symbolic = shown.map { i in "\(parameterSymbol(p, l, 0, j * d.inputCount + i)) \\, \(inputTeX(p, l, i))" }.joined(separator: " + ")
      let numeric = shown.map { i in
        let wq = Quantity.parameter(l: l, p: 0, index: j * d.inputCount + i), xq = layerInput(p, l, i, 0)
        return "\(s.number(p.value(wq), as: wq, parenthesized: i > 0)) \\times \(s.number(p.value(xq), as: xq, parenthesized: true))"
      }.joined(separator: " + ")
      let bq = Quantity.parameter(l: l, p: 1, index: j)
      let zq = Quantity.cell(.z, l: l, index: j, n: 0), aq = Quantity.cell(.a, l: l, index: j, n: 0)
      lines.append("\(cellSymbol(p, .z, l, j)) = \(symbolic)\(more) + \(parameterSymbol(p, l, 1, j)) = \(numeric)\(more) + \(s.number(p.value(bq), as: bq, parenthesized: true)) = \(s.number(p.value(zq), as: zq))")
      if case .softmax = d.activation {
        let sum = (0..<min(d.neuronCount, 4)).map { k in "e^{\(s.number(p.value(.cell(.z, l: l, index: k, n: 0)), as: .cell(.z, l: l, index: k, n: 0)))}" }.joined(separator: " + ")
        lines.append("\(cellSymbol(p, .a, l, j)) = \\frac{e^{\(cellSymbol(p, .z, l, j))}}{\\sum_k e^{z_k}} = \\frac{e^{\(s.number(p.value(zq), as: zq))}}{\(sum)} = \(s.number(p.value(aq), as: aq))")
      } else {
        lines.append(activationLine(cellSymbol(p, .a, l, j), cellSymbol(p, .z, l, j), d.activation, z: (p.value(zq), zq), a: (p.value(aq), aq)))
      }
    }
    if d.neuronCount > 3 { lines.append("\\text{… and likewise for the other \(d.neuronCount - 3) neurons}") }
    return lines
  }

  // MARK: Loss

  func layeredLoss(_ p: LayeredPass) -> [HTML] {
    guard let loss = p.loss else { return [] }
    let s = symbols
    let l = p.network.layers.count - 1
    let neurons = p.spec.layers[l].neurons
    var rows: [[HTML]] = []
    for n in sampleColumns(p.inputs.count) {
      for (k, neuron) in neurons.enumerated() {
        rows.append([rowHeader(neuron + sampleSuffix(n, p.inputs.count)), cell(p.value(.cell(.a, l: l, index: k, n: n)), as: .cell(.a, l: l, index: k, n: n)),
          cell(p.targets[n][k], as: .target(k: k, n: n), "target"), cell(loss.terms[n, k], as: .outputError(k: k, n: n))])
      }
    }
    var lines: [String] = []
    for (k, neuron) in neurons.enumerated().prefix(3) {
      let a = s.number(p.value(.cell(.a, l: l, index: k, n: 0)), as: .cell(.a, l: l, index: k, n: 0), parenthesized: true)
      let t = s.number(p.targets[0][k], as: .target(k: k, n: 0), parenthesized: true)
      let e = s.number(loss.terms[0, k], as: .outputError(k: k, n: 0))
      switch p.network.loss {
      case .halfSquaredError: lines.append("E_{\(Symbols.plain(Substring(neuron)))} = \\tfrac{1}{2}(\(s.target(neuron)) - \(s.out(neuron)))^2 = \\tfrac{1}{2}(\(t) - \(a))^2 = \(e)")
      case .meanSquaredError: lines.append("E_{\(Symbols.plain(Substring(neuron)))} = \\tfrac{1}{K}(\(s.target(neuron)) - \(s.out(neuron)))^2 = \\tfrac{1}{\(neurons.count)}(\(t) - \(a))^2 = \(e)")
      case .crossEntropy: lines.append("E_{\(Symbols.plain(Substring(neuron)))} = -\(s.target(neuron)) \\ln \(s.out(neuron)) = -\(t) \\ln \(a) = \(e)")
      default: lines.append("E_{\(Symbols.plain(Substring(neuron)))} = \(e)")
      }
    }
    let total = p.inputs.count == 1 ? "E = \\sum_k E_k = \(s.number(loss.total, as: .error))" : "E = \(p.network.reduction == .mean ? "\\frac{1}{\(p.inputs.count)}" : "")\\sum_n E^{(n)} = \(s.number(loss.total, as: .error))"
    lines.append(total)
    return [table(caption: "Error (\(p.network.loss.name))", header: ["output", notation.out, "target", "error"], rows: rows),
      .el("p", [], [.text("The error of the batch: E = "), inlineNumber(loss.total, as: .error), .text(".")]),
      working("How the error was computed", lines)]
  }

  // MARK: Backward

  mutating func layeredBackward(_ p: LayeredPass) -> [HTML] {
    guard p.backward != nil else { return [] }
    var out: [HTML] = [.el("p", [], "Backward, from the error to the first layer: each layer receives ∂E/∂ of what it sent on, turns it into δ = ∂E/∂z where it has a net input, into its parameters' gradients, and into the gradient it sends down.")]
    for (l, layer) in p.network.layers.enumerated().reversed() {
      let name = p.spec.layers[l].neurons.isEmpty ? p.spec.layers[l].name : "the output layer"
      switch layer {
      case .dense(let d):
        out.append(valueTable(p, caption: "\(name.prefix(1).uppercased() + name.dropFirst()): ∂E/∂\(notation.out) and δ", layer: l, fields: [("∂E/∂\(notation.out)", .aGrad), ("δ", .delta)]))
        out.append(working("How the δ of \(name) were computed", denseDeltaWorking(p, l, d)))
        out.append(working("How the gradients of \(name) were computed", denseGradientWorking(p, l, d)))
      case .flatten:
        out.append(.el("p", [], "Flatten (\(p.spec.layers[l].name)) passes the gradient down unchanged, put back into the shape \(layer.inputShape.map(String.init).joined(separator: "×"))."))
      case .pooling(let pool): out += poolingBackward(p, l, pool)
      case .convolution(let c): out += convolutionBackward(p, l, c)
      case .recurrent(let r): out += recurrentBackward(p, l, r)
      }
    }
    out.append(parameterTable(p, caption: "Gradients of the parameters", value: { l, t, i in (p.network.layers[l].parameters[t][i], .parameter(l: l, p: t, index: i)) },
      extra: [("∂E/∂parameter", { l, t, i in (p.value(.parameterGrad(l: l, p: t, index: i)), .parameterGrad(l: l, p: t, index: i)) })]))
    return out
  }

  /// The per-sample sum a parameter gradient takes: `\frac{1}{N}\sum_n` under the mean.
  func batchSum(_ p: LayeredPass) -> String {
    p.inputs.count == 1 ? "" : (p.network.reduction == .mean ? "\\frac{1}{\(p.inputs.count)}\\sum_n " : "\\sum_n ")
  }

  func denseDeltaWorking(_ p: LayeredPass, _ l: Int, _ d: DenseLayer) -> [String] {
    let s = symbols
    let isOutput = l == p.network.layers.count - 1
    var lines: [String] = []
    for j in 0..<min(d.neuronCount, 3) {
      let aq = Quantity.cell(.a, l: l, index: j, n: 0), zq = Quantity.cell(.z, l: l, index: j, n: 0)
      let gq = Quantity.cell(.aGrad, l: l, index: j, n: 0), dq = Quantity.cell(.delta, l: l, index: j, n: 0)
      let neuron = p.spec.layers[l].neurons[j]
      let delta = s.number(p.value(dq), as: dq)
      if isOutput, p.network.loss.fusesWith(d.activation) {
        let t = s.number(p.targets[0][j], as: .target(k: j, n: 0), parenthesized: true)
        let k = p.network.loss == .meanBinaryCrossEntropy ? "\\tfrac{1}{\(d.neuronCount)}" : ""
        lines.append("\(s.delta(neuron)) = \(k)(\(s.out(neuron)) - \(s.target(neuron))) = \(k)(\(s.number(p.value(aq), as: aq)) - \(t)) = \(delta)")
        continue
      }
      var signal: String
      if isOutput {
        let t = s.number(p.targets[0][j], as: .target(k: j, n: 0), parenthesized: true)
        let a = s.number(p.value(aq), as: aq)
        switch p.network.loss {
        case .halfSquaredError: signal = "\(s.partial("E", s.out(neuron))) = \(s.out(neuron)) - \(s.target(neuron)) = \(a) - \(t)"
        case .meanSquaredError: signal = "\(s.partial("E", s.out(neuron))) = \\tfrac{2}{K}(\(s.out(neuron)) - \(s.target(neuron))) = \\tfrac{2}{\(d.neuronCount)}(\(a) - \(t))"
        default: signal = s.partial("E", s.out(neuron))
        }
        signal += " = \(s.number(p.value(gq), as: gq))"
      } else {
        signal = "\(s.partial("E", s.out(neuron))) = \(s.number(p.value(gq), as: gq)) \\quad \\text{(from the layer above)}"
      }
      lines.append(signal)
      if case .softmax = d.activation {
        lines.append("\(s.delta(neuron)) = \(s.out(neuron))\\left(\(s.partial("E", s.out(neuron))) - \\sum_k a_k \\frac{\\partial E}{\\partial a_k}\\right) = \(delta)")
      } else if let (formula, fp) = activationDerivative(d.activation, neuron: neuron, z: p.value(zq), a: p.value(aq)) {
        lines.append("\(s.delta(neuron)) = \(s.partial("E", s.out(neuron))) \\cdot \(formula) = \(s.number(p.value(gq), as: gq, parenthesized: true)) \\times \(s.number(fp, from: [(aq, p.value(aq)), (zq, p.value(zq))], parenthesized: true)) = \(delta)")
      }
    }
    return lines
  }

  func denseGradientWorking(_ p: LayeredPass, _ l: Int, _ d: DenseLayer) -> [String] {
    let s = symbols
    var lines: [String] = []
    var shown = 0
    outer: for j in 0..<d.neuronCount {
      for i in 0..<d.inputCount {
        if shown == 6 { break outer }
        shown += 1
        let w = j * d.inputCount + i
        let terms = (0..<min(p.inputs.count, 4)).map { n in
          let dq = Quantity.cell(.delta, l: l, index: j, n: n), xq = layerInput(p, l, i, n)
          return "\(s.number(p.value(dq), as: dq, parenthesized: n > 0)) \\times \(s.number(p.value(xq), as: xq, parenthesized: true))"
        }.joined(separator: " + ")
        let gq = Quantity.parameterGrad(l: l, p: 0, index: w)
        let scale = p.inputs.count > 1 && p.network.reduction == .mean ? "\\frac{1}{\(p.inputs.count)}" : ""
        lines.append("\(s.partial("E", parameterSymbol(p, l, 0, w))) = \(batchSum(p))\(s.delta(p.spec.layers[l].neurons[j])) \\, \(inputTeX(p, l, i)) = \(scale)\(p.inputs.count > 1 ? "\\left(\(terms)\\right)" : terms) = \(s.number(p.value(gq), as: gq))")
      }
    }
    let total = d.neuronCount * d.inputCount
    if total > shown { lines.append("\\text{… and likewise for the other \(total - shown) weights}") }
    lines.append("\\frac{\\partial E}{\\partial b_j} = \(batchSum(p))\\delta_j")
    return lines
  }

  mutating func poolingBackward(_ p: LayeredPass, _ l: Int, _ pool: Pooling) -> [HTML] {
    let s = symbols
    let name = p.spec.layers[l].name
    let v = p.forward.layers[l][0]
    let gradient = p.backward!.layers[l][0].input
    var out: [HTML] = []
    let plane = pool.height * pool.width, outPlane = pool.outputRows * pool.outputColumns
    func below(_ k: Int) -> (Double, Quantity?) {
      (gradient[k], l > 0 ? outputGradient(p, l - 1, k, 0) : nil)
    }
    for c in 0..<pool.channels {
      let taken = Set((v.routes ?? []).enumerated().filter { $0.offset / outPlane == c }.map { $0.element - c * plane })
      let grids = [
        channelGrid("∂E/∂\(name)", rows: pool.outputRows, columns: pool.outputColumns, offset: c * outPlane) { k in
          (p.value(.cell(.aGrad, l: l, index: k, n: 0)), .cell(.aGrad, l: l, index: k, n: 0))
        },
      ] + (l == 0 && format.blanks != nil ? [] : [
        channelGrid("∂E/∂input", rows: pool.height, columns: pool.width, offset: c * plane, highlighted: pool.kind == .max && format.blanks?.hides != true ? taken : []) { k in below(k) },
      ])
      out.append(gridFigure(GridDiagram(id: nextFigureID("unpool"), title: "Gradients back through \(name)\(pool.channels == 1 ? "" : ", channel \(c + 1)")",
        description: pool.kind == .max ? "Each window's gradient goes to the input that was its maximum (outlined); the other inputs get 0." : "Each window's gradient is shared equally by its inputs.",
        grids: grids, separators: ["→"])))
    }
    var lines = gradientFromAbove(p, l)
    // The input's own gradient is no value of the pass (see `convolutionInputGradient`).
    if l == 0, format.blanks != nil {
      out.append(working("How the gradient reached \(name)", lines))
      return out
    }
    if pool.kind == .max {
      var receivers: [Int: [Int]] = [:]
      for (k, from) in (v.routes ?? []).enumerated() { receivers[from, default: []].append(k) }
      for from in receivers.keys.sorted().prefix(9) {
        let windows = receivers[from]!
        let symbolic = windows.map { cellSymbol(p, .aGrad, l, $0) }.joined(separator: " + ")
        let numeric = windows.map { k in s.number(p.value(.cell(.aGrad, l: l, index: k, n: 0)), as: .cell(.aGrad, l: l, index: k, n: 0), parenthesized: true) }.joined(separator: " + ")
        let (x, q) = below(from)
        let target = l > 0 ? s.partial("E", inputTeX(p, l, from)) : s.partial("E", inputSymbol(p, from))
        lines.append("\(target) = \(symbolic) = \(numeric) = \(s.number(x, as: q, from: [], parenthesized: false))")
      }
    } else {
      for k in 0..<min(pool.channels * plane, 6) {
        let (x, q) = below(k)
        lines.append("\(s.partial("E", l > 0 ? inputTeX(p, l, k) : inputSymbol(p, k))) = \\sum_{\\text{windows } w \\ni \\text{it}} \\tfrac{1}{\(pool.sizeRows * pool.sizeColumns)} \\frac{\\partial E}{\\partial p_w} = \(s.number(x, as: q))")
      }
    }
    if pool.kind == .max {
      out.append(.el("p", [], "A maximum passes its gradient to the input it took; an input taken by several windows adds their gradients up, and one taken by none gets 0."))
    }
    out.append(working("How the gradient went back through \(name)", lines))
    return out
  }

  mutating func convolutionBackward(_ p: LayeredPass, _ l: Int, _ c: Convolution) -> [HTML] {
    let s = symbols
    let name = p.spec.layers[l].name
    let (rows, columns) = (c.outputRows, c.outputColumns)
    var out: [HTML] = []
    out.append(valueTable(p, caption: "\(name): ∂E/∂\(notation.out) and δ", layer: l, fields: [("∂E/∂\(notation.out)", .aGrad), ("δ", .delta)]))
    // δ = ∂E/∂a · f′(z), cell by cell.
    var deltaLines = gradientFromAbove(p, l)
    let count = c.outChannels * rows * columns
    for k in 0..<min(count, 9) {
      let aq = Quantity.cell(.a, l: l, index: k, n: 0), zq = Quantity.cell(.z, l: l, index: k, n: 0)
      let gq = Quantity.cell(.aGrad, l: l, index: k, n: 0), dq = Quantity.cell(.delta, l: l, index: k, n: 0)
      let fp = c.activation.derivative(z: p.value(zq), a: p.value(aq))
      let formula: String
      switch c.activation {
      case .relu: formula = "[\(cellSymbol(p, .z, l, k)) > 0]"
      case .sigmoid: formula = "\(cellSymbol(p, .a, l, k))(1 - \(cellSymbol(p, .a, l, k)))"
      case .tanh: formula = "(1 - (\(cellSymbol(p, .a, l, k)))^2)"
      default: formula = "f'(\(cellSymbol(p, .z, l, k)))"
      }
      deltaLines.append("\(cellSymbol(p, .delta, l, k)) = \(cellSymbol(p, .aGrad, l, k)) \\cdot \(formula) = \(s.number(p.value(gq), as: gq, parenthesized: true)) \\times \(s.number(fp, from: [(aq, p.value(aq)), (zq, p.value(zq))], parenthesized: true)) = \(s.number(p.value(dq), as: dq))")
    }
    if count > 9 { deltaLines.append("\\text{… and likewise for the other \(count - 9) cells}") }
    out.append(working("How the δ of \(name) were computed", deltaLines))

    // Each weight's gradient: δ slid over the input, a sum over the input patches.
    for o in 0..<c.outChannels {
      var grids: [GridDiagram.Grid] = []
      for ch in 0..<c.inChannels {
        grids.append(channelGrid(c.inChannels == 1 ? "input" : "input channel \(ch + 1)", rows: c.height, columns: c.width, offset: ch * c.height * c.width, role: l == 0 ? .given : .computed) { k in
          let q = layerInput(p, l, k, 0)
          return (p.value(q), q)
        })
      }
      grids.append(channelGrid("δ", rows: rows, columns: columns, offset: o * rows * columns) { k in (p.value(.cell(.delta, l: l, index: k, n: 0)), .cell(.delta, l: l, index: k, n: 0)) })
      for ch in 0..<c.inChannels {
        grids.append(channelGrid("∂E/∂" + kernelTitle(p, l, o, ch), rows: c.kernelRows, columns: c.kernelColumns, offset: c.weightIndex(o, ch, 0, 0)) { k in
          (p.value(.parameterGrad(l: l, p: 0, index: k)), .parameterGrad(l: l, p: 0, index: k))
        })
      }
      out.append(gridFigure(GridDiagram(id: nextFigureID("kgrad"), title: "Kernel gradient of \(name), output channel \(o + 1)",
        description: "Each weight's gradient is the sum, over the output cells, of δ times the input cell that weight met there: δ slid over the input like a kernel.",
        grids: grids, separators: Array(repeating: "", count: c.inChannels - 1) + ["∗"] + Array(repeating: "=", count: c.inChannels))))
    }
    var lines: [String] = []
    let weights = c.weights.count
    for w in 0..<min(weights, 8) {
      let o = w / (c.inChannels * c.kernelRows * c.kernelColumns)
      let ch = (w / (c.kernelRows * c.kernelColumns)) % c.inChannels
      let r = (w / c.kernelColumns) % c.kernelRows, t = w % c.kernelColumns
      var numeric: [String] = []
      for i in 0..<rows {
        for j in 0..<columns {
          guard let x = c.inputIndex(channel: ch, row: i, column: j, r: r, s: t) else { continue }
          let k = (o * rows + i) * columns + j
          let dq = Quantity.cell(.delta, l: l, index: k, n: 0), xq = layerInput(p, l, x, 0)
          numeric.append("\(s.number(p.value(dq), as: dq, parenthesized: !numeric.isEmpty)) \\times \(s.number(p.value(xq), as: xq, parenthesized: true))")
        }
      }
      let gq = Quantity.parameterGrad(l: l, p: 0, index: w)
      // The patch sum as one formula: counting from 1, output cell i meets input row
      // stride·(i − 1) + 1 + r − padding under kernel row r (from 0).
      func offset(_ stride: Int, _ k: Int, _ pad: Int, _ letter: String) -> String {
        let shift = k - pad - (stride - 1)
        return (stride == 1 ? letter : "\(stride)\(letter)") + (shift == 0 ? "" : shift > 0 ? "+\(shift)" : "\(shift)")
      }
      let layerName = Symbols.plain(Substring(p.spec.layers[l].name))
      let input = l == 0 ? Symbols.plain(Substring(p.spec.inputName)) : "a"
      let cellIndex = c.dimensions == 2 ? "\(offset(c.strideRows, r, c.paddingRows, "i")),\(offset(c.strideColumns, t, c.paddingColumns, "j"))" : offset(c.strideColumns, t, c.paddingColumns, "j")
      let sym = "\\sum_{\(c.dimensions == 2 ? "i,j" : "j")} \\delta^{\\mathrm{\(layerName)}}_{\(o + 1),\(c.dimensions == 2 ? "i,j" : "j")} \\, \(input)_{\(ch + 1),\(cellIndex)}"
      // Several samples: sample 1's patch sum is written out, the others' follow.
      let more = p.inputs.count > 1 ? ["\\cdots"] : []
      let scale = p.inputs.count > 1 && p.network.reduction == .mean ? "\\tfrac{1}{\(p.inputs.count)}" : ""
      // A weight that only ever meets the padding has nothing to add up.
      lines.append(sumLine(s.partial("E", parameterSymbol(p, l, 0, w)), batchSum(p) + sym, numeric.isEmpty ? ["0"] : numeric + more, s.number(p.value(gq), as: gq), scale: numeric.isEmpty ? "" : scale))
    }
    if weights > 8 { lines.append("\\text{… and likewise for the other \(weights - 8) weights}") }
    for o in 0..<c.outChannels {
      let gq = Quantity.parameterGrad(l: l, p: 1, index: o)
      let terms = (0..<min(rows * columns, 12)).map { k in s.number(p.value(.cell(.delta, l: l, index: o * rows * columns + k, n: 0)), as: .cell(.delta, l: l, index: o * rows * columns + k, n: 0), parenthesized: k > 0) }
      let scale = p.inputs.count > 1 && p.network.reduction == .mean ? "\\tfrac{1}{\(p.inputs.count)}" : ""
      lines.append(sumLine(s.partial("E", parameterSymbol(p, l, 1, o)), "\(batchSum(p))\\sum_{i,j} \\delta_{\(o + 1),i,j}", terms + (rows * columns > 12 || p.inputs.count > 1 ? ["\\cdots"] : []), s.number(p.value(gq), as: gq), scale: scale))
    }
    out.append(working("How the gradients of \(name) were computed (a sum over the input patches)", lines))
    out += convolutionInputGradient(p, l, c)
    return out
  }

  /// `lhs = formula = t₁ + t₂ + … = result`, the sum of numbers set over several lines when it
  /// has more terms than fit a page (three boxes to a line on a worksheet, four numbers in a report).
  /// `scale` (1/N) multiplies the whole sum.
  func sumLine(_ lhs: String, _ formula: String, _ all: [String], _ result: String, scale: String = "") -> String {
    // A big layer's sums are shown by their first terms: a report grows with the lesson, not with its layers.
    let terms = all.count > 12 ? Array(all.prefix(9)) + ["\\cdots"] : all
    let perLine = format.blanks?.hides == true ? 3 : 4
    let open = scale.isEmpty ? "" : "\(scale)\\left(", close = scale.isEmpty ? "" : "\\right)"
    guard terms.count > perLine else { return "\(lhs) = \(formula) = \(open)\(terms.joined(separator: " + "))\(close) = \(result)" }
    let chunks = stride(from: 0, to: terms.count, by: perLine).map { terms[$0..<min($0 + perLine, terms.count)].joined(separator: " + ") }
    // No ` = ` at the top level: `working` would break the line there again.
    return "\\begin{aligned} \(lhs) &= \(formula) \\\\ &= \(scale)\(chunks.joined(separator: " \\\\ &\\quad + ")) \\\\ &= \(result) \\end{aligned}"
  }

  /// ∂E/∂(input of a convolution): for stride 1 the full convolution of δ with the flipped
  /// kernel; in general each δ sent back through the kernel cells that carried it.
  mutating func convolutionInputGradient(_ p: LayeredPass, _ l: Int, _ c: Convolution) -> [HTML] {
    let s = symbols
    let name = p.spec.layers[l].name
    let gradient = p.backward!.layers[l][0].input
    let (rows, columns) = (c.outputRows, c.outputColumns)
    let plain = c.strideRows == 1 && c.strideColumns == 1 && c.paddingRows == 0 && c.paddingColumns == 0
    func below(_ k: Int) -> (Double, Quantity?) { (gradient[k], l > 0 ? outputGradient(p, l - 1, k, 0) : nil) }
    // The input's own gradient is no value of the pass: a worksheet does not ask for it, and
    // its numbers could repeat an answer.
    if l == 0, format.blanks != nil { return [] }
    var out: [HTML] = []
    let why = l == 0
      ? "The input's own gradient is not needed to update anything here, but it is what a layer below would receive, so here it is:"
      : "The gradient \(name) sends down to the layer below:"
    out.append(.el("p", [], why + (plain ? " the full convolution of δ (padded with zeros) with the kernel turned by 180°." : " each δ goes back through every kernel weight that carried an input into its cell.")))
    if plain {
      // One kernel in and out: the figure is the whole sum (with more channels it would be one term of it).
      for o in 0..<c.outChannels where c.inChannels == 1 && c.outChannels == 1 {
        let (pr, pc) = (c.kernelRows - 1, c.kernelColumns - 1)
        guard (rows + 2 * pr) * (columns + 2 * pc) <= Self.maxGridCells else { continue }
        let paddedRows = rows + 2 * pr, paddedColumns = columns + 2 * pc
        let padded = (0..<(paddedRows * paddedColumns)).map { k -> String in
          let i = k / paddedColumns - pr, j = k % paddedColumns - pc
          guard i >= 0, i < rows, j >= 0, j < columns else { return "0" }
          let q = Quantity.cell(.delta, l: l, index: (o * rows + i) * columns + j, n: 0)
          return diagramNumber(p.value(q), as: q)
        }
        let flipped = (0..<(c.kernelRows * c.kernelColumns)).map { k -> String in
          let r = c.kernelRows - 1 - k / c.kernelColumns, t = c.kernelColumns - 1 - k % c.kernelColumns
          let q = Quantity.parameter(l: l, p: 0, index: c.weightIndex(o, 0, r, t))
          return diagramNumber(p.value(q), as: q)
        }
        let grids = [
          GridDiagram.Grid(title: "δ, padded", rows: paddedRows, columns: paddedColumns, cells: padded),
          GridDiagram.Grid(title: "kernel turned 180°", rows: c.kernelRows, columns: c.kernelColumns, cells: flipped, role: .given),
          channelGrid("∂E/∂input", rows: c.height, columns: c.width, offset: 0) { k in below(k) },
        ]
        out.append(gridFigure(GridDiagram(id: nextFigureID("xgrad"), title: "Input gradient of \(name)", description: "The padded δ slid under the flipped kernel gives each input cell's gradient.", grids: grids, separators: ["∗", "="])))
      }
    }
    var lines: [String] = []
    for x in 0..<min(gradient.count, 6) {
      var symbolic: [String] = [], numeric: [String] = []
      let ch = x / (c.height * c.width)
      for o in 0..<c.outChannels {
        for i in 0..<rows {
          for j in 0..<columns {
            for r in 0..<c.kernelRows {
              for t in 0..<c.kernelColumns where c.inputIndex(channel: ch, row: i, column: j, r: r, s: t) == x {
                let k = (o * rows + i) * columns + j, w = c.weightIndex(o, ch, r, t)
                let dq = Quantity.cell(.delta, l: l, index: k, n: 0), wq = Quantity.parameter(l: l, p: 0, index: w)
                symbolic.append("\(cellSymbol(p, .delta, l, k)) \\, \(parameterSymbol(p, l, 0, w))")
                numeric.append("\(s.number(p.value(dq), as: dq, parenthesized: !numeric.isEmpty)) \\times \(s.number(p.value(wq), as: wq, parenthesized: true))")
              }
            }
          }
        }
      }
      let (value, q) = below(x)
      let target = s.partial("E", l > 0 ? inputTeX(p, l, x) : inputSymbol(p, x))
      lines.append(symbolic.isEmpty ? "\(target) = 0" : "\(target) = \(symbolic.joined(separator: " + ")) = \(numeric.joined(separator: " + ")) = \(s.number(value, as: q))")
    }
    if gradient.count > 6 { lines.append("\\text{… and likewise for the other \(gradient.count - 6) input cells}") }
    out.append(working("How the input gradient of \(name) was computed", lines))
    return out
  }

  mutating func recurrentBackward(_ p: LayeredPass, _ l: Int, _ r: Recurrent) -> [HTML] {
    let s = symbols
    let name = p.spec.layers[l].name
    var out: [HTML] = [.el("p", [], [.text("Backpropagation through time: from the last step back to the first, each state's gradient is what the layer above sends it\(r.returnsSequence ? "" : " (only the last state is sent on)") plus what comes back from the step after it, "),
      math("\\frac{\\partial E}{\\partial h_t} = \\ldots + W_h^{\\top} \\delta_{t+1}", display: false), .text("; then "),
      math("\\delta_t = \\frac{\\partial E}{\\partial h_t} \\odot f'(z_t)", display: false),
      .text("; and because the same weights act at every step, each weight's gradient adds up every step's share.")])]
    if r.steps <= 12 { out.append(figure(.trusted(sequenceDiagram(p, l, r, backward: true).svg()))) }
    out.append(valueTable(p, caption: "\(name): ∂E/∂h and δ, step by step", layer: l, fields: [("∂E/∂h", .aGrad), ("δ", .delta)]))
    var lines: [String] = []
    for t in Self.shownSteps(r.steps).reversed() {
      for k in 0..<min(r.hidden, 3) {
        let i = t * r.hidden + k
        let gq = Quantity.cell(.aGrad, l: l, index: i, n: 0), dq = Quantity.cell(.delta, l: l, index: i, n: 0), hq = Quantity.cell(.a, l: l, index: i, n: 0)
        var symbolic: [String] = [], numeric: [String] = []
        let fromAbove = r.returnsSequence || t == r.steps - 1
        if fromAbove {
          if !r.returnsSequence, let (sym, num) = fromDenseAbove(p, l, (r.steps - 1) * r.hidden + k, output: k) {
            symbolic.append(sym)
            numeric.append(num)
          } else {
            let above = p.backward!.layers[l][0].aGrad[i] - (t < r.steps - 1 ? (0..<r.hidden).reduce(0) { $0 + r.hiddenWeights[$1, k] * p.value(.cell(.delta, l: l, index: (t + 1) * r.hidden + $1, n: 0)) } : 0)
            symbolic.append("\\left.\\frac{\\partial E}{\\partial h_{\(t + 1),\(k + 1)}}\\right|_{\\text{above}}")
            numeric.append(s.number(above, from: [(gq, p.value(gq))]))
          }
        }
        if t < r.steps - 1 {
          for j in 0..<r.hidden {
            let wq = Quantity.parameter(l: l, p: 1, index: j * r.hidden + k), nq = Quantity.cell(.delta, l: l, index: (t + 1) * r.hidden + j, n: 0)
            symbolic.append("\(parameterSymbol(p, l, 1, j * r.hidden + k)) \\, \(cellSymbol(p, .delta, l, (t + 1) * r.hidden + j))")
            numeric.append("\(s.number(p.value(wq), as: wq, parenthesized: !numeric.isEmpty)) \\times \(s.number(p.value(nq), as: nq, parenthesized: true))")
          }
        }
        lines.append("\(cellSymbol(p, .aGrad, l, i)) = \(symbolic.joined(separator: " + ")) = \(numeric.joined(separator: " + ")) = \(s.number(p.value(gq), as: gq))")
        let zq = Quantity.cell(.z, l: l, index: i, n: 0)
        let fp = r.activation.derivative(z: p.value(zq), a: p.value(hq))
        let formula = r.activation == .tanh ? "(1 - (\(cellSymbol(p, .a, l, i)))^2)" : "f'(\(cellSymbol(p, .z, l, i)))"
        lines.append("\(cellSymbol(p, .delta, l, i)) = \(cellSymbol(p, .aGrad, l, i)) \\cdot \(formula) = \(s.number(p.value(gq), as: gq, parenthesized: true)) \\times \(s.number(fp, from: [(hq, p.value(hq)), (zq, p.value(zq))], parenthesized: true)) = \(s.number(p.value(dq), as: dq))")
      }
    }
    if r.steps > Self.shownSteps(r.steps).count { lines.insert("\\text{(steps \(r.steps - 1) to 4 likewise, each from the one after it)}", at: min(2 * min(r.hidden, 3), lines.count)) }
    out.append(working("How the δ of \(name) were computed, step by step", lines))
    var grads: [String] = []
    let samplesNote = p.inputs.count > 1 ? " + \\cdots" : ""
    // Several samples: sample 1's terms are written out, the others' follow, under 1/N with the mean.
    let scale = p.inputs.count > 1 && p.network.reduction == .mean ? "\\tfrac{1}{\(p.inputs.count)}" : ""
    for (t, word) in [(0, "x"), (1, "h")] {
      let columns = t == 0 ? r.features : r.hidden
      for index in 0..<min(r.hidden * columns, 4) {
        let k = index / columns, f = index % columns
        let steps = t == 0 ? Array(0..<r.steps) : Array(1..<max(r.steps, 1))
        let symbolic = steps.map { step in "\(cellSymbol(p, .delta, l, step * r.hidden + k)) \\, \(t == 0 ? inputTeX(p, l, step * r.features + f) : cellSymbol(p, .a, l, (step - 1) * r.hidden + f))" }
        let numeric = steps.enumerated().map { position, step -> String in
          let dq = Quantity.cell(.delta, l: l, index: step * r.hidden + k, n: 0)
          let other = t == 0 ? layerInput(p, l, step * r.features + f, 0) : Quantity.cell(.a, l: l, index: (step - 1) * r.hidden + f, n: 0)
          return "\(s.number(p.value(dq), as: dq, parenthesized: position > 0)) \\times \(s.number(p.value(other), as: other, parenthesized: true))"
        }
        let gq = Quantity.parameterGrad(l: l, p: t, index: index)
        let shownSymbolic = symbolic.count > 6 ? symbolic.prefix(4).joined(separator: " + ") + " + \\cdots" : symbolic.joined(separator: " + ")
        let formula = "\(batchSum(p))\\sum_{t\(t == 1 ? " \\ge 2" : "")} \\delta_{t,\(k + 1)} \\, \(word == "x" ? "x_{t,\(f + 1)}" : "h_{t-1,\(f + 1)}") = \(symbolic.isEmpty ? "0" : shownSymbolic)"
        grads.append(sumLine(s.partial("E", parameterSymbol(p, l, t, index)), formula, numeric.isEmpty ? ["0"] : numeric + (samplesNote.isEmpty ? [] : ["\\cdots"]), s.number(p.value(gq), as: gq), scale: scale))
      }
    }
    for k in 0..<min(r.hidden, 3) {
      let gq = Quantity.parameterGrad(l: l, p: 2, index: k)
      let numeric = (0..<r.steps).map { t in s.number(p.value(.cell(.delta, l: l, index: t * r.hidden + k, n: 0)), as: .cell(.delta, l: l, index: t * r.hidden + k, n: 0), parenthesized: t > 0) }
      grads.append(sumLine(s.partial("E", parameterSymbol(p, l, 2, k)), "\(batchSum(p))\\sum_t \\delta_{t,\(k + 1)}", numeric + (samplesNote.isEmpty ? [] : ["\\cdots"]), s.number(p.value(gq), as: gq), scale: scale))
    }
    out.append(working("How the gradients of \(name) were computed (summed over the steps)", grads))
    return out
  }

  /// ∂E/∂(what layer l sends on)[k], written as the dense layer above it computes it
  /// (Σ_j w_{j,k} δ_j, through a flatten if there is one), when a dense layer is above.
  func fromDenseAbove(_ p: LayeredPass, _ l: Int, _ cell: Int, output k: Int) -> (String, String)? {
    var above = l + 1
    while above < p.network.layers.count, case .flatten = p.network.layers[above] { above += 1 }
    guard above < p.network.layers.count, case .dense(let d) = p.network.layers[above] else { return nil }
    let s = symbols
    let shown = Array(0..<min(d.neuronCount, 4))
    let more = d.neuronCount > shown.count ? " + \\cdots" : ""
    let symbolic = shown.map { j in "\(parameterSymbol(p, above, 0, j * d.inputCount + k)) \\, \(cellSymbol(p, .delta, above, j))" }.joined(separator: " + ")
    let numeric = shown.map { j in
      let wq = Quantity.parameter(l: above, p: 0, index: j * d.inputCount + k), dq = Quantity.cell(.delta, l: above, index: j, n: 0)
      return "\(s.number(p.value(wq), as: wq, parenthesized: j > 0)) \\times \(s.number(p.value(dq), as: dq, parenthesized: true))"
    }.joined(separator: " + ")
    return (symbolic + more, numeric + more)
  }

  /// The lines that say how ∂E/∂a of layer l came down from a dense layer above it.
  func gradientFromAbove(_ p: LayeredPass, _ l: Int) -> [String] {
    let count = p.network.layers[l].valueShape.reduce(1, *)
    var lines: [String] = []
    for k in 0..<min(count, 9) {
      guard let (sym, num) = fromDenseAbove(p, l, k, output: k) else { return [] }
      let gq = Quantity.cell(.aGrad, l: l, index: k, n: 0)
      lines.append("\(cellSymbol(p, .aGrad, l, k)) = \(sym) = \(num) = \(symbols.number(p.value(gq), as: gq))")
    }
    if count > 9 { lines.append("\\text{… and likewise for the other \(count - 9) cells}") }
    return lines
  }

  // MARK: Update, training, gradcheck

  func layeredUpdate(_ p: LayeredPass) -> [HTML] {
    guard let u = p.update else { return [] }
    let s = symbols
    var out: [HTML] = [parameterTable(p, caption: "Update (\(p.optimizer.name), step \(u.step))",
      value: { l, t, i in (u.before[l][t][i], .parameter(l: l, p: t, index: i)) },
      extra: [("∂E/∂parameter", { l, t, i in (p.value(.parameterGrad(l: l, p: t, index: i)), .parameterGrad(l: l, p: t, index: i)) }),
        ("after", { l, t, i in (u.after[l][t][i], .newParameter(l: l, p: t, index: i)) })])]
    if case .sgd(let o) = p.optimizer, o.momentum == 0, o.weightDecay == 0 {
      var lines: [String] = []
      var shown = 0
      for (l, layer) in p.network.layers.enumerated() {
        for t in layer.parameters.indices where p.network.updatesBiases || t != layer.biasTensor {
          for i in layer.parameters[t].indices where shown < 6 {
            shown += 1
            let before = Quantity.parameter(l: l, p: t, index: i), g = Quantity.parameterGrad(l: l, p: t, index: i), after = Quantity.newParameter(l: l, p: t, index: i)
            let sym = parameterSymbol(p, l, t, i)
            // Braced: the symbol may already have a superscript (w^{c1}_{1,1}).
            lines.append("{\(sym)}^{+} = \(sym) - \\eta \\, \(s.partial("E", sym)) = \(s.number(u.before[l][t][i], as: before)) - \(s.number(o.learningRate)) \\times \(s.number(p.value(g), as: g, parenthesized: true)) = \(s.number(u.after[l][t][i], as: after))")
          }
        }
      }
      lines.append("\\text{… and likewise for every other parameter: } p^{+} = p - \\eta \\, \\partial E / \\partial p")
      out.append(working("How the parameters were updated", lines))
    } else {
      out.append(.el("p", [("class", "note")], "The optimizer applies PyTorch's \(p.optimizer.name) rule to each parameter from its gradient, as for dense networks."))
    }
    return out
  }

  mutating func layeredTraining(_ r: LayeredResult, _ p: LayeredPass) -> [HTML] {
    guard let h = r.history else { return [] }
    var out: [HTML] = [.el("p", [], "\(h.losses.count) iterations (updates), \(h.iterationsPerEpoch) per epoch.")]
    if h.losses.count >= 2 {
      let chart = LineChart(id: nextFigureID("loss"), title: "Error during training of \(r.networkName)",
        description: "The batch error E at each of \(h.losses.count) iterations, computed before that iteration's update.",
        series: [LineChart.Series(name: "E", points: Self.curve(h.losses), marked: r.recorded.map { LineChart.Point(x: Double($0), y: h.losses[$0 - 1]) })],
        xLabel: "iteration", yLabel: "error E", yScale: .linear)
      out.append(figure(.trusted(chart.svg())))
    }
    let rows: [[HTML]] = r.recorded.map { k in [.el("td", [("class", "num")], "\(k)"), cell(h.losses[k - 1], computed: true)] }
    out.append(table(caption: "Error during training", header: ["iteration", "E"], rows: rows))
    if let loss = r.loss { out.append(.el("p", [], [.text("After training: E = "), inlineNumber(loss.total, computed: true), .text(".")])) }
    return out
  }

  func layeredGradcheck(_ r: LayeredResult, _ p: LayeredPass) -> [HTML] {
    guard let checks = r.gradientCheck else { return [] }
    let rows: [[HTML]] = checks.prefix(40).map { c in
      [rowHeader(p.parameterName(c.layer, c.tensor, c.index)), cell(c.analytic, computed: true), cell(c.numeric, computed: true),
        .el("td", [("class", "num")], c.relativeError == 0 ? "0" : NumberFormat(decimals: 2).scientificText(c.relativeError))]
    }
    return [table(caption: "Gradients beside central finite differences", header: ["parameter", "backprop", "finite difference", "relative error"], rows: rows)]
  }
}
