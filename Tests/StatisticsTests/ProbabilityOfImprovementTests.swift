import Statistics
import XCTest

final class ProbabilityOfImprovementTests: XCTestCase {
  func testHandValues() throws {
    // Counts over pairs, one division: results exact in binary except 2/3
    // (tolerance: one rounding, 1e-15).
    XCTAssertEqual(try probabilityOfImprovement([10, 11, 12], over: [1, 2, 3]), 1, accuracy: 0)
    XCTAssertEqual(try probabilityOfImprovement([1, 2, 3], over: [10, 11, 12]), 0, accuracy: 0)
    XCTAssertEqual(try probabilityOfImprovement([4, 1, 7], over: [4, 1, 7]), 0.5, accuracy: 0)
    // x = [1, 2, 3] vs y = [2]: 0 + 0.5 + 1 = 1.5 of 3 pairs.
    XCTAssertEqual(try probabilityOfImprovement([1, 2, 3], over: [2]), 0.5, accuracy: 0)
    // x = [1, 3] vs y = [2, 2, 0]: 1 beats 0 only; 3 beats all three: 4 of 6.
    XCTAssertEqual(try probabilityOfImprovement([1, 3], over: [2, 2, 0]), 2.0 / 3.0, accuracy: 1e-15)
    XCTAssertThrowsError(try probabilityOfImprovement([], over: [1])) {
      XCTAssertEqual($0 as? StatisticsError, .emptySample("x"))
    }
  }

  func testConfidenceIntervals() throws {
    // Disjoint samples: every resample is still disjoint, so the CI is [1, 1] exactly.
    var b = Bootstrap(seed: 3)
    let disjoint = try b.probabilityOfImprovementCI([10, 11, 12, 13], over: [1, 2, 3])
    XCTAssertEqual([disjoint.estimate, disjoint.low, disjoint.high], [1, 1, 1])
    // Identical samples: estimate exactly 0.5, and the CI straddles it.
    let x: [Double] = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9]
    let same = try b.probabilityOfImprovementCI(x, over: x)
    XCTAssertEqual(same.estimate, 0.5, accuracy: 0)
    XCTAssertTrue(same.low < 0.5 && 0.5 < same.high, "\(same)")
  }
}
