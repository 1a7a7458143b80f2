import Algorithms
import XCTest

/// Tolerance 1e-15: one division and one subtraction of O(1) numbers.
final class ScheduleTests: XCTestCase {
  func testLearningRateFactor() {
    XCTAssertEqual(learningRateFactor(iteration: 0, iterations: 488, annealing: true), 1)
    XCTAssertEqual(learningRateFactor(iteration: 244, iterations: 488, annealing: true), 0.5, accuracy: 1e-15)
    XCTAssertEqual(learningRateFactor(iteration: 487, iterations: 488, annealing: true), 1.0 / 488, accuracy: 1e-15)
    XCTAssertEqual(learningRateFactor(iteration: 300, iterations: 488, annealing: false), 1)
  }

  func testKLSchedule() {
    XCTAssertEqual(scheduledKLBound(start: 0.07, final: nil, iteration: 100, iterations: 488), 0.07)
    XCTAssertEqual(scheduledKLBound(start: 0.04, final: 0.07, iteration: 487, iterations: 488), 0.07, accuracy: 1e-15)
    XCTAssertEqual(scheduledKLBound(start: 0.04, final: 0.07, iteration: 0, iterations: 488), 0.04 + 0.03 / 488, accuracy: 1e-15)
  }
}
