// Report assembly: from a manifest and its stored results to a `Report`.
//
// Everything here is a pure function of (manifest, expansion, results,
// context): no clock, no files, no environment. The command line gathers the
// context (git commit, machine, date, ...) and reads the results; tests pass
// hand-made ones, so the same inputs give the same bytes.
//
// How each number is computed:
//
// - A cell (algorithm row × task) expects one run per seed of the scale. A
//   run is *missing* when the store has no valid result for its hash; it is
//   *diverged* when its result is flagged diverged or has no finite score
//   (e.g. no episode completed); otherwise it is *finished*. Only finished
//   runs' scores enter the mean, the CI and the IQM; missing and diverged
//   runs are counted and the renderers flag the cell.
// - Mean and CI: `Bootstrap.meanCI` (percentile bootstrap, `options`,
//   1000 resamples at 95% by default) on the finished scores, with its own
//   stream `bootstrap/<task>/<row>` from the bootstrap seed, so a cell's CI
//   does not depend on which other cells exist or on their order.
// - IQM: `Bootstrap.interquartileMeanCI`, stream `iqm/<task>/<row>`.
// - Derived rows (AAI, ACLI): the manifest's formula with earlier derived
//   rows inlined, bootstrapped with `Bootstrap.formulaCI` over the finished
//   scores of the algorithm cells it references (stream
//   `bootstrap/<task>/<row>`); nil when any referenced cell has no finished run.
// - Claims: per task the claim is named on, `Bootstrap.judge` of
//   `[left] op [right]` with derived rows inlined (stream
//   `claim/<task>/<k>`, k the claim's index in the manifest); `>=` is judged
//   as `>` and `<=` as `<` (a CI cannot tell them apart).
// - Scores: each run's score under the manifest's `ScoreDefinition`, from its
//   stored per-iteration returns (so re-scoring retrains nothing).
// - Probability of improvement: `Bootstrap.probabilityOfImprovementCI` for
//   every claim that compares two algorithm rows, oriented as claimed (stream
//   `poi/<task>/<x>/<y>`).

import Foundation
import Reports
import Manifests
import Running
import RunModel
import Statistics

/// What a report says about the moment and the machine it was made on: the
/// only inputs of `buildReport` that are not in the manifest or the results.
public struct ReportContext: Equatable, Sendable {
  /// `git rev-parse --short HEAD`, plus "-dirty"; "unknown" without git.
  public var gitCommit: String
  /// E.g. "3.3.7".
  public var mujocoVersion: String
  public var machine: Machine
  /// UTC, ISO 8601.
  public var date: String
  /// The command that made the report.
  public var command: String
  /// Seed of every bootstrap stream.
  public var bootstrapSeed: UInt64
  public var bootstrap: BootstrapOptions
  /// The compute time to show instead of the runs' summed wall time (to pin it in comparisons).
  public var computeHours: Double?
  /// The archive file the runs were read from (`--from-archive`), which the report names.
  public var archiveFile: ReadFile?

  public init(
    gitCommit: String, mujocoVersion: String, machine: Machine, date: String, command: String,
    bootstrapSeed: UInt64 = 0, bootstrap: BootstrapOptions = .paper, computeHours: Double? = nil
  ) {
    self.computeHours = computeHours
    self.gitCommit = gitCommit
    self.mujocoVersion = mujocoVersion
    self.machine = machine
    self.date = date
    self.command = command
    self.bootstrapSeed = bootstrapSeed
    self.bootstrap = bootstrap
  }
}

/// A report that cannot be built (an inconsistent model).
public struct ReportBuildError: Error, CustomStringConvertible, Equatable {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// What became of one cell's runs.
struct CellScores {
  var expected: Int
  /// Scores of the finished runs, in seed order.
  var scores: [Double]
  var missing: Int
  var diverged: Int
  /// Runs with a result but no score that were not flagged diverged (no episode completed).
  var unscored: Int
  /// The diverged runs' scores from their returns before divergence (where they have some):
  /// what the verdicts' robustness check counts them as.
  var fallback: [Double] = []
}

/// The inputs every section builder reads.
struct ReportInputs {
  let expansion: Expansion
  let results: [String: ArchivedRun]
  let context: ReportContext
  /// Row name → task → what became of its runs (algorithm rows only).
  let cells: [String: [TaskID: CellScores]]
  /// Derived rows' formulas with earlier derived rows inlined.
  let derived: [String: Formula]
  let definitions: [String: Formula]

  var manifest: Manifest { expansion.manifest }
  var seed: UInt64 { context.bootstrapSeed }
  var options: BootstrapOptions { context.bootstrap }

  init(expansion: Expansion, results: [String: ArchivedRun], context: ReportContext) throws {
    self.expansion = expansion
    self.results = results
    self.context = context
    let manifest = expansion.manifest
    var cells: [String: [TaskID: CellScores]] = [:]
    for a in manifest.algorithms {
      var row: [TaskID: CellScores] = [:]
      for t in manifest.tasks { row[t] = ReportInputs.cell(expansion.specs(algorithm: a.name, task: t), results) }
      cells[a.name] = row
    }
    self.cells = cells
    var definitions: [String: Formula] = [:]
    var derived: [String: Formula] = [:]
    for d in manifest.derived {
      definitions[d.name] = d.formula
      derived[d.name] = try d.formula.inlining(definitions)
    }
    self.definitions = definitions
    self.derived = derived
  }

  static func cell(_ specs: [RunSpec], _ results: [String: ArchivedRun]) -> CellScores {
    var c = CellScores(expected: specs.count, scores: [], missing: 0, diverged: 0, unscored: 0)
    for spec in specs {
      guard let r = results[spec.hash] else { c.missing += 1; continue }
      if let s = r.finishedScore {
        c.scores.append(s)
      } else {
        c.diverged += 1
        if r.diverged == nil { c.unscored += 1 }
        if let s = r.score, s.isFinite { c.fallback.append(s) }
      }
    }
    return c
  }

  func scores(_ row: String, _ t: TaskID) -> [Double]? { cells[row]?[t]?.scores }

  /// name → finished scores of every algorithm row that `names` reference, on `t`;
  /// or the name of the first one with no finished run.
  func inputs(_ names: [String], _ t: TaskID) -> (cells: [String: [Double]], empty: String?) {
    var out: [String: [Double]] = [:]
    for n in names {
      guard let s = scores(n, t), !s.isEmpty else { return (out, n) }
      out[n] = s
    }
    return (out, nil)
  }

  func bootstrap(_ stream: String) -> Bootstrap { Bootstrap(seed: seed, stream: stream, options: options) }
}

/// Builds the report of `expansion` (a manifest at one scale) from the results
/// found (by spec hash). Never trains; a run with no result is counted missing.
/// - Parameters:
///   - manifestHash: sha256 (hex) of the manifest file's bytes.
///   - invalidFiles: result files present but unusable, file name → why (a note lists them).
///   - authors: the authors' configs the manifest names (`Manifest.authorsConfigsPath`), for the fidelity section.
///   - sequential: the outcome of `repro run --until-decided` (`UntilDecided.evaluate` on these
///     results); the report then counts each cell's runs as the design asked and judges the
///     claims by the design's decisions.
public func buildReport(
  expansion full: Expansion, runs: [String: ArchivedRun], manifestHash: String,
  context: ReportContext, invalidFiles: [String: String] = [:], authors: AuthorsConfigs? = nil,
  sequential: SequentialOutcome? = nil
) throws -> Report {
  let expansion = sequential.map { UntilDecided.planned(full, $0) } ?? full
  let inputs = try ReportInputs(expansion: expansion, results: runs, context: context)
  let manifest = expansion.manifest
  var sections: [ReportSection] = [
    .results(try resultsTable(inputs, invalidFiles: invalidFiles)),
    .claims(try judgedAsFamily(try sequential.map { try sequentialClaimLines(inputs, $0) } ?? claimLines(inputs), inputs)),
    .robust(try robustSection(inputs)),
  ]
  // A grid's rows are too many to draw one curve each: its figure is the grid's own.
  if manifest.grid == nil, let curves = curvesSection(inputs) { sections.append(.curves(curves)) }
  if manifest.trustRegionFigure, let t = trustRegionSection(inputs) { sections.append(.trustRegion(t)) }
  if let g = manifest.grid { sections.append(.grid(gridSection(inputs, g))) }
  sections.append(.settings(try settingsTables(inputs)))
  if manifest.authorsConfigs != nil || !manifest.deviations.isEmpty {
    sections.append(.fidelity(try fidelitySection(manifest, authors: authors)))
  }
  sections.append(.compute(computeSection(inputs)))
  let report = Report(
    title: reportTitle(manifest), citation: manifest.citation ?? "", manifestName: manifest.name,
    scale: expansion.scale.name,
    sections: sections,
    provenance: provenance(inputs, manifestHash: manifestHash, archive: Archive(expansion: full, runs: runs)),
    kind: reportKind(manifest))
  do {
    try report.validate()
  } catch {
    throw ReportBuildError("inconsistent report for \(manifest.name): \(error)")
  }
  return report
}

/// `buildReport` from results as trained (each converted to its archive record first,
/// so that a report from results and one from their archive are the same bytes).
public func buildReport(
  expansion: Expansion, results: [String: RunResult], manifestHash: String,
  context: ReportContext, invalidFiles: [String: String] = [:], authors: AuthorsConfigs? = nil,
  sequential: SequentialOutcome? = nil
) throws -> Report {
  try buildReport(expansion: expansion, runs: archivedRuns(expansion, results), manifestHash: manifestHash,
                  context: context, invalidFiles: invalidFiles, authors: authors, sequential: sequential)
}

/// The archive records of `expansion`'s runs among `results`.
public func archivedRuns(_ expansion: Expansion, _ results: [String: RunResult]) -> [String: ArchivedRun] {
  var out: [String: ArchivedRun] = [:]
  for spec in expansion.uniqueSpecs {
    if let r = results[spec.hash] { out[spec.hash] = ArchivedRun(spec: spec, result: r, score: expansion.manifest.score) }
  }
  return out
}

/// A study of one's own (no citation) or a reproduction.
func reportKind(_ m: Manifest) -> ReportKind { m.isStudy ? .study : .reproduction }

/// The table in the paper's layout: one row per manifest row, in display order (a study's without paper columns).
func resultsTable(_ inputs: ReportInputs, invalidFiles: [String: String]) throws -> ResultsTable {
  let manifest = inputs.manifest
  var rows: [ReportRow] = []
  for name in manifest.rows {
    let paper = manifest.tasks.map { manifest.paperValue(row: name, task: $0) }
    if manifest.algorithm(named: name) != nil {
      rows.append(try algorithmRow(name, paper: paper, inputs))
    } else if let d = manifest.derived.first(where: { $0.name == name }) {
      rows.append(try derivedRow(d, paper: paper, inputs))
    } else {
      rows.append(ReportRow(name: name, kind: .reference, cells: paper.map { ReportCell(paper: $0) }))
    }
  }
  return ResultsTable(scoreDefinition: manifest.score.text, columns: manifest.tasks.map(\.rawValue), rows: rows,
                      notes: notes(inputs, invalidFiles: invalidFiles), paperColumns: !manifest.isStudy)
}

/// An algorithm row: per task, the mean and CI of the finished runs' scores, run counts and IQM.
func algorithmRow(_ name: String, paper: [PaperValue?], _ inputs: ReportInputs) throws -> ReportRow {
  var cells: [ReportCell] = []
  for (j, t) in inputs.manifest.tasks.enumerated() {
    guard let c = inputs.cells[name]?[t] else { continue }
    var ours: ConfidenceInterval? = nil
    var iqm: ConfidenceInterval? = nil
    var unavailable: String? = nil
    if !c.scores.isEmpty {
      do {
        var b = inputs.bootstrap("bootstrap/\(t.rawValue)/\(name)")
        ours = try b.meanCI(c.scores)
        var q = inputs.bootstrap("iqm/\(t.rawValue)/\(name)")
        iqm = try q.interquartileMeanCI(c.scores)
      } catch let e as StatisticsError {
        // Scores near the float range overflow the mean: this cell is n/a, the report goes on.
        (ours, iqm, unavailable) = (nil, nil, "\(e)")
      }
    }
    cells.append(ReportCell(
      ours: ours, runs: RunCounts(expected: c.expected, finished: c.scores.count, missing: c.missing, diverged: c.diverged),
      iqm: iqm, paper: paper[j], unavailable: unavailable))
  }
  return ReportRow(name: name, kind: .algorithm, cells: cells)
}

/// A derived row (AAI, ACLI): per task, the bootstrap CI of its formula over the cells it references.
func derivedRow(_ d: DerivedRow, paper: [PaperValue?], _ inputs: ReportInputs) throws -> ReportRow {
  let f = inputs.derived[d.name] ?? d.formula
  var cells: [ReportCell] = []
  for (j, t) in inputs.manifest.tasks.enumerated() {
    let (cellScores, empty) = inputs.inputs(f.referencedNames, t)
    var cell = ReportCell(paper: paper[j])
    if empty == nil {
      do {
        var b = inputs.bootstrap("bootstrap/\(t.rawValue)/\(d.name)")
        cell.ours = try b.formulaCI(f, cells: cellScores)
        if cellScores.values.allSatisfy({ $0.count >= 2 }) {
          cell.noiseFloor = try noiseFloor(
            of: f, cells: cellScores.mapValues { try CellSummary($0) }, seed: inputs.seed,
            stream: "noise/\(t.rawValue)/\(d.name)")
        }
      } catch let e as StatisticsError {
        // A division by zero or an overflow on these data: this cell is n/a, the report goes on.
        (cell.ours, cell.noiseFloor, cell.unavailable) = (nil, nil, "\(e)")
      }
    }
    cells.append(cell)
  }
  return ReportRow(name: d.name, kind: .derived, formula: d.formula.source, inputs: f.referencedNames, cells: cells)
}

/// Every claim, judged on each task it is claimed on by the calibrated method
/// (`CalibratedClaim`: Welch t, or Bonferroni-combined Welch intervals for
/// composite claims), with what the reader must know: incomplete cells, and
/// whether counting the diverged runs would change the verdict.
///
/// Diverged runs: a verdict is judged on the finished runs. When a referenced
/// cell has diverged runs, it is judged again with each diverged run scored
/// from its returns before divergence (leaving them out favours the less stable
/// algorithm); when the two verdicts differ, the line says so.
func claimLines(_ inputs: ReportInputs) throws -> [TestedLine] {
  var lines: [TestedLine] = []
  for claim in inputs.manifest.claims {
    guard claim.subject == .rows else {
      for t in claim.tasks { lines.append(judgedOrNotJudged(claim, task: t) { try figureClaimLine(claim, task: t, inputs) }) }
      continue
    }
    let relation = claim.op.relation
    let opNote = (claim.op == .greaterOrEqual || claim.op == .lessOrEqual)
      ? "claimed \(claim.op.rawValue), judged as \(relation.rawValue)" : nil
    let statement = try claim.statement.inlining(inputs.definitions)
    // A claim undefined whatever the data (a divisor that is always 0) is not judged on any task.
    let calibratedClaim = Result { try CalibratedClaim(statement) }
    for t in claim.tasks {
      var finished: [String: [Double]] = [:], withDiverged: [String: [Double]] = [:]
      var caveats: [String] = []
      for name in statement.referencedNames {
        let c = inputs.cells[name]?[t]
        finished[name] = c?.scores ?? []
        withDiverged[name] = (c?.scores ?? []) + (c?.fallback ?? [])
        if let c, let why = incompleteSummary(c) { caveats.append("\(name): \(why)") }
      }
      lines.append(judgedOrNotJudged(claim, task: t, family: claim.name) {
      let calibrated = try calibratedClaim.get()
      let j = try judgedWithinRange(calibrated.judge(cells: finished, level: inputs.options.confidenceLevel))
      if j.verdict != nil, withDiverged != finished {
        let k = try? judgedWithinRange(calibrated.judge(cells: withDiverged, level: inputs.options.confidenceLevel))
        if k?.verdict != j.verdict {
          caveats.append("not robust to diverged runs: scored from their returns before divergence, they make it "
            + reportKind(inputs.manifest).word(k?.verdict))
        }
      }
      if let v = j.verdict, let flag = (try? methodDependence(claim, verdict: v, finished, inputs)) ?? nil { caveats.append(flag) }
      let runs = j.runsPerCell.map { "\($0.cell) \($0.runs)" }.joined(separator: ", ")
      // The smallest effect of interest adds the fourth verdict, "smaller than" it.
      let delta = inputs.manifest.smallestEffect(of: claim, on: t)
      // ACLI > AAI and its kin: "reproduced" by the dominating contrasts the paper's means fix.
      let dominance = dominanceTest(calibrated, on: t, inputs)
      func verdict(_ j: CalibratedJudgement, alpha: Double) -> Verdict? {
        guard let d = j.difference else { return nil }
        let v = Verdict(difference: d, relation: relation, smallestEffect: delta)
        guard let dominance, let summaries = try? calibrated.cells.map({ try CellSummary(finished[$0] ?? []) }) else { return v }
        if let low = dominance.claim.lowestBound(dominance.contrasts, summaries: summaries, alpha: alpha), low > 0 {
          return .reproduced
        }
        return v == .reproduced ? .inconclusive : v
      }
      var method = "\(j.method)"
      if let dominance {
        method += "; reproduced only through the dominating contrasts fixed by the paper's means: "
          + dominance.contrasts.map { "\($0)" }.joined(separator: ", ") + " all > 0 (each one-sided 97.5%)"
      }
      if let delta {
        method += "; smallest effect of interest \(String(format: "%.0f", delta)) ("
          + (claim.smallestEffect == nil ? "half the paper's effect" : "set by the manifest") + ")"
      }
      let line = ClaimLine(
        left: "[\(claim.left)]", relation: relation, right: "[\(claim.right)]", task: t.rawValue,
        difference: j.difference, verdict: verdict(j, alpha: 1 - inputs.options.confidenceLevel),
        reason: j.notJudged.map { "not judged: \($0)" } ?? opNote,
        method: "\(method); runs: \(runs)", caveats: caveats)
      // At another level the data may leave it undefined too: then it is not judged there.
      return TestedLine(line: line, claim: claim.name) { a in
        (try? judgedWithinRange(calibrated.judge(cells: finished, level: 1 - a))).flatMap { verdict($0, alpha: a) }
      }
      })
    }
  }
  return lines
}

/// `judgement`, unless its interval left the float range (scores near ±1e154 and beyond):
/// then the claim cannot be judged on these data.
func judgedWithinRange(_ judgement: CalibratedJudgement) throws -> CalibratedJudgement {
  if let d = judgement.difference, !(d.low.isFinite && d.high.isFinite && d.estimate.isFinite) {
    throw StatisticsError.nonFiniteResult("the interval of \(judgement.claim)")
  }
  return judgement
}

/// The line `judge` makes, or, when these data leave the claim undefined (a division by
/// zero, scores beyond the float range), a line that says so, not judged at any level:
/// one claim never sinks a report. `family` is the claim's name for a claim between rows.
func judgedOrNotJudged(
  _ claim: ManifestClaim, task t: TaskID, family: String? = nil, _ judge: () throws -> TestedLine
) -> TestedLine {
  do {
    return try judge()
  } catch {
    let line = ClaimLine(
      left: "[\(claim.left)]", relation: claim.op.relation, right: "[\(claim.right)]", task: t.rawValue,
      difference: nil, verdict: nil, reason: "not judged: claim '\(claim.name)' is undefined on these scores: \(error)")
    return TestedLine(line: line, claim: family) { _ in nil }
  }
}

/// The dominance test of a claim `max(|A_i|) − max(|B_j|) > 0` on `task`, with its contrasts
/// fixed by the paper's printed means of the claim's cells there (`DominanceClaim`); nil when the
/// claim has another shape or the paper prints no mean for one of its cells.
func dominanceTest(
  _ calibrated: CalibratedClaim, on task: TaskID, _ inputs: ReportInputs
) -> (claim: DominanceClaim, contrasts: [LinearContrast])? {
  guard let d = DominanceClaim(calibrated) else { return nil }
  let prior = calibrated.cells.compactMap { inputs.manifest.paperValue(row: $0, task: task)?.value }
  guard prior.count == calibrated.cells.count else { return nil }
  return (d, d.contrasts(prior: prior))
}

/// For a claim between two algorithm rows: the Brunner–Munzel interval of
/// P(left > right) beside Welch's verdict on the means, and a caveat when its
/// verdict (against ½) differs, since Welch's t does not hold its error rate on
/// some RL-shaped data where Brunner–Munzel does (RLShapedCalibrationTests).
/// Nil when they agree or Brunner–Munzel gives no interval.
func methodDependence(
  _ claim: ManifestClaim, verdict: Verdict, _ scores: [String: [Double]], _ inputs: ReportInputs
) throws -> String? {
  guard inputs.manifest.algorithm(named: claim.left) != nil, inputs.manifest.algorithm(named: claim.right) != nil,
        let x = scores[claim.left], let y = scores[claim.right], x.count >= 2, y.count >= 2,
        let b = try brunnerMunzel(x, y, level: inputs.options.confidenceLevel) else { return nil }
  let other = Verdict(superiority: b.interval, relation: claim.op.relation)
  guard other != verdict else { return nil }
  let i = b.interval
  return "the verdict depends on the method: Brunner–Munzel on P([\(claim.left)] > [\(claim.right)]) = "
    + String(format: "%.2f [%.2f, %.2f]", i.estimate, i.low, i.high) + " makes it \(reportKind(inputs.manifest).word(other))"
}

/// The claims as a sequential design decided them (`UntilDecided`).
///
/// A run that continued only some lines (`--claim`, `--task`) chose them after earlier runs were
/// seen, so its design runs at α/k (`UntilDecided.selectionCharge`: k the manifest's row-claim
/// lines they were chosen from; issue 24), and each chosen line says which rule applied and what
/// the design would say at α. Its family verdict (Holm over the report's lines) charges the choice too.
func sequentialClaimLines(_ inputs: ReportInputs, _ outcome: SequentialOutcome) throws -> [TestedLine] {
  let design = outcome.design
  let looks = design.looks.map(String.init).joined(separator: ", ")
  let alpha = 1 - inputs.options.confidenceLevel
  let charge = Int(((1 - design.level) > 0 ? alpha / (1 - design.level) : 1).rounded())
  var lines: [TestedLine] = []
  for (k, claim) in inputs.manifest.rowClaims.enumerated() {
    for t in claim.tasks {
      guard let selected = outcome.line(claim: k, task: t) else {
        let line = ClaimLine(
          left: "[\(claim.left)]", relation: claim.op.relation, right: "[\(claim.right)]", task: t.rawValue,
          difference: nil, verdict: nil, reason: "not judged: not among the claims this sequential run selected (--claim, --task)",
          method: nil)
        lines.append(TestedLine(line: line, claim: claim.name) { _ in nil })
        continue
      }
      let d = selected.decision
      let n = design.looks[min(d.look, design.looks.count - 1)]
      var verdict: Verdict? = nil
      var reason: String? = nil
      switch d.status {
      case .decided(let v): verdict = v
      case .inconclusive: verdict = .inconclusive
      case .awaitingRuns(let m): reason = "not judged yet: look \(d.look + 1) of \(design.looks.count) needs \(m) runs per cell"
      case .notJudged(let why): reason = "not judged: \(why)"
      }
      let stopped = verdict != nil
      if charge > 1 {
        let uncharged = try outcome.verdict(of: selected, alpha: alpha)
        reason = "chosen for this sequential run (--claim, --task) after earlier runs were seen, so judged at "
          + "\(formatNumber(alpha * 100))%/\(charge), the choice charged among the \(charge) claim lines it was chosen from"
          + (verdict == nil ? ": " + (reason ?? "not decided") : "")
          + (uncharged == nil || uncharged == verdict ? "" : "; at \(formatNumber(alpha * 100))% it would be \(uncharged!.rawValue)")
      }
      let method = "group-sequential, O'Brien–Fleming α spending over looks at n = \(looks), Welch t at each look"
        + (stopped ? "; stopped at look \(d.look + 1) with n = \(n) per cell" : "")
      let line = ClaimLine(
        left: "[\(claim.left)]", relation: claim.op.relation, right: "[\(claim.right)]", task: t.rawValue,
        difference: stopped ? d.judgements.last?.difference : nil, verdict: verdict, reason: reason,
        method: method, sequential: true)
      lines.append(TestedLine(line: line, claim: claim.name) { a in try outcome.verdict(of: selected, alpha: a) })
    }
  }
  // Claims on figures are not part of the sequential design: judged on the runs there are.
  for claim in inputs.manifest.claims where claim.subject != .rows {
    for t in claim.tasks { lines.append(judgedOrNotJudged(claim, task: t) { try figureClaimLine(claim, task: t, inputs) }) }
  }
  return lines
}

/// A claim line and its test at any level: its verdict at two-sided miss
/// probability α (nil when it cannot be judged there), by the same method and
/// runs as the line's own verdict, for the family's Holm procedure.
struct TestedLine {
  var line: ClaimLine
  /// The manifest claim's name, for its "on every task" line; nil for claims on figures.
  var claim: String? = nil
  var verdictAt: (Double) throws -> Verdict?
}

/// The report's claim lines judged as one family: every line gets its
/// family-adjusted verdict (Holm over all the report's lines, those not judged
/// included, at the report's level: `familyVerdicts`), and each claim between
/// rows made on more than one task gets an "on every task" line
/// (intersection–union: `everyTaskVerdict`) after its task lines.
func judgedAsFamily(_ tested: [TestedLine], _ inputs: ReportInputs) throws -> [ClaimLine] {
  let alpha = 1 - inputs.options.confidenceLevel
  let family = try familyVerdicts(
    count: tested.count, judged: tested.map { $0.line.verdict != nil }, alpha: alpha
  ) { i, a in try tested[i].verdictAt(a) }
  var out: [ClaimLine] = []
  for (i, t) in tested.enumerated() {
    var line = t.line
    line.family = family[i]
    out.append(line)
    guard let name = t.claim, tested.indices.last == i || tested[i + 1].claim != name else { continue }
    let members = tested.indices.filter { tested[$0].claim == name }
    guard members.count > 1 else { continue }
    let verdict = everyTaskVerdict(own: members.map { tested[$0].line.verdict }, family: members.map { family[$0].verdict })
    let unjudged = members.filter { tested[$0].line.verdict == nil }.compactMap { tested[$0].line.task }
    out.append(ClaimLine(
      left: line.left, relation: line.relation, right: line.right, task: nil, difference: nil, verdict: verdict,
      reason: verdict == nil ? "not judged: no verdict on " + unjudged.joined(separator: ", ") : nil,
      everyTask: members.compactMap { tested[$0].line.task }))
  }
  return out
}

/// "3/5 runs finished (1 missing, 1 diverged)", or nil for a complete cell.
func incompleteSummary(_ c: CellScores) -> String? {
  guard c.scores.count < c.expected else { return nil }
  var what: [String] = []
  if c.missing > 0 { what.append("\(c.missing) missing") }
  if c.diverged > 0 { what.append("\(c.diverged) diverged") }
  return "\(c.scores.count)/\(c.expected) runs finished" + (what.isEmpty ? "" : " (" + what.joined(separator: ", ") + ")")
}

/// Probability of improvement for every claim between two algorithm rows, as claimed.
func robustSection(_ inputs: ReportInputs) throws -> RobustSection {
  let manifest = inputs.manifest
  var pairs: [(x: String, y: String)] = []
  for c in manifest.rowClaims where manifest.algorithm(named: c.left) != nil && manifest.algorithm(named: c.right) != nil {
    let pair = c.op.relation == .greaterThan ? (c.left, c.right) : (c.right, c.left)
    if !pairs.contains(where: { $0 == pair }) { pairs.append(pair) }
  }
  var improvements: [ImprovementRow] = []
  for pair in pairs {
    var row: [ConfidenceInterval?] = []
    for t in manifest.tasks {
      guard let x = inputs.scores(pair.x, t), let y = inputs.scores(pair.y, t), !x.isEmpty, !y.isEmpty else {
        row.append(nil)
        continue
      }
      var b = inputs.bootstrap("poi/\(t.rawValue)/\(pair.x)/\(pair.y)")
      // P(X > Y) only compares scores, so any finite ones work; left blank if it cannot be computed.
      row.append(try? b.probabilityOfImprovementCI(x, over: y))
    }
    improvements.append(ImprovementRow(x: pair.x, y: pair.y, cells: row))
  }
  return RobustSection(
    improvements: improvements,
    note: "IQM and P(X > Y) are over the finished runs of each cell; X and Y are resampled independently.")
}

/// The paper's rows of Tables 4–6, in its order and words.
let paperSettingRows: [(key: String, label: String)] = [
  ("stepsPerIteration", "Timesteps per iteration"), ("gamma", "Discount factor (γ)"), ("gaeLambda", "GAE discount (λ)"),
  ("valueLR", "Value network LR"), ("valueEpochs", "Value network num. epochs"),
  ("hiddenSizes", "Hidden layers (policy and value)"), ("klBound", "KL constraint (δ)"),
  ("fisherFraction", "Fisher estimation fraction"), ("cgIterations", "Conjugate gradient steps"),
  ("cgDamping", "Conjugate gradient damping"), ("lineSearchSteps", "Backtracking steps"),
  ("policyLR", "Policy LR (Adam)"), ("policyEpochs", "Policy epochs"), ("clipEpsilon", "PPO clipping ε"),
  ("entropyCoefficient", "Entropy coeff."), ("rewardClip", "Reward clipping (±)"),
  ("gradientClip", "Gradient clipping (ℓ2 norm)"), ("rewardNormalization", "Reward normalization"),
  ("observationClip", "State clipping (±)"),
]

/// A setting's value as a table shows it: "—" for off, "on"/"off" for switches, numbers in their shortest form.
func settingText(_ v: JSONValue) -> String {
  switch v {
  case .null: return "—"
  case .bool(let b): return b ? "on" : "off"
  case .string(let s): return s
  case .number(_, let d): return JSONValue.canonicalNumber(d).replacingOccurrences(of: "e+", with: "e")
  case .array(let items): return "[" + items.map(settingText).joined(separator: ", ") + "]"
  case .object: return v.canonical
  }
}

/// Whether a setting acts in a run of `algorithm`: a shared one always, an algorithm's own
/// (its row's settings group) only in its runs.
func applies(_ d: SettingDefinition, to algorithm: AlgorithmKind) -> Bool {
  d.group.algorithm.map { $0 == algorithm } ?? true
}

/// One table per task: the paper's rows, then every other setting that differs
/// between the algorithms or from its neutral value.
func settingsTables(_ inputs: ReportInputs) throws -> [SettingsTable] {
  let manifest = inputs.manifest
  var tables: [SettingsTable] = []
  for t in manifest.tasks {
    let configs = try manifest.algorithms.map { try manifest.config(algorithm: $0, task: t, scale: inputs.expansion.scale) }
    func row(_ d: SettingDefinition, label: String, printed: Bool) -> SettingsRow {
      SettingsRow(label: label, key: d.key, values: configs.map { c in
        applies(d, to: c.algorithm) ? settingText(d.value(in: c)) : "N/A"
      }, printed: printed)
    }
    var rows: [SettingsRow] = []
    for (key, label) in paperSettingRows {
      if let d = Settings.definition(key) { rows.append(row(d, label: label, printed: true)) }
    }
    let printedKeys = Set(paperSettingRows.map(\.key))
    for d in Settings.table where !printedKeys.contains(d.key) {
      let values = configs.filter { applies(d, to: $0.algorithm) }.map { d.value(in: $0) }
      if Set(values.map(\.canonical)).count > 1 || values.contains(where: { $0 != d.neutralValue }) {
        rows.append(row(d, label: d.key, printed: false))
      }
    }
    tables.append(SettingsTable(
      title: t.row.gymnasiumID + (manifest.isStudy ? "" : PaperTask(task: t).map { " (the paper's \(PaperReading.table($0)): \($0.rawValue)-v2)" } ?? ""),
      columns: manifest.algorithms.map(\.name), rows: rows))
  }
  return tables
}

/// The differences from the paper and the authors' code, grouped by row and
/// setting over the tasks, each with the manifest's reason; then the manifest's
/// general notes.
func fidelitySection(_ manifest: Manifest, authors: AuthorsConfigs?) throws -> FidelitySection {
  var lines: [FidelityLine] = []
  var index: [String: Int] = [:]  // (source, row, setting, reason) → line, looked up only
  for d in try Fidelity.differences(manifest, authors: authors) {
    let reason = Fidelity.reason(for: d, in: manifest)?.reason
    let key = [d.source.rawValue, d.row, d.key, reason ?? ""].joined(separator: "\u{0}")
    let cell = FidelityCell(task: d.task.rawValue, ours: settingText(d.ours), theirs: settingText(d.theirs), reference: d.reference)
    if let i = index[key] {
      lines[i].cells.append(cell)
    } else {
      index[key] = lines.count
      lines.append(FidelityLine(source: d.source.rawValue, row: d.row, setting: d.key, cells: [cell], reason: reason))
    }
  }
  for dev in manifest.deviations where dev.setting == nil {
    lines.append(FidelityLine(source: dev.from.rawValue, row: dev.rows?.joined(separator: ", "), setting: nil, cells: [],
                              reason: dev.reason))
  }
  return FidelitySection(authorsCode: authors.map { "\($0.repository) at \($0.commit.prefix(7))" }, lines: lines)
}

/// Notes under the table: the scale's note, the manifest's description, unscored runs, unreadable files.
func notes(_ inputs: ReportInputs, invalidFiles: [String: String]) -> [String] {
  var notes: [String] = []
  if let n = inputs.expansion.scale.note { notes.append("Scale \(inputs.expansion.scale.name): \(n)") }
  if let d = inputs.manifest.description { notes.append(d) }
  let unscored = inputs.cells.values.flatMap(\.values).reduce(0) { $0 + $1.unscored }
  if unscored > 0 {
    notes.append("\(unscored) run(s) finished without a score (no episode completed in the scored iterations); they are counted as diverged.")
  }
  if !invalidFiles.isEmpty {
    let listed = invalidFiles.sorted { $0.key < $1.key }.prefix(10).map { "\($0.key) (\($0.value))" }
    notes.append("\(invalidFiles.count) result file(s) were ignored and their runs counted missing: "
      + listed.joined(separator: "; ") + (invalidFiles.count > 10 ? "; ..." : "") + ".")
  }
  return notes
}

/// Learning curves of every algorithm row on every task, from the finished runs'
/// stored curves (`ArchivedRun.Curves.meanReturn`): at each point the mean over
/// runs and a percentile bootstrap CI of it (stream `curve/<task>/<row>/<point>`),
/// both to 5 significant digits. Nil when no run has a curve.
func curvesSection(_ inputs: ReportInputs) -> CurvesSection? {
  let manifest = inputs.manifest
  var panels: [CurvePanel] = []
  for t in manifest.tasks {
    var series: [CurveSeries] = []
    for a in manifest.algorithms {
      let runs = inputs.expansion.specs(algorithm: a.name, task: t).compactMap { inputs.results[$0.hash] }
        .filter { $0.finishedScore != nil && !$0.curves.meanReturn.isEmpty && $0.iterations > 0 }
      guard let first = runs.first else { continue }
      // Runs of one cell share a budget; one that does not (a changed scale) is left out.
      let same = runs.filter { $0.curves.every == first.curves.every && $0.iterations == first.iterations && $0.totalSteps == first.totalSteps }
      let every = first.curves.every
      let stepsPerIteration = Double(first.totalSteps) / Double(first.iterations)
      let points = same.map(\.curves.meanReturn.count).max() ?? 0
      let steps = (0..<points).map { Double(min(($0 + 1) * every, first.iterations)) * stepsPerIteration }
      let (mean, low, high) = meanAndBand(same.map(\.curves.meanReturn), points: points, inputs) { "curve/\(t.rawValue)/\(a.name)/\($0)" }
      series.append(CurveSeries(algorithm: a.name, runs: same.count, steps: steps, mean: mean, low: low, high: high))
    }
    if !series.isEmpty { panels.append(CurvePanel(task: t.rawValue, series: series)) }
  }
  guard !panels.isEmpty else { return nil }
  let level = formatLevel(inputs.options.confidenceLevel)
  return CurvesSection(
    metric: "mean return per episode of the training rollouts",
    band: "\(level) percentile bootstrap CI of that mean (\(inputs.options.resamples) resamples; none where a point has fewer than 2 runs)",
    panels: panels)
}

/// Per point of `series` (one per run, nil where a run has no value): the mean over the runs
/// that have one and a percentile bootstrap CI of it (stream `stream(point)`; none below 2
/// runs), to 5 significant digits.
func meanAndBand(
  _ series: [[Double?]], points: Int, _ inputs: ReportInputs, stream: (Int) -> String
) -> (mean: [Double?], low: [Double?], high: [Double?]) {
  var mean: [Double?] = [], low: [Double?] = [], high: [Double?] = []
  for i in 0..<points {
    let xs = series.compactMap { i < $0.count ? $0[i] : nil }.filter(\.isFinite)
    guard !xs.isEmpty else { mean.append(nil); low.append(nil); high.append(nil); continue }
    mean.append(ArchivedRun.rounded(xs.reduce(0, +) / Double(xs.count)))
    var b = inputs.bootstrap(stream(i))
    let ci = xs.count >= 2 ? try? b.meanCI(xs) : nil
    low.append(ci.flatMap { ArchivedRun.rounded($0.low) })
    high.append(ci.flatMap { ArchivedRun.rounded($0.high) })
  }
  return (mean, low, high)
}

/// The trust-region diagnostics of every algorithm row on every task, from the
/// finished runs' archived diagnostics: per diagnostic, each agent's series, the
/// mean over agents and a percentile bootstrap CI of it (stream
/// `trust/<metric>/<task>/<row>/<point>`), and the algorithm's bound. Nil when no run recorded any.
func trustRegionSection(_ inputs: ReportInputs) -> TrustRegionSection? {
  let metrics: [(name: String, key: String, log: Bool, pick: (ArchivedRun.Diagnostics) -> [Double?])] = [
    ("mean KL, training batch", "meanKL-train", true, { $0.train.meanKL }),
    ("mean KL, held-out rollout", "meanKL-heldOut", true, { $0.heldOut.meanKL }),
    ("max ratio, training batch", "maxRatio-train", false, { $0.train.maxRatio }),
    ("max ratio, held-out rollout", "maxRatio-heldOut", false, { $0.heldOut.maxRatio }),
  ]
  let manifest = inputs.manifest
  var rows: [TrustRegionRow] = []
  var any = false
  for m in metrics {
    var panels: [[TrustRegionSeries]] = []
    for t in manifest.tasks {
      var list: [TrustRegionSeries] = []
      for a in manifest.algorithms {
        let specs = inputs.expansion.specs(algorithm: a.name, task: t)
        let runs = specs.compactMap { inputs.results[$0.hash] }.filter { $0.finishedScore != nil && $0.curves.diagnostics != nil }
        guard let first = runs.first?.curves.diagnostics else { continue }
        let same = runs.compactMap(\.curves.diagnostics).filter { $0.iterations == first.iterations }
        let agents = same.map(m.pick)
        let (mean, low, high) = meanAndBand(agents, points: first.iterations.count, inputs) {
          "trust/\(m.key)/\(t.rawValue)/\(a.name)/\($0)"
        }
        var bound: Double? = nil, label: String? = nil
        if let c = specs.first?.config {
          let row = c.algorithm.row
          if m.key.hasPrefix("meanKL"), let first = row.meanKLBound(c, 0) {
            let last = row.meanKLBound(c, c.iterations - 1) ?? first
            bound = first
            label = "δ = \(formatNumber(first, decimals: 3))" + (last != first ? " (first iteration; \(formatNumber(last, decimals: 3)) at the last)" : "")
          } else if m.key.hasPrefix("maxRatio"), let ratio = row.ratioBound(c) {
            bound = ratio
            label = "1 + ε = \(formatNumber(ratio, decimals: 2))"
          }
        }
        any = true
        list.append(TrustRegionSeries(algorithm: a.name, iterations: first.iterations.map { Double($0 + 1) }, agents: agents,
                                      mean: mean, low: low, high: high, bound: bound, boundLabel: label))
      }
      panels.append(list)
    }
    rows.append(TrustRegionRow(metric: m.name, logScale: m.log, panels: panels))
  }
  guard any else { return nil }
  return TrustRegionSection(
    rows: rows, tasks: manifest.tasks.map(\.rawValue),
    band: "\(formatLevel(inputs.options.confidenceLevel)) percentile bootstrap CI of that mean (\(inputs.options.resamples) resamples)")
}

/// The grid's selection per configuration and task (`Grid.selected`, on the
/// finished scores), and histograms of the selected runs' scores by each factor's value.
func gridSection(_ inputs: ReportInputs, _ grid: Grid) -> GridSection {
  let tasks = inputs.manifest.tasks
  let byRow = Dictionary(grid.cells.map { ($0.row, $0) }, uniquingKeysWith: { a, _ in a })
  var labels: [String] = []
  var choices: [[GridChoice?]] = []
  var histograms: [GridHistogram] = []
  for t in tasks {
    let scores: (String) -> [Double] = { inputs.scores($0, t) ?? [] }
    let selection = grid.selected(scores: scores)
    if labels.isEmpty {
      labels = selection.map { "\($0.base) (\(grid.configurationText($0.levels)))" }
      choices = Array(repeating: [], count: selection.count)
    }
    for (k, sel) in selection.enumerated() {
      guard let row = sel.row else { choices[k].append(nil); continue }
      let xs = scores(row)
      let value = byRow[row]?.search.flatMap { i in grid.search.map { $0.text(i) } }
      choices[k].append(GridChoice(searchValue: value, mean: xs.reduce(0, +) / Double(xs.count), runs: xs.count))
    }
    for (fi, f) in grid.factors.enumerated() {
      let groups = f.values.indices.map { v in
        GridGroup(value: f.text(v), scores: grid.selectedScores(factor: fi, value: v, in: selection, scores: scores))
      }
      histograms.append(GridHistogram(task: t.rawValue, factor: f.name, groups: groups))
    }
  }
  let rule: String
  switch grid.select {
  case .bestMeanScore:
    rule = grid.search.map { "per configuration and task, the \($0.name) whose finished runs have the best mean score (ties: the first listed); its runs are the ones shown." }
      ?? "every configuration's runs."
  }
  return GridSection(
    factors: grid.factors.map(\.name), factorSettings: grid.factors.map(\.setting), search: grid.search?.name, rule: rule,
    tasks: tasks.map(\.rawValue), configurations: zip(labels, choices).map { GridConfiguration(label: $0, choices: $1) },
    histograms: histograms)
}

/// Core-hours per cell: the CPU time (else wall time) of every run the report found, finished or diverged.
func computeSection(_ inputs: ReportInputs) -> ComputeSection {
  let manifest = inputs.manifest
  let rows = manifest.algorithms.map { a -> ComputeRow in
    var hours: [Double] = [], counts: [Int] = []
    for t in manifest.tasks {
      let runs = inputs.expansion.specs(algorithm: a.name, task: t).compactMap { inputs.results[$0.hash] }
      hours.append(runs.reduce(0) { $0 + $1.timing.coreSeconds } / 3600)
      counts.append(runs.count)
    }
    return ComputeRow(algorithm: a.name, coreHours: hours, runs: counts)
  }
  return ComputeSection(columns: manifest.tasks.map(\.rawValue), rows: rows)
}

func provenance(_ inputs: ReportInputs, manifestHash: String, archive: Archive) -> Provenance {
  let expansion = inputs.expansion
  let first = expansion.specs.first?.config
  var wall = 0.0
  for spec in expansion.uniqueSpecs { wall += inputs.results[spec.hash]?.timing.wallSeconds ?? 0 }
  let c = inputs.context
  var p = Provenance(
    manifestHash: manifestHash, seeds: expansion.seeds.map { Int($0) },
    iterations: first?.iterations ?? 0, stepsPerIteration: first?.stepsPerIteration ?? 0,
    bootstrap: c.bootstrap, bootstrapSeed: c.bootstrapSeed, gitCommit: c.gitCommit,
    mujocoVersion: c.mujocoVersion, machine: c.machine, date: c.date,
    computeHours: c.computeHours ?? wall / 3600, command: c.command,
    archive: ArchiveReference(file: archive.fileName, sha256: archive.contentSHA256, runs: archive.runs.count, read: c.archiveFile))
  for s in expansion.specs {
    guard let m = s.model else { continue }
    let line = "\(s.task.row.gymnasiumID): \(m.file), sha256 \(m.sha256)"
    if !p.customModels.contains(line) { p.customModels.append(line) }
  }
  return p
}

/// "Table 2: PPO, PPO-M, TRPO, TRPO+ on Walker2d, Hopper, Humanoid" for a manifest named table2;
/// "Study obs-norm: PPO, PPO-NoObsNorm on Hopper, Walker2d" for a study named obs-norm.
func reportTitle(_ m: Manifest) -> String {
  var head = m.name
  if m.name.hasPrefix("table"), let n = Int(m.name.dropFirst(5)) { head = "Table \(n)" }
  if m.name.hasPrefix("figure"), let n = Int(m.name.dropFirst(6)) { head = "Figure \(n)" }
  if m.isStudy { head = "Study \(m.name)" }
  let tasks = m.tasks.map(\.rawValue).joined(separator: ", ")
  if let g = m.grid {
    let bases = g.cells.map(\.base).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
    return "\(head): \(bases.joined(separator: ", ")) on \(tasks), over \(g.factors.map(\.name).joined(separator: ", "))"
      + (g.search.map { " and \($0.name)" } ?? "")
  }
  return "\(head): \(m.algorithms.map(\.name).joined(separator: ", ")) on \(tasks)"
}
