import Backprop

/// Where a value first stopped being a finite number, and the likely reason, in words an
/// author can act on.
struct NumericalTrouble {
  var message: String
  var notes: [String]

  /// Diagnoses a network whose forward pass over `data` (or its error) is not finite.
  ///
  /// - Parameters:
  ///   - stage: what was running, e.g. "training stopped at iteration 57" or "after this `step`".
  ///   - losses: the errors of the iterations before, to show a trend.
  init(_ stage: String, network: Network, names: NetworkNames, data: Dataset, optimizer: Optimizer, losses: [Double] = []) {
    let f = network.forward(data.inputs)
    let loss = network.loss(of: f.outputs, targets: data.targets)
    var place: String?
    search: for l in f.z.indices {
      for n in 0..<f.z[l].rows {
        for j in 0..<f.z[l].columns where !f.z[l][n, j].isFinite || !f.a[l][n, j].isFinite {
          place = "\(names.neurons[l][j]) (layer \(l + 1), neuron \(j + 1), sample \(n + 1)) has z = \(f.z[l][n, j]) and a = \(f.a[l][n, j])"
          break search
        }
      }
    }
    var logOfZero = false
    if place == nil {
      search: for n in 0..<loss.terms.rows {
        for k in 0..<loss.terms.columns where !loss.terms[n, k].isFinite {
          let output = names.neurons.last?[k] ?? "output \(k + 1)"
          place = "\(output)'s share of the error for sample \(n + 1) is \(loss.terms[n, k]) (a = \(f.outputs[n, k]), t = \(data.targets[n, k]))"
          logOfZero = [Loss.crossEntropy, .binaryCrossEntropy, .meanBinaryCrossEntropy].contains(network.loss)
          break search
        }
      }
    }
    message = "\(stage): the error E became \(loss.total)" + (place.map { "; \($0)" } ?? "")

    var notes: [String] = []
    // The parameter furthest from 0 shows whether the weights ran away.
    var largest: (name: String, value: Double)?
    for (l, layer) in network.layers.enumerated() {
      for j in 0..<layer.weights.rows {
        for i in 0..<layer.weights.columns {
          let v = layer.weights[j, i]
          // The first weight that is not finite, else the one furthest from 0.
          let further = largest.map { $0.value.isFinite && (!v.isFinite || abs(v) > abs($0.value)) } ?? true
          if further { largest = (names.weights[l][j][i], v) }
        }
      }
    }
    if let largest { notes.append("the weight largest in size is \(largest.name) = \(largest.value)") }
    if let first = losses.first, let last = losses.last, losses.count >= 2 {
      notes.append("the error went from \(first) at iteration 1 to \(last) at iteration \(losses.count)")
    }
    let grew = (losses.last ?? 0) > 10 * (losses.first ?? .infinity) || (largest.map { !$0.value.isFinite || abs($0.value) > 1e6 } ?? false)
    let rate = optimizer.learningRate
    if logOfZero {
      notes.append("likely cause: an output reached exactly 0 or 1 and the loss took the logarithm of 0; a smaller learning rate (now \(rate)) keeps outputs off the ends")
    } else if grew {
      notes.append("likely cause: the learning rate \(rate) is too large, so each update overshoots and the weights grow without bound; try \(rate / 10)")
    } else if data.inputs.values.contains(where: { abs($0) > 1e6 }) {
      notes.append("likely cause: inputs far from 0; scale them to about −1…1")
    } else {
      notes.append("likely causes: a learning rate too large (now \(rate)), inputs far from 0, or a log of 0 in the loss")
    }
    self.notes = notes
  }
}
