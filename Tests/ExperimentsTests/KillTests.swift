import RunModel
import Experiments
import Foundation
import XCTest

/// A real crash: a child process (this test binary, running `testChildRunner`)
/// trains into a folder and is killed with SIGKILL part-way; the parent resumes
/// and must end with the same files as an uninterrupted run.
final class KillTests: XCTestCase {
  static let childVariable = "REPRO_EXPERIMENTS_CHILD_DIR"

  /// Does nothing unless started by `testKilledProcessResumesToSameFiles`.
  func testChildRunner() throws {
    guard let dir = ProcessInfo.processInfo.environment[KillTests.childVariable] else { return }
    let e = try decodeMini().expand()
    let slow: TrainFunction = { spec, progress in
      Thread.sleep(forTimeInterval: 0.15)
      return try fakeTrain(spec, progress)
    }
    _ = Runner.run(e, store: ResultStore(directory: URL(fileURLWithPath: dir)), jobs: 2, display: quietDisplay(), tick: 0.05, train: slow)
  }

  func testKilledProcessResumesToSameFiles() throws {
    guard let exe = Bundle.main.executableURL, FileManager.default.isExecutableFile(atPath: exe.path),
          exe.lastPathComponent.hasSuffix(".xctest") || exe.path.contains("xctest") else {
      throw XCTSkip("cannot locate the test executable to start a child process")
    }
    let e = try decodeMini().expand()
    let clean = ResultStore(directory: try temporaryFolder())
    _ = Runner.run(e, store: clean, jobs: 2, display: quietDisplay(), tick: 0.01, train: fakeTrain)

    let dir = try temporaryFolder()
    let child = Process()
    child.executableURL = exe
    child.arguments = ["ExperimentsTests.KillTests/testChildRunner"]
    var env = ProcessInfo.processInfo.environment
    env[KillTests.childVariable] = dir.path
    child.environment = env
    child.standardOutput = FileHandle.nullDevice
    child.standardError = FileHandle.nullDevice
    try child.run()
    // Wait for a few results, then kill without warning.
    let deadline = Date(timeIntervalSinceNow: 60)
    func results() -> Int {
      ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".json") }.count
    }
    while results() < 3 && Date() < deadline && child.isRunning { Thread.sleep(forTimeInterval: 0.01) }
    kill(child.processIdentifier, SIGKILL)
    child.waitUntilExit()
    let before = results()
    XCTAssertGreaterThanOrEqual(before, 3)
    XCTAssertLessThan(before, 12, "the child was killed before finishing")

    let s = Runner.run(e, store: ResultStore(directory: dir), jobs: 2, display: quietDisplay(), tick: 0.01, train: fakeTrain)
    XCTAssertTrue(s.succeeded)
    XCTAssertEqual(s.alreadyDone, before)
    // Temporary files of writes in flight may remain (removed once an hour old); results are identical,
    // and no claim of the killed process is left.
    let files = try folderContents(dir).filter { !$0.key.hasPrefix(".") }
    XCTAssertEqual(files, try folderContents(clean.directory))
  }
}

/// `--until-decided` killed with SIGKILL part-way and resumed: the same result files
/// as an uninterrupted run.
final class UntilDecidedKillTests: XCTestCase {
  static let childVariable = "REPRO_UNTIL_DECIDED_CHILD_DIR"

  /// Does nothing unless started by `testKilledUntilDecidedResumesToSameFiles`.
  func testChildRunner() throws {
    guard let dir = ProcessInfo.processInfo.environment[Self.childVariable] else { return }
    let m = try Manifest.decode(UntilDecidedTests.manifest, file: "seq.json")
    let slow: TrainFunction = { spec, progress in
      Thread.sleep(forTimeInterval: 0.05)
      return try UntilDecidedTests.train(spec, progress)
    }
    _ = try UntilDecided.run(try m.expand(), store: ResultStore(directory: URL(fileURLWithPath: dir)),
                             design: try UntilDecided.design(round: 3, maxSeeds: 12), jobs: 2, display: quietDisplay(),
                             tick: 0.02, train: slow)
  }

  func testKilledUntilDecidedResumesToSameFiles() throws {
    guard let exe = Bundle.main.executableURL, FileManager.default.isExecutableFile(atPath: exe.path),
          exe.lastPathComponent.hasSuffix(".xctest") || exe.path.contains("xctest") else {
      throw XCTSkip("cannot locate the test executable to start a child process")
    }
    let m = try Manifest.decode(UntilDecidedTests.manifest, file: "seq.json")
    let e = try m.expand()
    let design = try UntilDecided.design(round: 3, maxSeeds: 12)
    let clean = ResultStore(directory: try temporaryFolder())
    _ = try UntilDecided.run(e, store: clean, design: design, jobs: 2, display: quietDisplay(), tick: 0.01,
                             train: UntilDecidedTests.train)

    let dir = try temporaryFolder()
    let child = Process()
    child.executableURL = exe
    child.arguments = ["ExperimentsTests.UntilDecidedKillTests/testChildRunner"]
    var env = ProcessInfo.processInfo.environment
    env[Self.childVariable] = dir.path
    child.environment = env
    child.standardOutput = FileHandle.nullDevice
    child.standardError = FileHandle.nullDevice
    try child.run()
    let deadline = Date(timeIntervalSinceNow: 60)
    func results() -> Int {
      ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".json") }.count
    }
    while results() < 20 && Date() < deadline && child.isRunning { Thread.sleep(forTimeInterval: 0.005) }
    kill(child.processIdentifier, SIGKILL)
    child.waitUntilExit()
    let before = results()
    XCTAssertGreaterThanOrEqual(before, 20)
    XCTAssertLessThan(before, try folderContents(clean.directory).count, "killed before finishing")

    let (_, outcome) = try UntilDecided.run(e, store: ResultStore(directory: dir), design: design, jobs: 2,
                                            display: quietDisplay(), tick: 0.01, train: UntilDecidedTests.train)
    XCTAssertTrue(outcome.finished)
    XCTAssertEqual(try folderContents(dir).filter { !$0.key.hasPrefix(".") }, try folderContents(clean.directory))
  }
}
