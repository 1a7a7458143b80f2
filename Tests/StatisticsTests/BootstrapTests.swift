import ReproRandom
import Statistics
import XCTest

final class BootstrapTests: XCTestCase {
  func testPaperOptions() {
    XCTAssertEqual(BootstrapOptions.paper, BootstrapOptions(resamples: 1000, confidenceLevel: 0.95))
  }

  func testConstantSampleGivesDegenerateInterval() throws {
    // Every resample of a constant sample is that constant, and the shifted
    // mean returns it exactly: tolerance 0 (bit equality).
    var b = Bootstrap(seed: 1)
    let ci = try b.meanCI(Array(repeating: 7.3, count: 20))
    XCTAssertEqual(ci.estimate.bitPattern, (7.3).bitPattern)
    XCTAssertEqual(ci.low.bitPattern, (7.3).bitPattern)
    XCTAssertEqual(ci.high.bitPattern, (7.3).bitPattern)
    XCTAssertEqual(ci.level, 0.95)
    var b2 = Bootstrap(seed: 1)
    let iqm = try b2.interquartileMeanCI(Array(repeating: -2.5, count: 9))
    XCTAssertEqual([iqm.estimate, iqm.low, iqm.high], [-2.5, -2.5, -2.5])
  }

  private func sample(seed: UInt64, n: Int, mean: Double, sd: Double) -> [Double] {
    var r = Xoshiro256(seed: seed, stream: "test-data")
    return (0..<n).map { _ in mean + sd * r.nextNormal() }
  }

  func testDeterminism() throws {
    let x = sample(seed: 3, n: 50, mean: 100, sd: 20)
    var a = Bootstrap(seed: 42, stream: "bootstrap/Hopper/PPO")
    var b = Bootstrap(rng: Xoshiro256(seed: 42, stream: "bootstrap/Hopper/PPO"))
    var c = Bootstrap(seed: 43, stream: "bootstrap/Hopper/PPO")
    var d = Bootstrap(seed: 42, stream: "bootstrap/Hopper/TRPO")
    let ca = try a.meanCI(x), cb = try b.meanCI(x), cc = try c.meanCI(x), cd = try d.meanCI(x)
    // Same seed and stream: same bits.
    XCTAssertEqual(ca.low.bitPattern, cb.low.bitPattern)
    XCTAssertEqual(ca.high.bitPattern, cb.high.bitPattern)
    XCTAssertEqual(a.rng, b.rng)
    // Different seed or stream: the estimate is the same, the interval differs.
    XCTAssertEqual(ca.estimate.bitPattern, cc.estimate.bitPattern)
    XCTAssertNotEqual([ca.low, ca.high], [cc.low, cc.high])
    XCTAssertNotEqual([ca.low, ca.high], [cd.low, cd.high])
    // A second call on the same Bootstrap continues the stream: different draws.
    let again = try a.meanCI(x)
    XCTAssertNotEqual([ca.low, ca.high], [again.low, again.high])
  }

  func testNormalApproximation() throws {
    // n = 400 draws of N(50, 10^2). For a sample this size the percentile CI of
    // the mean should be close to mean ± 1.96·s/√n. Tolerance: each end within
    // 0.15·s/√n (7.7% of the half-width). Sources of difference: Monte-Carlo
    // error of a 2.5% quantile from 10000 resamples, about 0.027·s/√n (s.d.),
    // so the tolerance is about 5.6 s.d.; the bootstrap's plug-in s.d. being
    // √((n−1)/n) ≈ 0.9987 of s; sample skew. Seen on this data: the ends are
    // +0.04 and −0.07 s/√n away (averaged over 40 bootstrap seeds at 4000
    // resamples: −0.003 and −0.009).
    let x = sample(seed: 11, n: 400, mean: 50, sd: 10)
    let m = try mean(x)
    let se = try sampleStandardDeviation(x) / (400.0).squareRoot()
    var b = Bootstrap(seed: 5, options: BootstrapOptions(resamples: 10_000, confidenceLevel: 0.95))
    let ci = try b.meanCI(x)
    XCTAssertEqual(ci.estimate, m, accuracy: 0)
    XCTAssertEqual(ci.low, m - 1.96 * se, accuracy: 0.15 * se)
    XCTAssertEqual(ci.high, m + 1.96 * se, accuracy: 0.15 * se)
    XCTAssertTrue(ci.contains(m))
  }

  func testIQMConfidenceInterval() throws {
    let x = sample(seed: 12, n: 40, mean: 0, sd: 1) + [1000, -1000]  // outliers trimmed away
    var b = Bootstrap(seed: 9)
    let ci = try b.interquartileMeanCI(x)
    XCTAssertEqual(ci.estimate, try interquartileMean(x), accuracy: 0)
    XCTAssertTrue(ci.low < ci.estimate && ci.estimate < ci.high)
    // With sd 1 and ~21 kept values the CI is well inside ±2; the outliers would push
    // a mean CI far wider (tolerance: a loose bound, not a precise value).
    XCTAssertLessThan(ci.high - ci.low, 2)
  }

  func testGenericStatisticAndOptionErrors() throws {
    var b = Bootstrap(seed: 1, options: BootstrapOptions(resamples: 0))
    XCTAssertThrowsError(try b.meanCI([1, 2])) {
      XCTAssertEqual($0 as? StatisticsError, .invalidResampleCount(0))
    }
    b.options = BootstrapOptions(resamples: 10, confidenceLevel: 1)
    XCTAssertThrowsError(try b.meanCI([1, 2])) {
      XCTAssertEqual($0 as? StatisticsError, .invalidConfidenceLevel(1))
    }
    b.options = .paper
    XCTAssertThrowsError(try b.meanCI([])) {
      XCTAssertEqual($0 as? StatisticsError, .emptySample("x"))
    }
    // The maximum of a resample never exceeds the sample's maximum (exact).
    let ci = try b.confidenceInterval(samples: [[1, 2, 3]]) { $0[0].max() ?? 0 }
    XCTAssertEqual(ci.estimate, 3)
    XCTAssertLessThanOrEqual(ci.high, 3)
    XCTAssertGreaterThanOrEqual(ci.low, 1)
  }

  func testDocumentedDrawOrder() throws {
    // One resample: sample 0 is resampled first, then sample 1, each index
    // from rng.nextInt(below: n) in order. The statistic sees the originals
    // once (for the estimate), then the resample. Compared exactly.
    let x: [Double] = [10, 20, 30, 40, 50], y: [Double] = [1, 2, 3]
    var r = Xoshiro256(seed: 99, stream: "bootstrap")
    let ex = (0..<5).map { _ in x[r.nextInt(below: 5)] }
    let ey = (0..<3).map { _ in y[r.nextInt(below: 3)] }
    var seen: [[[Double]]] = []
    var b = Bootstrap(seed: 99, options: BootstrapOptions(resamples: 1))
    let ci = try b.confidenceInterval(samples: [x, y]) { s in
      seen.append(s)
      return s[0].reduce(0, +) + s[1].reduce(0, +)
    }
    XCTAssertEqual(seen.count, 2)
    XCTAssertEqual(seen.first, [x, y])
    XCTAssertEqual(seen.last, [ex, ey])
    XCTAssertEqual(b.rng, r)
    // With one value, both ends are that value (exact sums of small integers).
    let expected = ex.reduce(0, +) + ey.reduce(0, +)
    XCTAssertEqual([ci.low, ci.high], [expected, expected])
    XCTAssertEqual(ci.estimate, 156)
  }
}
