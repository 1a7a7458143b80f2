import RunModel

/// Reward scaling and clipping ("Implementation Matters", Section 3,
/// optimization 2 "Reward scaling" and optimization 5 "Reward clipping"), as the
/// authors' `RewardFilter` and `ZFilter` behave.
///
/// Modes (`RewardNormalization`):
/// - `.none`: r unchanged.
/// - `.returns` (the authors' `RewardFilter`): `ret ← gamma·ret + r`; push `ret`
///   into running scalar statistics; return `r / (std + 1e-8)` (no mean is
///   subtracted).
/// - `.rewards` (the authors' `ZFilter(center=False, scale=True)`): push `r`;
///   return `(r − mean)/(std + 1e-8) + mean`. Note: this is *not* a plain
///   z-score: with `center=False` their filter scales the deviation from the
///   running mean and adds the mean back. We follow the code (the Config doc
///   comment and PAPER_FACTS describe a z-score).
///
/// - `.gymnasium` (Gymnasium's `NormalizeReward(gamma)`, 0.28.1/0.29.1
///   `wrappers/normalize.py` L103-L155, as CleanRL's ppo_continuous_action.py L99
///   uses it): `ret ← ret·gamma·(1 − terminated) + r` (the step's own `terminated`:
///   at a terminal step the return restarts from that step's reward; a truncation
///   does not restart it, and neither does a reset: the wrapper has no `reset`);
///   push `ret` into `GymnasiumRunningScalarMeanStd`; return `r / √(var + 1e-8)`.
///   Pass `terminated` to `callAsFunction`; `resetReturn()` does nothing here.
///
/// Then the result is clipped to ±`clip` if set. As for observations, the
/// authors' clip lives inside a filter and so does nothing in mode `.none`; here
/// it applies in every mode (no preset combines `.none` with a clip).
///
/// Call `resetReturn()` whenever the environment is reset: at every episode end
/// (terminated *or* truncated) and at the per-iteration reset when
/// `resetEachIteration` is on (the authors' `Env.reset` resets `ret` then).
/// The running statistics persist for the whole run.
///
/// Statistics use the authors' conventions (`RunningScalarMeanStd`): with a
/// single sample the std is |x|, so the very first scaled reward is ±1 (up to
/// 1e-8) in `.returns` mode.
public struct RewardScaler: Sendable, Equatable {
  /// Which normalisation (optimization 2).
  public let mode: RewardNormalization
  /// Discount used by the `.returns` running return.
  public let gamma: Double
  /// Clip bound after scaling (optimization 5); nil = off.
  public let clip: Double?
  /// Running statistics: of the discounted return (`.returns`) or of the reward (`.rewards`).
  public private(set) var stats: RunningScalarMeanStd
  /// Gymnasium's statistics of the discounted return (`.gymnasium`).
  public private(set) var gymnasiumStats: GymnasiumRunningScalarMeanStd
  /// The running discounted return of the current episode (`.returns` mode).
  public private(set) var runningReturn: Double

  /// A scaler; `gamma` matters only in `.returns` mode.
  public init(mode: RewardNormalization, gamma: Double, clip: Double?) {
    precondition(clip.map { $0 > 0 } ?? true, "RewardScaler: clip bound must be positive")
    self.mode = mode
    self.gamma = gamma
    self.clip = clip
    stats = RunningScalarMeanStd()
    gymnasiumStats = GymnasiumRunningScalarMeanStd()
    runningReturn = 0
  }

  /// A scaler with `config.rewardNormalization`, `config.gamma` and `config.rewardClip`.
  public init(config: TrainerConfig) {
    self.init(mode: config.rewardNormalization, gamma: config.gamma, clip: config.rewardClip)
  }

  /// Updates the statistics with raw reward `reward` and returns the scaled, clipped reward.
  /// `terminated` (the step ended the episode by termination, not truncation) is read by `.gymnasium` only.
  public mutating func callAsFunction(_ reward: Double, terminated: Bool = false) -> Double {
    let scaled: Double
    switch mode {
    case .none:
      scaled = reward
    case .returns:
      runningReturn = gamma * runningReturn + reward
      stats.push(runningReturn)
      scaled = reward / (stats.std + normalizationEpsilon)
    case .rewards:
      stats.push(reward)
      scaled = (reward - stats.mean) / (stats.std + normalizationEpsilon) + stats.mean
    case .gymnasium:
      runningReturn = runningReturn * gamma * (terminated ? 0 : 1) + reward
      gymnasiumStats.push(runningReturn)
      scaled = reward / (gymnasiumStats.variance + normalizationEpsilon).squareRoot()
    }
    return symmetricClip(scaled, clip)
  }

  /// Resets the running return to 0 (call at every environment reset); statistics persist.
  /// In `.gymnasium` mode it does nothing: Gymnasium's wrapper keeps its return across resets.
  public mutating func resetReturn() {
    if mode != .gymnasium { runningReturn = 0 }
  }
}
