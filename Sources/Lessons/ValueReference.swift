/// A value name as `{{…}}`, checks, answers files, worksheets and constraints write it:
/// `[NET/]name[[n]]`, with `.before` or `.after` for a value around an update, written before
/// or after the sample index (`h1.a[2].after`, `h1.a.after[2]`). Parsed here once, so every
/// reader splits a name the same way; what the parts mean is for each reader to resolve.
public struct ValueReference: Sendable, Hashable {
  public enum Timing: Sendable, Hashable { case plain, before, after }

  /// The network or graph named before `/`, if any.
  public var prefix: String?
  /// Everything after the prefix, as written.
  public var local: Substring
  /// The name without prefix, sample index and timing: `h1.a`, `E.iteration`, `w5.grad`.
  public var base: Substring
  public var timing: Timing
  /// The bracketed index as written (1-based): nil without brackets, `.some(nil)` when the
  /// brackets hold no whole number from 1.
  public var sample: Int??

  public init(_ text: String) {
    var name = Substring(text)
    var prefix: String?
    if let slash = name.firstIndex(of: "/") {
      prefix = String(name[..<slash])
      name = name[name.index(after: slash)...]
    }
    let local = name
    var timing = Timing.plain
    var sample: Int??
    func peelTiming() {
      guard timing == .plain else { return }
      for (suffix, t) in [(".after", Timing.after), (".before", Timing.before)] where name.hasSuffix(suffix) {
        name = name.dropLast(suffix.count)
        timing = t
      }
    }
    peelTiming()
    // A bracket with commas is a tensor index (`c1.z[1,2,3]`), part of the name.
    if name.hasSuffix("]"), let open = name.lastIndex(of: "["), !name[open...].contains(",") {
      let k = Int(name[name.index(after: open)..<name.index(before: name.endIndex)])
      sample = .some(k.flatMap { $0 >= 1 ? $0 : nil })
      name = name[..<open]
    }
    peelTiming()
    // Before a tensor index: `c1.z.after[1,1,1]` (the index stays part of the name).
    for (word, t) in [(".after[", Timing.after), (".before[", Timing.before)] where timing == .plain {
      if let range = name.range(of: word) {
        name = name[..<range.lowerBound] + "[" + name[range.upperBound...]
        timing = t
      }
    }
    (self.prefix, self.local, self.base, self.timing, self.sample) = (prefix, local, name, timing, sample)
  }

  /// `[n]` for the sample as written, or nothing.
  public var sampleSuffix: String {
    switch sample {
    case .some(.some(let k)): "[\(k)]"
    default: ""
    }
  }
}
