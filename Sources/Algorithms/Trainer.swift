import Environments
import Foundation
import ReproRandom

/// Errors that stop a run before it starts.
public enum TrainerError: Error, CustomStringConvertible {
  case invalidConfig([ConfigError])
  public var description: String {
    switch self {
    case .invalidConfig(let problems): return problems.map(\.description).joined(separator: "; ")
    }
  }
}

/// Trains one agent, deterministically: the same task, seed and configuration
/// on the same binary give the same bits (wall-clock fields aside).
///
/// Random streams (all from `seed`): "init" (network initialisation),
/// "train/env" (reset noise), "train/actions" (action sampling), "minibatches"
/// (minibatch order and TRPO's Fisher subset), "heldout/..." (diagnostic
/// rollouts, which never touch the training streams or statistics).
public struct Trainer {
  public var task: String
  public var algorithmLabel: String
  public var seed: UInt64
  public var config: TrainerConfig
  public var assetsDirectory: String?

  public init(task: String, algorithmLabel: String, seed: UInt64, config: TrainerConfig, assetsDirectory: String? = nil) {
    self.task = task
    self.algorithmLabel = algorithmLabel
    self.seed = seed
    self.config = config
    self.assetsDirectory = assetsDirectory
  }

  /// Runs the whole budget. `progress` is called after every iteration.
  public func run(progress: ((IterationMetrics) -> Void)? = nil) throws -> RunResult {
    let problems = config.problems()
    guard problems.isEmpty else { throw TrainerError.invalidConfig(problems) }
    let start = DispatchTime.now().uptimeNanoseconds
    let env = try makeEnvironment(task, assetsDirectory: assetsDirectory)
    let agent = Agent(observationSize: env.observationSize, actionSize: env.actionSize, config: config, seed: seed)
    let actor = Actor(env: env, config: config, seed: seed, stream: "train")
    var heldOut: Actor? = nil
    if config.diagnosticsEvery > 0 {
      heldOut = Actor(env: try makeEnvironment(task, assetsDirectory: assetsDirectory), config: config,
                      seed: seed, stream: "heldout", updatesFilters: false)
    }
    var rng = Xoshiro256(seed: seed, stream: "minibatches")
    var result = RunResult(task: task, algorithm: algorithmLabel, seed: seed, config: config)

    for iteration in 0..<config.iterations {
      let t0 = DispatchTime.now().uptimeNanoseconds
      var m = IterationMetrics(iteration: iteration)
      do {
        let batch = try actor.collect(steps: config.stepsPerIteration, agent: agent, config: config,
                                      startFresh: config.resetEachIteration || iteration == 0)
        result.totalSteps += batch.count
        m.episodes = batch.episodeReturns.count
        if !batch.episodeReturns.isEmpty {
          m.meanReturn = batch.episodeReturns.reduce(0, +) / Double(batch.episodeReturns.count)
        }
        let diagnose = config.diagnosticsEvery > 0 && iteration % config.diagnosticsEvery == 0
        var heldOutBatch: RolloutBatch? = nil
        if diagnose, let h = heldOut {
          // Observations of the held-out rollout are normalised with a snapshot of the training statistics.
          h.observationFilter = actor.observationFilter
          heldOutBatch = try h.collect(steps: config.stepsPerIteration, agent: agent, config: config, startFresh: true)
        }
        m.entropy = gaussianEntropy(logStd: batch.logStd)
        try update(agent: agent, batch: batch, iteration: iteration, metrics: &m, rng: &rng)
        let after = trustRegionStats(agent: agent, batch: batch, clipEpsilon: config.algorithm == .ppo ? config.clipEpsilon : nil)
        m.meanKL = after.stats.meanKL
        m.maxRatio = after.stats.maxRatio
        m.clipFraction = after.clipFraction
        if diagnose {
          m.trainDiagnostics = after.stats
          if let hb = heldOutBatch { m.heldOutDiagnostics = trustRegionStats(agent: agent, batch: hb).stats }
        }
        if let bad = agent.nonFiniteParameter() { throw RolloutDivergence(reason: bad) }
        for (name, v) in [("policy loss", m.policyLoss), ("value loss", m.valueLoss), ("mean KL", m.meanKL)] where !v.isFinite {
          throw RolloutDivergence(reason: "\(name) is \(v)")
        }
      } catch let d as RolloutDivergence {
        result.diverged = Divergence(iteration: iteration, reason: d.reason)
        result.iterations.append(m)
        break
      }
      let secs = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
      m.stepsPerSecond = Double(config.stepsPerIteration) / max(secs, 1e-9)
      result.iterations.append(m)
      progress?(m)
    }
    result.score = result.diverged == nil ? RunResult.score(of: result.iterations, config: config) : nil
    result.wallSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    return result
  }

  /// One iteration's learning: GAE, the value network first, then the policy.
  private func update(agent: Agent, batch: RolloutBatch, iteration: Int, metrics m: inout IterationMetrics,
                      rng: inout Xoshiro256) throws {
    let gae = generalizedAdvantageEstimates(
      rewards: batch.rewards, values: batch.values, terminated: batch.terminated, truncated: batch.truncated,
      truncationValues: batch.truncationValues, batchEnd: .value(batch.lastValue),
      gamma: config.gamma, lambda: config.gaeLambda)
    // Section 3, optimization 4: learning-rate annealing.
    let factor = config.learningRateFactor(at: iteration)
    m.valueLoss = trainValue(agent: agent, batch: batch, targets: gae.valueTargets, config: config,
                             learningRate: config.valueLR * factor, rng: &rng)
    switch config.algorithm {
    case .ppo:
      m.learningRate = config.policyLR * factor
      m.policyLoss = ppoPolicyUpdate(agent: agent, batch: batch, advantages: gae.advantages, config: config,
                                     learningRate: m.learningRate, rng: &rng)
    case .trpo:
      let delta = config.klBound(at: iteration)
      m.klBound = delta
      let step = trpoPolicyStep(agent: agent, batch: batch, advantages: gae.advantages, config: config,
                                klBound: delta, rng: &rng)
      m.policyLoss = step.loss
      m.lineSearchSteps = step.halvings
    }
  }
}
