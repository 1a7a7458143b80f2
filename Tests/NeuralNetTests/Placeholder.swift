import XCTest

final class NeuralNetPlaceholderTests: XCTestCase {
  func testPlaceholder() { XCTAssertTrue(true) }
}
