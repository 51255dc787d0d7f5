import Backprop

/// Limits on what one lesson may ask for, so a typo cannot make a run take hours or fill the disk.
public struct RunLimits: Sendable {
  /// Trainable numbers in one network.
  public var parameters = 1_000_000
  /// Multiply-adds of one `train` block, about 6 × samples × parameters per iteration.
  public var work = 200_000_000_000.0
  /// Updates one `train` block may run (its error is kept for every one of them).
  public var iterations = 1_000_000
  /// Iterations one `train` block may list in the report (`record`, `every`).
  public var recorded = 10_000
  /// Numbers (inputs and targets) in one data set, inline, read or generated.
  public var dataNumbers = 1_000_000
  /// Nodes in all of a lesson's `graph` blocks together (the report lists each one).
  public var graphNodes = 2_000
  /// Bytes of a lesson file, checked before it is parsed.
  public var inputBytes = 4_000_000
  /// Lines in all of a lesson's `check` blocks together (each is a row of the report).
  public var checks = 10_000
  public init() {}
}

/// Runs a parsed lesson's directives in order.
public struct LessonRunner {
  /// Reads a file named by the lesson, relative to the lesson's folder (the CLI decides what is allowed).
  public typealias Loader = @Sendable (String) throws -> String

  struct State {
    var declaration: NetworkDeclaration
    var network: Network
    var optimizerState: OptimizerState
    var dataName: String?
    var data: Dataset?
    var forward: ForwardPass?
    var loss: LossValue?
    var backward: BackwardPass?
    /// The per-iteration errors of the latest `train` block.
    var history: [Double]?
    /// The share of samples classified correctly after the latest `train`, when targets are classes.
    var accuracy: Double?
    /// The latest `gradcheck`'s comparisons.
    var gradientCheck: [GradientComparison]?
    /// Whether `forward` was computed with the current parameters.
    var forwardIsCurrent = false
  }

  let lesson: Lesson
  let loader: Loader
  let limits: RunLimits
  var diagnostics: [Diagnostic] = []
  var networks: [String: State] = [:]
  var current: String?
  var datasets: [String: Dataset] = [:]
  /// Set once a directive has failed: values it would have produced are then missing, and
  /// saying so again at every later reference would bury the real mistake.
  var directiveFailed = false
  /// Where each data block was declared, for notes that point back at it.
  var dataLocations: [String: SourceLocation] = [:]
  var latestData: String?
  /// The graphs declared so far, by name, and the latest one (whose names `{{q}}` reads).
  var graphs: [String: GraphResult] = [:]
  var latestGraph: String?
  /// Nodes in the graph blocks run so far, for `RunLimits.graphNodes`.
  var graphNodesSoFar = 0
  /// Check lines run so far, for `RunLimits.checks`.
  var checksSoFar = 0
  var items: [ExecutedItem] = []
  /// The passes so far (see ``ExecutedLesson/passes``), and the one still collecting steps.
  var passes: [Pass] = []
  var openPass: Int?
  var openPassStart: (parameters: PassParameters, data: Dataset)?
  /// Networks of typed layers, by name (dense ones are in `networks`).
  var layeredStates: [String: LayeredState] = [:]
  var stopped: Diagnostic?
  /// Networks and data sets whose blocks did not parse (their errors are already reported):
  /// what depends on them is skipped without a word, since it cannot mean anything yet.
  /// Each by name, with the location of its block.
  var brokenNetworks: [String: SourceLocation] = [:]
  var brokenData: [String: SourceLocation] = [:]
  /// Names a graph that did not parse would have defined, so `{{q}}` after it is not called unknown.
  var brokenGraphNames: [String: (what: String, at: SourceLocation)] = [:]
  /// Uses of each broken block that were skipped: the first, where a note says so, and how many.
  var skippedUses: [String: (block: SourceLocation, first: SourceLocation, count: Int)] = [:]
  /// Warnings about lessons that run but teach nonsense (a rate of 0, saturated neurons).
  var warnings: [Diagnostic] = []
  /// Which network and cause each warning was about, so each is said once.
  var warned: Set<String> = []
  /// See `run(_:limits:loader:diagnosticsOnly:)`.
  var diagnosticsOnly = false

  /// - Parameter diagnosticsOnly: the lesson has parse errors and runs only for the errors that
  ///   do not depend on them: no report will be written, so a `train` takes one update, a
  ///   value that is not finite does not stop the run, and no warnings are given.
  public static func run(_ lesson: Lesson, limits: RunLimits = RunLimits(), loader: @escaping Loader = { _ in throw LoaderUnavailable() },
                         diagnosticsOnly: Bool = false) -> (ExecutedLesson, [Diagnostic]) {
    var runner = LessonRunner(lesson: lesson, loader: loader, limits: limits)
    runner.diagnosticsOnly = diagnosticsOnly
    for item in lesson.items {
      runner.execute(item)
      if diagnosticsOnly { runner.stopped = nil }
    }
    // Say what was skipped, once per broken block, at its first use: compilers do the same
    // when they stop checking what depends on an error.
    for (what, skipped) in runner.skippedUses {
      let later = skipped.count - 1
      runner.diagnostics.append(Diagnostic(.note, "not checked: \(what) at line \(skipped.block.line) has errors"
        + (later > 0 ? "; this use and \(later) later \(later == 1 ? "one" : "ones") are checked once it is fixed" : "; this use is checked once it is fixed"),
        at: skipped.first))
    }
    let all = runner.diagnostics + runner.warnings
    return (ExecutedLesson(lesson: lesson, items: runner.items, stoppedEarly: runner.stopped, warnings: runner.warnings.inReadingOrder, passes: runner.passes),
      all.inReadingOrder)
  }

  public struct LoaderUnavailable: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "reading files is not available here" }
  }

  mutating func error(_ message: String, at location: SourceLocation, notes: [String] = []) {
    diagnostics.append(.error(message, at: location, notes: notes))
  }

  mutating func execute(_ item: LessonItem) {
    // After a value became NaN or infinite nothing later is shown: the report ends where the run stopped.
    guard stopped == nil else { return }
    switch item {
    case .prose(let node):
      var values: [SourceLocation: Double] = [:]
      for (name, location) in node.block.valueReferences(file: lesson.file) {
        if let v = value(name, at: location) { values[location] = v }
      }
      items.append(.prose(node, values: values))
    case .block(let block):
      switch block.content {
      case .invalid: skipInvalid(block)
      case .network(let spec):
        if let layered = spec.layered { declareLayered(spec, layered, at: block.location) } else { declare(spec, at: block.location) }
      case .data(let spec): declare(spec)
      case .check(let specs): check(specs, at: block.location)
      case .graph(let spec):
        guard stopped == nil else { return }
        run(spec, at: block.location)
      case .directive(let spec):
        guard stopped == nil else { return }
        let before = diagnostics.count
        // The parser gives a directive spec only to directive kinds.
        guard let directive = block.kind.directive else { return }
        run(directive, spec, network: block.argument, at: block.location)
        if diagnostics.count > before { directiveFailed = true }
      }
    }
  }

  /// A block whose parse failed: remembers what it would have declared, so later blocks
  /// that depend on it are skipped quietly, while independent ones still run and report.
  mutating func skipInvalid(_ block: LessonBlock) {
    switch block.kind {
    case .network:
      let name = block.argument ?? "network"
      brokenNetworks[name] = block.location
      networks[name] = nil
      layeredStates[name] = nil
      current = name
    case .data:
      let name = block.argument ?? "data"
      brokenData[name] = block.location
      datasets[name] = nil
      latestData = name
    case .graph:
      let what = block.argument.map { "graph `\($0)`" } ?? "the graph"
      // `name = …` lines, read loosely: only to keep quiet about names this graph would define.
      for line in block.body.split(separator: "\n") {
        guard let equals = line.firstIndex(of: "=") else { continue }
        let name = String(line[..<equals]).trimmingSpaces
        if !name.isEmpty { brokenGraphNames[name] = (what, block.location) }
      }
      if let name = block.argument { brokenGraphNames[name] = (what, block.location) }
    case .check: break
    default:
      // A directive that did not run leaves its values missing, as a failed one does.
      directiveFailed = true
    }
  }

  /// Records a use of a broken block that was skipped (see `skippedUses`).
  mutating func skipped(_ what: String, block: SourceLocation, at location: SourceLocation) {
    if let seen = skippedUses[what] {
      skippedUses[what] = (seen.block, seen.first, seen.count + 1)
    } else {
      skippedUses[what] = (block, location, 1)
    }
  }

  // MARK: Declarations

  mutating func declare(_ spec: NetworkSpec, at location: SourceLocation) {
    var rng = SeededGenerator(seed: spec.seed)
    var layers: [DenseLayer] = []
    var fanIn = spec.inputs.count
    for layer in spec.layers {
      let weights = layer.weights ?? layer.initialization.weights(neurons: layer.neurons.count, inputs: fanIn, using: &rng)
      layers.append(DenseLayer(weights: weights, biases: layer.biases ?? Array(repeating: 0, count: layer.neurons.count), activation: layer.activation))
      fanIn = layer.neurons.count
    }
    let network = Network(inputCount: spec.inputs.count, layers: layers, loss: spec.loss, reduction: spec.reduction,
      updatesBiases: spec.updatesBiases, updateOrder: spec.updateOrder)
    if network.parameterCount > limits.parameters {
      error("network `\(spec.name)` has \(network.parameterCount) parameters, over the limit of \(limits.parameters)", at: location,
        notes: ["raise the limit on purpose with `--max-parameters N`"])
      return
    }
    let declaration = NetworkDeclaration(spec: spec, names: NetworkNames(spec), network: network, location: location)
    networks[spec.name] = State(declaration: declaration, network: network, optimizerState: OptimizerState(for: network))
    current = spec.name
    items.append(.network(declaration))
  }

  mutating func declare(_ spec: DataSpec) {
    let dataset: Dataset
    switch spec.source {
    case .inline(let d): dataset = d
    case .xor: dataset = .xor
    case .spiral(let classes, let points, let noise, let seed):
      // Checked before drawing, so an over-large request costs nothing.
      guard classes * points * (2 + classes) <= limits.dataNumbers else { dataLimitError(path: nil, at: spec.location); return }
      dataset = .spiral(classes: classes, pointsPerClass: points, noise: noise, seed: seed)
    case .csv(let path, let columns):
      let text: String
      do { text = try loader(path) } catch {
        self.error("cannot read data file `\(path)`: \(error)", at: spec.pathLocation ?? spec.location); return
      }
      switch CSVTable.parse(text, inputColumns: columns, maxNumbers: limits.dataNumbers) {
      case .success(let d): dataset = d
      case .failure(let problem) where problem.overLimit:
        dataLimitError(path: path, at: spec.pathLocation ?? spec.location); return
      case .failure(let problem):
        self.error("data file `\(path)`, \(problem.place): \(problem.message)", at: spec.pathLocation ?? spec.location); return
      }
    }
    if dataset.count * (dataset.inputs.columns + dataset.targets.columns) > limits.dataNumbers {
      dataLimitError(path: nil, at: spec.location); return
    }
    let name = spec.name ?? "data"
    datasets[name] = dataset
    dataLocations[name] = spec.location
    latestData = name
    items.append(.data(DataDeclaration(name: name, dataset: dataset, source: spec.source, location: spec.location)))
  }
}

extension LessonRunner {
  mutating func dataLimitError(path: String?, at location: SourceLocation) {
    error("this data set holds more than \(limits.dataNumbers) numbers, the limit for one data set\(path.map { " (in `\($0)`)" } ?? "")", at: location,
      notes: ["use fewer samples, or raise the limit on purpose with `--max-data N`"])
  }
}

extension Block {
  /// Every `{{name}}` in the block, in prose and in math, in reading order.
  func valueReferences(file: String) -> [(String, SourceLocation)] {
    func math(_ tex: String) -> [(String, SourceLocation)] {
      MathValue.references(in: tex, file: file).map { ($0.name, $0.location) }
    }
    func inlines(_ list: [Inline]) -> [(String, SourceLocation)] {
      list.flatMap { inline -> [(String, SourceLocation)] in
        switch inline {
        case .value(let name, _, let location): [(name, location)]
        case .math(let tex, _): math(tex)
        case .emphasis(let c), .strong(let c), .link(_, _, let c), .image(_, _, let c): inlines(c)
        default: []
        }
      }
    }
    switch self {
    case .paragraph(let i), .heading(_, let i): return inlines(i)
    case .blockQuote(let blocks): return blocks.flatMap { $0.valueReferences(file: file) }
    case .list(_, _, _, let items): return items.joined().flatMap { $0.valueReferences(file: file) }
    case .displayMath(let tex): return math(tex)
    case .table(_, let header, let rows): return (header + rows.joined()).flatMap(inlines)
    case .code, .html, .thematicBreak: return []
    }
  }
}
