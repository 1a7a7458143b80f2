import Statistics
import XCTest

final class NoiseFloorTests: XCTestCase {
  func testHalfNormalByHand() throws {
    // |mean_a − mean_b| with all means equal is |N(0, τ²)|, τ² = sd_a²/n_a + sd_b²/n_b
    // = 9/4 + 16/16 = 3.25: a half-normal, median τ·Φ⁻¹(0.75) = 0.6744897501960817·τ,
    // 95th percentile τ·Φ⁻¹(0.975) = 1.959963984540054·τ.
    // Tolerance 4 Monte Carlo standard errors of a sample quantile at R = 20000,
    // √(p(1−p)/R)/f(q) with the half-normal density f(q) = 2φ(q/τ)/τ:
    // median 0.0056·τ → 0.0223·τ; 95th percentile 0.0132·τ → 0.053·τ.
    let tau = (3.25).squareRoot()
    let cells = [
      "a": CellSummary(count: 4, mean: 123, standardDeviation: 3),
      "b": CellSummary(count: 16, mean: -7, standardDeviation: 4),
    ]
    let f = try noiseFloor(of: Formula("abs([a] - [b])"), cells: cells, replicates: 20_000, seed: 1)
    XCTAssertEqual(f.median, 0.6744897501960817 * tau, accuracy: 0.0223 * tau)
    XCTAssertEqual(f.percentile95, 1.959963984540054 * tau, accuracy: 0.053 * tau)
    XCTAssertEqual(f.replicates, 20_000)
  }

  func testDeterminismAndCommonMean() throws {
    let aai = try Formula(Table2.aai)
    let cells = [
      "PPO": CellSummary(count: 5, mean: 3292, standardDeviation: 400),
      "PPO-M": CellSummary(count: 5, mean: 2735, standardDeviation: 300),
      "TRPO": CellSummary(count: 4, mean: 2791, standardDeviation: 350),
      "TRPO+": CellSummary(count: 6, mean: 3050, standardDeviation: 250),
    ]
    let a = try noiseFloor(of: aai, cells: cells, seed: 7)
    let b = try noiseFloor(of: aai, cells: cells, seed: 7)
    XCTAssertEqual(a, b)  // same seed: same bits
    XCTAssertNotEqual(a, try noiseFloor(of: aai, cells: cells, seed: 8))
    XCTAssertGreaterThan(a.median, 0)
    XCTAssertGreaterThan(a.percentile95, a.median)
    // A formula of differences does not depend on the common mean (up to the
    // rounding of values near 3000: tolerance 1e-9 relative).
    let shifted = try noiseFloor(of: aai, cells: cells, commonMean: 3000, seed: 7)
    XCTAssertEqual(shifted.median, a.median, accuracy: 1e-9 * 3000)
    XCTAssertEqual(shifted.percentile95, a.percentile95, accuracy: 1e-9 * 3000)
    XCTAssertThrowsError(try noiseFloor(of: aai, cells: ["PPO": XCTUnwrap(cells["PPO"])], seed: 1))
    XCTAssertThrowsError(try noiseFloor(of: aai, cells: cells, replicates: 0, seed: 1))
  }
}
