import Algorithms
import NeuralNet
import ReproRandom
import RunModel
import XCTest

/// Dense helpers for the tests: a random SPD matrix and a direct solve.
enum Dense {
  /// A = MᵀM + shift·I for a random M: symmetric positive definite.
  static func randomSPD(_ n: Int, shift: Double, rng: inout Xoshiro256) -> [[Double]] {
    let m = (0..<n).map { _ in (0..<n).map { _ in rng.uniform(-1, 1) } }
    var a = Array(repeating: Array(repeating: 0.0, count: n), count: n)
    for i in 0..<n {
      for j in 0..<n {
        var s = 0.0
        for k in 0..<n { s += m[k][i] * m[k][j] }
        a[i][j] = s + (i == j ? shift : 0)
      }
    }
    return a
  }

  static func multiply(_ a: [[Double]], _ v: [Double]) -> [Double] {
    a.map { row in zip(row, v).reduce(0) { $0 + $1.0 * $1.1 } }
  }

  /// Gaussian elimination with partial pivoting.
  static func solve(_ a: [[Double]], _ b: [Double]) -> [Double] {
    let n = b.count
    var m = a
    var y = b
    for c in 0..<n {
      var p = c
      for r in c..<n where abs(m[r][c]) > abs(m[p][c]) { p = r }
      m.swapAt(c, p)
      y.swapAt(c, p)
      for r in (c + 1)..<n {
        let f = m[r][c] / m[c][c]
        for k in c..<n { m[r][k] -= f * m[c][k] }
        y[r] -= f * y[c]
      }
    }
    var x = Array(repeating: 0.0, count: n)
    for r in stride(from: n - 1, through: 0, by: -1) {
      var s = y[r]
      for k in (r + 1)..<n { s -= m[r][k] * x[k] }
      x[r] = s / m[r][r]
    }
    return x
  }
}

final class ConjugateGradientTests: XCTestCase {
  /// Exact within n iterations: for a well-conditioned 6×6 SPD system (shift 1,
  /// condition number below ~100) rounding keeps the error under 1e-9.
  func testExactWithinNIterations() {
    var rng = Xoshiro256(seed: 5)
    let n = 6
    let a = Dense.randomSPD(n, shift: 1, rng: &rng)
    let b = (0..<n).map { _ in rng.uniform(-1, 1) }
    let direct = Dense.solve(a, b)
    let cg = conjugateGradient(multiply: { Dense.multiply(a, $0) }, b: b, iterations: n)
    XCTAssertLessThanOrEqual(cg.iterations, n)
    for i in 0..<n { XCTAssertEqual(cg.solution[i], direct[i], accuracy: 1e-9) }
    let residual = zip(Dense.multiply(a, cg.solution), b).map { $0 - $1 }
    XCTAssertLessThan(dot(residual, residual).squareRoot(), 1e-9)
  }

  /// More iterations than n: the recursion stops at (numerically) zero residual
  /// via the tolerance instead of dividing 0 by 0; result within 1e-9.
  func testToleranceStopsEarlyAndAvoidsNaN() {
    var rng = Xoshiro256(seed: 9)
    let n = 4
    let a = Dense.randomSPD(n, shift: 0.5, rng: &rng)
    let b = (0..<n).map { _ in rng.uniform(-1, 1) }
    let cg = conjugateGradient(multiply: { Dense.multiply(a, $0) }, b: b, iterations: 50, residualTolerance: 1e-20)
    XCTAssertLessThan(cg.iterations, 50)
    XCTAssertTrue(cg.solution.allSatisfy(\.isFinite))
    let direct = Dense.solve(a, b)
    for i in 0..<n { XCTAssertEqual(cg.solution[i], direct[i], accuracy: 1e-9) }
  }

  /// Diagonal system: one iteration per distinct eigenvalue; two distinct
  /// eigenvalues → exact after 2 steps (tolerance 1e-12 for O(1) numbers).
  func testDistinctEigenvaluesBound() {
    let d = [2.0, 2.0, 5.0, 5.0]
    let b = [1.0, -1.0, 2.0, 0.5]
    let cg = conjugateGradient(multiply: { v in zip(d, v).map { $0 * $1 } }, b: b, iterations: 2)
    for i in 0..<4 { XCTAssertEqual(cg.solution[i], b[i] / d[i], accuracy: 1e-12) }
  }

  func testZeroRightHandSideAndZeroIterations() {
    let zero = conjugateGradient(multiply: { $0 }, b: [0, 0], iterations: 10)
    XCTAssertEqual(zero.solution, [0, 0])
    XCTAssertEqual(zero.iterations, 0)
    let none = conjugateGradient(multiply: { $0 }, b: [1, 2], iterations: 0)
    XCTAssertEqual(none.solution, [0, 0])
  }
}

final class TrustRegionStepTests: XCTestCase {
  /// The scaled step sits on the quadratic KL boundary: ½ sᵀA s = δ (tolerance 1e-12).
  func testStepMeetsQuadraticKLBound() {
    var rng = Xoshiro256(seed: 2)
    let a = Dense.randomSPD(5, shift: 0.1, rng: &rng)
    let x = (0..<5).map { _ in rng.uniform(-1, 1) }
    let delta = 0.07
    guard let s = trustRegionStep(direction: x, curvature: dot(x, Dense.multiply(a, x)), klBound: delta) else {
      return XCTFail("expected a step")
    }
    XCTAssertEqual(0.5 * dot(s, Dense.multiply(a, s)), delta, accuracy: 1e-12)
    XCTAssertNil(trustRegionStep(direction: x, curvature: 0, klBound: delta))
    XCTAssertNil(trustRegionStep(direction: x, curvature: .nan, klBound: delta))
  }
}

final class LineSearchTests: XCTestCase {
  /// A concave quadratic objective f(θ) = gᵀθ − ½θᵀHθ along s = H⁻¹g scaled to
  /// the bound; the true KL is 0.9 × its quadratic model ½ (f s)ᵀH(f s) (at f = 1
  /// the model equals δ up to rounding, so a KL exactly on the model could
  /// exceed δ by an ulp): the full step is accepted at once.
  func testAcceptsFullStepOnGoodQuadratic() {
    let h = 2.0, g = 1.0, delta = 0.01
    let x = g / h
    let s = trustRegionStep(direction: [x], curvature: x * h * x, klBound: delta)![0]
    var calls: [Double] = []
    let result = backtrackingLineSearch(expectedImprovement: g * s, maxTries: 10, acceptRatio: 0.1, klBound: delta) { f in
      calls.append(f)
      let step = f * s
      return (g * step - 0.5 * h * step * step, 0.9 * 0.5 * h * step * step)
    }
    XCTAssertEqual(result.fraction, 1)
    XCTAssertEqual(result.halvings, 0)
    XCTAssertEqual(calls, [1])
  }

  /// KL too large for the first two fractions: accepts the third, f = 1/4, never
  /// a fraction with KL > δ.
  func testNeverAcceptsKLAboveBound() {
    let delta = 0.05
    var seen: [(Double, Double)] = []
    let result = backtrackingLineSearch(expectedImprovement: 1, maxTries: 10, acceptRatio: 0.1, klBound: delta) { f in
      let kl = 0.5 * f * f  // 0.5, 0.125, 0.03125
      seen.append((f, kl))
      return (f, kl)
    }
    XCTAssertEqual(result.fraction, 0.25)
    XCTAssertEqual(result.halvings, 2)
    XCTAssertEqual(result.evaluations, 3)
    if let f = result.fraction, let kl = seen.first(where: { $0.0 == f })?.1 {
      XCTAssertLessThanOrEqual(kl, delta)
    }
  }

  /// Randomised: whatever the evaluations, an accepted fraction has KL ≤ δ,
  /// positive improvement and ratio above the threshold.
  func testAcceptedStepAlwaysSatisfiesConditions() {
    var rng = Xoshiro256(seed: 77)
    for _ in 0..<200 {
      var table: [(improvement: Double, kl: Double)] = []
      let result = backtrackingLineSearch(expectedImprovement: 0.3, maxTries: 10, acceptRatio: 0.1, klBound: 0.02) { _ in
        let v = (improvement: rng.uniform(-0.1, 0.3), meanKL: rng.uniform(0, 0.04))
        table.append((v.improvement, v.meanKL))
        return v
      }
      if let h = result.halvings, let f = result.fraction {
        let e = table[h]
        XCTAssertLessThanOrEqual(e.kl, 0.02)
        XCTAssertGreaterThan(e.improvement, 0)
        XCTAssertGreaterThan(e.improvement / (0.3 * f), 0.1)
        XCTAssertEqual(f, 1 / Double(1 << h))  // exact power of two
      }
    }
  }

  func testNoStepWhenNothingQualifies() {
    // Improvement never beats 0.1 × expected.
    let small = backtrackingLineSearch(expectedImprovement: 1, maxTries: 10, acceptRatio: 0.1, klBound: 1) { f in (0.01 * f, 0) }
    XCTAssertNil(small.fraction)
    XCTAssertNil(small.halvings)
    XCTAssertEqual(small.evaluations, 10)
    // Negative improvement.
    let worse = backtrackingLineSearch(expectedImprovement: 1, maxTries: 3, acceptRatio: 0.1, klBound: 1) { _ in (-1, 0) }
    XCTAssertNil(worse.fraction)
    // NaN KL never passes.
    let nan = backtrackingLineSearch(expectedImprovement: 1, maxTries: 3, acceptRatio: 0.1, klBound: 1) { f in (f, .nan) }
    XCTAssertNil(nan.fraction)
    // Non-positive expected improvement never accepts.
    let neg = backtrackingLineSearch(expectedImprovement: -1, maxTries: 3, acceptRatio: 0.1, klBound: 1) { f in (f, 0) }
    XCTAssertNil(neg.fraction)
  }

  func testKLExactlyAtBoundIsAccepted() {
    let r = backtrackingLineSearch(expectedImprovement: 1, maxTries: 1, acceptRatio: 0.1, klBound: 0.04) { _ in (1, 0.04) }
    XCTAssertEqual(r.fraction, 1)
  }
}
