import Backprop
import Yams

extension LessonParser {
  mutating func parseData(_ root: Node, name: String?, at location: SourceLocation, body: inout YAMLBody) -> DataSpec? {
    let fields = body.fields(root, allowed: ["inputs", "targets", "labels", "classes", "csv", "input-columns", "generate"], what: "a data block")
    guard case .mapping = root else { return nil }
    if let g = fields["generate"] {
      if fields["inputs"] != nil || fields["csv"] != nil {
        body.error("give `generate`, `csv` or `inputs` with `targets`, not several", at: g); return nil
      }
      if g.string == "xor" { return DataSpec(name: name, source: .xor, location: location) }
      let spiral = body.fields(g, allowed: ["spiral"], what: "`generate`")
      guard let s = spiral["spiral"] else {
        if case .mapping = g {} else { body.error("`generate` takes `xor` or `{spiral: {classes: 3, points: 100, seed: 1}}`", at: g) }
        return nil
      }
      let settings = body.fields(s, allowed: ["classes", "points", "noise", "seed"], what: "spiral")
      let classes = settings["classes"].flatMap { body.integer($0, "classes", range: 2...20) } ?? 3
      let points = settings["points"].flatMap { body.integer($0, "points", range: 1...100_000) } ?? 100
      let noise = settings["noise"].flatMap { body.number($0, "noise") } ?? 0.2
      let seed = settings["seed"].flatMap { body.integer($0, "seed", range: 0...Int.max) } ?? 1
      return DataSpec(name: name, source: .spiral(classes: classes, pointsPerClass: points, noise: noise, seed: UInt64(seed)), location: location)
    }
    if let c = fields["csv"] {
      guard let path = body.string(c, "csv") else { return nil }
      var columns: Int?
      if let n = fields["input-columns"] { columns = body.integer(n, "input-columns", range: 1...100_000) }
      return DataSpec(name: name, source: .csv(path: path, inputColumns: columns), location: location)
    }
    guard let i = fields["inputs"] else {
      body.error("a data block needs `inputs` and `targets` (rows per sample), `csv`, or `generate`", at: nil)
      return nil
    }
    guard let inputs = body.rows(i, "inputs") else { return nil }
    if let l = fields["labels"] {
      // Class indices, one per sample, become one-hot target rows.
      guard fields["targets"] == nil else { body.error("give `targets` or `labels`, not both", at: l); return nil }
      guard let items = body.list(l, "labels") else { return nil }
      let labels = items.compactMap { body.integer($0, "each label", range: 0...10_000) }
      guard labels.count == items.count else { return nil }
      var classes = (labels.max() ?? 0) + 1
      if let c = fields["classes"] {
        guard let k = body.integer(c, "classes", range: 2...10_000) else { return nil }
        if let bad = labels.first(where: { $0 >= k }) {
          body.error("label \(bad) is not a class: with `classes: \(k)` labels run from 0 to \(k - 1)", at: l); return nil
        }
        classes = k
      }
      guard labels.count == inputs.count, !inputs.isEmpty else {
        body.error("\(inputs.count) rows of inputs but \(labels.count) labels: give one label per sample", at: l); return nil
      }
      let targets = labels.map { label in (0..<max(classes, 2)).map { $0 == label ? 1.0 : 0.0 } }
      return DataSpec(name: name, source: .inline(Dataset(inputs: Matrix(inputs), targets: Matrix(targets))), location: location)
    }
    guard let t = fields["targets"] else {
      body.error("a data block needs `targets` (one row per sample) or `labels` (one class index per sample)", at: body.keyLocation(root, "inputs"))
      return nil
    }
    guard let targets = body.rows(t, "targets") else { return nil }
    guard !inputs.isEmpty else { body.error("a data block needs at least one sample", at: i); return nil }
    guard inputs.count == targets.count else {
      body.error("\(inputs.count) rows of inputs but \(targets.count) rows of targets: give one target row per sample", at: t)
      return nil
    }
    return DataSpec(name: name, source: .inline(Dataset(inputs: Matrix(inputs), targets: Matrix(targets))), location: location)
  }

  mutating func parseDirective(_ kind: LessonBlock.Kind, _ root: Node, body: inout YAMLBody) -> DirectiveSpec? {
    var allowed = ["data"]
    switch kind {
    case .train: allowed += ["iterations", "epochs", "batch-size", "shuffle", "record", "every", "log-scale"]
    case .gradcheck: allowed += ["step"]
    default: break
    }
    let fields = body.fields(root, allowed: allowed, what: "a `\(kind.rawValue)` block")
    guard case .mapping = root else { return nil }
    var spec = DirectiveSpec()
    var ok = true
    if let d = fields["data"] { spec.data = body.string(d, "data"); ok = ok && spec.data != nil }
    if let n = fields["iterations"] { spec.iterations = body.integer(n, "iterations", range: 1...100_000_000); ok = ok && spec.iterations != nil }
    if let n = fields["epochs"] { spec.epochs = body.integer(n, "epochs", range: 1...100_000_000); ok = ok && spec.epochs != nil }
    if let n = fields["batch-size"] { spec.batchSize = body.integer(n, "batch-size", range: 1...100_000_000); ok = ok && spec.batchSize != nil }
    if let n = fields["every"] { spec.every = body.integer(n, "every", range: 1...100_000_000); ok = ok && spec.every != nil }
    if let n = fields["log-scale"] { spec.logScale = body.bool(n, "log-scale") ?? true }
    if let n = fields["shuffle"] {
      if let seed = n.int { spec.shuffleSeed = UInt64(max(seed, 0)) } else if body.bool(n, "shuffle") == true {
        spec.shuffleSeed = 1
      }
    }
    if let n = fields["record"], let items = body.list(n, "record") {
      spec.record = items.compactMap { body.integer($0, "each entry of record", range: 1...100_000_000) }
      ok = ok && spec.record?.count == items.count
    }
    if let n = fields["step"] {
      if let h = body.number(n, "step"), h > 0 { spec.step = h } else {
        body.error("the finite-difference step must be a positive number", at: n); ok = false
      }
    }
    if kind == .train {
      if spec.iterations == nil, spec.epochs == nil {
        body.error("a `train` block needs `iterations` (updates) or `epochs` (passes over the data)", at: nil); ok = false
      } else if spec.iterations != nil, spec.epochs != nil {
        body.error("give `iterations` or `epochs`, not both", at: fields["epochs"]); ok = false
      }
    }
    return ok ? spec : nil
  }

  /// `name = value`, then optionally `± tolerance` (or `+-`; a trailing `%` makes it relative),
  /// then optionally `# note`.
  mutating func parseChecks(_ text: String, start: SourceLocation) -> [CheckSpec] {
    var out: [CheckSpec] = []
    for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let location = SourceLocation(file: file, line: start.line + offset, column: start.column)
      var line = Substring(raw)
      var note: String?
      if let hash = line.firstIndex(of: "#") {
        note = String(line[line.index(after: hash)...]).trimmingSpaces
        line = line[..<hash]
      }
      let content = String(line).trimmingSpaces
      if content.isEmpty { continue }
      let column = start.column + (line.prefix { $0 == " " || $0 == "\t" }.count)
      let at = SourceLocation(file: file, line: location.line, column: column)
      guard let equals = content.firstIndex(of: "=") else {
        diagnostics.append(.error("a check line reads `name = value`", at: at)); continue
      }
      let name = String(content[..<equals]).trimmingSpaces
      var rest = String(content[content.index(after: equals)...]).trimmingSpaces
      var tolerance: CheckSpec.Tolerance?
      for marker in ["±", "+-", "+/-"] {
        if let r = rest.range(of: marker) {
          var tol = String(rest[r.upperBound...]).trimmingSpaces
          rest = String(rest[..<r.lowerBound]).trimmingSpaces
          let relative = tol.hasSuffix("%")
          if relative { tol.removeLast() }
          guard let t = Double(tol.trimmingSpaces), t.isFinite, t >= 0 else {
            diagnostics.append(.error("the tolerance after `±` must be a non-negative number, optionally with `%`", at: at)); continue
          }
          tolerance = relative ? .relative(t / 100) : .absolute(t)
          break
        }
      }
      guard !name.isEmpty, Prepass.valueReference(name) != nil else {
        diagnostics.append(.error("`\(name)` is not a value name", at: at)); continue
      }
      guard let expected = Double(rest), expected.isFinite else {
        diagnostics.append(.error("`\(rest)` is not a number", at: at, notes: ["a check line reads `name = value`, e.g. `h1.a = 0.593269992`"])); continue
      }
      out.append(CheckSpec(name: name, expectedText: rest, expected: expected,
        tolerance: tolerance ?? .digitsWritten(Self.halfUnitInLastPlace(rest)), note: note, location: at))
    }
    return out
  }

  /// Half a unit in the last written digit: 0.3775 → 0.00005, 2.5e-3 → 0.00005, 12 → 0.5.
  static func halfUnitInLastPlace(_ text: String) -> Double {
    let lower = text.lowercased()
    var mantissa = Substring(lower)
    var exponent = 0
    if let e = lower.firstIndex(of: "e") {
      mantissa = lower[..<e]
      exponent = Int(lower[lower.index(after: e)...]) ?? 0
    }
    let decimals = mantissa.firstIndex(of: ".").map { mantissa.distance(from: $0, to: mantissa.endIndex) - 1 } ?? 0
    // A hair over half a unit, so a value exactly on the rounding boundary passes.
    return 0.5 * pow10(exponent - decimals) * (1 + 1e-9)
  }

  static func pow10(_ k: Int) -> Double {
    var r = 1.0
    if k >= 0 { for _ in 0..<min(k, 400) { r *= 10 } } else { for _ in 0..<min(-k, 400) { r /= 10 } }
    return r
  }
}
