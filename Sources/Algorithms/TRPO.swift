import NeuralNet
import ReproRandom
import RunModel

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// The TRPO policy update (Schulman et al., 2015, with the authors' details):
/// one natural-gradient step per iteration within a KL bound (`trpoPolicyStep`).
public struct TRPOUpdate: PolicyUpdate {
  public let settings: TRPOSettings
  let config: TrainerConfig

  public init(config: TrainerConfig) {
    self.config = config
    settings = config.trpo
  }

  public var ratioClipRange: Double? { nil }
  /// The authors' TRPO+ sets a gradient clip that their TRPO step never reads;
  /// here it clips the value network (see the `gradientClip` setting).
  public var valueGradientClip: Double? { config.gradientClip }

  public mutating func update(agent: Agent, batch: RolloutBatch, advantages: [Double], iteration: Int,
                              rng: inout Xoshiro256) -> PolicyUpdateReport {
    let delta = config.klBound(at: iteration)
    let step = trpoPolicyStep(agent: agent, batch: batch, advantages: advantages, settings: settings,
                              normalizeAdvantages: config.advantageNormalization, klBound: delta, rng: &rng)
    return PolicyUpdateReport(policyLoss: step.loss, klBound: delta, lineSearchSteps: step.halvings)
  }
}

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
                    settings: TRPOSettings, normalizeAdvantages normalize: Bool, klBound: Double,
                    rng: inout Xoshiro256) -> TRPOStepResult {
  let net = agent.policy
  let n = batch.count
  let advantages = normalize ? normalizeAdvantages(rawAdvantages) : rawAdvantages

  // 1. g = ∇θ mean(ratio · A) at θ_old: the negated gradient of the unclipped surrogate loss on the whole
  //    batch (advantages already normalised over the whole batch above).
  _ = policyLossAndGradient(policy: net, observations: batch.observations, count: n, actions: batch.actions,
                            logProbsOld: batch.logProbs, advantages: advantages, clipEpsilon: nil,
                            entropyCoefficient: 0, normalizeAdvantages: false)
  let gradient = net.gradientArray.map { -Double($0) }
  let before = surrogateAndKL(agent: agent, batch: batch, advantages: advantages)

  // 2. Natural gradient direction x ≈ F⁻¹ g on a random subset of the states.
  let exact = settings.fisherFraction * Double(n)
  let subsetSize = max(1, Int(settings.fisherSubsetRounding == .rounded ? exact.rounded() : exact.rounded(.towardZero)))
  let subset = Array(rng.permutation(n).prefix(subsetSize))
  let subsetObs = gatherRows(batch.observations, width: batch.observationSize, subset)
  // Exact Fisher-vector products of the mean KL (NeuralNet's GaussianPolicy: Jᵀ M J v by a JVP and backpropagation).
  let damping = Float(settings.cgDamping)
  let fvp = { (v: [Double]) -> [Double] in
    agent.gaussian.fisherVectorProduct(observations: subsetObs, batch: subsetSize, vector: v.map { Float($0) },
                                       damping: damping).map { Double($0) }
  }
  let x = conjugateGradient(multiply: fvp, b: gradient, iterations: settings.cgIterations).solution

  // 3. Scale to the KL bound: s = sqrt(2δ / xᵀFx) x; expected improvement g·s.
  guard let step = trustRegionStep(direction: x, curvature: dot(x, fvp(x)), klBound: klBound) else {
    return TRPOStepResult(loss: -before.surrogate, fraction: nil, halvings: nil)
  }
  let expected = dot(gradient, step)
  let old = net.parameterArray

  // 4. Backtracking line search on the whole batch.
  let result = backtrackingLineSearch(expectedImprovement: expected, maxTries: settings.lineSearchSteps,
                                      acceptRatio: settings.lineSearchAcceptRatio, klBound: klBound) { f in
    net.parameterArray = (0..<old.count).map { Float(Double(old[$0]) + f * step[$0]) }
    let after = surrogateAndKL(agent: agent, batch: batch, advantages: advantages)
    return (after.surrogate - before.surrogate, after.meanKL)
  }
  if let f = result.fraction {
    net.parameterArray = (0..<old.count).map { Float(Double(old[$0]) + f * step[$0]) }
  } else {
    net.parameterArray = old
  }
  return TRPOStepResult(loss: -before.surrogate, fraction: result.fraction, halvings: result.halvings)
}
