import NeuralNet
import ReproRandom

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// Outcome of one TRPO policy step.
struct TRPOStepResult {
  /// Surrogate loss (−surrogate) before the step.
  var loss: Double
  /// Accepted fraction of the full step (nil: no step taken).
  var fraction: Double?
  var halvings: Int?
}

/// Surrogate objective mean(π_θ(a|s)/π_old(a|s) · A) and mean KL(old || θ) on the whole batch.
func surrogateAndKL(agent: Agent, batch: RolloutBatch, advantages: [Double]) -> (surrogate: Double, meanKL: Double) {
  let actSize = batch.actionSize
  let means = agent.policyMeans(batch.observations, count: batch.count)
  let logStd = agent.logStd
  var sur = 0.0, kl = 0.0
  for s in 0..<batch.count {
    let r = (s * actSize)..<((s + 1) * actSize)
    let lp = gaussianLogProb(action: batch.actions[r], mean: means[r], logStd: logStd)
    sur += exp(lp - batch.logProbs[s]) * advantages[s]
    kl += gaussianKL(oldMean: batch.means[r], oldLogStd: batch.logStd, newMean: means[r], newLogStd: logStd)
  }
  let n = Double(batch.count)
  return (sur / n, kl / n)
}

/// One TRPO step (Schulman et al., 2015, with the authors' details): gradient of
/// the surrogate at the old policy; conjugate gradient on exact Fisher-vector
/// products over a random `fisherFraction` of the states; the step scaled to the
/// KL bound; a backtracking line search that accepts only when the mean KL is at
/// most the bound and the surrogate improves enough, and otherwise takes no step.
func trpoPolicyStep(agent: Agent, batch: RolloutBatch, advantages rawAdvantages: [Double],
                    config: TrainerConfig, klBound: Double, rng: inout Xoshiro256) -> TRPOStepResult {
  let net = agent.policy
  let n = batch.count
  let advantages = config.advantageNormalization ? normalizeAdvantages(rawAdvantages) : rawAdvantages

  // 1. g = ∇θ mean(ratio · A) at θ_old: the negated gradient of the unclipped PPO loss on the whole batch.
  var unclipped = config
  unclipped.clipEpsilon = .greatestFiniteMagnitude
  unclipped.entropyCoefficient = 0
  unclipped.advantageNormalization = false  // already normalised over the whole batch above
  _ = policyLossAndGradient(policy: net, observations: batch.observations, count: n, actions: batch.actions,
                            logProbsOld: batch.logProbs, advantages: advantages, config: unclipped)
  let gradient = (0..<net.parameterCount).map { -Double(net.gradients[$0]) }
  let before = surrogateAndKL(agent: agent, batch: batch, advantages: advantages)

  // 2. Natural gradient direction x ≈ F⁻¹ g on a random subset of the states.
  let subsetSize = max(1, Int((config.fisherFraction * Double(n)).rounded()))
  let subset = Array(rng.permutation(n).prefix(subsetSize))
  let subsetObs = gatherRows(batch.observations, width: batch.observationSize, subset)
  // Exact Fisher-vector products of the mean KL (NeuralNet's GaussianPolicy: Jᵀ M J v by a JVP and backpropagation).
  let damping = Float(config.cgDamping)
  let fvp = { (v: [Double]) -> [Double] in
    agent.gaussian.fisherVectorProduct(observations: subsetObs, batch: subsetSize, vector: v.map { Float($0) },
                                       damping: damping).map { Double($0) }
  }
  let x = conjugateGradient(multiply: fvp, b: gradient, iterations: config.cgIterations).solution

  // 3. Scale to the KL bound: s = sqrt(2δ / xᵀFx) x; expected improvement g·s.
  guard let step = trustRegionStep(direction: x, curvature: dot(x, fvp(x)), klBound: klBound) else {
    return TRPOStepResult(loss: -before.surrogate, fraction: nil, halvings: nil)
  }
  let expected = dot(gradient, step)
  let old = Array(net.parameters)

  // 4. Backtracking line search on the whole batch.
  let result = backtrackingLineSearch(expectedImprovement: expected, maxTries: config.lineSearchSteps,
                                      acceptRatio: config.lineSearchAcceptRatio, klBound: klBound) { f in
    for i in 0..<old.count { net.parameters[i] = Float(Double(old[i]) + f * step[i]) }
    let after = surrogateAndKL(agent: agent, batch: batch, advantages: advantages)
    return (after.surrogate - before.surrogate, after.meanKL)
  }
  if let f = result.fraction {
    for i in 0..<old.count { net.parameters[i] = Float(Double(old[i]) + f * step[i]) }
  } else {
    for i in 0..<old.count { net.parameters[i] = old[i] }
  }
  return TRPOStepResult(loss: -before.surrogate, fraction: result.fraction, halvings: result.halvings)
}
