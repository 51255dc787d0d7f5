import Foundation
import Synchronization

/// A second thread that takes half of each training step, for networks whose step is big enough
/// to share (the spiral's 300 rows × 100 hidden neurons, not the worked example's 1 row × 2).
///
/// The caller's thread runs the forward pass of the first half of the rows and the worker that of
/// the second half. Then, group of hidden neurons by group, the caller adds the first half's
/// terms to every gradient sum and hands the partial sums over; the worker continues each sum
/// with the second half's terms. So every sum still takes its terms in row order, one after the
/// other, and the numbers are those of one thread, bit for bit (`TrainingFastPathTests` checks
/// training with a crew against the step-by-step definition). Each thread reads only the rows it
/// wrote itself, and what crosses between the cores per step is a few hundred bytes of sums.
final class StepCrew: @unchecked Sendable {
  private let workspace: TrainingWorkspace
  private let loss: Loss
  private let groups: Int
  /// generation << 32 | rows: the step the worker is to take part in, published last.
  private let step = Atomic<UInt64>(0)
  /// The step's scale s, as bits; written before `step`.
  private let scaleBits = Atomic<UInt64>(0)
  /// generation << 32 | the number of groups whose first-half sums are in the gradient buffers.
  private let handed = Atomic<UInt64>(0)
  /// The generation of the last step the worker finished.
  private let finished = Atomic<UInt64>(0)
  private let stopping = Atomic<Bool>(false), stopped = Atomic<Bool>(false)
  private var generation: UInt64 = 0
  /// Steps the caller had to wait long for the worker (the system gave its core to something else).
  private var slowSteps = 0
  /// Steps shared with the worker so far.
  private(set) var steps = 0

  /// Whether a step of `rows` rows through `hidden` hidden neurons is worth a second thread on
  /// this machine: one that takes about 10 µs alone, so the hand-overs (each well under a
  /// microsecond) are small beside it.
  static func worthwhile(rows: Int, hidden: Int, iterations: Int) -> Bool {
    ProcessInfo.processInfo.activeProcessorCount > 1 && rows * hidden >= 8_192 && iterations >= 16
  }

  init(workspace: TrainingWorkspace, loss: Loss) {
    self.workspace = workspace
    self.loss = loss
    groups = workspace.hiddenGroups
    let thread = Thread { [self] in work() }
    thread.name = "lesson training"
    thread.start()
  }

  /// Ends the worker and waits until it has let go of the workspace.
  func stop() {
    stopping.store(true, ordering: .releasing)
    var spins = 0
    while !stopped.load(ordering: .acquiring) { pause(&spins) }
  }

  /// Where the worker's rows begin: a little over half the rows, in whole blocks of the six rows
  /// the output layer's sums take at once. The caller takes more because the worker's share
  /// costs more per row (the weights and the partial sums it reads come from the other core).
  static func split(_ rows: Int) -> Int { rows * 6 / 11 / 6 * 6 }

  /// Runs both phases of a fused step with the worker. False, having done nothing, when the step
  /// is too small to split or the worker has been stopped; then the caller runs the step alone.
  func run(rows: Int, loss: Loss, scale: Double) -> Bool {
    let split = Self.split(rows)
    guard split > 0, !stopping.load(ordering: .relaxed) else { return false }
    generation = generation & 0xFFFF_FFFF == 0xFFFF_FFFF ? 1 : generation + 1
    let tag = generation << 32
    scaleBits.store(scale.bitPattern, ordering: .relaxed)
    step.store(tag | UInt64(rows), ordering: .releasing)
    workspace.fusedPhase(.forward(0..<split), loss: loss, scale: scale)
    workspace.fusedSums(0..<split, continuing: false)
    for g in 0..<groups {
      workspace.fusedPhase(.backward(groups: g..<g + 1, rows: 0..<split, continuing: false), loss: loss, scale: scale)
      handed.store(tag | UInt64(g + 1), ordering: .releasing)
    }
    var spins = 0
    let start = ContinuousClock.now
    while finished.load(ordering: .acquiring) != generation { pause(&spins) }
    // A worker that keeps its caller waiting (its core is busy with other work, or the system put
    // both threads on one core) is let go: the caller is faster alone, with the same numbers.
    // (The first steps are left out: the worker may still be starting, or waiting for the system
    // to move it to a core of its own, which takes a few milliseconds.)
    steps += 1
    if steps > Self.settling && ContinuousClock.now - start > .microseconds(50) {
      slowSteps += 1
      if slowSteps >= 32 && slowSteps * 8 > steps - Self.settling { stopping.store(true, ordering: .releasing) }
    }
    return true
  }

  /// The worker: waits for each step and takes the second half of its rows.
  private func work() {
    var seen: UInt64 = 0
    var spins = 0
    while !stopping.load(ordering: .acquiring) {
      let current = step.load(ordering: .acquiring)
      guard current >> 32 != seen else {
        pause(&spins)
        continue
      }
      spins = 0
      seen = current >> 32
      let rows = Int(current & 0xFFFF_FFFF), split = Self.split(rows)
      let scale = Double(bitPattern: scaleBits.load(ordering: .relaxed))
      workspace.fusedPhase(.forward(split..<rows), loss: loss, scale: scale)
      for g in 0..<groups {
        spins = 0
        while true {
          let h = handed.load(ordering: .acquiring)
          if h >> 32 == seen && Int(h & 0xFFFF_FFFF) > g { break }
          pause(&spins)
        }
        workspace.fusedPhase(.backward(groups: g..<g + 1, rows: split..<rows, continuing: true), loss: loss, scale: scale)
      }
      workspace.fusedSums(split..<rows, continuing: true)
      spins = 0
      finished.store(seen, ordering: .releasing)
    }
    stopped.store(true, ordering: .releasing)
  }

  /// Spins (a step's hand-overs are microseconds apart), then, after some 100 µs, yields the core
  /// at each turn, so a thread kept waiting by a busy machine or between trainings gives it back.
  private func pause(_ spins: inout Int) {
    spins += 1
    if spins > Self.patience { sched_yield() }
  }

  /// Steps the worker has to settle before it may be found slow.
  private static let settling = 64

  /// Spins of `pause` before it starts yielding.
  private static let patience = 200_000
}
