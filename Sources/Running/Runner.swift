import Foundation
import Manifests
import RunModel

/// Told by the training function after each finished iteration: how many are done.
public typealias IterationProgress = @Sendable (_ iterationsDone: Int) -> Void

/// Trains one run. Called from several threads at once, one run per call: it
/// must build all of its state from the RunSpec (it is a pure function of it).
/// Throwing marks the run failed (it is not stored and runs again next time);
/// a diverged run is a result (`RunResult.diverged`), not a failure.
public typealias TrainFunction = @Sendable (_ spec: RunSpec, _ progress: IterationProgress) throws -> RunResult

/// A run that threw, or whose result could not be stored.
public struct RunFailure: Sendable, Equatable {
  public var spec: RunSpec
  public var message: String
}

/// What one invocation of the runner did.
public struct RunSummary: Sendable, Equatable {
  public var manifest: String
  public var scale: String
  public var shard: Shard
  /// Distinct runs in this shard.
  public var total: Int
  /// Runs that had a valid result before starting (skipped).
  public var alreadyDone: Int
  /// Runs trained and stored now.
  public var completed: Int
  /// Runs whose result was stored now and that diverged (a subset of `completed`).
  public var diverged: Int
  public var failed: [RunFailure]
  /// Result files found invalid (path and reason); they were rerun.
  public var invalidFiles: [String]
  /// Runs another runner sharing the folder trained while this one ran.
  public var doneElsewhere: Int = 0
  /// Runs this runner trained whose result another runner had stored first (counted in
  /// `doneElsewhere`): work done twice, which leases exist to prevent (0 unless a lease was
  /// taken over from a runner that was in fact alive, e.g. one stalled past its lease).
  public var trainedTwice = 0
  /// Runs counted done because an archive holds them (a subset of `alreadyDone`; see `Continuation`).
  public var fromArchive: Int = 0
  /// Why the runner stopped starting runs (a result that could not be stored), and how many it never started.
  public var stopped: (reason: String, notStarted: Int)? = nil

  public static func == (a: RunSummary, b: RunSummary) -> Bool {
    a.manifest == b.manifest && a.scale == b.scale && a.shard == b.shard && a.total == b.total && a.alreadyDone == b.alreadyDone
      && a.completed == b.completed && a.diverged == b.diverged && a.failed == b.failed && a.invalidFiles == b.invalidFiles
      && a.doneElsewhere == b.doneElsewhere && a.trainedTwice == b.trainedTwice && a.fromArchive == b.fromArchive && a.stopped?.reason == b.stopped?.reason && a.stopped?.notStarted == b.stopped?.notStarted
  }

  /// A few lines for the end of a run: counts, then each failure.
  public var report: String {
    var lines = ["\(manifest) (\(scale)\(shard.count > 1 ? ", shard \(shard)" : "")): \(total) runs: "
      + "\(alreadyDone) already done" + (fromArchive > 0 ? " (\(fromArchive) in the archive)" : "") + ", \(completed) completed now (\(diverged) diverged), "
      + (doneElsewhere > 0 ? "\(doneElsewhere) by another runner" + (trainedTwice > 0 ? " (\(trainedTwice) of them also trained here)" : "") + ", " : "")
      + "\(failed.count) failed"]
    if let stopped {
      lines.append("  STOPPED after a result could not be stored (\(stopped.reason)): \(stopped.notStarted) run(s) not started; "
        + "every stored result is kept, and running again resumes")
    }
    for path in invalidFiles { lines.append("  rerun (invalid file): \(path)") }
    for f in failed { lines.append("  FAILED \(f.spec.label) [\(f.spec.hash.prefix(12))]: \(f.message)") }
    return lines.joined(separator: "\n")
  }

  /// True when every run of the shard now has a valid result.
  public var succeeded: Bool { failed.isEmpty && stopped == nil && alreadyDone + completed + doneElsewhere == total }
  /// 0 on success, 1 when any run failed.
  public var exitStatus: Int32 { succeeded ? 0 : 1 }
}

/// Runs the missing runs of a manifest `jobs` at a time, each on its own thread.
///
/// Resumable: a run's result is written atomically when it ends, finished runs
/// are skipped, so killing the process at any moment loses at most the runs in
/// flight and a restart produces the same result files. Shards (`Shard`) split
/// the runs so that several machines can write into one results folder.
public enum Runner {
  /// Relative work of a run for the ETA: its steps times its task's `stepCost`.
  package static func work(_ spec: RunSpec) -> Double {
    Double(spec.config.iterations) * Double(spec.config.stepsPerIteration) * spec.task.row.stepCost
  }

  /// Expands `manifest` at `scale` (the default when nil) and runs shard `shard`
  /// of it into `<resultsRoot>/<manifest name>/`.
  public static func run(
    manifest: Manifest, scale: String? = nil, jobs: Int, shard: Shard = .all,
    resultsRoot: URL = URL(fileURLWithPath: "results", isDirectory: true),
    display: ProgressDisplay = .standardError(), train: @escaping TrainFunction
  ) throws -> RunSummary {
    let expansion = try manifest.expand(scale: scale)
    let store = ResultStore(root: resultsRoot, manifest: manifest.name)
    return run(expansion, store: store, jobs: jobs, shard: shard, display: display, train: train)
  }

  /// Seconds a lease lives without a refresh (see `LeaseBook`): a runner killed on
  /// another machine leaves its runs to others after this long (on this machine, at once).
  public static let defaultLease: Double = 300

  /// Runs shard `shard` of `expansion` into `store`, `jobs` runs at a time.
  ///
  /// Each run is leased before it trains (`LeaseBook`), so runners that share
  /// the folder split the work: a run leased by another live runner is left to
  /// it, and this runner waits for it (taking it over if that runner dies) so
  /// that it returns when every run has a result. A run whose result is in one of
  /// the `adopting` folders (other manifests' folders: `ResultStore.siblingFolders`)
  /// is copied from there instead of trained. A run whose hash is in `archived`
  /// (the runs of an imported archive, `ResultStore.importedRuns`) is counted done.
  public static func run(
    _ expansion: Expansion, store: ResultStore, jobs: Int, shard: Shard = .all,
    display: ProgressDisplay, tick: Double = 0.5, lease: Double = defaultLease, adopting: [URL] = [],
    archived: Set<String> = [], train: @escaping TrainFunction
  ) -> RunSummary {
    let specs = shard.select(expansion.uniqueSpecs)
    let state = RunState(manifest: expansion.manifest.name, scale: expansion.scale.name, shard: shard, total: specs.count)
    let leases = LeaseBook(directory: store.directory, lease: lease)

    let abandoned = store.removeAbandonedTemporaryFiles()
    if abandoned > 0 { display.note("\(store.directory.path): removed \(abandoned) abandoned temporary file(s)") }
    // Leases left by runners killed between storing a result and releasing it, for
    // any run of the folder (not only this shard or round: no one else would clear them).
    leases.removeStaleLeasesOfStoredResults()
    var pending: [RunSpec] = []
    var adopted: [String: Int] = [:]
    for (spec, stored) in zip(specs, store.states(of: specs)) {
      if archived.contains(spec.hash) {
        state.alreadyDone += 1
        if case .valid = stored {} else { state.fromArchive += 1 }
        continue
      }
      switch stored {
      case .valid:
        state.alreadyDone += 1
      case .missing:
        if let from = store.adoptFromSiblings(spec, siblings: adopting) {
          adopted[from, default: 0] += 1
          state.alreadyDone += 1
        } else {
          pending.append(spec)
        }
      case let .invalid(reason):
        let path = store.url(for: spec.hash).path
        state.invalidFiles.append(path)
        display.note("\(path): \(reason); rerunning \(spec.label)")
        pending.append(spec)
      }
    }
    for (from, n) in adopted.sorted(by: { $0.key < $1.key }) {
      display.note("\(n) run(s) already trained for \(from) copied into \(store.directory.path), not retrained")
    }
    state.pending = pending
    state.remainingWork = pending.reduce(0) { $0 + work($1) }

    let queue = LeaseQueue(pending, store: store, leases: leases, state: state, poll: min(max(lease / 4, 0.05), 2))
    leases.startHeartbeat()
    defer { leases.stop() }
    WorkerPool.run(count: min(jobs, pending.count), jobs: jobs, tick: tick, onTick: { display.update(state.snapshot()) }) { _ in
      while let spec = queue.next() {
        trainOne(spec, state: state, store: store, leases: leases, display: display, train: train)
      }
    }
    display.finish(state.snapshot())
    return state.summary()
  }

  private static func trainOne(_ spec: RunSpec, state: RunState, store: ResultStore, leases: LeaseBook,
                               display: ProgressDisplay, train: TrainFunction) {
    state.start(spec)
    defer { leases.release(spec.hash) }
    let iterations = max(1, spec.config.iterations)
    let progress: IterationProgress = { done in
      state.setFraction(spec.hash, Double(min(max(done, 0), iterations)) / Double(iterations))
    }
    let result: RunResult
    do {
      result = try train(spec, progress)
    } catch {
      state.finish(spec, outcome: .failed("\(error)"))
      display.note("\(spec.label): FAILED: \(error)")
      return
    }
    do {
      // A runner that stalled past its lease may have lost the lease: the result is
      // stored all the same (the same bits whoever trains it), unless one is there.
      if try store.write(result, for: spec) == .keptExisting {
        state.finish(spec, outcome: .skipped)
        return
      }
    } catch {
      // A full disk or a folder gone: every later run would be trained only to be lost.
      // No new run starts; the runs in flight still try to store theirs.
      state.finish(spec, outcome: .failed("trained but not stored: \(error)"))
      if state.halt("\(spec.label) could not be stored: \(error)") {
        display.note("\(spec.label): trained but NOT STORED: \(error); stopping: no new run starts "
          + "(free space or fix the folder, then run again: what is stored is kept)")
      }
      return
    }
    state.finish(spec, outcome: result.diverged == nil ? .completed : .diverged)
    if let d = result.diverged {
      display.note("\(spec.label): diverged at iteration \(d.iteration) (\(d.reason)); stored as a result")
    }
  }
}

/// The runs left to train, handed out one at a time once leased. A run leased
/// by another runner waits; when only such runs are left, `next` polls them until
/// each has a result (done elsewhere) or its lease goes stale (taken over here).
final class LeaseQueue: @unchecked Sendable {
  private let lock = NSLock()
  private var untried: [RunSpec]
  private var waiting: [RunSpec] = []
  private let store: ResultStore
  private let leases: LeaseBook
  private let state: RunState
  private let poll: Double

  init(_ specs: [RunSpec], store: ResultStore, leases: LeaseBook, state: RunState, poll: Double) {
    untried = specs
    self.store = store
    self.leases = leases
    self.state = state
    self.poll = poll
  }

  /// The next run this runner holds the lease of, or nil when none is left (or the runner stopped).
  func next() -> RunSpec? {
    while true {
      if state.isHalted { return nil }
      lock.lock()
      if untried.isEmpty && waiting.isEmpty {
        lock.unlock()
        return nil
      }
      if untried.isEmpty {
        // Only runs leased elsewhere are left: look again after a pause.
        lock.unlock()
        Thread.sleep(forTimeInterval: poll)
        lock.lock()
        untried += waiting  // another worker may have moved them already: append, never replace
        waiting = []
        lock.unlock()
        continue
      }
      let spec = untried.removeFirst()
      lock.unlock()
      if case .valid = store.state(of: spec) {
        state.finishElsewhere(spec)
        continue
      }
      do {
        switch try leases.lease(spec.hash) {
        case .leased:
          // It may have been finished between the check and the lease.
          if case .valid = store.state(of: spec) {
            leases.release(spec.hash)
            state.finishElsewhere(spec)
            continue
          }
          state.setWaiting(spec, on: nil)
          return spec
        case .heldElsewhere(let owner):
          state.setWaiting(spec, on: owner)
          lock.lock()
          waiting.append(spec)
          lock.unlock()
        }
      } catch {
        state.start(spec)
        state.finish(spec, outcome: .failed("cannot lease the run: \(error)"))
      }
    }
  }
}

/// Shared state of one runner invocation, guarded by a lock.
final class RunState: @unchecked Sendable {
  enum Outcome { case completed, diverged, skipped, failed(String) }

  let lock = NSLock()
  let manifest: String
  let scale: String
  let shard: Shard
  let total: Int
  let start = Date()
  var alreadyDone = 0
  var invalidFiles: [String] = []
  var pending: [RunSpec] = []
  var running: [String: (work: Double, fraction: Double)] = [:]
  var completed = 0
  var diverged = 0
  var skipped = 0
  /// Runs another runner finished during this invocation.
  var doneElsewhere = 0
  var fromArchive = 0
  /// Runs now leased by another live runner: hash → (run, the lease's owner).
  var waiting: [String: (label: String, owner: String)] = [:]
  var failures: [RunFailure] = []
  /// Work (steps × cost) not yet done, counting running runs whole.
  var remainingWork = 0.0
  /// Work finished in this invocation (finished runs only).
  var finishedWork = 0.0
  /// Why the runner stopped starting runs (a result that could not be stored), if it did.
  var stopped: String?
  /// Runs handed out to train (the rest of `pending` were never started).
  var started = 0

  init(manifest: String, scale: String, shard: Shard, total: Int) {
    self.manifest = manifest
    self.scale = scale
    self.shard = shard
    self.total = total
  }

  func start(_ s: RunSpec) {
    lock.lock()
    defer { lock.unlock() }
    running[s.hash] = (Runner.work(s), 0)
    started += 1
  }

  /// Stops the runner from starting runs; true for the first call (the one to report).
  func halt(_ reason: String) -> Bool {
    lock.lock()
    defer { lock.unlock() }
    guard stopped == nil else { return false }
    stopped = reason
    return true
  }

  var isHalted: Bool {
    lock.lock()
    defer { lock.unlock() }
    return stopped != nil
  }

  func setFraction(_ hash: String, _ f: Double) {
    lock.lock()
    defer { lock.unlock() }
    if let r = running[hash] { running[hash] = (r.work, f) }
  }

  func finish(_ spec: RunSpec, outcome: Outcome) {
    lock.lock()
    defer { lock.unlock() }
    let w = running.removeValue(forKey: spec.hash)?.work ?? Runner.work(spec)
    remainingWork -= w
    switch outcome {
    case .completed:
      completed += 1
      finishedWork += w
    case .diverged:
      completed += 1
      diverged += 1
      finishedWork += w
    case .skipped:
      skipped += 1
    case let .failed(message):
      failures.append(RunFailure(spec: spec, message: message))
      finishedWork += w
    }
  }

  func finishElsewhere(_ spec: RunSpec) {
    lock.lock()
    defer { lock.unlock() }
    waiting[spec.hash] = nil
    doneElsewhere += 1
    remainingWork -= Runner.work(spec)
  }

  /// Marks `spec` as waiting on a lease held by `owner` (nil: no longer waiting).
  func setWaiting(_ spec: RunSpec, on owner: String?) {
    lock.lock()
    defer { lock.unlock() }
    waiting[spec.hash] = owner.map { (spec.label, $0) }
  }

  func snapshot() -> ProgressSnapshot {
    lock.lock()
    defer { lock.unlock() }
    let elapsed = Date().timeIntervalSince(start)
    let partial = running.values.reduce(0) { $0 + $1.work * $1.fraction }
    let doneWork = finishedWork + partial
    var eta: Double? = nil
    if doneWork > 0 && elapsed > 0 {
      eta = max(0, remainingWork - partial) / (doneWork / elapsed)
    }
    var snapshot = ProgressSnapshot(
      manifest: manifest, scale: scale, shard: shard, total: total,
      done: alreadyDone + completed + skipped + doneElsewhere, running: running.count, failed: failures.count,
      elapsed: elapsed, eta: eta)
    snapshot.elsewhere = waiting.count
    if let first = waiting.min(by: { $0.key < $1.key })?.value {
      snapshot.waitingOn = "\(first.label) leased by \(LeaseBook.Owner(first.owner).short)"
    }
    return snapshot
  }

  func summary() -> RunSummary {
    lock.lock()
    defer { lock.unlock() }
    // Keep failures in canonical order whatever the thread timing.
    let order = Dictionary(uniqueKeysWithValues: pending.enumerated().map { ($1.hash, $0) })
    let sortedFailures = failures.sorted { (order[$0.spec.hash] ?? 0) < (order[$1.spec.hash] ?? 0) }
    var summary = RunSummary(
      manifest: manifest, scale: scale, shard: shard, total: total, alreadyDone: alreadyDone,
      completed: completed, diverged: diverged, failed: sortedFailures, invalidFiles: invalidFiles,
      doneElsewhere: doneElsewhere + skipped)
    summary.trainedTwice = skipped
    summary.fromArchive = fromArchive
    if let stopped { summary.stopped = (stopped, notStarted: max(0, total - alreadyDone - doneElsewhere - started)) }
    return summary
  }
}
