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

/// What one directive did to a network of typed layers.
public struct LayeredResult: Sendable {
  public var kind: Directive
  public var location: SourceLocation
  public var networkName: String
  public var spec: LayeredSpec
  public var dataName: String
  public var data: Dataset
  public var optimizer: Optimizer
  public var before: LayeredNetwork
  public var after: LayeredNetwork
  public var forward: LayeredForward?
  public var loss: LossValue?
  public var backward: LayeredBackward?
  public var update: LayeredUpdate?
  /// `train`: every iteration's error, the iterations listed, and the epochs run.
  public var history: TrainingHistory?
  public var recorded: [Int] = []
  public var epochs: Double = 0
  public var gradientCheck: [LayeredGradientComparison]?

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

/// What one directive did to one network.
public struct DirectiveResult: Sendable {
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
  public var forward: ForwardPass?
  public var loss: LossValue?
  public var backward: BackwardPass?
  public var update: UpdateRecord?
  public var training: TrainingResult?
  public var gradientCheck: [GradientComparison]?
  /// Whether a training curve may use a logarithmic axis (`log-scale`, default true).
  public var trainingLogScale = true
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
