/// Probability of improvement `P(X > Y)` as in rliable (Agarwal et al., 2021):
/// the Mann–Whitney U statistic over all `n·m` pairs divided by `n·m`,
/// `(1/(n·m)) Σ_i Σ_j (1[x_i > y_j] + 0.5·1[x_i = y_j])`.
///
/// Counted in integers and divided once, so the result is exact up to one
/// rounding. Disjoint samples with every `x` above every `y` give 1; identical
/// samples give 0.5. For a CI, use `Bootstrap.probabilityOfImprovementCI`.
/// - Throws: `StatisticsError` if either sample is empty or holds a non-finite value.
public func probabilityOfImprovement(_ x: [Double], over y: [Double]) throws -> Double {
  try validate(x, "x")
  try validate(y, "y")
  return mannWhitneyProbability(x, y)
}

/// `probabilityOfImprovement` without validation; O(n·m).
func mannWhitneyProbability(_ x: [Double], _ y: [Double]) -> Double {
  var twiceU = 0  // 2 per win, 1 per tie
  for a in x {
    for b in y {
      if a > b { twiceU += 2 } else if a == b { twiceU += 1 }
    }
  }
  return Double(twiceU) / Double(2 * x.count * y.count)
}
