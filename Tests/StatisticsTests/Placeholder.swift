import XCTest

final class StatisticsPlaceholderTests: XCTestCase {
  func testPlaceholder() { XCTAssertTrue(true) }
}
