import CMuJoCo
import Environments
import Foundation
import XCTest

final class EnvironmentTests: XCTestCase {
  func testLinkedMuJoCoIs337() throws {
    XCTAssertEqual(loadedMuJoCoVersion, 337)
    XCTAssertEqual(loadedMuJoCoVersionString, "3.3.7")
    XCTAssertNoThrow(try checkMuJoCoVersion())
  }

  func testSizesAndBoundsMatchGymnasium() throws {
    let expected: [(String, Int, Int, Double)] = [
      ("Hopper-v5", 11, 3, 1), ("Walker2d-v5", 17, 6, 1),
      ("Humanoid-v5", 348, 17, Double(Float(0.4))), ("Pendulum-v1", 3, 1, 2),
    ]
    for (name, obs, act, high) in expected {
      let env = try makeEnvironment(name)
      XCTAssertEqual(env.observationSize, obs, name)
      XCTAssertEqual(env.actionSize, act, name)
      XCTAssertEqual(env.actionHigh, [Double](repeating: high, count: act), name)
      XCTAssertEqual(env.actionLow, [Double](repeating: -high, count: act), name)
      XCTAssertEqual(env.reset(seed: 1).count, obs, name)
    }
  }

  func testUnknownTaskNamesValidOnes() {
    XCTAssertThrowsError(try makeEnvironment("Hoper-v5")) { e in
      let text = "\(e)"
      XCTAssert(text.contains("unknown task 'Hoper-v5'") && text.contains("Hopper-v5"), text)
    }
  }

  func testBadActionsAreRefusedWithClearErrors() throws {
    let env = try makeEnvironment("Hopper-v5")
    _ = env.reset(seed: 0)
    XCTAssertThrowsError(try env.step([0, 0])) { e in
      XCTAssertEqual(e as? EnvironmentError, .wrongActionLength(expected: 3, got: 2))
      XCTAssertEqual("\(e)", "action has 2 values; this task takes 3")
    }
    XCTAssertThrowsError(try env.step([0, .nan, 0])) { e in
      XCTAssert("\(e)".contains("action[1] is nan"), "\(e)")
    }
    XCTAssertThrowsError(try env.step([0, 0, .infinity]))
    // The refused steps did not advance the simulation: a valid step still works.
    XCTAssertNoThrow(try env.step([0, 0, 0]))
  }

  func testMissingModelFileIsAClearError() {
    XCTAssertThrowsError(try MuJoCoEnvironment(.hopper, assetsDirectory: "/nonexistent/assets")) { e in
      XCTAssertEqual(e as? EnvironmentError, .modelFileMissing(path: "/nonexistent/assets/hopper.xml"))
      XCTAssert("\(e)".contains("make deps"), "\(e)")
    }
  }

  func testBadModelFileIsAClearError() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("repro-badmodel-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try "<mujoco><worldbody><body></mujoco>".write(to: dir.appendingPathComponent("hopper.xml"), atomically: true, encoding: .utf8)
    XCTAssertThrowsError(try MuJoCoEnvironment(.hopper, assetsDirectory: dir.path)) { e in
      XCTAssert("\(e)".hasPrefix("MuJoCo could not load"), "\(e)")
    }
  }

  func testStepAfterTerminationNeedsReset() throws {
    let env = try makeEnvironment("Hopper-v5")
    _ = env.reset(seed: 0)
    var done = false
    for _ in 0..<1000 where !done {
      let r = try env.step([1, -1, 1])
      done = r.terminated || r.truncated
    }
    XCTAssertTrue(done)
    XCTAssertThrowsError(try env.step([0, 0, 0])) { XCTAssertEqual($0 as? EnvironmentError, .stepAfterEpisodeEnd) }
    _ = env.reset()
    XCTAssertNoThrow(try env.step([0, 0, 0]))
  }

  /// The time limit is a truncation, not a termination, at exactly 1000 steps.
  func testTimeLimitIsTruncationAt1000() throws {
    // Pendulum never terminates; its limit is 200 (Gymnasium's Pendulum-v1).
    let p = PendulumEnvironment()
    _ = p.reset(seed: 0)
    for i in 1...200 {
      let r = try p.step([0])
      XCTAssertFalse(r.terminated)
      XCTAssertEqual(r.truncated, i == 200)
    }
    // A MuJoCo task with a short limit shows the same wrapper semantics.
    let env = try MuJoCoEnvironment(.walker2d, maxEpisodeSteps: 5)
    _ = env.reset(seed: 0)
    for i in 1...5 {
      let r = try env.step([Double](repeating: 0, count: 6))
      XCTAssertFalse(r.terminated, "standing still for 5 steps is healthy")
      XCTAssertEqual(r.truncated, i == 5)
    }
    XCTAssertEqual(try MuJoCoEnvironment(.hopper).maxEpisodeSteps, 1000)
  }

  func testResetNoiseIsSeededAndBounded() throws {
    let a = try MuJoCoEnvironment(.hopper), b = try MuJoCoEnvironment(.hopper)
    let qpos0 = try { let e = try MuJoCoEnvironment(.hopper); _ = try e.reset(qpos: [0, 1.25, 0, 0, 0, 0], qvel: [0, 0, 0, 0, 0, 0]); return e.qpos }()
    XCTAssertEqual(a.reset(seed: 42), b.reset(seed: 42))
    XCTAssertEqual(a.reset(), b.reset(), "without a seed the stream continues identically")
    XCTAssertNotEqual(a.reset(seed: 1), b.reset(seed: 2))
    _ = a.reset(seed: 3)
    // qpos0 of hopper.xml is (0, 1.25, 0, 0, 0, 0); noise is U(-5e-3, 5e-3).
    for (x, x0) in zip(a.qpos, qpos0) { XCTAssertLessThanOrEqual(abs(x - x0), 5e-3) }
    for v in a.qvel { XCTAssertLessThanOrEqual(abs(v), 5e-3) }
  }

  /// Creating and destroying environments and resetting them must not leak:
  /// resident memory may grow by at most 8 MB over 2,000 environments and
  /// 10,000 resets (allocator slack; one leaked Humanoid mjData alone is ~0.1 MB,
  /// so a per-environment leak would show as ~200 MB).
  func testNoLeakOverManyResetsAndEnvironments() throws {
    func rssKB() -> Int {
      guard let s = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
            let pages = Int(s.split(separator: " ")[1]) else { return 0 }
      return pages * Int(sysconf(Int32(_SC_PAGESIZE))) / 1024
    }
    // Warm up the model cache and the allocator.
    for _ in 0..<50 { _ = try MuJoCoEnvironment(.humanoid).reset(seed: 0) }
    let before = rssKB()
    for i in 0..<2000 {
      let env = try MuJoCoEnvironment(.humanoid)
      for j in 0..<5 { _ = env.reset(seed: UInt64(i * 5 + j)) }
    }
    let after = rssKB()
    if before == 0 { throw XCTSkip("/proc/self/statm not readable") }
    XCTAssertLessThan(after - before, 8 * 1024, "RSS grew from \(before) kB to \(after) kB")
  }

  func testPendulumDynamicsMatchGymnasiumFormula() throws {
    // One step from a known state, computed by hand with Gymnasium's equations.
    let p = PendulumEnvironment()
    let o = p.reset(seed: 7)
    let th = atan2(o[1], o[0]), thdot = o[2]
    let r = try p.step([1.5])
    let newthdot = thdot + (3 * 10 / 2.0 * sin(th) + 3.0 * 1.5) * 0.05
    let newth = th + newthdot * 0.05
    // Tolerance 1e-12: atan2 recovers θ from cos/sin up to a few ulps.
    XCTAssertEqual(r.observation[2], newthdot, accuracy: 1e-12)
    XCTAssertEqual(r.observation[0], cos(newth), accuracy: 1e-12)
    let cost = th * th + 0.1 * thdot * thdot + 0.001 * 1.5 * 1.5
    XCTAssertEqual(r.reward, -cost, accuracy: 1e-12)
  }
}

/// Every process that links MuJoCo runs with glibc's baseline libm variants
/// (Sources/CMuJoCo/shim.c), so that bits do not depend on the CPU's FMA/AVX2.
final class LibmVariantTests: XCTestCase {
  func testThisProcessRunsWithTheFixedLibmVariants() throws {
    let env = ProcessInfo.processInfo.environment
    if env["REPRO_NATIVE_LIBM"] == "1" { throw XCTSkip("REPRO_NATIVE_LIBM=1: the CPU's own libm variants") }
    let mask = String(cString: repro_hwcaps_mask())
    XCTAssertTrue((env["GLIBC_TUNABLES"] ?? "").contains(mask), "GLIBC_TUNABLES = \(env["GLIBC_TUNABLES"] ?? "(unset)")")
  }
}
