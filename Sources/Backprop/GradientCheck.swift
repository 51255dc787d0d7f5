/// One parameter's analytic gradient beside its central finite-difference estimate.
public struct GradientComparison: Sendable, Hashable {
  public enum Parameter: Sendable, Hashable {
    case weight(layer: Int, neuron: Int, input: Int)
    case bias(layer: Int, neuron: Int)
  }
  public var parameter: Parameter
  public var analytic: Double
  public var numeric: Double
  /// |analytic − numeric| / max(|analytic|, |numeric|), and 0 when both are 0 (CS231n's measure).
  public var relativeError: Double {
    let scale = max(abs(analytic), abs(numeric))
    return scale == 0 ? 0 : abs(analytic - numeric) / scale
  }
}

extension Network {
  /// Compares every parameter's gradient with (E(p + h) − E(p − h)) / 2h.
  public func gradientCheck(_ data: Dataset, step h: Double = 1e-5) -> [GradientComparison] {
    let analytic = backward(forward(data.inputs), targets: data.targets)
    func error(_ network: Network) -> Double {
      network.loss(of: network.forward(data.inputs).outputs, targets: data.targets).total
    }
    func numeric(_ change: (inout Network, Double) -> Void) -> Double {
      var plus = self, minus = self
      change(&plus, h)
      change(&minus, -h)
      return (error(plus) - error(minus)) / (2 * h)
    }
    var out: [GradientComparison] = []
    for l in layers.indices {
      let w = layers[l].weights
      for j in 0..<w.rows {
        for i in 0..<w.columns {
          out.append(GradientComparison(
            parameter: .weight(layer: l, neuron: j, input: i), analytic: analytic.weightGradients[l][j, i],
            numeric: numeric { $0.layers[l].weights[j, i] += $1 }))
        }
      }
      for j in 0..<w.rows {
        out.append(GradientComparison(
          parameter: .bias(layer: l, neuron: j), analytic: analytic.biasGradients[l][j],
          numeric: numeric { $0.layers[l].biases[j] += $1 }))
      }
    }
    return out
  }
}
