import NeuralNet
import ReproRandom
import RunModel

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// What a policy update reports for its iteration's metrics.
public struct PolicyUpdateReport: Sendable, Equatable {
  /// Mean policy loss over the last epoch's minibatches (PPO) or surrogate loss before the step (TRPO).
  public var policyLoss: Double
  /// Policy learning rate used (PPO); 0 when the update has none.
  public var learningRate: Double = 0
  /// KL bound used (TRPO).
  public var klBound: Double? = nil
  /// Line-search halvings before acceptance (TRPO; nil when no step was taken).
  public var lineSearchSteps: Int? = nil
  /// Mean value loss over the last epoch's minibatches, when the update trained the
  /// value network too (`trainsValueNetwork`); nil otherwise.
  public var valueLoss: Double? = nil

  public init(policyLoss: Double, learningRate: Double = 0, klBound: Double? = nil, lineSearchSteps: Int? = nil,
              valueLoss: Double? = nil) {
    self.policyLoss = policyLoss
    self.learningRate = learningRate
    self.klBound = klBound
    self.lineSearchSteps = lineSearchSteps
    self.valueLoss = valueLoss
  }
}

/// One algorithm's policy step: the seam between the trainer, which runs
/// everything the algorithms share (rollouts, GAE, the value network, metrics),
/// and PPO, TRPO or any other update. Each conforming type carries its own
/// settings (`PPOSettings`, `TRPOSettings`).
///
/// Adding an algorithm: one new file with a type conforming to `PolicyUpdate` and an
/// `AlgorithmDescriptor` (its registry row, its settings, its update factory), registered
/// once (`register()`); manifests then name it with the `algorithm` setting.
/// `Trainer.init(..., update:)` also takes any update directly.
public protocol PolicyUpdate {
  /// The ratio clip range whose violations `IterationMetrics.clipFraction` counts (nil: none).
  var ratioClipRange: Double? { get }
  /// Gradient-norm clip of the value network's updates (nil: none).
  var valueGradientClip: Double? { get }
  /// Whether `update` trains the value network too (one joint loss, `jointLoss`); the
  /// trainer then leaves its own value training out. Default: false.
  var trainsValueNetwork: Bool { get }
  /// Updates `agent`'s policy (and its value network, when `trainsValueNetwork`) from one
  /// batch and its (unnormalised) GAE advantages; value targets are `valueTargets(values:advantages:)`.
  mutating func update(agent: Agent, batch: RolloutBatch, advantages: [Double], iteration: Int,
                       rng: inout Xoshiro256) -> PolicyUpdateReport
}

extension PolicyUpdate {
  public var trainsValueNetwork: Bool { false }
}

/// One algorithm, whole: its registry row (RunModel's `AlgorithmRow`: name, help, settings
/// group, trust-region bounds, cost), its settings (`Settings.registeredSetting`, in the row's
/// group) and how to build its update from a run's settings.
public struct AlgorithmDescriptor: Sendable {
  public var row: AlgorithmRow
  public var settings: [SettingDefinition]
  public var makeUpdate: @Sendable (TrainerConfig) -> any PolicyUpdate

  public init(row: AlgorithmRow, settings: [SettingDefinition] = [],
              makeUpdate: @escaping @Sendable (TrainerConfig) -> any PolicyUpdate) {
    self.row = row
    self.settings = settings
    self.makeUpdate = makeUpdate
  }

  /// The built-in algorithms (their rows and settings are RunModel's).
  static let builtIn: [AlgorithmKind: @Sendable (TrainerConfig) -> any PolicyUpdate] = [
    .ppo: { PPOUpdate(config: $0) },
    .trpo: { TRPOUpdate(config: $0) },
  ]
  private static let added = Locked<[AlgorithmKind: @Sendable (TrainerConfig) -> any PolicyUpdate]>([:])

  /// Registers the row, the settings and the factory; a taken name or setting key is refused.
  public func register() throws {
    try AlgorithmRegistry.register(row, settings: settings)
    AlgorithmDescriptor.added.update { $0[row.kind] = makeUpdate }
  }

  /// The update factory of `kind`, or nil when none is registered.
  public static func factory(_ kind: AlgorithmKind) -> (@Sendable (TrainerConfig) -> any PolicyUpdate)? {
    builtIn[kind] ?? added.value[kind]
  }
}

extension AlgorithmKind {
  /// The policy update this setting names, with the run's settings.
  public func makeUpdate(_ config: TrainerConfig) -> any PolicyUpdate {
    guard let make = AlgorithmDescriptor.factory(self) else { preconditionFailure("algorithm \(rawValue) has no update factory") }
    return make(config)
  }
}

/// `epochs` passes over `count` samples, each split into `minibatches` shuffled
/// minibatches (`minibatchIndices`); `step` trains on one minibatch and returns
/// its loss. Returns the mean loss over the last epoch's minibatches (0 without epochs).
func trainEpochs(epochs: Int, count: Int, minibatches: Int, rng: inout Xoshiro256,
                 step: ([Int]) -> Double) -> Double {
  var lastEpochLoss = 0.0
  for _ in 0..<epochs {
    var epochLoss = 0.0
    let parts = minibatchIndices(count: count, minibatches: minibatches, rng: &rng)
    for idx in parts { epochLoss += step(idx) }
    lastEpochLoss = epochLoss / Double(parts.count)
  }
  return lastEpochLoss
}

/// Trust-region statistics between the batch's sampling policy (means and
/// log-std stored in the batch) and the agent's current policy; with
/// `clipRange`, also the fraction of ratios outside [1 − clipRange, 1 + clipRange].
func trustRegionStats(agent: Agent, batch: RolloutBatch, clipRange: Double? = nil)
  -> (stats: TrustRegionStats, clipFraction: Double) {
  let actSize = batch.actionSize
  let newMeans = agent.policyMeans(batch.observations, count: batch.count)
  let newLogStd = agent.logStd
  var sumKL = 0.0, maxKL = 0.0, maxRatio = 0.0
  var clipped = 0
  for s in 0..<batch.count {
    let r = (s * actSize)..<((s + 1) * actSize)
    let kl = gaussianKL(oldMean: batch.means[r], oldLogStd: batch.logStd, newMean: newMeans[r], newLogStd: newLogStd)
    sumKL += kl
    maxKL = max(maxKL, kl)
    let lp = gaussianLogProb(action: batch.actions[r], mean: newMeans[r], logStd: newLogStd)
    let ratio = exp(lp - batch.logProbs[s])
    maxRatio = max(maxRatio, ratio)
    if let e = clipRange, abs(ratio - 1) > e { clipped += 1 }
  }
  let n = Double(max(batch.count, 1))
  return (TrustRegionStats(meanKL: sumKL / n, maxKL: maxKL, maxRatio: maxRatio), Double(clipped) / n)
}
