import ReproRandom

/// Per-step information beyond observation and reward.
public struct StepInfo: Sendable, Equatable {
  /// Forward velocity used by the reward (torso x for Hopper/Walker2d, centre of mass for Humanoid).
  public var xVelocity: Double
  /// Reward terms, named as Gymnasium names them (`reward_forward`, `reward_ctrl`, ...).
  public var rewardForward: Double
  public var rewardHealthy: Double
  public var rewardControl: Double
  public var rewardContact: Double
  public init(xVelocity: Double = 0, rewardForward: Double = 0, rewardHealthy: Double = 0,
              rewardControl: Double = 0, rewardContact: Double = 0) {
    self.xVelocity = xVelocity
    self.rewardForward = rewardForward
    self.rewardHealthy = rewardHealthy
    self.rewardControl = rewardControl
    self.rewardContact = rewardContact
  }
}

/// The outcome of one `step`.
public struct StepResult: Sendable {
  public var observation: [Double]
  public var reward: Double
  /// The episode ended in a terminal state of the MDP (e.g. the hopper fell): do not bootstrap.
  public var terminated: Bool
  /// The episode was cut by the time limit: bootstrap from the value of `observation`.
  public var truncated: Bool
  public var info: StepInfo
  public init(observation: [Double], reward: Double, terminated: Bool, truncated: Bool, info: StepInfo) {
    self.observation = observation
    self.reward = reward
    self.terminated = terminated
    self.truncated = truncated
    self.info = info
  }
}

/// Errors raised on bad input to an environment. Each names the problem.
public enum EnvironmentError: Error, CustomStringConvertible, Equatable {
  case unknownTask(String, valid: [String])
  case wrongActionLength(expected: Int, got: Int)
  case nonFiniteAction(index: Int, value: Double)
  case modelFileMissing(path: String)
  case modelLoadFailed(path: String, message: String)
  case mujocoVersionMismatch(found: Int, expected: Int)
  case stepAfterEpisodeEnd
  case wrongStateLength(what: String, expected: Int, got: Int)
  case seedingUnsupported(task: String, seeding: ResetSeeding)

  public var description: String {
    switch self {
    case .unknownTask(let t, let valid):
      return "unknown task '\(t)'; valid tasks: \(valid.joined(separator: ", "))"
    case .wrongActionLength(let e, let g):
      return "action has \(g) values; this task takes \(e)"
    case .nonFiniteAction(let i, let v):
      return "action[\(i)] is \(v); actions must be finite numbers"
    case .modelFileMissing(let p):
      return "MuJoCo model file not found: \(p) (run 'make deps', or point REPRO_ASSETS / --assets at the folder holding the Gymnasium XML files)"
    case .modelLoadFailed(let p, let m):
      return "MuJoCo could not load \(p): \(m)"
    case .mujocoVersionMismatch(let f, let e):
      return "linked MuJoCo reports version \(f), Repro needs \(e) (3.3.7 from the PyPI wheel in .deps/lib; Debian's libmujoco does not match Gymnasium)"
    case .stepAfterEpisodeEnd:
      return "step called after the episode ended; call reset first"
    case .wrongStateLength(let w, let e, let g):
      return "\(w) has \(g) values; this model needs \(e)"
    case .seedingUnsupported(let t, let s):
      return "\(t) has no '\(s.rawValue)' reset seeding; it resets only with Repro's own streams (resetSeeding 'repro')"
    }
  }
}

/// A continuous-control task with Gymnasium semantics.
///
/// Each instance owns its simulation state; it is not thread-safe, but distinct
/// instances may run on distinct threads (the MuJoCo model is shared read-only).
public protocol Environment: AnyObject {
  /// Gymnasium's id, e.g. "Hopper-v5".
  var name: String { get }
  var observationSize: Int { get }
  var actionSize: Int { get }
  /// Action bounds (Gymnasium's `action_space.low/high`).
  var actionLow: [Double] { get }
  var actionHigh: [Double] { get }
  /// Steps after which an episode is truncated (Gymnasium's TimeLimit).
  var maxEpisodeSteps: Int { get }
  /// Starts a new episode. With a seed, the reset-noise stream is reseeded first
  /// (as Gymnasium's `reset(seed:)`); without one, it continues. Which stream that is
  /// (Repro's own, or NumPy's as Gymnasium seeds it) is the environment's `ResetSeeding`.
  func reset(seed: UInt64?) -> [Double]
  /// Switches the reset-noise stream to `seeding` (takes effect at the next seeded reset,
  /// and for unseeded resets, a stream from the environment's construction seed). Throws
  /// when the task cannot reproduce that seeding; `.repro` is always accepted.
  func useResetSeeding(_ seeding: ResetSeeding) throws
  /// Advances one step. Throws on an action of the wrong length or with a
  /// non-finite value, or when the episode has already ended.
  func step(_ action: [Double]) throws -> StepResult
}

extension Environment {
  public func reset() -> [Double] { reset(seed: nil) }
  public func useResetSeeding(_ seeding: ResetSeeding) throws {
    guard seeding == .repro else { throw EnvironmentError.seedingUnsupported(task: name, seeding: seeding) }
  }
}

/// Where an environment's reset noise comes from.
public enum ResetSeeding: String, CaseIterable, Sendable {
  /// Repro's own stream (xoshiro256** under the purpose "reset"): what every run has used.
  case repro
  /// Gymnasium's: `reset(seed: s)` draws from `np.random.default_rng(s)` (NumPy's SeedSequence
  /// and PCG64) exactly as `env.reset(seed=s)` does, so the start state is Gymnasium's bit for bit.
  case gymnasium
}

/// An environment that wraps another: the task's name, sizes, bounds and time limit are
/// the wrapped one's; a wrapper writes only `reset(seed:)` and `step(_:)`.
public protocol EnvironmentWrapper: Environment {
  var inner: any Environment { get }
}

extension EnvironmentWrapper {
  public var name: String { inner.name }
  public var observationSize: Int { inner.observationSize }
  public var actionSize: Int { inner.actionSize }
  public var actionLow: [Double] { inner.actionLow }
  public var actionHigh: [Double] { inner.actionHigh }
  public var maxEpisodeSteps: Int { inner.maxEpisodeSteps }
  public func useResetSeeding(_ seeding: ResetSeeding) throws { try inner.useResetSeeding(seeding) }
}
