import Backprop
import Foundation
import Lessons
import Typesetting

extension ReportContext {
  // MARK: Backward

  mutating func backwardSection(_ r: DirectiveResult) -> [HTML] {
    guard let b = r.backward, let f = r.forward else { return [] }
    var out: [HTML] = []
    let diagram = NetworkDiagram(
      id: nextFigureID("bwd"), title: "Backward pass of \(r.networkName)",
      description: "Each neuron shows \(notation.net), \(notation.out) and δ for sample 1; each edge its weight's gradient.",
      layers: diagramLayers(r.names, r.before, forward: f, backward: b),
      edgeLabel: { e in edgeLabel(r.names, r.before, e, value: b.weightGradients[e.layer][e.to, e.from],
        as: .weightGrad(l: e.layer, j: e.to, i: e.from), gradient: true) })
    out.append(figure(.trusted(diagram.svg())))
    for l in b.delta.indices.reversed() {
      out.append(sampleTable(caption: "Layer \(l + 1): error signals and δ", neurons: r.names.neurons[l], samples: r.data.count,
        quantities: [("∂E/∂\(notation.out)", { b.errorSignal[l][$0, $1] }, { .outGrad(l: l, j: $1, n: $0) }),
          ("δ", { b.delta[l][$0, $1] }, { .delta(l: l, j: $1, n: $0) })]))
      out.append(working("How the δ values of layer \(l + 1) were computed", deltaWorking(r, f, b, layer: l)))
      out.append(parameterGradientTable(r, b, layer: l))
      out.append(working("How the gradients of layer \(l + 1) were computed", gradientWorking(r, f, b, layer: l)))
    }
    return out
  }

  func parameterGradientTable(_ r: DirectiveResult, _ b: BackwardPass, layer l: Int) -> HTML {
    let layer = r.before.layers[l]
    var rows: [[HTML]] = []
    var all: [(String, Double, Quantity, Double, Quantity)] = []
    for j in 0..<layer.neuronCount {
      for i in 0..<layer.inputCount {
        all.append((r.names.weights[l][j][i], layer.weights[j, i], .weight(l: l, j: j, i: i), b.weightGradients[l][j, i], .weightGrad(l: l, j: j, i: i)))
      }
      all.append((r.names.biases[l][j], layer.biases[j], .bias(l: l, j: j), b.biasGradients[l][j], .biasGrad(l: l, j: j)))
    }
    for index in shownIndices(all.count) {
      guard let k = index else { rows.append(ellipsisRow(3, hidden: all.count - 8, what: "parameters")); continue }
      rows.append([rowHeader(all[k].0), cell(all[k].1, as: all[k].2), cell(all[k].3, as: all[k].4)])
    }
    return table(caption: "Layer \(l + 1): gradients of the parameters", header: ["parameter", "value", "∂E/∂parameter"], rows: rows)
  }

  /// ∂E/∂out for one output, as a formula and with numbers.
  func lossDerivative(_ r: DirectiveResult, _ f: ForwardPass, k: Int) -> (String, String) {
    let s = symbols
    let name = r.names.neurons.last![k]
    let a = s.number(f.outputs[0, k], as: .out(l: r.before.layers.count - 1, j: k, n: 0))
    let t = r.data.targets[0, k]
    switch r.before.loss {
    case .halfSquaredError: return ("(\(s.out(name)) - \(s.target(name)))", "(\(a) - \(s.number(t, as: .target(k: k, n: 0), parenthesized: true)))")
    case .meanSquaredError:
      return ("\\tfrac{2}{K}(\(s.out(name)) - \(s.target(name)))", "\\tfrac{2}{\(f.outputs.columns)}(\(a) - \(s.number(t, as: .target(k: k, n: 0), parenthesized: true)))")
    case .crossEntropy: return ("-\\frac{\(s.target(name))}{\(s.out(name))}", "-\\frac{\(s.number(t, as: .target(k: k, n: 0)))}{\(a)}")
    case .summedSquaredError:
      return ("2(\(s.out(name)) - \(s.target(name)))", "2(\(a) - \(s.number(t, as: .target(k: k, n: 0), parenthesized: true)))")
    case .binaryCrossEntropy: return ("\\frac{\(s.out(name)) - \(s.target(name))}{\(s.out(name))(1 - \(s.out(name)))}", "")
    case .meanBinaryCrossEntropy: return ("\\frac{\(s.out(name)) - \(s.target(name))}{K \\, \(s.out(name))(1 - \(s.out(name)))}", "")
    case .huber(let d, let outputs):
      let k = outputs == .mean ? "\\tfrac{1}{K}" : ""
      return ("\(k)\\,\\mathrm{clip}(\(s.out(name)) - \(s.target(name)), \\pm \(s.number(d)))", "")
    case .smoothL1(let b, let outputs):
      let k = outputs == .mean ? "\\tfrac{1}{K}" : ""
      return ("\(k)\\,\\mathrm{clip}((\(s.out(name)) - \(s.target(name))) / \(s.number(b)), \\pm 1)", "")
    }
  }

  /// f′ for a neuron as a formula in its output, and its value.
  func activationDerivative(_ activation: Activation, neuron: String, z: Double, a: Double) -> (String, Double)? {
    let s = symbols
    switch activation {
    case .sigmoid: return ("\(s.out(neuron))(1 - \(s.out(neuron)))", activation.derivative(z: z, a: a))
    case .tanh: return ("\\left(1 - \(s.out(neuron))^2\\right)", activation.derivative(z: z, a: a))
    case .relu: return ("[\(s.net(neuron)) > 0]", activation.derivative(z: z, a: a))
    case .leakyReLU: return ("f'(\(s.net(neuron)))", activation.derivative(z: z, a: a))
    case .linear: return ("1", 1)
    case .softmax: return nil
    }
  }

  func deltaWorking(_ r: DirectiveResult, _ f: ForwardPass, _ b: BackwardPass, layer l: Int) -> [String] {
    let s = symbols
    let layer = r.before.layers[l]
    let isOutput = l == r.before.layers.count - 1
    var lines: [String] = []
    for j in 0..<min(layer.neuronCount, 3) {
      let neuron = r.names.neurons[l][j]
      let outQ = Quantity.out(l: l, j: j, n: 0)
      let delta = s.number(b.delta[l][0, j], as: .delta(l: l, j: j, n: 0))
      let signal = s.number(b.errorSignal[l][0, j], as: .outGrad(l: l, j: j, n: 0), parenthesized: true)
      let derivative = activationDerivative(layer.activation, neuron: neuron, z: f.z[l][0, j], a: f.a[l][0, j])
      // f′ is read from a (sigmoid, tanh) or z (the ReLUs): a worksheet leaves it blank where they are.
      let fp = derivative.map { s.number($0.1, from: [(outQ, f.a[l][0, j]), (.net(l: l, j: j, n: 0), f.z[l][0, j])], parenthesized: true) }
      if isOutput {
        if r.before.loss.fusesWith(layer.activation) {
          let t = s.number(r.data.targets[0, j], as: .target(k: j, n: 0), parenthesized: true)
          if r.before.loss == .meanBinaryCrossEntropy {
            // BCELoss averages over the K outputs, so each δ carries 1/K.
            lines.append("\(s.delta(neuron)) = \(s.partial("E", s.net(neuron))) = \\tfrac{1}{K}(\(s.out(neuron)) - \(s.target(neuron))) = \\tfrac{1}{\(layer.neuronCount)}(\(s.number(f.outputs[0, j], as: outQ)) - \(t)) = \(delta)")
          } else {
            lines.append("\(s.delta(neuron)) = \(s.partial("E", s.net(neuron))) = \(s.out(neuron)) - \(s.target(neuron)) = \(s.number(f.outputs[0, j], as: outQ)) - \(t) = \(delta)")
          }
          continue
        }
        guard let (formula, _) = derivative, let fp else {
          // Softmax: every output's a and ∂E/∂a enter, so up to 4 of them with numbers.
          let shownK = Array(0..<min(layer.neuronCount, 4))
          let weighted = shownK.map { k in
            "\(s.number(f.a[l][0, k], as: .out(l: l, j: k, n: 0), parenthesized: k > 0)) \\times \(s.number(b.errorSignal[l][0, k], as: .outGrad(l: l, j: k, n: 0), parenthesized: true))"
          }.joined(separator: " + ") + (layer.neuronCount > shownK.count ? " + \\cdots" : "")
          lines.append("\(s.delta(neuron)) = \(s.out(neuron))\\left(\(s.partial("E", s.out(neuron))) - \\sum_k \(s.outSymbol)_k \\frac{\\partial E}{\\partial \(s.outSymbol)_k}\\right) = \(s.number(f.a[l][0, j], as: outQ)) \\times \\left(\(s.number(b.errorSignal[l][0, j], as: .outGrad(l: l, j: j, n: 0))) - \\left(\(weighted)\\right)\\right) = \(delta)")
          continue
        }
        let (dE, _) = lossDerivative(r, f, k: j)
        lines.append("\(s.delta(neuron)) = \(s.partial("E", s.out(neuron))) \\cdot \(s.partial(s.out(neuron), s.net(neuron))) = \(dE) \\cdot \(formula) = \(signal) \\times \(fp) = \(delta)")
      } else {
        let above = r.before.layers[l + 1]
        let shown = Array(0..<min(above.neuronCount, 4))
        let more = above.neuronCount > shown.count ? " + \\cdots" : ""
        let symbolic = shown.map { k in "\(s.name(r.names.weights[l + 1][k][j])) \\, \(s.delta(r.names.neurons[l + 1][k]))" }.joined(separator: " + ")
        let numeric = shown.map { k in
          "\(s.number(above.weights[k, j], as: .weight(l: l + 1, j: k, i: j), parenthesized: k > 0)) \\times \(s.number(b.delta[l + 1][0, k], as: .delta(l: l + 1, j: k, n: 0), parenthesized: true))"
        }.joined(separator: " + ")
        if let (formula, _) = derivative, let fp {
          lines.append("\(s.delta(neuron)) = \\left(\(symbolic)\(more)\\right) \\cdot \(formula) = \\left(\(numeric)\(more)\\right) \\times \(fp) = \(signal) \\times \(fp) = \(delta)")
        }
      }
    }
    if layer.neuronCount > 3 { lines.append("\\text{… and likewise for the other \(layer.neuronCount - 3) neurons}") }
    return lines
  }

  func gradientWorking(_ r: DirectiveResult, _ f: ForwardPass, _ b: BackwardPass, layer l: Int) -> [String] {
    let s = symbols
    let layer = r.before.layers[l]
    let inputs = r.names.inputsOf(layer: l)
    let x = l == 0 ? f.inputs : f.a[l - 1]
    let isOutput = l == r.before.layers.count - 1
    var lines: [String] = []
    var shownCount = 0
    outer: for j in 0..<layer.neuronCount {
      let neuron = r.names.neurons[l][j]
      for i in 0..<layer.inputCount {
        if shownCount == 4 { break outer }
        shownCount += 1
        let w = s.name(r.names.weights[l][j][i])
        let input = l == 0 ? s.name(inputs[i]) : s.out(inputs[i])
        let g = s.number(b.weightGradients[l][j, i], as: .weightGrad(l: l, j: j, i: i))
        let xi = s.number(x[0, i], as: layerInput(l, i), parenthesized: true)
        if r.data.count > 1 {
          let scale = r.before.reduction == .mean ? "\\frac{1}{\(r.data.count)}" : ""
          // Each sample's δ times its input, for up to 4 samples.
          let terms = (0..<min(r.data.count, 4)).map { n in
            "\(s.number(b.delta[l][n, j], as: .delta(l: l, j: j, n: n), parenthesized: n > 0)) \\times \(s.number((l == 0 ? f.inputs : f.a[l - 1])[n, i], as: layerInput(l, i, n: n), parenthesized: true))"
          }.joined(separator: " + ") + (r.data.count > 4 ? " + \\cdots" : "")
          let numeric = r.before.reduction == .mean ? "\(scale)\\left(\(terms)\\right)" : terms
          lines.append("\(s.partial("E", w)) = \(scale)\\sum_n \(s.delta(neuron))^{(n)} \\, \(input)^{(n)} = \(numeric) = \(g)")
        } else if isOutput, !r.before.loss.fusesWith(layer.activation), let (_, fpValue) = activationDerivative(layer.activation, neuron: neuron, z: f.z[l][0, j], a: f.a[l][0, j]) {
          let fp = s.number(fpValue, from: [(.out(l: l, j: j, n: 0), f.a[l][0, j]), (.net(l: l, j: j, n: 0), f.z[l][0, j])], parenthesized: true)
          lines.append("\(s.partial("E", w)) = \(s.partial("E", s.out(neuron))) \\cdot \(s.partial(s.out(neuron), s.net(neuron))) \\cdot \(s.partial(s.net(neuron), w)) = \(s.number(b.errorSignal[l][0, j], as: .outGrad(l: l, j: j, n: 0), parenthesized: true)) \\times \(fp) \\times \(xi) = \(g)")
        } else {
          lines.append("\(s.partial("E", w)) = \(s.delta(neuron)) \\cdot \(input) = \(s.number(b.delta[l][0, j], as: .delta(l: l, j: j, n: 0), parenthesized: true)) \\times \(xi) = \(g)")
        }
      }
    }
    let total = layer.neuronCount * layer.inputCount
    if total > shownCount { lines.append("\\text{… and likewise for the other \(total - shownCount) weights}") }
    lines.append("\\frac{\\partial E}{\\partial b_j} = \(r.data.count > 1 ? (r.before.reduction == .mean ? "\\frac{1}{\(r.data.count)}\\sum_n" : "\\sum_n") : "") \\delta_j \\quad \\text{(a bias carries the input 1)}")
    return lines
  }

  // MARK: Update

  func updateSection(_ r: DirectiveResult) -> [HTML] {
    guard let u = r.update else { return [] }
    let s = symbols
    var out: [HTML] = []
    let stateColumns: [String]
    switch r.optimizer {
    case .sgd(let o) where o.momentum != 0: stateColumns = ["velocity v"]
    case .sgd: stateColumns = []
    case .rmsprop(let o): stateColumns = ["mean square s"] + (o.momentum > 0 ? ["velocity v"] : []) + (o.centered ? ["mean gradient ḡ"] : [])
    case .adam(let o), .adamw(let o): stateColumns = ["first moment m", "second moment v"] + (o.amsgrad ? ["largest second moment v̂"] : [])
    }
    if u.order == .sequential {
      out.append(.el("p", [("class", "note")], "Sequential order: each hidden layer's gradients below were recomputed after the layer above had been updated, so they differ from the backward pass."))
    }
    for l in u.layers.indices.reversed() {
      let layer = u.layers[l]
      // Each parameter: name, value before, gradient applied, value after, optimizer state, and which quantities they are.
      var all: [(name: String, before: Double, grad: Double, after: Double, state: [Double], given: Quantity, gradQ: Quantity, afterQ: Quantity)] = []
      for j in 0..<layer.oldWeights.rows {
        for i in 0..<layer.oldWeights.columns {
          let k = j * layer.oldWeights.columns + i
          all.append((r.names.weights[l][j][i], layer.oldWeights[j, i], layer.weightGradient[j, i], layer.newWeights[j, i],
            slotValues(r.optimizer, layer.weightSlots, k), .weight(l: l, j: j, i: i), .weightGrad(l: l, j: j, i: i), .newWeight(l: l, j: j, i: i)))
        }
      }
      for j in layer.oldBiases.indices {
        all.append((r.names.biases[l][j], layer.oldBiases[j], layer.biasGradient[j], layer.newBiases[j],
          layer.biasesUpdated ? slotValues(r.optimizer, layer.biasSlots, j) : [], .bias(l: l, j: j), .biasGrad(l: l, j: j), .newBias(l: l, j: j)))
      }
      var rows: [[HTML]] = []
      for index in shownIndices(all.count) {
        guard let k = index else { rows.append(ellipsisRow(4 + stateColumns.count, hidden: all.count - 8, what: "parameters")); continue }
        let p = all[k]
        let frozen = k >= layer.oldWeights.values.count && !layer.biasesUpdated
        // The optimizer's state is computed from the gradient: blank where the gradient is.
        rows.append([rowHeader(p.name), cell(p.before, as: p.given), cell(p.grad, as: p.gradQ),
          frozen ? .el("td", [("class", "num muted")], "fixed") : cell(p.after, as: p.afterQ)]
          + (0..<stateColumns.count).map { c in c < p.state.count ? cell(p.state[c], from: [(p.gradQ, p.grad)]) : .el("td", []) })
      }
      out.append(table(caption: "Layer \(l + 1): update (step \(u.step))", header: ["parameter", "before", "gradient applied", "after"] + stateColumns, rows: rows))
      var lines: [String] = []
      for k in 0..<min(all.count, 3) {
        let p = all[k]
        let w = s.name(p.name)
        let eta = s.number(r.optimizer.learningRate)
        let g = [(p.gradQ, p.grad)]
        let before = s.number(p.before, as: p.given), after = s.number(p.after, as: p.afterQ)
        if k >= layer.oldWeights.values.count && !layer.biasesUpdated {
          lines.append("\(w)^{+} = \(w) = \(after) \\quad \\text{(biases stay fixed)}")
          continue
        }
        // With weight decay the optimizer's g is the gradient plus λ times the parameter: say so, with numbers.
        let decay: Double
        switch r.optimizer {
        case .sgd(let o): decay = o.weightDecay
        case .rmsprop(let o): decay = o.weightDecay
        case .adam(let o): decay = o.weightDecay
        case .adamw: decay = 0  // decoupled: it acts on the parameter, not on g
        }
        let gValue = p.grad + decay * p.before
        let gNumber = s.number(gValue, from: g, parenthesized: true)
        // g squared: brackets always, so a negative g or one in powers of ten is squared whole.
        let gSquared = "(\(s.number(gValue, from: g)))^2"
        // The record keeps the optimizer's state after the step only; the state before it is fresh
        // (0) at step 1, and after that follows from the update rule, new = factor × old + fresh.
        func previous(_ new: Double, factor: Double, fresh: Double) -> String {
          s.number(u.step == 1 || factor == 0 ? 0 : (new - fresh) / factor, from: g, parenthesized: true)
        }
        if decay != 0 {
          lines.append("g = \(s.partial("E", w)) + \\lambda \\, \(w) = \(s.number(p.grad, as: p.gradQ)) + \(s.number(decay)) \\times \(s.number(p.before, as: p.given, parenthesized: true)) = \(s.number(gValue, from: g))")
        }
        switch r.optimizer {
        case .sgd(let o) where o.momentum == 0 && o.weightDecay == 0:
          lines.append("\(w)^{+} = \(w) - \\eta \\, \(s.partial("E", w)) = \(before) - \(eta) \\times \(s.number(p.grad, as: p.gradQ, parenthesized: true)) = \(after)")
        case .sgd(let o) where o.momentum == 0:
          lines.append("\(w)^{+} = \(w) - \\eta \\, g = \(before) - \(eta) \\times \(gNumber) = \(after)")
        case .sgd(let o):
          let v = p.state.first ?? 0
          // The first step starts the velocity at g, as PyTorch does: no momentum term, no dampening.
          lines.append(u.step == 1
            ? "v^{+} = g = \(s.number(v, from: g))"
            : "v^{+} = \(s.number(o.momentum)) \\, v + \(o.dampening == 0 ? "" : "(1 - \(s.number(o.dampening))) \\, ")g = \(s.number(o.momentum)) \\times \(previous(v, factor: o.momentum, fresh: (1 - o.dampening) * gValue)) + \(o.dampening == 0 ? "" : "(1 - \(s.number(o.dampening))) \\times ")\(gNumber) = \(s.number(v, from: g))")
          let vNumber = s.number(v, from: g, parenthesized: true)
          lines.append(o.nesterov
            ? "\(w)^{+} = \(w) - \\eta \\, (g + \(s.number(o.momentum)) \\, v^{+}) = \(before) - \(eta) \\times (\(s.number(gValue, from: g)) + \(s.number(o.momentum)) \\times \(vNumber)) = \(after)"
            : "\(w)^{+} = \(w) - \\eta \\, v^{+} = \(before) - \(eta) \\times \(vNumber) = \(after)")
        case .rmsprop(let o):
          let sq = p.state.first ?? 0
          let epsilon = s.number(o.epsilon)
          lines.append("s^{+} = \(s.number(o.alpha)) \\, s + (1 - \(s.number(o.alpha))) \\, g^2 = \(s.number(o.alpha)) \\times \(previous(sq, factor: o.alpha, fresh: (1 - o.alpha) * gValue * gValue)) + (1 - \(s.number(o.alpha))) \\times \(gSquared) = \(s.number(sq, from: g))")
          // Centered: the running mean ḡ of g, and the variance s − ḡ² in place of s.
          var variance = sq, root = "\\sqrt{s^{+}}"
          if o.centered, let mean = p.state.last {
            lines.append("\\bar g^{+} = \(s.number(o.alpha)) \\, \\bar g + (1 - \(s.number(o.alpha))) \\, g = \(s.number(o.alpha)) \\times \(previous(mean, factor: o.alpha, fresh: (1 - o.alpha) * gValue)) + (1 - \(s.number(o.alpha))) \\times \(gNumber) = \(s.number(mean, from: g))")
            variance = sq - mean * mean
            root = "\\sqrt{s^{+} - (\\bar g^{+})^2}"
          }
          // √s printed to the report's digits, as Adam's is: s itself keeps only six significant digits.
          let scaled = "\\frac{\(s.number(gValue, from: g))}{\(s.number(variance.squareRoot(), from: g)) + \(epsilon)}"
          if o.momentum > 0 {
            // With momentum the step is a velocity of scaled gradients, not the scaled gradient itself.
            let v = p.state.count > 1 ? p.state[1] : 0
            lines.append("v^{+} = \(s.number(o.momentum)) \\, v + \\frac{g}{\(root) + \\varepsilon} = \(s.number(o.momentum)) \\times \(previous(v, factor: o.momentum, fresh: gValue / (variance.squareRoot() + o.epsilon))) + \(scaled) = \(s.number(v, from: g))")
            lines.append("\(w)^{+} = \(w) - \\eta \\, v^{+} = \(before) - \(eta) \\times \(s.number(v, from: g, parenthesized: true)) = \(after)")
          } else {
            lines.append("\(w)^{+} = \(w) - \\eta \\frac{g}{\(root) + \\varepsilon} = \(before) - \(eta) \\times \(scaled) = \(after)")
          }
        case .adam(let o), .adamw(let o):
          let m = p.state.first ?? 0, v = p.state.count > 1 ? p.state[1] : 0
          // AdamW first shrinks the parameter, p·(1 − ηλ), and steps from there.
          var start = w, startNumber = before
          if case .adamw = r.optimizer {
            let shrunk = p.before * (1 - o.learningRate * o.weightDecay)
            lines.append("\(w)' = \(w) \\, (1 - \\eta \\lambda) = \(before) \\times (1 - \(eta) \\times \(s.number(o.weightDecay))) = \(s.number(shrunk, from: [(p.given, p.before)]))")
            start = "\(w)'"
            startNumber = s.number(shrunk, from: [(p.given, p.before)])
          }
          lines.append("m^{+} = \(s.number(o.beta1)) \\, m + \(s.number(1 - o.beta1)) \\, g = \(s.number(o.beta1)) \\times \(previous(m, factor: o.beta1, fresh: (1 - o.beta1) * gValue)) + \(s.number(1 - o.beta1)) \\times \(gNumber) = \(s.number(m, from: g))")
          lines.append("v^{+} = \(s.number(o.beta2)) \\, v + \(s.number(1 - o.beta2)) \\, g^2 = \(s.number(o.beta2)) \\times \(previous(v, factor: o.beta2, fresh: (1 - o.beta2) * gValue * gValue)) + \(s.number(1 - o.beta2)) \\times \(gSquared) = \(s.number(v, from: g))")
          // AMSGrad divides by the largest second moment so far; the record keeps it after the step only.
          var second = v, secondName = "v^{+}"
          if o.amsgrad, let largest = p.state.last, p.state.count > 2 {
            lines.append(u.step == 1
              ? "\\hat v^{+} = \\max(\\hat v, v^{+}) = \\max(0, \(s.number(v, from: g))) = \(s.number(largest, from: g))"
              : "\\hat v^{+} = \\max(\\hat v, v^{+}) = \(s.number(largest, from: g))")
            second = largest
            secondName = "\\hat v^{+}"
          }
          let mHat = s.number(m / (1 - pow(o.beta1, Double(u.step))), from: g), vHat = s.number((second / (1 - pow(o.beta2, Double(u.step)))).squareRoot(), from: g)
          lines.append("\(w)^{+} = \(start) - \\eta \\, \\frac{m^{+} / (1 - \\beta_1^{\(u.step)})}{\\sqrt{\(secondName) / (1 - \\beta_2^{\(u.step)})} + \\varepsilon} = \(startNumber) - \(eta) \\times \\frac{\(mHat)}{\(vHat) + \(s.number(o.epsilon))} = \(after)")
        }
      }
      out.append(working("How layer \(l + 1) was updated", lines))
    }
    return out
  }

  func slotValues(_ optimizer: Optimizer, _ slots: OptimizerSlots, _ k: Int) -> [Double] {
    switch optimizer {
    case .sgd(let o) where o.momentum != 0: return [slots.velocity[k]]
    case .sgd: return []
    case .rmsprop(let o): return [slots.square[k]] + (o.momentum > 0 ? [slots.velocity[k]] : []) + (o.centered ? [slots.extra[k]] : [])
    case .adam(let o), .adamw(let o): return [slots.velocity[k], slots.square[k]] + (o.amsgrad ? [slots.extra[k]] : [])
    }
  }
}
