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
