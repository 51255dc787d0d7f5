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
    let chart = LineChart(
      id: nextFigureID("loss"), title: "Error during training of \(r.networkName)",
      description: "The batch error E at each of \(h.losses.count) iterations, computed before that iteration's update; recorded iterations are marked.",
      series: [LineChart.Series(name: "E", values: h.losses, firstX: 1, stepX: 1, marked: marked)],
      xLabel: "iteration", yLabel: "error E",
      yScale: h.losses.allSatisfy({ $0 > 0 }) && (h.losses.max() ?? 1) / max(h.losses.min() ?? 1, .leastNonzeroMagnitude) > 20 ? .logarithmic : .linear)
    out.append(figure(.trusted(chart.svg())))
    let rows: [[HTML]] = t.recorded.map { k in
      [.el("th", [("scope", "row"), ("class", "num")], "\(k)"), .el("td", [("class", "num")], "\((k - 1) / h.iterationsPerEpoch + 1)"), cell(h.losses[k - 1])]
    }
    out.append(table(caption: "Error at recorded iterations (before each one's update)", header: ["iteration", "epoch", "E"], rows: rows))

    let outputs = r.names.neurons.last!
    var finalRows: [[HTML]] = []
    for index in shownIndices(r.data.count) {
      guard let n = index else { finalRows.append(ellipsisRow(1 + 2 * outputs.count, hidden: r.data.count - 8, what: "samples")); continue }
      finalRows.append([.el("th", [("scope", "row"), ("class", "num")], "\(n + 1)")]
        + (0..<outputs.count).flatMap { k in [cell(r.data.targets[n, k], "target"), cell(t.finalForward.outputs[n, k])] })
    }
    out.append(table(caption: "After training: outputs for every sample",
      header: ["sample"] + outputs.flatMap { ["target \($0)", "\(notation.out) \($0)"] }, rows: finalRows))
    var summary: [HTML] = [.text("Error after \(h.losses.count) updates: E = "), inlineNumber(t.finalLoss.total), .text(".")]
    if let accuracy = t.accuracy {
      summary.append(.text(" Accuracy: \(NumberFormat(decimals: 1).fixed(accuracy * 100))% of \(r.data.count) samples."))
    }
    out.append(.el("p", [("class", "total")], summary))
    return out
  }

  func gradcheckSection(_ r: DirectiveResult) -> [HTML] {
    guard let comparisons = r.gradientCheck else { return [] }
    var rows: [[HTML]] = []
    var worst = 0.0
    for c in comparisons {
      worst = max(worst, c.relativeError)
      let (verdict, cls) = Self.verdict(c.relativeError)
      let name: String
      switch c.parameter {
      case .weight(let l, let j, let i): name = r.names.weights[l][j][i]
      case .bias(let l, let j): name = r.names.biases[l][j]
      }
      rows.append([rowHeader(name), cell(c.analytic), cell(c.numeric),
        .el("td", [("class", "num"), ("title", NumberFormat.exact(c.relativeError))], c.relativeError == 0 ? "0" : NumberFormat(decimals: 2).scientificText(c.relativeError)),
        .el("td", [("class", "verdict \(cls)")], verdict)])
    }
    let (overall, _) = Self.verdict(worst)
    return [
      .el("p", [], "Each gradient from backpropagation beside the central difference (E(p + h) − E(p − h)) / 2h with h = \(r.data.count > 0 ? "the block's step" : ""). Relative error |a − n| / max(|a|, |n|). Worst: \(overall)."),
      table(caption: "Gradient check", header: ["parameter", "backprop", "finite difference", "relative error", "verdict"], rows: rows),
    ]
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
