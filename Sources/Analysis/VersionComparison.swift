import Foundation
import Manifests
import Reports
import RunModel
import Running
import Statistics

/// Two manifests that differ in their tasks' versions (table2.json on v5 against
/// table2-v4.json on v4), compared cell by cell and claim by claim from their runs.
///
/// Cells pair by row name and robot (`TaskRow.family`): PPO on Walker2d against PPO
/// on Walker2d-v4. Each pair's difference of mean scores (A − B) gets Welch's
/// interval at the level, and a verdict: "differs" (the interval excludes 0, in
/// the direction it shows) or "no difference shown". The cell lines are one
/// family: Holm's step-down over them (`familyVerdicts`), so the chance that any
/// cell is called different when no cell's mean differs is at most 1 − level,
/// whatever the dependence between cells. Welch's interval holds its level on
/// normal-like scores and on shapes both cells share; it does not when only one
/// cell has a cluster of failed runs or a heavy left tail (BENCHMARKS.md, on
/// RL-shaped data), which the output says. Claims pair by their text and robot:
/// each side's verdict as its own report gives it (family-adjusted).
public struct VersionComparison: Sendable {
  public struct Side: Sendable {
    public var manifest: Manifest
    public var expansion: Expansion
    public var runs: [String: ArchivedRun]
    public init(expansion: Expansion, runs: [String: ArchivedRun]) {
      manifest = expansion.manifest
      self.expansion = expansion
      self.runs = runs
    }
  }

  public struct CellLine: Sendable, Equatable {
    public var row: String
    public var robot: String
    public var taskA: TaskID
    public var taskB: TaskID
    /// Finished runs' scores (diverged and missing runs are left out, as in the reports).
    public var scoresA: [Double]
    public var scoresB: [Double]
    /// Welch's interval of mean(A) − mean(B) at the level; nil when not judged.
    public var difference: ConfidenceInterval?
    /// Reproduced: A's mean is higher; contradicted: lower; inconclusive: no difference shown.
    public var own: Verdict?
    public var family: FamilyVerdict
    public var notJudged: String?
  }

  public struct ClaimPair: Sendable, Equatable {
    public var claim: String
    public var robot: String
    public var verdictA: Verdict?
    public var verdictB: Verdict?
  }

  public var a: Side
  public var b: Side
  public var level: Double
  public var cells: [CellLine]
  public var claims: [ClaimPair]

  public init(a: Side, b: Side, level: Double = 0.95, context: ReportContext) throws {
    self.a = a
    self.b = b
    self.level = level
    func scores(_ s: Side, _ row: String, _ task: TaskID) -> [Double] {
      s.expansion.specs(algorithm: row, task: task).compactMap { s.runs[$0.hash]?.finishedScore }
    }
    var lines: [CellLine] = []
    for row in a.manifest.algorithms.map(\.name) where b.manifest.algorithms.contains(where: { $0.name == row }) {
      for ta in a.manifest.tasks {
        guard let tb = b.manifest.tasks.first(where: { $0.row.family == ta.row.family }) else { continue }
        lines.append(CellLine(
          row: row, robot: ta.row.family, taskA: ta, taskB: tb, scoresA: scores(a, row, ta), scoresB: scores(b, row, tb),
          difference: nil, own: nil, family: FamilyVerdict(verdict: nil, divisor: nil), notJudged: nil))
      }
    }
    let names = a.manifest.name == b.manifest.name ? ("A", "B") : (a.manifest.name, b.manifest.name)
    let judged = try VersionComparison.judge(lines.map { ($0.scoresA, $0.scoresB) }, names: names, level: level)
    for i in lines.indices {
      (lines[i].difference, lines[i].own, lines[i].family, lines[i].notJudged) = judged[i]
    }
    cells = lines
    claims = try VersionComparison.claimPairs(a, b, context: context)
  }

  /// Each pair's Welch interval of mean(A) − mean(B) and own verdict at `level`, and the pairs'
  /// verdicts as one family (Holm's step-down at 1 − level).
  public static func judge(_ pairs: [(a: [Double], b: [Double])], names: (String, String) = ("A", "B"), level: Double)
    throws -> [(difference: ConfidenceInterval?, own: Verdict?, family: FamilyVerdict, notJudged: String?)] {
    let statement = try CalibratedClaim(Claim("[\(names.0)] > [\(names.1)]"))
    func judge(_ i: Int, _ level: Double) throws -> CalibratedJudgement {
      try statement.judge(cells: [names.0: pairs[i].a, names.1: pairs[i].b], level: level)
    }
    let own = try pairs.indices.map { try judge($0, level) }
    let family = try familyVerdicts(count: pairs.count, judged: own.map { $0.verdict != nil }, alpha: 1 - level) { i, alpha in
      try judge(i, 1 - alpha).verdict
    }
    return pairs.indices.map { (own[$0].difference, own[$0].verdict, family[$0], own[$0].notJudged.map { "\($0)" }) }
  }

  /// Each claim line of A's report beside the line of B's with the same text on the same robot.
  static func claimPairs(_ a: Side, _ b: Side, context: ReportContext) throws -> [ClaimPair] {
    func lines(_ s: Side) throws -> [(key: String, robot: String, verdict: Verdict?)] {
      let report = try buildReport(expansion: s.expansion, runs: s.runs, manifestHash: "", context: context)
      var out: [(String, String, Verdict?)] = []
      for case .claims(let claimLines) in report.sections {
        for l in claimLines {
          guard let task = l.task, let row = TaskRegistry.row(task) else { continue }
          out.append(("\(l.left) \(l.relation.rawValue) \(l.right)", row.family, l.family?.verdict ?? l.verdict))
        }
      }
      return out
    }
    let la = try lines(a), lb = try lines(b)
    return la.compactMap { x in
      guard let y = lb.first(where: { $0.key == x.key && $0.robot == x.robot }) else { return nil }
      return ClaimPair(claim: x.key, robot: x.robot, verdictA: x.verdict, verdictB: y.verdict)
    }
  }

  /// "Walker2d against Walker2d-v4" style names of the two sides.
  var names: (String, String) { (a.manifest.name, b.manifest.name) }

  static func words(_ v: Verdict?) -> String {
    switch v {
    case .reproduced?: return "differs, A higher"
    case .contradicted?: return "differs, A lower"
    case .inconclusive?: return "no difference shown"
    case .smallerThanEffectOfInterest?: return "no difference shown"
    case nil: return "not judged"
    }
  }

  /// The comparison as Markdown.
  public func markdown(command: String) -> String {
    let (na, nb) = names
    let pct = formatNumber(level * 100)
    var out = [
      "# \(na) against \(nb)", "",
      "A is \(na) (scale \(a.expansion.scale.name)), B is \(nb) (scale \(b.expansion.scale.name)); reproduce with `\(command)`.", "",
      "## Cells", "",
      "Each cell: the difference of mean scores A − B with Welch's \(pct)% interval over the finished runs of each "
        + "(diverged and missing runs left out). Own: the cell on its own (the interval excludes 0 or not). Family: "
        + "Holm's step-down over the \(cells.count) cells, so that the chance of calling any cell different when none differs "
        + "is at most \(formatNumber((1 - level) * 100))%. Welch's interval holds its level when both cells' scores are "
        + "normal-like or share a shape; not when only one cell has a cluster of failed runs or a heavy left tail "
        + "(BENCHMARKS.md, on RL-shaped data).", "",
      "| Row | Robot | A | B | A − B [\(pct)% CI] | own | family |",
      "|:-----|:-----|-----:|-----:|-----:|:-----|:-----|",
    ]
    func mean(_ x: [Double]) -> String {
      x.isEmpty ? "—" : formatNumber(x.reduce(0, +) / Double(x.count)) + " (\(x.count))"
    }
    for c in cells {
      let d = c.difference.map { "\(formatNumber($0.estimate)) [\(formatNumber($0.low)), \(formatNumber($0.high))]" } ?? "—"
      let own = c.own == nil ? "not judged: \(c.notJudged ?? "")" : Self.words(c.own)
      let family = c.own == nil ? "—" : Self.words(c.family.verdict) + (c.family.divisor.map { " (at α/\($0))" } ?? "")
      out.append("| \(escapeMarkdown(c.row)) | \(c.robot) | \(mean(c.scoresA)) | \(mean(c.scoresB)) | \(d) | \(escapeMarkdown(own)) | \(family) |")
    }
    out += ["", "## Claims", "",
            "Each claim line of A's report beside B's on the same robot, as each report judges it (as a member of its family).", "",
            "| Claim | Robot | A | B |", "|:-----|:-----|:-----|:-----|"]
    func verdict(_ v: Verdict?) -> String { v.map(\.rawValue) ?? "not judged" }
    for p in claims {
      out.append("| `\(p.claim)` | \(p.robot) | \(verdict(p.verdictA)) | \(verdict(p.verdictB)) |")
    }
    if claims.isEmpty { out.append("| — | | | |") }
    return out.joined(separator: "\n") + "\n"
  }

  /// The comparison as JSON (numbers in full).
  public var json: JSONValue {
    .object([
      ("a", .object([("manifest", .string(a.manifest.name)), ("scale", .string(a.expansion.scale.name))])),
      ("b", .object([("manifest", .string(b.manifest.name)), ("scale", .string(b.expansion.scale.name))])),
      ("level", .double(level)),
      ("cells", .array(cells.map { c in
        .object([
          ("row", .string(c.row)), ("robot", .string(c.robot)), ("taskA", .string(c.taskA.rawValue)),
          ("taskB", .string(c.taskB.rawValue)), ("runsA", .int(c.scoresA.count)), ("runsB", .int(c.scoresB.count)),
          ("difference", c.difference.map { .object([("estimate", .double($0.estimate)), ("low", .double($0.low)), ("high", .double($0.high))]) } ?? .null),
          ("own", c.own.map { .string($0.rawValue) } ?? .null), ("family", c.family.verdict.map { .string($0.rawValue) } ?? .null),
          ("familyDivisor", c.family.divisor.map { .int($0) } ?? .null), ("notJudged", c.notJudged.map { .string($0) } ?? .null),
        ])
      })),
      ("claims", .array(claims.map { p in
        .object([("claim", .string(p.claim)), ("robot", .string(p.robot)),
                 ("a", p.verdictA.map { .string($0.rawValue) } ?? .null), ("b", p.verdictB.map { .string($0.rawValue) } ?? .null)])
      })),
    ])
  }
}
