import Backprop
import Lessons
import Typesetting

extension ReportContext {
  mutating func directive(_ r: DirectiveResult) -> HTML {
    var parts: [HTML] = []
    let samples = r.data.count
    let dataLabel = r.dataName == "data" ? "data" : "data \(r.dataName)"
    let title = "\(r.kind.rawValue) · network \(r.networkName) · \(dataLabel) (\(samples) sample\(samples == 1 ? "" : "s"))"
    parts.append(.el("p", [("class", "block-title")], [.el("span", [("class", "kind")], r.kind.rawValue), .text(" " + title.dropFirst(r.kind.rawValue.count + 3))]))
    if samples > 1, r.training == nil, r.gradientCheck == nil {
      parts.append(.el("p", [("class", "note")], "The tables give every sample (long ones are folded; the JSON trace has all); the working is shown for sample 1, but a weight's gradient adds up every sample's term. Gradients are of the batch error E, the \(r.before.reduction == .mean ? "mean" : "sum") of the samples' errors."))
    }
    switch r.kind {
    case .forward:
      parts += forwardSection(r)
    case .loss:
      parts += lossSection(r)
    case .backward:
      parts += backwardSection(r)
    case .update:
      parts += updateSection(r)
    case .step:
      parts += forwardSection(r) + lossSection(r) + backwardSection(r) + updateSection(r)
    case .train:
      parts += trainSection(r)
    case .gradcheck:
      parts += gradcheckSection(r)
    }
    return .el("section", [("class", "block directive \(r.kind.rawValue)")], parts)
  }

  /// A table of values per sample and neuron: samples down and neurons across when the layer is
  /// narrow and there are several samples, otherwise neurons down and (up to 4) samples across.
  /// Each column is a name, the value for (sample, neuron), and which quantity of the pass that is.
  func sampleTable(caption: String, neurons: [String], samples: Int, quantities: [(String, (Int, Int) -> Double, (Int, Int) -> Quantity)],
    extra: (String, (Int) -> Double, (Int) -> Quantity)? = nil) -> HTML {
    var rows: [[HTML]] = []
    if samples > 1, neurons.count <= 4 {
      for index in shownIndices(samples) {
        guard let n = index else { rows.append(ellipsisRow(1 + quantities.count * neurons.count + (extra == nil ? 0 : 1), hidden: samples - 8, what: "samples")); continue }
        rows.append([.el("th", [("scope", "row"), ("class", "num")], "\(n + 1)")]
          + neurons.indices.flatMap { j in quantities.map { q in cell(q.1(n, j), as: q.2(n, j), q.0 == "target" ? "target" : nil) } }
          + (extra.map { [cell($0.1(n), as: $0.2(n), "total")] } ?? []))
      }
      let header = ["sample"] + neurons.flatMap { name in quantities.map { "\($0.0) \(name)" } } + (extra.map { [$0.0] } ?? [])
      return table(caption: caption, header: header, rows: rows)
    }
    let columns = sampleColumns(samples)
    for index in shownIndices(neurons.count) {
      guard let j = index else { rows.append(ellipsisRow(1 + quantities.count * columns.count, hidden: neurons.count - 8, what: "neurons")); continue }
      rows.append([rowHeader(neurons[j])] + columns.flatMap { n in quantities.map { q in cell(q.1(n, j), as: q.2(n, j), q.0 == "target" ? "target" : nil) } })
    }
    if let extra {
      rows.append([.el("th", [("scope", "row")], "total")] + columns.flatMap { n in
        Array(repeating: HTML.el("td", []), count: quantities.count - 1) + [cell(extra.1(n), as: extra.2(n), "total")] })
    }
    let header = ["neuron"] + columns.flatMap { n in quantities.map { "\($0.0)\(sampleSuffix(n, samples))" } }
    return table(caption: caption, header: header, rows: rows)
  }

  /// The quantity layer l reads as its input i, for sample n: a network input, or an output below.
  func layerInput(_ l: Int, _ i: Int, n: Int = 0) -> Quantity { l == 0 ? .input(i: i, n: n) : .out(l: l - 1, j: i, n: n) }

  /// Sample columns shown in tables: all up to 4.
  func sampleColumns(_ count: Int) -> [Int] { Array(0..<min(count, 4)) }

  func sampleSuffix(_ n: Int, _ count: Int) -> String { count == 1 ? "" : " [\(n + 1)]" }

  // MARK: Forward

  mutating func forwardSection(_ r: DirectiveResult) -> [HTML] {
    guard let f = r.forward else { return [] }
    var out: [HTML] = []
    let diagram = NetworkDiagram(
      id: nextFigureID("fwd"), title: "Forward pass of \(r.networkName)",
      description: "Each neuron shows its \(notation.net) and \(notation.out) for sample 1.",
      layers: diagramLayers(r.names, r.before, forward: f, backward: nil),
      edgeLabel: { e in edgeLabel(r.names, r.before, e, value: r.before.layers[e.layer].weights[e.to, e.from],
        as: .weight(l: e.layer, j: e.to, i: e.from)) })
    out.append(figure(.trusted(diagram.svg())))
    for l in f.z.indices {
      out.append(sampleTable(caption: "Layer \(l + 1) (\(r.before.layers[l].activation.name))", neurons: r.names.neurons[l], samples: r.data.count,
        quantities: [(notation.net, { f.z[l][$0, $1] }, { .net(l: l, j: $1, n: $0) }), (notation.out, { f.a[l][$0, $1] }, { .out(l: l, j: $1, n: $0) })]))
      out.append(working("How layer \(l + 1) got these values", forwardWorking(r, f, layer: l)))
    }
    return out
  }

  func forwardWorking(_ r: DirectiveResult, _ f: ForwardPass, layer l: Int) -> [String] {
    let s = symbols
    let layer = r.before.layers[l]
    let inputs = r.names.inputsOf(layer: l)
    let x = l == 0 ? f.inputs : f.a[l - 1]
    var lines: [String] = []
    for j in 0..<min(layer.neuronCount, 3) {
      let neuron = r.names.neurons[l][j]
      let shown = Array(0..<min(layer.inputCount, 4))
      let more = layer.inputCount > shown.count ? " + \\cdots" : ""
      let symbolic = shown.map { i in "\(s.name(r.names.weights[l][j][i])) \\, \(l == 0 ? s.name(inputs[i]) : s.out(inputs[i]))" }.joined(separator: " + ")
      let numeric = shown.map { i in
        "\(s.number(layer.weights[j, i], as: .weight(l: l, j: j, i: i), parenthesized: i > 0)) \\times \(s.number(x[0, i], as: layerInput(l, i), parenthesized: true))"
      }.joined(separator: " + ")
      let net = Quantity.net(l: l, j: j, n: 0), outQ = Quantity.out(l: l, j: j, n: 0)
      lines.append("\(s.net(neuron)) = \(symbolic)\(more) + \(s.name(r.names.biases[l][j])) = \(numeric)\(more) + \(s.number(layer.biases[j], as: .bias(l: l, j: j), parenthesized: true)) = \(s.number(f.z[l][0, j], as: net))")
      let z = s.number(f.z[l][0, j], as: net, parenthesized: true)
      let a = s.number(f.a[l][0, j], as: outQ)
      switch layer.activation {
      case .sigmoid:
        // A box in an exponent prints too small to write in: a blank z goes on the baseline.
        let exponential = z == Symbols.blankBox ? "\\exp\\left(-\(z)\\right)" : "e^{-\(z)}"
        lines.append("\(s.out(neuron)) = \\sigma(\(s.net(neuron))) = \\frac{1}{1 + \(exponential)} = \(a)")
      // Brackets round tanh's argument: `\\tanh 1 \\times 10^{-13}` would read as tanh(1) × 10⁻¹³.
      case .tanh: lines.append("\(s.out(neuron)) = \\tanh(\(s.net(neuron))) = \\tanh(\(s.number(f.z[l][0, j], as: net))) = \(a)")
      case .relu: lines.append("\(s.out(neuron)) = \\max(0, \(s.net(neuron))) = \\max(0, \(s.number(f.z[l][0, j], as: net))) = \(a)")
      case .leakyReLU(let slope):
        lines.append("\(s.out(neuron)) = \(f.z[l][0, j] > 0 ? s.net(neuron) : "\(s.number(slope)) \\, \(s.net(neuron))") = \(f.z[l][0, j] > 0 ? "" : "\(s.number(slope)) \\times \(z) = ")\(a)")
      case .linear: lines.append("\(s.out(neuron)) = \(s.net(neuron)) = \(a)")
      case .softmax:
        // Every z of the layer is in the denominator: up to 4 of them with numbers.
        let shownZ = Array(0..<min(layer.neuronCount, 4))
        let sum = shownZ.map { k in "e^{\(s.number(f.z[l][0, k], as: .net(l: l, j: k, n: 0)))}" }.joined(separator: " + ") + (layer.neuronCount > shownZ.count ? " + \\cdots" : "")
        lines.append("\(s.out(neuron)) = \\frac{e^{\(s.net(neuron))}}{\\sum_k e^{\(s.netSymbol)_k}} = \\frac{e^{\(s.number(f.z[l][0, j], as: net))}}{\(sum)} = \(a)")
      }
    }
    if layer.neuronCount > 3 { lines.append("\\text{… and likewise for the other \(layer.neuronCount - 3) neurons}") }
    return lines
  }

  func working(_ summary: String, _ lines: [String]) -> HTML {
    guard !lines.isEmpty else { return .fragment([]) }
    return .el("details", [("class", "working"), ("open", "")], [
      .el("summary", [], summary),
      .fragment(lines.map { math(Self.broken($0)) }),
    ])
  }

  /// A long chain `a = b = c = d` set as aligned lines, one `= …` per line, so it fits a page.
  static func broken(_ tex: String, width: Int = 96) -> String {
    guard tex.count > width else { return tex }
    var parts: [String] = []
    var depth = 0
    var current = ""
    var i = tex.startIndex
    while i < tex.endIndex {
      let c = tex[i]
      if c == "{" { depth += 1 } else if c == "}" { depth -= 1 }
      if depth == 0, tex[i...].hasPrefix(" = ") {
        parts.append(current)
        current = ""
        i = tex.index(i, offsetBy: 3)
        continue
      }
      current.append(c)
      i = tex.index(after: i)
    }
    parts.append(current)
    guard parts.count >= 3 else { return tex }
    return "\\begin{aligned} " + parts[0] + " &= " + parts.dropFirst().joined(separator: " \\\\ &= ") + " \\end{aligned}"
  }

  // MARK: Loss

  func lossSection(_ r: DirectiveResult) -> [HTML] {
    guard let loss = r.loss, let f = r.forward else { return [] }
    let s = symbols
    let outputs = r.names.neurons.last!
    let last = r.before.layers.count - 1
    // One sample's error is the batch error when there is one sample.
    let sampleError: (Int) -> Quantity = { r.data.count == 1 ? .error : .sampleError(n: $0) }
    let lossTable = sampleTable(caption: "Error per output", neurons: outputs, samples: r.data.count,
      quantities: [("target", { r.data.targets[$0, $1] }, { .target(k: $1, n: $0) }), (notation.out, { f.outputs[$0, $1] }, { .out(l: last, j: $1, n: $0) }),
        ("error", { loss.terms[$0, $1] }, { .outputError(k: $1, n: $0) })],
      extra: ("E of the sample", { loss.perSample[$0] }, sampleError))
    var lines: [String] = []
    let shown = Array(0..<min(outputs.count, 4))
    switch r.before.loss {
    case .halfSquaredError:
      for k in shown {
        lines.append("E_{\(Symbols.plain(Substring(outputs[k])))} = \\tfrac{1}{2}(\(s.target(outputs[k])) - \(s.out(outputs[k])))^2 = \\tfrac{1}{2}(\(s.number(r.data.targets[0, k], as: .target(k: k, n: 0))) - \(s.number(f.outputs[0, k], as: .out(l: last, j: k, n: 0), parenthesized: true)))^2 = \(s.number(loss.terms[0, k], as: .outputError(k: k, n: 0)))")
      }
    case .meanSquaredError:
      lines.append("E = \\frac{1}{K}\\sum_k (t_k - \(s.outSymbol)_k)^2")
    case .crossEntropy:
      lines.append("E = -\\sum_k t_k \\ln \(s.outSymbol)_k")
    case .summedSquaredError:
      lines.append("E = \\sum_k (t_k - \(s.outSymbol)_k)^2")
    case .binaryCrossEntropy:
      lines.append("E = -\\sum_k \\left[t_k \\ln \(s.outSymbol)_k + (1 - t_k)\\ln(1 - \(s.outSymbol)_k)\\right]")
    case .meanBinaryCrossEntropy:
      lines.append("E = -\\frac{1}{K}\\sum_k \\left[t_k \\ln \(s.outSymbol)_k + (1 - t_k)\\ln(1 - \(s.outSymbol)_k)\\right]")
    case .huber(let d, let outputs):
      let x = "|\(s.outSymbol)_k - t_k|"
      lines.append("E = \(outputs == .mean ? "\\frac{1}{K}" : "")\\sum_k \\begin{cases} \\tfrac{1}{2}\(x)^2 & \(x) < \(s.number(d)) \\\\ \(s.number(d))\\left(\(x) - \\tfrac{1}{2}\\cdot \(s.number(d))\\right) & \\text{otherwise} \\end{cases}")
    case .smoothL1(let b, let outputs):
      let x = "|\(s.outSymbol)_k - t_k|"
      lines.append("E = \(outputs == .mean ? "\\frac{1}{K}" : "")\\sum_k \\begin{cases} \\tfrac{1}{2}\(x)^2 / \(s.number(b)) & \(x) < \(s.number(b)) \\\\ \(x) - \\tfrac{1}{2}\\cdot \(s.number(b)) & \\text{otherwise} \\end{cases}")
    }
    // Each output's term with numbers, as for the half squared error above.
    if r.before.loss != .halfSquaredError {
      for k in shown {
        let e = "E_{\(Symbols.plain(Substring(outputs[k])))}", t = s.target(outputs[k]), a = s.out(outputs[k])
        let tn = s.number(r.data.targets[0, k], as: .target(k: k, n: 0), parenthesized: true)
        let an = s.number(f.outputs[0, k], as: .out(l: last, j: k, n: 0), parenthesized: true)
        // ln's argument in brackets, so a number in powers of ten stays whole.
        let aBare = s.number(f.outputs[0, k], as: .out(l: last, j: k, n: 0))
        let term = s.number(loss.terms[0, k], as: .outputError(k: k, n: 0))
        switch r.before.loss {
        case .meanSquaredError:
          lines.append("\(e) = \\tfrac{1}{K}(\(t) - \(a))^2 = \\tfrac{1}{\(outputs.count)}(\(s.number(r.data.targets[0, k], as: .target(k: k, n: 0))) - \(an))^2 = \(term)")
        case .crossEntropy:
          lines.append("\(e) = -\(t) \\ln \(a) = -\(tn) \\times \\ln(\(aBare)) = \(term)")
        case .summedSquaredError:
          lines.append("\(e) = (\(t) - \(a))^2 = (\(s.number(r.data.targets[0, k], as: .target(k: k, n: 0))) - \(an))^2 = \(term)")
        case .binaryCrossEntropy, .meanBinaryCrossEntropy:
          let k1 = r.before.loss == .meanBinaryCrossEntropy ? ("\\tfrac{1}{K}", "\\tfrac{1}{\(outputs.count)}") : ("", "")
          lines.append("\(e) = -\(k1.0)\\left[\(t) \\ln \(a) + (1 - \(t)) \\ln(1 - \(a))\\right] = -\(k1.1)\\left[\(s.number(r.data.targets[0, k], as: .target(k: k, n: 0))) \\times \\ln(\(aBare)) + (1 - \(tn)) \\times \\ln(1 - \(an))\\right] = \(term)")
        case .huber(let width, let reduction), .smoothL1(let width, let reduction):
          // The piece that applies, with numbers: quadratic inside the width, linear outside.
          let k1 = reduction == .mean ? ("\\tfrac{1}{K} \\cdot ", "\\tfrac{1}{\(outputs.count)} \\times ") : ("", "")
          let inside = abs(f.outputs[0, k] - r.data.targets[0, k]) < width
          let wn = s.number(width)
          // |a − t| with numbers as the larger minus the smaller, so no bars need reading.
          let aFirst = f.outputs[0, k] >= r.data.targets[0, k]
          let d = aFirst ? "\(aBare) - \(tn)" : "\(s.number(r.data.targets[0, k], as: .target(k: k, n: 0))) - \(an)"
          let isHuber: Bool = if case .huber = r.before.loss { true } else { false }
          let formula = inside
            ? (isHuber ? "\\tfrac{1}{2}|\(a) - \(t)|^2" : "\\tfrac{1}{2}|\(a) - \(t)|^2 / \(wn)")
            : (isHuber ? "\(wn)\\left(|\(a) - \(t)| - \\tfrac{1}{2}\\cdot \(wn)\\right)" : "|\(a) - \(t)| - \\tfrac{1}{2}\\cdot \(wn)")
          let numbers = inside
            ? (isHuber ? "\\tfrac{1}{2}(\(d))^2" : "\\tfrac{1}{2}(\(d))^2 / \(wn)")
            : (isHuber ? "\(wn) \\times (\(d) - \\tfrac{1}{2} \\times \(wn))" : "(\(d) - \\tfrac{1}{2} \\times \(wn))")
          lines.append("\(e) = \(k1.0)\(formula) = \(k1.1)\(numbers) = \(term)")
        case .halfSquaredError: break
        }
      }
    }
    let terms = shown.map { s.number(loss.terms[0, $0], as: .outputError(k: $0, n: 0), parenthesized: $0 > 0) }.joined(separator: " + ")
      + (outputs.count > shown.count ? " + \\cdots" : "")
    let total = s.number(loss.total, as: .error)
    if r.data.count == 1 {
      lines.append("E = \(terms) = \(total)")
    } else {
      let perSample = Array(loss.perSample.prefix(4)).enumerated().map { n, e in s.number(e, as: .sampleError(n: n), parenthesized: n > 0) }
        .joined(separator: " + ") + (r.data.count > 4 ? " + \\cdots" : "")
      lines.append(r.before.reduction == .mean
        ? "E = \\frac{1}{\(r.data.count)}\\left(\(perSample)\\right) = \(total)"
        : "E = \(perSample) = \(total)")
    }
    return [
      lossTable,
      .el("p", [("class", "total")], [.text("Total error E = "), inlineNumber(loss.total, as: .error)]),
      working("How the error was computed", lines),
    ]
  }
}
