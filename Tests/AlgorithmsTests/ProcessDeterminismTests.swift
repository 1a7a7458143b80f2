import Algorithms
import Foundation
import NeuralNet
import RunModel
import XCTest

/// Determinism across processes: a child process (this test binary, running
/// `testChildTrains`) trains the same specification and writes its result; it
/// must equal, bit for bit, the result trained in this process.
final class ProcessDeterminismTests: XCTestCase {
  static let childVariable = "REPRO_ALGORITHMS_CHILD_OUT"

  static func train() throws -> Data {
    var results: [RunResult] = []
    for alg in [Preset.ppo, .trpo] {
      var c = alg.config(task: .hopper)
      c.iterations = 3
      c.stepsPerIteration = 512
      c.diagnosticsEvery = 1
      results.append(try Trainer(task: "Hopper-v5", seed: 11, config: c).run())
    }
    // The deterministic content (timing left out), as stored.
    return Data(JSONValue.array(results.map(\.contentJSON)).canonical.utf8)
  }

  /// Does nothing unless started by `testSameResultInTwoProcesses`.
  func testChildTrains() throws {
    guard let out = ProcessInfo.processInfo.environment[Self.childVariable] else { return }
    try Self.train().write(to: URL(fileURLWithPath: out))
  }

  func testSameResultInTwoProcesses() throws {
    guard let exe = Bundle.main.executableURL, FileManager.default.isExecutableFile(atPath: exe.path),
          exe.path.contains("xctest") else {
      throw XCTSkip("cannot locate the test executable to start a child process")
    }
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("repro-child-\(getpid()).json")
    defer { try? FileManager.default.removeItem(at: out) }
    let child = Process()
    child.executableURL = exe
    child.arguments = ["AlgorithmsTests.ProcessDeterminismTests/testChildTrains"]
    var env = ProcessInfo.processInfo.environment
    env[Self.childVariable] = out.path
    child.environment = env
    child.standardOutput = FileHandle.nullDevice
    child.standardError = FileHandle.nullDevice
    try child.run()
    child.waitUntilExit()
    XCTAssertEqual(child.terminationStatus, 0)
    let theirs = try Data(contentsOf: out)
    let ours = try Self.train()
    XCTAssertEqual(ours, theirs, "a second process trained different bits")
  }
}
