/// Four doubles processed together: the vector width of the training kernels.
///
/// Swift lowers `SIMD4<Double>` arithmetic to element-wise IEEE operations (one 256-bit
/// instruction with AVX, two 128-bit ones with SSE2), with no fused multiply-add and no
/// reassociation, so a kernel written with lanes rounds exactly as the scalar loop it replaces.
typealias Lanes = SIMD4<Double>

extension Lanes {
  /// The number of lanes; every buffer the fast path reads with lanes has rows padded to a multiple of it.
  static let width = 4

  /// `count` rounded up to a whole number of lanes.
  @inline(__always)
  static func padded(_ count: Int) -> Int { (count + width - 1) / width * width }

  @inline(__always)
  init(at p: UnsafePointer<Double>) { self = UnsafeRawPointer(p).loadUnaligned(as: Lanes.self) }

  @inline(__always)
  func store(at p: UnsafeMutablePointer<Double>) { UnsafeMutableRawPointer(p).storeBytes(of: self, as: Lanes.self) }
}
