import Foundation
import ReproRandom
import Statistics
import XCTest

/// Calibration of the two-cell verdict methods on RL-shaped data (issue 24):
/// a cluster of failed runs, a left skew and unequal spreads, in the claimed-
/// better cell or in the other one, at n = 3, 5, 10, 25 runs per cell.
///
/// Each method is simulated at its own null: Welch t (claims on means) with the
/// two cells' means equal; Brunner–Munzel (P(X > Y)) with P(A > B) = ½ exactly
/// (the normal cell's mean solved for it). The claim is `[A] > [B]`; a false
/// "reproduced" has nominal rate 2.5%.
///
/// Size: `REPRO_CALIBRATION_REPLICATES` experiments per row (default 20,000, the
/// size `make test` runs; BENCHMARKS.md's table used 200,000:
/// `REPRO_CALIBRATION_REPLICATES=200000 swift test -c release --filter RLShapedCalibrationTests`).
/// Tolerance: 3 binomial standard errors at 2.5%. A row listed in `declared`
/// is a place where the method does not hold (BENCHMARKS.md says so, and a
/// report flags a line whose verdict depends on the method); every other row is
/// asserted to hold.
final class RLShapedCalibrationTests: XCTestCase {
  static let grid = [3, 5, 10, 25]
  static let nominal = 0.025
  static var replicates: Int {
    ProcessInfo.processInfo.environment["REPRO_CALIBRATION_REPLICATES"].flatMap(Int.init) ?? 20_000
  }

  enum Shape: String, CaseIterable {
    /// 80% of runs succeed, N(3000, 300²); 20% fail, N(800, 200²). Mean 2560.
    case failureMixture = "failure mixture (20% at a low score)"
    /// `μ − 300·(G − 2)/√2`, G ~ Gamma(2): sd 300, skewness −√2.
    case leftSkew = "left skew (mirrored gamma(2))"
    /// N(μ, 900²): three times the other cell's spread.
    case wideSpread = "unequal spread (sd ratio 3)"

    /// One draw, centred so that the shape's mean is `mean`.
    func draw(mean: Double, _ r: inout Xoshiro256) -> Double {
      switch self {
      case .failureMixture:
        return r.nextDouble() < 0.2 ? 800 + 200 * r.nextNormal() + (mean - 2560) : 3000 + 300 * r.nextNormal() + (mean - 2560)
      case .leftSkew:
        var u1 = r.nextDouble(), u2 = r.nextDouble()
        while u1 == 0 { u1 = r.nextDouble() }
        while u2 == 0 { u2 = r.nextDouble() }
        return mean - 300 * (-log(u1) - log(u2) - 2) / 2.0.squareRoot()
      case .wideSpread:
        return mean + 900 * r.nextNormal()
      }
    }

    /// P(S > N(b, 300²)) for the shape S at mean 0.
    func superiority(over b: Double) -> Double {
      let s = 300.0
      switch self {
      case .failureMixture:
        return 0.8 * normalCDF((3000 - 2560 - b) / (s * s + 300 * 300).squareRoot())
          + 0.2 * normalCDF((800 - 2560 - b) / (s * s + 200 * 200).squareRoot())
      case .wideSpread:
        return normalCDF(-b / (900 * 900 + s * s).squareRoot())
      case .leftSkew:
        // E_G[Φ((−300(G − 2)/√2 − b)/300)], G ~ Gamma(2) (density g·e^−g), Simpson's rule on [0, 60].
        let m = 6000, h = 60.0 / Double(m)
        var sum = 0.0
        for i in 0...m {
          let g = Double(i) * h
          let f = g * exp(-g) * normalCDF((-300 * (g - 2) / 2.0.squareRoot() - b) / s)
          sum += f * (i == 0 || i == m ? 1 : (i % 2 == 1 ? 4 : 2))
        }
        return sum * h / 3
      }
    }

    /// The mean `b` of the normal cell N(b, 300²) with P(S > N) = ½ (bisection; P falls as b rises).
    var stochasticNullMean: Double {
      var lo = -5000.0, hi = 5000.0
      for _ in 0..<100 {
        let mid = (lo + hi) / 2
        if superiority(over: mid) > 0.5 { lo = mid } else { hi = mid }
      }
      return (lo + hi) / 2
    }
  }

  enum Method: String, CaseIterable {
    case welch = "Welch t (means)"
    case brunnerMunzel = "Brunner–Munzel (P(X > Y))"
  }

  struct Row {
    var method: Method
    var shape: Shape
    /// The shape is in the claimed-better cell A (else in B, the other cell normal N(·, 300²)).
    var inBetter: Bool
    var n: Int
    var rate: Double
  }

  /// Where a method does not hold its nominal rate (from the 200,000-replicate
  /// table in BENCHMARKS.md; its rate there exceeds 2.5% + 3 SE = 0.0260).
  /// Welch's t on the means does not hold when the claimed-better cell has the
  /// failure cluster (0.050–0.166) or the left skew (0.030–0.036), at every n of
  /// the grid, nor, narrowly, at n = 5 with the wider spread there (0.0261);
  /// Brunner–Munzel does not hold, narrowly, at n = 5 with the failure cluster or
  /// the wider spread in the claimed-better cell (0.0263, 0.0261). At n = 3
  /// Brunner–Munzel never reproduces (its interval is too wide, or absent).
  static let declared: Set<String> = Set(
    grid.flatMap { n in [key(.welch, .failureMixture, true, n), key(.welch, .leftSkew, true, n)] }
      + [key(.welch, .wideSpread, true, 5), key(.brunnerMunzel, .failureMixture, true, 5),
         key(.brunnerMunzel, .wideSpread, true, 5)])

  static func key(_ m: Method, _ s: Shape, _ inBetter: Bool, _ n: Int) -> String {
    "\(m.rawValue)|\(s.rawValue)|\(inBetter ? "A" : "B")|\(n)"
  }

  static func simulate(_ m: Method, _ shape: Shape, inBetter: Bool, n: Int, replicates: Int) throws -> Row {
    // The normal cell's mean at the method's null (the shaped cell has mean 0).
    let normalMean: Double
    switch m {
    case .welch: normalMean = 0
    case .brunnerMunzel: normalMean = shape.stochasticNullMean
    }
    let claim = try CalibratedClaim(Claim("[A] > [B]"))
    var r = Xoshiro256(seed: 2024, stream: "rl-calibration/\(m)/\(shape)/\(inBetter)/n=\(n)")
    var hits = 0
    var shaped = [Double](repeating: 0, count: n), normal = shaped
    for _ in 0..<replicates {
      for i in 0..<n { shaped[i] = shape.draw(mean: 0, &r) }
      for i in 0..<n { normal[i] = normalMean + 300 * r.nextNormal() }
      let (a, b) = inBetter ? (shaped, normal) : (normal, shaped)
      switch m {
      case .welch:
        let j = try claim.judge(alignedSummaries: [CellSummary(a), CellSummary(b)], level: 0.95, minimumRuns: 2)
        if j.verdict == .reproduced { hits += 1 }
      case .brunnerMunzel:
        if let t = try brunnerMunzel(a, b, level: 0.95), Verdict(superiority: t.interval, relation: .greaterThan) == .reproduced {
          hits += 1
        }
      }
    }
    return Row(method: m, shape: shape, inBetter: inBetter, n: n, rate: Double(hits) / Double(replicates))
  }

  func testRLShapedCalibrationTable() throws {
    let R = Self.replicates
    let se = (Self.nominal * (1 - Self.nominal) / Double(R)).squareRoot()
    var rows: [Row] = []
    for m in Method.allCases {
      for s in Shape.allCases {
        for inBetter in [true, false] {
          for n in Self.grid { rows.append(try Self.simulate(m, s, inBetter: inBetter, n: n, replicates: R)) }
        }
      }
    }
    var table = "RL-shaped calibration, claim [A] > [B] at each method's null, \(R) experiments per entry; "
      + String(format: "Monte Carlo SE at 2.5%%: %.5f; an entry is marked * above 0.025 + 3 SE = %.4f.\n", se, Self.nominal + 3 * se)
    table += "| method | shape | in | false \"reproduced\", n = " + Self.grid.map(String.init).joined(separator: " / ") + " |\n"
    table += "|---|---|---|---|\n"
    for m in Method.allCases {
      for s in Shape.allCases {
        for inBetter in [true, false] {
          let cells = rows.filter { $0.method == m && $0.shape == s && $0.inBetter == inBetter }.map { row in
            String(format: "%.4f", row.rate) + (row.rate > Self.nominal + 3 * se ? "*" : "")
          }
          table += "| \(m.rawValue) | \(s.rawValue) | \(inBetter ? "claimed-better cell" : "other cell") | "
            + cells.joined(separator: " / ") + " |\n"
        }
      }
    }
    table += "Declared (not asserted): " + Self.declared.sorted().joined(separator: "; ") + "\n"
    print(table)
    for row in rows where !Self.declared.contains(Self.key(row.method, row.shape, row.inBetter, row.n)) {
      XCTAssertLessThanOrEqual(row.rate, Self.nominal + 3 * se, Self.key(row.method, row.shape, row.inBetter, row.n))
    }
  }
}
