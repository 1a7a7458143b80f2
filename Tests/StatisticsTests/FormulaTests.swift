import ReproRandom
import Statistics
import XCTest

/// The paper's printed Table 2 means (Engstrom et al. 2020) and its derived rows.
enum Table2 {
  static let aai = "max(abs([PPO] - [TRPO+]), abs([PPO-M] - [TRPO]))"
  static let acli = "max(abs([PPO] - [PPO-M]), abs([TRPO+] - [TRPO]))"
  static let means: [(task: String, cells: [String: Double], aai: Double, acli: Double)] = [
    ("Walker2d", ["PPO": 3292, "PPO-M": 2735, "TRPO": 2791, "TRPO+": 3050], 242, 557),
    ("Hopper", ["PPO": 2513, "PPO-M": 2142, "TRPO": 2043, "TRPO+": 2466], 99, 423),
    ("Humanoid", ["PPO": 806, "PPO-M": 674, "TRPO": 586, "TRPO+": 1030], 224, 444),
  ]
}

final class FormulaTests: XCTestCase {
  func testAAIAndACLIOfPrintedTable2() throws {
    // Integer arithmetic in doubles is exact: tolerance 0.
    let aai = try Formula(Table2.aai), acli = try Formula(Table2.acli)
    for row in Table2.means {
      XCTAssertEqual(try aai.evaluate(row.cells), row.aai, accuracy: 0, row.task)
      XCTAssertEqual(try acli.evaluate(row.cells), row.acli, accuracy: 0, row.task)
    }
  }

  func testReferencedNamesInOrderOfFirstAppearance() throws {
    XCTAssertEqual(try Formula(Table2.aai).referencedNames, ["PPO", "TRPO+", "PPO-M", "TRPO"])
    XCTAssertEqual(try Formula("[b] + [a] * [b]").referencedNames, ["b", "a"])
    XCTAssertEqual(try Formula("1 + 2").referencedNames, [])
  }

  func testArithmeticAndFunctions() throws {
    // Every expected value is exact in binary: tolerance 0.
    let cases: [(String, Double)] = [
      ("1 + 2 * 3", 7), ("(1 + 2) * 3", 9), ("8 - 3 - 2", 3), ("2 * 3 / 4", 1.5),
      ("-2 * -3", 6), ("2 - -3", 5), ("--4", 4), ("-(1 + 2)", -3), ("10 / 4", 2.5),
      ("mean(1, 2, 3, 4)", 2.5), ("min(3, -1, 2)", -1), ("max(1)", 1), ("max(1, 7, 3)", 7),
      ("abs(-2.5)", 2.5), ("1e3 + .5", 1000.5), ("2.5E-1", 0.25), ("  3  ", 3),
      ("mean([x], [y])", 5), ("[x] / [y]", 0.25), ("[a b]", 1),
    ]
    let values: [String: Double] = ["x": 2, "y": 8, "a b": 1]
    for (text, expected) in cases {
      XCTAssertEqual(try Formula(text).evaluate(values), expected, accuracy: 0, text)
    }
  }

  func testRenderingParsesBackToSameValue() throws {
    let f = try Formula("-[a] + max(abs([b] - 1.25), 2) * 3 / mean([a], -4)")
    let values: [String: Double] = ["a": 1.5, "b": -7]
    let g = try Formula(f.description)
    XCTAssertEqual(g.expression, f.expression)
    XCTAssertEqual(try g.evaluate(values), try f.evaluate(values), accuracy: 0)
  }

  private func parseError(_ text: String) -> FormulaParseError? {
    do {
      _ = try Formula(text)
      XCTFail("'\(text)' parsed but should not")
      return nil
    } catch let e as FormulaParseError {
      return e
    } catch {
      XCTFail("unexpected error \(error)")
      return nil
    }
  }

  func testParseErrors() throws {
    // (text, 0-based position, a phrase the 'expected' text contains, found)
    let cases: [(String, Int, String, String)] = [
      ("[PPO", 4, "']'", "end of formula"),
      ("1 +", 3, "a number, a [name]", "end of formula"),
      ("(1 + 2", 6, "')'", "end of formula"),
      ("1 2", 2, "an operator", "'2'"),
      ("[]", 1, "a name", "']'"),
      ("PPO - [TRPO]", 0, "square brackets", "'PPO'"),
      ("foo(1)", 0, "a function (abs, max, min, mean)", "'foo'"),
      ("max()", 4, "a number", "')'"),
      ("abs([A], [B])", 0, "abs to take 1 argument", "2 arguments"),
      ("max([A] [B])", 8, "',' or ')'", "'['"),
      ("1 $ 2", 2, "an operator", "'$'"),
      ("*3", 0, "a number", "'*'"),
      ("1e", 2, "exponent", "end of formula"),
      ("abs 2", 4, "'(' after 'abs'", "'2'"),
    ]
    for (text, position, expected, found) in cases {
      guard let e = parseError(text) else { continue }
      XCTAssertEqual(e.position, position, text)
      XCTAssertTrue(e.expected.contains(expected), "\(text): expected '\(e.expected)'")
      XCTAssertEqual(e.found, found, text)
      XCTAssertTrue(e.description.contains("column \(position + 1)"), e.description)
    }
  }

  func testEvaluationErrors() throws {
    XCTAssertThrowsError(try Formula("[PPO] - [TRPO]").evaluate(["PPO": 1])) {
      XCTAssertEqual($0 as? StatisticsError, .unknownName("TRPO"))
    }
    XCTAssertThrowsError(try Formula("1 / ([a] - [a])").evaluate(["a": 3])) {
      XCTAssertEqual($0 as? StatisticsError, .divisionByZero(formula: "1 / ([a] - [a])"))
    }
    XCTAssertThrowsError(try Formula("[a]").evaluate(["a": .infinity]))
    // A hand-built tree that the parser would have refused.
    XCTAssertThrowsError(try Formula(expression: .call(.max, [])).evaluate([:])) {
      XCTAssertEqual($0 as? StatisticsError, .wrongArgumentCount(function: "max", got: 0))
    }
  }

  func testInliningDefinitions() throws {
    let defs = ["AAI": try Formula(Table2.aai), "ACLI": try Formula(Table2.acli)]
    let f = try Formula("[ACLI] - [AAI]").inlining(defs)
    XCTAssertEqual(f.referencedNames, ["PPO", "PPO-M", "TRPO+", "TRPO"])
    // Walker2d: 557 - 242 = 315 (exact).
    XCTAssertEqual(try f.evaluate(Table2.means[0].cells), 315, accuracy: 0)
    let loop = ["A": try Formula("[B] + 1"), "B": try Formula("2 * [A]")]
    XCTAssertThrowsError(try Formula("[A]").inlining(loop)) {
      XCTAssertEqual($0 as? StatisticsError, .circularDefinition(["A", "B", "A"]))
    }
  }

  func testDerivedRowBootstrap() throws {
    // Constant cells at the printed means: every resample gives the printed
    // AAI / ACLI, so the CI is degenerate and exact (tolerance 0).
    let aai = try Formula(Table2.aai)
    for row in Table2.means {
      let cells = row.cells.mapValues { Array(repeating: $0, count: 80) }
      var b = Bootstrap(seed: 1, stream: "bootstrap/\(row.task)/AAI")
      let ci = try b.formulaCI(aai, cells: cells)
      XCTAssertEqual([ci.estimate, ci.low, ci.high], [row.aai, row.aai, row.aai], row.task)
    }
    // Noisy cells: the estimate is the formula on the sample means, inside its CI.
    var r = Xoshiro256(seed: 2, stream: "test-data")
    var cells: [String: [Double]] = [:]
    for (name, m) in [("PPO", 3292.0), ("PPO-M", 2735), ("TRPO", 2791), ("TRPO+", 3050)] {
      cells[name] = (0..<80).map { _ in m + 600 * r.nextNormal() }
    }
    var b = Bootstrap(seed: 1)
    let ci = try b.formulaCI(aai, cells: cells)
    let means = try cells.mapValues { try mean($0) }
    XCTAssertEqual(ci.estimate, try aai.evaluate(means), accuracy: 0)
    XCTAssertTrue(ci.low < ci.estimate && ci.estimate < ci.high)
    // Resampling order follows the sorted names, not the formula's spelling: same bits.
    var b1 = Bootstrap(seed: 7), b2 = Bootstrap(seed: 7)
    let c1 = try b1.formulaCI(try Formula("[TRPO] - [PPO]"), cells: cells)
    let c2 = try b2.formulaCI(try Formula("-[PPO] + [TRPO]"), cells: cells)
    XCTAssertEqual(c1.low.bitPattern, c2.low.bitPattern)
    XCTAssertEqual(c1.high.bitPattern, c2.high.bitPattern)
    // A referenced cell without samples is named in the error.
    var b3 = Bootstrap(seed: 7)
    XCTAssertThrowsError(try b3.formulaCI(try Formula("[PPO] - [A2C]"), cells: cells)) {
      XCTAssertEqual($0 as? StatisticsError, .unknownName("A2C"))
    }
  }
}

/// Formulas have a length and a depth limit when parsed, and a size limit once
/// their definitions are inlined, so that no formula overflows the stack (Issue 11).
final class FormulaLimitTests: XCTestCase {
  func parseError(_ text: String) -> FormulaParseError? {
    do {
      _ = try Formula(text)
      return nil
    } catch let e as FormulaParseError {
      return e
    } catch {
      XCTFail("unexpected \(error)")
      return nil
    }
  }

  func testTooLongIsRefused() throws {
    let long = Array(repeating: "[A]", count: 400).joined(separator: " + ")
    let e = try XCTUnwrap(parseError(long))
    XCTAssertEqual(e.expected, "a formula of at most 1000 characters")
    XCTAssertEqual(e.found, "\(long.count) characters")
    XCTAssertNoThrow(try Formula(Array(repeating: "[A]", count: 150).joined(separator: " + ")), "890 characters")
  }

  func testTooDeepIsRefusedWhateverNests() throws {
    let depth = Formula.maximumDepth
    for (open, close) in [("(", ")"), ("abs(", ")"), ("-", ""), ("max(1, ", ")")] {
      let ok = String(repeating: open, count: depth) + "[A]" + String(repeating: close, count: depth)
      XCTAssertNoThrow(try Formula(ok), "\(depth) levels of \(open)")
      let deep = String(repeating: open, count: depth + 1) + "[A]" + String(repeating: close, count: depth + 1)
      let e = try XCTUnwrap(parseError(deep), "\(depth + 1) levels of \(open)")
      XCTAssertTrue(e.expected.hasPrefix("at most 32 levels of nesting"), e.description)
    }
    // Claims parse through the same parser.
    XCTAssertThrowsError(try Claim(String(repeating: "(", count: 40) + "[A]" + String(repeating: ")", count: 40) + " > [B]"))
  }

  func testDefinitionsThatGrowExponentiallyAreRefusedWhenInlined() throws {
    var definitions: [String: Formula] = ["D0": try Formula("[A] + [B]")]
    for i in 1...20 { definitions["D\(i)"] = try Formula("[D\(i - 1)] + [D\(i - 1)]") }
    XCTAssertNoThrow(try Formula("[D10]").inlining(definitions), "about 4000 terms")
    XCTAssertThrowsError(try Formula("[D20]").inlining(definitions)) { e in
      guard case StatisticsError.formulaTooLarge = e else { return XCTFail("\(e)") }
    }
  }

  func testConstantZeroDivisorsAreFound() throws {
    XCTAssertEqual(try Formula("[A] / 0").divisionsByConstantZero, ["([A] / 0)"])
    XCTAssertEqual(try Formula("[A] / (2 - 2 * 1)").divisionsByConstantZero, ["([A] / (2 - (2 * 1)))"])
    XCTAssertEqual(try Formula("abs([A] / min(0, 3))").divisionsByConstantZero, ["([A] / min(0, 3))"])
    XCTAssertEqual(try Formula("[A] / ([B] - [B])").divisionsByConstantZero, [], "data-dependent: a report-time n/a")
    XCTAssertEqual(try Formula("[A] / 2").divisionsByConstantZero, [])
  }
}
