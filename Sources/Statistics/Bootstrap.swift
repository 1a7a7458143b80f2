import ReproRandom

/// A point estimate with a two-sided confidence interval `[low, high]`.
public struct ConfidenceInterval: Equatable, Sendable, Codable {
  /// The statistic on the original (not resampled) data.
  public var estimate: Double
  /// Lower end of the interval.
  public var low: Double
  /// Upper end of the interval.
  public var high: Double
  /// Nominal coverage, e.g. 0.95.
  public var level: Double

  public init(estimate: Double, low: Double, high: Double, level: Double) {
    self.estimate = estimate
    self.low = low
    self.high = high
    self.level = level
  }

  /// Whether `value` lies in the closed interval `[low, high]`.
  public func contains(_ value: Double) -> Bool { low <= value && value <= high }
}

/// How many resamples to draw and what coverage to report.
public struct BootstrapOptions: Equatable, Sendable, Codable {
  /// Number of bootstrap resamples (at least 1).
  public var resamples: Int
  /// Two-sided confidence level in (0, 1).
  public var confidenceLevel: Double

  /// The paper's setting (Engstrom et al. 2020, Tables 2 and 3): 1000 resamples, 95%.
  public static let paper = BootstrapOptions(resamples: 1000, confidenceLevel: 0.95)

  public init(resamples: Int = 1000, confidenceLevel: Double = 0.95) {
    self.resamples = resamples
    self.confidenceLevel = confidenceLevel
  }

  func validate() throws {
    guard resamples >= 1 else { throw StatisticsError.invalidResampleCount(resamples) }
    guard confidenceLevel > 0 && confidenceLevel < 1 else {
      throw StatisticsError.invalidConfidenceLevel(confidenceLevel)
    }
  }
}

/// A seeded percentile bootstrap.
///
/// Method (Efron's percentile bootstrap): draw `options.resamples` resamples;
/// in each, every input sample is resampled independently, with replacement,
/// at its own size (indices from `rng.nextInt(below: n)`, samples in order,
/// draws in order); the statistic is computed on each resample; the interval
/// is the `100·(1−level)/2` and `100·(1+level)/2` percentiles of those values,
/// by linear interpolation between order statistics (numpy's default; see
/// `percentile(_:_:)`). The estimate is the statistic on the original data.
///
/// Each call consumes draws from `rng`, so results depend on call order; for
/// order-independent results, make one `Bootstrap` per cell with its own
/// stream name, e.g. `Bootstrap(seed: s, stream: "bootstrap/Hopper/PPO")`.
public struct Bootstrap: Sendable {
  /// Resample count and confidence level.
  public var options: BootstrapOptions
  /// The generator all resampling indices come from; advanced by every call.
  public var rng: Xoshiro256

  /// A bootstrap drawing from `rng` (a copy; read `self.rng` for its state after).
  public init(rng: Xoshiro256, options: BootstrapOptions = .paper) {
    self.rng = rng
    self.options = options
  }

  /// A bootstrap drawing from `Xoshiro256(seed: seed, stream: stream)`.
  public init(seed: UInt64, stream: String = "bootstrap", options: BootstrapOptions = .paper) {
    self.init(rng: Xoshiro256(seed: seed, stream: stream), options: options)
  }

  /// Percentile bootstrap CI of any statistic of one or more samples.
  ///
  /// `statistic` receives the samples in the order given (the originals once,
  /// for the estimate, then each resample) and must return a finite value.
  /// - Parameter labels: names for the samples in error messages (default "sample 0", ...).
  /// - Throws: `StatisticsError` for an empty sample, a non-finite value, bad
  ///   options, or a non-finite statistic; anything `statistic` throws.
  public mutating func confidenceInterval(
    samples: [[Double]], labels: [String]? = nil,
    statistic: ([[Double]]) throws -> Double
  ) throws -> ConfidenceInterval {
    try options.validate()
    for (k, s) in samples.enumerated() {
      let label = labels.flatMap { k < $0.count ? $0[k] : nil } ?? "sample \(k)"
      try validate(s, label)
    }
    let estimate = try statistic(samples)
    guard estimate.isFinite else { throw StatisticsError.nonFiniteResult("bootstrap statistic") }

    var buffers = samples
    var values = [Double](repeating: 0, count: options.resamples)
    for b in 0..<options.resamples {
      for k in samples.indices {
        let n = samples[k].count
        for i in 0..<n { buffers[k][i] = samples[k][rng.nextInt(below: n)] }
      }
      let v = try statistic(buffers)
      guard v.isFinite else { throw StatisticsError.nonFiniteResult("bootstrap statistic") }
      values[b] = v
    }
    let level = options.confidenceLevel
    let sorted = sortedForPercentiles(values)
    return ConfidenceInterval(
      estimate: estimate,
      low: percentileOfSorted(sorted, 100 * (1 - level) / 2),
      high: percentileOfSorted(sorted, 100 * (1 + level) / 2),
      level: level)
  }

  /// Percentile bootstrap CI of the mean of `x` (the paper's Table 2 cells).
  /// A constant sample `[c, c, ...]` gives exactly `[c, c]`.
  public mutating func meanCI(_ x: [Double]) throws -> ConfidenceInterval {
    try confidenceInterval(samples: [x], labels: ["x"]) { shiftedMean($0[0]) }
  }

  /// Percentile bootstrap CI of the interquartile mean of `x` (see `interquartileMean`).
  public mutating func interquartileMeanCI(_ x: [Double]) throws -> ConfidenceInterval {
    try confidenceInterval(samples: [x], labels: ["x"]) { trimmedMeanUnchecked($0[0], 0.25) }
  }

  /// Percentile bootstrap CI of `probabilityOfImprovement(x, over: y)`; `x`
  /// and `y` are resampled independently (`x` first) in each resample.
  public mutating func probabilityOfImprovementCI(
    _ x: [Double], over y: [Double]
  ) throws -> ConfidenceInterval {
    try confidenceInterval(samples: [x, y], labels: ["x", "y"]) {
      mannWhitneyProbability($0[0], $0[1])
    }
  }

  /// Percentile bootstrap CI of a derived row: in each resample, every cell
  /// the formula references is resampled independently (with replacement, at
  /// its own size), the cells' means are taken, and the formula is evaluated
  /// on those means. The estimate is the formula on the cells' sample means.
  ///
  /// Cells are resampled in ascending order of their names' UTF-8 bytes, so
  /// the result does not depend on how the formula is written or on any
  /// dictionary order. Cells the formula does not reference are ignored.
  /// - Parameter cells: each name's per-seed scores.
  /// - Throws: `StatisticsError.unknownName` for a name missing from `cells`,
  ///   and the errors of `confidenceInterval(samples:labels:statistic:)`.
  public mutating func formulaCI(
    _ formula: Formula, cells: [String: [Double]]
  ) throws -> ConfidenceInterval {
    try cellBootstrap(names: formula.referencedNames, cells: cells) { value in
      try formula.evaluate(value)
    }
  }

  /// Judges `claim` (`left > right` or `left < right`) with uncertainty.
  ///
  /// Bootstraps `left − right` jointly: each cell referenced by either side
  /// is resampled once per resample (so a cell shared by both sides takes the
  /// same resampled mean on both), both sides are evaluated on the resampled
  /// means, and their difference is taken. The verdict follows from the
  /// percentile CI of that difference (see `Verdict.init(difference:relation:)`).
  public mutating func judge(_ claim: Claim, cells: [String: [Double]]) throws -> ClaimJudgement {
    let names = claim.referencedNames
    let difference = try cellBootstrap(names: names, cells: cells) { value in
      try claim.left.evaluate(value) - claim.right.evaluate(value)
    }
    return ClaimJudgement(
      claim: claim, difference: difference,
      verdict: Verdict(difference: difference, relation: claim.relation))
  }

  /// Bootstraps a statistic of the means of the named cells.
  private mutating func cellBootstrap(
    names: [String], cells: [String: [Double]],
    statistic: ((String) throws -> Double) throws -> Double
  ) throws -> ConfidenceInterval {
    let ordered = names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    var samples: [[Double]] = []
    for name in ordered {
      guard let s = cells[name] else { throw StatisticsError.unknownName(name) }
      samples.append(s)
    }
    return try confidenceInterval(samples: samples, labels: ordered) { resampled in
      var means: [String: Double] = [:]  // looked up by name only, never iterated
      for (k, name) in ordered.enumerated() { means[name] = shiftedMean(resampled[k]) }
      return try statistic { name in
        guard let m = means[name] else { throw StatisticsError.unknownName(name) }
        return m
      }
    }
  }
}
