import Backprop
import Foundation

/// How each value of a pass of typed layers is computed from others: one description serves
/// both `parents` (what follow-through marking traces a slip back to) and `recompute` (the
/// value again from a student's own numbers).
extension LayeredPass {
  indirect enum Formula {
    /// scale · (Σ aᵢ·bᵢ + Σ wⱼ·cⱼ)
    case sum(products: [(Quantity, Quantity)], plus: [(Quantity, Double)], scale: Double)
    case activation(Activation, z: Quantity, a: Quantity)
    case softmax(zs: [Quantity], index: Int)
    case maximum([Quantity])
    case mean([Quantity])
    /// One output's share of Eₙ, and ∂Eₙ/∂a.
    case lossTerm(a: Quantity, t: Quantity)
    case lossDerivative(a: Quantity, t: Quantity)
    case fusedDelta(a: Quantity, t: Quantity)
    /// δ = ∂E/∂a · f′ (f′ read from a or z).
    case delta(Activation, aGrad: Quantity, z: Quantity, a: Quantity)
    case step(parameter: Quantity, gradient: Quantity, rule: (Double, Double) -> Double)
  }

  var sampleWeight: Double { network.sampleWeight(batchSize: samples) }

  /// The layer above l that computes with l's output, skipping flatten, and where l's output
  /// index i arrives in its input.
  func consumer(of l: Int) -> Int? {
    var above = l + 1
    while above < layers.count, case .flatten = layers[above] { above += 1 }
    return above < layers.count ? above : nil
  }

  /// The index into layer l's output that its value cell i is, or nil (an rnn's earlier steps).
  func outputIndex(_ l: Int, _ i: Int) -> Int? {
    guard case .recurrent(let r) = layers[l], !r.returnsSequence else { return i }
    let first = (r.steps - 1) * r.hidden
    return i >= first ? i - first : nil
  }

  /// Layer l's input at k for sample n, as a quantity of the pass.
  func input(_ l: Int, _ k: Int, _ n: Int) -> Quantity {
    guard l > 0 else { return .input(i: k, n: n) }
    switch layers[l - 1] {
    case .flatten: return input(l - 1, k, n)
    case .recurrent(let r) where !r.returnsSequence: return .cell(.a, l: l - 1, index: (r.steps - 1) * r.hidden + k, n: n)
    default: return .cell(.a, l: l - 1, index: k, n: n)
    }
  }

  func formula(_ q: Quantity) -> Formula? {
    switch q {
    case .input, .target, .parameter: return nil
    case .cell(let field, let l, let i, let n): return cellFormula(field, l, i, n)
    case .outputError(let k, let n): return .lossTerm(a: .cell(.a, l: output, index: k, n: n), t: .target(k: k, n: n))
    case .sampleError(let n): return .sum(products: [], plus: (0..<network.outputCount).map { (.outputError(k: $0, n: n), 1) }, scale: 1)
    case .error:
      if samples == 1 { return .sum(products: [], plus: (0..<network.outputCount).map { (.outputError(k: $0, n: 0), 1) }, scale: 1) }
      return .sum(products: [], plus: (0..<samples).map { (.sampleError(n: $0), 1) }, scale: sampleWeight)
    case .parameterGrad(let l, let p, let index): return gradientFormula(l, p, index)
    case .newParameter(let l, let p, let index):
      let biasKept = !network.updatesBiases && p == layers[l].biasTensor
      guard !biasKept, let rule = plainStep else { return nil }
      return .step(parameter: .parameter(l: l, p: p, index: index), gradient: .parameterGrad(l: l, p: p, index: index), rule: rule)
    default: return nil
    }
  }

  func cellFormula(_ field: CellField, _ l: Int, _ i: Int, _ n: Int) -> Formula? {
    let layer = layers[l]
    switch field {
    case .z:
      switch layer {
      case .dense(let d):
        return .sum(products: (0..<d.inputCount).map { (input(l, $0, n), .parameter(l: l, p: 0, index: i * d.inputCount + $0)) },
          plus: [(.parameter(l: l, p: 1, index: i), 1)], scale: 1)
      case .convolution(let c):
        let plane = c.outputRows * c.outputColumns
        let (o, row, column) = (i / plane, (i % plane) / c.outputColumns, i % c.outputColumns)
        var products: [(Quantity, Quantity)] = []
        for ch in 0..<c.inChannels {
          for r in 0..<c.kernelRows {
            for s in 0..<c.kernelColumns {
              if let x = c.inputIndex(channel: ch, row: row, column: column, r: r, s: s) {
                products.append((input(l, x, n), .parameter(l: l, p: 0, index: c.weightIndex(o, ch, r, s))))
              }
            }
          }
        }
        return .sum(products: products, plus: [(.parameter(l: l, p: 1, index: o), 1)], scale: 1)
      case .recurrent(let r):
        let (t, k) = (i / r.hidden, i % r.hidden)
        var products = (0..<r.features).map { f in (input(l, t * r.features + f, n), Quantity.parameter(l: l, p: 0, index: k * r.features + f)) }
        if t > 0 { products += (0..<r.hidden).map { j in (.cell(.a, l: l, index: (t - 1) * r.hidden + j, n: n), .parameter(l: l, p: 1, index: k * r.hidden + j)) } }
        return .sum(products: products, plus: [(.parameter(l: l, p: 2, index: k), 1)], scale: 1)
      case .pooling, .flatten: return nil
      }
    case .a:
      switch layer {
      case .pooling(let p):
        let plane = p.outputRows * p.outputColumns
        let window = p.window(channel: i / plane, row: (i % plane) / p.outputColumns, column: i % p.outputColumns).map { input(l, $0, n) }
        return p.kind == .max ? .maximum(window) : .mean(window)
      case .flatten: return nil
      default:
        guard let f = layer.activation else { return nil }
        if case .softmax = f { return .softmax(zs: (0..<layer.valueShape.reduce(1, *)).map { .cell(.z, l: l, index: $0, n: n) }, index: i) }
        return .activation(f, z: .cell(.z, l: l, index: i, n: n), a: .cell(.a, l: l, index: i, n: n))
      }
    case .delta:
      guard let f = layer.activation else { return nil }
      if l == output, network.loss.fusesWith(f) { return .fusedDelta(a: .cell(.a, l: l, index: i, n: n), t: .target(k: i, n: n)) }
      if case .softmax = f { return nil }
      return .delta(f, aGrad: .cell(.aGrad, l: l, index: i, n: n), z: .cell(.z, l: l, index: i, n: n), a: .cell(.a, l: l, index: i, n: n))
    case .aGrad:
      if case .flatten = layer { return nil }
      if l == output { return .lossDerivative(a: .cell(.a, l: l, index: i, n: n), t: .target(k: i, n: n)) }
      var products: [(Quantity, Quantity)] = []
      var plus: [(Quantity, Double)] = []
      if case .recurrent(let r) = layer {
        let (t, k) = (i / r.hidden, i % r.hidden)
        if t < r.steps - 1 { products += (0..<r.hidden).map { j in (.cell(.delta, l: l, index: (t + 1) * r.hidden + j, n: n), .parameter(l: l, p: 1, index: j * r.hidden + k)) } }
      }
      if let o = outputIndex(l, i), let above = consumer(of: l) {
        switch layers[above] {
        case .dense(let d):
          products += (0..<d.neuronCount).map { j in (.cell(.delta, l: above, index: j, n: n), .parameter(l: above, p: 0, index: j * d.inputCount + o)) }
        case .convolution(let c):
          let plane = c.outputRows * c.outputColumns
          let ch = o / (c.height * c.width)
          for out in 0..<c.outChannels {
            for row in 0..<c.outputRows {
              for column in 0..<c.outputColumns {
                for r in 0..<c.kernelRows {
                  for s in 0..<c.kernelColumns where c.inputIndex(channel: ch, row: row, column: column, r: r, s: s) == o {
                    products.append((.cell(.delta, l: above, index: out * plane + row * c.outputColumns + column, n: n), .parameter(l: above, p: 0, index: c.weightIndex(out, ch, r, s))))
                  }
                }
              }
            }
          }
        case .pooling(let p):
          let plane = p.outputRows * p.outputColumns
          for w in 0..<(p.channels * plane) {
            let window = p.window(channel: w / plane, row: (w % plane) / p.outputColumns, column: w % p.outputColumns)
            guard window.contains(o) else { continue }
            if p.kind == .max {
              if forward.layers[above][n].routes?[w] == o { plus.append((.cell(.aGrad, l: above, index: w, n: n), 1)) }
            } else {
              // A mean shares its gradient: 1/|window| on this term alone (an rnn's terms through time stay whole).
              plus.append((.cell(.aGrad, l: above, index: w, n: n), 1 / Double(window.count)))
            }
          }
        case .recurrent(let r):
          let (t, f) = (o / r.features, o % r.features)
          products += (0..<r.hidden).map { k in (.cell(.delta, l: above, index: t * r.hidden + k, n: n), .parameter(l: above, p: 0, index: k * r.features + f)) }
        case .flatten: return nil
        }
      }
      return .sum(products: products, plus: plus, scale: 1)
    }
  }

  func gradientFormula(_ l: Int, _ p: Int, _ index: Int) -> Formula? {
    var products: [(Quantity, Quantity)] = []
    var plus: [(Quantity, Double)] = []
    for n in 0..<samples {
      switch layers[l] {
      case .dense(let d):
        let j = p == 0 ? index / d.inputCount : index
        if p == 0 { products.append((.cell(.delta, l: l, index: j, n: n), input(l, index % d.inputCount, n))) } else { plus.append((.cell(.delta, l: l, index: j, n: n), 1)) }
      case .convolution(let c):
        let plane = c.outputRows * c.outputColumns
        if p == 1 {
          plus += (0..<plane).map { (.cell(.delta, l: l, index: index * plane + $0, n: n), 1) }
          continue
        }
        let per = c.inChannels * c.kernelRows * c.kernelColumns
        let (o, ch, r, s) = (index / per, (index / (c.kernelRows * c.kernelColumns)) % c.inChannels, (index / c.kernelColumns) % c.kernelRows, index % c.kernelColumns)
        for row in 0..<c.outputRows {
          for column in 0..<c.outputColumns {
            if let x = c.inputIndex(channel: ch, row: row, column: column, r: r, s: s) {
              products.append((.cell(.delta, l: l, index: o * plane + row * c.outputColumns + column, n: n), input(l, x, n)))
            }
          }
        }
      case .recurrent(let rnn):
        for t in 0..<rnn.steps {
          switch p {
          case 0:
            let (k, f) = (index / rnn.features, index % rnn.features)
            products.append((.cell(.delta, l: l, index: t * rnn.hidden + k, n: n), input(l, t * rnn.features + f, n)))
          case 1 where t > 0:
            let (k, j) = (index / rnn.hidden, index % rnn.hidden)
            products.append((.cell(.delta, l: l, index: t * rnn.hidden + k, n: n), .cell(.a, l: l, index: (t - 1) * rnn.hidden + j, n: n)))
          case 2: plus.append((.cell(.delta, l: l, index: t * rnn.hidden + index, n: n), 1))
          default: break
          }
        }
      case .pooling, .flatten: return nil
      }
    }
    return .sum(products: products, plus: plus, scale: sampleWeight)
  }

  /// The update as a function of (parameter, gradient) when it needs no optimizer state: SGD
  /// without momentum at any step, and every optimizer on its first step.
  var plainStep: ((Double, Double) -> Double)? {
    guard let update else { return nil }
    let optimizer = optimizer
    if update.step == 1 { return { w, g in optimizer.firstStep(parameter: w, gradient: g) } }
    guard case .sgd(let o) = optimizer, o.momentum == 0 else { return nil }
    return { w, g in w - o.learningRate * (g + o.weightDecay * w) }
  }

  /// Where a quantity before the update is found after it: updated parameters, the same data,
  /// recomputed values for the rest.
  func afterTheUpdate(_ q: Quantity) -> Quantity {
    switch q {
    case .parameter(let l, let p, let i): network.updatesBiases || p != layers[l].biasTensor ? .newParameter(l: l, p: p, index: i) : q
    case .input, .target, .after, .newParameter: q
    default: .after(q)
    }
  }

  /// What a value is computed from; follow-through marking traces a slip back through these.
  public func parents(_ q: Quantity) -> [Quantity] {
    if case .after(let inner) = q { return parents(inner).map(afterTheUpdate) }
    switch formula(q) {
    case nil: return []
    case .sum(let products, let plus, _)?: return products.flatMap { [$0.0, $0.1] } + plus.map(\.0)
    case .activation(_, let z, _)?: return [z]
    case .softmax(let zs, _)?: return zs
    case .maximum(let xs)?, .mean(let xs)?: return xs
    case .lossTerm(let a, let t)?, .lossDerivative(let a, let t)?, .fusedDelta(let a, let t)?: return [a, t]
    case .delta(let f, let g, let z, let a)?:
      switch f {
      case .sigmoid, .tanh: return [g, a]
      case .relu, .leakyReLU: return [g, z]
      default: return [g]
      }
    case .step(let p, let g, _)?: return [p, g]
    }
  }

  /// The value recomputed from other values (`value` gives them), or nil without a hand formula.
  public func recompute(_ q: Quantity, from value: (Quantity) -> Double) -> Double? {
    if case .after(let inner) = q { return recompute(inner) { value(afterTheUpdate($0)) } }
    let k = network.outputCount
    switch formula(q) {
    case nil: return nil
    case .sum(let products, let plus, let scale)?:
      return scale * (products.reduce(0) { $0 + value($1.0) * value($1.1) } + plus.reduce(0) { $0 + $1.1 * value($1.0) })
    case .activation(let f, let z, _)?: return f.value(value(z))
    case .softmax(let zs, let index)?: return Activation.softmax(zs.map(value))[index]
    case .maximum(let xs)?: return xs.map(value).max()
    case .mean(let xs)?: return xs.reduce(0) { $0 + value($1) } / Double(xs.count)
    case .lossTerm(let a, let t)?: return network.loss.term(a: value(a), t: value(t), outputs: k)
    case .lossDerivative(let a, let t)?: return network.loss.derivative(a: value(a), t: value(t), outputs: k)
    case .fusedDelta(let a, let t)?: return network.loss.fusedDelta(a: value(a), t: value(t), outputs: k)
    case .delta(let f, let g, let z, let a)?: return value(g) * f.derivative(z: value(z), a: value(a))
    case .step(let p, let g, let rule)?: return rule(value(p), value(g))
    }
  }
}
