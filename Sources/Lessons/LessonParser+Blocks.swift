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
      if let n = fields["input-columns"] {
        columns = body.integer(n, "input-columns", range: 1...100_000)
        if columns == nil { return nil }
      }
      // Only the CLI reads files, but a path that can never be allowed is the lesson's mistake.
      if path.hasPrefix("/") || path.hasPrefix("~") || path.hasPrefix("\\") || (path.count > 1 && path.dropFirst().hasPrefix(":")) {
        body.error("data files are named relative to the lesson's folder; `\(path)` is an absolute path", at: c,
          notes: ["put the file beside the lesson, or in a folder below it, and name it from there"])
        return nil
      }
      if path.split(whereSeparator: { $0 == "/" || $0 == "\\" }).contains("..") {
        body.error("`\(path)` is outside the lesson's folder: data files must be inside it", at: c,
          notes: ["put the file beside the lesson, or in a folder below it, and name it from there"])
        return nil
      }
      return DataSpec(name: name, source: .csv(path: path, inputColumns: columns), location: location, pathLocation: body.location(c))
    }
    guard let i = fields["inputs"] else {
      if fields["input-columns"] == nil {
        body.missing("inputs", "a data block needs `inputs` and `targets` (rows per sample), `csv`, or `generate`")
      } else {
        body.error("`input-columns` goes with `csv`", at: body.keyLocation(root, "input-columns"))
      }
      return nil
    }
    // Read the targets too when the inputs are broken, so every problem is reported at once.
    guard let inputs = Self.holdsGrids(i) ? sampleGrids(i, body: &body) : body.rows(i, "inputs") else {
      if let t = fields["targets"] { _ = body.rows(t, "targets") }
      return nil
    }
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
      if !body.suggested.contains("targets") && !body.suggested.contains("labels") {
        body.error("a data block needs `targets` (one row per sample) or `labels` (one class index per sample)", at: body.keyLocation(root, "inputs"))
      }
      return nil
    }
    guard let targets = body.rows(t, "targets") else { return nil }
    guard !inputs.isEmpty else { body.error("a data block needs at least one sample", at: i); return nil }
    guard inputs.count == targets.count else {
      body.error("\(inputs.count) \(inputs.count == 1 ? "row" : "rows") of inputs but \(targets.count) \(targets.count == 1 ? "row" : "rows") of targets: give one target row per sample", at: t)
      return nil
    }
    return DataSpec(name: name, source: .inline(Dataset(inputs: Matrix(inputs), targets: Matrix(targets))), location: location)
  }

  mutating func parseDirective(_ kind: LessonBlock.Kind, _ root: Node, body: inout YAMLBody) -> DirectiveSpec? {
    // `blanks` says which values a worksheet leaves blank; Worksheet.swift reads it.
    var allowed = ["data", "blanks"]
    switch kind {
    case .train: allowed += ["iterations", "epochs", "batch-size", "shuffle", "record", "every", "log-scale", "compare", "schedule"]
    case .gradcheck: allowed += ["step"]
    default: break
    }
    let fields = body.fields(root, allowed: allowed, what: "a `\(kind.rawValue)` block")
    guard case .mapping = root else { return nil }
    var spec = DirectiveSpec()
    var train = TrainSettings()
    var step = 1e-5
    var ok = true
    if let d = fields["data"] { spec.data = body.string(d, "data"); spec.dataLocation = body.location(d); ok = ok && spec.data != nil }
    if let n = fields["iterations"] { train.iterations = body.integer(n, "iterations", range: 1...100_000_000); ok = ok && train.iterations != nil }
    if let n = fields["epochs"] { train.epochs = body.integer(n, "epochs", range: 1...100_000_000); ok = ok && train.epochs != nil }
    if let n = fields["batch-size"] { train.batchSize = body.integer(n, "batch-size", range: 1...100_000_000); ok = ok && train.batchSize != nil }
    if let n = fields["every"] { train.every = body.integer(n, "every", range: 1...100_000_000); ok = ok && train.every != nil }
    if let n = fields["compare"] {
      if let names = body.strings(n, "compare") {
        train.compare = names
        if case .sequence(let items) = n { train.compareLocations = items.map { body.location($0) } }
      } else { ok = false }
    }
    if let n = fields["log-scale"] { train.logScale = body.bool(n, "log-scale") ?? true }
    if let n = fields["schedule"] {
      if let s = parseLearningRateSchedule(n, body: &body) { train.learningRateSchedule = s } else { ok = false }
    }
    if let n = fields["shuffle"] {
      if let seed = n.int {
        if seed >= 0 { train.shuffleSeed = UInt64(seed) } else {
          body.error("`shuffle` takes a seed from 0, or true or false; not \(seed)", at: n); ok = false
        }
      } else if let flag = body.bool(n, "shuffle") {
        if flag { train.shuffleSeed = 1 }
      } else { ok = false }
    }
    if let n = fields["record"] {
      if case .sequence(let sequence) = n {
        let items = Array(sequence)
        var record: [Int] = []
        for item in items {
          guard let k = body.integer(item, "each entry of record", range: 1...100_000_000) else { ok = false; continue }
          if let iterations = train.iterations, k > iterations {
            body.error("`record` asks for iteration \(k), but this block runs \(iterations)", at: item); ok = false; continue
          }
          record.append(k)
          train.recordLocations.append(body.location(item))
        }
        train.record = record
      } else {
        body.error("record must be a list of iterations, e.g. `[1, 10, 100]`", at: n, notes: ["for every Nth iteration write `every: N`"])
        ok = false
      }
    }
    if let n = fields["step"] {
      if let h = body.number(n, "step"), h > 0 { step = h } else {
        body.error("the finite-difference step must be a positive number", at: n); ok = false
      }
    }
    if kind == .train {
      // A present but broken `iterations` was reported where it is written; a misspelt one too.
      let given = ["iterations", "epochs"].filter { fields[$0] != nil || body.suggested.contains($0) }
      if given.isEmpty {
        body.error("a `train` block needs `iterations` (updates) or `epochs` (passes over the data)", at: nil); ok = false
      } else if fields["iterations"] != nil, let e = fields["epochs"] {
        body.error("give `iterations` or `epochs`, not both", at: body.keyLocation(root, "epochs") ?? e); ok = false
      }
    }
    switch kind {
    case .train: spec.settings = .train(train)
    case .gradcheck: spec.settings = .gradcheck(step: step)
    default: break
    }
    return ok ? spec : nil
  }

  /// `schedule: {type: step|exponential|cosine|linear, …, per: epoch|iteration}` with
  /// torch.optim.lr_scheduler's settings and defaults (StepLR, ExponentialLR, CosineAnnealingLR, LinearLR).
  mutating func parseLearningRateSchedule(_ node: Node, body: inout YAMLBody) -> LearningRateSchedule? {
    let own: [String: [String]] = [
      "step": ["step-size", "gamma"], "exponential": ["gamma"], "cosine": ["t-max", "eta-min"],
      "linear": ["start-factor", "end-factor", "total-iters"],
    ]
    let fields = body.fields(node, allowed: ["type", "per", "step-size", "gamma", "t-max", "eta-min", "start-factor", "end-factor", "total-iters"],
      what: "the schedule")
    guard case .mapping = node else {
      body.error("a schedule is a mapping, e.g. `{type: step, step-size: 10, gamma: 0.5}`", at: node); return nil
    }
    guard let t = fields["type"], let type = body.string(t, "schedule type") else {
      body.error("the schedule needs a `type`: step, exponential, cosine or linear", at: fields["type"] ?? node); return nil
    }
    guard let keys = own[type] else {
      body.error("unknown schedule `\(type)`", at: t, notes: [closestMatch(to: type, in: Array(own.keys)).map { "did you mean `\($0)`?" } ?? "use step, exponential, cosine or linear"])
      return nil
    }
    var ok = true
    for key in fields.keys.sorted() where !keys.contains(key) && !["type", "per"].contains(key) {
      body.error("`\(key)` is not a setting of the \(type) schedule", at: fields[key], notes: ["it takes: \((keys + ["per"]).joined(separator: ", "))"])
      ok = false
    }
    func number(_ key: String, _ fallback: Double?, range: ClosedRange<Double>) -> Double {
      guard let n = fields[key] else {
        if let fallback { return fallback }
        body.error("the \(type) schedule needs `\(key)`", at: node); ok = false; return 0
      }
      guard let v = body.number(n, key), range.contains(v) else {
        body.error("\(key) must be between \(plainNumber(range.lowerBound)) and \(plainNumber(range.upperBound))", at: n); ok = false; return 0
      }
      return v
    }
    func count(_ key: String, _ fallback: Int?) -> Int {
      guard let n = fields[key] else {
        if let fallback { return fallback }
        body.error("the \(type) schedule needs `\(key)`", at: node); ok = false; return 1
      }
      guard let v = body.integer(n, key, range: 1...100_000_000) else { ok = false; return 1 }
      return v
    }
    var perIteration = false
    if let n = fields["per"], let word = body.string(n, "per") {
      switch word {
      case "epoch": perIteration = false
      case "iteration": perIteration = true
      default: body.error("a schedule steps per `epoch` (the default, as PyTorch code usually does) or per `iteration`", at: n); ok = false
      }
    }
    let kind: LearningRateSchedule.Kind
    switch type {
    case "step": kind = .step(size: count("step-size", nil), gamma: number("gamma", 0.1, range: 0...1_000))
    case "exponential": kind = .exponential(gamma: number("gamma", nil, range: 0...1_000))
    case "cosine": kind = .cosine(tMax: count("t-max", nil), etaMin: number("eta-min", 0, range: 0...1e300))
    default:
      kind = .linear(start: number("start-factor", 1.0 / 3, range: 1e-300...1), end: number("end-factor", 1, range: 0...1), total: count("total-iters", 5))
    }
    return ok ? LearningRateSchedule(kind, perIteration: perIteration) : nil
  }

  /// `name = value`, then optionally `± tolerance` (or `+-`, `+/-`; a trailing `%` makes it
  /// relative), then optionally `# note`. Each problem is reported at the column of the part
  /// that is wrong.
  mutating func parseChecks(_ text: String, start: SourceLocation) -> [CheckSpec] {
    var out: [CheckSpec] = []
    for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let lineNumber = start.line + offset
      func at(_ index: Substring.Index) -> SourceLocation {
        SourceLocation(file: file, line: lineNumber, column: start.column + raw.unicodeScalars.distance(from: raw.startIndex, to: index))
      }
      func skipSpaces(from index: Substring.Index, to end: Substring.Index) -> Substring.Index {
        raw[index..<end].firstIndex { $0 != " " && $0 != "\t" } ?? end
      }
      var end = raw.endIndex
      var note: String?
      if let hash = raw.firstIndex(of: "#") {
        note = String(raw[raw.index(after: hash)...]).trimmingSpaces
        end = hash
      }
      let nameStart = skipSpaces(from: raw.startIndex, to: end)
      if String(raw[nameStart..<end]).trimmingSpaces.isEmpty { continue }
      guard let equals = raw[nameStart..<end].firstIndex(of: "=") else {
        diagnostics.append(.error("a check line reads `name = value`", at: at(nameStart), notes: ["e.g. `h1.a = 0.593269992`"])); continue
      }
      var ok = true
      let name = String(raw[nameStart..<equals]).trimmingSpaces
      if name.isEmpty {
        diagnostics.append(.error("a check line needs a value name before `=`", at: at(equals), notes: ["e.g. `h1.a = 0.593269992`"])); ok = false
      } else if Prepass.valueReference(name) == nil || name.contains(":") {
        diagnostics.append(.error("`\(name)` is not a value name", at: at(nameStart), notes: ["names look like `h1.a`, `w5.grad`, `E` or `o1.a[2]`"])); ok = false
      }
      let afterEquals = raw.index(after: equals)
      var valueEnd = end
      var tolerance: CheckSpec.Tolerance?
      // Most lines have no tolerance: look for one only where a marker's first character is.
      let mayHaveTolerance = raw[afterEquals..<end].contains { $0 == "±" || $0 == "+" }
      if mayHaveTolerance, let marker = ["±", "+/-", "+-"].lazy.compactMap({ raw[afterEquals..<end].range(of: $0) }).first {
        valueEnd = marker.lowerBound
        let tolStart = skipSpaces(from: marker.upperBound, to: end)
        var tol = String(raw[tolStart..<end]).trimmingSpaces
        let relative = tol.hasSuffix("%")
        if relative { tol.removeLast() }
        if tol.isEmpty {
          diagnostics.append(.error("the tolerance after `\(raw[marker])` is missing", at: at(marker.lowerBound),
            notes: ["write a number, e.g. `± 1e-6`, or a percentage, e.g. `± 1%`"])); ok = false
        } else if let t = Double(tol.trimmingSpaces), t.isFinite, t >= 0 {
          tolerance = relative ? .relative(t / 100) : .absolute(t)
        } else {
          diagnostics.append(.error("`\(String(raw[tolStart..<end]).trimmingSpaces)` is not a tolerance: the tolerance after `±` must be a non-negative number, optionally with `%`",
            at: at(tolStart), notes: ["e.g. `± 1e-6`, or `± 1%` for a relative tolerance"])); ok = false
        }
      }
      let valueStart = skipSpaces(from: afterEquals, to: valueEnd)
      let rest = String(raw[valueStart..<valueEnd]).trimmingSpaces
      var expected = Double(rest)
      var defaultTolerance: CheckSpec.Tolerance?
      if rest.isEmpty {
        diagnostics.append(.error("a check line needs a value after `=`", at: at(equals), notes: ["e.g. `h1.a = 0.593269992`"])); ok = false
      } else if Self.isHexadecimal(rest) {
        diagnostics.append(.error("`\(rest)` is not a number", at: at(valueStart), notes: ["a check line reads `name = value`, e.g. `h1.a = 0.593269992`"])); ok = false
      } else if expected?.isFinite == false {
        diagnostics.append(.error("`\(rest)` is not a finite number: a check compares against an ordinary number", at: at(valueStart))); ok = false
      } else if expected != nil, Self.isInteger(rest) {
        // A whole number means that number: `E = 0` is exactly 0, not anything below 0.5.
        defaultTolerance = .absolute(0)
      } else if expected == nil {
        switch ConstraintLine.expression(rest, names: false) {
        case .success(let e):
          // An expression has no "digits written": it must agree to rounding error.
          expected = e.evaluate { _ in Double.nan }
          defaultTolerance = .relative(Self.expressionTolerance)
          if expected?.isFinite != true {
            diagnostics.append(.error("`\(rest)` is not a finite number (it divides by zero, or overflows)", at: at(valueStart))); ok = false
          }
        case .failure(let problem) where problem.offset == 0:
          diagnostics.append(.error("`\(rest)` is not a number", at: at(valueStart),
            notes: ["a check line reads `name = value`, e.g. `h1.a = 0.593269992`"])); ok = false
        case .failure(let problem):
          let bad = raw[valueStart...].unicodeScalars.index(raw[valueStart...].unicodeScalars.startIndex, offsetBy: String(rest.prefix(problem.offset)).unicodeScalars.count)
          diagnostics.append(.error(problem.message, at: at(bad),
            notes: ["an expected value may be an expression of numbers: + - * / (also − × ·), parentheses, unary minus"])); ok = false
        }
      }
      guard ok, let expected else { continue }
      out.append(CheckSpec(name: name, expectedText: rest, expected: expected,
        tolerance: tolerance ?? defaultTolerance ?? .digitsWritten(Self.halfUnitInLastPlace(rest)), note: note, location: at(nameStart)))
    }
    return out
  }

  /// Relative slack of an expected value written as an expression.
  static let expressionTolerance = 1e-9

  /// A whole number as written: digits with an optional sign, no point, no exponent.
  static func isInteger(_ text: String) -> Bool {
    let digits = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
    return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
  }

  /// Hexadecimal (`0x1p3`), which `Double` reads but a check's digits-written tolerance cannot.
  static func isHexadecimal(_ text: String) -> Bool { text.lowercased().contains("x") }

  /// Half a unit in the last written digit: 0.3775 → 0.00005, 2.5e-3 → 0.00005, 12 → 0.5.
  static func halfUnitInLastPlace(_ text: String) -> Double {
    // A hair over half a unit, so a value exactly on the rounding boundary passes.
    0.5 * pow10(-AnswerTolerance.decimalPlaces(text)) * (1 + 1e-9)
  }

  static func pow10(_ k: Int) -> Double {
    var r = 1.0
    if k >= 0 { for _ in 0..<min(k, 400) { r *= 10 } } else { for _ in 0..<min(-k, 400) { r /= 10 } }
    return r
  }
}

extension LessonParser {
  /// Whether `inputs` holds a grid per sample (`[[[1, 2], [3, 4]]]`) rather than a row.
  static func holdsGrids(_ node: Node) -> Bool {
    guard case .sequence(let samples) = node, case .sequence(let first)? = samples.first, case .sequence? = first.first else { return false }
    return true
  }

  /// Each sample's grid (channels, rows, numbers) read row by row into one row of numbers.
  mutating func sampleGrids(_ node: Node, body: inout YAMLBody) -> [[Double]]? {
    guard case .sequence(let samples) = node else { return nil }
    var rows: [[Double]] = []
    for sample in samples {
      guard let (values, _) = nestedNumbers(sample, "inputs", body: &body) else { return nil }
      if let first = rows.first, first.count != values.count {
        body.error("each sample of inputs needs \(first.count) numbers like the first; this one has \(values.count)", at: sample)
        return nil
      }
      rows.append(values)
    }
    return rows
  }
}
