import RunModel
// Reports: rendering of a results table (the paper's Table 2 layout) to
// Markdown, LaTeX, JSON, CSV and SVG.
//
// The input is a plain value, `Report`, that holds everything a report
// shows and nothing else: it knows no manifests, files or training. The glue
// that builds it from a manifest and a result store lives elsewhere, so these
// renderers can be tested on hand-made numbers, byte for byte.
//
// - Model.swift: `Report`, its sections (`ResultsTable`, claims, robust
//   statistics) and their parts.
// - Formatting.swift: rounding (half away from zero, as the paper prints),
//   escaping for Markdown and LaTeX, seed ranges.
// - Markdown.swift: `renderMarkdown(_:)`.
// - LaTeX.swift: `renderLaTeX(_:)` (a standalone document) and
//   `renderLaTeXTabular(_:)` (the tabular alone, to paste into a paper).
// - JSON.swift: `renderJSON(_:)` (sorted keys, explicit nulls) and `renderCSV(_:)`.
// - SVG.swift: `renderBarChartSVG(_:)`.
//
// Missing and diverged runs. A run is *finished* when it has a result with a
// finite score; only finished runs enter a cell's mean, CI and IQM. A
// *missing* run has no result yet. A *diverged* run has a result whose score
// is not finite (or that the trainer flagged as diverged): it is counted and
// flagged, and left out of the mean. Every renderer says so in its output,
// and marks each cell whose mean is over fewer runs than expected.
//
// Determinism: renderers are pure functions of the model; no clock, locale,
// environment or dictionary order reaches their output.

import RunModel
import Statistics

/// A report: a header, then sections in order (the results table in the
/// paper's layout, claims, robust statistics, ...), then provenance. Each
/// section kind has one renderer per format; a new statistic or figure is a new
/// `ReportSection` case and its renderers.
public struct Report: Equatable, Sendable {
  /// E.g. "Table 2: PPO, PPO-M, TRPO and TRPO+ on MuJoCo".
  public var title: String
  /// The paper, e.g. `Engstrom, Ilyas et al., "Implementation Matters in Deep Policy Gradients", ICLR 2020`.
  public var citation: String
  /// The manifest's name, e.g. "table2".
  public var manifestName: String
  /// The scale the manifest was run at, e.g. "full" or "smoke".
  public var scale: String
  /// The sections, in display order.
  public var sections: [ReportSection]
  /// Where the numbers come from.
  public var provenance: Provenance
  /// A reproduction of a paper or a study of one's own: how the report speaks.
  public var kind: ReportKind

  public init(title: String, citation: String, manifestName: String, scale: String,
              sections: [ReportSection], provenance: Provenance, kind: ReportKind = .reproduction) {
    self.kind = kind
    self.title = title
    self.citation = citation
    self.manifestName = manifestName
    self.scale = scale
    self.sections = sections
    self.provenance = provenance
  }

  /// The results table, if the report has one (the first); setting it replaces
  /// that section (or appends one).
  public var results: ResultsTable? {
    get {
      for s in sections { if case let .results(t) = s { return t } }
      return nil
    }
    set {
      let i = sections.firstIndex { if case .results = $0 { return true } else { return false } }
      switch (i, newValue) {
      case let (i?, t?): sections[i] = .results(t)
      case let (i?, nil): sections.remove(at: i)
      case let (nil, t?): sections.append(.results(t))
      case (nil, nil): break
      }
    }
  }

  /// Every claim line, over all claim sections; setting replaces them by one claims section.
  public var claims: [ClaimLine] {
    get { sections.flatMap { s -> [ClaimLine] in if case let .claims(c) = s { return c } else { return [] } } }
    set {
      let i = sections.firstIndex { if case .claims = $0 { return true } else { return false } } ?? sections.count
      sections.removeAll { if case .claims = $0 { return true } else { return false } }
      sections.insert(.claims(newValue), at: min(i, sections.count))
    }
  }

  /// The robust-statistics section, if any.
  public var robust: RobustSection? {
    for s in sections { if case let .robust(r) = s { return r } }
    return nil
  }
}

/// What a report is, which decides how it speaks.
public enum ReportKind: String, Equatable, Sendable {
  /// A paper's experiment redone: "Reproduction of <citation>", our numbers beside the paper's, each
  /// claim reproduced, contradicted or inconclusive.
  case reproduction
  /// A study of one's own (a manifest with no citation): no paper to compare with, and the manifest's
  /// own claims judged by the same methods, each supported, contradicted or inconclusive.
  case study

  /// A verdict in this kind's words ("not judged" for none): a study's claim is "supported" where a
  /// reproduction's is "reproduced"; the other verdicts read the same in both.
  public func word(_ v: Verdict?) -> String {
    guard let v else { return "not judged" }
    return v == .reproduced && self == .study ? "supported" : v.rawValue
  }
}

/// One part of a report.
public enum ReportSection: Equatable, Sendable {
  /// The table in the paper's layout, with its notes.
  case results(ResultsTable)
  /// Claims and their verdicts.
  case claims([ClaimLine])
  /// IQM (from the results table's cells) and probability of improvement.
  case robust(RobustSection)
  /// The runs' settings in the layout of the paper's Tables 4–6: one table per task.
  case settings([SettingsTable])
  /// Where the runs differ from the paper and from the authors' code, and why.
  case fidelity(FidelitySection)
  /// Learning curves (drawn in `<name>-<scale>-curves.svg`).
  case curves(CurvesSection)
  /// Core-hours spent per cell.
  case compute(ComputeSection)
  /// Trust-region diagnostics (drawn in `<name>-<scale>-trust-region.svg`).
  case trustRegion(TrustRegionSection)
  /// A factorial design's selection and histograms (drawn in `<name>-<scale>-grid.svg`).
  case grid(GridSection)
}

/// One task's settings: rows = settings, columns = the manifest's algorithm rows.
public struct SettingsTable: Equatable, Sendable {
  /// E.g. "Walker2d-v5 (the paper's Table 4: Walker2d-v2)".
  public var title: String
  public var columns: [String]
  public var rows: [SettingsRow]
  public init(title: String, columns: [String], rows: [SettingsRow]) {
    self.title = title
    self.columns = columns
    self.rows = rows
  }
}

/// One setting across the algorithms; "N/A" where it does not apply, "—" where it is off.
public struct SettingsRow: Equatable, Sendable {
  /// The paper's label (e.g. "GAE discount (λ)") or the setting's key.
  public var label: String
  /// The setting's key.
  public var key: String
  public var values: [String]
  /// Whether the paper's tables print this row.
  public var printed: Bool
  public init(label: String, key: String, values: [String], printed: Bool) {
    self.label = label
    self.key = key
    self.values = values
    self.printed = printed
  }
}

/// How the runs differ from the paper's reading and from the authors' code.
public struct FidelitySection: Equatable, Sendable {
  /// E.g. "MadryLab/implementation-matters at 5ee6ecb"; nil when the manifest names no authors' configs.
  public var authorsCode: String?
  public var lines: [FidelityLine]
  public init(authorsCode: String?, lines: [FidelityLine]) {
    self.authorsCode = authorsCode
    self.lines = lines
  }
}

/// One difference (a setting of a row, on one or more tasks), or a general note
/// (no setting), with the manifest's reason.
public struct FidelityLine: Equatable, Sendable {
  /// "paper" or "code".
  public var source: String
  public var row: String?
  public var setting: String?
  /// Per task: our value, the reference's value, where the reference says it.
  public var cells: [FidelityCell]
  /// The manifest's reason; nil when it gives none.
  public var reason: String?
  public init(source: String, row: String?, setting: String?, cells: [FidelityCell], reason: String?) {
    self.source = source
    self.row = row
    self.setting = setting
    self.cells = cells
    self.reason = reason
  }
}

public struct FidelityCell: Equatable, Sendable {
  public var task: String
  public var ours: String
  public var theirs: String
  public var reference: String
  public init(task: String, ours: String, theirs: String, reference: String) {
    self.task = task
    self.ours = ours
    self.theirs = theirs
    self.reference = reference
  }
}

/// A results table in the paper's layout: algorithms (rows) × tasks (columns),
/// our numbers beside the paper's.
public struct ResultsTable: Equatable, Sendable {
  /// What one run's score is, e.g. "mean return of the last 5 iterations".
  public var scoreDefinition: String
  /// Column headers: the tasks, in the order given (e.g. Walker2d, Hopper, Humanoid).
  public var columns: [String]
  /// Rows in display order: algorithms (manifest order), then derived rows
  /// (AAI, ACLI), then reference-only rows (e.g. "PPO (baselines)").
  /// Renderers draw a rule before the first row of each new kind.
  public var rows: [ReportRow]
  /// Free-text notes listed under the table (e.g. on a paper value that
  /// cannot be recomputed from the printed means).
  public var notes: [String]
  /// Whether each task has a "paper" column beside ours (false in a study: no paper to compare with).
  public var paperColumns: Bool

  public init(scoreDefinition: String, columns: [String], rows: [ReportRow], notes: [String] = [], paperColumns: Bool = true) {
    self.paperColumns = paperColumns
    self.scoreDefinition = scoreDefinition
    self.columns = columns
    self.rows = rows
    self.notes = notes
  }
}

/// One row of the table.
public struct ReportRow: Equatable, Sendable {
  /// The row's label, as the paper writes it: "PPO", "PPO-M", "TRPO+", "AAI".
  public var name: String
  public var kind: RowKind
  /// For a derived row, its formula, e.g. `max(abs([PPO] - [TRPO+]), abs([PPO-M] - [TRPO]))`.
  public var formula: String?
  /// For a derived row, the rows it is computed from; a derived cell is
  /// marked when any of these rows' cells in its column is incomplete.
  public var inputs: [String]
  /// One cell per column, in column order.
  public var cells: [ReportCell]

  public init(
    name: String, kind: RowKind, formula: String? = nil, inputs: [String] = [],
    cells: [ReportCell]
  ) {
    self.name = name
    self.kind = kind
    self.formula = formula
    self.inputs = inputs
    self.cells = cells
  }
}

/// How many runs a cell expected and what became of them.
///
/// `finished + missing + diverged == expected`; only `finished` runs enter
/// the mean (see the module overview).
public struct RunCounts: Equatable, Sendable {
  /// Runs the manifest asks for in this cell (seeds).
  public var expected: Int
  /// Runs with a finite score: the ones the mean, CI and IQM are over.
  public var finished: Int
  /// Runs with no result yet.
  public var missing: Int
  /// Runs that diverged: counted and flagged, left out of the mean.
  public var diverged: Int

  public init(expected: Int, finished: Int, missing: Int, diverged: Int) {
    self.expected = expected
    self.finished = finished
    self.missing = missing
    self.diverged = diverged
  }

  /// All `expected` runs finished: nothing missing, nothing diverged.
  public static func complete(_ n: Int) -> RunCounts {
    RunCounts(expected: n, finished: n, missing: 0, diverged: 0)
  }

  /// Whether the mean is over fewer runs than expected.
  public var isIncomplete: Bool { finished < expected || missing > 0 || diverged > 0 }
}

/// One cell: our result (if any), its run counts, our IQM, and the paper's value.
public struct ReportCell: Equatable, Sendable {
  /// Our mean and its bootstrap CI over the finished runs; nil when there is none.
  public var ours: ConfidenceInterval?
  /// Run counts; nil for derived and reference rows.
  public var runs: RunCounts?
  /// Our interquartile mean and its CI (shown in the robust section), if computed.
  public var iqm: ConfidenceInterval?
  /// For a derived row: its value when no true difference exists, at the observed spreads and run counts.
  public var noiseFloor: NoiseFloor?
  /// Why `ours` could not be computed (e.g. a division by zero, scores beyond the float range).
  public var unavailable: String?
  /// The paper's value; nil where the paper prints none ("—").
  public var paper: PaperValue?

  public init(
    ours: ConfidenceInterval? = nil, runs: RunCounts? = nil,
    iqm: ConfidenceInterval? = nil, paper: PaperValue? = nil,
    noiseFloor: NoiseFloor? = nil, unavailable: String? = nil
  ) {
    self.ours = ours
    self.runs = runs
    self.iqm = iqm
    self.paper = paper
    self.noiseFloor = noiseFloor
    self.unavailable = unavailable
  }
}

/// What a claim line compares.
public enum ClaimKind: String, Equatable, Sendable {
  /// Rows' mean scores (the tables' claims).
  case rows
  /// One row's median run against a number.
  case median
  /// A grid factor's values, on the runs the grid's selection keeps.
  case gridFactor
}

/// A claim with its evidence: the CI of `left − right` and the verdict.
public struct ClaimLine: Equatable, Sendable {
  /// Left side as written, e.g. "[ACLI]".
  public var left: String
  public var relation: ClaimRelation
  /// Right side as written, e.g. "[AAI]".
  public var right: String
  /// The task the claim is judged on (a column name), or nil for a claim over all tasks.
  public var task: String?
  /// CI of `left − right`; nil when the claim could not be judged.
  public var difference: ConfidenceInterval?
  /// The verdict; nil when the claim could not be judged (see `reason`).
  public var verdict: Verdict?
  /// Why the claim was not judged (e.g. "no finished runs of TRPO+"), or a note.
  public var reason: String?
  /// How it was judged and on how many runs, e.g. "Welch t; n = 10, 10"; nil when not said.
  public var method: String?
  /// What a reader must know about the line: incomplete cells, diverged runs that would change it.
  public var caveats: [String]
  /// What the sides are, for the rule the report states.
  public var kind: ClaimKind
  /// Decimals of the difference's interval as printed.
  public var decimals: Int
  /// Judged by a group-sequential design (`--until-decided`), at its stopping look's level.
  public var sequential: Bool
  /// The verdict as a member of the report's family of lines (Holm); nil for a
  /// line outside the family (an "on every task" line).
  public var family: FamilyVerdict?
  /// For an "on every task" line (intersection–union over the claim's task
  /// lines, `task` nil): the tasks; empty for a line on one task.
  public var everyTask: [String]

  public init(
    left: String, relation: ClaimRelation, right: String, task: String?,
    difference: ConfidenceInterval?, verdict: Verdict?, reason: String? = nil,
    method: String? = nil, caveats: [String] = [], kind: ClaimKind = .rows, decimals: Int = 0,
    sequential: Bool = false, family: FamilyVerdict? = nil, everyTask: [String] = []
  ) {
    self.family = family
    self.everyTask = everyTask
    self.kind = kind
    self.decimals = decimals
    self.sequential = sequential
    self.left = left
    self.relation = relation
    self.right = right
    self.task = task
    self.difference = difference
    self.verdict = verdict
    self.reason = reason
    self.method = method
    self.caveats = caveats
  }

  /// The line for a judged claim.
  public init(_ judgement: ClaimJudgement, task: String?) {
    self.init(
      left: judgement.claim.left.source, relation: judgement.claim.relation,
      right: judgement.claim.right.source, task: task,
      difference: judgement.difference, verdict: judgement.verdict)
  }

  /// `left relation right`, e.g. "[ACLI] > [AAI]".
  public var text: String { "\(left) \(relation.rawValue) \(right)" }
}

/// Robust statistics (rliable): IQM per cell (from `ReportCell.iqm`) and the
/// probability of improvement between named pairs.
public struct RobustSection: Equatable, Sendable {
  /// P(X > Y) rows, in display order.
  public var improvements: [ImprovementRow]
  /// A note shown under the section (e.g. how ties count).
  public var note: String?

  public init(improvements: [ImprovementRow], note: String? = nil) {
    self.improvements = improvements
    self.note = note
  }
}

/// `P(x > y)` per task with its bootstrap CI.
public struct ImprovementRow: Equatable, Sendable {
  /// The row name claimed better, e.g. "PPO".
  public var x: String
  /// The row name compared against, e.g. "PPO-M".
  public var y: String
  /// One per column, in column order; nil where it could not be computed.
  public var cells: [ConfidenceInterval?]

  public init(x: String, y: String, cells: [ConfidenceInterval?]) {
    self.x = x
    self.y = y
    self.cells = cells
  }
}

/// The machine the runs were made on.
public struct Machine: Equatable, Sendable {
  /// E.g. "AMD EPYC 7B13".
  public var cpuModel: String
  /// Logical cores available.
  public var cores: Int
  /// E.g. "Linux x86_64"; optional.
  public var system: String?

  public init(cpuModel: String, cores: Int, system: String? = nil) {
    self.cpuModel = cpuModel
    self.cores = cores
    self.system = system
  }
}

/// Where the numbers come from: enough to rerun them.
/// A results archive by name and content hash.
public struct ArchiveReference: Equatable, Sendable {
  /// E.g. "table2-paper.jsonl" (under reports/archive/).
  public var file: String
  /// SHA-256 of its deterministic content (timing and machines aside).
  public var sha256: String
  public var runs: Int
  /// The file the report was built from, as given, and the SHA-256 of its bytes (nil
  /// for a report built from a results folder).
  public var read: ReadFile?
  public init(file: String, sha256: String, runs: Int, read: ReadFile? = nil) {
    self.file = file
    self.sha256 = sha256
    self.runs = runs
    self.read = read
  }
}

/// A file as read: its path as given and the SHA-256 of its bytes.
public struct ReadFile: Equatable, Sendable {
  public var path: String
  public var sha256: String
  public init(path: String, sha256: String) {
    self.path = path
    self.sha256 = sha256
  }
}

public struct Provenance: Equatable, Sendable {
  /// Content hash of the manifest (hex).
  public var manifestHash: String
  /// Seeds run per cell (rendered as ranges, e.g. "0–79").
  public var seeds: [Int]
  /// Training iterations per run.
  public var iterations: Int
  /// Environment steps per iteration.
  public var stepsPerIteration: Int
  /// Bootstrap settings of every CI in the report.
  public var bootstrap: BootstrapOptions
  /// Seed of the bootstrap streams.
  public var bootstrapSeed: UInt64
  /// Git commit of the code that ran (hex), with "-dirty" if so.
  public var gitCommit: String
  /// E.g. "3.3.7".
  public var mujocoVersion: String
  public var machine: Machine
  /// When the report was made, as the glue formats it (e.g. ISO 8601); never read from the clock here.
  public var date: String
  /// Run time summed over all runs, in hours.
  public var computeHours: Double
  /// The command that reproduces this report, e.g. "make reproduce-table2".
  public var command: String
  /// The results archive of the runs the report read (what `repro archive` writes for
  /// them, and `repro report --from-archive` reads back to the same report).
  public var archive: ArchiveReference?
  /// Custom model files the runs trained on ("Walker2d-v5: walker2d_v5.xml, sha256 …"); empty for
  /// the tasks' pinned Gymnasium models (then nothing is rendered: existing reports are unchanged).
  public var customModels: [String] = []

  public init(
    manifestHash: String, seeds: [Int], iterations: Int, stepsPerIteration: Int,
    bootstrap: BootstrapOptions = .paper, bootstrapSeed: UInt64, gitCommit: String,
    mujocoVersion: String, machine: Machine, date: String, computeHours: Double,
    command: String, archive: ArchiveReference? = nil
  ) {
    self.archive = archive
    self.manifestHash = manifestHash
    self.seeds = seeds
    self.iterations = iterations
    self.stepsPerIteration = stepsPerIteration
    self.bootstrap = bootstrap
    self.bootstrapSeed = bootstrapSeed
    self.gitCommit = gitCommit
    self.mujocoVersion = mujocoVersion
    self.machine = machine
    self.date = date
    self.computeHours = computeHours
    self.command = command
  }
}

// MARK: - Validation

/// A model the renderers would draw misleadingly.
public enum ReportError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A row has a different number of cells than there are columns.
  case cellCount(row: String, got: Int, columns: Int)
  /// An improvement row has a different number of cells than there are columns.
  case improvementCellCount(x: String, y: String, got: Int, columns: Int)
  /// Run counts that do not add up or are negative.
  case inconsistentRunCounts(row: String, column: String, RunCounts)
  /// Two rows with one name.
  case duplicateRow(String)
  /// Two columns with one name.
  case duplicateColumn(String)
  /// A derived row lists an input that is not a row.
  case unknownInput(row: String, input: String)
  /// A claim names a task that is not a column.
  case unknownTask(String)

  public var description: String {
    switch self {
    case .cellCount(let row, let got, let columns):
      return "row '\(row)' has \(got) cell(s) for \(columns) column(s)"
    case .improvementCellCount(let x, let y, let got, let columns):
      return "P(\(x) > \(y)) has \(got) cell(s) for \(columns) column(s)"
    case .inconsistentRunCounts(let row, let column, let c):
      return "row '\(row)', column '\(column)': run counts do not add up (expected \(c.expected), "
        + "finished \(c.finished) + missing \(c.missing) + diverged \(c.diverged))"
    case .duplicateRow(let n): return "two rows are named '\(n)'"
    case .duplicateColumn(let n): return "two columns are named '\(n)'"
    case .unknownInput(let row, let input): return "derived row '\(row)' uses unknown row '\(input)'"
    case .unknownTask(let t): return "a claim is judged on task '\(t)', which is not a column"
    }
  }
}

extension Report {
  /// Checks the model is consistent. Renderers never trap on an inconsistent
  /// model (a missing cell is drawn as "—"), but the glue should call this
  /// first so that a bug there is an error, not a misleading table.
  public func validate() throws {
    let columns = results?.columns ?? []
    try results?.validate()
    for p in robust?.improvements ?? [] where p.cells.count != columns.count {
      throw ReportError.improvementCellCount(x: p.x, y: p.y, got: p.cells.count, columns: columns.count)
    }
    for c in claims {
      if let t = c.task, !columns.contains(t) { throw ReportError.unknownTask(t) }
    }
  }

  /// The citation without a trailing period, for "Reproduction of <citation>: ...".
  var citationWithoutFinalPeriod: String {
    citation.hasSuffix(".") ? String(citation.dropLast()) : citation
  }
}

extension ResultsTable {
  /// Checks columns, rows, cells and run counts (see `Report.validate`).
  public func validate() throws {
    var seenColumns: [String] = []
    for c in columns {
      if seenColumns.contains(c) { throw ReportError.duplicateColumn(c) }
      seenColumns.append(c)
    }
    var seenRows: [String] = []
    for r in rows {
      if seenRows.contains(r.name) { throw ReportError.duplicateRow(r.name) }
      seenRows.append(r.name)
      if r.cells.count != columns.count {
        throw ReportError.cellCount(row: r.name, got: r.cells.count, columns: columns.count)
      }
      for (j, cell) in r.cells.enumerated() {
        guard let c = cell.runs else { continue }
        let ok = c.expected >= 0 && c.finished >= 0 && c.missing >= 0 && c.diverged >= 0
          && c.finished + c.missing + c.diverged == c.expected
        if !ok { throw ReportError.inconsistentRunCounts(row: r.name, column: columns[j], c) }
      }
    }
    for r in rows {
      for i in r.inputs where !seenRows.contains(i) {
        throw ReportError.unknownInput(row: r.name, input: i)
      }
    }
  }

  /// The cell of `row` in column `j`, or nil if the row is short.
  func cell(_ row: ReportRow, _ j: Int) -> ReportCell? {
    j < row.cells.count ? row.cells[j] : nil
  }

  /// Whether the derived row's cell in column `j` is computed from an incomplete cell.
  func derivedFromIncomplete(_ row: ReportRow, _ j: Int) -> Bool {
    for name in row.inputs {
      guard let input = rows.first(where: { $0.name == name }) else { continue }
      if let c = cell(input, j), let runs = c.runs, runs.isIncomplete { return true }
      if let c = cell(input, j), c.ours == nil { return true }
    }
    return false
  }

  /// The common expected run count of all algorithm cells, if they share one.
  var commonExpected: Int? {
    var n: Int? = nil
    for r in rows where r.kind == .algorithm {
      for c in r.cells {
        guard let e = c.runs?.expected else { return nil }
        if let m = n, m != e { return nil }
        n = e
      }
    }
    return n
  }

  /// Run counts summed over all algorithm cells.
  public var totals: RunCounts {
    var t = RunCounts(expected: 0, finished: 0, missing: 0, diverged: 0)
    for r in rows where r.kind == .algorithm {
      for c in r.cells {
        guard let k = c.runs else { continue }
        t.expected += k.expected
        t.finished += k.finished
        t.missing += k.missing
        t.diverged += k.diverged
      }
    }
    return t
  }
}

/// Output file names, with their contents: `<name>-<scale>.md`, `.tex` (a
/// standalone document), `.json`, `.svg` (the bar chart); `-table.tex` (the
/// table environment alone, to `\input` into a one-column paper) and
/// `-table-wide.tex` (a `table*` for a two-column paper); and, when the report has
/// learning curves, `-curves.svg` and `-curves.tex` (its figure environment).
public func renderReportFiles(_ report: Report) -> [(name: String, text: String)] {
  let base = "\(report.manifestName)-\(report.scale)"
  var files = [
    ("\(base).md", renderMarkdown(report)),
    ("\(base).tex", renderLaTeX(report)),
    ("\(base)-table.tex", renderLaTeXTableFragment(report)),
    ("\(base)-table-wide.tex", renderLaTeXTableFragment(report, layout: .wide)),
    ("\(base).json", renderJSON(report)),
    ("\(base).svg", renderBarChartSVG(report)),
  ]
  if let svg = renderCurvesSVG(report) {
    files.append((report.curvesFileName, svg))
    files.append(("\(base)-curves.tex", renderLaTeXCurvesFragment(report)))
  }
  if let svg = renderTrustRegionSVG(report) { files.append((report.trustRegionFileName, svg)) }
  if let svg = renderGridSVG(report) { files.append((report.gridFileName, svg)) }
  return files
}
