/// An environment that passes everything through and records the resets and
/// actions it receives, to replay them later on a fresh environment of the same
/// task: the same calls in the same order retrace the same trajectory.
public final class RecordingEnvironment: EnvironmentWrapper {
  public let inner: any Environment
  /// The calls in order: a reset with its seed, or a step (its action next in `actions`).
  private var calls: [ResetOrStep] = []
  private var actions: [Double] = []
  /// A digest of every reward, so that a replay can prove it retraced the run.
  private var rewardDigest: UInt64 = 0
  private enum ResetOrStep { case reset(UInt64?), step }

  public init(_ inner: any Environment) { self.inner = inner }

  public func reset(seed: UInt64?) -> [Double] {
    calls.append(.reset(seed))
    return inner.reset(seed: seed)
  }

  public func step(_ action: [Double]) throws -> StepResult {
    calls.append(.step)
    actions.append(contentsOf: action)
    let r = try inner.step(action)
    rewardDigest = digest(rewardDigest, r.reward)
    return r
  }

  private func digest(_ d: UInt64, _ reward: Double) -> UInt64 {
    (d ^ reward.bitPattern) &* 0x9E37_79B9_7F4A_7C15
  }

  /// Makes the recorded calls on `env`; throws if its rewards differ from the recorded ones.
  public func replay(on env: any Environment) throws {
    var action = [Double](repeating: 0, count: env.actionSize)
    var next = 0
    var d: UInt64 = 0
    for call in calls {
      switch call {
      case .reset(let seed): _ = env.reset(seed: seed)
      case .step:
        for i in 0..<action.count { action[i] = actions[next + i] }
        next += action.count
        d = digest(d, try env.step(action).reward)
      }
    }
    guard d == rewardDigest else { throw ReplayMismatch(environment: name) }
  }
}

/// A replay whose rewards differ from the recording's: not the same trajectory.
public struct ReplayMismatch: Error, CustomStringConvertible {
  public var environment: String
  public var description: String { "the replay on \(environment) did not retrace the recorded rewards" }
}
