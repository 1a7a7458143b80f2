import XCTest

final class AlgorithmsPlaceholderTests: XCTestCase {
  func testPlaceholder() { XCTAssertTrue(true) }
}
