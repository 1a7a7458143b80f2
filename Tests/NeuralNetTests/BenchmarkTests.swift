import XCTest
import NeuralNet
import Foundation

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
      NeuralNetBenchmark.backwardOnly(Float.self),
      NeuralNetBenchmark.backwardOnly(Double.self),
      NeuralNetBenchmark.predict(Float.self),
      NeuralNetBenchmark.predict(Double.self),
    ]
    for r in results {
      print("BENCH \(r)")
      XCTAssertGreaterThan(r.medianMicroseconds, 0)
    }
  }
}

/// One configuration for profiling with hardware counters, e.g.
/// `NN_BENCH=fb perf stat -e cycles:u,instructions:u .build-nn/.../ReproPackageTests.xctest NeuralNetTests.SingleBenchmarkTests`
/// (fb = Float tanh 11-64-64-3 forward+backward, f = forward, b = backward;
/// 20 000 passes). Does nothing unless NN_BENCH is set.
final class SingleBenchmarkTests: XCTestCase {
  func testSingleConfiguration() {
    guard let which = ProcessInfo.processInfo.environment["NN_BENCH"] else { return }
    let r: NeuralNetBenchmark.Result
    switch which {
    case "f": r = NeuralNetBenchmark.forwardOnly(Float.self, iterations: 2000, repetitions: 10)
    case "b": r = NeuralNetBenchmark.backwardOnly(Float.self, iterations: 2000, repetitions: 10)
    default: r = NeuralNetBenchmark.forwardBackward(Float.self, iterations: 2000, repetitions: 10)
    }
    print("BENCH \(r)")
  }
}

/// The C kernels (CKernels) against the Swift loops they replace in `Float`: the
/// speed of each (printed), and the same bits (asserted in KernelTests).
final class KernelBenchmarkTests: XCTestCase {
  func testCKernelsAgainstSwiftLoops() {
    defer { useCKernels = true }
    for c in [true, false] {
      useCKernels = c
      let r = NeuralNetBenchmark.forwardBackward(Float.self)
      print("BENCH \(c ? "C kernels (\(kernelLevel))" : "Swift loops"): \(r)")
      XCTAssertGreaterThan(r.medianMicroseconds, 0)
    }
  }
}
