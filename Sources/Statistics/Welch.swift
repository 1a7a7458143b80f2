// Student's t intervals for one mean and for linear contrasts of cell means
// (Welch's unequal-variance interval), the building blocks of calibrated
// verdicts (Verdicts.swift).
//
// Sums run in the order the cells are given, left to right.

/// What the t methods need of one cell: its run count, mean and sample variance.
public struct CellSummary: Equatable, Sendable, Codable {
  /// Number of runs (seeds).
  public var count: Int
  /// Sample mean of the runs' scores.
  public var mean: Double
  /// Sample variance with divisor `count − 1` (0 when `count == 1`).
  public var variance: Double

  public init(count: Int, mean: Double, variance: Double) {
    self.count = count
    self.mean = mean
    self.variance = variance
  }

  /// A summary from a mean and a standard deviation (e.g. a pilot's).
  public init(count: Int, mean: Double, standardDeviation: Double) {
    self.init(count: count, mean: mean, variance: standardDeviation * standardDeviation)
  }

  /// The summary of a sample: `mean(x)` and `sampleVariance(x)` (0 for one value).
  /// - Throws: `StatisticsError` for an empty sample or a non-finite value.
  public init(_ x: [Double]) throws {
    try validate(x, "x")
    self.init(unchecked: x)
  }

  /// The summary of a validated, non-empty sample.
  init(unchecked x: [Double]) {
    let m = shiftedMean(x)
    var ss = 0.0
    for v in x {
      let d = v - m
      ss += d * d
    }
    self.init(count: x.count, mean: m, variance: x.count > 1 ? ss / Double(x.count - 1) : 0)
  }

  /// `√variance`.
  public var standardDeviation: Double { variance.squareRoot() }
}

/// A t interval: the interval, its standard error and its degrees of freedom.
public struct TInterval: Equatable, Sendable {
  /// `estimate ± t_{1−α/2, df} · standardError`, at `interval.level = 1 − α`.
  public var interval: ConfidenceInterval
  /// The estimated standard error of the estimate.
  public var standardError: Double
  /// Degrees of freedom of the t critical value (Welch–Satterthwaite for contrasts).
  public var degreesOfFreedom: Double

  public init(interval: ConfidenceInterval, standardError: Double, degreesOfFreedom: Double) {
    self.interval = interval
    self.standardError = standardError
    self.degreesOfFreedom = degreesOfFreedom
  }
}

/// The one-sample Student's t interval of the mean of `x`:
/// `mean ± t_{(1+level)/2, n−1} · s/√n` (Student 1908; exact for normal data).
/// - Throws: `StatisticsError` for fewer than 2 values, a non-finite value, a
///   level outside (0, 1), or a sample with no spread (`s = 0`, no t interval).
public func oneSampleTInterval(_ x: [Double], level: Double = 0.95) throws -> TInterval {
  try validate(x, "x", minimumCount: 2)
  guard level > 0 && level < 1 else { throw StatisticsError.invalidConfidenceLevel(level) }
  let s = CellSummary(unchecked: x)
  guard let t = welchInterval(coefficients: [1], cells: [s], constant: 0, alpha: 1 - level) else {
    throw StatisticsError.invalidArgument("one-sample t interval: the sample has no spread")
  }
  return t
}

/// Welch's interval for the linear contrast `θ = constant + Σ c_i·μ_i` of the
/// cells' true means.
///
/// Formula: the estimate is `constant + Σ c_i·mean_i`, its standard error
/// `SE = √(Σ c_i² s_i²/n_i)`, and the interval `estimate ± t_{1−α/2, ν}·SE`
/// with the Welch–Satterthwaite degrees of freedom
/// `ν = (Σ c_i² s_i²/n_i)² / Σ (c_i² s_i²/n_i)²/(n_i − 1)`
/// (Welch 1947; Satterthwaite 1946). For two cells and `c = (1, −1)` this is
/// Welch's two-sample interval; for one cell and `c = (1)` the one-sample t
/// interval. Cells with a zero coefficient are ignored. Not exact: ν is an
/// approximation, checked by simulation in `CalibrationTests`.
/// - Parameters:
///   - coefficients: `c_i`, one per cell, in the order of `cells`.
///   - cells: each cell's count, mean and variance.
/// - Throws: `StatisticsError` for mismatched lengths, a cell with a non-zero
///   coefficient and fewer than 2 runs, non-finite input, a level outside
///   (0, 1), or `SE = 0` (no spread in any cell that enters: no t interval).
public func welchInterval(
  coefficients: [Double], cells: [CellSummary], constant: Double = 0, level: Double = 0.95
) throws -> TInterval {
  guard coefficients.count == cells.count else {
    throw StatisticsError.invalidArgument(
      "Welch interval: \(coefficients.count) coefficients for \(cells.count) cells")
  }
  guard level > 0 && level < 1 else { throw StatisticsError.invalidConfidenceLevel(level) }
  guard constant.isFinite else { throw StatisticsError.invalidArgument("Welch interval: constant \(constant) is not finite") }
  for (i, (c, s)) in zip(coefficients, cells).enumerated() {
    guard c.isFinite, s.mean.isFinite, s.variance.isFinite, s.variance >= 0 else {
      throw StatisticsError.nonFiniteValue("cell \(i)", index: i)
    }
    if c != 0 && s.count < 2 { throw StatisticsError.tooFewValues("cell \(i)", needed: 2, got: s.count) }
  }
  guard let t = welchInterval(coefficients: coefficients, cells: cells, constant: constant, alpha: 1 - level) else {
    throw StatisticsError.invalidArgument("Welch interval: no spread in any cell with a non-zero coefficient")
  }
  return t
}

/// Welch's interval at two-sided miss probability `alpha` (given directly, so
/// that tiny levels such as 5e-10 keep their precision); nil when `SE = 0`.
/// Inputs are trusted: cells with a non-zero coefficient have `count ≥ 2`.
func welchInterval(
  coefficients: [Double], cells: [CellSummary], constant: Double, alpha: Double
) -> TInterval? {
  var estimate = constant
  var variance = 0.0  // SE²
  var denominator = 0.0  // Σ (c² s²/n)² / (n − 1)
  for (c, s) in zip(coefficients, cells) where c != 0 {
    estimate += c * s.mean
    let v = c * c * s.variance / Double(s.count)
    variance += v
    denominator += v * v / Double(s.count - 1)
  }
  guard variance > 0 else { return nil }
  let se = variance.squareRoot()
  let df = variance * variance / denominator
  // df is +∞ only if the squares underflow; the t limit is then the normal.
  let critical = df.isFinite ? tUpperQuantile(alpha / 2, df) : normalUpperQuantile(alpha / 2)
  let half = critical * se
  return TInterval(
    interval: ConfidenceInterval(estimate: estimate, low: estimate - half, high: estimate + half, level: 1 - alpha),
    standardError: se, degreesOfFreedom: df)
}
