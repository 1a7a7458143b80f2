import ReproRandom
import Statistics
import XCTest

final class SequentialTests: XCTestCase {
  func testSpendingFunction() {
    // scipy 1.17.1: 2·norm.sf(norm.ppf(0.975)/√t). Tolerance 1e-12 relative.
    let cases: [(Double, Double)] = [
      (0.1, 5.720318790425403e-10), (0.25, 8.85754383214038e-05), (0.5, 0.005574596680784415),
      (0.75, 0.023625121317601198), (1, 0.05),
    ]
    for (t, a) in cases {
      XCTAssertEqual(SequentialDesign.obrienFlemingSpending(t, alpha: 0.05), a, accuracy: 1e-12 * a, "t = \(t)")
    }
    XCTAssertEqual(SequentialDesign.obrienFlemingSpending(0, alpha: 0.05), 0)
  }

  func testLooks() throws {
    let d = try SequentialDesign(roundSize: 5, maxRunsPerCell: 40, minimumRuns: 3)
    XCTAssertEqual(d.looks, [5, 10, 15, 20, 25, 30, 35, 40])
    XCTAssertEqual(d.lookAlpha.reduce(0, +), 0.05, accuracy: 1e-15)
    XCTAssertEqual(d.cumulativeAlpha.last, 1 - 0.95)
    XCTAssertTrue(d.lookAlpha.allSatisfy { $0 > 0 })
    XCTAssertEqual(try SequentialDesign(roundSize: 2, maxRunsPerCell: 9, minimumRuns: 3).looks, [4, 6, 8, 9])
    XCTAssertEqual(try SequentialDesign(roundSize: 10, maxRunsPerCell: 10).looks, [10])
    XCTAssertThrowsError(try SequentialDesign(roundSize: 0, maxRunsPerCell: 10))
    XCTAssertThrowsError(try SequentialDesign(looks: [5, 5]))
  }

  func testDecisions() throws {
    let design = try SequentialDesign(roundSize: 5, maxRunsPerCell: 20, minimumRuns: 3)
    let claim = try CalibratedClaim(Claim("[A] > [B]"))
    var r = Xoshiro256(seed: 4, stream: "sequential-decisions")
    let big = (0..<20).map { _ in 100 + r.nextNormal() }, small = (0..<20).map { _ in r.nextNormal() }
    // A huge effect: decided at the first look.
    let d1 = try design.decide(claim, cells: ["A": big, "B": small])
    XCTAssertEqual(d1.status, .decided(.reproduced))
    XCTAssertEqual(d1.look, 0)
    XCTAssertEqual(d1.judgements.first?.runsPerCell, [CellRuns(cell: "A", runs: 5), CellRuns(cell: "B", runs: 5)])
    let d2 = try design.decide(try CalibratedClaim(Claim("[A] < [B]")), cells: ["A": big, "B": small])
    XCTAssertEqual(d2.status, .decided(.contradicted))
    // Too few runs for the first look: waiting for 5 per cell.
    let d3 = try design.decide(claim, cells: ["A": Array(big[0..<4]), "B": small])
    XCTAssertEqual(d3.status, .awaitingRuns(runsPerCell: 5))
    XCTAssertEqual(d3.look, 0)
    // Same null data: undecided looks, then waiting or inconclusive; deterministic.
    let a = (0..<20).map { _ in r.nextNormal() }, b = (0..<20).map { _ in r.nextNormal() }
    let d4 = try design.decide(claim, cells: ["A": a, "B": b])
    XCTAssertEqual(d4, try design.decide(claim, cells: ["A": a, "B": b]))
    if d4.status == .inconclusive { XCTAssertEqual(d4.judgements.count, 4) }
    let d5 = try design.decide(claim, cells: ["A": Array(a[0..<12]), "B": b])
    if case .decided = d4.status {} else { XCTAssertEqual(d5.status, .awaitingRuns(runsPerCell: 15)) }
    // Each look is judged at its own spent level.
    XCTAssertEqual(d1.judgements[0].difference?.level ?? 0, 1 - design.lookAlpha[0], accuracy: 1e-15)
  }

  func testOptionalStoppingOnNullData() throws {
    // Null data (equal means), runs added in rounds of 3 up to 30 per cell (10
    // looks), stopping at the first decisive look. The overall false
    // "reproduced" rate must be ≤ 0.025 + 3·√(0.025·0.975/R). For contrast, the
    // naive rule (every look at 95%, stop at the first "reproduced") must exceed it.
    let R = 10_000
    let tol = 3 * (0.025 * 0.975 / Double(R)).squareRoot()
    let design = try SequentialDesign(roundSize: 3, maxRunsPerCell: 30, minimumRuns: 3)
    XCTAssertEqual(design.looks.count, 10)
    var lines: [String] = []
    for (name, sdA) in [("normal, equal sd", 1.0), ("normal, sd ratio 3", 3.0)] {
      let claim = try CalibratedClaim(Claim("[A] > [B]"))
      var r = Xoshiro256(seed: 2020, stream: "sequential/\(name)")
      var falseSpent = 0, falseNaive = 0
      for _ in 0..<R {
        let a = (0..<30).map { _ in sdA * r.nextNormal() }, b = (0..<30).map { _ in r.nextNormal() }
        if try design.decide(claim, cells: ["A": a, "B": b]).status == .decided(.reproduced) { falseSpent += 1 }
        // Naive: each look at the full 95%.
        for n in design.looks {
          let j = try claim.judge(cells: ["A": Array(a[0..<n]), "B": Array(b[0..<n])], minimumRuns: 2)
          if j.verdict == .reproduced { falseNaive += 1; break }
          if j.verdict == .contradicted { break }
        }
      }
      let spent = Double(falseSpent) / Double(R), naiveRate = Double(falseNaive) / Double(R)
      lines.append(String(format: "%@: spending %.4f, naive 95%% at every look %.4f", name, spent, naiveRate))
      XCTAssertLessThanOrEqual(spent, 0.025 + tol, name)
      XCTAssertGreaterThan(naiveRate, 0.025 + tol, name)
    }
    print("sequential, 10 looks (3, 6, ..., 30 runs per cell), \(R) null replicates, false \"reproduced\":\n  "
          + lines.joined(separator: "\n  "))
  }
}
