/// One layer's update: the values before, the gradient actually applied, the values after,
/// and the optimizer's memory after the step.
public struct LayerUpdate: Sendable, Hashable {
  public var oldWeights: Matrix
  public var weightGradient: Matrix
  public var newWeights: Matrix
  public var oldBiases: [Double]
  public var biasGradient: [Double]
  public var newBiases: [Double]
  public var biasesUpdated: Bool
  public var weightSlots: OptimizerSlots
  public var biasSlots: OptimizerSlots
  /// Under the sequential order, the δ this layer's gradient was recomputed from (nil when unchanged).
  public var recomputedDelta: Matrix?
}

public struct UpdateRecord: Sendable, Hashable {
  public var layers: [LayerUpdate]
  public var order: UpdateOrder
  /// The optimizer's step counter after this update.
  public var step: Int
}

extension Network {
  /// Applies one optimizer step from a backward pass, following the network's update order.
  ///
  /// Under ``UpdateOrder/sequential`` the gradients of each hidden layer are recomputed from
  /// the already-updated layer above, so they can differ from those in `backward`.
  @discardableResult
  public mutating func update(
    from pass: ForwardPass, _ backward: BackwardPass, targets: Matrix,
    optimizer: Optimizer, state: inout OptimizerState
  ) -> UpdateRecord {
    state.step += 1
    var records = [LayerUpdate?](repeating: nil, count: layers.count)
    var weightGradients = backward.weightGradients
    var biasGradients = backward.biasGradients
    var recomputed = [Matrix?](repeating: nil, count: layers.count)
    var delta = backward.delta.last
    for l in stride(from: layers.count - 1, through: 0, by: -1) {
      if updateOrder == .sequential, l < layers.count - 1, let above = delta {
        // The layer above already has its new weights: propagate δ through them.
        let signal = Kernels.backpropagateSignal(above, through: layers[l + 1].weights)
        let d = hiddenDelta(layer: l, pass: pass, signal: signal)
        (weightGradients[l], biasGradients[l]) = parameterGradients(layer: l, pass: pass, delta: d)
        recomputed[l] = d
        delta = d
      }
      let old = layers[l]
      optimizer.apply(to: &layers[l].weights.values, gradient: weightGradients[l].values, slots: &state.weights[l], step: state.step)
      if updatesBiases {
        optimizer.apply(to: &layers[l].biases, gradient: biasGradients[l], slots: &state.biases[l], step: state.step)
      }
      records[l] = LayerUpdate(
        oldWeights: old.weights, weightGradient: weightGradients[l], newWeights: layers[l].weights,
        oldBiases: old.biases, biasGradient: biasGradients[l], newBiases: layers[l].biases,
        biasesUpdated: updatesBiases, weightSlots: state.weights[l], biasSlots: state.biases[l],
        recomputedDelta: recomputed[l])
    }
    return UpdateRecord(layers: records.map { $0! }, order: updateOrder, step: state.step)
  }
}
