import Backprop

/// Lessons that run to the end with finite numbers but teach nonsense: nothing learns, every
/// neuron is pinned at its limit, the error climbs. Each is a warning at the block where it
/// first shows, with its likely cause, in the manner of the NaN diagnosis in
/// LessonRunner+Trouble.swift. Warnings never stop a run or change the exit status.
extension LessonRunner {
  /// Beyond these |z| a neuron's derivative is below 1e-13 (σ′(30) ≈ 9e-14, tanh′(20) ≈ 2e-17):
  /// its output is pinned and nothing before it learns.
  static let sigmoidSaturation = 30.0
  static let tanhSaturation = 20.0

  mutating func warn(_ message: String, at location: SourceLocation, notes: [String], once key: String) {
    // One warning per network and cause: the same cause at every later block is noise.
    guard warned.insert(key).inserted else { return }
    warnings.append(Diagnostic(.warning, message, at: location, notes: notes))
  }

  /// Looks at what a directive did; `result` is complete, `state` is the network after it.
  mutating func warnAboutNonsense(_ result: DirectiveResult, declaration: NetworkDeclaration) {
    let name = result.networkName
    let names = declaration.names
    let kind = result.kind.rawValue
    let rate = result.optimizer.learningRate
    let updates = result.update != nil || result.training != nil
    let unchanged = updates && Self.sameParameters(result.before, result.after)

    if updates, rate == 0 {
      warn("network `\(name)` has a learning rate of 0, so this `\(kind)` changes no parameter", at: result.location,
        notes: ["likely cause: `learning-rate: 0` in the network at line \(declaration.location.line); with a rate of 0 every weight stays where it started, and the lesson shows the same numbers before and after; a lesson usually uses 0.01 to 1"],
        once: "\(name):rate0")
    } else if unchanged {
      var notes: [String] = []
      if let f = result.forward, let dead = Self.deadReLUs(f, result.before, names), !dead.isEmpty {
        notes.append("likely cause: dead ReLUs: \(dead.joined(separator: ", ")) \(dead.count == 1 ? "has" : "have") z ≤ 0 for every sample, so \(dead.count == 1 ? "its" : "their") gradient is 0 and nothing before \(dead.count == 1 ? "it" : "them") learns; start from other weights or biases, or use `leaky-relu`")
      } else if let loss = result.loss, loss.total == 0 {
        notes.append("likely cause: the outputs already equal the targets (E = 0), so there is nothing to learn")
      } else if let f = result.forward, !Self.saturated(f, result.before, names).isEmpty {
        notes.append("likely cause: saturated neurons (\(Self.saturated(f, result.before, names).joined(separator: ", "))): their derivative is about 0, so no gradient reaches the weights")
      } else {
        notes.append("likely cause: gradients too small to change a weight at the learning rate \(rate); check the data and the starting weights")
      }
      warn("this `\(kind)` changed no parameter of network `\(name)`: every gradient is 0", at: result.location, notes: notes, once: "\(name):unchanged")
    }

    // Saturation: judged on the pass over the data the block shows (after training, for `train`).
    if let f = result.forward {
      let network = result.training != nil ? result.after : result.before
      let pinned = Self.saturated(f, network, names)
      if !pinned.isEmpty {
        var notes: [String] = []
        let largest = Self.largestWeight(network, names)
        if let largest { notes.append("the weight largest in size is \(largest.name) = \(largest.value)") }
        if let largest, abs(largest.value) > 1e6, updates {
          notes.append("likely cause: the learning rate \(rate) is so large that the updates overshot and the weights grew without bound; the error stays finite only because the outputs are pinned; try \(rate / 10)")
        } else {
          notes.append("likely cause: inputs or weights too large for \(pinned.count == 1 ? "this neuron" : "these neurons"): scale the inputs to about −1…1, or start from smaller weights")
        }
        warn("\(pinned.joined(separator: ", ")) \(pinned.count == 1 ? "is" : "are") saturated \(result.training != nil ? "after" : "in") this `\(kind)`: |z| is beyond \(Int(Self.sigmoidSaturation)) (\(Int(Self.tanhSaturation)) for tanh) for every sample, so the output is pinned at its limit and its gradient is about 0",
          at: result.location, notes: notes, once: "\(name):saturated")
      }
    }

    // An error that rises at every iteration of a `train`: each update overshoots.
    if let losses = result.training?.history.losses, result.training?.history.stoppedAt == nil, losses.count >= 3,
       zip(losses, losses.dropFirst()).allSatisfy({ $1 > $0 }) {
      warn("the error rose at every one of the \(losses.count) iterations of this `train`, from \(losses.first!) to \(losses.last!)", at: result.location,
        notes: ["likely cause: the learning rate \(rate) is too large, so each update overshoots the minimum; try \(rate / 10)"],
        once: "\(name):rising")
    }
  }

  static func sameParameters(_ a: Network, _ b: Network) -> Bool {
    zip(a.layers, b.layers).allSatisfy { $0.weights.values == $1.weights.values && $0.biases == $1.biases }
  }

  /// Hidden ReLU neurons whose z is at most 0 for every sample.
  static func deadReLUs(_ f: ForwardPass, _ network: Network, _ names: NetworkNames) -> [String]? {
    var out: [String] = []
    for (l, layer) in network.layers.enumerated() where layer.activation == .relu && l < f.z.count {
      for j in 0..<f.z[l].columns where (0..<f.z[l].rows).allSatisfy({ f.z[l][$0, j] <= 0 }) {
        out.append(names.neurons[l][j])
      }
    }
    return out
  }

  /// Sigmoid and tanh neurons beyond their saturation for every sample.
  static func saturated(_ f: ForwardPass, _ network: Network, _ names: NetworkNames) -> [String] {
    var out: [String] = []
    for (l, layer) in network.layers.enumerated() where l < f.z.count {
      let limit: Double
      switch layer.activation {
      case .sigmoid: limit = sigmoidSaturation
      case .tanh: limit = tanhSaturation
      default: continue
      }
      for j in 0..<f.z[l].columns where f.z[l].rows > 0 && (0..<f.z[l].rows).allSatisfy({ abs(f.z[l][$0, j]) > limit }) {
        out.append(names.neurons[l][j])
      }
    }
    return out
  }

  static func largestWeight(_ network: Network, _ names: NetworkNames) -> (name: String, value: Double)? {
    var largest: (name: String, value: Double)?
    for (l, layer) in network.layers.enumerated() {
      for j in 0..<layer.weights.rows {
        for i in 0..<layer.weights.columns where abs(layer.weights[j, i]) > (largest.map { abs($0.value) } ?? -1) {
          largest = (names.weights[l][j][i], layer.weights[j, i])
        }
      }
    }
    return largest
  }
}
