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
      ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { !$0.hasPrefix(".") }.count
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
    // Temporary files of writes in flight may remain (removed once an hour old); results are identical.
    let files = try folderContents(dir).filter { !$0.key.hasPrefix(".") }
    XCTAssertEqual(files, try folderContents(clean.directory))
  }
}
