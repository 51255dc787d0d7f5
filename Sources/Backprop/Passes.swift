/// What a forward pass computed: per layer, z and a for every sample (rows) and neuron (columns).
public struct ForwardPass: Sendable, Hashable {
  public var inputs: Matrix
  public var z: [Matrix]
  public var a: [Matrix]
  /// The output layer's activations.
  public var outputs: Matrix { a.last ?? inputs }
}

/// The error of a batch: each output's term per sample, each sample's E_n, and the reduced E.
public struct LossValue: Sendable, Hashable {
  /// terms[n, k]: output k's contribution to E_n.
  public var terms: Matrix
  public var perSample: [Double]
  public var total: Double
}

/// What a backward pass computed, per layer.
///
/// `errorSignal` and `delta` are per sample and unreduced: row n holds ∂E_n/∂a and ∂E_n/∂z.
/// The parameter gradients are of the reduced error E.
public struct BackwardPass: Sendable, Hashable {
  /// ∂E_n/∂a: the loss derivative at the output, Σ_k w_kj δ_k for hidden layers.
  public var errorSignal: [Matrix]
  /// δ = ∂E_n/∂z.
  public var delta: [Matrix]
  /// ∂E/∂W, shaped like the weights.
  public var weightGradients: [Matrix]
  /// ∂E/∂b.
  public var biasGradients: [[Double]]
}

extension Network {
  /// Runs the inputs (one sample per row) through every layer.
  public func forward(_ inputs: Matrix) -> ForwardPass {
    precondition(inputs.columns == inputCount, "expected \(inputCount) inputs per sample")
    var zs: [Matrix] = []
    var activations: [Matrix] = []
    var previous = inputs
    for layer in layers {
      var z = Matrix(rows: inputs.rows, columns: layer.neuronCount)
      var a = z
      Kernels.affine(previous, layer.weights, layer.biases, into: &z)
      z.values.withUnsafeBufferPointer { zp in
        a.values.withUnsafeMutableBufferPointer { ap in
          for n in 0..<z.rows {
            let range = n * z.columns..<(n + 1) * z.columns
            layer.activation.apply(UnsafeBufferPointer(rebasing: zp[range]), into: UnsafeMutableBufferPointer(rebasing: ap[range]))
          }
        }
      }
      zs.append(z)
      activations.append(a)
      previous = a
    }
    return ForwardPass(inputs: inputs, z: zs, a: activations)
  }

  /// The error of the network's outputs against the targets (one sample per row).
  public func loss(of outputs: Matrix, targets: Matrix) -> LossValue {
    precondition(outputs.rows == targets.rows && outputs.columns == targets.columns, "targets do not fit the outputs")
    var terms = Matrix(rows: outputs.rows, columns: outputs.columns)
    var perSample = [Double](repeating: 0, count: outputs.rows)
    for n in 0..<outputs.rows {
      var sum = 0.0
      for k in 0..<outputs.columns {
        let term = loss.term(a: outputs[n, k], t: targets[n, k], outputs: outputs.columns)
        terms[n, k] = term
        sum += term
      }
      perSample[n] = sum
    }
    let total = perSample.reduce(0, +)
    return LossValue(terms: terms, perSample: perSample, total: reduction == .mean ? total / Double(max(outputs.rows, 1)) : total)
  }

  /// The factor each sample's gradient carries in the batch gradient: 1/N for a mean, 1 for a sum.
  public func sampleWeight(batchSize: Int) -> Double {
    reduction == .mean ? 1 / Double(max(batchSize, 1)) : 1
  }

  /// Back-propagates the error of a forward pass: δ for every neuron, gradients for every parameter.
  public func backward(_ pass: ForwardPass, targets: Matrix) -> BackwardPass {
    let count = layers.count
    var signals = [Matrix](repeating: Matrix(rows: 0, columns: 0), count: count)
    var deltas = signals
    var weightGradients = signals
    var biasGradients = [[Double]](repeating: [], count: count)
    guard count > 0 else { return BackwardPass(errorSignal: [], delta: [], weightGradients: [], biasGradients: []) }

    signals[count - 1] = outputErrorSignal(pass, targets: targets)
    deltas[count - 1] = outputDelta(pass, targets: targets, signal: signals[count - 1])
    for l in stride(from: count - 1, through: 0, by: -1) {
      (weightGradients[l], biasGradients[l]) = parameterGradients(layer: l, pass: pass, delta: deltas[l])
      if l > 0 {
        signals[l - 1] = Kernels.backpropagateSignal(deltas[l], through: layers[l].weights)
        deltas[l - 1] = hiddenDelta(layer: l - 1, pass: pass, signal: signals[l - 1])
      }
    }
    return BackwardPass(errorSignal: signals, delta: deltas, weightGradients: weightGradients, biasGradients: biasGradients)
  }

  func outputErrorSignal(_ pass: ForwardPass, targets: Matrix) -> Matrix {
    let a = pass.outputs
    var g = Matrix(rows: a.rows, columns: a.columns)
    for i in 0..<a.values.count {
      g.values[i] = loss.derivative(a: a.values[i], t: targets.values[i], outputs: a.columns)
    }
    return g
  }

  func outputDelta(_ pass: ForwardPass, targets: Matrix, signal: Matrix) -> Matrix {
    let l = layers.count - 1
    if loss.fusesWith(layers[l].activation) {
      var delta = pass.a[l]
      for i in 0..<delta.values.count { delta.values[i] = loss.fusedDelta(a: delta.values[i], t: targets.values[i], outputs: delta.columns) }
      return delta
    }
    return hiddenDelta(layer: l, pass: pass, signal: signal)
  }

  /// δ = ∂E_n/∂z of layer l from its error signal ∂E_n/∂a.
  func hiddenDelta(layer l: Int, pass: ForwardPass, signal: Matrix) -> Matrix {
    var delta = signal
    let activation = layers[l].activation
    let width = signal.columns
    signal.values.withUnsafeBufferPointer { g in
      pass.z[l].values.withUnsafeBufferPointer { z in
        pass.a[l].values.withUnsafeBufferPointer { a in
          delta.values.withUnsafeMutableBufferPointer { d in
            for n in 0..<signal.rows {
              let r = n * width..<(n + 1) * width
              activation.backpropagate(
                UnsafeBufferPointer(rebasing: g[r]), z: UnsafeBufferPointer(rebasing: z[r]),
                a: UnsafeBufferPointer(rebasing: a[r]), into: UnsafeMutableBufferPointer(rebasing: d[r]))
            }
          }
        }
      }
    }
    return delta
  }

  /// ∂E/∂W = Σ_n s·δ_nᵀ x_n and ∂E/∂b = Σ_n s·δ_n, with s the sample weight of the reduction.
  func parameterGradients(layer l: Int, pass: ForwardPass, delta: Matrix) -> (Matrix, [Double]) {
    let input = l == 0 ? pass.inputs : pass.a[l - 1]
    let scale = sampleWeight(batchSize: delta.rows)
    return Kernels.outerGradients(delta, input, scale: scale)
  }
}
