import RunModel
import XCTest

/// Tolerance 1e-15: one division and one subtraction of O(1) numbers.
final class ScheduleTests: XCTestCase {
  func testLearningRateFactor() {
    var c = TrainerConfig()
    c.iterations = 488
    XCTAssertEqual(c.learningRateFactor(at: 0), 1)
    XCTAssertEqual(c.learningRateFactor(at: 244), 0.5, accuracy: 1e-15)
    XCTAssertEqual(c.learningRateFactor(at: 487), 1.0 / 488, accuracy: 1e-15)
    c.learningRateAnnealing = false
    XCTAssertEqual(c.learningRateFactor(at: 300), 1)
  }

  func testKLSchedule() {
    var c = TrainerConfig()
    c.iterations = 488
    c.trpo.klBound = 0.07
    XCTAssertEqual(c.klBound(at: 100), 0.07)
    c.trpo.klBound = 0.04
    c.trpo.klBoundFinal = 0.07
    XCTAssertEqual(c.klBound(at: 487), 0.07, accuracy: 1e-15)
    XCTAssertEqual(c.klBound(at: 0), 0.04, accuracy: 1e-15)
  }
}
