/// Dot product of two equally long vectors, summed left to right (deterministic).
public func dot(_ a: [Double], _ b: [Double]) -> Double {
  precondition(a.count == b.count, "dot: lengths differ (\(a.count) vs \(b.count))")
  var s = 0.0
  for i in 0..<a.count { s += a[i] * b[i] }
  return s
}

/// The outcome of `conjugateGradient`.
public struct ConjugateGradientResult: Sendable, Equatable {
  /// The approximate solution x of A x = b.
  public var solution: [Double]
  /// Iterations actually run (≤ the requested number).
  public var iterations: Int
  /// Squared norm r·r of the final residual r = b − A x (as tracked by the recursion).
  public var residualNormSquared: Double

  /// Plain memberwise initialiser.
  public init(solution: [Double], iterations: Int, residualNormSquared: Double) {
    self.solution = solution
    self.iterations = iterations
    self.residualNormSquared = residualNormSquared
  }
}

/// Conjugate gradient for A x = b with a symmetric positive-definite A given only
/// through `multiply` (v ↦ A v), as TRPO solves F x = g with Fisher-vector
/// products (the authors' `cg_solve`: x₀ = 0, r₀ = p₀ = b, `iterations` steps).
///
/// Stops early, before an iteration, when r·r ≤ `residualTolerance` (if given), or
/// when r·r = 0 or p·Ap ≤ 0 (an exact solution was reached, or A is not positive
/// definite along p); the authors' loop has no such test and would divide 0 by 0
/// there. In exact arithmetic an n×n SPD system is solved in at most n iterations.
public func conjugateGradient(
  multiply: ([Double]) -> [Double],
  b: [Double],
  iterations: Int,
  residualTolerance: Double? = nil
) -> ConjugateGradientResult {
  precondition(iterations >= 0, "conjugateGradient: iterations must be non-negative")
  var x = Array(repeating: 0.0, count: b.count)
  var r = b
  var p = b
  var rr = dot(r, r)
  var done = 0
  while done < iterations {
    if rr == 0 { break }
    if let tol = residualTolerance, rr <= tol { break }
    let ap = multiply(p)
    precondition(ap.count == b.count, "conjugateGradient: multiply returned \(ap.count) components, expected \(b.count)")
    let pap = dot(p, ap)
    if !(pap > 0) { break }
    let alpha = rr / pap
    for i in 0..<x.count {
      x[i] += alpha * p[i]
      r[i] -= alpha * ap[i]
    }
    let rrNew = dot(r, r)
    let beta = rrNew / rr
    for i in 0..<p.count { p[i] = r[i] + beta * p[i] }
    rr = rrNew
    done += 1
  }
  return ConjugateGradientResult(solution: x, iterations: done, residualNormSquared: rr)
}

/// Scales a search direction x (from CG, x ≈ A⁻¹g) to the boundary of the KL
/// trust region under its quadratic model: `step = sqrt(2δ / (xᵀA x)) · x`, so that
/// ½ stepᵀ A step = δ (Schulman et al., 2015, TRPO, Appendix C; the authors'
/// `max_step_coeff`). A is the damped Fisher matrix (F + damping·I), as in the
/// authors' code, which multiplies with the same damped product used by CG.
///
/// - Parameters:
///   - direction: x.
///   - curvature: xᵀA x (pass `dot(x, multiply(x))`).
///   - klBound: δ > 0.
/// - Returns: the scaled step, or nil when the curvature is not positive and
///   finite (no trust-region step can be formed; take no step).
public func trustRegionStep(direction: [Double], curvature: Double, klBound: Double) -> [Double]? {
  guard curvature > 0, curvature.isFinite, klBound > 0 else { return nil }
  let scale = (2 * klBound / curvature).squareRoot()
  return direction.map { $0 * scale }
}

/// The outcome of `backtrackingLineSearch`.
public struct LineSearchResult: Sendable, Equatable {
  /// The accepted fraction of the full step (2^−halvings), or nil: no step.
  public var fraction: Double?
  /// Halvings before acceptance (0 = the full step), or nil: no step.
  public var halvings: Int?
  /// Candidate fractions evaluated.
  public var evaluations: Int

  /// Plain memberwise initialiser.
  public init(fraction: Double?, halvings: Int?, evaluations: Int) {
    self.fraction = fraction
    self.halvings = halvings
    self.evaluations = evaluations
  }
}

/// TRPO's backtracking line search along a full step s, as the authors'
/// `backtracking_line_search` with their `backtrack_fn`.
///
/// Tries the fractions f = 1, 1/2, 1/4, …, 2^−(maxTries−1) in order (the authors'
/// `max_backtrack = 10` is `num_tries`: ten evaluations, at most nine halvings;
/// `TrainerConfig.lineSearchSteps` maps to `maxTries`). `evaluate(f)` returns the
/// surrogate improvement L(θ + f·s) − L(θ) and the mean KL(old ‖ new) at θ + f·s.
/// The first f is accepted with
/// - mean KL ≤ `klBound` (a NaN KL never passes; the authors' `kl > max_kl`
///   test would let a NaN through), and
/// - improvement > 0, and
/// - improvement / (expectedImprovement · f) > `acceptRatio` (the authors' ratio
///   form: a non-positive expected improvement never accepts).
/// Otherwise the result is "no step" (fraction nil).
///
/// - Parameter expectedImprovement: g·s, the linear model's improvement for the full step.
public func backtrackingLineSearch(
  expectedImprovement: Double,
  maxTries: Int,
  acceptRatio: Double,
  klBound: Double,
  evaluate: (Double) -> (improvement: Double, meanKL: Double)
) -> LineSearchResult {
  var fraction = 1.0
  var evaluations = 0
  for i in 0..<max(maxTries, 0) {
    let (improvement, kl) = evaluate(fraction)
    evaluations += 1
    let expected = expectedImprovement * fraction
    if kl <= klBound, improvement > 0, improvement / expected > acceptRatio {
      return LineSearchResult(fraction: fraction, halvings: i, evaluations: evaluations)
    }
    fraction *= 0.5
  }
  return LineSearchResult(fraction: nil, halvings: nil, evaluations: evaluations)
}
