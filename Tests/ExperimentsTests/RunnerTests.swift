import RunModel
import Experiments
import Foundation
import XCTest

final class RunnerTests: XCTestCase {
  func testRunsEverythingAndSkipsOnRerun() throws {
    let e = try decodeMini().expand()
    let store = ResultStore(directory: try temporaryFolder())
    let calls = Counter()
    let train: TrainFunction = { spec, progress in
      calls.increment()
      return try fakeTrain(spec, progress)
    }
    let s1 = Runner.run(e, store: store, jobs: 3, display: quietDisplay(), tick: 0.01, train: train)
    XCTAssertEqual(s1.total, 12)
    XCTAssertEqual(s1.completed, 12)
    XCTAssertEqual(s1.alreadyDone, 0)
    XCTAssertTrue(s1.succeeded)
    XCTAssertEqual(s1.exitStatus, 0)
    XCTAssertEqual(calls.value, 12)
    for spec in e.specs { XCTAssertEqual(store.load(spec), try fakeTrain(spec) { _ in }) }

    let s2 = Runner.run(e, store: store, jobs: 3, display: quietDisplay(), tick: 0.01, train: train)
    XCTAssertEqual(s2.alreadyDone, 12)
    XCTAssertEqual(s2.completed, 0)
    XCTAssertEqual(calls.value, 12, "finished runs are not trained again")
    XCTAssertTrue(s2.succeeded)
  }

  /// Interrupted after k runs (the training function "crashes" from then on, a
  /// half-written file and a stray temporary file are left behind), then
  /// restarted: the folder ends byte-identical to an uninterrupted run's.
  func testInterruptedThenResumedEqualsUninterrupted() throws {
    let e = try decodeMini().expand()
    let clean = ResultStore(directory: try temporaryFolder())
    XCTAssertTrue(Runner.run(e, store: clean, jobs: 2, display: quietDisplay(), tick: 0.01, train: fakeTrain).succeeded)

    for k in [0, 1, 5, 11] {
      let store = ResultStore(directory: try temporaryFolder())
      let started = Counter()
      let crashing: TrainFunction = { spec, progress in
        if started.increment() > k { throw FakeCrash() }
        return try fakeTrain(spec, progress)
      }
      let s1 = Runner.run(e, store: store, jobs: 1, display: quietDisplay(), tick: 0.01, train: crashing)
      XCTAssertEqual(s1.completed, k)
      XCTAssertEqual(s1.failed.count, 12 - k)
      XCTAssertEqual(s1.exitStatus, 1)
      XCTAssertEqual(s1.failed.first?.message, "simulated crash")

      // What a kill during a write can leave: a truncated result and a temporary file.
      let victim = e.specs[11]
      let full = ResultFile.encode(StoredRun(spec: victim, result: try fakeTrain(victim) { _ in }))
      try full.prefix(full.count / 2).write(to: store.url(for: victim.hash))
      let stray = store.directory.appendingPathComponent(".\(victim.hash).json.123.abc.tmp")
      try full.prefix(10).write(to: stray)

      let s2 = Runner.run(e, store: store, jobs: 3, display: quietDisplay(), tick: 0.01, train: fakeTrain)
      XCTAssertTrue(s2.succeeded, "k = \(k)")
      XCTAssertEqual(s2.alreadyDone, k)
      XCTAssertEqual(s2.invalidFiles, [store.url(for: victim.hash).path])
      try FileManager.default.removeItem(at: stray)
      XCTAssertEqual(try folderContents(store.directory), try folderContents(clean.directory), "k = \(k)")
    }
  }

  func testShardsIntoOneFolderEqualUnsharded() throws {
    let e = try decodeMini().expand()
    let whole = ResultStore(directory: try temporaryFolder())
    _ = Runner.run(e, store: whole, jobs: 2, display: quietDisplay(), tick: 0.01, train: fakeTrain)

    let shared = ResultStore(directory: try temporaryFolder())
    var totals: [Int] = []
    for i in 1...3 {
      let s = Runner.run(e, store: shared, jobs: 2, shard: try Shard(index: i, count: 3), display: quietDisplay(), tick: 0.01, train: fakeTrain)
      XCTAssertTrue(s.succeeded)
      XCTAssertEqual(s.alreadyDone, 0, "shards do not overlap")
      totals.append(s.total)
    }
    XCTAssertEqual(totals, [4, 4, 4])
    XCTAssertEqual(try folderContents(shared.directory), try folderContents(whole.directory))
  }

  func testDivergedRunsAreResultsNotFailures() throws {
    let e = try decodeMini().expand(scale: "two")
    let store = ResultStore(directory: try temporaryFolder())
    let train: TrainFunction = { spec, progress in
      var r = try fakeTrain(spec, progress)
      if spec.seed == 2 {
        r.diverged = Divergence(iteration: 1, reason: "non-finite loss")
      }
      return r
    }
    let captured = Captured()
    let display = ProgressDisplay(mode: .plain(every: 3600)) { captured.append($0) }
    let s = Runner.run(e, store: store, jobs: 2, display: display, tick: 0.01, train: train)
    XCTAssertTrue(s.succeeded)
    XCTAssertEqual(s.completed, 8)
    XCTAssertEqual(s.diverged, 4)
    XCTAssertTrue(captured.text.contains("PPO/Hopper/seed 2: diverged at iteration 1 (non-finite loss); stored as a result"), captured.text)
  }

  func testFailuresAreReportedInCanonicalOrder() throws {
    let e = try decodeMini().expand()
    let store = ResultStore(directory: try temporaryFolder())
    let train: TrainFunction = { spec, progress in
      if spec.task == .walker2d { throw FakeCrash() }
      return try fakeTrain(spec, progress)
    }
    let captured = Captured()
    let display = ProgressDisplay(mode: .plain(every: 3600)) { captured.append($0) }
    let s = Runner.run(e, store: store, jobs: 4, display: display, tick: 0.01, train: train)
    XCTAssertFalse(s.succeeded)
    XCTAssertEqual(s.exitStatus, 1)
    XCTAssertEqual(s.completed, 6)
    XCTAssertEqual(s.failed.map(\.spec.label), e.specs.filter { $0.task == .walker2d }.map(\.label))
    XCTAssertTrue(captured.text.contains("TRPO/Walker2d/seed 3: FAILED: simulated crash\n"))
    let last = captured.text.split(separator: "\n").last.map(String.init) ?? ""
    XCTAssertTrue(last.hasPrefix("mini (tiny): 6/12 done, 0 running, 6 failed, 0 to go, "), last)
    XCTAssertTrue(last.hasSuffix(" elapsed, finished"), last)
  }

  func testManyRunsManyThreads() throws {
    let many = miniManifest.replacing1("\"two\": {\"seeds\": 2,", "\"two\": {\"seeds\": 40,")
    let e = try decodeMini(many).expand(scale: "two")
    let store = ResultStore(directory: try temporaryFolder())
    let s = Runner.run(e, store: store, jobs: 8, display: quietDisplay(), tick: 0.01, train: fakeTrain)
    XCTAssertEqual(s.total, 160)
    XCTAssertEqual(s.completed, 160)
    let files = try FileManager.default.contentsOfDirectory(atPath: store.directory.path)
    XCTAssertEqual(Set(files), Set(e.specs.map { "\($0.hash).json" }))
    XCTAssertEqual(store.loadAll(e).results.count, 160)
  }

  func testSummaryReport() throws {
    let e = try decodeMini().expand(scale: "two")
    let store = ResultStore(directory: try temporaryFolder())
    let train: TrainFunction = { spec, progress in
      if spec.label == "TRPO/Walker2d/seed 2" { throw FakeCrash() }
      return try fakeTrain(spec, progress)
    }
    let s = Runner.run(e, store: store, jobs: 2, display: quietDisplay(), tick: 0.01, train: train)
    let failed = try XCTUnwrap(e.specs.first { $0.label == "TRPO/Walker2d/seed 2" })
    XCTAssertEqual(s.report, """
      mini (two): 8 runs: 0 already done, 7 completed now (0 diverged), 1 failed
        FAILED TRPO/Walker2d/seed 2 [\(failed.hash.prefix(12))]: simulated crash
      """)
  }

  /// A disk that fills (here: the results folder replaced by a file) during a run stops the
  /// runner at the first result it cannot store: no later run is trained only to be lost,
  /// what was stored is kept, and running again resumes.
  func testTheRunnerStopsAtTheFirstResultItCannotStore() throws {
    let e = try decodeMini().expand(scale: "two")
    let root = try temporaryFolder()
    let dir = root.appendingPathComponent("results", isDirectory: true)
    let moved = root.appendingPathComponent("moved", isDirectory: true)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let store = ResultStore(directory: dir)
    let trained = Counter()
    let train: TrainFunction = { spec, progress in
      if trained.increment() == 3 {
        // The third result cannot be written: the folder is gone, a file in its place.
        try FileManager.default.moveItem(at: dir, to: moved)
        try Data("x".utf8).write(to: dir)
      }
      return try fakeTrain(spec, progress)
    }
    let s = Runner.run(e, store: store, jobs: 1, display: quietDisplay(), tick: 0.01, train: train)
    XCTAssertFalse(s.succeeded)
    XCTAssertEqual(trained.value, 3, "no run is trained after the first one that could not be stored")
    XCTAssertEqual(s.completed, 2)
    XCTAssertEqual(s.failed.count, 1)
    XCTAssertEqual(s.stopped?.notStarted, e.uniqueSpecs.count - 3)
    XCTAssertTrue(s.report.contains("STOPPED after a result could not be stored"), s.report)
    XCTAssertTrue(s.failed[0].message.hasPrefix("trained but not stored"), s.failed[0].message)
    // Space is back: the two stored results are kept and the rest are trained. (The lease
    // of the run that could not be stored was in the moved folder, so it could not be
    // released; its owner is this live test process, which a new runner would wait for.)
    try FileManager.default.removeItem(at: dir)
    try FileManager.default.moveItem(at: moved, to: dir)
    for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where name.hasSuffix(".lease") {
      try FileManager.default.removeItem(at: dir.appendingPathComponent(name))
    }
    let again = Runner.run(e, store: store, jobs: 1, display: quietDisplay(), tick: 0.01, train: fakeTrain)
    XCTAssertTrue(again.succeeded, again.report)
    XCTAssertEqual(again.alreadyDone, 2)
    XCTAssertEqual(again.completed, e.uniqueSpecs.count - 2)
  }

  func testConvenienceEntryPointWritesUnderResultsManifest() throws {
    let root = try temporaryFolder()
    let s = try Runner.run(manifest: try decodeMini(), scale: "two", jobs: 2, shard: try Shard(parsing: "1/1"),
                           resultsRoot: root, display: quietDisplay(), train: fakeTrain)
    XCTAssertTrue(s.succeeded)
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("mini").path).count, 8)
  }

  // MARK: Progress line

  func testProgressLineFormatting() throws {
    var p = ProgressSnapshot(manifest: "table2", scale: "quick", shard: .all, total: 36, done: 14, running: 2, failed: 1,
                             elapsed: 185, eta: 760)
    XCTAssertEqual(p.line, "table2 (quick): 14/36 done, 2 running, 1 failed, 19 to go, 3m05s elapsed, ETA 12m40s")
    p.shard = try Shard(index: 2, count: 3)
    p.eta = nil
    XCTAssertEqual(p.line, "table2 (quick, shard 2/3): 14/36 done, 2 running, 1 failed, 19 to go, 3m05s elapsed, ETA --")
    p.done = 35
    p.running = 0
    XCTAssertEqual(p.line, "table2 (quick, shard 2/3): 35/36 done, 0 running, 1 failed, 0 to go, 3m05s elapsed, finished")
    XCTAssertEqual(ProgressSnapshot.duration(0), "0s")
    XCTAssertEqual(ProgressSnapshot.duration(59.4), "59s")
    XCTAssertEqual(ProgressSnapshot.duration(61), "1m01s")
    XCTAssertEqual(ProgressSnapshot.duration(3600 * 5 + 7 * 60), "5h07m")
    XCTAssertEqual(ProgressSnapshot.duration(86400 * 3 + 3600 * 4), "3d04h")
    XCTAssertEqual(ProgressSnapshot.duration(.infinity), "--")
    p.elsewhere = 2
    p.waitingOn = "PPO/Hopper/seed 3 leased by node7 pid 4121"
    XCTAssertEqual(p.line, "table2 (quick, shard 2/3): 35/36 done, 0 running, 2 waiting on another runner's lease "
      + "(PPO/Hopper/seed 3 leased by node7 pid 4121, …), 1 failed, 0 to go, 3m05s elapsed, finished")
  }

  func testTerminalModeRedrawsOneLine() {
    let captured = Captured()
    let d = ProgressDisplay(mode: .terminal) { captured.append($0) }
    let p = ProgressSnapshot(manifest: "m", scale: "s", shard: .all, total: 2, done: 1, running: 1, failed: 0, elapsed: 1, eta: 1)
    d.update(p)
    d.note("a note")
    var q = p
    q.done = 2
    q.running = 0
    d.finish(q)
    let line1 = "m (s): 1/2 done, 1 running, 0 failed, 0 to go, 1s elapsed, ETA 1s"
    let line2 = "m (s): 2/2 done, 0 running, 0 failed, 0 to go, 1s elapsed, finished"
    XCTAssertEqual(captured.text, "\r\(line1)\u{1B}[K" + "\r\u{1B}[Ka note\n\(line1)\u{1B}[K" + "\r\(line2)\u{1B}[K\n")
  }

  func testTerminalLinesAreCutToTheWidth() {
    let captured = Captured()
    let d = ProgressDisplay(mode: .terminal, width: 20) { captured.append($0) }
    d.update(ProgressSnapshot(manifest: "m", scale: "s", shard: .all, total: 2, done: 1, running: 1, failed: 0, elapsed: 1, eta: 1))
    XCTAssertEqual(captured.text, "\rm (s): 1/2 done, 1 \u{1B}[K")
  }

  func testPlainModeWritesOccasionalLines() {
    let captured = Captured()
    let d = ProgressDisplay(mode: .plain(every: 60)) { captured.append($0) }
    var p = ProgressSnapshot(manifest: "m", scale: "s", shard: .all, total: 9, done: 0, running: 1, failed: 0, elapsed: 0, eta: nil)
    for t in stride(from: 0.0, through: 130, by: 0.5) {
      p.elapsed = t
      d.update(p)
    }
    XCTAssertEqual(captured.text.split(separator: "\n").count, 3, "at 0s, 60s and 120s")
    XCTAssertFalse(captured.text.contains("\r"))
  }

  func testProgressIsReportedWhileRunning() throws {
    let e = try decodeMini().expand()
    let store = ResultStore(directory: try temporaryFolder())
    let captured = Captured()
    let display = ProgressDisplay(mode: .plain(every: 0)) { captured.append($0) }
    let slow: TrainFunction = { spec, progress in
      Thread.sleep(forTimeInterval: 0.02)
      return try fakeTrain(spec, progress)
    }
    let s = Runner.run(e, store: store, jobs: 2, display: display, tick: 0.005, train: slow)
    XCTAssertTrue(s.succeeded)
    let lines = captured.text.split(separator: "\n")
    XCTAssertGreaterThan(lines.count, 3)
    XCTAssertTrue(lines.contains { $0.contains(" 2 running") }, captured.text)
    XCTAssertTrue(lines.contains { $0.contains(" running") && $0.contains("ETA ") && !$0.contains("ETA --") }, captured.text)
    XCTAssertTrue(lines.last!.hasPrefix("mini (tiny): 12/12 done, 0 running, 0 failed, 0 to go"))
  }
}

final class Counter: @unchecked Sendable {
  private let lock = NSLock()
  private var n = 0
  /// Increments and returns the new value.
  @discardableResult func increment() -> Int { lock.lock(); defer { lock.unlock() }; n += 1; return n }
  var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}
