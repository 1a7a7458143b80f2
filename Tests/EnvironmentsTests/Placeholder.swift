import XCTest

final class EnvironmentsPlaceholderTests: XCTestCase {
  func testPlaceholder() { XCTAssertTrue(true) }
}
