/// `conv1d` and `conv2d`: cross-correlation, as torch.nn.Conv1d/Conv2d compute it (the
/// kernel is not flipped), with zero padding, a stride, and one bias per output channel:
/// z[o, i, j] = b[o] + Σ_c Σ_r Σ_s w[o, c, r, s] · x[c, i·sᵣ + r − pᵣ, j·sₛ + s − pₛ], a = f(z).
///
/// A 1-d convolution is kept as a 2-d one of height 1, so one loop nest serves both.
public struct Convolution: Sendable, Hashable {
  /// 1 or 2.
  public var dimensions: Int
  public var inChannels: Int
  public var outChannels: Int
  /// Height and width of the input (height 1 in 1-d).
  public var height: Int
  public var width: Int
  public var kernelRows: Int
  public var kernelColumns: Int
  public var strideRows: Int
  public var strideColumns: Int
  public var paddingRows: Int
  public var paddingColumns: Int
  /// (out, in, rows, columns), flat.
  public var weights: [Double]
  public var biases: [Double]
  public var activation: Activation

  /// `inputShape` is [C, L] or [C, H, W]; kernel, stride and padding have one entry per dimension.
  public init(inputShape: [Int], outChannels: Int, kernel: [Int], stride: [Int], padding: [Int], weights: [Double], biases: [Double],
    activation: Activation)
  {
    precondition(inputShape.count == 2 || inputShape.count == 3, "conv input is [C, L] or [C, H, W]")
    dimensions = inputShape.count - 1
    let two = { (v: [Int], fill: Int) in v.count == 2 ? (v[0], v[1]) : (fill, v[0]) }
    inChannels = inputShape[0]
    (height, width) = dimensions == 2 ? (inputShape[1], inputShape[2]) : (1, inputShape[1])
    (kernelRows, kernelColumns) = two(kernel, 1)
    (strideRows, strideColumns) = two(stride, 1)
    (paddingRows, paddingColumns) = two(padding, 0)
    self.outChannels = outChannels
    self.weights = weights
    self.biases = biases
    self.activation = activation
    precondition(weights.count == outChannels * inChannels * kernelRows * kernelColumns && biases.count == outChannels)
  }

  public var outputRows: Int { (height + 2 * paddingRows - kernelRows) / strideRows + 1 }
  public var outputColumns: Int { (width + 2 * paddingColumns - kernelColumns) / strideColumns + 1 }
  public var inputShape: [Int] { dimensions == 2 ? [inChannels, height, width] : [inChannels, width] }
  public var outputShape: [Int] { dimensions == 2 ? [outChannels, outputRows, outputColumns] : [outChannels, outputColumns] }
  /// Inputs each output cell sums over (PyTorch's fan-in for initialisation).
  public var fanIn: Int { inChannels * kernelRows * kernelColumns }

  public func weightIndex(_ o: Int, _ c: Int, _ r: Int, _ s: Int) -> Int { ((o * inChannels + c) * kernelRows + r) * kernelColumns + s }

  /// The flat input index under kernel cell (r, s) of output cell (i, j) in channel c, or nil in the padding.
  public func inputIndex(channel c: Int, row i: Int, column j: Int, r: Int, s: Int) -> Int? {
    let y = i * strideRows + r - paddingRows
    let x = j * strideColumns + s - paddingColumns
    guard y >= 0, y < height, x >= 0, x < width else { return nil }
    return (c * height + y) * width + x
  }

  func forward(_ input: [Double]) -> LayerValues {
    let (rows, columns) = (outputRows, outputColumns)
    var z = [Double](repeating: 0, count: outChannels * rows * columns)
    for o in 0..<outChannels {
      for i in 0..<rows {
        for j in 0..<columns {
          var sum = biases[o]
          for c in 0..<inChannels {
            for r in 0..<kernelRows {
              for s in 0..<kernelColumns {
                if let k = inputIndex(channel: c, row: i, column: j, r: r, s: s) { sum += weights[weightIndex(o, c, r, s)] * input[k] }
              }
            }
          }
          z[(o * rows + i) * columns + j] = sum
        }
      }
    }
    return LayerValues(z: z, a: activation.values(z))
  }

  /// δ = g ⊙ f′(z); ∂E/∂w[o,c,r,s] sums δ[o,i,j] times the input under (r, s) over every output
  /// cell; ∂E/∂x sends each δ back through the kernel cell that carried it (for stride 1 the
  /// full convolution of δ with the flipped kernel).
  func backward(_ input: [Double], _ v: LayerValues, outputGradient g: [Double]) -> LayerGradients {
    let z = v.z!
    let delta = activation.deltas(g, z: z, a: v.a)
    let (rows, columns) = (outputRows, outputColumns)
    var gw = [Double](repeating: 0, count: weights.count)
    var gb = [Double](repeating: 0, count: outChannels)
    var gx = [Double](repeating: 0, count: input.count)
    for o in 0..<outChannels {
      for i in 0..<rows {
        for j in 0..<columns {
          let d = delta[(o * rows + i) * columns + j]
          gb[o] += d
          for c in 0..<inChannels {
            for r in 0..<kernelRows {
              for s in 0..<kernelColumns {
                guard let k = inputIndex(channel: c, row: i, column: j, r: r, s: s) else { continue }
                let w = weightIndex(o, c, r, s)
                gw[w] += d * input[k]
                gx[k] += d * weights[w]
              }
            }
          }
        }
      }
    }
    return LayerGradients(aGrad: g, delta: delta, input: gx, parameters: [gw, gb])
  }
}
