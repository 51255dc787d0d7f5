/// `maxpool` and `avgpool` over windows of each channel, without padding (torch.nn.MaxPool1d/2d
/// and AvgPool1d/2d with their defaults): the output is the window's maximum or mean. The
/// gradient of a max goes to the input that was the maximum (the first in row-major order
/// when several tie, as PyTorch routes it); of a mean, equally to every input of the window.
public struct Pooling: Sendable, Hashable {
  public enum Kind: String, Sendable, Hashable { case max, average }
  public var kind: Kind
  public var dimensions: Int
  public var channels: Int
  public var height: Int
  public var width: Int
  public var sizeRows: Int
  public var sizeColumns: Int
  public var strideRows: Int
  public var strideColumns: Int

  /// `inputShape` is [C, L] or [C, H, W]; size and stride have one entry per dimension.
  public init(_ kind: Kind, inputShape: [Int], size: [Int], stride: [Int]) {
    precondition(inputShape.count == 2 || inputShape.count == 3, "pooling input is [C, L] or [C, H, W]")
    self.kind = kind
    dimensions = inputShape.count - 1
    let two = { (v: [Int]) in v.count == 2 ? (v[0], v[1]) : (1, v[0]) }
    channels = inputShape[0]
    (height, width) = dimensions == 2 ? (inputShape[1], inputShape[2]) : (1, inputShape[1])
    (sizeRows, sizeColumns) = two(size)
    (strideRows, strideColumns) = two(stride)
  }

  public var outputRows: Int { (height - sizeRows) / strideRows + 1 }
  public var outputColumns: Int { (width - sizeColumns) / strideColumns + 1 }
  public var inputShape: [Int] { dimensions == 2 ? [channels, height, width] : [channels, width] }
  public var outputShape: [Int] { dimensions == 2 ? [channels, outputRows, outputColumns] : [channels, outputColumns] }

  /// The flat input indices of output cell (c, i, j)'s window, in row-major order.
  public func window(channel c: Int, row i: Int, column j: Int) -> [Int] {
    var out: [Int] = []
    for r in 0..<sizeRows {
      for s in 0..<sizeColumns { out.append((c * height + i * strideRows + r) * width + j * strideColumns + s) }
    }
    return out
  }

  func forward(_ input: [Double]) -> LayerValues {
    var a: [Double] = []
    var routes: [Int] = []
    for c in 0..<channels {
      for i in 0..<outputRows {
        for j in 0..<outputColumns {
          let cells = window(channel: c, row: i, column: j)
          switch kind {
          case .max:
            var best = cells[0]
            for k in cells.dropFirst() where input[k] > input[best] { best = k }
            a.append(input[best])
            routes.append(best)
          case .average:
            var sum = 0.0
            for k in cells { sum += input[k] }
            a.append(sum / Double(cells.count))
          }
        }
      }
    }
    return LayerValues(z: nil, a: a, routes: kind == .max ? routes : nil)
  }

  func backward(_ input: [Double], _ v: LayerValues, outputGradient g: [Double]) -> LayerGradients {
    var gx = [Double](repeating: 0, count: input.count)
    var cell = 0
    for c in 0..<channels {
      for i in 0..<outputRows {
        for j in 0..<outputColumns {
          switch kind {
          case .max: gx[v.routes![cell]] += g[cell]
          case .average:
            let cells = window(channel: c, row: i, column: j)
            for k in cells { gx[k] += g[cell] / Double(cells.count) }
          }
          cell += 1
        }
      }
    }
    return LayerGradients(aGrad: g, delta: nil, input: gx, parameters: [])
  }
}
