import Statistics
import XCTest

/// Reference values from scipy 1.17.1: `ttest_ind(a, b, equal_var=False)
/// .confidence_interval(0.95)` and `t.interval`. Tolerance 1e-12 relative
/// (the t quantile is accurate to about 1e-13; sums of a few values add a few ulps).
final class WelchTests: XCTestCase {
  func testWelchTwoSampleAgainstScipy() throws {
    let a: [Double] = [3292, 2950, 3510, 3105, 2876], b: [Double] = [2735, 2540, 3120, 2300]
    let t = try welchInterval(coefficients: [1, -1], cells: [CellSummary(a), CellSummary(b)])
    XCTAssertEqual(t.interval.estimate, 472.8499999999999, accuracy: 1e-12 * 473)
    XCTAssertEqual(t.degreesOfFreedom, 5.450104613443038, accuracy: 1e-12 * 5.45)
    XCTAssertEqual(t.interval.low, -49.51395932571836, accuracy: 1e-12 * 995)
    XCTAssertEqual(t.interval.high, 995.2139593257182, accuracy: 1e-12 * 995)
    XCTAssertEqual(t.interval.level, 0.95)
  }

  func testOneSampleAgainstScipy() throws {
    let x: [Double] = [1.5, 2.25, -0.5, 4.0, 3.0, 2.0]
    let t = try oneSampleTInterval(x, level: 0.9)
    XCTAssertEqual(t.interval.estimate, 2.0416666666666665, accuracy: 1e-15)
    XCTAssertEqual(t.interval.low, 0.7912492750916897, accuracy: 1e-12 * 3.3)
    XCTAssertEqual(t.interval.high, 3.2920840582416426, accuracy: 1e-12 * 3.3)
    XCTAssertEqual(t.degreesOfFreedom, 5)
  }

  func testContrastFormulas() throws {
    // Hand check: c = (2, -1, 0.5), s² = (4, 9, 16), n = (4, 3, 8):
    // c²s²/n = (4, 3, 0.5), SE² = 7.5, ν = 7.5² / (16/3 + 9/2 + 0.25/7).
    let cells = [
      CellSummary(count: 4, mean: 10, variance: 4), CellSummary(count: 3, mean: 1, variance: 9),
      CellSummary(count: 8, mean: -2, variance: 16),
    ]
    let t = try welchInterval(coefficients: [2, -1, 0.5], cells: cells, constant: 3, level: 0.95)
    XCTAssertEqual(t.interval.estimate, 3 + 20 - 1 - 1, accuracy: 0)
    XCTAssertEqual(t.standardError, (7.5).squareRoot(), accuracy: 1e-15)
    let df = 56.25 / (16.0 / 3 + 4.5 + 0.25 / 7)
    XCTAssertEqual(t.degreesOfFreedom, df, accuracy: 1e-13 * df)
    let half = try studentTQuantile(0.975, degreesOfFreedom: df) * (7.5).squareRoot()
    XCTAssertEqual(t.interval.low, 21 - half, accuracy: 1e-12 * 21)
    XCTAssertEqual(t.interval.high, 21 + half, accuracy: 1e-12 * 21)
    // A zero coefficient ignores its cell, even one with a single run.
    let one = try welchInterval(coefficients: [1, 0], cells: [cells[0], CellSummary(count: 1, mean: 5, variance: 0)])
    XCTAssertEqual(one.degreesOfFreedom, 3, accuracy: 1e-15)
  }

  func testErrors() throws {
    let s = CellSummary(count: 3, mean: 1, variance: 1)
    XCTAssertThrowsError(try welchInterval(coefficients: [1], cells: [s, s]))
    XCTAssertThrowsError(try welchInterval(coefficients: [1, -1], cells: [s, CellSummary(count: 1, mean: 0, variance: 0)]))
    XCTAssertThrowsError(try welchInterval(coefficients: [1, -1], cells: [s, s], level: 1))
    let flat = CellSummary(count: 3, mean: 1, variance: 0)
    XCTAssertThrowsError(try welchInterval(coefficients: [1, -1], cells: [flat, flat]))
    XCTAssertThrowsError(try oneSampleTInterval([2, 2, 2]))
    XCTAssertThrowsError(try oneSampleTInterval([2]))
    XCTAssertThrowsError(try CellSummary([1, .nan]))
    XCTAssertEqual(try CellSummary([4]).variance, 0)
  }
}
