/// The few dense loops the engine spends its time in, written so the compiler can vectorize them.
enum Kernels {
  /// out[n, j] = b[j] + Σ_i x[n, i] · w[j, i].
  static func affine(_ x: Matrix, _ w: Matrix, _ b: [Double], into out: inout Matrix) {
    let inputs = w.columns, neurons = w.rows
    x.values.withUnsafeBufferPointer { xp in
      w.values.withUnsafeBufferPointer { wp in
        out.values.withUnsafeMutableBufferPointer { op in
          for n in 0..<x.rows {
            let xr = n * inputs
            for j in 0..<neurons {
              var sum = 0.0
              let wr = j * inputs
              for i in 0..<inputs { sum += xp[xr + i] * wp[wr + i] }
              op[n * neurons + j] = sum + b[j]
            }
          }
        }
      }
    }
  }

  /// signal[n, i] = Σ_j delta[n, j] · w[j, i]: the error each input of the layer receives.
  static func backpropagateSignal(_ delta: Matrix, through w: Matrix) -> Matrix {
    var out = Matrix(rows: delta.rows, columns: w.columns)
    let inputs = w.columns, neurons = w.rows
    delta.values.withUnsafeBufferPointer { dp in
      w.values.withUnsafeBufferPointer { wp in
        out.values.withUnsafeMutableBufferPointer { op in
          for n in 0..<delta.rows {
            for j in 0..<neurons {
              let d = dp[n * neurons + j]
              for i in 0..<inputs { op[n * inputs + i] += d * wp[j * inputs + i] }
            }
          }
        }
      }
    }
    return out
  }

  /// (Σ_n s·δ[n, j]·x[n, i], Σ_n s·δ[n, j]).
  static func outerGradients(_ delta: Matrix, _ x: Matrix, scale: Double) -> (Matrix, [Double]) {
    let inputs = x.columns, neurons = delta.columns
    var gw = Matrix(rows: neurons, columns: inputs)
    var gb = [Double](repeating: 0, count: neurons)
    delta.values.withUnsafeBufferPointer { dp in
      x.values.withUnsafeBufferPointer { xp in
        gw.values.withUnsafeMutableBufferPointer { gp in
          for n in 0..<delta.rows {
            for j in 0..<neurons {
              let d = dp[n * neurons + j] * scale
              gb[j] += d
              for i in 0..<inputs { gp[j * inputs + i] += d * xp[n * inputs + i] }
            }
          }
        }
      }
    }
    return (gw, gb)
  }
}

// MARK: - Lane kernels for the training fast path

/// The training fast path's loops (see ``TrainingWorkspace``). Buffers are row-major with rows padded
/// to whole ``Lanes``, and each value is computed with the same operations in the same order as
/// the kernels above and `Network`'s passes, so the results are identical to the last bit. The
/// speed comes from four neurons (or inputs) per instruction, sums kept in registers, and doing
/// what follows a product (bias, activation, derivative) while its result is still in a register.
extension Kernels {
  /// For every row n and every lane group c of 0..<width (a multiple of four, m's row length):
  /// s = Σ_i x[n, i] · m[i, c…c+3], summed over i in order from 0, then `finish(s, n, c)`.
  ///
  /// With m = Wᵀ the sums are z − b (`affine`); with x = δ and m = W they are the error signal of
  /// the layer below (`backpropagateSignal`). Each addition waits for the one before it in the
  /// same sum, so several sums are kept in flight: two lane groups of two samples when rows are
  /// wide, one lane group of four samples when they are narrow. Within a lane group, `finish` sees
  /// the rows in order.
  @inline(__always)
  static func multiply(
    rows: Int, _ x: UnsafePointer<Double>, stride xs: Int, inner: Int, by m: UnsafePointer<Double>, width: Int,
    finish: (_ sums: Lanes, _ row: Int, _ column: Int) -> Void
  ) {
    if width >= 4 * Lanes.width {
      // Two samples by two lane groups: each weight load serves two sums, and the sums fit in
      // registers with SSE2 as well as AVX.
      var n = 0
      while n < rows {
        let two = n + 1 < rows
        let xr = x + n * xs, yr = two ? xr + xs : xr
        var c = 0
        while c + 2 * Lanes.width <= width {
          var s0 = Lanes(), s1 = Lanes()
          var t0 = Lanes(), t1 = Lanes()
          for i in 0..<inner {
            let xi = Lanes(repeating: xr[i]), yi = Lanes(repeating: yr[i])
            let w = m + i * width + c
            let w0 = Lanes(at: w), w1 = Lanes(at: w + 4)
            s0 += xi * w0
            s1 += xi * w1
            t0 += yi * w0
            t1 += yi * w1
          }
          finish(s0, n, c)
          finish(s1, n, c + 4)
          if two {
            finish(t0, n + 1, c)
            finish(t1, n + 1, c + 4)
          }
          c += 2 * Lanes.width
        }
        while c < width {
          var s = Lanes(), t = Lanes()
          for i in 0..<inner {
            let w = Lanes(at: m + i * width + c)
            s += Lanes(repeating: xr[i]) * w
            t += Lanes(repeating: yr[i]) * w
          }
          finish(s, n, c)
          if two { finish(t, n + 1, c) }
          c += Lanes.width
        }
        n += 2
      }
      return
    }
    var n = 0
    while n + 4 <= rows {
      let x0 = x + n * xs, x1 = x0 + xs, x2 = x1 + xs, x3 = x2 + xs
      for c in Swift.stride(from: 0, to: width, by: Lanes.width) {
        var s0 = Lanes(), s1 = Lanes(), s2 = Lanes(), s3 = Lanes()
        for i in 0..<inner {
          let w = Lanes(at: m + i * width + c)
          s0 += Lanes(repeating: x0[i]) * w
          s1 += Lanes(repeating: x1[i]) * w
          s2 += Lanes(repeating: x2[i]) * w
          s3 += Lanes(repeating: x3[i]) * w
        }
        finish(s0, n, c)
        finish(s1, n + 1, c)
        finish(s2, n + 2, c)
        finish(s3, n + 3, c)
      }
      n += 4
    }
    while n < rows {
      let xr = x + n * xs
      for c in Swift.stride(from: 0, to: width, by: Lanes.width) {
        var s = Lanes()
        for i in 0..<inner { s += Lanes(repeating: xr[i]) * Lanes(at: m + i * width + c) }
        finish(s, n, c)
      }
      n += 1
    }
  }

  /// sums[c] = Σ_n d[n, c] over n in order from 0: the bias gradients (`outerGradients`' gb).
  static func sumRows(rows: Int, _ d: UnsafePointer<Double>, width: Int, into sums: UnsafeMutablePointer<Double>) {
    var c = 0
    while c + 4 * Lanes.width <= width {
      var s0 = Lanes(), s1 = Lanes(), s2 = Lanes(), s3 = Lanes()
      for n in 0..<rows {
        let r = d + n * width + c
        s0 += Lanes(at: r)
        s1 += Lanes(at: r + 4)
        s2 += Lanes(at: r + 8)
        s3 += Lanes(at: r + 12)
      }
      s0.store(at: sums + c)
      s1.store(at: sums + c + 4)
      s2.store(at: sums + c + 8)
      s3.store(at: sums + c + 12)
      c += 4 * Lanes.width
    }
    while c < width {
      var s = Lanes()
      for n in 0..<rows { s += Lanes(at: d + n * width + c) }
      s.store(at: sums + c)
      c += Lanes.width
    }
  }

  /// gᵀ[i, j] = Σ_n d[n, j] · x[n, i] and sums[j] = Σ_n d[n, j], over n in order, for eight
  /// neurons (two lane groups) and two inputs at a time: `outerGradients` for layers with more
  /// neurons than inputs. x's rows are padded, so reading one input past the last is safe.
  static func weightGradientsByNeuron(
    rows: Int, scaledDelta d: UnsafePointer<Double>, width: Int,
    inputs x: UnsafePointer<Double>, stride xs: Int, count inputs: Int,
    into gt: UnsafeMutablePointer<Double>, sums: UnsafeMutablePointer<Double>
  ) {
    var c = 0
    while c < width {
      let pair = c + 2 * Lanes.width <= width
      for i in Swift.stride(from: 0, to: inputs, by: 2) {
        var g0 = Lanes(), g1 = Lanes(), h0 = Lanes(), h1 = Lanes(), b0 = Lanes(), b1 = Lanes()
        for n in 0..<rows {
          let xr = x + n * xs + i
          let x0 = Lanes(repeating: xr[0]), x1 = Lanes(repeating: xr[1])
          let dr = d + n * width + c
          // Without a pair, the second lane group reads the next row (or, after the last row,
          // the workspace's slack); those sums are never stored.
          let d0 = Lanes(at: dr), d1 = Lanes(at: dr + 4)
          g0 += d0 * x0
          g1 += d1 * x0
          h0 += d0 * x1
          h1 += d1 * x1
          b0 += d0
          b1 += d1
        }
        g0.store(at: gt + i * width + c)
        if i + 1 < inputs { h0.store(at: gt + (i + 1) * width + c) }
        if i == 0 { b0.store(at: sums + c) }
        if pair {
          g1.store(at: gt + i * width + c + 4)
          if i + 1 < inputs { h1.store(at: gt + (i + 1) * width + c + 4) }
          if i == 0 { b1.store(at: sums + c + 4) }
        }
      }
      c += pair ? 2 * Lanes.width : Lanes.width
    }
  }

  /// g[j, i] = Σ_n d[n, j] · x[n, i] over n in order, for four inputs (one lane group) and four
  /// neurons at a time: `outerGradients` for layers with more inputs than neurons. d's rows are
  /// padded, so reading neurons past the last is safe.
  static func weightGradientsByInput(
    rows: Int, scaledDelta d: UnsafePointer<Double>, width: Int, count neurons: Int,
    inputs x: UnsafePointer<Double>, stride xs: Int, into g: UnsafeMutablePointer<Double>
  ) {
    for c in Swift.stride(from: 0, to: xs, by: Lanes.width) {
      for j in Swift.stride(from: 0, to: neurons, by: 4) {
        var g0 = Lanes(), g1 = Lanes(), g2 = Lanes(), g3 = Lanes()
        for n in 0..<rows {
          let xv = Lanes(at: x + n * xs + c)
          let dr = d + n * width + j
          g0 += Lanes(repeating: dr[0]) * xv
          g1 += Lanes(repeating: dr[1]) * xv
          g2 += Lanes(repeating: dr[2]) * xv
          g3 += Lanes(repeating: dr[3]) * xv
        }
        g0.store(at: g + j * xs + c)
        if j + 1 < neurons { g1.store(at: g + (j + 1) * xs + c) }
        if j + 2 < neurons { g2.store(at: g + (j + 2) * xs + c) }
        if j + 3 < neurons { g3.store(at: g + (j + 3) * xs + c) }
      }
    }
  }
}

extension Activation {
  /// f(z) for four neurons, as `value` gives it for each, for the activations that are a
  /// comparison and a select; nil for the others (they go through `apply` row by row).
  @inline(__always)
  func lanes(_ z: Lanes) -> Lanes? {
    switch self {
    case .relu: Lanes().replacing(with: z, where: z .> 0)
    case .leakyReLU(let slope): (slope * z).replacing(with: z, where: z .> 0)
    case .linear: z
    case .sigmoid, .tanh, .softmax: nil
    }
  }

  /// f′(z) for four neurons, as `derivative(z:a:)` gives it for each; only for element-wise activations.
  @inline(__always)
  func derivativeLanes(z: Lanes, a: Lanes) -> Lanes {
    switch self {
    case .sigmoid: a * (1 - a)
    case .tanh: 1 - a * a
    case .relu: Lanes().replacing(with: 1, where: z .> 0)
    case .leakyReLU(let slope): Lanes(repeating: slope).replacing(with: 1, where: z .> 0)
    case .linear: Lanes(repeating: 1)
    case .softmax: preconditionFailure("softmax has a Jacobian, not a derivative per neuron")
    }
  }
}
