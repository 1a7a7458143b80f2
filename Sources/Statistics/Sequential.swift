// A group-sequential decision for "runs are added until the claims are
// decided": looks at runs-per-cell counts fixed in advance, each judged at a
// level from an α-spending function, so that stopping at the first decisive
// look keeps the overall false-"reproduced" rate at most (1 − level)/2.

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// Looks fixed in advance and the level each is judged at.
///
/// Spending: Lan & DeMets (1983) O'Brien–Fleming-type,
/// `α(t) = 2 − 2Φ(z_{1−α/2}/√t)` in information fraction `t_k = n_k/n_K`
/// (`α(1) = α = 1 − level`, two-sided). Look `k` is judged by the calibrated
/// method (`CalibratedClaim`) at two-sided miss probability
/// `α_k = α(t_k) − α(t_{k−1})` (`α(t_0) = 0`), so its false-"reproduced" rate
/// is at most `α_k/2`. By the union bound (Bonferroni), the probability that
/// any look is falsely "reproduced" is at most `Σ α_k/2 = α/2`, whatever the
/// dependence between looks: stopping at the first decisive look (optional
/// stopping) cannot raise it. The same holds for false "contradicted". The
/// price is conservatism: the looks' levels do not use the looks' correlation.
public struct SequentialDesign: Equatable, Sendable {
  /// Runs per cell at each look, strictly increasing; the last is the maximum.
  public let looks: [Int]
  /// The overall two-sided level, e.g. 0.95.
  public let level: Double
  /// `α(t_k)`: the two-sided α spent up to and including look `k`.
  public let cumulativeAlpha: [Double]
  /// `α_k`: the two-sided miss probability look `k` is judged at.
  public let lookAlpha: [Double]

  /// Looks every `roundSize` runs per cell: the multiples of `roundSize` from
  /// the first at or above `max(2, minimumRuns)` and below `maxRunsPerCell`,
  /// then `maxRunsPerCell` (a look below the minimum could never decide, so
  /// none is spent there).
  /// - Throws: `StatisticsError.invalidArgument` for a round size below 1, a
  ///   maximum below the minimum, or a level outside (0, 1).
  public init(roundSize: Int, maxRunsPerCell: Int, level: Double = 0.95, minimumRuns: Int = minimumRunsPerCell) throws {
    guard roundSize >= 1 else { throw StatisticsError.invalidArgument("sequential design: round size \(roundSize) is below 1") }
    let nMin = Swift.max(2, minimumRuns)
    guard maxRunsPerCell >= nMin else {
      throw StatisticsError.invalidArgument("sequential design: at most \(maxRunsPerCell) runs per cell, below the minimum \(nMin)")
    }
    var looks: [Int] = []
    var n = roundSize
    while n < maxRunsPerCell {
      if n >= nMin { looks.append(n) }
      n += roundSize
    }
    looks.append(maxRunsPerCell)
    try self.init(looks: looks, level: level)
  }

  /// Looks at the given runs per cell (strictly increasing, each ≥ 2).
  /// - Throws: `StatisticsError.invalidArgument` for an empty, unordered or
  ///   too-small list, or `.invalidConfidenceLevel` for a level outside (0, 1).
  public init(looks: [Int], level: Double = 0.95) throws {
    guard level > 0 && level < 1 else { throw StatisticsError.invalidConfidenceLevel(level) }
    guard let last = looks.last, looks[0] >= 2, zip(looks, looks.dropFirst()).allSatisfy({ $0 < $1 }) else {
      throw StatisticsError.invalidArgument("sequential design: looks \(looks) must be increasing and at least 2")
    }
    let alpha = 1 - level
    var cumulative: [Double] = []
    var perLook: [Double] = []
    var spent = 0.0
    for n in looks {
      let a = n == last ? alpha : Self.obrienFlemingSpending(Double(n) / Double(last), alpha: alpha)
      cumulative.append(a)
      perLook.append(a - spent)
      spent = a
    }
    self.looks = looks
    self.level = level
    self.cumulativeAlpha = cumulative
    self.lookAlpha = perLook
  }

  /// The Lan–DeMets O'Brien–Fleming-type spending function
  /// `α(t) = 2 − 2Φ(z_{1−α/2}/√t)`, computed as `erfc(z_{1−α/2}/√(2t))` so
  /// that tiny early values keep their precision; `α(1) = α`, `α(0) = 0`.
  public static func obrienFlemingSpending(_ t: Double, alpha: Double) -> Double {
    if t <= 0 { return 0 }
    if t >= 1 { return alpha }
    let z = normalUpperQuantile(alpha / 2)
    return erfc(z / (2 * t).squareRoot())
  }

  /// Runs the design on the runs available so far.
  ///
  /// `cells` holds each cell's runs in seed order; look `k` judges the claim on
  /// the first `looks[k]` runs of every cell, at two-sided miss probability
  /// `lookAlpha[k]` (with no minimum beyond the design's own looks). The claim
  /// is decided at the first look whose verdict is reproduced or
  /// contradicted. Deterministic: the same runs give the same decision.
  /// - Returns: decided (verdict and look), waiting for the next look's runs,
  ///   inconclusive after the last look, or not judged (no calibrated method,
  ///   or no spread at a look).
  /// - Throws: `StatisticsError` for a missing cell or a non-finite score.
  public func decide(_ claim: CalibratedClaim, cells: [String: [Double]]) throws -> SequentialDecision {
    for name in claim.claim.referencedNames {
      guard let x = cells[name] else { throw StatisticsError.unknownName(name) }
      for (i, v) in x.enumerated() where !v.isFinite { throw StatisticsError.nonFiniteValue(name, index: i) }
    }
    var judgements: [CalibratedJudgement] = []
    for (k, n) in looks.enumerated() {
      if claim.cells.contains(where: { (cells[$0]?.count ?? 0) < n }) {
        return SequentialDecision(status: .awaitingRuns(runsPerCell: n), look: k, judgements: judgements)
      }
      let summaries = claim.cells.map { CellSummary(unchecked: Array((cells[$0] ?? [])[0..<n])) }
      let j = claim.judge(summaries, alpha: lookAlpha[k], minimumRuns: 2)
      judgements.append(j)
      if let reason = j.notJudged {
        return SequentialDecision(status: .notJudged(reason), look: k, judgements: judgements)
      }
      if let v = j.verdict, v != .inconclusive {
        return SequentialDecision(status: .decided(v), look: k, judgements: judgements)
      }
    }
    return SequentialDecision(status: .inconclusive, look: looks.count - 1, judgements: judgements)
  }
}

/// Where a sequential design stands for one claim.
public struct SequentialDecision: Equatable, Sendable {
  public enum Status: Equatable, Sendable {
    /// Reproduced or contradicted at `look`.
    case decided(Verdict)
    /// Look `look` needs this many runs per cell; some cell has fewer.
    case awaitingRuns(runsPerCell: Int)
    /// Every look was taken and none decided.
    case inconclusive
    /// The claim could not be judged at `look` (no calibrated method, no spread).
    case notJudged(NotJudgedReason)
  }

  public var status: Status
  /// Index into `SequentialDesign.looks` of the look that decided, is awaited,
  /// was last taken (inconclusive) or refused.
  public var look: Int
  /// The judgement at each look taken, in order.
  public var judgements: [CalibratedJudgement]

  public init(status: Status, look: Int, judgements: [CalibratedJudgement]) {
    self.status = status
    self.look = look
    self.judgements = judgements
  }
}
