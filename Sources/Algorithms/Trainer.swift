import Environments
import Foundation
import NeuralNet
import ReproRandom
import RunModel

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
/// on the same binary give the same bits (the result's `timing` aside).
///
/// Random streams (all from `seed`): "init" (network initialisation),
/// "train/env" (reset noise), "train/actions" (action sampling), "minibatches"
/// (minibatch order and TRPO's Fisher subset), "heldout/..." (diagnostic
/// rollouts, which never touch the training streams or statistics).
public struct Trainer {
  /// The task as run identity names it ("Hopper"), or any environment name `makeEnvironment` knows.
  public var task: String
  public var seed: UInt64
  public var config: TrainerConfig
  public var assetsDirectory: String?
  /// The policy update; by default the one `config.algorithm` names.
  public var update: any PolicyUpdate
  /// Makes the run's environments (training, then held-out) from the task and
  /// assets directory; by default Environments' `makeEnvironment`. Benchmarks
  /// wrap it to record what the environments were asked to do.
  public var makeEnvironment: (String, String?) throws -> any Environment = { name, assets in
    try Environments.makeEnvironment(name, assetsDirectory: assets)
  }

  public init(task: String, seed: UInt64, config: TrainerConfig, assetsDirectory: String? = nil,
              update: (any PolicyUpdate)? = nil) {
    self.task = task
    self.seed = seed
    self.config = config
    self.assetsDirectory = assetsDirectory
    self.update = update ?? config.algorithm.makeUpdate(config)
  }

  /// `makeEnvironment`, with the reset seeding `config.resetSeeding` names.
  func seededEnvironment() throws -> any Environment {
    let env = try makeEnvironment(task, assetsDirectory)
    switch config.resetSeeding {
    case .repro: break  // every environment starts on Repro's stream
    case .gymnasium: try env.useResetSeeding(.gymnasium)
    }
    return env
  }

  /// Runs the whole budget. `progress` is called after every iteration with its
  /// metrics and its wall-clock seconds.
  public func run(progress: ((IterationMetrics, Double) -> Void)? = nil) throws -> RunResult {
    let problems = config.problems()
    guard problems.isEmpty else { throw TrainerError.invalidConfig(problems) }
    let start = DispatchTime.now().uptimeNanoseconds
    let startCPU = threadCPUSeconds()
    let env = try seededEnvironment()
    let agent = Agent(observationSize: env.observationSize, actionSize: env.actionSize, config: config, seed: seed)
    let actor = Actor(env: env, config: config, seed: seed, stream: "train")
    var heldOut: Actor? = nil
    if config.diagnosticsEvery > 0 {
      heldOut = Actor(env: try seededEnvironment(), config: config,
                      seed: seed, stream: "heldout", updatesFilters: config.heldOutUpdatesFilters)
    }
    var rng = Xoshiro256(seed: seed, stream: "minibatches")
    var update = self.update
    var result = RunResult(task: task, seed: seed, config: config)

    for iteration in 0..<config.iterations {
      let t0 = DispatchTime.now().uptimeNanoseconds
      var m = IterationMetrics(iteration: iteration)
      do {
        let batch = try actor.collect(steps: config.stepsPerIteration, agent: agent, config: config,
                                      startFresh: config.resetEachIteration || iteration == 0)
        result.totalSteps += batch.count
        m.episodes = batch.episodeReturns.count
        if config.recordEpisodeReturns { m.episodeReturns = batch.episodeReturns }
        if !batch.episodeReturns.isEmpty {
          m.meanReturn = batch.episodeReturns.reduce(0, +) / Double(batch.episodeReturns.count)
        }
        let diagnose = config.diagnosticsEvery > 0 && iteration % config.diagnosticsEvery == 0
        var heldOutBatch: RolloutBatch? = nil
        if diagnose, let h = heldOut {
          // Observations of the held-out rollout are normalised with the training statistics: a
          // snapshot, or (heldOutUpdatesFilters, the authors' advanced_logging) the statistics
          // themselves, which the held-out rollout then updates, rewards included.
          h.observationFilter = actor.observationFilter
          h.rewardScaler = actor.rewardScaler
          heldOutBatch = try h.collect(steps: config.stepsPerIteration, agent: agent, config: config, startFresh: true)
          if config.heldOutUpdatesFilters {
            actor.observationFilter = h.observationFilter
            actor.rewardScaler = h.rewardScaler
          }
        }
        m.entropy = gaussianEntropy(logStd: batch.logStd)
        learn(agent: agent, batch: batch, iteration: iteration, update: &update, metrics: &m, rng: &rng)
        let after = trustRegionStats(agent: agent, batch: batch, clipRange: update.ratioClipRange)
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
      result.timing.iterationSeconds.append(secs)
      result.iterations.append(m)
      progress?(m, secs)
    }
    result.timing.wallSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    result.timing.cpuSeconds = threadCPUSeconds() - startCPU
    return result
  }

  /// One iteration's learning: GAE, the value network first, then the policy (or both at
  /// once, when the update trains the value network too: `jointLoss`).
  private func learn(agent: Agent, batch: RolloutBatch, iteration: Int, update: inout any PolicyUpdate,
                     metrics m: inout IterationMetrics, rng: inout Xoshiro256) {
    let gae = batch.advantageEstimates(config: config)
    if !update.trainsValueNetwork {
      // Section 3, optimization 4: learning-rate annealing.
      m.valueLoss = trainValue(agent: agent, batch: batch, targets: gae.valueTargets, config: config,
                               learningRate: config.valueLR * config.learningRateFactor(at: iteration),
                               gradientClip: update.valueGradientClip, rng: &rng)
    }
    let report = update.update(agent: agent, batch: batch, advantages: gae.advantages, iteration: iteration, rng: &rng)
    if let v = report.valueLoss { m.valueLoss = v }
    m.policyLoss = report.policyLoss
    m.learningRate = report.learningRate
    m.klBound = report.klBound
    m.lineSearchSteps = report.lineSearchSteps
  }
}

/// CPU seconds used so far by the calling thread (a run trains on one thread).
func threadCPUSeconds() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}
