/// Trust-region diagnostics between the pre-update and post-update policies
/// (paper, Figure 2; held-out variant, Figure 4).
public struct TrustRegionStats: Codable, Sendable, Equatable {
  /// Mean KL(old || new) over the state-action pairs.
  public var meanKL: Double
  /// Maximum KL(old || new) over the states.
  public var maxKL: Double
  /// Maximum probability ratio pi_new(a|s) / pi_old(a|s) over the pairs.
  public var maxRatio: Double
  public init(meanKL: Double, maxKL: Double, maxRatio: Double) {
    self.meanKL = meanKL
    self.maxKL = maxKL
    self.maxRatio = maxRatio
  }
}

/// What one training iteration measured.
public struct IterationMetrics: Codable, Sendable, Equatable {
  /// 0-based iteration index.
  public var iteration: Int
  /// Mean undiscounted return of the episodes completed in this iteration's rollout (nil if none completed).
  public var meanReturn: Double?
  /// Number of episodes completed in this iteration's rollout.
  public var episodes: Int
  /// Mean policy loss over the last epoch's minibatches (PPO) or surrogate loss before the step (TRPO).
  public var policyLoss: Double
  /// Mean value loss over the last epoch's minibatches.
  public var valueLoss: Double
  /// Mean policy entropy on the batch, before the update.
  public var entropy: Double
  /// Mean KL(old || new) on the training batch after the update.
  public var meanKL: Double
  /// Maximum probability ratio on the training batch after the update.
  public var maxRatio: Double
  /// Fraction of the batch whose ratio lies outside [1 − eps, 1 + eps] after the update (PPO).
  public var clipFraction: Double
  /// Policy learning rate (PPO) used this iteration.
  public var learningRate: Double
  /// KL bound (TRPO) used this iteration; nil for PPO.
  public var klBound: Double?
  /// TRPO line search: halvings taken before acceptance (nil when no step was accepted or for PPO).
  public var lineSearchSteps: Int?
  /// Environment steps per second of wall-clock time over this iteration (not part of determinism checks).
  public var stepsPerSecond: Double
  /// Trust-region diagnostics on the training batch (every `diagnosticsEvery` iterations).
  public var trainDiagnostics: TrustRegionStats?
  /// Trust-region diagnostics on a held-out rollout of the same size.
  public var heldOutDiagnostics: TrustRegionStats?

  public init(iteration: Int) {
    self.iteration = iteration
    meanReturn = nil
    episodes = 0
    policyLoss = 0
    valueLoss = 0
    entropy = 0
    meanKL = 0
    maxRatio = 1
    clipFraction = 0
    learningRate = 0
    klBound = nil
    lineSearchSteps = nil
    stepsPerSecond = 0
    trainDiagnostics = nil
    heldOutDiagnostics = nil
  }
}

/// Why a run stopped early.
public struct Divergence: Codable, Sendable, Equatable {
  public var iteration: Int
  public var reason: String
  public init(iteration: Int, reason: String) {
    self.iteration = iteration
    self.reason = reason
  }
}

/// The outcome of one training run.
public struct RunResult: Codable, Sendable, Equatable {
  /// Format version of this record; bump when its meaning changes.
  public static let formatVersion = 1
  public var formatVersion: Int = RunResult.formatVersion
  public var task: String
  public var algorithm: String
  public var seed: UInt64
  public var config: TrainerConfig
  public var iterations: [IterationMetrics]
  /// The run's score (see `TrainerConfig.scoreMethod`); nil when diverged or no episode completed.
  public var score: Double?
  public var diverged: Divergence?
  /// Total environment steps taken for training (held-out diagnostic rollouts excluded).
  public var totalSteps: Int
  /// Wall-clock seconds (not part of determinism checks).
  public var wallSeconds: Double

  public init(task: String, algorithm: String, seed: UInt64, config: TrainerConfig) {
    self.task = task
    self.algorithm = algorithm
    self.seed = seed
    self.config = config
    iterations = []
    score = nil
    diverged = nil
    totalSteps = 0
    wallSeconds = 0
  }

  /// The score from per-iteration mean returns under `config.scoreMethod`.
  /// Iterations in which no episode completed are skipped.
  public static func score(of iterations: [IterationMetrics], config: TrainerConfig) -> Double? {
    let returns = iterations.compactMap(\.meanReturn)
    switch config.scoreMethod {
    case .lastMean:
      let tail = returns.suffix(config.scoreIterations)
      guard !tail.isEmpty else { return nil }
      return tail.reduce(0, +) / Double(tail.count)
    case .max:
      return returns.max()
    }
  }
}
