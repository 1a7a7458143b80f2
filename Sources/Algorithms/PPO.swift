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

  public mutating func update(agent: Agent, batch: RolloutBatch, advantages: [Double], iteration: Int,
                              rng: inout Xoshiro256) -> PolicyUpdateReport {
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
