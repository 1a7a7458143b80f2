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

/// Exact Fisher-vector product of the mean KL between the old and new Gaussian
/// policies, on the states `observations` (count × obsSize), at the current
/// parameters: F v = (1/n) Σ_s J_sᵀ M J_s v + damping · v, where J_s is the
/// Jacobian of (mean, log-std) with respect to the flat policy parameters and
/// M = diag(1/σ², …, 2, …) is the Gaussian's Fisher per output (1/σ² per mean
/// component, 2 per log-std component). J v is a forward-mode JVP through the
/// MLP; Jᵀ u is its backward pass. No finite differences.
public func fisherVectorProduct<S: NNScalar>(policy: MLP<S>, observations: [S], count: Int,
                                actionSize: Int, vector v: [Double], damping: Double) -> [Double] {
  let np = policy.networkParameterCount
  let logStd = (0..<actionSize).map { Double(policy.parameters[np + $0]) }
  let invVar = logStd.map { exp(-2 * $0) }
  let direction = v.map { S($0) }
  // J v for the mean outputs (count × actionSize).
  let jv: [S] = observations.withUnsafeBufferPointer { o in
    direction.withUnsafeBufferPointer { d in
      Array(policy.jvp(input: o.baseAddress!, batch: count, direction: d.baseAddress!))
    }
  }
  // u = M J v / n for the mean part; Jᵀ u by backpropagation (needs a forward on the same states).
  var u = [S](repeating: 0, count: count * actionSize)
  let invN = 1.0 / Double(count)
  for s in 0..<count {
    for j in 0..<actionSize { u[s * actionSize + j] = S(Double(jv[s * actionSize + j]) * invVar[j] * invN) }
  }
  observations.withUnsafeBufferPointer { o in _ = policy.forward(input: o.baseAddress!, batch: count) }
  policy.zeroGradients()
  u.withUnsafeBufferPointer { policy.backward(outputGradient: $0.baseAddress!) }
  var out = [Double](repeating: 0, count: policy.parameterCount)
  for i in 0..<np { out[i] = Double(policy.gradients[i]) + damping * v[i] }
  // The log-std block: the mean over states of 2·v (M = 2 per log-std; Jacobian is the identity).
  for j in 0..<actionSize { out[np + j] = 2 * v[np + j] + damping * v[np + j] }
  return out
}

/// Surrogate objective mean(π_θ(a|s)/π_old(a|s) · A) and mean KL(old || θ) on the whole batch.
func surrogateAndKL(agent: Agent, batch: RolloutBatch, advantages: [Double]) -> (surrogate: Double, meanKL: Double) {
  let actSize = batch.actionSize
  let means = agent.policyMeans(batch.observations, count: batch.count)
  let logStd = agent.logStd
  var sur = 0.0, kl = 0.0
  for s in 0..<batch.count {
    let r = (s * actSize)..<((s + 1) * actSize)
    let lp = gaussianLogProb(action: Array(batch.actions[r]), mean: Array(means[r]), logStd: logStd)
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
  let actSize = batch.actionSize, n = batch.count
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
  let fvp = { (v: [Double]) in
    fisherVectorProduct(policy: net, observations: subsetObs, count: subsetSize, actionSize: actSize,
                        vector: v, damping: config.cgDamping)
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
