import Foundation
import ReproRandom
import Statistics
import XCTest

/// Calibration of the verdict methods by simulation on null data.
///
/// Nominal rates: a 95% two-sided interval; a false "reproduced" verdict needs
/// the whole interval on the claimed side of a true difference of 0 (or less),
/// so its nominal rate is 2.5%; coverage is 95%.
///
/// Monte Carlo tolerance: 3 binomial standard errors at the nominal rate and
/// `replicates` replicates: 3·√(0.025·0.975/20000) = 0.0033 for false rates,
/// 3·√(0.95·0.05/20000) = 0.0046 for coverage. A method exactly at nominal
/// fails one given check with probability 0.13%.
final class CalibrationTests: XCTestCase {
  static let replicates = 20_000
  static let grid = [3, 5, 10, 20, 40]
  static let nominalFalse = 0.025
  static let nominalCoverage = 0.95
  static func tolerance(_ p: Double, _ r: Int) -> Double { 3 * (p * (1 - p) / Double(r)).squareRoot() }

  /// A cell's distribution in a scenario.
  enum Cell {
    case normal(mean: Double, sd: Double)
    /// Gamma(shape 2, scale 1): the sum of two Exp(1); mean 2, sd √2, skewness √2.
    case gamma2
    /// exp(N(0, σ²)): mean exp(σ²/2); skewness 6.2 at σ = 1.
    case lognormal(sigma: Double)

    func draw(_ r: inout Xoshiro256) -> Double {
      switch self {
      case .normal(let m, let s): return m + s * r.nextNormal()
      case .gamma2:
        var u1 = r.nextDouble(), u2 = r.nextDouble()
        while u1 == 0 { u1 = r.nextDouble() }
        while u2 == 0 { u2 = r.nextDouble() }
        return -log(u1) - log(u2)
      case .lognormal(let s): return exp(s * r.nextNormal())
      }
    }

    var mean: Double {
      switch self {
      case .normal(let m, _): return m
      case .gamma2: return 2
      case .lognormal(let s): return exp(s * s / 2)
      }
    }

    var isNormal: Bool { if case .normal = self { return true } else { return false } }
  }

  struct Scenario {
    var name: String
    var claim: String
    /// Distributions in the order of the claim's `cells` (sorted names).
    var cells: [Cell]
    /// The true `left − right` (0 or below: "reproduced" is false).
    var truth: Double
    /// Asserted (true) or shown as a known limitation (false).
    var asserted: Bool
  }

  static func acliOverAAI() throws -> Claim {
    let defs = ["AAI": try Formula(Table2.aai), "ACLI": try Formula(Table2.acli)]
    return try Claim("[ACLI] > [AAI]").inlining(defs)
  }

  static let scenarios: [Scenario] = [
    Scenario(name: "normal, equal sd", claim: "[A] > [B]",
             cells: [.normal(mean: 0, sd: 1), .normal(mean: 0, sd: 1)], truth: 0, asserted: true),
    Scenario(name: "normal, sd ratio 3", claim: "[A] > [B]",
             cells: [.normal(mean: 0, sd: 3), .normal(mean: 0, sd: 1)], truth: 0, asserted: true),
    Scenario(name: "gamma(2), both cells", claim: "[A] > [B]", cells: [.gamma2, .gamma2], truth: 0, asserted: true),
    Scenario(name: "lognormal(1), both cells", claim: "[A] > [B]",
             cells: [.lognormal(sigma: 1), .lognormal(sigma: 1)], truth: 0, asserted: true),
    Scenario(name: "abs([A]-[B]) > 0, normal", claim: "abs([A] - [B]) > 0",
             cells: [.normal(mean: 0, sd: 1), .normal(mean: 0, sd: 1)], truth: 0, asserted: true),
    // An empty claim stands for ACLI > AAI (inlined); cells in sorted order: PPO, PPO-M, TRPO, TRPO+.
    Scenario(name: "ACLI > AAI, equal means", claim: "",
             cells: Array(repeating: .normal(mean: 0, sd: 1), count: 4), truth: 0, asserted: true),
    // PPO = 1, the rest 0: ACLI = max(1, 0) = AAI = max(1, 0) = 1, the claim just false.
    Scenario(name: "ACLI > AAI, boundary", claim: "",
             cells: [.normal(mean: 1, sd: 1)] + Array(repeating: .normal(mean: 0, sd: 1), count: 3), truth: 0,
             asserted: true),
    // Beyond the brief, a known limitation: a right-skewed cell against a normal
    // one with the same mean and sd. Welch's t is first-order wrong in one tail.
    Scenario(name: "gamma(2) vs normal [A]<[B]", claim: "[A] < [B]",
             cells: [.gamma2, .normal(mean: 2, sd: 2.0.squareRoot())], truth: 0, asserted: false),
  ]

  struct Row {
    var scenario: Scenario
    var n: Int
    var falseRate: Double
    var coverage: Double
    var cellCoverage: Double
  }

  /// Simulates one scenario at `n` runs per cell.
  static func simulate(_ s: Scenario, n: Int, replicates: Int) throws -> Row {
    let claim = try CalibratedClaim(s.claim.isEmpty ? acliOverAAI() : Claim(s.claim))
    precondition(claim.cells.count == s.cells.count)
    var r = Xoshiro256(seed: 2020, stream: "calibration/\(s.name)/n=\(n)")
    var falseHits = 0, covered = 0, cellCovered = 0
    var x = [Double](repeating: 0, count: n)
    var summaries = [CellSummary](repeating: CellSummary(count: 0, mean: 0, variance: 0), count: s.cells.count)
    for _ in 0..<replicates {
      for (k, cell) in s.cells.enumerated() {
        for i in 0..<n { x[i] = cell.draw(&r) }
        summaries[k] = try CellSummary(x)
        if k == 0, try oneSampleTInterval(x).interval.contains(cell.mean) { cellCovered += 1 }
      }
      let j = try claim.judge(alignedSummaries: summaries, level: 0.95, minimumRuns: 2)
      if j.verdict == .reproduced { falseHits += 1 }
      if let d = j.difference, d.contains(s.truth) { covered += 1 }
    }
    let R = Double(replicates)
    return Row(scenario: s, n: n, falseRate: Double(falseHits) / R, coverage: Double(covered) / R,
               cellCoverage: Double(cellCovered) / R)
  }

  func testCalibrationTable() throws {
    let R = Self.replicates
    let tolFalse = Self.tolerance(Self.nominalFalse, R), tolCoverage = Self.tolerance(Self.nominalCoverage, R)
    var rows: [Row] = []
    for s in Self.scenarios {
      for n in Self.grid { rows.append(try Self.simulate(s, n: n, replicates: R)) }
    }
    func verdictOK(_ row: Row) -> Bool {
      row.falseRate <= Self.nominalFalse + tolFalse && row.coverage >= Self.nominalCoverage - tolCoverage
    }
    func cellOK(_ row: Row) -> Bool { row.cellCoverage >= Self.nominalCoverage - tolCoverage }

    var log = "Calibration on null data, \(R) replicates per row; nominal false \"reproduced\" 0.025 "
      + "(tolerance +\(String(format: "%.4f", tolFalse))), coverage 0.95 (tolerance -\(String(format: "%.4f", tolCoverage))).\n"
    log += "cell cov: one-sample t 95% CI of the first cell's mean.  * = outside tolerance.\n"
    log += "scenario                          n  method                                                     false rep.  coverage  cell cov.\n"
    for row in rows {
      let method = try CalibratedClaim(row.scenario.claim.isEmpty ? Self.acliOverAAI() : Claim(row.scenario.claim)).method
      let f = String(format: "%.4f%@", row.falseRate, row.falseRate <= Self.nominalFalse + tolFalse ? " " : "*")
      let c = String(format: "%.4f%@", row.coverage, row.coverage >= Self.nominalCoverage - tolCoverage ? " " : "*")
      let cc = String(format: "%.4f%@", row.cellCoverage, cellOK(row) ? " " : "*")
      log += row.scenario.name.padding(toLength: 31, withPad: " ", startingAt: 0)
        + String(format: "%4d", row.n) + "   "
        + method.description.padding(toLength: 58, withPad: " ", startingAt: 0) + " " + f + "     " + c + "   " + cc
        + (row.scenario.asserted ? "" : "  (limitation, not asserted)") + "\n"
    }

    // Skewed cells' one-cell coverage beyond the grid (it is what a literal
    // reading of the minimum-n rule would hinge on; see minimumRunsPerCell).
    log += "one-cell t CI coverage of skewed cells at larger n:\n"
    for (name, cell) in [("gamma(2)", Cell.gamma2), ("lognormal(1)", .lognormal(sigma: 1))] {
      for n in [80, 160] {
        let s = Scenario(name: name, claim: "[A] > [B]", cells: [cell, cell], truth: 0, asserted: false)
        let row = try Self.simulate(s, n: n, replicates: R)
        log += "  \(name) n = \(n): \(String(format: "%.4f", row.cellCoverage))\n"
      }
    }

    // The minimum n: the smallest grid n from which on every asserted
    // scenario's verdict passes and the one-cell CI passes for normal cells.
    var derived: Int? = nil
    for n in Self.grid.reversed() {
      let ok = rows.filter { $0.n >= n && $0.scenario.asserted }.allSatisfy {
        verdictOK($0) && (!$0.scenario.cells[0].isNormal || cellOK($0))
      }
      if ok { derived = n } else { break }
    }
    log += "minimumRunsPerCell derived from this table: \(derived.map(String.init) ?? "none") "
      + "(constant: \(minimumRunsPerCell))\n"
    print(log)

    // Assertions: every verdict method, every asserted scenario, every n ≥ minimumRunsPerCell.
    for row in rows where row.scenario.asserted && row.n >= minimumRunsPerCell {
      XCTAssertLessThanOrEqual(row.falseRate, Self.nominalFalse + tolFalse, "\(row.scenario.name) n=\(row.n)")
      XCTAssertGreaterThanOrEqual(row.coverage, Self.nominalCoverage - tolCoverage, "\(row.scenario.name) n=\(row.n)")
      if row.scenario.cells[0].isNormal {
        XCTAssertGreaterThanOrEqual(row.cellCoverage, Self.nominalCoverage - tolCoverage, "\(row.scenario.name) n=\(row.n)")
      }
    }
    XCTAssertEqual(derived, minimumRunsPerCell, "minimumRunsPerCell must be the n this table supports")
    // Known limitations, asserted as characterisations so that a change shows:
    // skewed cells' one-cell t CI undercovers at every grid n (gamma(2): about
    // 0.92 at n ≤ 10, 0.94 at n = 40), and a skewed cell against a normal one
    // gives a false rate between 2.5% and 5%.
    for row in rows where !row.scenario.cells[0].isNormal {
      XCTAssertLessThan(row.cellCoverage, Self.nominalCoverage - tolCoverage, "\(row.scenario.name) n=\(row.n)")
    }
    for row in rows where !row.scenario.asserted {
      XCTAssertLessThan(row.falseRate, 0.05, "\(row.scenario.name) n=\(row.n)")
    }
  }

  func testPercentileBootstrapFailsAtThreeRuns() throws {
    // The rule this module replaces: Bootstrap.judge (percentile bootstrap,
    // 1000 resamples, 95%). On normal null data at n = 3 its false
    // "reproduced" rate must exceed nominal + tolerance, so the calibration
    // check above is known to be able to fail. 2000 replicates: tolerance
    // 3·√(0.025·0.975/2000) = 0.0105.
    let R = 2000
    let tol = Self.tolerance(Self.nominalFalse, R)
    let claim = try Claim("[A] > [B]")
    let calibrated = try CalibratedClaim(claim)
    var r = Xoshiro256(seed: 2020, stream: "calibration/bootstrap/n=3")
    var bootstrapFalse = 0, welchFalse = 0, bootstrapCellCovered = 0
    for i in 0..<R {
      let a = (0..<3).map { _ in r.nextNormal() }, b = (0..<3).map { _ in r.nextNormal() }
      var boot = Bootstrap(seed: 2020, stream: "calibration/bootstrap/\(i)")
      if try boot.judge(claim, cells: ["A": a, "B": b]).verdict == .reproduced { bootstrapFalse += 1 }
      if try boot.meanCI(a).contains(0) { bootstrapCellCovered += 1 }
      if try calibrated.judge(cells: ["A": a, "B": b], minimumRuns: 2).verdict == .reproduced { welchFalse += 1 }
    }
    let rate = Double(bootstrapFalse) / Double(R)
    print(String(format: "percentile bootstrap at n = 3 (normal, equal sd, %d replicates): false \"reproduced\" %.4f, "
                 + "cell CI coverage %.4f; Welch t on the same data: false %.4f", R, rate,
                 Double(bootstrapCellCovered) / Double(R), Double(welchFalse) / Double(R)))
    XCTAssertGreaterThan(rate, Self.nominalFalse + tol)
    XCTAssertLessThanOrEqual(Double(welchFalse) / Double(R), Self.nominalFalse + tol)
  }
}
