import ReproRandom
import Statistics
import XCTest

final class ClaimTests: XCTestCase {
  private func sample(_ seed: UInt64, n: Int, mean: Double, sd: Double) -> [Double] {
    var r = Xoshiro256(seed: seed, stream: "test-data")
    return (0..<n).map { _ in mean + sd * r.nextNormal() }
  }

  func testParsing() throws {
    let c = try Claim(" [ACLI] >  [AAI] ")
    XCTAssertEqual(c.relation, .greaterThan)
    XCTAssertEqual(c.left.source, "[ACLI]")
    XCTAssertEqual(c.right.source, "[AAI]")
    XCTAssertEqual(c.description, "[ACLI] > [AAI]")
    let d = try Claim("abs([PPO] - [TRPO+]) < 2 * [x]")
    XCTAssertEqual(d.relation, .lessThan)
    XCTAssertEqual(d.referencedNames, ["PPO", "TRPO+", "x"])

    func position(_ text: String) -> Int? {
      do { _ = try Claim(text); return nil } catch let e as FormulaParseError { return e.position } catch {
        return nil
      }
    }
    XCTAssertEqual(position("[A] [B]"), 4)  // expected '>' or '<'
    XCTAssertEqual(position("[A] >= [B]"), 5)  // '=' is not an operand
    XCTAssertEqual(position("[A] > [B] > [C]"), 10)  // one comparison only
    XCTAssertEqual(position("[A] >"), 5)  // right side missing
  }

  func testVerdictFromInterval() {
    func v(_ low: Double, _ high: Double, _ r: ClaimRelation) -> Verdict {
      Verdict(difference: ConfidenceInterval(estimate: (low + high) / 2, low: low, high: high, level: 0.95), relation: r)
    }
    XCTAssertEqual(v(1, 2, .greaterThan), .reproduced)
    XCTAssertEqual(v(-2, -1, .greaterThan), .contradicted)
    XCTAssertEqual(v(-1, 1, .greaterThan), .inconclusive)
    XCTAssertEqual(v(0, 1, .greaterThan), .inconclusive)  // touching 0 is not enough
    XCTAssertEqual(v(-2, -1, .lessThan), .reproduced)
    XCTAssertEqual(v(1, 2, .lessThan), .contradicted)
    XCTAssertEqual(v(-1, 0, .lessThan), .inconclusive)
  }

  func testVerdictsOnConstructedData() throws {
    // high ~ N(100, 5²), low ~ N(50, 5²), n = 30: means 50 apart, standard error
    // of the difference about 1.3, so the CI excludes 0 by a wide margin.
    // same is another draw from the distribution of high: the CI straddles 0.
    let cells = [
      "high": sample(1, n: 30, mean: 100, sd: 5),
      "low": sample(2, n: 30, mean: 50, sd: 5),
      "same": sample(3, n: 30, mean: 100, sd: 5),
    ]
    let cases: [(String, Verdict)] = [
      ("[high] > [low]", .reproduced),
      ("[low] < [high]", .reproduced),
      ("[low] > [high]", .contradicted),
      ("[high] < [low]", .contradicted),
      ("[high] > [same]", .inconclusive),
      ("[high] < [same]", .inconclusive),
    ]
    for (text, verdict) in cases {
      var b = Bootstrap(seed: 21, stream: text)
      let j = try b.judge(try Claim(text), cells: cells)
      XCTAssertEqual(j.verdict, verdict, "\(text): \(j.difference)")
      XCTAssertTrue(j.difference.contains(j.difference.estimate), text)
    }
    var b = Bootstrap(seed: 21)
    let j = try b.judge(try Claim("[high] > [low]"), cells: cells)
    let diff = try mean(XCTUnwrap(cells["high"])) - mean(XCTUnwrap(cells["low"]))
    XCTAssertEqual(j.difference.estimate, diff, accuracy: 0)
  }

  func testSharedCellsAreResampledOnce() throws {
    // ([noisy] + [one]) - [noisy] is [one] = 1 in every resample only if [noisy]
    // takes the same resampled mean on both sides. Tolerance 1e-9: (a + 1) - a
    // differs from 1 by at most an ulp of a (~1e-14 for a ~ 100).
    let cells = ["noisy": sample(4, n: 25, mean: 100, sd: 50), "one": Array(repeating: 1, count: 25)]
    var b = Bootstrap(seed: 8)
    let j = try b.judge(try Claim("[noisy] + [one] > [noisy]"), cells: cells)
    XCTAssertEqual(j.difference.low, 1, accuracy: 1e-9)
    XCTAssertEqual(j.difference.high, 1, accuracy: 1e-9)
    XCTAssertEqual(j.verdict, .reproduced)
  }

  func testPaperClaimOnPrintedMeans() throws {
    // ACLI > AAI for every task, on constant cells at the printed means:
    // degenerate CIs at 557-242 = 315, 423-99 = 324, 444-224 = 220 (exact).
    let defs = ["AAI": try Formula(Table2.aai), "ACLI": try Formula(Table2.acli)]
    let claim = try Claim("[ACLI] > [AAI]").inlining(defs)
    for (row, expected) in zip(Table2.means, [315.0, 324, 220]) {
      let cells = row.cells.mapValues { Array(repeating: $0, count: 80) }
      var b = Bootstrap(seed: 1, stream: "claim/\(row.task)")
      let j = try b.judge(claim, cells: cells)
      XCTAssertEqual([j.difference.estimate, j.difference.low, j.difference.high], [expected, expected, expected])
      XCTAssertEqual(j.verdict, .reproduced, row.task)
    }
  }
}
