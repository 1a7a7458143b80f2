import RunModel

/// Observation normalisation and clipping ("Implementation Matters", Section 3,
/// optimization 6 "Observation normalization" and optimization 7
/// "Observation clipping").
///
/// With normalisation on, each call of `callAsFunction(_:)` pushes the raw
/// observation into per-component running statistics (Welford, see
/// `RunningMeanStd`) and returns `(obs − mean) / (std + 1e-8)` computed with the
/// statistics *including* this observation (the authors' `ZFilter` order), then
/// clips each component to ±`clip` if `clip` is set.
///
/// With normalisation off, the observation passes through unchanged except that
/// clipping still applies when `clip` is set. (In the authors' code the clip lives
/// inside the z-score filter, so it never applies without normalisation; the
/// paper's presets never combine "normalisation off" with a clip, so this choice
/// changes no preset.)
///
/// The authors' filter sees every observation the environment returns: the reset
/// observation of each episode (and of each iteration, since they reset every
/// iteration) and the final observation of an episode, although the final one is
/// never acted on. A trainer that wants their statistics pushes those too.
///
/// `kind` chooses the statistics (`observationNormalizer`): the authors' `ZFilter`
/// (above), or Gymnasium's `NormalizeObservation` (`GymnasiumRunningMeanStd`,
/// then `(obs − mean)/√(var + 1e-8)`), which CleanRL wraps every task in
/// (ppo_continuous_action.py L97). Gymnasium's wrapper, too, updates with an
/// observation before normalising it, and under `SyncVectorEnv`'s autoreset it sees
/// the final observation of an episode and then the next reset observation: the
/// order in which the trainer's actor pushes them.
///
/// A value type: `let snapshot = normalizer` freezes the statistics; `apply(_:)`
/// transforms without updating, so a held-out diagnostic rollout can use a copy
/// (or `apply`) and leave the training state untouched.
public struct ObservationNormalizer: Sendable, Equatable {
  /// Whether to z-score observations (optimization 6).
  public let normalize: Bool
  /// Clip bound after normalisation (optimization 7); nil = off.
  public let clip: Double?
  /// Which statistics: the authors' ZFilter or Gymnasium's NormalizeObservation.
  public let kind: ObservationNormalizerKind
  /// The ZFilter's running statistics (only updated when `normalize` is on and `kind` is `.zFilter`).
  public private(set) var stats: RunningMeanStd
  /// Gymnasium's running statistics (only updated when `normalize` is on and `kind` is `.gymnasium`).
  public private(set) var gymnasiumStats: GymnasiumRunningMeanStd

  /// A normaliser for observations of `dimension` components.
  public init(dimension: Int, normalize: Bool, clip: Double?, kind: ObservationNormalizerKind = .zFilter) {
    precondition(clip.map { $0 > 0 } ?? true, "ObservationNormalizer: clip bound must be positive")
    self.normalize = normalize
    self.clip = clip
    self.kind = kind
    gymnasiumStats = GymnasiumRunningMeanStd(dimension: kind == .gymnasium ? dimension : 0)
    stats = RunningMeanStd(dimension: dimension)
  }

  /// A normaliser with `config.observationNormalization`, `observationClip` and `observationNormalizer`.
  public init(dimension: Int, config: TrainerConfig) {
    self.init(dimension: dimension, normalize: config.observationNormalization, clip: config.observationClip,
              kind: config.observationNormalizer)
  }

  /// Pushes `observation` into the statistics (if normalising) and returns the
  /// normalised, clipped observation.
  public mutating func callAsFunction(_ observation: [Double]) -> [Double] {
    if normalize {
      switch kind {
      case .zFilter: stats.push(observation)
      case .gymnasium: gymnasiumStats.push(observation)
      }
    }
    return apply(observation)
  }

  /// The normalised, clipped observation under the current statistics, without
  /// updating them.
  public func apply(_ observation: [Double]) -> [Double] {
    precondition(observation.count == stats.dimension, "ObservationNormalizer: expected \(stats.dimension) components, got \(observation.count)")
    guard normalize else {
      return clip == nil ? observation : observation.map { symmetricClip($0, clip) }
    }
    if kind == .gymnasium {
      let z = gymnasiumStats.normalize(observation)
      return clip == nil ? z : z.map { symmetricClip($0, clip) }
    }
    let mean = stats.mean
    let std = stats.std
    var out = observation
    for i in 0..<out.count {
      out[i] = symmetricClip((observation[i] - mean[i]) / (std[i] + normalizationEpsilon), clip)
    }
    return out
  }
}
