import Foundation

/// A per-sample loss and its derivative with respect to the network output it
/// depends on (log π_new(a|s) for the surrogate, V(s) for the value loss).
public struct LossAndDerivative: Sendable, Equatable {
  /// The loss value.
  public var loss: Double
  /// d loss / d output.
  public var derivative: Double

  /// Plain memberwise initialiser.
  public init(loss: Double, derivative: Double) {
    self.loss = loss
    self.derivative = derivative
  }
}

/// A minibatch-mean loss and its derivative with respect to each sample's output.
public struct BatchLoss: Sendable, Equatable {
  /// Mean loss over the (included) samples.
  public var loss: Double
  /// d loss / d output_i for every sample (0 for excluded samples).
  public var derivatives: [Double]

  /// Plain memberwise initialiser.
  public init(loss: Double, derivatives: [Double]) {
    self.loss = loss
    self.derivatives = derivatives
  }
}

/// Derivative of min(a, b) or max(a, b) from the branches' derivatives: the
/// chosen branch's, and for an exact tie half of each (PyTorch's
/// `minimum`/`maximum` backward). Ties in the losses below only occur where
/// both branches have the same derivative, or on a set of measure zero.
@inline(__always)
func selectDerivative(_ a: Double, _ da: Double, _ b: Double, _ db: Double, takeLarger: Bool) -> Double {
  if a == b { return 0.5 * (da + db) }
  return (a > b) == takeLarger ? da : db
}

/// PPO's clipped surrogate for one sample, as a loss (Schulman et al., 2017; the
/// authors' `ppo_step`):
/// `L = −min(r·A, clip(r, 1 − ε, 1 + ε)·A)` with `r = exp(logp_new − logp_old)`.
/// The advantage A should already be normalised (see `normalizeAdvantages`).
///
/// `dL/dlogp_new` is `−r·A` where the unclipped term is the minimum, and 0 where
/// the clip is active and binding (r outside [1 − ε, 1 + ε] on the side where it
/// limits the objective). The clamp passes the gradient at its bounds (inclusive),
/// as torch's `clamp` does.
///
/// With `clipEpsilon == nil` it is the unclipped importance-sampling surrogate
/// `L = −r·A` (TRPO's objective, and PPO-NoClip in the limit ε → ∞).
public func ppoSurrogateLoss(logProbNew: Double, logProbOld: Double, advantage: Double, clipEpsilon: Double?) -> LossAndDerivative {
  let r = exp(logProbNew - logProbOld)
  let unclipped = r * advantage
  let dUnclipped = r * advantage  // d(r·A)/dlogp_new
  guard let eps = clipEpsilon else {
    return LossAndDerivative(loss: -unclipped, derivative: -dUnclipped)
  }
  let lo = 1 - eps
  let hi = 1 + eps
  let rc = Swift.min(Swift.max(r, lo), hi)
  let clipped = rc * advantage
  let dClipped = (r >= lo && r <= hi) ? r * advantage : 0
  let objective = Swift.min(unclipped, clipped)
  let dObjective = selectDerivative(unclipped, dUnclipped, clipped, dClipped, takeLarger: false)
  return LossAndDerivative(loss: -objective, derivative: -dObjective)
}

/// The value loss for one sample, as the authors' `value_loss_gae`: no ½ factor.
/// - `clipEpsilon == nil` (optimization 1 off): `(V − target)²`.
/// - otherwise ("Implementation Matters", Section 3, optimization 1 "Value
///   function clipping"): `max((V − target)², (V_clip − target)²)` with
///   `V_clip = V_old + clip(V − V_old, −ε, ε)`; the gradient through `V_clip` is
///   0 when |V − V_old| > ε, so the loss has zero derivative where the clipped
///   branch is the larger one and the clip binds.
///
/// Note: the authors clip with `clip_val_eps` (0.2 in their base config, never
/// overridden), not the policy's ε: the two differ where a preset clips the value
/// with another policy ε (Humanoid PPO-NoClip: ε = 1e32, value clip 0.2). The presets
/// set `valueClipEpsilon` to it; `TrainerConfig.valueClipRange` is the range in effect.
public func valueLoss(value: Double, oldValue: Double, target: Double, clipEpsilon: Double?) -> LossAndDerivative {
  let e = value - target
  let unclipped = e * e
  let dUnclipped = 2 * e
  guard let eps = clipEpsilon else {
    return LossAndDerivative(loss: unclipped, derivative: dUnclipped)
  }
  let diff = value - oldValue
  let vc = oldValue + Swift.min(Swift.max(diff, -eps), eps)
  let ec = vc - target
  let clipped = ec * ec
  let dClipped = (diff >= -eps && diff <= eps) ? 2 * ec : 0
  let loss = Swift.max(unclipped, clipped)
  let d = selectDerivative(unclipped, dUnclipped, clipped, dClipped, takeLarger: true)
  return LossAndDerivative(loss: loss, derivative: d)
}

/// Minibatch PPO surrogate loss: the mean of `ppoSurrogateLoss` over the
/// minibatch, with the advantages first normalised over this minibatch when
/// `normalize` is on (the authors normalise inside the surrogate), and its
/// derivative with respect to each sample's `logp_new` (per-sample derivative / n).
/// An empty minibatch gives loss 0.
public func meanSurrogateLoss(
  logProbsNew: [Double], logProbsOld: [Double], advantages: [Double],
  clipEpsilon: Double?, normalize: Bool
) -> BatchLoss {
  let n = logProbsNew.count
  precondition(logProbsOld.count == n && advantages.count == n, "meanSurrogateLoss: arrays must have the same length")
  guard n > 0 else { return BatchLoss(loss: 0, derivatives: []) }
  let adv = normalize ? normalizeAdvantages(advantages) : advantages
  var total = 0.0
  var ds = Array(repeating: 0.0, count: n)
  let inv = 1 / Double(n)
  for i in 0..<n {
    let s = ppoSurrogateLoss(logProbNew: logProbsNew[i], logProbOld: logProbsOld[i], advantage: adv[i], clipEpsilon: clipEpsilon)
    total += s.loss
    ds[i] = s.derivative * inv
  }
  return BatchLoss(loss: total * inv, derivatives: ds)
}

/// Minibatch value loss: the mean of `valueLoss` over the samples with
/// `include[i]` true (all when `include` is nil), and its derivative with respect
/// to each V_i (per-sample derivative / number included; 0 for excluded samples).
///
/// `include` implements the authors' "value loss masked at terminal steps": their
/// `value_loss_gae` drops every step with `not_done == 0`, i.e. the last step of
/// each completed episode (with their v2 time limits, truncations too), "since
/// there's no return to use". Pass `include[i] = !(terminated[i] || truncated[i])`
/// to reproduce it; with correct bootstrapping those targets are valid, so nil
/// (train on all steps) is also defensible. When no sample is included the loss
/// is 0 with zero derivatives (torch would give NaN).
public func meanValueLoss(
  values: [Double], oldValues: [Double], targets: [Double],
  clipEpsilon: Double?, include: [Bool]? = nil
) -> BatchLoss {
  let n = values.count
  precondition(oldValues.count == n && targets.count == n, "meanValueLoss: arrays must have the same length")
  precondition(include.map { $0.count == n } ?? true, "meanValueLoss: include mask must have the same length")
  var ds = Array(repeating: 0.0, count: n)
  var m = 0
  for i in 0..<n where include?[i] ?? true { m += 1 }
  guard m > 0 else { return BatchLoss(loss: 0, derivatives: ds) }
  let inv = 1 / Double(m)
  var total = 0.0
  for i in 0..<n where include?[i] ?? true {
    let l = valueLoss(value: values[i], oldValue: oldValues[i], target: targets[i], clipEpsilon: clipEpsilon)
    total += l.loss
    ds[i] = l.derivative * inv
  }
  return BatchLoss(loss: total * inv, derivatives: ds)
}
