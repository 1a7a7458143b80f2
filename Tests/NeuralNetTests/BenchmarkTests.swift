import XCTest
import NeuralNet

/// Prints kernel timings (no assertion on speed: shared machines vary).
/// Run: swift test -c release --scratch-path .build-nn --filter NeuralNetTests.BenchmarkTests
final class BenchmarkTests: XCTestCase {
  func testBenchmarkPrints() {
    let results = [
      NeuralNetBenchmark.forwardBackward(Float.self),
      NeuralNetBenchmark.forwardBackward(Double.self),
      NeuralNetBenchmark.forwardBackward(Float.self, activation: .relu),
      NeuralNetBenchmark.forwardBackward(Double.self, activation: .relu),
      NeuralNetBenchmark.forwardOnly(Float.self),
      NeuralNetBenchmark.forwardOnly(Double.self),
      NeuralNetBenchmark.predict(Float.self),
      NeuralNetBenchmark.predict(Double.self),
    ]
    for r in results {
      print("BENCH \(r)")
      XCTAssertGreaterThan(r.medianMicroseconds, 0)
    }
  }
}
