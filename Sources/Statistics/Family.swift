// A report's claims judged as a family: Holm's step-down over its lines, so
// that the chance of at least one false "reproduced" among them stays at most
// the one-sided share of the report's level, and the intersection–union rule
// for a claim made "on every task".
//
// Both work on tests rather than p-values: each line supplies its verdict at a
// two-sided miss probability α (its interval at level 1 − α), and these tests
// are nested (a smaller α gives a wider interval, so a line reproduced at α is
// reproduced at every larger α). A line's p-value is then the least α at which
// it is reproduced, halved, and Holm's rule "reject the line with the k-th
// smallest p-value when each of the first k is at most α/(m − j + 1)" becomes
// "while some remaining line is reproduced at α/r (r lines remain), mark it",
// which needs no p-value to be computed (and so none to be bisected for).

/// Holm's step-down procedure (Holm 1979) over `count` nested tests.
///
/// `rejects(i, a)` is line `i`'s test at two-sided miss probability `a`; it must
/// be nested (true at `a` implies true at every larger `a`) and each must keep its
/// one-sided error at most `a/2` on its own. Then the probability that any line
/// with a true null is marked is at most `alpha/2`, whatever the dependence
/// between the lines: when the first of the `m₀` true nulls is marked, at most
/// `m − m₀` lines were marked before, so `r ≥ m₀` and that null passed at
/// `alpha/r ≤ alpha/m₀`, hence (nesting) at `alpha/m₀`; the union over the `m₀`
/// true nulls bounds this by `m₀ · alpha/(2m₀) = alpha/2`.
/// - Returns: for each line, whether it is marked, and the divisor `r` of the
///   step that marked it (nil when unmarked).
public func holmStepDown(
  count m: Int, alpha: Double, rejects: (Int, Double) throws -> Bool
) rethrows -> [Int?] {
  var marked: [Int?] = Array(repeating: nil, count: m)
  var remaining = m
  while remaining > 0 {
    let a = alpha / Double(remaining)
    var now: [Int] = []
    for i in 0..<m where marked[i] == nil {
      if try rejects(i, a) { now.append(i) }
    }
    if now.isEmpty { break }
    // Marking all lines that pass α/r together is Holm's order: each would pass at its own later, larger threshold.
    for i in now { marked[i] = remaining }
    remaining -= now.count
  }
  return marked
}

/// A line's verdict as a member of a family, with the step that decided it.
public struct FamilyVerdict: Equatable, Sendable {
  /// Reproduced or contradicted when Holm marked the line in that direction;
  /// inconclusive when the line was judged but not marked; nil when not judged.
  public var verdict: Verdict?
  /// The Holm divisor of the step that marked the line (it was judged at α/divisor); nil when unmarked.
  public var divisor: Int?

  public init(verdict: Verdict?, divisor: Int?) {
    self.verdict = verdict
    self.divisor = divisor
  }
}

/// The family-adjusted verdicts of `count` lines: Holm over the lines for
/// "reproduced" at two-sided `alpha` (family-wise false "reproduced" ≤ alpha/2),
/// and separately for "contradicted" and for "smaller than the smallest effect
/// of interest" (likewise ≤ alpha/2 each).
///
/// `verdictAt(i, a)` is line `i`'s verdict at two-sided miss probability `a`
/// (nil when the line cannot be judged at `a`, e.g. a median interval needs
/// more runs at a smaller `a`). `judged[i]` says whether the line has a verdict
/// of its own at the report's level; a line not judged is a member of the family
/// (it counts in `m`) but stays unjudged.
public func familyVerdicts(
  count m: Int, judged: [Bool], alpha: Double, verdictAt: (Int, Double) throws -> Verdict?
) rethrows -> [FamilyVerdict] {
  // One Holm procedure per decisive outcome, in this order of precedence.
  let outcomes: [Verdict] = [.reproduced, .contradicted, .smallerThanEffectOfInterest]
  let marks = try outcomes.map { v in
    try holmStepDown(count: m, alpha: alpha) { i, a in judged[i] ? try verdictAt(i, a) == v : false }
  }
  return (0..<m).map { i in
    for (v, marked) in zip(outcomes, marks) {
      if let d = marked[i] { return FamilyVerdict(verdict: v, divisor: d) }
    }
    return FamilyVerdict(verdict: judged[i] ? .inconclusive : nil, divisor: nil)
  }
}

/// The intersection–union test (Berger 1982) of "the claim holds on every
/// task": reproduced when every task's line is reproduced on its own, at the
/// unadjusted level (the claim is false as soon as one task's null holds, and
/// that task's own test already keeps the error at α/2: no correction is
/// needed). Contradicted when some task's *family-adjusted* verdict is
/// contradicted (finding one task where it fails is a union over tasks, so it
/// takes the family's correction). Otherwise inconclusive; nil when some line
/// was not judged and none is contradicted.
public func everyTaskVerdict(own: [Verdict?], family: [Verdict?]) -> Verdict? {
  if family.contains(.contradicted) { return .contradicted }
  if own.contains(where: { $0 == nil }) { return nil }
  return own.allSatisfy { $0 == .reproduced } ? .reproduced : .inconclusive
}
