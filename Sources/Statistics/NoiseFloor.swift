// The noise floor of a derived row (AAI, ACLI, ...): what the formula's value
// on cell means looks like when the cells do not differ at all.

import ReproRandom

/// The distribution of a derived formula's value when every cell has the same
/// true mean: its median and 95th percentile.
public struct NoiseFloor: Equatable, Sendable {
  /// Median of the simulated values.
  public var median: Double
  /// 95th percentile of the simulated values (numpy's linear interpolation).
  public var percentile95: Double
  /// Number of simulated values.
  public var replicates: Int

  public init(median: Double, percentile95: Double, replicates: Int) {
    self.median = median
    self.percentile95 = percentile95
    self.replicates = replicates
  }
}

/// The noise floor of `formula` by seeded simulation.
///
/// Each replicate draws, for every cell the formula references (in ascending
/// order of the names' UTF-8 bytes), the mean of `n` normal runs with true
/// mean `commonMean` and standard deviation `sd`, where `n` and `sd` are the
/// cell's observed `count` and `standardDeviation` (its `mean` is ignored).
/// The mean of `n` such runs is exactly `N(commonMean, sd²/n)`, so it is drawn
/// as `commonMean + (sd/√n)·Z` with one `nextNormal()` per cell. The formula is
/// evaluated on those means; the result's median and 95th percentile are
/// read by `percentile(_:_:)`'s method.
///
/// A derived value below the 95th percentile is within what seed noise alone
/// produces at these n and sds. For a formula of differences (AAI, ACLI)
/// `commonMean` does not matter.
/// Example: `abs([a] − [b])` with `sd_a²/n_a + sd_b²/n_b = τ²` has the
/// half-normal distribution: median `0.6745·τ`, 95th percentile `1.96·τ`.
/// - Parameters:
///   - cells: each referenced name's count (≥ 1) and standard deviation (finite, ≥ 0).
///   - replicates: number of simulated values (≥ 1).
///   - seed, stream: the random stream (`Xoshiro256(seed:stream:)`).
/// - Throws: `StatisticsError` for a missing name, a bad count or sd, a bad
///   replicate count, or a formula error (e.g. division by zero) in a replicate.
public func noiseFloor(
  of formula: Formula, cells: [String: CellSummary], commonMean: Double = 0,
  replicates: Int = 10_000, seed: UInt64, stream: String = "noise-floor"
) throws -> NoiseFloor {
  guard replicates >= 1 else { throw StatisticsError.invalidResampleCount(replicates) }
  guard commonMean.isFinite else { throw StatisticsError.invalidArgument("noise floor: common mean \(commonMean) is not finite") }
  let names = formula.referencedNames.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
  var scales: [Double] = []
  for name in names {
    guard let s = cells[name] else { throw StatisticsError.unknownName(name) }
    guard s.count >= 1 else { throw StatisticsError.emptySample(name) }
    guard s.variance.isFinite && s.variance >= 0 else { throw StatisticsError.nonFiniteValue(name, index: 0) }
    scales.append((s.variance / Double(s.count)).squareRoot())
  }
  var index: [String: Int] = [:]  // looked up, never iterated
  for (i, n) in names.enumerated() { index[n] = i }
  var rng = Xoshiro256(seed: seed, stream: stream)
  var means = [Double](repeating: 0, count: names.count)
  var values = [Double](repeating: 0, count: replicates)
  for r in 0..<replicates {
    for i in names.indices { means[i] = commonMean + scales[i] * rng.nextNormal() }
    values[r] = try formula.evaluate { name in
      guard let i = index[name] else { throw StatisticsError.unknownName(name) }
      return means[i]
    }
  }
  let sorted = sortedForPercentiles(values)
  return NoiseFloor(
    median: percentileOfSorted(sorted, 50), percentile95: percentileOfSorted(sorted, 95), replicates: replicates)
}
