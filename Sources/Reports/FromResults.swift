// The glue from a manifest and its stored results to a `TableReport`.
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
// - Probability of improvement: `Bootstrap.probabilityOfImprovementCI` for
//   PPO over PPO-M and TRPO+ over TRPO when both rows are run (stream
//   `poi/<task>/<x>/<y>`).

import Algorithms
import Experiments
import Foundation
import Statistics

/// What a report says about the moment and the machine it was made on: the
/// only inputs of `buildTableReport` that are not in the manifest or the results.
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

  public init(
    gitCommit: String, mujocoVersion: String, machine: Machine, date: String, command: String,
    bootstrapSeed: UInt64 = 0, bootstrap: BootstrapOptions = .paper
  ) {
    self.gitCommit = gitCommit
    self.mujocoVersion = mujocoVersion
    self.machine = machine
    self.date = date
    self.command = command
    self.bootstrapSeed = bootstrapSeed
    self.bootstrap = bootstrap
  }
}

/// A report that cannot be built (a bad formula in the manifest, an inconsistent model).
public struct ReportBuildError: Error, CustomStringConvertible, Equatable {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// The pairs shown as probability of improvement, when both rows are run.
public let improvementPairs: [(x: String, y: String)] = [("PPO", "PPO-M"), ("TRPO+", "TRPO")]

/// What became of one cell's runs.
struct CellScores {
  var expected: Int
  /// Scores of the finished runs, in seed order.
  var scores: [Double]
  var missing: Int
  var diverged: Int
  /// Runs with a result but no score that were not flagged diverged (no episode completed).
  var unscored: Int
}

/// Builds the report of `expansion` (a manifest at one scale) from the results
/// found (by spec hash). Never trains; a run with no result is counted missing.
/// - Parameters:
///   - manifestHash: sha256 (hex) of the manifest file's bytes.
///   - invalidFiles: how many result files were present but unusable (a note says so).
public func buildTableReport(
  expansion: Expansion, results: [String: RunResult], manifestHash: String,
  context: ReportContext, invalidFiles: Int = 0
) throws -> TableReport {
  let manifest = expansion.manifest
  let tasks = manifest.tasks
  let opts = context.bootstrap
  let seed = context.bootstrapSeed

  // Per-cell scores.
  var cells: [String: [PaperTask: CellScores]] = [:]
  for a in manifest.algorithms {
    var row: [PaperTask: CellScores] = [:]
    for t in tasks {
      let specs = expansion.specs(algorithm: a.name, task: t)
      var c = CellScores(expected: specs.count, scores: [], missing: 0, diverged: 0, unscored: 0)
      for spec in specs {
        guard let r = results[spec.hash] else { c.missing += 1; continue }
        if r.diverged == nil, let s = r.score, s.isFinite {
          c.scores.append(s)
        } else {
          c.diverged += 1
          if r.diverged == nil { c.unscored += 1 }
        }
      }
      row[t] = c
    }
    cells[a.name] = row
  }
  func scores(_ row: String, _ t: PaperTask) -> [Double]? { cells[row]?[t]?.scores }

  // Derived formulas, with earlier derived rows inlined.
  var definitions: [String: Formula] = [:]
  var inlinedDerived: [String: Formula] = [:]
  for d in manifest.derived {
    do {
      let f = try Formula(d.formula)
      definitions[d.name] = f
      inlinedDerived[d.name] = try f.inlining(definitions)
    } catch {
      throw ReportBuildError("\(manifest.file): derived.\(d.name): \(error)")
    }
  }

  /// name → finished scores of every algorithm row that `names` reference, on `t`;
  /// or the name of the first one with no finished run.
  func inputs(_ names: [String], _ t: PaperTask) -> (cells: [String: [Double]], empty: String?) {
    var out: [String: [Double]] = [:]
    for n in names {
      guard let s = scores(n, t) else { return (out, n) }
      if s.isEmpty { return (out, n) }
      out[n] = s
    }
    return (out, nil)
  }

  // Rows.
  var rows: [ReportRow] = []
  for name in manifest.rows {
    let paper: [Reports.PaperValue?] = tasks.map { t in
      manifest.paperValue(row: name, task: t).map { Reports.PaperValue($0.mean, low: $0.low, high: $0.high) }
    }
    switch manifest.rowKind(name) {
    case .algorithm?:
      var rowCells: [ReportCell] = []
      for (j, t) in tasks.enumerated() {
        guard let c = cells[name]?[t] else { continue }
        var ours: ConfidenceInterval? = nil
        var iqm: ConfidenceInterval? = nil
        if !c.scores.isEmpty {
          var b = Bootstrap(seed: seed, stream: "bootstrap/\(t.rawValue)/\(name)", options: opts)
          ours = try b.meanCI(c.scores)
          var q = Bootstrap(seed: seed, stream: "iqm/\(t.rawValue)/\(name)", options: opts)
          iqm = try q.interquartileMeanCI(c.scores)
        }
        rowCells.append(ReportCell(
          ours: ours,
          runs: RunCounts(expected: c.expected, finished: c.scores.count, missing: c.missing, diverged: c.diverged),
          iqm: iqm, paper: paper[j]))
      }
      rows.append(ReportRow(name: name, kind: .algorithm, cells: rowCells))
    case .derived?:
      guard let f = inlinedDerived[name], let d = manifest.derived.first(where: { $0.name == name }) else { continue }
      var rowCells: [ReportCell] = []
      for (j, t) in tasks.enumerated() {
        let (cellScores, empty) = inputs(f.referencedNames, t)
        var ours: ConfidenceInterval? = nil
        if empty == nil {
          var b = Bootstrap(seed: seed, stream: "bootstrap/\(t.rawValue)/\(name)", options: opts)
          ours = try b.formulaCI(f, cells: cellScores)
        }
        rowCells.append(ReportCell(ours: ours, paper: paper[j]))
      }
      rows.append(ReportRow(name: name, kind: .derived, formula: d.formula, inputs: f.referencedNames, cells: rowCells))
    case .reference?:
      rows.append(ReportRow(name: name, kind: .reference, cells: paper.map { ReportCell(paper: $0) }))
    case nil:
      throw ReportBuildError("\(manifest.file): rows: unknown row '\(name)'")
    }
  }

  // Claims.
  var claimLines: [ClaimLine] = []
  for (k, claim) in manifest.claims.enumerated() {
    let relation: ClaimRelation
    switch claim.op {
    case .greater, .greaterOrEqual: relation = .greaterThan
    case .less, .lessOrEqual: relation = .lessThan
    }
    let opNote = (claim.op == .greaterOrEqual || claim.op == .lessOrEqual)
      ? "claimed \(claim.op.rawValue), judged as \(relation.rawValue)" : nil
    for t in claim.tasks {
      let left = "[\(claim.left)]", right = "[\(claim.right)]"
      func unjudged(_ reason: String) {
        claimLines.append(ClaimLine(left: left, relation: relation, right: right, task: t.rawValue,
                                    difference: nil, verdict: nil, reason: reason))
      }
      let kinds = [claim.left, claim.right].map { manifest.rowKind($0) }
      if let bad = zip([claim.left, claim.right], kinds).first(where: { $0.1 != .algorithm && $0.1 != .derived }) {
        unjudged("'\(bad.0)' has no runs")
        continue
      }
      let statClaim: Statistics.Claim
      do {
        statClaim = try Statistics.Claim(left: Formula(left), relation: relation, right: Formula(right)).inlining(definitions)
      } catch {
        throw ReportBuildError("\(manifest.file): claims[\(k)]: \(error)")
      }
      let (cellScores, empty) = inputs(statClaim.referencedNames, t)
      if let e = empty {
        unjudged("no finished runs of \(e)")
        continue
      }
      var b = Bootstrap(seed: seed, stream: "claim/\(t.rawValue)/\(k)", options: opts)
      let j = try b.judge(statClaim, cells: cellScores)
      claimLines.append(ClaimLine(left: left, relation: relation, right: right, task: t.rawValue,
                                  difference: j.difference, verdict: j.verdict, reason: opNote))
    }
  }

  // Probability of improvement.
  var improvements: [ImprovementRow] = []
  for pair in improvementPairs
  where manifest.algorithm(named: pair.x) != nil && manifest.algorithm(named: pair.y) != nil {
    var row: [ConfidenceInterval?] = []
    for t in tasks {
      guard let x = scores(pair.x, t), let y = scores(pair.y, t), !x.isEmpty, !y.isEmpty else {
        row.append(nil)
        continue
      }
      var b = Bootstrap(seed: seed, stream: "poi/\(t.rawValue)/\(pair.x)/\(pair.y)", options: opts)
      row.append(try b.probabilityOfImprovementCI(x, over: y))
    }
    improvements.append(ImprovementRow(x: pair.x, y: pair.y, cells: row))
  }
  let robust = RobustSection(
    improvements: improvements,
    note: "IQM and P(X > Y) are over the finished runs of each cell; X and Y are resampled independently.")

  // Notes.
  var notes: [String] = []
  if let n = expansion.scale.note { notes.append("Scale \(expansion.scale.name): \(n)") }
  if let d = manifest.description { notes.append(d) }
  let unscored = cells.values.flatMap(\.values).reduce(0) { $0 + $1.unscored }
  if unscored > 0 {
    notes.append("\(unscored) run(s) finished without a score (no episode completed in the scored iterations); they are counted as diverged.")
  }
  if invalidFiles > 0 {
    notes.append("\(invalidFiles) result file(s) were unreadable or for other settings; their runs are counted missing.")
  }

  // Provenance.
  let first = expansion.specs.first?.config
  var wall = 0.0
  for spec in expansion.uniqueSpecs { wall += results[spec.hash]?.wallSeconds ?? 0 }
  let provenance = Provenance(
    manifestHash: manifestHash, seeds: expansion.seeds.map { Int($0) },
    iterations: first?.iterations ?? 0, stepsPerIteration: first?.stepsPerIteration ?? 0,
    bootstrap: opts, bootstrapSeed: seed, gitCommit: context.gitCommit,
    mujocoVersion: context.mujocoVersion, machine: context.machine, date: context.date,
    computeHours: wall / 3600, command: context.command)

  let report = TableReport(
    title: reportTitle(manifest), citation: manifest.citation, manifestName: manifest.name,
    scale: expansion.scale.name, scoreDefinition: scoreDefinition(manifest.score),
    columns: tasks.map(\.rawValue), rows: rows, claims: claimLines, robust: robust, notes: notes,
    provenance: provenance)
  do {
    try report.validate()
  } catch {
    throw ReportBuildError("inconsistent report for \(manifest.name): \(error)")
  }
  return report
}

/// "Table 2: PPO, PPO-M, TRPO, TRPO+ on Walker2d, Hopper, Humanoid" for a manifest named table2.
func reportTitle(_ m: Manifest) -> String {
  var head = m.name
  if m.name.hasPrefix("table"), let n = Int(m.name.dropFirst(5)) { head = "Table \(n)" }
  return "\(head): \(m.algorithms.map(\.name).joined(separator: ", ")) on \(m.tasks.map(\.rawValue).joined(separator: ", "))"
}

/// What a run's score is, in words.
func scoreDefinition(_ s: ScoreDefinition) -> String {
  switch s.method {
  case .lastMean:
    return "mean return of the last \(s.iterations) iterations (mean completed-episode return per iteration)"
  case .max:
    return "maximum over iterations of the mean completed-episode return"
  }
}

/// Output file names: `<name>-<scale>.md`, `.tex`, `.json`, `.svg`, with their contents.
public func renderReportFiles(_ report: TableReport) -> [(name: String, text: String)] {
  let base = "\(report.manifestName)-\(report.scale)"
  return [
    ("\(base).md", renderMarkdown(report)),
    ("\(base).tex", renderLaTeX(report)),
    ("\(base).json", renderJSON(report)),
    ("\(base).svg", renderBarChartSVG(report)),
  ]
}
