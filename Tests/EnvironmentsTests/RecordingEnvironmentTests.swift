import Environments
import ReproRandom
import XCTest

/// `repro bench overhead` measures a run against a replay of its own resets and
/// actions: the replay must retrace the run, and a replay that does not is caught.
final class RecordingEnvironmentTests: XCTestCase {
  /// Adds `offset` to every reward of the environment it wraps.
  final class ShiftedRewards: EnvironmentWrapper {
    let inner: any Environment
    let offset: Double
    init(_ inner: any Environment, offset: Double) { self.inner = inner; self.offset = offset }
    func reset(seed: UInt64?) -> [Double] { inner.reset(seed: seed) }
    func step(_ action: [Double]) throws -> StepResult {
      var r = try inner.step(action)
      r.reward += offset
      return r
    }
  }

  /// Random actions through several episodes (seeded and unseeded resets).
  func record(_ task: String) throws -> RecordingEnvironment {
    let env = RecordingEnvironment(try makeEnvironment(task))
    var rng = Xoshiro256(seed: 7, stream: "recording-test")
    _ = env.reset(seed: 3)
    var episodes = 0
    for _ in 0..<700 {
      let a = (0..<env.actionSize).map { i in env.actionLow[i] + (env.actionHigh[i] - env.actionLow[i]) * rng.nextDouble() }
      let r = try env.step(a)
      if r.terminated || r.truncated {
        episodes += 1
        _ = episodes % 2 == 0 ? env.reset(seed: UInt64(episodes)) : env.reset()
      }
    }
    XCTAssertGreaterThan(episodes, 2, "the recording spans several episodes")
    return env
  }

  func testAReplayRetracesTheRecording() throws {
    for task in ["Hopper-v5", "Pendulum-v1"] {
      let recorded = try record(task)
      XCTAssertNoThrow(try recorded.replay(on: try makeEnvironment(task, seed: 99)), task)
    }
  }

  func testAReplayThatDiffersIsCaught() throws {
    let recorded = try record("Hopper-v5")
    let shifted = ShiftedRewards(try makeEnvironment("Hopper-v5"), offset: 1e-12)
    XCTAssertThrowsError(try recorded.replay(on: shifted)) { e in
      XCTAssertTrue(e is ReplayMismatch, "\(e)")
    }
  }
}
