// Descriptive statistics over one sample.
//
// Every sum runs left to right in a plain loop (no reordering, no SIMD), so a
// given array gives the same bits on every run of the same binary.

/// Arithmetic mean, computed as `x[0] + Σ (x[i] - x[0]) / n`.
///
/// Shifting by the first value keeps the sum small (less rounding for scores
/// in the thousands) and makes the mean of a constant sample exactly that
/// constant, so a bootstrap of a constant sample gives exactly `[c, c]`.
/// - Throws: `StatisticsError` if `x` is empty or holds a non-finite value.
public func mean(_ x: [Double]) throws -> Double {
  try validate(x, "x")
  return shiftedMean(x)
}

/// The mean without validation (callers have validated a non-empty sample).
@inline(__always)
func shiftedMean<C: RandomAccessCollection>(_ x: C) -> Double where C.Element == Double {
  let shift = x[x.startIndex]
  var sum = 0.0
  for v in x { sum += v - shift }
  return shift + sum / Double(x.count)
}

/// Sample variance with Bessel's correction (divisor `n - 1`), two-pass.
/// - Throws: `StatisticsError` if `x` has fewer than 2 values or a non-finite one.
public func sampleVariance(_ x: [Double]) throws -> Double {
  try validate(x, "x", minimumCount: 2)
  let m = shiftedMean(x)
  var ss = 0.0
  for v in x {
    let d = v - m
    ss += d * d
  }
  return ss / Double(x.count - 1)
}

/// Sample standard deviation: the square root of `sampleVariance` (divisor
/// `n - 1`, as numpy's `std(x, ddof=1)`).
/// - Throws: `StatisticsError` if `x` has fewer than 2 values or a non-finite one.
public func sampleStandardDeviation(_ x: [Double]) throws -> Double {
  try sampleVariance(x).squareRoot()
}

/// The values of `x` in ascending order, with -0.0 replaced by +0.0 so that
/// the order (and hence every percentile's bits) is fully fixed by the values.
func sortedForPercentiles(_ x: [Double]) -> [Double] {
  var s = x
  for i in s.indices where s[i] == 0 { s[i] = 0 }
  s.sort()
  return s
}

/// Linear interpolation between order statistics, numpy's default (`method =
/// "linear"`, Hyndman & Fan type 7), on an already sorted, non-empty array.
///
/// With `h = (n - 1) * (p / 100)`, `i = floor(h)`, `t = h - i`, the result is
/// `s[i] + t * (s[i+1] - s[i])`, or `s[i+1] - (1 - t) * (s[i+1] - s[i])` when
/// `t >= 0.5` (numpy's `_lerp`, which keeps the endpoints exact).
func percentileOfSorted(_ s: [Double], _ p: Double) -> Double {
  let h = Double(s.count - 1) * (p / 100)
  let i = Int(h.rounded(.down))
  if i >= s.count - 1 { return s[s.count - 1] }
  let t = h - Double(i)
  let a = s[i], b = s[i + 1]
  let diff = b - a
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t
}

/// The `p`-th percentile of `x` (`p` in [0, 100]) by linear interpolation
/// between order statistics, as `numpy.percentile(x, p)` with its default
/// method "linear": the sorted values sit at positions 0, 1, ..., n-1, and
/// percentile `p` is read at position `(n - 1) * p / 100`.
///
/// Example: for `[1, 2, 3, 4]`, the 25th percentile is read at position 0.75,
/// giving 1.75.
/// - Throws: `StatisticsError` for an empty sample, a non-finite value, or `p`
///   outside [0, 100].
public func percentile(_ x: [Double], _ p: Double) throws -> Double {
  try percentiles(x, [p])[0]
}

/// Several percentiles of `x` at once (one sort), in the order of `ps`; see
/// `percentile(_:_:)` for the method.
public func percentiles(_ x: [Double], _ ps: [Double]) throws -> [Double] {
  try validate(x, "x")
  for p in ps where !(p >= 0 && p <= 100) { throw StatisticsError.percentileOutOfRange(p) }
  let s = sortedForPercentiles(x)
  return ps.map { percentileOfSorted(s, $0) }
}

/// The median: `percentile(x, 50)`.
public func median(_ x: [Double]) throws -> Double {
  try percentile(x, 50)
}

/// Trimmed mean as `scipy.stats.trim_mean(x, proportion)`: sort, drop
/// `k = floor(proportion * n)` values from each end, and average the rest.
///
/// Fractional boundaries are not interpolated: when `proportion * n` is not a
/// whole number, the partly-trimmed observation at each end is kept whole.
/// - Parameter proportion: fraction cut from each end, in [0, 0.5).
/// - Throws: `StatisticsError` for an empty sample, a non-finite value, or a
///   proportion outside [0, 0.5).
public func trimmedMean(_ x: [Double], proportionToCut proportion: Double) throws -> Double {
  try validate(x, "x")
  guard proportion >= 0 && proportion < 0.5 else {
    throw StatisticsError.proportionOutOfRange(proportion)
  }
  return trimmedMeanUnchecked(x, proportion)
}

func trimmedMeanUnchecked(_ x: [Double], _ proportion: Double) -> Double {
  let n = x.count
  let k = Int((proportion * Double(n)).rounded(.down))
  let s = sortedForPercentiles(x)
  return shiftedMean(s[k..<(n - k)])
}

/// Interquartile mean (IQM), as in rliable (Agarwal et al., 2021), which
/// computes it as `scipy.stats.trim_mean(x, 0.25)`: the mean of the values
/// left after dropping `floor(n / 4)` from each end of the sorted sample.
///
/// For `n` divisible by 4 that is exactly the middle 50%; otherwise slightly
/// more than half the values are kept (e.g. n = 10 drops 2 from each end and
/// keeps the middle 6), with no fractional weighting of the boundary values.
/// For n < 4 nothing is dropped and the IQM equals the mean.
/// - Throws: `StatisticsError` for an empty sample or a non-finite value.
public func interquartileMean(_ x: [Double]) throws -> Double {
  try trimmedMean(x, proportionToCut: 0.25)
}
