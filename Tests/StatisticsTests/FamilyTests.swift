import ReproRandom
import Statistics
import XCTest

/// Holm over a report's lines (`holmStepDown`, `familyVerdicts`) and the
/// intersection–union rule (`everyTaskVerdict`).
final class FamilyTests: XCTestCase {
  /// Holm on p-values checkable by hand: a test at two-sided `a` rejects when `p ≤ a/2`.
  func testHolmMatchesTheTextbookStepDownOnPValues() {
    // One-sided p-values; family α/2 = 0.025, m = 4: thresholds 0.00625, 0.00833, 0.0125, 0.025.
    // Sorted: 0.001 (≤ 0.00625 ✓), 0.008 (≤ 0.00833 ✓), 0.013 (> 0.0125 ✗): stop; 0.02 is not marked.
    let p = [0.013, 0.001, 0.02, 0.008]
    let marked = holmStepDown(count: 4, alpha: 0.05) { i, a in p[i] <= a / 2 }
    XCTAssertEqual(marked, [nil, 4, nil, 3])
    // Bonferroni would keep only 0.001; unadjusted, all four.
    XCTAssertEqual(holmStepDown(count: 0, alpha: 0.05) { _, _ in true }, [])
    XCTAssertEqual(holmStepDown(count: 2, alpha: 0.05) { _, _ in true }, [2, 2])
  }

  func testFamilyVerdictsMarkEachDirectionSeparatelyAndKeepUnjudgedLines() {
    // Line 0 strongly reproduced, line 1 strongly contradicted, line 2 weak (reproduced only
    // unadjusted), line 3 not judged: it counts in m = 4.
    let p = [1e-6, 1e-6, 0.02, 1.0]
    let direction: [Verdict] = [.reproduced, .contradicted, .reproduced, .reproduced]
    let f = familyVerdicts(count: 4, judged: [true, true, true, false], alpha: 0.05) { i, a in
      p[i] <= a / 2 ? direction[i] : .inconclusive
    }
    XCTAssertEqual(f.map(\.verdict), [.reproduced, .contradicted, .inconclusive, nil])
    XCTAssertEqual(f.map(\.divisor), [4, 4, nil, nil])
  }

  func testEveryTaskIsIntersectionUnion() {
    XCTAssertEqual(everyTaskVerdict(own: [.reproduced, .reproduced], family: [.inconclusive, .reproduced]), .reproduced)
    XCTAssertEqual(everyTaskVerdict(own: [.reproduced, .inconclusive], family: [.reproduced, .inconclusive]), .inconclusive)
    XCTAssertEqual(everyTaskVerdict(own: [.reproduced, .contradicted], family: [.reproduced, .inconclusive]), .inconclusive)
    XCTAssertEqual(everyTaskVerdict(own: [.reproduced, .contradicted], family: [.reproduced, .contradicted]), .contradicted)
    XCTAssertEqual(everyTaskVerdict(own: [.reproduced, nil], family: [.reproduced, nil]), nil)
  }

  /// Family-wise false "reproduced" on null data: 9 lines (the Table 2 report's
  /// 3 claims × 3 tasks) of Welch t at n = 10, every true difference 0, spreads
  /// 1 to 3. Unadjusted, at least one line is falsely reproduced in about
  /// 1 − 0.975⁹ = 20% of experiments; with Holm at most 2.5%. 4000 experiments:
  /// tolerance 3·√(0.025·0.975/4000) = 0.0074.
  func testHolmKeepsTheFamilyWiseFalseReproducedRate() throws {
    let R = 4000, m = 9, n = 10
    let claim = try CalibratedClaim(Claim("[A] > [B]"))
    var rng = Xoshiro256(seed: 2020, stream: "family/holm/null")
    var anyRaw = 0, anyHolm = 0
    for _ in 0..<R {
      var lines: [[CellSummary]] = []
      for k in 0..<m {
        let sd = 1 + Double(k % 3)
        lines.append((0..<2).map { _ in
          (try? CellSummary((0..<n).map { _ in sd * rng.nextNormal() })) ?? CellSummary(count: 0, mean: 0, variance: 0)
        })
      }
      let f = try familyVerdicts(count: m, judged: Array(repeating: true, count: m), alpha: 0.05) { i, a in
        try claim.judge(alignedSummaries: lines[i], level: 1 - a).verdict
      }
      if try lines.contains(where: { try claim.judge(alignedSummaries: $0, level: 0.95).verdict == .reproduced }) { anyRaw += 1 }
      if f.contains(where: { $0.verdict == .reproduced }) { anyHolm += 1 }
    }
    let raw = Double(anyRaw) / Double(R), holm = Double(anyHolm) / Double(R)
    print(String(format: "family of %d null Welch lines, n = %d, %d experiments: any false reproduced %.4f unadjusted, %.4f Holm",
                 m, n, R, raw, holm))
    XCTAssertGreaterThan(raw, 0.15)
    XCTAssertLessThanOrEqual(holm, 0.025 + 3 * (0.025 * 0.975 / Double(R)).squareRoot())
  }
}
