/// A fully connected layer: z = W·x + b, a = f(z).
public struct DenseLayer: Sendable, Hashable {
  /// Weights as rows per neuron: `weights[j, i]` connects input i to neuron j.
  public var weights: Matrix
  public var biases: [Double]
  public var activation: Activation

  public init(weights: Matrix, biases: [Double], activation: Activation) {
    precondition(biases.count == weights.rows, "one bias per neuron")
    self.weights = weights
    self.biases = biases
    self.activation = activation
  }

  public var inputCount: Int { weights.columns }
  public var neuronCount: Int { weights.rows }
}

/// When the hidden layers' δ are computed relative to the update of the layers above them.
public enum UpdateOrder: String, Sendable, Hashable {
  /// Every δ uses the weights as they were before this update: the gradient of E, the standard.
  case simultaneous
  /// Layers are updated from the output down, and each hidden δ uses the already-updated weights
  /// of the layer above. Not a gradient of E; some published worked examples did this.
  case sequential
}

/// A feed-forward network of dense layers with its loss and training conventions.
public struct Network: Sendable, Hashable {
  public var inputCount: Int
  public var layers: [DenseLayer]
  public var loss: Loss
  public var reduction: Reduction
  /// Whether updates change the biases; the worked example keeps them fixed.
  public var updatesBiases: Bool
  public var updateOrder: UpdateOrder

  public init(
    inputCount: Int, layers: [DenseLayer], loss: Loss, reduction: Reduction = .mean,
    updatesBiases: Bool = true, updateOrder: UpdateOrder = .simultaneous
  ) {
    var expected = inputCount
    for layer in layers {
      precondition(layer.inputCount == expected, "layer sizes do not chain")
      expected = layer.neuronCount
    }
    self.inputCount = inputCount
    self.layers = layers
    self.loss = loss
    self.reduction = reduction
    self.updatesBiases = updatesBiases
    self.updateOrder = updateOrder
  }

  public var outputCount: Int { layers.last?.neuronCount ?? inputCount }

  /// Number of trainable numbers (weights and biases).
  public var parameterCount: Int { layers.reduce(0) { $0 + $1.weights.values.count + $1.biases.count } }
}
