import Statistics
import XCTest

/// Tolerances: values exactly representable and computed with exact operations
/// are compared with accuracy 0; others with 1e-12 relative to their magnitude
/// (a few ulps of double rounding over at most a hundred operations).
final class DescriptiveTests: XCTestCase {
  func testMeanAndStandardDeviation() throws {
    // Exact: small integers and halves are representable; shifted sums are exact.
    XCTAssertEqual(try mean([1, 2, 3, 4]), 2.5, accuracy: 0)
    // Hand check: mean 5, squared deviations 9+1+1+1+0+0+4+16 = 32, n-1 = 7.
    let x: [Double] = [2, 4, 4, 4, 5, 5, 7, 9]
    XCTAssertEqual(try sampleVariance(x), 32.0 / 7.0, accuracy: 1e-12)
    XCTAssertEqual(try sampleStandardDeviation(x), (32.0 / 7.0).squareRoot(), accuracy: 1e-12)
  }

  func testMeanOfConstantSampleIsExact() throws {
    // 0.1 is not representable; a naive sum of three gives 0.30000000000000004 / 3
    // = 0.10000000000000002. The shifted mean returns the constant itself (accuracy 0).
    XCTAssertEqual(try mean([0.1, 0.1, 0.1]).bitPattern, (0.1).bitPattern)
    XCTAssertEqual(try sampleStandardDeviation([0.1, 0.1, 0.1]), 0, accuracy: 0)
  }

  func testPercentilesOfOneToHundred() throws {
    // numpy.percentile(np.arange(1, 101), p): position (n-1)*p/100 = 0.99*p.
    let x = (1...100).map(Double.init)
    let ps: [Double] = [0, 25, 50, 75, 90, 100]
    // p=25: position 24.75 -> 25 + 0.75 = 25.75; p=50: 49.5 -> 50.5;
    // p=75: 74.25 -> 75.25; p=90: 89.1 -> 90.1 (numpy: 90.10000000000001).
    let expected: [Double] = [1, 25.75, 50.5, 75.25, 90.1, 100]
    let got = try percentiles(x, ps)
    for (g, e) in zip(got, expected) { XCTAssertEqual(g, e, accuracy: 1e-12 * e) }
    XCTAssertEqual(try median(x), 50.5, accuracy: 0)
  }

  func testPercentilesOfSmallArrays() throws {
    // [1,2,3,4]: positions 0.75, 1.5, 2.25 -> 1.75, 2.5, 3.25 (numpy's values; exact in binary).
    XCTAssertEqual(try percentiles([1, 2, 3, 4], [25, 50, 75]), [1.75, 2.5, 3.25])
    // Unsorted input, sorted [1, 3, 7, 15]: p=40 at position 1.2 -> 3 + 0.2*4 = 3.8;
    // p=10 at 0.3 -> 1 + 0.3*2 = 1.6 (numpy: 3.8000000000000003, 1.6).
    XCTAssertEqual(try percentile([15, 1, 7, 3], 40), 3.8, accuracy: 1e-12)
    XCTAssertEqual(try percentile([15, 1, 7, 3], 10), 1.6, accuracy: 1e-12)
    // One value: every percentile is that value (exact).
    XCTAssertEqual(try percentile([5], 37), 5, accuracy: 0)
  }

  func testPercentileErrors() {
    XCTAssertThrowsError(try percentile([1, 2], 101)) {
      XCTAssertEqual($0 as? StatisticsError, .percentileOutOfRange(101))
    }
    XCTAssertThrowsError(try percentile([], 50)) {
      XCTAssertEqual($0 as? StatisticsError, .emptySample("x"))
    }
    XCTAssertThrowsError(try mean([1, .nan])) {
      XCTAssertEqual($0 as? StatisticsError, .nonFiniteValue("x", index: 1))
    }
    XCTAssertThrowsError(try sampleStandardDeviation([1])) {
      XCTAssertEqual($0 as? StatisticsError, .tooFewValues("x", needed: 2, got: 1))
    }
  }

  func testInterquartileMean() throws {
    // n = 8: drop 2 from each end of [-50, 1, 2, 3, 4, 5, 6, 100] -> mean(2,3,4,5) = 3.5.
    XCTAssertEqual(try interquartileMean([100, 1, 2, 3, 4, -50, 5, 6]), 3.5, accuracy: 0)
    // n = 10: floor(2.5) = 2 dropped from each end, the middle 6 kept whole
    // (scipy.stats.trim_mean(x, 0.25)): mean(0, 1, 2, 3, 10, 20) = 6.
    XCTAssertEqual(try interquartileMean([40, 0, 0, 0, 1, 2, 3, 10, 20, 30]), 6, accuracy: 0)
    // n = 5: drop 1 from each end -> mean(2, 3, 4) = 3.
    XCTAssertEqual(try interquartileMean([1, 2, 3, 4, 100]), 3, accuracy: 0)
    // n = 3: nothing dropped, IQM = mean = 2.
    XCTAssertEqual(try interquartileMean([1, 2, 3]), 2, accuracy: 0)
    XCTAssertEqual(try trimmedMean([1, 2, 3, 4, 100], proportionToCut: 0), 22, accuracy: 0)
    XCTAssertThrowsError(try trimmedMean([1, 2], proportionToCut: 0.5))
  }
}
