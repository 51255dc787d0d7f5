import Backprop

/// A network block's declaration, with names for every neuron and parameter.
public struct NetworkSpec: Sendable {
  public var name: String
  public var inputs: [String]
  public var layers: [LayerSpec]
  public var loss: Loss
  public var reduction: Reduction
  public var optimizer: Optimizer
  public var updatesBiases: Bool
  public var updateOrder: UpdateOrder
  public var seed: UInt64
  /// Set for a network of typed layers (`input-shape`, `type: conv2d`, …); `inputs` and
  /// `layers` are then empty and `updateOrder` is simultaneous.
  public var layered: LayeredSpec? = nil
}

public struct LayerSpec: Sendable {
  public var neurons: [String]
  public var activation: Activation
  /// Given weights, or nil to draw them with `initialization`.
  public var weights: Matrix?
  public var biases: [Double]?
  public var initialization: Initialization
  public var weightNames: [[String]]?
  public var biasNames: [String]?
}

/// Where a data block's samples come from.
public enum DataSource: Sendable, Hashable {
  case inline(Dataset)
  case csv(path: String, inputColumns: Int?)
  case xor
  case spiral(classes: Int, pointsPerClass: Int, noise: Double, seed: UInt64)
}

public struct DataSpec: Sendable {
  public var name: String?
  public var source: DataSource
  public var location: SourceLocation
  /// Where a `csv:` path is written, for problems reading the file.
  public var pathLocation: SourceLocation? = nil
}

/// Settings of a directive block (forward, loss, backward, update, step, train, gradcheck).
public struct DirectiveSpec: Sendable {
  public var data: String?
  /// Where the name after `data:` is written, for errors about it.
  public var dataLocation: SourceLocation?
  /// What only some kinds take: a `train` block its training, a `gradcheck` its step.
  public var settings: Settings = .pass

  public enum Settings: Sendable {
    case pass
    case train(TrainSettings)
    /// The finite-difference step h.
    case gradcheck(step: Double)
  }
}

/// A `train` block's settings.
public struct TrainSettings: Sendable {
  /// The number of updates (from `iterations`, or `epochs` × updates per epoch when run).
  public var iterations: Int?
  public var epochs: Int?
  public var batchSize: Int?
  public var shuffleSeed: UInt64?
  /// Iterations whose error the report lists.
  public var record: [Int]?
  /// Where each entry of `record` is written.
  public var recordLocations: [SourceLocation] = []
  public var every: Int?
  /// Other networks whose latest training curves share this block's chart.
  public var compare: [String] = []
  /// Where each name in `compare` is written.
  public var compareLocations: [SourceLocation] = []
  /// Draw the error on a logarithmic axis.
  public var logScale: Bool = true
  /// The learning rate's schedule (`schedule:`), as torch.optim.lr_scheduler's.
  public var learningRateSchedule: LearningRateSchedule?
}

/// One line of a check block: `name = value`, optionally `± tolerance` or `± p%`.
public struct CheckSpec: Sendable, Hashable {
  public enum Tolerance: Sendable, Hashable {
    /// Passes when the computed value rounds to the digits written: half a unit in the last place.
    case digitsWritten(Double)
    case absolute(Double)
    case relative(Double)
  }
  public var name: String
  public var expectedText: String
  public var expected: Double
  public var tolerance: Tolerance
  public var note: String?
  public var location: SourceLocation
}
