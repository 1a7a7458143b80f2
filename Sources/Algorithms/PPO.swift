import NeuralNet
import ReproRandom
import RunModel

/// The PPO policy update (Schulman et al., 2017, with the authors' details):
/// `policyEpochs` epochs of `minibatches` minibatches; per minibatch the clipped
/// surrogate with per-minibatch advantage normalisation, minus the entropy bonus;
/// gradients through the Gaussian into the mean MLP and the log-std; optional
/// global gradient-norm clipping (Section 3, optimization 9); one Adam step at the
/// (optionally annealed) learning rate.
public struct PPOUpdate: PolicyUpdate {
  public let settings: PPOSettings
  let config: TrainerConfig

  public init(config: TrainerConfig) {
    self.config = config
    settings = config.ppo
  }

  public var ratioClipRange: Double? { settings.clipEpsilon }
  /// The authors' PPO never clips the value network's gradient.
  public var valueGradientClip: Double? { nil }
  /// With `jointLoss`, PPO trains both networks in one loop (CleanRL).
  public var trainsValueNetwork: Bool { config.jointLoss }

  public mutating func update(agent: Agent, batch: RolloutBatch, advantages: [Double], iteration: Int,
                              rng: inout Xoshiro256) -> PolicyUpdateReport {
    if config.jointLoss { return jointUpdate(agent: agent, batch: batch, advantages: advantages, iteration: iteration, rng: &rng) }
    let net = agent.policy
    let obsSize = batch.observationSize, actSize = batch.actionSize
    let learningRate = settings.policyLR * config.learningRateFactor(at: iteration)
    let loss = trainEpochs(epochs: settings.policyEpochs, count: batch.count, minibatches: config.minibatches,
                           rng: &rng) { idx in
      let loss = policyLossAndGradient(
        policy: net, observations: gatherRows(batch.observations, width: obsSize, idx), count: idx.count,
        actions: gatherRows(batch.actions, width: actSize, idx), logProbsOld: idx.map { batch.logProbs[$0] },
        advantages: idx.map { advantages[$0] }, clipEpsilon: settings.clipEpsilon,
        entropyCoefficient: settings.entropyCoefficient, normalizeAdvantages: config.advantageNormalization)
      if let c = config.gradientClip { clipGradientNorm(net, maxNorm: c) }
      agent.policyAdam.update(net, learningRate: learningRate)
      return loss
    }
    return PolicyUpdateReport(policyLoss: loss, learningRate: learningRate)
  }

  /// CleanRL's update (`jointLoss`; ppo_continuous_action.py at vwxyzjn/cleanrl@35896b1,
  /// L256-L305): `policyEpochs` epochs, each a fresh shuffle split into `minibatches`
  /// (all drawn first: the generator serves nothing else here), then `jointUpdate(epochs:)`.
  mutating func jointUpdate(agent: Agent, batch: RolloutBatch, advantages: [Double], iteration: Int,
                            rng: inout Xoshiro256) -> PolicyUpdateReport {
    let epochs = (0..<settings.policyEpochs).map { _ in
      minibatchIndices(count: batch.count, minibatches: config.minibatches, rng: &rng)
    }
    return jointUpdate(
      agent: agent, observations: batch.observations, actions: batch.actions, logProbs: batch.logProbs,
      values: batch.values, include: valueLossMask(batch, config: config), advantages: advantages,
      iteration: iteration, epochs: epochs)
  }

  /// CleanRL's update on given minibatches (`epochs[e]`: epoch e's minibatches, as sample
  /// indices): per minibatch one loss, policy loss + valueLossCoefficient × value loss, over
  /// the same samples (`jointLossAndGradient`); the norm of both networks' gradients
  /// together clipped to `gradientClip` (L304); an Adam step on each network at its
  /// (annealed) learning rate. The value targets are old value + advantage (L246).
  /// `observations` are row-major, as the networks saw them; `include` masks the value loss.
  public func jointUpdate(agent: Agent, observations: [Float], actions: [Double], logProbs: [Double],
                          values: [Double], include: [Bool]?, advantages: [Double], iteration: Int,
                          epochs: [[[Int]]]) -> PolicyUpdateReport {
    let policy = agent.policy, value = agent.valueNet
    let obsSize = agent.observationSize, actSize = agent.actionSize
    let policyRate = settings.policyLR * config.learningRateFactor(at: iteration)
    let valueRate = config.valueLR * config.learningRateFactor(at: iteration)
    let targets = valueTargets(values: values, advantages: advantages)
    let valueClip = config.valueClipRange
    var lastPolicyLoss = 0.0, lastValueLoss = 0.0
    for parts in epochs {
      var policyLoss = 0.0, valueLoss = 0.0
      for idx in parts {
        let loss = jointLossAndGradient(
          policy: policy, value: value, observations: gatherRows(observations, width: obsSize, idx),
          count: idx.count, actions: gatherRows(actions, width: actSize, idx),
          logProbsOld: idx.map { logProbs[$0] }, advantages: idx.map { advantages[$0] },
          oldValues: idx.map { values[$0] }, targets: idx.map { targets[$0] },
          include: include.map { m in idx.map { m[$0] } }, clipEpsilon: settings.clipEpsilon,
          valueClipEpsilon: valueClip, entropyCoefficient: settings.entropyCoefficient,
          valueLossCoefficient: config.valueLossCoefficient, normalizeAdvantages: config.advantageNormalization)
        if let c = config.gradientClip { clipGradientNorm([policy, value], maxNorm: c) }
        agent.policyAdam.update(policy, learningRate: policyRate)
        agent.valueAdam.update(value, learningRate: valueRate)
        policyLoss += loss.policy
        valueLoss += loss.value
      }
      lastPolicyLoss = policyLoss / Double(parts.count)
      lastValueLoss = valueLoss / Double(parts.count)
    }
    return PolicyUpdateReport(policyLoss: lastPolicyLoss, learningRate: policyRate, valueLoss: lastValueLoss)
  }
}

/// The joint loss of one minibatch, as CleanRL's L300
/// (`loss = pg_loss − ent_coef · entropy + vf_coef · v_loss`):
/// `policyLoss + valueLossCoefficient × valueLoss`, with the policy loss of
/// `policyLossAndGradient` and the value loss of `valueLossAndGradient` on the same
/// samples. The two networks share no parameter, so the gradient of the joint loss
/// is the policy loss's gradient in `policy.gradients` beside valueLossCoefficient ×
/// the value loss's gradient in `value.gradients` (both zeroed first). Returns the
/// two losses (the value loss unscaled); the joint loss is `policy + coefficient × value`.
public func jointLossAndGradient<S: NNScalar>(
  policy: MLP<S>, value: MLP<S>, observations: [S], count n: Int, actions: [Double], logProbsOld: [Double],
  advantages: [Double], oldValues: [Double], targets: [Double], include: [Bool]?, clipEpsilon: Double?,
  valueClipEpsilon: Double?, entropyCoefficient: Double, valueLossCoefficient: Double, normalizeAdvantages: Bool
) -> (policy: Double, value: Double) {
  let p = policyLossAndGradient(
    policy: policy, observations: observations, count: n, actions: actions, logProbsOld: logProbsOld,
    advantages: advantages, clipEpsilon: clipEpsilon, entropyCoefficient: entropyCoefficient,
    normalizeAdvantages: normalizeAdvantages)
  let v = valueLossAndGradient(
    network: value, observations: observations, count: n, oldValues: oldValues, targets: targets, include: include,
    clipEpsilon: valueClipEpsilon, lossScale: valueLossCoefficient)
  return (p, v)
}

/// The PPO policy loss of one minibatch — the surrogate (clipped at
/// `clipEpsilon`; nil: the unclipped importance-sampling surrogate; advantages
/// normalised over the minibatch when `normalizeAdvantages`) minus
/// `entropyCoefficient` × entropy — and its gradient with respect to the flat
/// policy parameters (mean MLP, then log-std), left in `policy.gradients`.
public func policyLossAndGradient<S: NNScalar>(
  policy net: MLP<S>, observations: [S], count n: Int, actions: [Double], logProbsOld: [Double],
  advantages: [Double], clipEpsilon: Double?, entropyCoefficient: Double, normalizeAdvantages: Bool
) -> Double {
  let actSize = net.outputSize
  let logStd = net.extraParameterArray.map { Double($0) }
  let means = net.forward(observations, batch: n).map { Double($0) }
  let logpNew = (0..<n).map { s in
    gaussianLogProb(action: actions[(s * actSize)..<((s + 1) * actSize)], mean: means[(s * actSize)..<((s + 1) * actSize)],
                    logStd: logStd)
  }
  let surrogate = meanSurrogateLoss(logProbsNew: logpNew, logProbsOld: logProbsOld, advantages: advantages,
                                    clipEpsilon: clipEpsilon, normalize: normalizeAdvantages)
  // Loss = surrogate − entropyCoefficient · entropy; the entropy depends on the log-std only.
  let loss = surrogate.loss - entropyCoefficient * gaussianEntropy(logStd: logStd)
  // Chain rule through log N(a; μ, σ): dL/dμ and dL/dlogσ, scaled by dL/dlogp per sample.
  var meanGradient = [Double](repeating: 0, count: n * actSize)
  var stdGradient = [Double](repeating: -entropyCoefficient, count: actSize)
  addLogProbGradients(actions: actions, means: means, logStd: logStd, scales: surrogate.derivatives,
                      dMean: &meanGradient, dLogStd: &stdGradient)
  net.zeroGradients()
  net.accumulateGradients(outputGradient: meanGradient.map { S($0) })
  net.setExtraGradients(stdGradient.map { S($0) })
  return loss
}
