import Foundation
import ReproRandom
import Statistics
import XCTest

/// Claims of one cell against a number, on the median (`judgeMedian`): the
/// order-statistic interval, its exact error rate, and a simulation at the run
/// counts the reports see (Issue 14: the paper's figure claims).
final class MedianClaimTests: XCTestCase {
  func testBinomialTailsAndTheOrderStatisticChosen() throws {
    // P(Bin(10, ½) ≤ 1) = 11/1024, ≤ 2 = 56/1024 (exact in binary up to rounding).
    XCTAssertEqual(binomialHalfCDF(1, n: 10), 11.0 / 1024, accuracy: 1e-15)
    XCTAssertEqual(binomialHalfCDF(2, n: 10), 56.0 / 1024, accuracy: 1e-15)
    XCTAssertEqual(binomialHalfCDF(-1, n: 10), 0)
    XCTAssertEqual(binomialHalfCDF(10, n: 10), 1)
    XCTAssertEqual(binomialHalfCDF(2000, n: 4000), 0.5 + 0.5 * exp(lgammaChoose(4000, 2000) - 4000 * log(2.0)), accuracy: 1e-10, "2001 terms summed")
    XCTAssertEqual(minimumRunsForMedian(alpha: 0.05), 6, "2⁻⁵ = 0.031 > 0.025 ≥ 2⁻⁶")
    XCTAssertEqual(minimumRunsForMedian(alpha: 0.01), 8)
    XCTAssertNil(try medianInterval([1, 2, 3, 4, 5], alpha: 0.05))
    let m6 = try XCTUnwrap(try medianInterval([6, 1, 5, 2, 4, 3], alpha: 0.05))
    XCTAssertEqual([m6.low, m6.median, m6.high, Double(m6.k)], [1, 3.5, 6, 1])
    XCTAssertEqual(m6.coverage, 1 - 2.0 / 64, accuracy: 1e-15)
    let m10 = try XCTUnwrap(try medianInterval((1...10).map(Double.init).reversed(), alpha: 0.05))
    XCTAssertEqual([m10.low, m10.median, m10.high, Double(m10.k)], [2, 5.5, 9, 2])
    XCTAssertEqual(m10.coverage, 1 - 22.0 / 1024, accuracy: 1e-15)
    XCTAssertThrowsError(try medianInterval([1, .nan, 2, 3, 4, 5], alpha: 0.05))
  }

  func testVerdictsOnHandMadeSamples() throws {
    let below = [0.91, 0.95, 0.97, 0.98, 0.99, 0.93, 0.96]
    let j = try judgeMedian(below, relation: .lessThan, bound: 1)
    XCTAssertEqual(j.verdict, .reproduced)
    XCTAssertEqual(try XCTUnwrap(j.difference).high, 0.99 - 1, accuracy: 1e-15, "k = 1 at n = 7: the largest value")
    XCTAssertEqual(try judgeMedian(below, relation: .greaterThan, bound: 1).verdict, .contradicted)
    XCTAssertEqual(try judgeMedian(below + [1.2], relation: .lessThan, bound: 1).verdict, .inconclusive, "n = 8 still uses the extremes")
    let few = try judgeMedian([0.5, 0.6], relation: .lessThan, bound: 1)
    XCTAssertNil(few.verdict)
    XCTAssertTrue(try XCTUnwrap(few.notJudged).contains("needs at least 6"))
  }

  /// Null data at the bound: the true median equals the bound, so "median < bound" is false.
  enum Distribution: CaseIterable {
    /// N(1, 0.1²): median 1.
    case normal
    /// exp(N(0, 1)): median 1, skewness 6.2.
    case lognormal
    /// 1.02 − Exp with median 0.02: bounded above and piled up just under its
    /// bound, like TRPO's largest mean KL ÷ δ.
    case bounded

    /// A draw whose median is exactly 1.
    func draw(_ r: inout Xoshiro256) -> Double {
      switch self {
      case .normal: return 1 + 0.1 * r.nextNormal()
      case .lognormal: return exp(r.nextNormal())
      case .bounded:
        // 1.02 − Exp(rate λ) with median ln2/λ = 0.02: support (−∞, 1.02], median 1.
        var u = r.nextDouble()
        while u == 0 { u = r.nextDouble() }
        return 1.02 + 0.02 / log(2) * log(u)
      }
    }
  }

  /// The false "reproduced" rate of "median < 1" on data whose median is 1 equals
  /// P(Bin(n, ½) ≤ k − 1) ≤ 2.5% exactly for any continuous distribution; the
  /// simulation agrees within 3 binomial standard errors at every n and
  /// distribution, and the interval covers the median at ≥ 95% − 3 SE.
  func testFalseReproducedRateHoldsAtEveryRunCountBySimulation() throws {
    let replicates = 20_000
    var rows: [String] = []
    for n in [6, 7, 10, 20, 40, 80] {
      let k = try XCTUnwrap(try medianInterval(Array(repeating: 0, count: n).enumerated().map { Double($0.offset) }, alpha: 0.05)).k
      let exact = binomialHalfCDF(k - 1, n: n)
      XCTAssertLessThanOrEqual(exact, 0.025)
      for d in Distribution.allCases {
        var r = Xoshiro256(seed: 7, stream: "median/\(d)/\(n)")
        var falseLess = 0, falseGreater = 0, covered = 0
        for _ in 0..<replicates {
          let x = (0..<n).map { _ in d.draw(&r) }
          let j = try judgeMedian(x, relation: .lessThan, bound: 1)
          if j.verdict == .reproduced { falseLess += 1 }
          if j.verdict == .contradicted { falseGreater += 1 }
          if let ci = j.difference, ci.low <= 0, ci.high >= 0 { covered += 1 }
        }
        let p = Double(falseLess) / Double(replicates), q = Double(falseGreater) / Double(replicates)
        let c = Double(covered) / Double(replicates)
        let se = 3 * (exact * (1 - exact) / Double(replicates)).squareRoot()
        XCTAssertEqual(p, exact, accuracy: se + 1e-12, "n \(n) \(d): false reproduced")
        XCTAssertEqual(q, exact, accuracy: se + 1e-12, "n \(n) \(d): symmetric tail")
        XCTAssertLessThanOrEqual(p, 0.025 + 3 * (0.025 * 0.975 / Double(replicates)).squareRoot())
        XCTAssertGreaterThanOrEqual(c, 0.95 - 3 * (0.05 * 0.95 / Double(replicates)).squareRoot(), "n \(n) \(d): coverage")
        rows.append("n \(n) \(d): false reproduced \(p) (exact \(exact)), coverage \(c)")
      }
    }
    print(rows.joined(separator: "\n"))
  }

  /// Not a test that cannot fail: with the median well below the bound the claim is found.
  func testPowerWhenTheClaimHolds() throws {
    var r = Xoshiro256(seed: 3, stream: "median/power")
    var found = 0
    for _ in 0..<2000 {
      let x = (0..<10).map { _ in 0.9 + 0.03 * r.nextNormal() }
      if try judgeMedian(x, relation: .lessThan, bound: 1).verdict == .reproduced { found += 1 }
    }
    XCTAssertGreaterThan(found, 1990, "median 0.9, sd 0.03: the 9th of 10 values is below 1 almost always")
  }
}

/// log C(n, k).
func lgammaChoose(_ n: Int, _ k: Int) -> Double {
  lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
}
