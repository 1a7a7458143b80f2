import Experiments
import Foundation
import RunModel
import XCTest

/// Leases let runners that share a results folder split the work (Issues 11 and 25).
final class RunLeaseTests: XCTestCase {
  let hash = String(repeating: "ab", count: 32)
  /// A lease of a runner on another machine.
  let remote = "host=elsewhere.example boot=0f0f pidns=4026531836 pid=4242 start=1 token=remote"

  /// This machine's owner fields with the PID of `child`, which has exited.
  func deadOwner(_ child: Process) -> String {
    let mine = LeaseBook(directory: URL(fileURLWithPath: "/tmp"), lease: 1).owner
    return mine.replacingOccurrences(of: "pid=\(getpid()) ", with: "pid=\(child.processIdentifier) ") + "\n"
  }

  func testAClaimIsExclusiveUntilReleased() throws {
    let dir = try temporaryFolder()
    let a = LeaseBook(directory: dir, lease: 60), b = LeaseBook(directory: dir, lease: 60)
    XCTAssertEqual(try a.lease(hash), .leased)
    XCTAssertEqual(try b.lease(hash), .heldElsewhere(owner: a.owner))
    XCTAssertTrue(a.holds(hash))
    XCTAssertFalse(b.holds(hash))
    a.release(hash)
    XCTAssertFalse(FileManager.default.fileExists(atPath: a.leasePath(hash)))
    XCTAssertEqual(try b.lease(hash), .leased)
  }

  /// A claim of a process of this host that has exited is taken over at once.
  func testAClaimOfADeadProcessIsTakenOverAtOnce() throws {
    let dir = try temporaryFolder()
    let child = Process()
    child.executableURL = URL(fileURLWithPath: "/bin/true")
    try child.run()
    child.waitUntilExit()
    try deadOwner(child).write(toFile: dir.appendingPathComponent("\(hash).lease").path,
                                                                 atomically: true, encoding: .utf8)
    let b = LeaseBook(directory: dir, lease: 3600)
    XCTAssertEqual(try b.lease(hash), .leased, "the owner is gone: no need to wait for the lease")
    XCTAssertTrue(b.holds(hash))
  }

  /// A runner killed between storing a result and releasing its claim leaves the
  /// claim: the next runner on the folder removes it, even when that run is not
  /// among its own (another shard, or a finished round of --until-decided).
  func testStaleClaimsBesideStoredResultsAreRemoved() throws {
    let dir = try temporaryFolder()
    let e = try decodeMini().expand()
    let store = ResultStore(directory: dir)
    XCTAssertTrue(Runner.run(e, store: store, jobs: 1, display: quietDisplay(), tick: 0.01, train: fakeTrain).succeeded)
    let child = Process()
    child.executableURL = URL(fileURLWithPath: "/bin/true")
    try child.run()
    child.waitUntilExit()
    let stored = e.uniqueSpecs[0].hash
    let deadClaim = dir.appendingPathComponent("\(stored).lease").path
    let liveClaim = dir.appendingPathComponent("\(e.uniqueSpecs[1].hash).lease").path
    try deadOwner(child).write(toFile: deadClaim, atomically: true, encoding: .utf8)
    try "\(remote)\n".write(toFile: liveClaim, atomically: true, encoding: .utf8)
    var none = e
    none.specs = []
    XCTAssertTrue(Runner.run(none, store: store, jobs: 1, display: quietDisplay(), tick: 0.01, lease: 3600, train: fakeTrain).succeeded)
    XCTAssertFalse(FileManager.default.fileExists(atPath: deadClaim), "its owner is gone and the result is stored")
    XCTAssertTrue(FileManager.default.fileExists(atPath: liveClaim), "a fresh claim of another host is left alone")
  }

  /// A claim of another machine is taken over once it has not been refreshed for a lease, not before.
  func testAClaimOfAnotherHostIsTakenOverAfterItsLease() throws {
    let dir = try temporaryFolder()
    let path = dir.appendingPathComponent("\(hash).lease").path
    try "\(remote)\n".write(toFile: path, atomically: true, encoding: .utf8)
    let b = LeaseBook(directory: dir, lease: 30)
    XCTAssertEqual(try b.lease(hash), .heldElsewhere(owner: remote), "fresh: it is respected")
    // Last refreshed 31 s ago.
    var times = [timeval(tv_sec: time(nil) - 31, tv_usec: 0), timeval(tv_sec: time(nil) - 31, tv_usec: 0)]
    XCTAssertEqual(utimes(path, &times), 0)
    XCTAssertEqual(try b.lease(hash), .leased)
    XCTAssertTrue(b.holds(hash))
  }

  /// The owner's heartbeat keeps its claim fresh past the lease.
  func testTheHeartbeatKeepsAClaimAlive() throws {
    let dir = try temporaryFolder()
    let a = LeaseBook(directory: dir, lease: 0.4)
    XCTAssertEqual(try a.lease(hash), .leased)
    // Pretend the owner lives on another machine, so only the lease counts.
    let path = a.leasePath(hash)
    try "\(remote)\n".write(toFile: path, atomically: true, encoding: .utf8)
    let other = LeaseBook(directory: dir, lease: 0.4)
    Thread.sleep(forTimeInterval: 0.6)
    XCTAssertEqual(try other.lease(hash), .leased, "not refreshed for a lease: stale")
    other.startHeartbeat()
    defer { other.stop() }
    try "\(remote)\n".write(toFile: path, atomically: true, encoding: .utf8)  // a foreign claim again
    let third = LeaseBook(directory: dir, lease: 0.4)
    XCTAssertEqual(try third.lease(hash), .heldElsewhere(owner: remote))
  }

  /// A runner in another container of this host (same host name and boot id, another PID
  /// namespace) cannot see the owner's process: its lease is respected until it goes
  /// unrefreshed for a lease, never taken as dead because the PID is not visible here.
  func testALeaseFromAnotherPIDNamespaceIsRespectedUntilItsLeaseRunsOut() throws {
    let dir = try temporaryFolder()
    let child = Process()
    child.executableURL = URL(fileURLWithPath: "/bin/true")
    try child.run()
    child.waitUntilExit()
    let path = dir.appendingPathComponent("\(hash).lease").path
    let otherContainer = deadOwner(child).replacingOccurrences(of: #"pidns=[^ ]+"#, with: "pidns=1234567", options: .regularExpression)
    XCTAssertTrue(otherContainer.contains("pidns=1234567"), otherContainer)
    try otherContainer.write(toFile: path, atomically: true, encoding: .utf8)
    let b = LeaseBook(directory: dir, lease: 30)
    XCTAssertEqual(try b.lease(hash), .heldElsewhere(owner: otherContainer.trimmingCharacters(in: .newlines)),
                   "its PID is not visible from here, which says nothing about the process")
    var times = [timeval(tv_sec: time(nil) - 31, tv_usec: 0), timeval(tv_sec: time(nil) - 31, tv_usec: 0)]
    XCTAssertEqual(utimes(path, &times), 0)
    XCTAssertEqual(try b.lease(hash), .leased, "not refreshed for a lease: stale")
  }

  /// A lease dated in the future (another machine's clock ahead, a copied folder) is stale
  /// once it has stayed unchanged for a lease of this machine's clock, not after its date.
  func testALeaseDatedInTheFutureIsStaleAfterALeaseOfThisClock() throws {
    let dir = try temporaryFolder()
    let path = dir.appendingPathComponent("\(hash).lease").path
    try "\(remote)\n".write(toFile: path, atomically: true, encoding: .utf8)
    var times = [timeval(tv_sec: time(nil) + 7200, tv_usec: 0), timeval(tv_sec: time(nil) + 7200, tv_usec: 0)]
    XCTAssertEqual(utimes(path, &times), 0)
    let b = LeaseBook(directory: dir, lease: 0.4)
    XCTAssertEqual(try b.lease(hash), .heldElsewhere(owner: remote), "first seen: respected")
    Thread.sleep(forTimeInterval: 0.6)
    XCTAssertEqual(try b.lease(hash), .leased, "unchanged for a lease here: stale, two hours before its date")
    // A future-dated lease that its owner keeps refreshing is not stale.
    let other = "\(hash.dropLast(2))cd"
    let live = dir.appendingPathComponent("\(other).lease").path
    try "\(remote)\n".write(toFile: live, atomically: true, encoding: .utf8)
    for k in 0..<4 {
      var t = [timeval(tv_sec: time(nil) + 7200 + k, tv_usec: 0), timeval(tv_sec: time(nil) + 7200 + k, tv_usec: 0)]
      XCTAssertEqual(utimes(live, &t), 0)
      XCTAssertEqual(try b.lease(other), .heldElsewhere(owner: remote), "refreshed: live (look \(k))")
      Thread.sleep(forTimeInterval: 0.2)
    }
  }

  /// The progress line names a run waiting on another runner's lease, and that runner.
  func testTheProgressLineNamesTheRunWaitingOnALeaseAndItsOwner() throws {
    let dir = try temporaryFolder()
    let e = try decodeMini().expand()
    let store = ResultStore(directory: dir)
    let spec = e.uniqueSpecs[0]
    try "\(remote)\n".write(toFile: dir.appendingPathComponent("\(spec.hash).lease").path, atomically: true, encoding: .utf8)
    final class Lines: @unchecked Sendable {
      let lock = NSLock()
      var all: [String] = []
      func add(_ s: String) { lock.lock(); all.append(s); lock.unlock() }
    }
    let lines = Lines()
    let display = ProgressDisplay(mode: .plain(every: 0)) { lines.add($0) }
    let summary = Runner.run(e, store: store, jobs: 2, display: display, tick: 0.05, lease: 0.6, train: fakeTrain)
    XCTAssertTrue(summary.succeeded, "the remote lease went stale and its run was taken over: \(summary.report)")
    let waiting = lines.all.first { $0.contains("waiting on another runner's lease") }
    XCTAssertNotNil(waiting, lines.all.joined(separator: "\n"))
    XCTAssertTrue(waiting?.contains("\(spec.label) leased by elsewhere.example pid 4242") == true, waiting ?? "")
  }

  /// Many runners racing for the same stale lease: exactly one gets it.
  func testRacingTakeoversHaveOneWinner() throws {
    for trial in 0..<20 {
      let dir = try temporaryFolder()
      let path = dir.appendingPathComponent("\(hash).lease").path
      try "\(remote)\n".write(toFile: path, atomically: true, encoding: .utf8)
      var times = [timeval(tv_sec: time(nil) - 100, tv_usec: 0), timeval(tv_sec: time(nil) - 100, tv_usec: 0)]
      utimes(path, &times)
      let books = (0..<6).map { _ in LeaseBook(directory: dir, lease: 10) }
      let h = hash
      let wins = WorkerPool.map(Array(0..<books.count), jobs: books.count) { i in
        (try? books[i].lease(h)) == .leased ? 1 : 0
      }
      XCTAssertEqual(wins.reduce(0, +), 1, "trial \(trial)")
      XCTAssertEqual(books.filter { $0.holds(h) }.count, 1, "trial \(trial)")
    }
  }
}

/// Two runner processes on one results folder (this test binary, running
/// `testChildRunner` twice at once): every run is trained exactly once, both
/// finish with every result, and the folder ends as a single runner leaves it.
final class SharedFolderTests: XCTestCase {
  static let childVariable = "REPRO_SHARED_FOLDER_CHILD"

  /// Does nothing unless started by `testTwoRunnersTrainEachRunOnce`.
  func testChildRunner() throws {
    guard let spec = ProcessInfo.processInfo.environment[Self.childVariable] else { return }
    let parts = spec.split(separator: "|").map(String.init)  // results folder | log file | summary file
    let e = try decodeMini().expand()
    let log = parts[1]
    let train: TrainFunction = { spec, progress in
      Thread.sleep(forTimeInterval: 0.1)
      let fd = open(log, O_WRONLY | O_APPEND | O_CREAT, 0o644)
      let line = "\(spec.hash) \(getpid())\n"
      _ = line.withCString { write(fd, $0, strlen($0)) }
      close(fd)
      return try fakeTrain(spec, progress)
    }
    let s = Runner.run(e, store: ResultStore(directory: URL(fileURLWithPath: parts[0])), jobs: 2,
                       display: quietDisplay(), tick: 0.05, lease: 2, train: train)
    try "\(s.succeeded) \(s.completed) \(s.doneElsewhere) | \(s.report)\n".write(toFile: parts[2], atomically: true, encoding: .utf8)
  }

  func testTwoRunnersTrainEachRunOnce() throws {
    guard let exe = Bundle.main.executableURL, FileManager.default.isExecutableFile(atPath: exe.path),
          exe.lastPathComponent.hasSuffix(".xctest") || exe.path.contains("xctest") else {
      throw XCTSkip("cannot locate the test executable to start a child process")
    }
    let e = try decodeMini().expand()
    let single = ResultStore(directory: try temporaryFolder())
    XCTAssertTrue(Runner.run(e, store: single, jobs: 2, display: quietDisplay(), tick: 0.01, train: fakeTrain).succeeded)

    let dir = try temporaryFolder(), logs = try temporaryFolder()
    let log = logs.appendingPathComponent("trained.log").path
    let children = (0..<2).map { i -> Process in
      let child = Process()
      child.executableURL = exe
      child.arguments = ["ExperimentsTests.SharedFolderTests/testChildRunner"]
      var env = ProcessInfo.processInfo.environment
      env[Self.childVariable] = "\(dir.path)|\(log)|\(logs.appendingPathComponent("summary-\(i)").path)"
      child.environment = env
      child.standardOutput = FileHandle.nullDevice
      child.standardError = FileHandle.nullDevice
      return child
    }
    for c in children { try c.run() }
    for c in children { c.waitUntilExit() }

    let trained = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ") }
    XCTAssertEqual(trained.count, e.uniqueSpecs.count, "every run trained exactly once")
    XCTAssertEqual(Set(trained.map { String($0[0]) }).count, e.uniqueSpecs.count)
    XCTAssertEqual(Set(trained.map { String($0[1]) }).count, 2, "both runners trained")
    var completed = 0
    for i in 0..<2 {
      let parts = try String(contentsOfFile: logs.appendingPathComponent("summary-\(i)").path, encoding: .utf8)
        .split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
      XCTAssertEqual(parts[0], "true", "runner \(i) ends with every result: \(parts.joined(separator: " "))")
      completed += Int(parts[1]) ?? 0
    }
    XCTAssertEqual(completed, e.uniqueSpecs.count, "no duplicate is counted as completed")
    let files = try folderContents(dir).filter { !$0.key.hasPrefix(".") }
    XCTAssertEqual(files, try folderContents(single.directory), "the same files as one runner, and no claim left")
  }
}
