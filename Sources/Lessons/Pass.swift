import Backprop
import Foundation

/// One pass of backpropagation as a student works it by hand: a forward pass, its error, its
/// backward pass and the update that follows, all from the same parameters and data.
///
/// Answers files, worksheets and constraints all read values from a pass, by the names the
/// report shows. The pass also knows how each value depends on the others (the dependency
/// structure of backprop), and can recompute any value from other values of its parents,
/// which is what follow-through marking needs. A dense network's pass and a typed network's
/// answer the same questions (``DensePass``, ``LayeredPass``).
public struct Pass: Sendable {
  public enum Values: Sendable {
    case dense(DensePass)
    case layered(LayeredPass)
  }

  public var values: Values
  /// The lines of the directive blocks the pass was read from.
  public var lines: [Int]

  public init(_ dense: DensePass, lines: [Int]) { (values, self.lines) = (.dense(dense), lines) }
  public init(_ layered: LayeredPass, lines: [Int]) { (values, self.lines) = (.layered(layered), lines) }

  /// A dense network's pass.
  public init(networkName: String, names: NetworkNames, notation: Notation, data: Dataset, network: Network, optimizer: Optimizer,
    forward: ForwardPass, loss: LossValue?, backward: BackwardPass?, update: UpdateRecord?, lines: [Int])
  {
    self.init(DensePass(networkName: networkName, names: names, notation: notation, data: data, network: network, optimizer: optimizer,
      forward: forward, loss: loss, backward: backward, update: update), lines: lines)
  }

  public var dense: DensePass? { if case .dense(let d) = values { d } else { nil } }

  /// What the dense or the typed pass says.
  func either<T>(_ dense: (DensePass) -> T, _ layered: (LayeredPass) -> T) -> T {
    switch values {
    case .dense(let d): dense(d)
    case .layered(let l): layered(l)
    }
  }
  public var layered: LayeredPass? { if case .layered(let l) = values { l } else { nil } }

  public var networkName: String { either(\.networkName, \.networkName) }
  public var hasLoss: Bool { either({ $0.loss != nil }, { $0.loss != nil }) }
  public var hasBackward: Bool { either({ $0.backward != nil }, { $0.backward != nil }) }
  public var hasUpdate: Bool { either({ $0.update != nil }, { $0.update != nil }) }

  public var computedQuantities: [Quantity] { forwardQuantities + lossQuantities + backwardQuantities + updateQuantities }
  public var forwardQuantities: [Quantity] { either(\.forwardQuantities, \.forwardQuantities) }
  public var lossQuantities: [Quantity] { either(\.lossQuantities, \.lossQuantities) }
  public var backwardQuantities: [Quantity] { either(\.backwardQuantities, \.backwardQuantities) }
  public var updateQuantities: [Quantity] { either(\.updateQuantities, \.updateQuantities) }
  /// The values recomputed from the updated parameters (`E.after`, …), when the pass has an update.
  public var afterQuantities: [Quantity] { either(\.afterQuantities, \.afterQuantities) }

  public func has(_ q: Quantity) -> Bool { either({ $0.has(q) }, { $0.has(q) }) }
  public func canName(_ q: Quantity) -> Bool { either({ $0.canName(q) }, { $0.canName(q) }) }
  public func value(_ q: Quantity) -> Double { either({ $0.value(q) }, { $0.value(q) }) }
  public func name(_ q: Quantity) -> String { either({ $0.name(q) }, { $0.name(q) }) }
  public func quantity(named reference: String) -> Result<Quantity, NameProblem> {
    either({ $0.quantity(named: reference) }, { $0.quantity(named: reference) })
  }
  public func parents(_ q: Quantity) -> [Quantity] { either({ $0.parents(q) }, { $0.parents(q) }) }
  /// The value recomputed from its parents' values, or nil without a hand formula for it.
  public func recompute(_ q: Quantity, from value: (Quantity) -> Double) -> Double? {
    either({ $0.recompute(q, from: value) }, { $0.recompute(q, from: value) })
  }

  /// The pass recomputed from the parameters after its update (`NAME.after` reads it).
  public func afterUpdate() -> Pass? {
    either({ $0.afterUpdate().map { Pass($0, lines: lines) } }, { $0.afterUpdate().map { Pass($0, lines: lines) } })
  }

  /// Takes a later step's values into this pass: its error, backward pass or update.
  mutating func absorb(_ later: Pass) {
    switch (values, later.values) {
    case (.dense(var d), .dense(let new)):
      if let l = new.loss { d.loss = l }
      if let b = new.backward { d.backward = b }
      if let u = new.update { d.update = u }
      values = .dense(d)
    case (.layered(var d), .layered(let new)):
      if let l = new.loss { d.loss = l }
      if let b = new.backward { d.backward = b }
      if let u = new.update { d.update = u }
      values = .layered(d)
    default: preconditionFailure("a pass takes steps of its own network only")
    }
    lines += later.lines
  }

  public enum NameProblem: Error, Sendable, Equatable {
    case unknown(suggestion: String?)
    case needsSample(count: Int)
    case noSuchSample(count: Int)
    case notInPass(what: String)
    case unsupported
    /// A tensor value's index does not fit its shape (the message says how it is indexed).
    case badIndex(String)
  }
}

/// A value of a pass. Layers l, neurons j and k, inputs i and samples n count from 0.
public enum Quantity: Hashable, Sendable, Comparable {
  // Given: the pass starts from these.
  case input(i: Int, n: Int)
  case target(k: Int, n: Int)
  case weight(l: Int, j: Int, i: Int)
  case bias(l: Int, j: Int)
  // Forward.
  case net(l: Int, j: Int, n: Int)
  case out(l: Int, j: Int, n: Int)
  // Error.
  case outputError(k: Int, n: Int)
  case sampleError(n: Int)
  case error
  // Backward.
  case outGrad(l: Int, j: Int, n: Int)
  case delta(l: Int, j: Int, n: Int)
  case weightGrad(l: Int, j: Int, i: Int)
  case biasGrad(l: Int, j: Int)
  // Update.
  case newWeight(l: Int, j: Int, i: Int)
  case newBias(l: Int, j: Int)
  // Typed layers (a ``LayeredPass``): a value of layer l at a flat index (row-major over
  // the layer's shape) for sample n, and parameter tensor p of layer l at a flat index.
  case cell(CellField, l: Int, index: Int, n: Int)
  case parameter(l: Int, p: Int, index: Int)
  case parameterGrad(l: Int, p: Int, index: Int)
  case newParameter(l: Int, p: Int, index: Int)
  // After the update: a forward, error or backward value recomputed from the updated
  // parameters (`E.after`, `o1.out.after`). Updated parameters are `newWeight`/`newBias`.
  indirect case after(Quantity)

  /// Whether the lesson gives this value rather than computing it.
  public var isGiven: Bool {
    switch self {
    case .input, .target, .weight, .bias, .parameter: true
    default: false
    }
  }
}

extension Quantity {
  /// Each output's error per sample, each sample's error when there are several, then E.
  static func errors(samples: Int, outputs: Int) -> [Quantity] {
    var out: [Quantity] = []
    for n in 0..<samples {
      for k in 0..<outputs { out.append(.outputError(k: k, n: n)) }
      if samples > 1 { out.append(.sampleError(n: n)) }
    }
    return out + [.error]
  }
}

/// Which value of a typed layer a ``Quantity/cell(_:l:index:n:)`` is.
public enum CellField: Int, Hashable, Sendable, Comparable {
  case z, a, aGrad, delta
  public static func < (l: CellField, r: CellField) -> Bool { l.rawValue < r.rawValue }
}

