import Backprop

/// A lesson after it ran: every item in order, with the values each directive produced.
public struct ExecutedLesson: Sendable {
  public var lesson: Lesson
  public var items: [ExecutedItem]
  /// Set when a value became NaN or infinite and the run stopped there.
  public var stoppedEarly: Diagnostic?
  /// Warnings about values that are finite but teach nonsense (see LessonRunner+Warnings.swift),
  /// shown in the report beside the block they are about.
  public var warnings: [Diagnostic] = []
  /// The passes of the lesson, in order, as the runner met them: each begins with a directive
  /// that computed a forward pass (forward, loss, backward or step) and collects the loss,
  /// backward pass and update that follow on the same network from the same parameters and data.
  public var passes: [Pass] = []

  public var checks: [CheckResult] {
    items.flatMap { item -> [CheckResult] in
      if case .checks(let c, _) = item { return c }
      return []
    }
  }
}

public enum ExecutedItem: Sendable {
  /// Prose, with the value of each `{{name}}` in it, keyed by the reference's location.
  case prose(MarkdownNode, values: [SourceLocation: Double])
  case network(NetworkDeclaration)
  case data(DataDeclaration)
  case directive(DirectiveResult)
  case checks([CheckResult], location: SourceLocation)
  /// A `graph` block: its values, gradients and names.
  case graph(GraphResult)
  /// A network of typed layers (convolution, pooling, rnn), and a directive on one.
  case layeredNetwork(LayeredDeclaration)
  case layered(LayeredResult)
}

public struct LayeredDeclaration: Sendable {
  public var spec: NetworkSpec
  public var layered: LayeredSpec
  public var location: SourceLocation
}

/// What a `train` block did to a network of typed layers.
public struct LayeredTraining: Sendable {
  public var history: TrainingHistory
  /// The iterations the report lists (1-based).
  public var recorded: [Int]
  public var epochs: Double
  /// The share of samples classified right after the last update, when the targets are classes.
  public var accuracy: Double?
}

/// What one directive did to a network of typed layers.
public struct LayeredResult: Sendable {
  public typealias Outcome = DirectiveOutcome<LayeredForward, LayeredBackward, LayeredUpdate, LayeredTraining, LayeredGradientComparison>
  public var kind: Directive
  public var location: SourceLocation
  public var networkName: String
  public var spec: LayeredSpec
  public var dataName: String
  public var data: Dataset
  public var optimizer: Optimizer
  public var before: LayeredNetwork
  public var after: LayeredNetwork
  public var outcome: Outcome

  public var forward: LayeredForward? { outcome.forward }
  public var loss: LossValue? { outcome.loss }
  public var backward: LayeredBackward? { outcome.backward }
  public var update: LayeredUpdate? { outcome.update }
  public var history: TrainingHistory? { outcome.training?.history }
  public var recorded: [Int] { outcome.training?.recorded ?? [] }
  public var epochs: Double { outcome.training?.epochs ?? 0 }
  public var gradientCheck: [LayeredGradientComparison]? { outcome.comparisons }

  /// The pass this result's values belong to, read as a student reads it.
  public func pass(notation: Notation) -> LayeredPass? {
    guard let forward else { return nil }
    return LayeredPass(networkName: networkName, spec: spec, notation: notation, network: before, optimizer: optimizer,
      inputs: data.inputs.nested, targets: data.targets.nested, forward: forward, loss: loss, backward: backward, update: update)
  }
}

public struct NetworkDeclaration: Sendable {
  public var spec: NetworkSpec
  public var names: NetworkNames
  public var network: Network
  public var location: SourceLocation
}

public struct DataDeclaration: Sendable {
  public var name: String
  public var dataset: Dataset
  public var source: DataSource
  public var location: SourceLocation
}

/// What a directive computed, one case per kind: a result cannot hold values its kind does not
/// make (an update without its backward pass, a training curve on a `forward`). The same shape
/// serves dense networks and networks of typed layers.
public enum DirectiveOutcome<Forward: Sendable, Backward: Sendable, Update: Sendable, Training: Sendable, Comparison: Sendable>: Sendable {
  case forward(Forward)
  case loss(Forward, LossValue)
  case backward(Forward, LossValue, Backward)
  case update(Forward, Backward, Update)
  case step(Forward, LossValue, Backward, Update)
  /// The training, and the forward pass and error after its last update.
  case train(Training, final: Forward, loss: LossValue)
  /// The comparisons, at the current parameters (the forward pass is shown, nothing changes).
  case gradcheck(Forward, [Comparison])

  /// The forward pass the directive shows: its own, the one it built on, or after training.
  public var forward: Forward {
    switch self {
    case .forward(let f), .loss(let f, _), .backward(let f, _, _), .update(let f, _, _), .step(let f, _, _, _), .train(_, let f, _), .gradcheck(let f, _): f
    }
  }

  public var loss: LossValue? {
    switch self {
    case .loss(_, let l), .backward(_, let l, _), .step(_, let l, _, _), .train(_, _, let l): l
    case .forward, .update, .gradcheck: nil
    }
  }

  public var backward: Backward? {
    switch self {
    case .backward(_, _, let b), .update(_, let b, _), .step(_, _, let b, _): b
    case .forward, .loss, .train, .gradcheck: nil
    }
  }

  public var update: Update? {
    switch self {
    case .update(_, _, let u), .step(_, _, _, let u): u
    default: nil
    }
  }

  public var training: Training? {
    if case .train(let t, _, _) = self { return t }
    return nil
  }

  public var comparisons: [Comparison]? {
    if case .gradcheck(_, let c) = self { return c }
    return nil
  }
}

/// What one directive did to one network.
public struct DirectiveResult: Sendable {
  public typealias Outcome = DirectiveOutcome<ForwardPass, BackwardPass, UpdateRecord, TrainingResult, GradientComparison>
  public var kind: Directive
  public var location: SourceLocation
  public var networkName: String
  public var names: NetworkNames
  public var dataName: String
  public var data: Dataset
  public var optimizer: Optimizer
  /// The network when the directive began, and when it ended.
  public var before: Network
  public var after: Network
  public var outcome: Outcome
  /// Whether a training curve may use a logarithmic axis (`log-scale`, default true).
  public var trainingLogScale = true

  public var forward: ForwardPass? { outcome.forward }
  public var loss: LossValue? { outcome.loss }
  public var backward: BackwardPass? { outcome.backward }
  public var update: UpdateRecord? { outcome.update }
  public var training: TrainingResult? { outcome.training }
  public var gradientCheck: [GradientComparison]? { outcome.comparisons }
}

public struct TrainingResult: Sendable {
  public var schedule: TrainingSchedule
  public var epochs: Double
  public var history: TrainingHistory
  /// The iterations whose error the report lists (1-based, within the run).
  public var recorded: [Int]
  /// A forward pass over the whole data set after the last update, and its error.
  public var finalForward: ForwardPass
  public var finalLoss: LossValue
  /// Share of samples classified correctly after training, when the targets are classes.
  public var accuracy: Double?
  /// Curves of other networks' latest training, drawn with this one (`compare:`), by network name.
  public var comparisons: [(network: String, losses: [Double])] = []
  /// For class targets: the accuracy on the whole data set after about 100 evenly spaced iterations.
  public var accuracyCurve: [(iteration: Int, accuracy: Double)] = []
}

public struct CheckResult: Sendable {
  public var spec: CheckSpec
  public var computed: Double?
  public var passed: Bool
  /// The tolerance in absolute terms, as applied.
  public var allowed: Double
}
