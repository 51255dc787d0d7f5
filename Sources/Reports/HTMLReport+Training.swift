import Backprop
import Lessons
import Typesetting

extension ReportContext {
  mutating func trainSection(_ r: DirectiveResult) -> [HTML] {
    guard let t = r.training else { return [] }
    let h = t.history
    var out: [HTML] = []
    let batch = t.schedule.batchSize.map { "batches of \(min($0, r.data.count))" } ?? "the full batch of \(r.data.count)"
    let epochs = t.epochs == t.epochs.rounded() ? "\(Int(t.epochs))" : NumberFormat(decimals: 2).short(t.epochs)
    var sentence = "\(h.losses.count) iterations (updates) on \(batch), \(h.iterationsPerEpoch) per epoch: \(epochs) epoch\(t.epochs == 1 ? "" : "s")"
    if let seed = t.schedule.shuffleSeed { sentence += ", shuffled each epoch with seed \(seed)" }
    out.append(.el("p", [], sentence + "."))
    if let stop = h.stoppedAt {
      out.append(.el("p", [("class", "stopped"), ("role", "alert")], "Training stopped at iteration \(stop): the error was no longer a finite number."))
    }
    let marked = t.recorded.map { LineChart.Point(x: Double($0), y: h.losses[$0 - 1]) }
    let others = t.comparisons.map { LineChart.Series(name: $0.network, points: Self.curve($0.losses)) }
    var low = Double.infinity, high = -Double.infinity
    for curve in [h.losses] + t.comparisons.map(\.losses) {
      for v in curve where v.isFinite { low = min(low, v); high = max(high, v) }
    }
    let positive = low > 0
    let chart = LineChart(
      id: nextFigureID("loss"), title: others.isEmpty ? "Error during training of \(r.networkName)" : "Error during training: \(([r.networkName] + t.comparisons.map(\.network)).joined(separator: ", "))",
      description: "The batch error E at each of \(h.losses.count) iterations, computed before that iteration's update; recorded iterations are marked."
        + (others.isEmpty ? "" : " Drawn with the latest training of \(t.comparisons.map(\.network).joined(separator: ", ")) for comparison."),
      series: [LineChart.Series(name: others.isEmpty ? "E" : r.networkName, points: Self.curve(h.losses), marked: marked)] + others,
      xLabel: "iteration", yLabel: "error E",
      yScale: r.trainingLogScale && positive && high / max(low, .leastNonzeroMagnitude) > 20 ? .logarithmic : .linear)
    out.append(figure(.trusted(chart.svg())))
    if t.accuracyCurve.count >= 2 {
      let accuracy = LineChart(
        id: nextFigureID("accuracy"), title: "Accuracy during training of \(r.networkName)",
        description: "The share of all \(r.data.count) samples the network classifies correctly, after \(t.accuracyCurve.count) evenly spaced iterations.",
        series: [LineChart.Series(name: "accuracy", points: t.accuracyCurve.map { LineChart.Point(x: Double($0.iteration), y: $0.accuracy) })],
        xLabel: "iteration", yLabel: "accuracy", yScale: .linear, height: 260)
      out.append(figure(.trusted(accuracy.svg())))
    }
    // A learning-rate schedule: its rate in a chart of its own, and in the table.
    let scheduled = h.rates.count == h.losses.count && !h.rates.isEmpty
    if scheduled, h.rates.count >= 2 {
      let rate = LineChart(
        id: nextFigureID("rate"), title: "Learning rate during training of \(r.networkName)",
        description: "The learning rate η each of \(h.rates.count) iterations' update used, from the schedule.",
        series: [LineChart.Series(name: "η", points: Self.curve(h.rates))],
        xLabel: "iteration", yLabel: "learning rate η", yScale: .linear, height: 220)
      out.append(figure(.trusted(rate.svg())))
    }
    let rows: [[HTML]] = t.recorded.map { k in
      [.el("th", [("scope", "row"), ("class", "num")], "\(k)"), .el("td", [("class", "num")], "\((k - 1) / h.iterationsPerEpoch + 1)"), cell(h.losses[k - 1], computed: true)]
        + (scheduled ? [cell(h.rates[k - 1], computed: true)] : [])
    }
    out.append(table(caption: "Error at recorded iterations (before each one's update)", header: ["iteration", "epoch", "E"] + (scheduled ? ["learning rate η"] : []), rows: rows))

    let outputs = r.names.neurons.last!
    var finalRows: [[HTML]] = []
    for index in shownIndices(r.data.count) {
      guard let n = index else { finalRows.append(ellipsisRow(1 + 2 * outputs.count, hidden: r.data.count - 8, what: "samples")); continue }
      finalRows.append([.el("th", [("scope", "row"), ("class", "num")], "\(n + 1)")]
        + (0..<outputs.count).flatMap { k in [cell(r.data.targets[n, k], as: .target(k: k, n: n), "target"), cell(t.finalForward.outputs[n, k], as: .out(l: r.before.layers.count - 1, j: k, n: n), computed: true)] })
    }
    out.append(table(caption: "After training: outputs for every sample",
      header: ["sample"] + outputs.flatMap { ["target \($0)", "\(notation.out) \($0)"] }, rows: finalRows))
    var summary: [HTML] = [.text("Error after \(h.losses.count) updates: E = "), inlineNumber(t.finalLoss.total, as: .error, computed: true), .text(".")]
    if let accuracy = t.accuracy {
      summary.append(.text(" Accuracy: \(NumberFormat(decimals: 1).fixed(accuracy * 100))% of \(r.data.count) samples."))
    }
    out.append(.el("p", [("class", "total")], summary))
    if let regions = decisionRegions(r, t) { out.append(figure(.trusted(regions))) }
    return out
  }

  /// For a classifier of points in the plane: the class it predicts everywhere, with the data on top.
  mutating func decisionRegions(_ r: DirectiveResult, _ t: TrainingResult) -> String? {
    guard t.accuracy != nil, r.data.inputs.columns == 2, r.data.count <= 5_000 else { return nil }
    let xs = (0..<r.data.count).map { r.data.inputs[$0, 0] }, ys = (0..<r.data.count).map { r.data.inputs[$0, 1] }
    guard let x0 = xs.min(), let x1 = xs.max(), let y0 = ys.min(), let y1 = ys.max(), x1 > x0, y1 > y0 else { return nil }
    let padX = (x1 - x0) * 0.08, padY = (y1 - y0) * 0.08
    let xRange = (x0 - padX)...(x1 + padX), yRange = (y0 - padY)...(y1 + padY)
    let size = 80
    var points = Matrix(rows: size * size, columns: 2)
    for row in 0..<size {
      for col in 0..<size {
        points[row * size + col, 0] = xRange.lowerBound + (Double(col) + 0.5) / Double(size) * (xRange.upperBound - xRange.lowerBound)
        points[row * size + col, 1] = yRange.lowerBound + (Double(row) + 0.5) / Double(size) * (yRange.upperBound - yRange.lowerBound)
      }
    }
    let predicted = r.after.forward(points).outputs
    func label(_ m: Matrix, _ n: Int) -> Int {
      if m.columns == 1 { return m[n, 0] >= 0.5 ? 1 : 0 }
      var best = 0
      for k in 1..<m.columns where m[n, k] > m[n, best] { best = k }
      return best
    }
    let grid = (0..<size).map { row in (0..<size).map { col in label(predicted, row * size + col) } }
    let samples = (0..<r.data.count).map { DecisionRegions.Sample(x: xs[$0], y: ys[$0], label: label(r.data.targets, $0)) }
    let classes = max(r.data.targets.columns, 2)
    return DecisionRegions(
      id: nextFigureID("regions"), title: "Decision regions of \(r.networkName) after training",
      description: "The class the trained network predicts at each point of the plane, with the \(r.data.count) training samples drawn on top by their true class.",
      xRange: xRange, yRange: yRange, grid: grid, samples: samples,
      classNames: (0..<classes).map { "class \($0)" },
      xLabel: r.names.inputs[0], yLabel: r.names.inputs[1]).svg()
  }

  func gradcheckSection(_ r: DirectiveResult) -> [HTML] {
    guard let comparisons = r.gradientCheck else { return [] }
    var rows: [[HTML]] = []
    var worst = 0.0
    for c in comparisons {
      worst = max(worst, c.relativeError)
      let (verdict, cls) = Self.verdict(c.relativeError)
      let name: String, gradient: Quantity
      switch c.parameter {
      case .weight(let l, let j, let i): (name, gradient) = (r.names.weights[l][j][i], .weightGrad(l: l, j: j, i: i))
      case .bias(let l, let j): (name, gradient) = (r.names.biases[l][j], .biasGrad(l: l, j: j))
      }
      // The finite difference agrees with the gradient to many digits: blank where the gradient is.
      rows.append([rowHeader(name), cell(c.analytic, as: gradient), cell(c.numeric, from: [(gradient, c.analytic)]),
        .el("td", [("class", "num"), ("title", NumberFormat.exact(c.relativeError))], c.relativeError == 0 ? "0" : NumberFormat(decimals: 2).scientificText(c.relativeError)),
        .el("td", [("class", "verdict \(cls)")], verdict)])
    }
    let (overall, _) = Self.verdict(worst)
    return [
      .el("p", [], "Each gradient from backpropagation beside the central difference (E(p + h) − E(p − h)) / 2h with h = \(r.data.count > 0 ? "the block's step" : ""). Relative error |a − n| / max(|a|, |n|). Worst: \(overall)."),
      table(caption: "Gradient check", header: ["parameter", "backprop", "finite difference", "relative error", "verdict"], rows: rows),
    ]
  }

  /// A training curve as chart points (x = iteration, from 1), thinned to the lowest and highest
  /// error of each of about 1,000 buckets, so a million iterations never become a million points.
  static func curve(_ losses: [Double], buckets: Int = 1_000) -> [LineChart.Point] {
    guard losses.count > 2 * buckets else { return losses.enumerated().map { LineChart.Point(x: Double($0.offset + 1), y: $0.element) } }
    var points: [LineChart.Point] = []
    points.reserveCapacity(2 * buckets + 2)
    let size = (losses.count + buckets - 1) / buckets
    var start = 0
    while start < losses.count {
      let end = min(start + size, losses.count)
      var lowest = start, highest = start
      for i in start..<end {
        if losses[i] < losses[lowest] { lowest = i }
        if losses[i] > losses[highest] { highest = i }
      }
      for i in Set([lowest, highest]).sorted() { points.append(LineChart.Point(x: Double(i + 1), y: losses[i])) }
      start = end
    }
    if points.last?.x != Double(losses.count) { points.append(LineChart.Point(x: Double(losses.count), y: losses[losses.count - 1])) }
    return points
  }

  /// Bands after the CS231n notes on gradient checking.
  static func verdict(_ e: Double) -> (String, String) {
    switch e {
    case ..<1e-7: ("✓ agrees", "pass")
    case ..<1e-4: ("✓ close (expected near kinks)", "pass")
    case ..<1e-2: ("? doubtful", "warn")
    default: ("✗ wrong", "fail")
    }
  }
}

extension NumberFormat {
  /// 1.23×10⁻⁸ style, for quantities whose size is the point.
  func scientificText(_ x: Double) -> String { scientific(x).replacingOccurrences(of: "000×", with: "×") }
}
