// "ACLI > AAI" through a dominating contrast fixed in advance: a test of a
// sufficient condition with no multiplicity correction (intersection–union),
// far more powerful than Welch intervals per atom combined by interval
// arithmetic (CompositeClaimPowerTests, BENCHMARKS.md).
//
// A claim whose `left − right` is `max(|A_1|, …, |A_p|) − max(|B_1|, …, |B_q|)`
// over linear atoms holds as soon as one left atom, with a sign s, exceeds
// every |B_j|: `s·A_k − B_j > 0` and `s·A_k + B_j > 0` for every j (2q linear
// contrasts). With (k, s) fixed before the data (from the paper's printed
// means: the left atom largest there, with its sign there), the claim is
// "reproduced" when every one of the 2q contrasts has its one-sided Welch bound
// at level 1 − α/2 above 0. Why its false "reproduced" rate is at most α/2:
// if the claim is false, `s·A_k ≤ |A_k| ≤ max|A| ≤ max|B| = |B_j*|` for some j*,
// so one of `s·A_k − B_j*`, `s·A_k + B_j*` is ≤ 0, and its bound is above 0
// with probability at most α/2 (Berger 1982).

/// A claim of the shape `max(|A_i|) − max(|B_j|) > 0` (e.g. ACLI > AAI after
/// inlining) prepared for the dominance test.
public struct DominanceClaim: Equatable, Sendable {
  /// The claim as analysed (its cells and atoms).
  public let calibrated: CalibratedClaim
  /// Atom indices (into `calibrated.contrasts`) of the left and right maxima.
  let leftAtoms: [Int]
  let rightAtoms: [Int]

  /// Nil when the claim is not `>` between two maxima of absolute values of atoms.
  public init?(_ c: CalibratedClaim) {
    guard c.claim.relation == .greaterThan, case .subtract(let l, let r)? = c.root,
          let left = Self.absAtoms(l), let right = Self.absAtoms(r) else { return nil }
    calibrated = c
    leftAtoms = left
    rightAtoms = right
  }

  /// `max(abs(atom), …)` or `abs(atom)`: the atoms' indices.
  static func absAtoms(_ n: IntervalNode) -> [Int]? {
    func one(_ n: IntervalNode) -> Int? {
      if case .abs(.atom(let i)) = n { return i }
      return nil
    }
    if let i = one(n) { return [i] }
    guard case .max(let xs) = n else { return nil }
    let atoms = xs.compactMap(one)
    return atoms.count == xs.count ? atoms : nil
  }

  /// The dominating contrasts for the left atom largest in absolute value at
  /// `prior` (cell means in the order of `calibrated.cells`, e.g. the paper's),
  /// with its sign there: `s·A_k − B_j` and `s·A_k + B_j` for each right atom j.
  /// Ties go to the first atom.
  public func contrasts(prior: [Double]) -> [LinearContrast] {
    let atoms = calibrated.contrasts
    func value(_ a: LinearContrast) -> Double {
      var v = a.constant
      for (c, m) in zip(a.coefficients, prior) { v += c * m }
      return v
    }
    var k = leftAtoms[0]
    for i in leftAtoms.dropFirst() where Swift.abs(value(atoms[i])) > Swift.abs(value(atoms[k])) { k = i }
    let s: Double = value(atoms[k]) < 0 ? -1 : 1
    let a = atoms[k]
    var out: [LinearContrast] = []
    for j in rightAtoms {
      let b = atoms[j]
      for sign in [-1.0, 1.0] {
        out.append(LinearContrast(
          cells: a.cells, coefficients: zip(a.coefficients, b.coefficients).map { s * $0 + sign * $1 },
          constant: s * a.constant + sign * b.constant))
      }
    }
    return out
  }

  /// The smallest of the contrasts' one-sided lower bounds at level `1 − alpha/2`
  /// (each a Welch interval at two-sided `alpha`): the claim is reproduced by this
  /// test when it is above 0. Nil when a contrast has no spread.
  /// - Parameter summaries: in the order of `calibrated.cells`, each with at least 2 runs.
  public func lowestBound(_ contrasts: [LinearContrast], summaries: [CellSummary], alpha: Double) -> Double? {
    var lowest = Double.infinity
    for c in contrasts {
      guard let t = welchInterval(coefficients: c.coefficients, cells: summaries, constant: c.constant, alpha: alpha) else {
        return nil
      }
      lowest = Swift.min(lowest, t.interval.low)
    }
    return lowest
  }
}
