import ReproRandom
import Statistics
import XCTest

final class CalibratedVerdictTests: XCTestCase {
  /// AAI and ACLI (Table2 lives in FormulaTests.swift).
  private func definitions() throws -> [String: Formula] {
    ["AAI": try Formula(Table2.aai), "ACLI": try Formula(Table2.acli)]
  }

  func testMethodsAndAtoms() throws {
    let linear = try CalibratedClaim(Claim("[PPO] > [PPO-M]"))
    XCTAssertEqual(linear.method, .welch)
    XCTAssertEqual(linear.method.description, "Welch t")
    XCTAssertEqual(linear.cells, ["PPO", "PPO-M"])
    XCTAssertEqual(linear.contrasts.map(\.description), ["[PPO] - [PPO-M]"])

    let composite = try CalibratedClaim(Claim("[ACLI] > [AAI]").inlining(definitions()))
    XCTAssertEqual(composite.method, .bonferroniIntervalArithmetic(contrasts: 4))
    XCTAssertEqual(composite.method.description, "Welch t, Bonferroni over 4 contrasts + interval arithmetic")
    XCTAssertEqual(composite.cells, ["PPO", "PPO-M", "TRPO", "TRPO+"])
    XCTAssertEqual(
      composite.contrasts.map(\.description),
      ["[PPO] - [PPO-M]", "-[TRPO] + [TRPO+]", "[PPO] - [TRPO+]", "[PPO-M] - [TRPO]"])

    // Linear however written: means, constants, scaling, division by a constant.
    let mixed = try CalibratedClaim(Claim("mean([A], [B]) * 2 - [C] / 4 > 3 + abs(-1)"))
    XCTAssertEqual(mixed.method, .welch)
    XCTAssertEqual(mixed.contrasts.map(\.description), ["[A] + [B] - 0.25*[C] - 4"])
    // The linear terms of a sum form one atom, wherever they are written.
    let sum = try CalibratedClaim(Claim("[C] + abs([A] - [B]) - [D] > 0"))
    XCTAssertEqual(sum.method, .bonferroniIntervalArithmetic(contrasts: 2))
    XCTAssertEqual(sum.contrasts.map(\.description), ["[A] - [B]", "[C] - [D]"])
    // A repeated atom is one contrast.
    let repeated = try CalibratedClaim(Claim("abs([A] - [B]) > abs([A] - [B]) / 2"))
    XCTAssertEqual(repeated.method, .bonferroniIntervalArithmetic(contrasts: 1))
    // Cancelled cells do not enter.
    let cancelled = try CalibratedClaim(Claim("[A] + [B] - [A] > [C]"))
    XCTAssertEqual(cancelled.cells, ["B", "C"])
    XCTAssertEqual(try CalibratedClaim(Claim("[A] + 1 > [A]")).method, .exact)

    // No calibrated method: division by, or product of, expressions of the cells.
    for text in ["[A] / [B] > 1", "[A] * [B] > 1", "abs([A]) * max([B], 1) > 0"] {
      let c = try CalibratedClaim(Claim(text))
      guard case .unavailable = c.method else { return XCTFail("\(text): \(c.method)") }
    }
    XCTAssertThrowsError(try CalibratedClaim(Claim("[A] / 0 > 1")))
  }

  func testCompositeIntervalByHand() throws {
    // The composite interval equals interval arithmetic over the four atoms'
    // Welch intervals at level 1 − 0.05/(2·4), computed here by hand.
    // Tolerance 1e-12 relative: the level reaches the quantile as 1 − (1 − 0.05/8)
    // here and as (1 − 0.95)/8 there, which differ in the last bits.
    var r = Xoshiro256(seed: 5, stream: "composite-by-hand")
    let means: [String: Double] = ["PPO": 3292, "PPO-M": 2735, "TRPO": 2791, "TRPO+": 3050]
    let names = ["PPO", "PPO-M", "TRPO", "TRPO+"]
    var cells: [String: [Double]] = [:]
    for name in names {
      let m = try XCTUnwrap(means[name])
      cells[name] = (0..<10).map { _ in m + 300 * r.nextNormal() }
    }
    let claim = try CalibratedClaim(Claim("[ACLI] > [AAI]").inlining(definitions()))
    let j = try claim.judge(cells: cells)
    let s = try names.map { try CellSummary(XCTUnwrap(cells[$0])) }
    func atom(_ c: [Double]) throws -> ConfidenceInterval {
      try welchInterval(coefficients: c, cells: s, level: 1 - 0.05 / 8).interval
    }
    func absInterval(_ i: ConfidenceInterval) -> (Double, Double) {
      if i.low >= 0 { return (i.low, i.high) }
      if i.high <= 0 { return (-i.high, -i.low) }
      return (0, max(-i.low, i.high))
    }
    let d1 = absInterval(try atom([1, -1, 0, 0])), d2 = absInterval(try atom([0, 0, -1, 1]))
    let d3 = absInterval(try atom([1, 0, 0, -1])), d4 = absInterval(try atom([0, 1, -1, 0]))
    let acli = (max(d1.0, d2.0), max(d1.1, d2.1)), aai = (max(d3.0, d4.0), max(d3.1, d4.1))
    let diff = try XCTUnwrap(j.difference)
    XCTAssertEqual(diff.low, acli.0 - aai.1, accuracy: 1e-12 * 1000)
    XCTAssertEqual(diff.high, acli.1 - aai.0, accuracy: 1e-12 * 1000)
    XCTAssertEqual(j.contrasts.count, 4)
    XCTAssertEqual(j.contrasts[0].interval.interval.level, 1 - 0.05 / 8, accuracy: 1e-15)
    XCTAssertEqual(j.runsPerCell, names.map { CellRuns(cell: $0, runs: 10) })
    // Estimate: ACLI − AAI on the sample means (a few ulps of rounding).
    let value = try claim.claim.left.evaluate { try mean(XCTUnwrap(cells[$0])) }
      - claim.claim.right.evaluate { try mean(XCTUnwrap(cells[$0])) }
    XCTAssertEqual(diff.estimate, value, accuracy: 1e-9)
    XCTAssertTrue(diff.contains(diff.estimate))
  }

  func testVerdictsOnConstructedData() throws {
    var r = Xoshiro256(seed: 2, stream: "verdicts")
    func draw(_ m: Double) -> [Double] { (0..<20).map { _ in m + 5 * r.nextNormal() } }
    let cells = ["high": draw(100), "low": draw(50), "same": draw(100)]
    let cases: [(String, Verdict)] = [
      ("[high] > [low]", .reproduced), ("[low] < [high]", .reproduced),
      ("[low] > [high]", .contradicted), ("[high] < [low]", .contradicted),
      ("[high] > [same]", .inconclusive), ("[high] < [same]", .inconclusive),
    ]
    for (text, verdict) in cases {
      let j = try judgeCalibrated(try Claim(text), cells: cells)
      XCTAssertEqual(j.verdict, verdict, text)
      XCTAssertNil(j.notJudged)
      XCTAssertEqual(j.method, .welch)
    }
  }

  func testRefusals() throws {
    let claim = try CalibratedClaim(Claim("[A] > [B]"))
    let j1 = try claim.judge(cells: ["A": [1], "B": [1, 2, 3]], minimumRuns: 2)
    XCTAssertNil(j1.verdict)
    XCTAssertEqual(j1.notJudged, .tooFewRuns(cell: "A", runs: 1, needed: 2))
    let j2 = try claim.judge(cells: ["A": [1, 2, 3, 4], "B": [1, 2, 3]], minimumRuns: 4)
    XCTAssertEqual(j2.notJudged, .tooFewRuns(cell: "B", runs: 3, needed: 4))
    XCTAssertEqual(j2.notJudged?.description, "[B] has 3 runs; calibrated verdicts need at least 4 per cell")
    let j3 = try claim.judge(cells: ["A": [5, 5, 5], "B": [2, 2, 2]], minimumRuns: 2)
    XCTAssertEqual(j3.notJudged, .noSpread(cells: ["A", "B"]))
    XCTAssertNil(j3.difference)
    let j4 = try claim.judge(cells: ["A": [], "B": [2, 3]], minimumRuns: 2)
    XCTAssertEqual(j4.notJudged, .tooFewRuns(cell: "A", runs: 0, needed: 2))
    let j5 = try judgeCalibrated(try Claim("[A] / [B] > 1"), cells: ["A": [1, 2, 3], "B": [1, 2, 4]])
    XCTAssertEqual(j5.notJudged, .noCalibratedMethod("division by an expression of the cells ('[B]')"))
    // One cell with no spread is fine when the other has some.
    let j6 = try claim.judge(cells: ["A": [5, 6, 7], "B": [2, 2, 2]], minimumRuns: 2)
    XCTAssertNotNil(j6.verdict)
    // The default minimum is minimumRunsPerCell.
    let few = (0..<(minimumRunsPerCell - 1)).map(Double.init)
    if minimumRunsPerCell > 2 {
      XCTAssertEqual(try claim.judge(cells: ["A": few, "B": few]).notJudged,
                     .tooFewRuns(cell: "A", runs: minimumRunsPerCell - 1, needed: minimumRunsPerCell))
    }
    // Input errors throw.
    XCTAssertThrowsError(try claim.judge(cells: ["A": [1, 2, 3]]))
    XCTAssertThrowsError(try claim.judge(cells: ["A": [1, 2, .infinity], "B": [1, 2, 3]]))
    XCTAssertThrowsError(try claim.judge(cells: ["A": [1, 2, 3], "B": [1, 2, 3]], level: 0))
    // An exact claim needs no runs.
    let exact = try judgeCalibrated(try Claim("[A] + 1 > [A]"), cells: ["A": [3]])
    XCTAssertEqual(exact.verdict, .reproduced)
    XCTAssertEqual(exact.difference?.low, 1)
  }

  func testSummariesAndScoresAgree() throws {
    let cells: [String: [Double]] = ["A": [3, 4, 8, 1], "B": [2, 2.5, 1, 0.5, 3]]
    let claim = try CalibratedClaim(Claim("[A] > [B]"))
    let a = try claim.judge(cells: cells, minimumRuns: 2)
    let b = try claim.judge(
      summaries: ["A": CellSummary(XCTUnwrap(cells["A"])), "B": CellSummary(XCTUnwrap(cells["B"]))], minimumRuns: 2)
    XCTAssertEqual(a, b)
  }
}
