import RunModel
// LaTeX rendering of a `TableReport`: a standalone document and the bare
// tabular (needs only \usepackage{booktabs}) to paste into a paper.

import RunModel
import Statistics

/// How a results tabular is laid out.
public enum LaTeXTableLayout: Sendable {
  /// Each number on its own line with its CI in small type under it: fits
  /// `\linewidth` of a one-column `article` (the `-table.tex` fragment).
  case narrow
  /// Mean and CI side by side on one line: for `table*` across both columns of a
  /// two-column paper (the `-table-wide.tex` fragment) and the standalone report.
  case wide
}

/// The table alone, in the paper's layout: a `tabular` with booktabs rules,
/// each task a pair of columns (ours, paper) under a \cmidrule (in a study's
/// table, with no paper columns, one column under the task's name), a \midrule
/// before the derived rows and before the reference rows. Every mean stands
/// alone in a right-aligned column, padded to the column's decimals, so the
/// means align on the decimal point; each CI is in small type beside it (`.wide`)
/// or under it (`.narrow`). Incomplete cells are marked a, b, c, ...;
/// `latexTableNotes` says what each mark means. Needs `\usepackage{booktabs}`.
public func renderLaTeXTabular(_ report: ResultsTable, layout: LaTeXTableLayout = .wide) -> String {
  let grid = latexCells(report)
  let n = report.columns.count
  // Decimal alignment: every number of a column gets as many decimals as its longest (phantom digits).
  // Per task: ours and paper, or ours alone in a study's table.
  let perTask = report.paperColumns ? 2 : 1
  var decimals = [Int](repeating: 0, count: perTask * n)
  for row in grid { for (k, c) in row.cells.enumerated() { decimals[k] = max(decimals[k], fractionDigits(c.number)) } }
  func number(_ c: LaTeXCell, _ k: Int) -> String {
    let have = fractionDigits(c.number), want = decimals[k]
    let pad = want > have ? "\\phantom{" + (have == 0 ? "." : "") + String(repeating: "0", count: want - have) + "}" : ""
    return latexNumbers(c.number) + pad + c.mark
  }
  // Each of those one column (`.narrow`) or a number and its CI (`.wide`).
  let span = (layout == .narrow ? 1 : 2) * perTask
  let spec = String(repeating: layout == .narrow ? "r" : "r@{\\,}l", count: perTask)
  let heads = layout == .narrow ? " & ours & paper" : " & \\multicolumn{2}{c}{ours} & \\multicolumn{2}{c}{paper}"
  var out: [String] = []
  out.append("\\begin{tabular}{@{}l" + String(repeating: spec, count: n) + "@{}}")
  out.append("\\toprule")
  let tasks = report.columns.map { "\\multicolumn{\(span)}{c}{\(escapeLaTeX($0))}" }.joined(separator: " & ")
  if report.paperColumns {
    out.append(" & " + tasks + " \\\\")
    out.append((0..<n).map { "\\cmidrule(lr){\(2 + span * $0)-\(1 + span * ($0 + 1))}" }.joined(separator: " "))
    out.append("Step" + String(repeating: heads, count: n) + " \\\\")
  } else {
    out.append("Step & " + tasks + " \\\\")
  }
  out.append("\\midrule")
  // Each task's pair of columns takes about 90 pt of a one-column article's 345 pt \linewidth
  // (a CI in \scriptsize is about 40 pt); a row name (about 4.5 pt a character in \footnotesize)
  // longer than what is left wraps in a \parbox of that share of \linewidth.
  let left = max(48, 345 - 90 * Double(n))
  let longest = Double(grid.map(\.name.count).max() ?? 0) * 4.5
  let nameWidth: String? = longest > left ? formatNumber(left / 345, decimals: 2) : nil
  var previous: RowKind? = nil
  for row in grid {
    if let prev = previous, prev != row.kind { out.append("\\midrule") }
    previous = row.kind
    var name = guardBracket(escapeLaTeX(row.name))
    // Long row names (a grid's configurations) wrap in the width the task columns leave.
    if layout == .narrow, let width = nameWidth { name = "\\parbox[t]{\(width)\\linewidth}{\\raggedright \(name)}" }
    var cells = [name]
    for (k, c) in row.cells.enumerated() {
      // The CI, then the run count where cells differ in it, each on a line in small type.
      let small = [c.detail, c.count].compactMap { $0 }.map { "{\\scriptsize \(latexNumbers($0))}" }
      func stacked(_ lines: [String], _ align: String) -> String {
        lines.count == 1 ? lines[0] : "\\begin{tabular}[t]{@{}\(align)@{}}" + lines.joined(separator: "\\\\") + "\\end{tabular}"
      }
      switch layout {
      case .narrow:
        cells.append(stacked([number(c, k)] + small, "r"))
      case .wide:
        cells.append(number(c, k))
        cells.append(small.isEmpty ? "" : stacked(small, "l"))
      }
    }
    out.append(cells.joined(separator: " & ") + " \\\\")
  }
  out.append("\\bottomrule")
  out.append("\\end{tabular}")
  return out.joined(separator: "\n") + "\n"
}

/// One cell of the LaTeX table: the number (or "---", "n/a"), its note mark, and the CI or run count under or beside it.
struct LaTeXCell {
  var number: String
  var mark: String = ""
  var detail: String? = nil
  /// "$n=25$" where cells expect different numbers of runs.
  var count: String? = nil
}

/// The table's rows as LaTeX cells (ours, paper per column), and the notes their marks refer to.
func latexCells(_ report: ResultsTable) -> [(name: String, kind: RowKind, cells: [LaTeXCell])] {
  latexCellsAndNotes(report).rows
}

func latexCellsAndNotes(_ report: ResultsTable) -> (rows: [(name: String, kind: RowKind, cells: [LaTeXCell])], notes: [String]) {
  var notes: [String] = []
  var rows: [(name: String, kind: RowKind, cells: [LaTeXCell])] = []
  func interval(_ lo: Double, _ hi: Double) -> String { "[\(formatNumber(lo)), \(formatNumber(hi))]" }
  for row in report.rows {
    var cells: [LaTeXCell] = []
    for j in report.columns.indices {
      let cell = report.cell(row, j)
      var ours = LaTeXCell(number: cell?.ours.map { formatNumber($0.estimate) } ?? (row.kind == .reference ? "n/a" : "---"),
                           detail: cell?.ours.map { interval($0.low, $0.high) })
      var note: String? = nil
      switch row.kind {
      case .algorithm:
        if let runs = cell?.runs {
          if let why = incompleteText(runs) {
            note = why + (runs.diverged > 0 ? " (diverged runs are left out of the mean)" : "")
          } else if report.commonExpected == nil {
            ours.count = "$n=\(runs.finished)$"
          }
        } else if cell?.ours == nil {
          note = "no runs"
        }
      case .derived:
        if report.derivedFromIncomplete(row, j) { note = "computed from incomplete cells" }
      case .reference:
        break
      }
      if cell?.ours == nil, let why = cell?.unavailable {
        ours.number = "n/a"
        note = why + (note.map { "; " + $0 } ?? "")
      }
      if let note {
        let mark = noteMark(notes.count)
        ours.mark = "\\textsuperscript{\(mark)}"
        notes.append("\\textsuperscript{\(mark)}\(escapeLaTeX(row.name)), \(escapeLaTeX(report.columns[j])): \(escapeLaTeX(note)).")
      }
      cells.append(ours)
      guard report.paperColumns else { continue }
      let paper = cell?.paper
      cells.append(LaTeXCell(number: paper.map { formatNumber($0.value) } ?? "---",
                             detail: paper.flatMap { p in p.low.flatMap { lo in p.high.map { interval(lo, $0) } } }))
    }
    rows.append((row.name, row.kind, cells))
  }
  return (rows, notes)
}

/// Digits after the decimal point of a formatted number ("12.50" → 2; "3002", "---" → 0).
func fractionDigits(_ s: String) -> Int {
  guard let dot = s.firstIndex(of: "."), s[s.index(after: dot)...].allSatisfy(\.isNumber) else { return 0 }
  return s.distance(from: dot, to: s.endIndex) - 1
}

/// The notes under a results table, in small type as wide as the table's column:
/// the CI, the runs per cell, the score, how missing and diverged runs are treated,
/// and what each cell's mark means.
func latexTableNotes(_ table: ResultsTable, _ report: Report) -> [String] {
  let p = report.provenance
  var text = "Notes: \(escapeLaTeX(formatLevel(p.bootstrap.confidenceLevel))) percentile-bootstrap CI in brackets "
    + "(\(p.bootstrap.resamples) resamples)"
  if let n = table.commonExpected { text += "; \(n) runs per cell unless marked" }
  text += ". Score: \(escapeLaTeX(table.scoreDefinition)). \(escapeLaTeX(runPolicySentence))"
  for note in latexCellsAndNotes(table).notes { text += " " + note }
  return ["\\par\\smallskip", "\\parbox{\\linewidth}{\\scriptsize \(text)}"]
}

/// A standalone document (`\documentclass{article}`, booktabs, geometry) that
/// compiles with pdflatex: the table with a caption that states the CI and
/// how missing and diverged runs are treated, then the claims, robust
/// statistics and provenance as small text.
public func renderLaTeX(_ report: Report) -> String {
  let p = report.provenance
  var out: [String] = []
  out.append("% Generated by Repro (Reports.renderLaTeX); compile with pdflatex.")
  out.append("% Reproduce with: \(p.command.replacingNewlines())")
  out.append("\\documentclass[10pt]{article}")
  out.append("\\usepackage[margin=2cm]{geometry}")
  out.append("\\usepackage{booktabs}")
  out.append("\\usepackage{graphicx}")
  out.append("\\setlength{\\belowcaptionskip}{6pt}")
  out.append("\\begin{document}")
  out.append("\\sloppy")
  out.append("\\section*{\(escapeLaTeX(report.title))}")
  let opening: String
  switch report.kind {
  case .reproduction: opening = "Reproduction of \(escapeLaTeX(report.citationWithoutFinalPeriod)): our numbers beside the paper's."
  case .study: opening = escapeLaTeX(studySentence)
  }
  out.append("\\noindent \(opening) "
    + "Manifest \(latexCode(report.manifestName)) at scale \\textbf{\(escapeLaTeX(report.scale))}.")
  out.append("")
  for section in report.sections { out.append(contentsOf: latexSection(section, report)) }

  out.append("\\subsection*{Provenance}")
  out.append(contentsOf: smallList(
    provenanceItems(report, code: latexBreakableCode, text: escapeLaTeX)
      .map { "\\textbf{\($0.0):} \($0.1)" }))
  out.append("\\end{document}")
  return out.joined(separator: "\n") + "\n"
}

/// One section's lines.
func latexSection(_ section: ReportSection, _ report: Report) -> [String] {
  let level = formatLevel(report.provenance.bootstrap.confidenceLevel)
  switch section {
  case .results(let table):
    // Numbered as in the paper (Table 2, not Table 1).
    let number = paperTableNumber(report).map { ["\\setcounter{table}{\($0 - 1)}"] } ?? []
    return number + latexResults(table, report)
  case .curves(let c):
    return ["\\subsection*{Learning curves}"] + latexCurvesFigure(report, c) + [""]
  case .grid(let g):
    var out = ["\\subsection*{Grid selection}", "{\\small \(escapeLaTeX(gridSentence(g)))\\par}", "\\begin{center}", "\\scriptsize",
               "\\begin{tabular}{l" + String(repeating: "r", count: g.tasks.count) + "}", "\\toprule",
               (["Configuration"] + g.tasks.map(escapeLaTeX)).joined(separator: " & ") + " \\\\", "\\midrule"]
    for c in g.configurations {
      out.append(([escapeLaTeX(c.label)] + c.choices.map { latexNumbers(escapeLaTeX(gridChoiceText($0, search: g.search))) })
        .joined(separator: " & ") + " \\\\")
    }
    return out + ["\\bottomrule", "\\end{tabular}", "\\end{center}"]
      + latexFigure(svg: report.gridFileName, caption: "The ablation. " + gridSentence(g), label: latexLabel("fig", report) + "-grid") + [""]
  case .trustRegion(let t):
    return ["\\subsection*{Trust regions}", "{\\small \(escapeLaTeX(trustRegionSentence(t)))\\par}"]
      + smallList(trustRegionBoundLines(t).map(escapeLaTeX))
      + latexFigure(svg: report.trustRegionFileName, caption: "Trust regions. " + trustRegionSentence(t),
                    label: latexLabel("fig", report) + "-trust-region") + [""]
  case .compute(let c):
    var out = ["\\subsection*{Compute}", "{\\small \(escapeLaTeX(computeSentence(c)))\\par}", "\\begin{center}", "\\footnotesize",
               "\\begin{tabular}{l" + String(repeating: "r", count: c.columns.count) + "}", "\\toprule",
               ([""] + c.columns.map(escapeLaTeX)).joined(separator: " & ") + " \\\\", "\\midrule"]
    for r in c.rows {
      out.append(([escapeLaTeX(r.algorithm)] + zip(r.coreHours, r.runs).map { computeCell($0, $1) }).joined(separator: " & ") + " \\\\")
    }
    return out + ["\\bottomrule", "\\end{tabular}", "\\end{center}", ""]
  case .claims(let claims):
    guard !claims.isEmpty else { return [] }
    return ["\\subsection*{Claims}",
            "{\\small \(escapeLaTeX(claimsSummary(claims, report.kind) + " " + verdictRule(claims, report.kind)))\\par}"]
      + smallList(claims.map { latexClaimLine($0, report.kind) })
  case .robust(let robust): return report.results.map { latexRobust($0, robust, level: level) } ?? []
  case .settings(let tables): return latexSettings(tables, report.kind)
  case .fidelity(let f):
    var out = ["\\subsection*{Fidelity}", "{\\small \(escapeLaTeX(fidelitySentence(f)))\\par}"]
    for (source, lines) in fidelityGroups(f) {
      out.append("{\\small \\textbf{\(escapeLaTeX(fidelityHeading(source, f)))}\\par}")
      out.append(contentsOf: smallList(lines.isEmpty ? ["No difference."]
        : lines.map { fidelityText($0, code: latexCode, text: escapeLaTeX) }))
    }
    return out
  }
}

/// The settings tables, each a `table` environment with a booktabs tabular.
func latexSettings(_ tables: [SettingsTable], _ kind: ReportKind) -> [String] {
  guard !tables.isEmpty else { return [] }
  // Numbered S1, S2, ... so that the results table keeps the paper's number.
  var out = ["\\subsection*{Settings}", "{\\small \(escapeLaTeX(settingsTablesSentence(kind)))\\par}",
             "\\renewcommand{\\thetable}{S\\arabic{table}}", "\\setcounter{table}{0}"]
  for t in tables {
    out.append("\\begin{table}[ht]")
    out.append("\\centering")
    out.append("\\scriptsize")
    out.append("\\caption{\(escapeLaTeX(t.title))}")
    out.append(contentsOf: splitLines(renderSettingsTabular(t)))
    out.append("\\end{table}")
  }
  return out
}

/// One settings table as a booktabs tabular (needs \\usepackage{booktabs}).
public func renderSettingsTabular(_ t: SettingsTable) -> String {
  var out = ["\\begin{tabular}{l" + String(repeating: "r", count: t.columns.count) + "}", "\\toprule"]
  out.append((["Setting"] + t.columns.map(escapeLaTeX)).joined(separator: " & ") + " \\\\")
  out.append("\\midrule")
  var printed = true
  for r in t.rows {
    if printed && !r.printed { out.append("\\midrule") }
    printed = r.printed
    let label = r.printed ? escapeLaTeX(r.label) : latexCode(r.label)
    out.append(([guardBracket(label)] + r.values.map { latexNumbers(escapeLaTeX($0)) }).joined(separator: " & ") + " \\\\")
  }
  out.append("\\bottomrule")
  out.append("\\end{tabular}")
  return out.joined(separator: "\n") + "\n"
}

/// The table environment with its caption, then the derived and reference rows' legend, run totals and notes.
func latexResults(_ table: ResultsTable, _ report: Report) -> [String] {
  var out = latexResultsTable(table, report)
  out.append("")

  var items: [String] = []
  for row in table.rows where row.kind == .derived {
    if let f = row.formula {
      items.append("\(escapeLaTeX(row.name)) = \(latexCode(f))." + (noiseFloorSentence(row, table).map { " " + escapeLaTeX($0) } ?? ""))
    }
  }
  for row in table.rows where row.kind == .reference {
    items.append("\(escapeLaTeX(row.name)): the paper's reference value only; not run here.")
  }
  let t = table.totals
  items.append("Runs: \(t.finished) of \(t.expected) finished, \(t.missing) missing, \(t.diverged) diverged.")
  for n in table.notes { items.append(escapeLaTeX(n)) }
  out.append(contentsOf: smallList(items))
  return out
}

/// The results table environment: a one-sentence caption, label, tabular, then
/// the notes (CI, runs per cell, score, run policy, marks). `.narrow` is a `table`
/// that fits `\linewidth` of a one-column article; `.wide` a `table*` across both
/// columns of a two-column paper (in a one-column document, `table*` is `table`).
func latexResultsTable(_ table: ResultsTable, _ report: Report, layout: LaTeXTableLayout = .wide,
                       environment: String = "table") -> [String] {
  let level = formatLevel(report.provenance.bootstrap.confidenceLevel)
  var out: [String] = []
  out.append("\\begin{\(environment)}[ht]")
  out.append("\\centering")
  out.append("\\footnotesize")
  out.append("\\setlength{\\tabcolsep}{3pt}")
  let caption = "Mean score and \(level) bootstrap CI of each cell over its finished runs"
    + (table.paperColumns ? ", beside the paper's values." : ".")
  out.append("\\caption{\(escapeLaTeX(caption))}")
  out.append("\\label{\(latexLabel("tab", report))}")
  out.append(contentsOf: splitLines(renderLaTeXTabular(table, layout: layout)))
  out.append(contentsOf: latexTableNotes(table, report))
  out.append("\\end{\(environment)}")
  return out
}

/// The paper's number of the report's table ("Table 2: ..." → 2).
func paperTableNumber(_ report: Report) -> Int? {
  guard report.title.hasPrefix("Table ") else { return nil }
  return Int(report.title.dropFirst(6).prefix { $0.isNumber })
}

/// `tab:table2-quick`: a label made of the manifest and scale names (letters, digits, - and . kept).
func latexLabel(_ kind: String, _ report: Report) -> String {
  let base = "\(report.manifestName)-\(report.scale)"
  return kind + ":" + String(base.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") ? $0 : "-" })
}

/// The table environment alone (caption and `\label`), to `\input` into a
/// paper that loads booktabs; numbered by the paper's own counter. `.narrow`
/// (the `-table.tex` file) fits a one-column article's `\linewidth`; `.wide`
/// (`-table-wide.tex`) is a `table*` for a two-column paper.
public func renderLaTeXTableFragment(_ report: Report, layout: LaTeXTableLayout = .narrow) -> String {
  guard let table = report.results else { return "" }
  let function = layout == .narrow ? "renderLaTeXTableFragment" : "renderLaTeXTableFragment(layout: .wide)"
  let fits = layout == .narrow ? "fits \\linewidth of a one-column article" : "a table* across both columns of a two-column paper"
  return (["% Generated by Repro (Reports.\(function)): \(report.title.replacingNewlines()); \(fits).",
           "% \\input this file into a document that loads booktabs. Reproduce with: \(report.provenance.command.replacingNewlines())"]
          + latexResultsTable(table, report, layout: layout, environment: layout == .narrow ? "table" : "table*"))
    .joined(separator: "\n") + "\n"
}

/// The figure environment of the learning curves, to `\input` into a paper that
/// loads graphicx: it includes `<name>-<scale>-curves.pdf`, the SVG converted
/// (`rsvg-convert -f pdf`; `make check-latex` does it).
public func renderLaTeXCurvesFragment(_ report: Report) -> String {
  guard let c = report.curves else { return "" }
  return (["% Generated by Repro (Reports.renderLaTeXCurvesFragment): learning curves of \(report.title.replacingNewlines()).",
           "% \\input this file into a document that loads graphicx, beside \(pdfName(report)) "
             + "(rsvg-convert -f pdf -o \(pdfName(report)) \(report.curvesFileName))."]
          + latexCurvesFigure(report, c)).joined(separator: "\n") + "\n"
}

func pdfName(_ report: Report) -> String { pdfName(report.curvesFileName) }
func pdfName(_ svg: String) -> String { String(svg.dropLast(4)) + ".pdf" }

/// The curves' figure environment.
func latexCurvesFigure(_ report: Report, _ c: CurvesSection) -> [String] {
  latexFigure(svg: report.curvesFileName, caption: "Learning curves. " + curvesSentence(c), label: latexLabel("fig", report) + "-curves")
}

/// A figure environment including `svg` converted to PDF when that is there, else a box that says how to make it.
func latexFigure(svg: String, caption: String, label: String) -> [String] {
  let pdf = pdfName(svg)
  return ["\\begin{figure}[ht]", "\\centering",
          "\\IfFileExists{\(pdf)}{\\includegraphics[width=\\linewidth]{\(pdf)}}"
            + "{\\fbox{\\parbox{0.9\\linewidth}{\\centering \(latexCode(pdf)) not found: convert "
            + "\(latexCode(svg)) with \(latexCode("rsvg-convert -f pdf"))}}}",
          "\\caption{\(escapeLaTeX(caption))}",
          "\\label{\(label)}",
          "\\end{figure}"]
}

/// One claim: verdict, task, claim, CI of left − right.
func latexClaimLine(_ c: ClaimLine, _ kind: ReportKind) -> String {
  var s = "\\textbf{\(kind.word(c.verdict))}"
  if let f = c.family { s += " (family: \(escapeLaTeX(familyWord(f, kind))))" }
  if let t = c.task { s += " --- \(escapeLaTeX(t))" }
  if !c.everyTask.isEmpty { s += " --- on every task (\(escapeLaTeX(c.everyTask.joined(separator: ", "))))" }
  s += ": \(latexCode(c.text))"
  if let d = c.difference { s += "; left $-$ right $=$ \(latexNumbers(formatCI(d, decimals: c.decimals)))" }
  if !c.everyTask.isEmpty { s += "; \(escapeLaTeX(everyTaskMethod(kind)))" }
  if let m = c.method { s += "; \(escapeLaTeX(m))" }
  if let r = c.reason { s += "; \(escapeLaTeX(r))" }
  for caveat in c.caveats { s += "; \\textbf{caveat:} \(escapeLaTeX(caveat))" }
  return s + "."
}

func latexRobust(_ report: ResultsTable, _ robust: RobustSection, level: String) -> [String] {
  var out = ["\\subsection*{Robust statistics}"]
  let n = report.columns.count
  let head = [
    "\\begin{tabular}{l" + String(repeating: "r", count: n) + "}",
    "\\toprule",
    " & " + report.columns.map(escapeLaTeX).joined(separator: " & ") + " \\\\",
    "\\midrule",
  ]
  let iqmRows = report.rows.filter { row in row.cells.contains { $0.iqm != nil } }
  if !iqmRows.isEmpty {
    out.append("{\\small Interquartile mean (IQM) [\(escapeLaTeX(level)) bootstrap CI]:\\par}")
    out.append("\\begin{center}\\small")
    out.append(contentsOf: head)
    for row in iqmRows {
      let cells = report.columns.indices.map { j in
        report.cell(row, j)?.iqm.map { latexNumbers(formatCI($0)) } ?? "---"
      }
      out.append(([guardBracket(escapeLaTeX(row.name))] + cells).joined(separator: " & ") + " \\\\")
    }
    out.append(contentsOf: ["\\bottomrule", "\\end{tabular}", "\\end{center}"])
  }
  if !robust.improvements.isEmpty {
    out.append("{\\small Probability of improvement $P(X > Y)$, ties counting half [\(escapeLaTeX(level)) bootstrap CI]:\\par}")
    out.append("\\begin{center}\\small")
    out.append(contentsOf: head)
    for imp in robust.improvements {
      let cells = report.columns.indices.map { j in
        (j < imp.cells.count ? imp.cells[j] : nil).map { latexNumbers(formatCI($0, decimals: 2)) } ?? "---"
      }
      let name = "$P($\(escapeLaTeX(imp.x)) $>$ \(escapeLaTeX(imp.y))$)$"
      out.append(([name] + cells).joined(separator: " & ") + " \\\\")
    }
    out.append(contentsOf: ["\\bottomrule", "\\end{tabular}", "\\end{center}"])
  }
  if let note = robust.note { out.append("{\\small \(escapeLaTeX(note))\\par}") }
  return out
}

/// `latexCode`, with a line break allowed every 16 characters of a long hexadecimal
/// string (a SHA-256), which would otherwise run off the page.
func latexBreakableCode(_ s: String) -> String {
  guard s.count > 16, s.allSatisfy(\.isHexDigit) else { return latexCode(s) }
  var chunks: [String] = []
  var rest = Substring(s)
  while !rest.isEmpty { chunks.append(String(rest.prefix(16))); rest = rest.dropFirst(16) }
  return "\\texttt{" + chunks.joined(separator: "\\allowbreak{}") + "}"
}

/// An itemize list in \small.
func smallList(_ items: [String]) -> [String] {
  guard !items.isEmpty else { return [] }
  return ["{\\small", "\\begin{itemize}"] + items.map { "\\item{} " + $0 } + ["\\end{itemize}}"]
}

/// Numbers from `formatNumber` in LaTeX: a minus sign for a "-" before a digit
/// or a point ("-3", "1e-5"); other hyphens (words, "---") stay as they are.
func latexNumbers(_ s: String) -> String {
  let chars = Array(s)
  var out = ""
  for (i, ch) in chars.enumerated() {
    if ch == "-", i + 1 < chars.count, chars[i + 1].isASCII, chars[i + 1].isNumber || chars[i + 1] == "." {
      out += "$-$"
    } else {
      out.append(ch)
    }
  }
  return out
}

/// A cell that starts with "[" right after `\\` would be read as `\\[length]`.
func guardBracket(_ s: String) -> String { s.hasPrefix("[") ? "{}" + s : s }

/// a, b, ..., z, aa, ab, ...
func noteMark(_ k: Int) -> String {
  let letters = Array("abcdefghijklmnopqrstuvwxyz")
  var k = k
  var s = ""
  repeat {
    s = String(letters[k % 26]) + s
    k = k / 26 - 1
  } while k >= 0
  return s
}

/// `s` split into lines, dropping one trailing newline.
func splitLines(_ s: String) -> [String] {
  var lines = s.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
  if lines.last == "" { lines.removeLast() }
  return lines
}
