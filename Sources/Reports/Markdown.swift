// GitHub-flavoured Markdown rendering of a `TableReport`.

import Statistics

/// The report as GitHub-flavoured Markdown: the table in the paper's layout
/// (each task split into "ours" and "paper" columns; a study's has one column
/// per task), the derived rows' formulas, the run counts and how missing and diverged runs are treated,
/// the claims with their verdicts, robust statistics and provenance.
///
/// A cell whose mean is over fewer runs than expected says so in the cell,
/// e.g. `2513 [2391, 2632] (78/80 runs; 2 missing)`, or `— (0/80 runs; 80 missing)`.
public func renderMarkdown(_ report: Report) -> String {
  var out: [String] = []
  let p = report.provenance
  out.append("# \(escapeMarkdown(report.title))")
  out.append("")
  switch report.kind {
  case .reproduction:
    out.append("Reproduction of \(escapeMarkdown(report.citationWithoutFinalPeriod)): our numbers beside the paper's.")
  case .study: out.append(studySentence)
  }
  out.append("Manifest \(markdownCode(report.manifestName)) at scale **\(escapeMarkdown(report.scale))**; "
    + "reproduce with \(markdownCode(p.command)).")
  out.append("")
  for section in report.sections { out.append(contentsOf: markdownSection(section, report)) }

  // Provenance.
  out.append("## Provenance")
  out.append("")
  for (key, value) in provenanceItems(report, code: { markdownCode($0) }, text: escapeMarkdown) {
    out.append("- **\(key):** \(value)")
  }
  out.append("")
  return out.joined(separator: "\n")
}

/// One section's lines, each section ending with a blank line.
func markdownSection(_ section: ReportSection, _ report: Report) -> [String] {
  let level = formatLevel(report.provenance.bootstrap.confidenceLevel)
  switch section {
  case .results(let table): return markdownResults(table, report.provenance)
  case .claims(let claims): return markdownClaims(claims, report.kind)
  case .robust(let robust): return report.results.map { markdownRobust($0, robust, level: level) } ?? []
  case .settings(let tables): return markdownSettings(tables, report.kind)
  case .fidelity(let f): return markdownFidelity(f)
  case .grid(let g):
    var out = ["## Grid selection", "", escapeMarkdown(gridSentence(g)), "",
               "| Configuration | " + g.tasks.map(escapeMarkdown).joined(separator: " | ") + " |",
               "|---|" + String(repeating: "---:|", count: g.tasks.count)]
    for c in g.configurations {
      out.append("| \(escapeMarkdown(c.label)) |" + c.choices.map { " \(escapeMarkdown(gridChoiceText($0, search: g.search))) |" }.joined())
    }
    return out + ["", "![Ablation](\(report.gridFileName))", ""]
  case .trustRegion(let t):
    return ["## Trust regions", "", "![Trust regions](\(report.trustRegionFileName))", "",
            escapeMarkdown(trustRegionSentence(t)), ""] + trustRegionBoundLines(t).map { "- " + escapeMarkdown($0) } + [""]
  case .curves(let c):
    return ["## Learning curves", "",
            "![Learning curves](\(report.curvesFileName))", "",
            escapeMarkdown(curvesSentence(c)), ""]
  case .compute(let c):
    var out = ["## Compute", "", escapeMarkdown(computeSentence(c)), "",
               "| | " + c.columns.map(escapeMarkdown).joined(separator: " | ") + " |",
               "|---|" + String(repeating: "---:|", count: c.columns.count)]
    for r in c.rows {
      out.append("| \(escapeMarkdown(r.algorithm)) |" + zip(r.coreHours, r.runs).map { " \(computeCell($0, $1)) |" }.joined())
    }
    return out + [""]
  }
}

/// What the trust-region figure shows (Markdown and LaTeX).
func trustRegionSentence(_ t: TrustRegionSection) -> String {
  "Rows: " + t.rows.map(\.metric).joined(separator: "; ") + ". Per task, each agent's diagnostic at the iterations "
    + "that recorded it (thin lines), the mean over agents (thick) and the \(t.band); dashed lines are the algorithms' "
    + "bounds: TRPO's δ on the mean KL, PPO's 1 + ε on the ratio."
}

/// Per diagnostic with a bound, algorithm and task: how often the agents exceeded it.
func trustRegionBoundLines(_ t: TrustRegionSection) -> [String] {
  var out: [String] = []
  for row in t.rows {
    for (j, list) in row.panels.enumerated() where j < t.tasks.count {
      for s in list {
        guard let b = s.bound, b.isFinite else { continue }
        let values = s.agents.flatMap { $0.compactMap { $0 } }
        guard !values.isEmpty else { continue }
        let above = values.filter { $0 > b }.count
        out.append("\(s.algorithm), \(t.tasks[j]), \(row.metric): \(above) of \(values.count) recorded values "
          + "(agents × iterations) above \(s.boundLabel ?? formatNumber(b, decimals: 3)); largest \(formatSignificant(values.max()!)).")
      }
    }
  }
  return out
}

/// `x` to 3 significant digits.
func formatSignificant(_ x: Double) -> String {
  guard x.isFinite, x != 0 else { return formatNumber(x) }
  var digits = 2, m = abs(x)
  while m < 1, digits < 8 { m *= 10; digits += 1 }
  while m >= 10, digits > 0 { m /= 10; digits -= 1 }
  return formatNumber(x, decimals: digits)
}

/// How the curves are made, in one sentence (Markdown and LaTeX).
func curvesSentence(_ c: CurvesSection) -> String {
  "Each line is the \(c.metric), averaged over a cell's finished runs at each point (a point is the mean of a block of "
    + "iterations, ending at the environment steps on the x axis); the band is the \(c.band)."
}

func computeSentence(_ c: ComputeSection) -> String {
  "Core-hours (CPU time of each run, or its wall time where no CPU time was recorded) of the runs this report uses, "
    + "per cell: \(formatHours(c.total)) in all."
}

func computeCell(_ hours: Double, _ runs: Int) -> String { "\(formatHours(hours)) (\(runs) run\(runs == 1 ? "" : "s"))" }

func formatHours(_ h: Double) -> String { formatNumber(h, decimals: h < 0.995 ? 2 : 1) }

/// The settings tables, in the paper's Tables 4–6 layout.
func markdownSettings(_ tables: [SettingsTable], _ kind: ReportKind) -> [String] {
  guard !tables.isEmpty else { return [] }
  var out = ["## Settings", "", escapeMarkdown(settingsTablesSentence(kind)), ""]
  for t in tables {
    out.append("### \(escapeMarkdown(t.title))")
    out.append("")
    out.append("| Setting |" + t.columns.map { " \(escapeMarkdown($0)) |" }.joined())
    out.append("|:-----|" + String(repeating: "-----:|", count: t.columns.count))
    for r in t.rows {
      let label = r.printed ? escapeMarkdown(r.label) : markdownCode(r.label, inTable: true)
      out.append("| \(label) |" + r.values.map { " \(escapeMarkdown($0)) |" }.joined())
    }
    out.append("")
  }
  return out
}

/// Where the runs differ from the paper and the authors' code, and why.
func markdownFidelity(_ f: FidelitySection) -> [String] {
  var out = ["## Fidelity", "", escapeMarkdown(fidelitySentence(f)), ""]
  for (source, lines) in fidelityGroups(f) {
    out.append("**\(escapeMarkdown(fidelityHeading(source, f)))**")
    out.append("")
    if lines.isEmpty { out.append("- No difference.") }
    for l in lines { out.append("- " + fidelityText(l, code: { markdownCode($0) }, text: escapeMarkdown)) }
    out.append("")
  }
  return out
}

/// The legend, the table in the paper's layout, the derived and reference rows' legend, run totals and notes.
func markdownResults(_ table: ResultsTable, _ p: Provenance) -> [String] {
  var out: [String] = []
  let level = formatLevel(p.bootstrap.confidenceLevel)
  var legend = "Each cell: mean score [\(level) bootstrap CI, \(p.bootstrap.resamples) resamples] over the cell's finished runs"
  if let n = table.commonExpected {
    legend += " (\(n) runs per cell unless the cell says otherwise)"
  }
  legend += ". Score: \(escapeMarkdown(table.scoreDefinition)). "
  legend += table.paperColumns
    ? "Numbers are rounded half away from zero, as the paper prints them; \"paper\" is the value the paper prints."
    : "Numbers are rounded half away from zero."
  out.append(legend)
  out.append("")

  // The table.
  var header = "| Step |"
  var rule = "|:-----|"
  for c in table.columns {
    header += table.paperColumns ? " \(escapeMarkdown(c)) (ours) | \(escapeMarkdown(c)) (paper) |" : " \(escapeMarkdown(c)) |"
    rule += table.paperColumns ? "-----:|-----:|" : "-----:|"
  }
  out.append(header)
  out.append(rule)
  for row in table.rows {
    let name = row.kind == .reference ? "*\(escapeMarkdown(row.name))*" : escapeMarkdown(row.name)
    var line = "| \(name) |"
    for j in table.columns.indices {
      let cell = table.cell(row, j)
      line += " \(markdownOurs(table, row, j, cell)) |" + (table.paperColumns ? " \(cell?.paper.map(formatPaper) ?? "—") |" : "")
    }
    out.append(line)
  }
  out.append("")

  // Legend of derived and reference rows, run totals, notes.
  var bullets: [String] = []
  for row in table.rows where row.kind == .derived {
    let f = row.formula.map { " = \(markdownCode($0))" } ?? ""
    bullets.append("- **\(escapeMarkdown(row.name))**\(f): derived row; a cell computed from an incomplete cell says so."
      + (noiseFloorSentence(row, table).map { " " + escapeMarkdown($0) } ?? ""))
  }
  for row in table.rows where row.kind == .reference {
    bullets.append("- *\(escapeMarkdown(row.name))*: the paper's reference value only; not run here.")
  }
  if !bullets.isEmpty {
    out.append(contentsOf: bullets)
    out.append("")
  }
  let t = table.totals
  out.append("**Runs:** \(t.finished) of \(t.expected) finished, \(t.missing) missing, \(t.diverged) diverged. "
    + runPolicySentence)
  out.append("")
  if !table.notes.isEmpty {
    out.append("**Notes:**")
    out.append("")
    for n in table.notes { out.append("- \(escapeMarkdown(n))") }
    out.append("")
  }
  return out
}

/// The claims with a summary line.
func markdownClaims(_ claims: [ClaimLine], _ kind: ReportKind) -> [String] {
  guard !claims.isEmpty else { return [] }
  var out = ["## Claims", ""]
  out.append(claimsSummary(claims, kind) + " " + verdictRule(claims, kind))
  out.append("")
  for c in claims { out.append(markdownClaimLine(c, kind)) }
  out.append("")
  return out
}

/// Our side of a cell, with what became of its runs when it is incomplete.
func markdownOurs(_ table: ResultsTable, _ row: ReportRow, _ j: Int, _ cell: ReportCell?) -> String {
  let value = cell?.ours.map { formatCI($0) }
  if value == nil, let why = cell?.unavailable { return "n/a (\(escapeMarkdown(why)))" }
  switch row.kind {
  case .algorithm:
    var s = value ?? "—"
    if let runs = cell?.runs {
      if let why = incompleteText(runs) {
        s += " (\(why))"
      } else if table.commonExpected == nil {
        s += " (n = \(runs.finished))"
      }
    } else if value == nil {
      s += " (no runs)"
    }
    return s
  case .derived:
    var s = value ?? "—"
    if table.derivedFromIncomplete(row, j) { s += " (from incomplete cells)" }
    return s
  case .reference:
    return value ?? "not run"
  }
}

/// E.g. "3 claims: 2 reproduced, 0 contradicted, 1 inconclusive." ("supported" in a study).
/// Then, when the lines form a family, the same counts of the family-adjusted verdicts, and of the
/// "on every task" lines.
func claimsSummary(_ claims: [ClaimLine], _ kind: ReportKind) -> String {
  func counts(_ verdicts: [Verdict?]) -> String {
    var counts: [Int] = Verdict.allCases.map { _ in 0 }
    var unjudged = 0
    for v in verdicts {
      if let v, let k = Verdict.allCases.firstIndex(of: v) { counts[k] += 1 } else { unjudged += 1 }
    }
    // "smaller than the smallest effect of interest" only when some line has it.
    var parts = zip(Verdict.allCases, counts).filter { $0.0 != .smallerThanEffectOfInterest || $0.1 > 0 }
      .map { "\($1) \(kind.word($0))" }
    if unjudged > 0 { parts.append("\(unjudged) not judged") }
    return parts.joined(separator: ", ")
  }
  let lines = claims.filter { $0.everyTask.isEmpty }
  var s = "\(lines.count) claim\(lines.count == 1 ? "" : "s"): " + counts(lines.map(\.verdict)) + "."
  let members = lines.compactMap(\.family)
  if !members.isEmpty {
    s += " As a family (Holm over the \(members.count) lines): " + counts(members.map(\.verdict)) + "."
  }
  let everyTask = claims.filter { !$0.everyTask.isEmpty }
  if !everyTask.isEmpty {
    s += " On every task (intersection–union), \(everyTask.count) claim\(everyTask.count == 1 ? "" : "s"): "
      + counts(everyTask.map(\.verdict)) + "."
  }
  return s
}

/// A family-adjusted verdict in words, with the Holm step that marked it, e.g. "reproduced (at 5%/9)".
func familyWord(_ f: FamilyVerdict, _ kind: ReportKind) -> String {
  kind.word(f.verdict) + (f.divisor.map { " (at 5%/\($0))" } ?? "")
}

/// How an "on every task" line is judged.
func everyTaskMethod(_ kind: ReportKind) -> String {
  let reproduced = kind.word(.reproduced)
  return "intersection–union: \(reproduced) when every task's line is \(reproduced) on its own (no correction needed), "
    + "contradicted when some task's family verdict is contradicted"
}

/// One line per claim: verdict, task, claim, and the CI of left − right.
func markdownClaimLine(_ c: ClaimLine, _ kind: ReportKind) -> String {
  let mark: String
  switch c.verdict {
  case .reproduced: mark = "✅"
  case .contradicted: mark = "❌"
  case .inconclusive: mark = "❔"
  case .smallerThanEffectOfInterest: mark = "🔽"
  case nil: mark = "⚪"
  }
  var s = "- \(mark) **\(kind.word(c.verdict))**"
  if let f = c.family { s += " · family: **\(familyWord(f, kind))**" }
  if let t = c.task { s += " · \(escapeMarkdown(t))" }
  if !c.everyTask.isEmpty { s += " · on every task (\(escapeMarkdown(c.everyTask.joined(separator: ", "))))" }
  s += " · \(markdownCode(c.text))"
  if let d = c.difference { s += " · left − right = \(formatCI(d, decimals: c.decimals))" }
  if !c.everyTask.isEmpty { s += " · \(escapeMarkdown(everyTaskMethod(kind)))" }
  if let m = c.method { s += " · \(escapeMarkdown(m))" }
  if let r = c.reason { s += " · \(escapeMarkdown(r))" }
  for caveat in c.caveats { s += " · ⚠️ \(escapeMarkdown(caveat))" }
  return s
}

func markdownRobust(_ report: ResultsTable, _ robust: RobustSection, level: String) -> [String] {
  var out = ["## Robust statistics", ""]
  let iqmRows = report.rows.filter { row in row.cells.contains { $0.iqm != nil } }
  var header = "| |"
  var rule = "|:-----|"
  for c in report.columns {
    header += " \(escapeMarkdown(c)) |"
    rule += "-----:|"
  }
  if !iqmRows.isEmpty {
    out.append("Interquartile mean (IQM, the mean of the middle half of the runs) [\(level) bootstrap CI]:")
    out.append("")
    out.append(header)
    out.append(rule)
    for row in iqmRows {
      var line = "| \(escapeMarkdown(row.name)) |"
      for j in report.columns.indices { line += " \(report.cell(row, j)?.iqm.map { formatCI($0) } ?? "—") |" }
      out.append(line)
    }
    out.append("")
  }
  if !robust.improvements.isEmpty {
    out.append("Probability of improvement P(X > Y), the chance that a run of X scores above a run of Y "
      + "(ties count half) [\(level) bootstrap CI]:")
    out.append("")
    out.append(header)
    out.append(rule)
    for imp in robust.improvements {
      var line = "| P(\(escapeMarkdown(imp.x)) \\> \(escapeMarkdown(imp.y))) |"
      for j in report.columns.indices {
        let v = j < imp.cells.count ? imp.cells[j] : nil
        line += " \(v.map { formatCI($0, decimals: 2) } ?? "—") |"
      }
      out.append(line)
    }
    out.append("")
  }
  if let n = robust.note {
    out.append(escapeMarkdown(n))
    out.append("")
  }
  return out
}

/// Provenance as (label, rendered value) pairs, shared by Markdown and LaTeX.
/// - Parameters:
///   - code: renders a literal (hash, command) in the target format.
///   - text: escapes plain text for the target format.
func provenanceItems(
  _ report: Report, code: (String) -> String, text: (String) -> String
) -> [(String, String)] {
  let p = report.provenance
  let steps = p.iterations * p.stepsPerIteration
  var machine = "\(text(p.machine.cpuModel)), \(p.machine.cores) cores"
  if let s = p.machine.system { machine += ", \(text(s))" }
  return [
    ("Command", code(p.command)),
    ("Manifest", "\(code(report.manifestName)), hash \(code(p.manifestHash))"),
    ("Scale", text("\(report.scale): \(p.seeds.count) seeds per cell (seeds \(formatSeeds(p.seeds))); "
      + "\(p.iterations) iterations × \(p.stepsPerIteration) steps = \(groupThousands(steps)) steps per run")),
    ("Bootstrap", text("percentile, \(p.bootstrap.resamples) resamples, "
      + "\(formatLevel(p.bootstrap.confidenceLevel)) CI, seed \(p.bootstrapSeed)")),
    ("Code", "git commit \(code(p.gitCommit))"),
    ("MuJoCo", text(p.mujocoVersion)),
    ("Machine", machine),
    ("Date", text(p.date)),
    ("Compute", text("\(formatNumber(p.computeHours, decimals: 1)) hours of run time, summed over runs")),
  ] + (p.archive.map { a in [("Archive", archiveItem(a, code: code, text: text))] } ?? [])
    + (p.customModels.isEmpty ? [] : [("Custom models", text(p.customModels.joined(separator: "; ")))])
}

/// The archive a report was built from: the file read and its bytes' SHA-256, and the
/// SHA-256 of the runs' content; for a report from results, the archive they would make.
func archiveItem(_ a: ArchiveReference, code: (String) -> String, text: (String) -> String) -> String {
  let content = text(", content sha256 ") + code(a.sha256)
  guard let read = a.read else { return code(a.file) + text(" (\(a.runs) runs)") + content }
  return code(read.path) + text(" (\(a.runs) runs), file sha256 ") + code(read.sha256) + content
}
