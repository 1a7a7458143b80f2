import NeuralNet
import ReproRandom
import RunModel

/// Value-network training, shared by every algorithm: `valueEpochs` epochs of
/// `minibatches` minibatches, Adam, the (optionally clipped) value loss against
/// the GAE targets, the last step of each finished episode masked when
/// `valueLossMaskEpisodeEnds` is on, the gradient clipped to `gradientClip` if
/// given. Returns the mean loss of the last epoch.
func trainValue(agent: Agent, batch: RolloutBatch, targets: [Double], config: TrainerConfig,
                learningRate: Double, gradientClip: Double?, rng: inout Xoshiro256) -> Double {
  let net = agent.valueNet
  let obsSize = batch.observationSize
  let include = valueLossMask(batch, config: config)
  let clip = config.valueClipRange
  let scale = config.valueLossCoefficient
  return trainEpochs(epochs: config.valueEpochs, count: batch.count, minibatches: config.minibatches, rng: &rng) { idx in
    let loss = valueLossAndGradient(
      network: net, observations: gatherRows(batch.observations, width: obsSize, idx), count: idx.count,
      oldValues: idx.map { batch.values[$0] }, targets: idx.map { targets[$0] },
      include: include.map { m in idx.map { m[$0] } }, clipEpsilon: clip, lossScale: scale)
    if let g = gradientClip { clipGradientNorm(net, maxNorm: g) }
    agent.valueAdam.update(net, learningRate: learningRate)
    return loss
  }
}

/// Which steps the value loss fits (`valueLossMaskEpisodeEnds`): nil for all, else
/// false at the last step of every finished episode.
func valueLossMask(_ batch: RolloutBatch, config: TrainerConfig) -> [Bool]? {
  config.valueLossMaskEpisodeEnds ? (0..<batch.count).map { !(batch.terminated[$0] || batch.truncated[$0]) } : nil
}

/// The value loss of one minibatch and its gradient, left in `network.gradients`
/// (zeroed first). The gradient is that of `lossScale` × the loss (`valueLossCoefficient`);
/// the loss returned is unscaled. Generic over the network's scalar so that tests can
/// check it against finite differences in Double.
public func valueLossAndGradient<S: NNScalar>(
  network: MLP<S>, observations: [S], count: Int, oldValues: [Double], targets: [Double],
  include: [Bool]?, clipEpsilon: Double?, lossScale: Double = 1
) -> Double {
  let out = network.forward(observations, batch: count)
  let v = (0..<count).map { Double(out[$0]) }
  let loss = meanValueLoss(values: v, oldValues: oldValues, targets: targets, clipEpsilon: clipEpsilon, include: include)
  network.zeroGradients()
  // A scale of 1 leaves the derivatives untouched (the bits of every run before the setting existed).
  let derivatives = lossScale == 1 ? loss.derivatives : loss.derivatives.map { $0 * lossScale }
  network.accumulateGradients(outputGradient: derivatives.map { S($0) })
  return loss.loss
}
