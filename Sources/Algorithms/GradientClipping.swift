/// Global gradient-norm clipping ("Implementation Matters", Section 3,
/// optimization 9 "Global gradient clipping"), as PyTorch's
/// `clip_grad_norm_` (and the older `clip_grad_norm` the authors call):
/// total = ‖g‖₂ over the whole flat gradient; coef = maxNorm / (total + 1e-6);
/// if coef < 1, g ← coef · g.
///
/// Note the 1e-6: a clipped gradient ends with norm slightly below `maxNorm`, and
/// a gradient with norm in (maxNorm − 1e-6, maxNorm] is scaled by a factor just
/// under 1, exactly as PyTorch does. In the authors' code only the PPO policy
/// gradient is clipped (their value step and TRPO step never clip).
///
/// - Returns: the total norm before clipping.
@discardableResult
public func clipGradientNorm(_ gradient: inout [Double], maxNorm: Double) -> Double {
  var ss = 0.0
  for g in gradient { ss += g * g }
  let total = ss.squareRoot()
  let coef = maxNorm / (total + 1e-6)
  if coef < 1 {
    for i in 0..<gradient.count { gradient[i] *= coef }
  }
  return total
}
