import Foundation
import Synchronization

/// A second thread that takes part of each training step, for networks whose step is big enough
/// to share (the spiral's 300 rows × 100 hidden neurons, not the worked example's 1 row × 2).
///
/// The caller's thread runs the forward pass of the first rows and the worker that of the rest.
/// Then, group of hidden neurons by group, the caller adds its rows' terms to every gradient sum
/// and hands the partial sums over; the worker continues each sum with its rows' terms and hands
/// the final sums back, and the caller, which would otherwise wait, applies the optimizer to each
/// group as its gradients arrive. So every sum still takes its terms in row order, one after the
/// other, and the numbers are those of one thread, bit for bit (`TrainingFastPathTests` checks
/// training with a crew against the step-by-step definition). Each thread reads only the rows it
/// wrote itself, and what crosses between the cores per step is the weights and a few hundred
/// bytes of sums per group.
///
/// Where the rows divide follows the two threads' speeds, which differ (the worker reads its
/// weights from the other core, and on a shared machine either core may be slowed by other
/// work): after every few steps, six rows move towards the thread that waited for the other.
final class StepCrew: @unchecked Sendable {
  let workspace: TrainingWorkspace
  let loss: Loss
  private let groups: Int
  /// generation << 32 | rows: the step the worker is to take part in, published last.
  private let step = Atomic<UInt64>(0)
  /// The step's scale s, as bits, and the first of the worker's rows; written before `step`.
  private let scaleBits = Atomic<UInt64>(0), splitRow = Atomic<Int>(0)
  /// generation << 32 | the number of groups whose partial sums are in `groupSums` (with the
  /// first, the caller's row sums: its part of E and of the output layer's bias gradient).
  private let handed = Atomic<UInt64>(0)
  /// generation << 32 | the number of groups whose final sums the worker has published.
  private let completed = Atomic<UInt64>(0)
  /// The generation of the last step whose row sums (E, the output bias gradient) the worker
  /// finished, and of the last step it finished whole.
  private let summed = Atomic<UInt64>(0), finished = Atomic<UInt64>(0)
  /// Nanoseconds the worker waited for the caller's partial sums, since the caller last looked.
  private let workerWaited = Atomic<Int>(0)
  private let stopping = Atomic<Bool>(false), stopped = Atomic<Bool>(false)
  private var generation: UInt64 = 0
  /// The caller's share of the rows, and the waits of both threads over the current round of steps.
  private var share: Double
  private var callerWaited = Duration.zero
  /// Steps shared with the worker so far, and calls to `run`.
  private(set) var steps = 0
  private var calls = 0
  /// Steps of the current round in which the caller had to wait long for the worker.
  private var slowSteps = 0
  /// While `calls` is below this, the caller runs steps alone; and how long the next pause lasts.
  private var pausedUntil = 0, nextPause = StepCrew.firstPause

  /// Whether `iterations` steps of `rows` rows through `hidden` hidden neurons are worth a second
  /// thread on this machine: steps of about 10 µs or more alone, so the hand-overs (each well under
  /// a microsecond) are small beside them, enough rows to split, and enough steps (a few ms) to
  /// pay for starting the thread and letting the system give it a core of its own.
  static func worthwhile(rows: Int, hidden: Int, iterations: Int) -> Bool {
    ProcessInfo.processInfo.activeProcessorCount > 1 && rows >= 12 && rows * hidden >= 8_192 && iterations >= 200
  }

  /// A crew, unless another is at work in this process (`lesson build` runs lessons side by side,
  /// which keeps the cores busy already); `stop` frees the place.
  static func start(workspace: TrainingWorkspace, loss: Loss) -> StepCrew? {
    guard busy.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return nil }
    let crew = StepCrew(workspace: workspace, loss: loss)
    crew.holdsPlace = true
    return crew
  }

  private static let busy = Atomic<Bool>(false)
  private var holdsPlace = false

  /// `share`: the caller's first share of the rows (it takes more than half: the worker's rows
  /// cost more, as its weights come from the other core).
  init(workspace: TrainingWorkspace, loss: Loss, share: Double = 6.0 / 11.0) {
    self.workspace = workspace
    self.loss = loss
    self.share = share
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
    if holdsPlace {
      holdsPlace = false
      Self.busy.store(false, ordering: .releasing)
    }
  }

  /// The caller's rows: `share` of them, in whole blocks of the six rows the output layer's sums
  /// take at once, and at least one block for each thread (none when there are fewer than 12).
  private func split(_ rows: Int) -> Int {
    guard rows >= 12 else { return 0 }
    return min(max(Int((Double(rows) * share / 6).rounded()) * 6, 6), (rows - 6) / 6 * 6)
  }

  /// Runs a fused step with the worker: both phases, the gradients published, and, when
  /// `updating` and E is finite, the update (with the optimizer's t = `step`), which the caller
  /// makes group by group as the worker finishes each group's sums. False, having done nothing,
  /// when the step is too small to split or sharing is paused or stopped; then the caller runs it
  /// alone.
  func run(rows: Int, scale: Double, step optimizerStep: Int, updating: Bool) -> Bool {
    calls += 1
    let split = split(rows)
    guard split > 0, calls > pausedUntil, !stopping.load(ordering: .relaxed) else { return false }
    generation = generation & 0xFFFF_FFFF == 0xFFFF_FFFF ? 1 : generation + 1
    let tag = generation << 32
    scaleBits.store(scale.bitPattern, ordering: .relaxed)
    splitRow.store(split, ordering: .relaxed)
    step.store(tag | UInt64(rows), ordering: .releasing)
    workspace.fusedPhase(.forward(0..<split), loss: loss, scale: scale)
    workspace.fusedSums(0..<split, continuing: false)
    for g in 0..<groups {
      workspace.fusedPhase(.backward(groups: g..<g + 1, rows: 0..<split, continuing: false), loss: loss, scale: scale)
      handed.store(tag | UInt64(g + 1), ordering: .releasing)
    }
    var waited = Duration.zero
    wait(&waited) { summed.load(ordering: .acquiring) == generation }
    let updates = updating && workspace.stepError.isFinite
    var done = 0
    while done < groups {
      var ready = 0
      wait(&waited) {
        let counter = completed.load(ordering: .acquiring)
        ready = counter & ~0xFFFF_FFFF == tag ? Int(counter & 0xFFFF_FFFF) : 0
        return ready > done
      }
      if updates { workspace.update(.groups(done..<ready), step: optimizerStep) }
      done = ready
    }
    wait(&waited) { finished.load(ordering: .acquiring) == generation }
    if updates { workspace.update(.end, step: optimizerStep) }
    steps += 1
    balance(after: waited, rows: rows)
    watch(after: waited)
    return true
  }

  /// Waits until `done()`, adding the time waited (if any) to `waited`.
  @inline(__always)
  private func wait(_ waited: inout Duration, until done: () -> Bool) {
    guard !done() else { return }
    let start = ContinuousClock.now
    var spins = 0
    while !done() { pause(&spins) }
    waited += ContinuousClock.now - start
  }

  /// Whether a counter tagged with a step's generation has reached `count` in that step.
  private static func reached(_ counter: UInt64, _ count: Int, in tag: UInt64) -> Bool {
    counter & ~0xFFFF_FFFF == tag && Int(counter & 0xFFFF_FFFF) >= count
  }

  /// Every `Self.round` steps, moves six rows towards the thread that waited less, when the
  /// waits differ by more than those rows take.
  private func balance(after waited: Duration, rows: Int) {
    callerWaited += waited
    guard steps % Self.round == 0 else { return }
    let caller = Self.nanoseconds(callerWaited), worker = Double(workerWaited.exchange(0, ordering: .relaxed))
    callerWaited = .zero
    let difference = (caller - worker) / Double(Self.round)  // ns per step; > 0: the worker is behind
    if abs(difference) > Self.rowsWorth {
      share = min(max(share + (difference > 0 ? 6 : -6) / Double(rows), 0), 1)
    }
  }

  /// Steps per round of `balance`, and what a difference in waits must exceed to move rows: about
  /// the time six rows take on either side (nanoseconds).
  private static let round = 16
  private static let rowsWorth = 1_000.0

  /// The worker: waits for each step and takes the rows after the caller's.
  private func work() {
    var seen: UInt64 = 0
    var spins = 0
    while !stopping.load(ordering: .acquiring) {
      let current = step.load(ordering: .acquiring)
      guard current >> 32 != seen else {
        pause(&spins, sleeping: true)
        continue
      }
      spins = 0
      seen = current >> 32
      let tag = seen << 32
      let rows = Int(current & 0xFFFF_FFFF), split = splitRow.load(ordering: .relaxed)
      let scale = Double(bitPattern: scaleBits.load(ordering: .relaxed))
      workspace.fusedPhase(.forward(split..<rows), loss: loss, scale: scale)
      var waited = Duration.zero
      // The caller's row sums come with its first group; with them, E is known, and with it
      // whether to update (not when E is infinite or NaN: training stops before that step).
      wait(&waited) { Self.reached(handed.load(ordering: .acquiring), 1, in: tag) }
      workspace.fusedSums(split..<rows, continuing: true)
      summed.store(seen, ordering: .releasing)
      for g in 0..<groups {
        wait(&waited) { Self.reached(handed.load(ordering: .acquiring), g + 1, in: tag) }
        workspace.fusedPhase(.backward(groups: g..<g + 1, rows: split..<rows, continuing: true), loss: loss, scale: scale)
        workspace.publishGradients(.groups(g..<g + 1))
        completed.store(tag | UInt64(g + 1), ordering: .releasing)
      }
      workspace.publishGradients(.end)
      workerWaited.add(Int(Self.nanoseconds(waited)), ordering: .relaxed)
      finished.store(seen, ordering: .releasing)
    }
    stopped.store(true, ordering: .releasing)
  }

  private static func nanoseconds(_ d: Duration) -> Double {
    Double(d.components.seconds) * 1e9 + Double(d.components.attoseconds) / 1e9
  }

  /// Pauses the sharing when the worker kept the caller waiting long (over 50 µs) in more than
  /// an eighth of a round's steps: its core is busy with other work, or the system has put both
  /// threads on one core (a new thread often starts on its creator's). Alone, the caller is
  /// faster then, with the same numbers. Sharing resumes after the pause, which doubles (up to
  /// `lastPause` steps) while the worker stays slow and starts over once it is not.
  private func watch(after waited: Duration) {
    if waited > .microseconds(50) { slowSteps += 1 }
    guard steps % Self.round == 0 else { return }
    if slowSteps * 8 > Self.round {
      pausedUntil = calls + nextPause
      nextPause = min(nextPause * 2, Self.lastPause)
    } else {
      nextPause = Self.firstPause
    }
    slowSteps = 0
  }

  private static let firstPause = 32, lastPause = 8_192

  /// Spins (a step's hand-overs are microseconds apart), then, after some 100 µs, yields the core
  /// at each turn, so a thread kept waiting by a busy machine gives it back; the worker, waiting
  /// for a step that may be far off (the caller runs alone for a while), sleeps instead.
  private func pause(_ spins: inout Int, sleeping: Bool = false) {
    spins += 1
    if spins > Self.patience {
      if sleeping { usleep(100) } else { sched_yield() }
    }
  }

  /// Spins of `pause` before it starts yielding.
  private static let patience = 200_000
}
