import Algorithms
import NeuralNet
import ReproRandom
import RunModel
import XCTest

/// Tolerance 1e-12: every expected value is a handful of additions and
/// multiplications of O(1) numbers, so rounding error is below 1e-14.
final class GAETests: XCTestCase {
  let tol = 1e-12

  func testTerminationDoesNotBootstrapAndTruncationDoes() {
    // Episode A: steps 0, 1 (terminated at 1). Episode B: steps 2, 3 (truncated at 3).
    let r = [1.0, 2.0, 3.0, 4.0]
    let v = [0.5, 0.25, 1.0, 2.0]
    let g = 0.9, l = 0.8
    let out = generalizedAdvantageEstimates(
      rewards: r, values: v,
      terminated: [false, true, false, false], truncated: [false, false, false, true],
      truncationValues: [0, 0, 0, 10], batchEnd: .value(-99), gamma: g, lambda: l)
    // Step 1 (terminated): delta = 2 − 0.25 (no bootstrap).
    let d1 = 2.0 - 0.25
    // Step 0: delta = 1 + 0.9·0.25 − 0.5; A0 = d0 + g·l·A1.
    let d0 = 1.0 + g * 0.25 - 0.5
    // Step 3 (truncated): delta = 4 + 0.9·10 − 2 (bootstrap from the final observation's value).
    let d3 = 4.0 + g * 10 - 2
    // Step 2: delta = 3 + 0.9·2 − 1; A2 = d2 + g·l·A3 (same episode).
    let d2 = 3.0 + g * 2 - 1
    let expected = [d0 + g * l * d1, d1, d2 + g * l * d3, d3]
    for t in 0..<4 {
      XCTAssertEqual(out.advantages[t], expected[t], accuracy: tol, "advantage \(t)")
      XCTAssertEqual(out.valueTargets[t], v[t] + expected[t], accuracy: tol, "target \(t)")
    }
  }

  func testRecursionStopsAtEpisodeBoundary() {
    // A huge advantage after a boundary must not leak into the previous episode.
    let out = generalizedAdvantageEstimates(
      rewards: [0, 1000], values: [0, 0], terminated: [true, false], truncated: [false, false],
      truncationValues: [0, 0], batchEnd: .zero, gamma: 1, lambda: 1)
    XCTAssertEqual(out.advantages, [0, 1000])  // exact
  }

  func testGammaLambdaOneGivesMonteCarloReturnsMinusValues() {
    var rng = Xoshiro256(seed: 3)
    let n = 12
    let r = (0..<n).map { _ in rng.uniform(-1, 2) }
    let v = (0..<n).map { _ in rng.uniform(-1, 1) }
    var term = Array(repeating: false, count: n)
    term[4] = true
    term[n - 1] = true
    let ends = term
    let out = generalizedAdvantageEstimates(
      rewards: r, values: v, terminated: term, truncated: Array(repeating: false, count: n),
      truncationValues: Array(repeating: 0, count: n), batchEnd: .zero, gamma: 1, lambda: 1)
    let returns = discountedReturns(rewards: r, episodeEnds: ends, gamma: 1)
    for t in 0..<n {
      var g = 0.0
      var k = t
      while true {
        g += r[k]
        if ends[k] { break }
        k += 1
      }
      XCTAssertEqual(returns[t], g, accuracy: tol)
      XCTAssertEqual(out.advantages[t], g - v[t], accuracy: tol, "step \(t)")
      XCTAssertEqual(out.valueTargets[t], g, accuracy: tol)
    }
  }

  func testBatchEndBootstrapOptions() {
    let r = [1.0, 1.0], v = [2.0, 3.0]
    let g = 0.5, l = 0.5
    func run(_ b: BatchEndBootstrap) -> [Double] {
      generalizedAdvantageEstimates(
        rewards: r, values: v, terminated: [false, false], truncated: [false, false],
        truncationValues: [0, 0], batchEnd: b, gamma: g, lambda: l
      ).advantages
    }
    let d0 = 1 + g * 3 - 2
    // Correct: bootstrap from V(s_N) = 4.
    let dv = 1 + g * 4 - 3
    let b = run(.value(4))
    XCTAssertEqual(b[1], dv, accuracy: tol)
    XCTAssertEqual(b[0], d0 + g * l * dv, accuracy: tol)
    // Authors' quirk: V(s_N) := V(s_{N−1}) = 3.
    let dq = 1 + g * 3 - 3
    let q = run(.lastStepValue)
    XCTAssertEqual(q[1], dq, accuracy: tol)
    XCTAssertEqual(q[0], d0 + g * l * dq, accuracy: tol)
    // No bootstrap.
    let dz = 1.0 - 3
    let z = run(.zero)
    XCTAssertEqual(z[1], dz, accuracy: tol)
    XCTAssertEqual(z[0], d0 + g * l * dz, accuracy: tol)
  }

  func testTerminatedWinsOverTruncated() {
    let out = generalizedAdvantageEstimates(
      rewards: [1], values: [0.5], terminated: [true], truncated: [true],
      truncationValues: [100], batchEnd: .value(100), gamma: 0.99, lambda: 0.95)
    XCTAssertEqual(out.advantages[0], 0.5, accuracy: tol)
  }

  func testLambdaZeroIsOneStepTD() {
    let r = [1.0, 2.0, 3.0], v = [0.1, 0.2, 0.3]
    let out = generalizedAdvantageEstimates(
      rewards: r, values: v, terminated: [false, false, false], truncated: [false, false, false],
      truncationValues: [0, 0, 0], batchEnd: .value(0.4), gamma: 0.9, lambda: 0)
    XCTAssertEqual(out.advantages[0], 1 + 0.9 * 0.2 - 0.1, accuracy: tol)
    XCTAssertEqual(out.advantages[1], 2 + 0.9 * 0.3 - 0.2, accuracy: tol)
    XCTAssertEqual(out.advantages[2], 3 + 0.9 * 0.4 - 0.3, accuracy: tol)
  }

  func testDiscountedReturnsCutAtEnds() {
    let g = discountedReturns(rewards: [1, 1, 1, 1], episodeEnds: [false, true, false, false], gamma: 0.5)
    XCTAssertEqual(g, [1.5, 1, 1.5, 1])  // exact in binary
  }
}

/// Advantage normalisation and minibatch index tests.
final class MinibatchTests: XCTestCase {
  func testNormalizeAdvantagesUsesUnbiasedStd() {
    let a = [1.0, 2.0, 3.0, 4.0]
    let y = normalizeAdvantages(a)
    // mean 2.5; n−1 variance = 5/3.
    let std = (5.0 / 3).squareRoot()
    for i in 0..<4 {
      XCTAssertEqual(y[i], (a[i] - 2.5) / (std + 1e-8), accuracy: 1e-12)
    }
    // Sample std (n−1) of the result is 1 up to the 1e-8 epsilon (relative 1e-8 / std ≈ 8e-9).
    let m = y.reduce(0, +) / 4
    let s = (y.map { ($0 - m) * ($0 - m) }.reduce(0, +) / 3).squareRoot()
    XCTAssertEqual(m, 0, accuracy: 1e-12)
    XCTAssertEqual(s, 1, accuracy: 1e-7)
  }

  func testNormalizeAdvantagesDegenerateCases() {
    XCTAssertEqual(normalizeAdvantages([]), [])
    XCTAssertEqual(normalizeAdvantages([5]), [0])
    XCTAssertEqual(normalizeAdvantages([2, 2, 2]), [0, 0, 0])
  }

  func testMinibatchesPartitionAndSizes() {
    var rng = Xoshiro256(seed: 42, stream: "minibatch")
    let parts = minibatchIndices(count: 2050, minibatches: 32, rng: &rng)
    XCTAssertEqual(parts.count, 32)
    // array_split: 2050 = 32·64 + 2, so two parts of 65, then 30 of 64.
    XCTAssertEqual(parts.map(\.count), [65, 65] + Array(repeating: 64, count: 30))
    XCTAssertEqual(parts.flatMap { $0 }.sorted(), Array(0..<2050))
  }

  func testMinibatchesDeterministicAndSeedDependent() {
    var a = Xoshiro256(seed: 1, stream: "minibatch")
    var b = Xoshiro256(seed: 1, stream: "minibatch")
    var c = Xoshiro256(seed: 2, stream: "minibatch")
    let pa = minibatchIndices(count: 100, minibatches: 4, rng: &a)
    XCTAssertEqual(pa, minibatchIndices(count: 100, minibatches: 4, rng: &b))
    XCTAssertNotEqual(pa, minibatchIndices(count: 100, minibatches: 4, rng: &c))
    // The next epoch draws a fresh permutation.
    XCTAssertNotEqual(pa, minibatchIndices(count: 100, minibatches: 4, rng: &a))
    // Same as splitting the generator's own permutation.
    var d = Xoshiro256(seed: 1, stream: "minibatch")
    XCTAssertEqual(pa, splitEvenly(d.permutation(100), parts: 4))
  }
}
