// Draws used by the simulations of this module (planner, power), from a
// passed-in Xoshiro256 only.

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
import ReproRandom

/// A Gamma(shape, 1) variate by Marsaglia & Tsang (2000), "A simple method for
/// generating gamma variables", ACM TOMS 26(3); for shape < 1 the boost
/// `Gamma(shape + 1)·U^(1/shape)` (their §6). Draws normals and uniforms from `rng` in order.
func gammaVariate(shape: Double, _ rng: inout Xoshiro256) -> Double {
  if shape < 1 {
    let g = gammaVariate(shape: shape + 1, &rng)
    var u = rng.nextDouble()
    while u == 0 { u = rng.nextDouble() }
    return g * pow(u, 1 / shape)
  }
  let d = shape - 1.0 / 3
  let c = 1 / (9 * d).squareRoot()
  while true {
    var x: Double
    var v: Double
    repeat {
      x = rng.nextNormal()
      v = 1 + c * x
    } while v <= 0
    v = v * v * v
    let u = rng.nextDouble()
    if u < 1 - 0.0331 * (x * x) * (x * x) { return d * v }
    if u > 0 && log(u) < 0.5 * x * x + d * (1 - v + log(v)) { return d * v }
  }
}

/// The sample mean and sample variance of `n ≥ 2` independent `N(mean, sd²)`
/// runs, drawn from their exact joint law: independent, the mean
/// `N(mean, sd²/n)` and the variance `sd²·χ²_{n−1}/(n−1)`, with
/// `χ²_k = 2·Gamma(k/2)` (Cochran's theorem). One normal, then one gamma draw.
func normalCellSummary(n: Int, mean: Double, sd: Double, _ rng: inout Xoshiro256) -> CellSummary {
  let m = mean + sd / Double(n).squareRoot() * rng.nextNormal()
  let k = Double(n - 1)
  let chi2 = 2 * gammaVariate(shape: k / 2, &rng)
  return CellSummary(count: n, mean: m, variance: sd * sd * chi2 / k)
}
