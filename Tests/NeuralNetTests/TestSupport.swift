import XCTest
import NeuralNet
import ReproRandom

/// Finite-difference tolerance for `Double` central differences with step
/// h = 1e-6: truncation error is O(h²·f''') ≈ 1e-12 and rounding error is
/// about ε·|f|/h ≈ 1e-16·10/1e-6 = 1e-9 for the losses used here (|f| ≲ 10),
/// so |fd − analytic| ≤ 1e-6 + 1e-6·|analytic| leaves a margin of ~1000×
/// while still catching any wrong term (those show up at the 1e-2 level).
let fdStep = 1e-6
func assertClose(_ fd: Double, _ analytic: Double, abs: Double = 1e-6, rel: Double = 1e-6,
                 _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
  let tol = abs + rel * Swift.abs(analytic)
  XCTAssert(Swift.abs(fd - analytic) <= tol, "fd \(fd) vs analytic \(analytic) (tol \(tol)) \(message())", file: file, line: line)
}

func normals(_ n: Int, _ rng: inout Xoshiro256, scale: Double = 1) -> [Double] {
  (0..<n).map { _ in scale * rng.nextNormal() }
}

func dot(_ a: [Double], _ b: [Double]) -> Double {
  zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
}
