/// The comparison a claim makes.
public enum ClaimRelation: String, Sendable, Codable {
  /// `left > right`: the difference `left − right` is claimed positive.
  case greaterThan = ">"
  /// `left < right`: the difference `left − right` is claimed negative.
  case lessThan = "<"
}

/// A comparison between two formulas over named cells, e.g. `[ACLI] > [AAI]`
/// or `[PPO] > [PPO-M]`.
public struct Claim: Equatable, Sendable, CustomStringConvertible {
  public var left: Formula
  public var relation: ClaimRelation
  public var right: Formula

  public init(left: Formula, relation: ClaimRelation, right: Formula) {
    self.left = left
    self.relation = relation
    self.right = right
  }

  /// Parses `left > right` or `left < right`, each side a `Formula`.
  /// - Throws: `FormulaParseError` with the column and what was expected there.
  public init(_ text: String) throws {
    var p = try FormulaParser(checking: text)
    p.skipSpaces()
    let leftStart = p.pos
    let l = try p.parseExpr()
    let leftEnd = p.pos
    p.skipSpaces()
    let rel: ClaimRelation
    switch p.peek() {
    case ">": rel = .greaterThan
    case "<": rel = .lessThan
    default: throw p.error(expected: "'>' or '<' (or an operator + - * /)")
    }
    p.pos += 1
    p.skipSpaces()
    let rightStart = p.pos
    let r = try p.parseExpr()
    let rightEnd = p.pos
    p.skipSpaces()
    if p.pos < p.text.count { throw p.error(expected: "an operator (+ - * /) or end of claim") }
    // parseExpr stops after the whitespace that follows an expression: trim it.
    func side(_ a: Int, _ b: Int) -> String {
      var end = b
      while end > a, p.text[end - 1].isWhitespace { end -= 1 }
      return String(p.text[a..<end])
    }
    self.left = Formula(source: side(leftStart, leftEnd), expression: l)
    self.relation = rel
    self.right = Formula(source: side(rightStart, rightEnd), expression: r)
  }

  /// `left relation right`, each side as written.
  public var description: String { "\(left.source) \(relation.rawValue) \(right.source)" }

  /// The names either side references, each once: the left side's first, in
  /// order of first appearance.
  public var referencedNames: [String] {
    var out = left.referencedNames
    for n in right.referencedNames where !out.contains(n) { out.append(n) }
    return out
  }

  /// Both sides with `definitions` inlined (see `Formula.inlining(_:)`).
  public func inlining(_ definitions: [String: Formula]) throws -> Claim {
    Claim(
      left: try left.inlining(definitions), relation: relation,
      right: try right.inlining(definitions))
  }
}

extension Formula {
  /// A formula with the given source text (used for the sides of a claim).
  init(source: String, expression: FormulaExpression) {
    self.source = source
    self.expression = expression
  }
}

/// The outcome of judging a claim against data with uncertainty.
public enum Verdict: String, Sendable, Codable, CaseIterable {
  /// The whole CI of `left − right` lies strictly on the claimed side of 0.
  case reproduced
  /// The whole CI of `left − right` lies strictly on the other side of 0.
  case contradicted
  /// The CI contains 0 (touching it counts as containing it).
  case inconclusive
  /// The CI contains 0, and its bound on the claimed side is closer to 0 than
  /// the claim's smallest effect of interest δ: the one-sided bound at level
  /// 1 − α/2 rules out an effect of δ or more in the claimed direction (see
  /// `init(difference:relation:smallestEffect:)`).
  case smallerThanEffectOfInterest = "smaller than the smallest effect of interest"

  /// The verdict for a CI of `left − right` under `relation`.
  ///
  /// For `>`: `reproduced` if `low > 0`, `contradicted` if `high < 0`, else
  /// `inconclusive`. For `<`: `reproduced` if `high < 0`, `contradicted` if
  /// `low > 0`, else `inconclusive`.
  /// As `init(difference:relation:)`, with a fourth outcome for a claim that
  /// carries a smallest effect of interest `δ > 0` (nil: none): an
  /// inconclusive interval whose claimed-side bound is below `δ` (for `>`:
  /// `high < δ`; for `<`: `low > −δ`) is `smallerThanEffectOfInterest`. When
  /// the true effect is `δ` or more in the claimed direction, this happens with
  /// probability at most α/2 for an interval at level 1 − α (its claimed-side
  /// bound is a one-sided 1 − α/2 bound), the same as a false "reproduced";
  /// checked by simulation in SmallestEffectTests.
  public init(difference: ConfidenceInterval, relation: ClaimRelation, smallestEffect: Double?) {
    self.init(difference: difference, relation: relation)
    guard self == .inconclusive, let delta = smallestEffect, delta > 0 else { return }
    switch relation {
    case .greaterThan: if difference.high < delta { self = .smallerThanEffectOfInterest }
    case .lessThan: if difference.low > -delta { self = .smallerThanEffectOfInterest }
    }
  }

  public init(difference: ConfidenceInterval, relation: ClaimRelation) {
    let positive = difference.low > 0
    let negative = difference.high < 0
    switch relation {
    case .greaterThan:
      self = positive ? .reproduced : (negative ? .contradicted : .inconclusive)
    case .lessThan:
      self = negative ? .reproduced : (positive ? .contradicted : .inconclusive)
    }
  }
}

/// A claim, the bootstrap CI of `left − right`, and the verdict.
public struct ClaimJudgement: Equatable, Sendable {
  public var claim: Claim
  /// `estimate` is `left − right` on the cells' sample means; `[low, high]` its CI.
  public var difference: ConfidenceInterval
  public var verdict: Verdict

  public init(claim: Claim, difference: ConfidenceInterval, verdict: Verdict) {
    self.claim = claim
    self.difference = difference
    self.verdict = verdict
  }
}
