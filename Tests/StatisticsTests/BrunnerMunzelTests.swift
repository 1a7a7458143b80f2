import Statistics
import XCTest

/// The Brunner–Munzel interval of P(X > Y) (`brunnerMunzel`); its calibration is in RLShapedCalibrationTests.
final class BrunnerMunzelTests: XCTestCase {
  /// scipy.stats.brunnermunzel(x, y) on scipy's documentation example gives the statistic
  /// 3.1374674823029505 for P(X < Y): ours, (p̂ − ½)/SE with the samples swapped, agrees to 1e-12.
  func testStatisticMatchesScipy() throws {
    let x: [Double] = [1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 2, 4, 1, 1]
    let y: [Double] = [3, 3, 4, 3, 1, 2, 3, 1, 1, 5, 4]
    let b = try XCTUnwrap(try brunnerMunzel(y, x))
    XCTAssertEqual((b.interval.estimate - 0.5) / b.standardError, 3.1374674823029505, accuracy: 1e-12)
    XCTAssertEqual(b.degreesOfFreedom, 10, "Hsu: min(n_x, n_y) − 1")
    XCTAssertEqual(Verdict(superiority: b.interval, relation: .greaterThan), .reproduced)
    // Swapping the samples mirrors the estimate about ½ (ties count half).
    let c = try XCTUnwrap(try brunnerMunzel(x, y))
    XCTAssertEqual(c.interval.estimate, 1 - b.interval.estimate, accuracy: 1e-15)
    XCTAssertEqual(Verdict(superiority: c.interval, relation: .lessThan), .reproduced)
  }

  func testNoIntervalWhenTheSamplesSeparateCompletely() throws {
    XCTAssertNil(try brunnerMunzel([4, 5, 6], [1, 2, 3]))
    XCTAssertThrowsError(try brunnerMunzel([1], [1, 2]))
  }
}
