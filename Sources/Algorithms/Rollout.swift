import Environments
import Foundation
import ReproRandom
import RunModel
import NeuralNet

/// One iteration's experience from a single actor, as the update consumes it.
/// Observations are stored as the networks saw them (normalised and clipped).
public struct RolloutBatch {
  public var count: Int
  public let observationSize: Int
  public let actionSize: Int
  /// count × observationSize, row-major, network precision.
  public var observations: [Float]
  /// count × actionSize: the sampled actions (before any clipping for the environment).
  public var actions: [Double]
  /// count × actionSize: the policy mean when the action was sampled.
  public var means: [Double]
  /// log-std of the policy that sampled the batch.
  public var logStd: [Double]
  /// log pi_old(a|s) of each sampled action.
  public var logProbs: [Double]
  /// V_old(s_t).
  public var values: [Double]
  /// Rewards after scaling and clipping (what the learner sees).
  public var rewards: [Double]
  public var terminated: [Bool]
  public var truncated: [Bool]
  /// At a truncation, V(final observation); 0 elsewhere.
  public var truncationValues: [Double]
  /// V(s_N): the value of the observation after the last step (bootstrap for the trailing partial episode).
  public var lastValue: Double
  /// Undiscounted raw returns of the episodes completed in this batch.
  public var episodeReturns: [Double]
  /// Lengths of those episodes.
  public var episodeLengths: [Int]

  /// An empty batch with room for `capacity` steps.
  public init(capacity: Int, observationSize: Int, actionSize: Int) {
    count = 0
    self.observationSize = observationSize
    self.actionSize = actionSize
    observations = []
    observations.reserveCapacity(capacity * observationSize)
    actions = []
    actions.reserveCapacity(capacity * actionSize)
    means = []
    means.reserveCapacity(capacity * actionSize)
    logStd = []
    logProbs = []
    logProbs.reserveCapacity(capacity)
    values = []
    values.reserveCapacity(capacity)
    rewards = []
    rewards.reserveCapacity(capacity)
    terminated = []
    terminated.reserveCapacity(capacity)
    truncated = []
    truncated.reserveCapacity(capacity)
    truncationValues = []
    truncationValues.reserveCapacity(capacity)
    lastValue = 0
    episodeReturns = []
    episodeLengths = []
  }
}

extension RolloutBatch {
  /// GAE over this batch as training computes it: `config`'s γ and λ, and its bootstrap
  /// where the batch ends mid-episode (`batchEndBootstrap`).
  public func advantageEstimates(config: TrainerConfig) -> AdvantageEstimates {
    let end: BatchEndBootstrap
    switch config.batchEndBootstrap {
    case .nextState: end = .value(lastValue)
    case .lastState: end = .lastStepValue
    case .zero: end = .zero
    }
    return generalizedAdvantageEstimates(
      rewards: rewards, values: values, terminated: terminated, truncated: truncated,
      truncationValues: truncationValues, batchEnd: end, gamma: config.gamma, lambda: config.gaeLambda)
  }
}

/// Why collection stopped early.
struct RolloutDivergence: Error {
  var reason: String
}

/// What one environment step through the actor gave the learner (`Actor.step`).
public struct ActorStep: Sendable {
  /// The reward as the learner sees it (scaled and clipped).
  public var reward: Double
  public var terminated: Bool
  public var truncated: Bool
  /// The observation the step returned, normalised and clipped: at an episode's end the
  /// final one (before the reset); `Actor.observe()` then gives the reset's.
  public var nextObservation: [Double]
  /// Undiscounted raw return and length of the episode this step ended; nil mid-episode.
  public var finishedEpisode: (return: Double, length: Int)?
}

/// The actor's persistent state across iterations: environment, normalisers,
/// the current observation and episode bookkeeping.
///
/// `collect` is what training uses; `observe` and `step` are its two parts, public so
/// that the environment side of a rollout (action clipping, the normalisers' order of
/// updates, resets, episode bookkeeping) can be driven with given actions and compared
/// with another implementation's (CleanRLRolloutParityTests).
public final class Actor {
  let env: any Environment
  var observationFilter: ObservationNormalizer
  var rewardScaler: RewardScaler
  var actionRNG: Xoshiro256
  /// When false (held-out rollouts), the filters are applied but not updated.
  let updatesFilters: Bool
  private var currentObservation: [Double] = []
  private var needsReset = true
  private var episodeReturn = 0.0
  private var episodeLength = 0
  private let firstResetSeed: UInt64
  private var everReset = false
  private var clippedAction: [Double] = []

  /// An actor on `env` with `config`'s normalisers; its random streams (actions, the first
  /// reset's seed) come from `seed` and `stream`.
  public init(env: any Environment, config: TrainerConfig, seed: UInt64, stream: String, updatesFilters: Bool = true) {
    self.env = env
    observationFilter = ObservationNormalizer(dimension: env.observationSize, config: config)
    rewardScaler = RewardScaler(config: config)
    actionRNG = Xoshiro256(seed: seed, stream: stream + "/actions")
    var envSeeds = Xoshiro256(seed: seed, stream: stream + "/env")
    // Gymnasium's seeding: the training environment starts as Python's env.reset(seed=seed) does.
    firstResetSeed = config.resetSeeding == .gymnasium && stream == "train" ? seed : envSeeds.next()
    self.updatesFilters = updatesFilters
  }

  private func filter(_ raw: [Double]) -> [Double] {
    updatesFilters ? observationFilter(raw) : observationFilter.apply(raw)
  }

  private func reset() throws {
    let raw = env.reset(seed: everReset ? nil : firstResetSeed)
    everReset = true
    if let bad = firstNonFinite(raw, name: "observation") { throw RolloutDivergence(reason: "\(bad) after reset") }
    currentObservation = filter(raw)
    if updatesFilters { rewardScaler.resetReturn() }
    episodeReturn = 0
    episodeLength = 0
    needsReset = false
  }

  /// The observation the policy acts on next, normalised and clipped; resets the
  /// environment first when `startFresh` or before the first step.
  public func observe(startFresh: Bool = false) throws -> [Double] {
    if startFresh || needsReset { try reset() }
    return currentObservation
  }

  /// Steps the environment with `action` (clipped to the bounds first when
  /// `config.clipActions`), scales the reward, normalises the new observation, and
  /// resets when the episode ends, in that order.
  public func step(_ action: [Double], config: TrainerConfig) throws -> ActorStep {
    if needsReset { try reset() }
    // A policy that has blown up samples non-finite actions: that is a divergence of
    // the run (recorded as a result), not a failure of the environment.
    if let bad = firstNonFinite(action, name: "action") { throw RolloutDivergence(reason: "\(bad) sampled by the policy") }
    let step: StepResult
    if config.clipActions {
      clippedAction.removeAll(keepingCapacity: true)
      for i in 0..<env.actionSize { clippedAction.append(min(max(action[i], env.actionLow[i]), env.actionHigh[i])) }
      step = try env.step(clippedAction)
    } else {
      step = try env.step(action)
    }
    if let bad = firstNonFinite(step.observation, name: "observation") { throw RolloutDivergence(reason: "\(bad) from the environment") }
    guard step.reward.isFinite else { throw RolloutDivergence(reason: "reward is \(step.reward)") }
    episodeReturn += step.reward
    episodeLength += 1
    let scaled = updatesFilters ? rewardScaler(step.reward, terminated: step.terminated) : step.reward
    let next = filter(step.observation)
    var result = ActorStep(reward: scaled, terminated: step.terminated, truncated: step.truncated,
                           nextObservation: next, finishedEpisode: nil)
    if step.terminated || step.truncated {
      result.finishedEpisode = (episodeReturn, episodeLength)
      try reset()
    } else {
      currentObservation = next
    }
    return result
  }

  /// Collects `steps` steps with `agent`'s current policy.
  func collect(steps: Int, agent: Agent, config: TrainerConfig, startFresh: Bool) throws -> RolloutBatch {
    let obsSize = env.observationSize, actSize = env.actionSize
    _ = try observe(startFresh: startFresh)
    var batch = RolloutBatch(capacity: steps, observationSize: obsSize, actionSize: actSize)
    let logStd = agent.logStd
    batch.logStd = logStd
    let std = logStd.map { exp($0) }
    var mean = [Double](repeating: 0, count: actSize)
    var action = [Double](repeating: 0, count: actSize)
    var obsF = [Float](repeating: 0, count: obsSize)
    for _ in 0..<steps {
      for i in 0..<obsSize { obsF[i] = Float(currentObservation[i]) }
      agent.policyMean(obsF, into: &mean)
      let value = agent.value(obsF)
      for i in 0..<actSize { action[i] = mean[i] + std[i] * actionRNG.nextNormal() }
      let logp = gaussianLogProb(action: action[...], mean: mean[...], logStd: logStd)
      let step = try self.step(action, config: config)

      batch.observations.append(contentsOf: obsF)
      batch.actions.append(contentsOf: action)
      batch.means.append(contentsOf: mean)
      batch.logProbs.append(logp)
      batch.values.append(value)
      batch.rewards.append(step.reward)
      batch.terminated.append(step.terminated)
      batch.truncated.append(step.truncated)
      var truncationValue = 0.0
      if step.truncated && !step.terminated && config.timeLimit == .bootstrap {
        truncationValue = agent.value(step.nextObservation.map { Float($0) })
      }
      batch.truncationValues.append(truncationValue)
      batch.count += 1
      if let episode = step.finishedEpisode {
        batch.episodeReturns.append(episode.return)
        batch.episodeLengths.append(episode.length)
      }
    }
    for i in 0..<obsSize { obsF[i] = Float(currentObservation[i]) }
    batch.lastValue = agent.value(obsF)
    return batch
  }
}
