// How many runs per cell a claim needs: the smallest n at which the claim's
// calibrated verdict method reaches a target power, with a pilot's means and
// standard deviations taken as the truth.

import ReproRandom

/// The outcome of planning runs per cell for one claim.
public struct RunPlan: Equatable, Sendable {
  /// The smallest runs per cell (≥ `max(2, minimumRuns)`) at which the power
  /// reaches the target; nil when none up to the cap does, or the claim cannot be planned.
  public var runsPerCell: Int?
  /// The verdict whose power is planned: `.reproduced` when the pilot's
  /// `left − right` is on the claimed side of 0, `.contradicted` when on the other;
  /// nil when it is exactly 0 or the claim has no calibrated method.
  public var target: Verdict?
  /// The power at `runsPerCell` (or at the cap when not decidable within it),
  /// computed by `method`; nil when nothing was computed.
  public var power: Double?
  /// How the power was computed.
  public var method: String
  /// Why there is no `runsPerCell`; nil when there is one.
  public var reason: String?

  public init(runsPerCell: Int?, target: Verdict?, power: Double?, method: String, reason: String?) {
    self.runsPerCell = runsPerCell
    self.target = target
    self.power = power
    self.method = method
    self.reason = reason
  }
}

/// Plans runs per cell for `claim` from pilot data.
///
/// Every cell gets the same n. The truth is taken to be the pilot: cell `i`'s
/// runs are `N(pilot mean_i, pilot sd_i²)`. The power of `n` is the
/// probability that the claim's calibrated verdict at `level` (see
/// `CalibratedClaim`) is `target`.
///
/// - Linear claims (`.welch`): closed form. With `Δ = k + Σ c_i·μ_i`,
///   `V = Σ c_i²σ_i²`, `SE(n) = √(V/n)` and Welch–Satterthwaite
///   `ν(n) = (n−1)·V²/Σ (c_i²σ_i²)²`, the power is the shifted-central-t
///   approximation `P(T_ν > t_{1−α/2, ν} − |Δ|/SE(n))`, increasing in `n`; the
///   smallest `n` with power ≥ `power` is found by bisection. This is the
///   textbook `n ≥ (t_{1−α/2,ν} + t_{power,ν})²·V/Δ²`, i.e. the normal formula
///   `(z_{1−α/2} + z_{power})²·V/Δ²` (e.g. Chow, Shao & Wang, *Sample Size
///   Calculations in Clinical Research*, §3.2) refined by t quantiles.
/// - Composite claims: Monte Carlo. The power at `n` is the fraction of
///   `replicates` simulated experiments (cell summaries drawn from their exact
///   normal-theory law, `normalCellSummary`) judged `target`, each `n` on its own
///   stream `"plan/n=<n>"` under `seed`, so the power of an `n` does not depend
///   on the search path. Candidates: the minimum, then doubling up to the cap,
///   then bisection between the last failing and first passing `n`. Monte Carlo
///   error of a power near 0.8 is about `0.4/√replicates` (0.009 at 2000).
///
/// Not decidable: a pilot difference of exactly 0, no calibrated method, no
/// spread in the pilot, or power below target at `cap`.
/// - Parameters:
///   - pilot: each cell's pilot mean and variance (`count` is not used).
///   - power: target power in (0, 1), e.g. 0.8.
///   - cap: the most runs per cell to consider.
/// - Throws: `StatisticsError` for a missing cell, non-finite pilot values, a
///   level or power outside (0, 1), or a cap below the minimum.
public func planRunsPerCell(
  for claim: CalibratedClaim, pilot: [String: CellSummary], level: Double = 0.95, power: Double = 0.8,
  cap: Int = 1000, minimumRuns: Int = minimumRunsPerCell, replicates: Int = 2000, seed: UInt64 = 0
) throws -> RunPlan {
  guard level > 0 && level < 1 else { throw StatisticsError.invalidConfidenceLevel(level) }
  guard power > 0 && power < 1 else { throw StatisticsError.invalidArgument("planner: power \(power) is outside (0, 1)") }
  guard replicates >= 1 else { throw StatisticsError.invalidResampleCount(replicates) }
  let nMin = Swift.max(2, minimumRuns)
  guard cap >= nMin else { throw StatisticsError.invalidArgument("planner: cap \(cap) is below the minimum \(nMin) runs per cell") }
  let truth = try alignedPilot(claim, pilot)
  let alpha = 1 - level

  switch claim.method {
  case .unavailable(let reason):
    return RunPlan(runsPerCell: nil, target: nil, power: nil, method: claim.method.description,
                   reason: "no calibrated method: \(reason)")
  case .exact:
    let d = claim.contrasts[0].constant
    let target: Verdict? = d == 0 ? nil : ((d > 0) == (claim.claim.relation == .greaterThan) ? .reproduced : .contradicted)
    return RunPlan(runsPerCell: target == nil ? nil : nMin, target: target, power: target == nil ? nil : 1,
                   method: claim.method.description, reason: target == nil ? "left − right is exactly 0" : nil)
  case .welch, .bonferroniIntervalArithmetic:
    break
  }

  let difference = pilotDifference(claim, truth)
  guard difference != 0 else {
    return RunPlan(runsPerCell: nil, target: nil, power: nil, method: claim.method.description,
                   reason: "the pilot's left − right is exactly 0: no n decides it")
  }
  let target: Verdict = (difference > 0) == (claim.claim.relation == .greaterThan) ? .reproduced : .contradicted

  if claim.method == .welch {
    let c = claim.contrasts[0].coefficients
    var v = 0.0, v2 = 0.0
    for (ci, s) in zip(c, truth) where ci != 0 {
      let w = ci * ci * s.variance
      v += w
      v2 += w * w
    }
    let method = "closed form: Welch t power by the shifted central t"
    guard v > 0 else {
      return RunPlan(runsPerCell: nil, target: target, power: nil, method: method,
                     reason: "the pilot has no spread in the cells of the claim")
    }
    func powerAt(_ n: Int) -> Double {
      let se = (v / Double(n)).squareRoot()
      let df = Double(n - 1) * v * v / v2
      let shift = tUpperQuantile(alpha / 2, df) - Swift.abs(difference) / se
      return shift >= 0 ? tUpperTail(shift, df) : 1 - tUpperTail(-shift, df)
    }
    return search(nMin: nMin, cap: cap, target: target, goal: power, method: method, powerAt)
  }

  let method = "Monte Carlo: \(replicates) simulated experiments per candidate n, \(claim.method)"
  return search(nMin: nMin, cap: cap, target: target, goal: power, method: method) { n in
    simulatedPowerUnchecked(claim, truth, n: n, target: target, alpha: alpha, replicates: replicates,
                            seed: seed, stream: "plan/n=\(n)")
  }
}

/// The power of `claim`'s calibrated verdict by simulation: the fraction of
/// `replicates` experiments with `runsPerCell` normal runs per cell (true
/// means and sds from `truth`) whose verdict at `level` is `target`.
///
/// Cell summaries are drawn from their exact normal-theory law (mean and
/// variance independent, `N(μ, σ²/n)` and `σ²χ²_{n−1}/(n−1)`), cells in the
/// claim's `cells` order, from `Xoshiro256(seed: seed, stream: stream)`.
/// Verdicts below `minimumRunsPerCell` are simulated too (the minimum is not applied).
/// - Throws: `StatisticsError` for a missing cell, non-finite values,
///   `runsPerCell < 2`, a bad level or replicate count.
public func simulatedPower(
  of claim: CalibratedClaim, truth: [String: CellSummary], runsPerCell n: Int, target: Verdict,
  level: Double = 0.95, replicates: Int = 2000, seed: UInt64, stream: String = "power"
) throws -> Double {
  guard level > 0 && level < 1 else { throw StatisticsError.invalidConfidenceLevel(level) }
  guard replicates >= 1 else { throw StatisticsError.invalidResampleCount(replicates) }
  guard n >= 2 else { throw StatisticsError.invalidArgument("simulated power: \(n) runs per cell; at least 2 are needed") }
  let aligned = try alignedPilot(claim, truth)
  return simulatedPowerUnchecked(claim, aligned, n: n, target: target, alpha: 1 - level,
                                 replicates: replicates, seed: seed, stream: stream)
}

func simulatedPowerUnchecked(
  _ claim: CalibratedClaim, _ truth: [CellSummary], n: Int, target: Verdict, alpha: Double,
  replicates: Int, seed: UInt64, stream: String
) -> Double {
  var rng = Xoshiro256(seed: seed, stream: stream)
  var hits = 0
  var summaries = truth
  for _ in 0..<replicates {
    for i in truth.indices {
      summaries[i] = normalCellSummary(n: n, mean: truth[i].mean, sd: truth[i].standardDeviation, &rng)
    }
    if claim.judge(summaries, alpha: alpha, minimumRuns: 2).verdict == target { hits += 1 }
  }
  return Double(hits) / Double(replicates)
}

/// The pilot's summaries in the order of `claim.cells`, validated.
private func alignedPilot(_ claim: CalibratedClaim, _ pilot: [String: CellSummary]) throws -> [CellSummary] {
  try claim.cells.map { name in
    guard let s = pilot[name] else { throw StatisticsError.unknownName(name) }
    guard s.mean.isFinite, s.variance.isFinite, s.variance >= 0 else { throw StatisticsError.nonFiniteValue(name, index: 0) }
    return s
  }
}

/// `left − right` at the given cell means (through the claim's contrasts).
func pilotDifference(_ claim: CalibratedClaim, _ truth: [CellSummary]) -> Double {
  let values = claim.contrasts.map { c -> Double in
    var v = c.constant
    for (ci, s) in zip(c.coefficients, truth) where ci != 0 { v += ci * s.mean }
    return v
  }
  return claim.root?.value(values) ?? values[0]
}

/// The smallest n in [nMin, cap] with `powerAt(n) ≥ goal`, assuming `powerAt`
/// increases with n: the minimum, doubling, then bisection.
private func search(
  nMin: Int, cap: Int, target: Verdict, goal: Double, method: String, _ powerAt: (Int) -> Double
) -> RunPlan {
  var lastFail = nMin
  var pass = nMin
  var passPower = powerAt(nMin)
  if passPower < goal {
    var n = nMin
    while true {
      lastFail = n
      n = Swift.min(2 * n, cap)
      let p = powerAt(n)
      if p >= goal {
        pass = n
        passPower = p
        break
      }
      if n == cap {
        return RunPlan(runsPerCell: nil, target: target, power: p, method: method,
                       reason: "not decidable within \(cap) runs per cell (power \(p) at \(cap))")
      }
    }
    while pass - lastFail > 1 {
      let mid = lastFail + (pass - lastFail) / 2
      let p = powerAt(mid)
      if p >= goal {
        pass = mid
        passPower = p
      } else {
        lastFail = mid
      }
    }
  }
  return RunPlan(runsPerCell: pass, target: target, power: passPower, method: method, reason: nil)
}

/// What a group-sequential design does for one claim when the truth is `truth`:
/// the chance of each outcome at its stopping look, and the runs per cell it
/// uses on average (issue 24: the planner should plan the design that is run,
/// not a fixed-sample test).
public struct SequentialOperatingCharacteristics: Equatable, Sendable {
  /// Probability of stopping "reproduced", "contradicted", and of ending inconclusive after the last look.
  public var reproduced: Double
  public var contradicted: Double
  public var inconclusive: Double
  /// Mean runs per cell at the look where the design stopped (the last look when inconclusive).
  public var expectedRunsPerCell: Double
  public var replicates: Int
}

/// Simulates `design` (its looks, α spending and level; build it at the family's
/// level, e.g. `1 − (1 − level)/m` for Holm's first step over m lines, to plan
/// for the family-adjusted verdict) on normal cells with `truth`'s means and
/// standard deviations (in the order of `claim.cells`): each experiment draws the
/// last look's runs of every cell and runs `SequentialDesign.decide` on them, as
/// `repro run --until-decided` does. Deterministic: `Xoshiro256(seed:stream:)`.
/// - Throws: `StatisticsError` for a wrong count of cells or a replicate count below 1.
public func simulateSequential(
  _ claim: CalibratedClaim, design: SequentialDesign, truth: [CellSummary], replicates: Int = 2000,
  seed: UInt64, stream: String = "sequential"
) throws -> SequentialOperatingCharacteristics {
  guard replicates >= 1 else { throw StatisticsError.invalidResampleCount(replicates) }
  guard truth.count == claim.cells.count else {
    throw StatisticsError.invalidArgument("sequential simulation: \(truth.count) cells for \(claim.cells.count)")
  }
  var rng = Xoshiro256(seed: seed, stream: stream)
  let nMax = design.looks[design.looks.count - 1]
  var counts = [0, 0, 0]
  var runs = 0
  for _ in 0..<replicates {
    var cells: [String: [Double]] = [:]
    for (name, t) in zip(claim.cells, truth) {
      let sd = t.standardDeviation
      cells[name] = (0..<nMax).map { _ in t.mean + sd * rng.nextNormal() }
    }
    let d = try design.decide(claim, cells: cells)
    switch d.status {
    case .decided(.reproduced): counts[0] += 1
    case .decided(.contradicted): counts[1] += 1
    default: counts[2] += 1
    }
    runs += design.looks[Swift.min(d.look, design.looks.count - 1)]
  }
  let r = Double(replicates)
  return SequentialOperatingCharacteristics(
    reproduced: Double(counts[0]) / r, contradicted: Double(counts[1]) / r, inconclusive: Double(counts[2]) / r,
    expectedRunsPerCell: Double(runs) / r, replicates: replicates)
}
