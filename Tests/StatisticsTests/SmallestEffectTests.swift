import Foundation
import ReproRandom
import Statistics
import XCTest

/// The fourth verdict, "smaller than the smallest effect of interest"
/// (`Verdict.init(difference:relation:smallestEffect:)`), and its error rate by
/// simulation: with the true effect exactly δ (the least favourable case of
/// "the effect is δ or more"), a Welch line must say "smaller" at most 2.5% of
/// the time. Size: `REPRO_CALIBRATION_REPLICATES` (default 20,000; BENCHMARKS.md
/// used 200,000); tolerance 3 binomial SE at 2.5%.
final class SmallestEffectTests: XCTestCase {
  func testTheFourVerdicts() {
    func v(_ low: Double, _ high: Double, _ r: ClaimRelation = .greaterThan) -> Verdict {
      Verdict(difference: ConfidenceInterval(estimate: (low + high) / 2, low: low, high: high, level: 0.95),
              relation: r, smallestEffect: 10)
    }
    XCTAssertEqual(v(1, 5), .reproduced, "a positive effect below δ is still reproduced")
    XCTAssertEqual(v(-5, -1), .contradicted)
    XCTAssertEqual(v(-5, 9), .smallerThanEffectOfInterest)
    XCTAssertEqual(v(-5, 10), .inconclusive, "touching δ does not rule it out")
    XCTAssertEqual(v(-9, 5, .lessThan), .smallerThanEffectOfInterest)
    XCTAssertEqual(v(-11, 5, .lessThan), .inconclusive)
    XCTAssertEqual(
      Verdict(difference: ConfidenceInterval(estimate: 0, low: -5, high: 9, level: 0.95), relation: .greaterThan,
              smallestEffect: nil), .inconclusive)
  }

  /// Cells: A (claimed better) and B; the true mean difference A − B is δ = 150 (half a
  /// Hopper-sized effect of 300), B ~ N(2500, 300²).
  func testFalseSmallerRateAtTheSmallestEffect() throws {
    let R = ProcessInfo.processInfo.environment["REPRO_CALIBRATION_REPLICATES"].flatMap(Int.init) ?? 20_000
    let se = (0.025 * 0.975 / Double(R)).squareRoot()
    let delta = 150.0
    let claim = try CalibratedClaim(Claim("[A] > [B]"))
    // 80% N(3000, 300²), 20% N(800, 200²): mean 2560, shifted by `s`.
    func cluster(_ s: Double) -> (inout Xoshiro256) -> Double {
      { r in (r.nextDouble() < 0.2 ? 800 + 200 * r.nextNormal() : 3000 + 300 * r.nextNormal()) + s }
    }
    let normalA: (inout Xoshiro256) -> Double = { r in 2650 + 300 * r.nextNormal() }
    let normalB: (inout Xoshiro256) -> Double = { r in 2500 + 300 * r.nextNormal() }
    // name, draw of A (mean 2500 + δ), draw of B (mean 2500), asserted
    let shapes: [(String, (inout Xoshiro256) -> Double, (inout Xoshiro256) -> Double, Bool)] = [
      ("normal, equal sd", normalA, normalB, true),
      ("normal, A's sd 3 times B's", { r in 2650 + 900 * r.nextNormal() }, normalB, true),
      ("normal, B's sd 3 times A's", normalA, { r in 2500 + 900 * r.nextNormal() }, true),
      ("failure cluster in A", cluster(90), normalB, true),
      ("failure cluster in B", normalA, cluster(-60), false),
    ]
    var out = "False \"smaller than the smallest effect of interest\" at a true effect of δ, Welch t, \(R) experiments; "
      + String(format: "* above 0.025 + 3 SE = %.4f\n", 0.025 + 3 * se)
    for (name, drawA, drawB, asserted) in shapes {
      var cells: [String] = []
      for n in [3, 5, 10, 25] {
        var r = Xoshiro256(seed: 2024, stream: "smallest-effect/\(name)/n=\(n)")
        var hits = 0
        for _ in 0..<R {
          let a = (0..<n).map { _ in drawA(&r) }
          let b = (0..<n).map { _ in drawB(&r) }
          let j = try claim.judge(alignedSummaries: [CellSummary(a), CellSummary(b)], level: 0.95, minimumRuns: 2)
          if let d = j.difference, Verdict(difference: d, relation: .greaterThan, smallestEffect: delta) == .smallerThanEffectOfInterest {
            hits += 1
          }
        }
        let rate = Double(hits) / Double(R)
        cells.append(String(format: "%.4f", rate) + (rate > 0.025 + 3 * se ? "*" : ""))
        if asserted { XCTAssertLessThanOrEqual(rate, 0.025 + 3 * se, "\(name) n=\(n)") }
      }
      out += "| \(name) | " + cells.joined(separator: " / ") + (asserted ? " |" : " | (declared, not asserted)") + "\n"
    }
    print(out)
  }
}
