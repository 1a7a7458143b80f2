import NeuralNet
import ReproRandom

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// Value-network training, shared by PPO and TRPO: `valueEpochs` epochs of
/// `minibatches` minibatches, Adam, the (optionally clipped) value loss against
/// the GAE targets, the last step of each finished episode masked when
/// `valueLossMaskEpisodeEnds` is on. Returns the mean loss of the last epoch.
func trainValue(agent: Agent, batch: RolloutBatch, targets: [Double], config: TrainerConfig,
                learningRate: Double, rng: inout Xoshiro256) -> Double {
  let net = agent.valueNet
  let obsSize = batch.observationSize
  let include: [Bool]? = config.valueLossMaskEpisodeEnds
    ? (0..<batch.count).map { !(batch.terminated[$0] || batch.truncated[$0]) } : nil
  // Section 3, optimization 1: value clipping around the old value by ±epsilon.
  let clip: Double? = config.valueClipping ? config.clipEpsilon : nil
  // Gradient clipping touches the value network only in TRPO (see TrainerConfig.gradientClip).
  let gradClip: Double? = config.algorithm == .trpo ? config.gradientClip : nil
  var lastEpochLoss = 0.0
  for _ in 0..<config.valueEpochs {
    var epochLoss = 0.0
    let parts = minibatchIndices(count: batch.count, minibatches: config.minibatches, rng: &rng)
    for idx in parts {
      epochLoss += valueLossAndGradient(
        network: net, observations: gatherRows(batch.observations, width: obsSize, idx), count: idx.count,
        oldValues: idx.map { batch.values[$0] }, targets: idx.map { targets[$0] },
        include: include.map { m in idx.map { m[$0] } }, clipEpsilon: clip)
      if let g = gradClip { _ = clipGradientNorm(net.gradients, maxNorm: g) }
      agent.valueAdam.update(net, learningRate: learningRate)
    }
    lastEpochLoss = epochLoss / Double(parts.count)
  }
  return lastEpochLoss
}

/// The PPO policy update (Schulman et al., 2017, with the authors' details):
/// `policyEpochs` epochs of `minibatches` minibatches; per minibatch the clipped
/// surrogate with per-minibatch advantage normalisation, minus the entropy bonus;
/// gradients through the Gaussian into the mean MLP and the log-std; optional
/// global gradient-norm clipping; one Adam step. Returns the last epoch's mean loss.
func ppoPolicyUpdate(agent: Agent, batch: RolloutBatch, advantages: [Double], config: TrainerConfig,
                     learningRate: Double, rng: inout Xoshiro256) -> Double {
  let net = agent.policy
  let obsSize = batch.observationSize, actSize = batch.actionSize
  var lastEpochLoss = 0.0
  for _ in 0..<config.policyEpochs {
    var epochLoss = 0.0
    let parts = minibatchIndices(count: batch.count, minibatches: config.minibatches, rng: &rng)
    for idx in parts {
      epochLoss += policyLossAndGradient(
        policy: net, observations: gatherRows(batch.observations, width: obsSize, idx), count: idx.count,
        actions: gatherRows(batch.actions, width: actSize, idx), logProbsOld: idx.map { batch.logProbs[$0] },
        advantages: idx.map { advantages[$0] }, config: config)
      // Section 3, optimization 9: global gradient clipping (policy gradient, as in the authors' code).
      if let c = config.gradientClip { _ = clipGradientNorm(net.gradients, maxNorm: c) }
      agent.policyAdam.update(net, learningRate: learningRate)
    }
    lastEpochLoss = epochLoss / Double(parts.count)
  }
  return lastEpochLoss
}

/// Trust-region statistics between the batch's sampling policy (means and
/// log-std stored in the batch) and the agent's current policy.
func trustRegionStats(agent: Agent, batch: RolloutBatch, clipEpsilon: Double? = nil)
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
    if let e = clipEpsilon, abs(ratio - 1) > e { clipped += 1 }
  }
  let n = Double(max(batch.count, 1))
  return (TrustRegionStats(meanKL: sumKL / n, maxKL: maxKL, maxRatio: maxRatio), Double(clipped) / n)
}

/// The value loss of one minibatch and its gradient, left in `network.gradients`
/// (zeroed first). Generic over the network's scalar so that tests can check it
/// against finite differences in Double.
public func valueLossAndGradient<S: NNScalar>(
  network: MLP<S>, observations: [S], count: Int, oldValues: [Double], targets: [Double],
  include: [Bool]?, clipEpsilon: Double?
) -> Double {
  let out = observations.withUnsafeBufferPointer { network.forward(input: $0.baseAddress!, batch: count) }
  let v = (0..<count).map { Double(out[$0]) }
  let loss = meanValueLoss(values: v, oldValues: oldValues, targets: targets, clipEpsilon: clipEpsilon, include: include)
  let grad = loss.derivatives.map { S($0) }
  network.zeroGradients()
  grad.withUnsafeBufferPointer { network.backward(outputGradient: $0.baseAddress!) }
  return loss.loss
}

/// The PPO policy loss of one minibatch — clipped surrogate (advantages
/// normalised per minibatch when `advantageNormalization` is on) minus
/// `entropyCoefficient` × entropy — and its gradient with respect to the flat
/// policy parameters (mean MLP, then log-std), left in `policy.gradients`.
public func policyLossAndGradient<S: NNScalar>(
  policy net: MLP<S>, observations: [S], count n: Int, actions: [Double], logProbsOld: [Double],
  advantages: [Double], config: TrainerConfig
) -> Double {
  let actSize = net.outputSize
  let stdOffset = net.networkParameterCount
  let logStd = (0..<actSize).map { Double(net.parameters[stdOffset + $0]) }
  let out = observations.withUnsafeBufferPointer { net.forward(input: $0.baseAddress!, batch: n) }
  let means = out.map { Double($0) }
  let logpNew = (0..<n).map { s in
    gaussianLogProb(action: actions[(s * actSize)..<((s + 1) * actSize)], mean: means[(s * actSize)..<((s + 1) * actSize)],
                    logStd: logStd)
  }
  let surrogate = meanSurrogateLoss(logProbsNew: logpNew, logProbsOld: logProbsOld, advantages: advantages,
                                    clipEpsilon: config.clipEpsilon, normalize: config.advantageNormalization)
  // Loss = surrogate − entropyCoefficient · entropy; the entropy depends on the log-std only.
  let loss = surrogate.loss - config.entropyCoefficient * gaussianEntropy(logStd: logStd)
  // Chain rule through log N(a; μ, σ): dL/dμ and dL/dlogσ, scaled by dL/dlogp per sample.
  var meanGradient = [Double](repeating: 0, count: n * actSize)
  var stdGrad = [Double](repeating: -config.entropyCoefficient, count: actSize)
  actions.withUnsafeBufferPointer { a in
    means.withUnsafeBufferPointer { m in
      meanGradient.withUnsafeMutableBufferPointer { dm in
        for s in 0..<n where surrogate.derivatives[s] != 0 {
          DiagonalGaussian<Double>.addLogProbGradient(
            action: a.baseAddress! + s * actSize, mean: m.baseAddress! + s * actSize, logStd: logStd, dim: actSize,
            scale: surrogate.derivatives[s], dMean: dm.baseAddress! + s * actSize, dLogStd: &stdGrad)
        }
      }
    }
  }
  let meanGrad = meanGradient.map { S($0) }
  net.zeroGradients()
  meanGrad.withUnsafeBufferPointer { net.backward(outputGradient: $0.baseAddress!) }
  for j in 0..<actSize { net.gradients[stdOffset + j] = S(stdGrad[j]) }
  return loss
}
