// Claims of one cell against a number, judged on the cell's median by the
// distribution-free interval of order statistics (the sign test inverted).
//
// For n sorted values x(1) ≤ … ≤ x(n) from any continuous distribution with
// median m, the number of values below m is Binomial(n, ½). So with k the
// largest integer for which P(Bin(n, ½) ≤ k − 1) ≤ α/2,
//   P(x(n+1−k) < m) = P(at least n+1−k values below m) = P(Bin ≤ k − 1) ≤ α/2,
// and likewise P(x(k) > m) ≤ α/2: [x(k), x(n+1−k)] covers m with probability at
// least 1 − α whatever the distribution, and a claim "median < b" (or "> b")
// judged on it is falsely "reproduced" at most α/2 of the time when the true
// median is b or on the other side. No k ≥ 1 exists when 2⁻ⁿ > α/2: at 95%
// that is n ≤ 5, where nothing is judged. Checked by simulation in
// MedianClaimTests (skewed, bounded and atom-at-the-bound distributions).
//
// Why the median and not the mean: the per-run statistics these claims are
// about (a run's largest mean KL, its largest probability ratio) are bounded
// or heavy-tailed, where the one-cell t interval of a mean undercovers at
// every n (see `minimumRunsPerCell`); the order-statistic interval is exact.

import Foundation

/// The distribution-free interval of a sample's median.
public struct MedianInterval: Equatable, Sendable {
  /// The sample median (mean of the two middle values for even n).
  public var median: Double
  /// `[x(k), x(n+1−k)]`.
  public var low: Double
  public var high: Double
  /// The order statistic's index k (1-based).
  public var k: Int
  /// The interval's exact coverage for a continuous distribution: 1 − 2·P(Bin(n, ½) ≤ k − 1) (at least the level asked).
  public var coverage: Double
}

/// P(Bin(n, ½) ≤ j), summed in log space (exact to rounding for any n).
public func binomialHalfCDF(_ j: Int, n: Int) -> Double {
  guard j >= 0 else { return 0 }
  guard j < n else { return 1 }
  let logHalfN = Double(n) * log(0.5)
  var total = 0.0
  var logChoose = 0.0  // log C(n, 0)
  for i in 0...j {
    if i > 0 { logChoose += log(Double(n - i + 1)) - log(Double(i)) }
    total += exp(logChoose + logHalfN)
  }
  return min(1, total)
}

/// The fewest values for which `medianInterval` exists at two-sided miss probability `alpha`: the least n with 2⁻ⁿ ≤ α/2.
public func minimumRunsForMedian(alpha: Double) -> Int {
  var n = 1
  while pow(0.5, Double(n)) > alpha / 2 { n += 1 }
  return n
}

/// The order-statistic interval of the median of `x` at two-sided miss probability `alpha`; nil when `x`
/// has fewer than `minimumRunsForMedian(alpha:)` values.
/// - Throws: `StatisticsError` for a non-finite value or `alpha` outside (0, 1).
public func medianInterval(_ x: [Double], alpha: Double) throws -> MedianInterval? {
  guard alpha > 0 && alpha < 1 else { throw StatisticsError.invalidConfidenceLevel(1 - alpha) }
  for (i, v) in x.enumerated() where !v.isFinite { throw StatisticsError.nonFiniteValue("x", index: i) }
  let n = x.count
  guard n >= minimumRunsForMedian(alpha: alpha) else { return nil }
  var k = 0
  while k + 1 <= (n + 1) / 2 && binomialHalfCDF(k, n: n) <= alpha / 2 { k += 1 }
  let s = sortedForPercentiles(x)
  let median = n % 2 == 1 ? s[n / 2] : s[n / 2 - 1] + (s[n / 2] - s[n / 2 - 1]) / 2
  return MedianInterval(median: median, low: s[k - 1], high: s[n - k], k: k,
                        coverage: 1 - 2 * binomialHalfCDF(k - 1, n: n))
}

/// A claim "the median of a cell's runs `relation` `bound`", judged.
public struct MedianJudgement: Equatable, Sendable {
  /// Interval of median − bound; nil when not judged.
  public var difference: ConfidenceInterval?
  public var verdict: Verdict?
  /// Why it was not judged.
  public var notJudged: String?
  public var runs: Int
}

/// Judges "median `relation` `bound`" on `x` by the order-statistic interval at two-sided `level`.
/// - Throws: as `medianInterval`.
public func judgeMedian(_ x: [Double], relation: ClaimRelation, bound: Double, level: Double = 0.95) throws -> MedianJudgement {
  guard level > 0 && level < 1 else { throw StatisticsError.invalidConfidenceLevel(level) }
  guard let m = try medianInterval(x, alpha: 1 - level) else {
    let needed = minimumRunsForMedian(alpha: 1 - level)
    return MedianJudgement(
      difference: nil, verdict: nil,
      notJudged: "\(x.count) run\(x.count == 1 ? "" : "s"); the order-statistic interval of a median at \(formatLevelPercent(level)) needs at least \(needed)", runs: x.count)
  }
  let d = ConfidenceInterval(estimate: m.median - bound, low: m.low - bound, high: m.high - bound, level: level)
  return MedianJudgement(difference: d, verdict: Verdict(difference: d, relation: relation), notJudged: nil, runs: x.count)
}

/// "95%".
func formatLevelPercent(_ level: Double) -> String {
  let p = level * 100
  return p == p.rounded() ? "\(Int(p))%" : "\(p)%"
}
