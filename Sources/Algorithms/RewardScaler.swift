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
  /// The running discounted return of the current episode (`.returns` mode).
  public private(set) var runningReturn: Double

  /// A scaler; `gamma` matters only in `.returns` mode.
  public init(mode: RewardNormalization, gamma: Double, clip: Double?) {
    precondition(clip.map { $0 > 0 } ?? true, "RewardScaler: clip bound must be positive")
    self.mode = mode
    self.gamma = gamma
    self.clip = clip
    stats = RunningScalarMeanStd()
    runningReturn = 0
  }

  /// A scaler with `config.rewardNormalization`, `config.gamma` and `config.rewardClip`.
  public init(config: TrainerConfig) {
    self.init(mode: config.rewardNormalization, gamma: config.gamma, clip: config.rewardClip)
  }

  /// Updates the statistics with raw reward `reward` and returns the scaled, clipped reward.
  public mutating func callAsFunction(_ reward: Double) -> Double {
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
    }
    return symmetricClip(scaled, clip)
  }

  /// Resets the running return to 0 (call at every environment reset); statistics persist.
  public mutating func resetReturn() {
    runningReturn = 0
  }
}
