/// A task stepped through given actions and resets: the path of `repro env rollout`, and of the
/// parity test that replays Gymnasium's recordings through it (`ParityTests`), so that what the
/// command writes is what is checked against Gymnasium bit for bit.
public enum EnvironmentRollout {
  /// One line of an actions script.
  public enum Entry: Equatable, Sendable {
    /// `env.reset()` (nil: continue the seeded stream) or `env.reset(seed:)`.
    case reset(seed: UInt64?)
    case action([Double])
  }

  /// One reset or step, with the state after it.
  public struct Row: Sendable {
    public enum Kind: String, Sendable { case reset, step }
    public var kind: Kind
    public var episode: Int
    public var step: Int
    public var reward = 0.0, terminated = false, truncated = false, xVelocity = 0.0
    public var observation: [Double]
    public var qpos: [Double]
    public var qvel: [Double]
  }

  /// An action after its episode ended, with no reset before it (numbered from 1 among the actions).
  public struct StepAfterEnd: Error, Equatable {
    public var action: Int
    public var episode: Int
    public var step: Int
  }

  /// Resets with `seed`, then runs `entries` in order, all in memory (nothing is returned when a
  /// step is refused).
  public static func run(_ env: MuJoCoEnvironment, seed: UInt64, entries: [Entry]) throws -> [Row] {
    var rows: [Row] = []
    var episode = 0, step = 0, over = false, actions = 0
    rows.append(Row(kind: .reset, episode: 0, step: 0, observation: env.reset(seed: seed), qpos: env.qpos, qvel: env.qvel))
    for entry in entries {
      switch entry {
      case .reset(let s):
        episode += 1
        step = 0
        over = false
        rows.append(Row(kind: .reset, episode: episode, step: 0, observation: env.reset(seed: s), qpos: env.qpos, qvel: env.qvel))
      case .action(let a):
        actions += 1
        guard !over else { throw StepAfterEnd(action: actions, episode: episode, step: step) }
        let r = try env.step(a)
        step += 1
        over = r.terminated || r.truncated
        rows.append(Row(kind: .step, episode: episode, step: step, reward: r.reward, terminated: r.terminated,
                        truncated: r.truncated, xVelocity: r.info.xVelocity, observation: r.observation,
                        qpos: env.qpos, qvel: env.qvel))
      }
    }
    return rows
  }
}
