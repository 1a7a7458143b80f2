import RunModel
// Number formatting and escaping shared by the renderers. No Foundation
// formatters: no locale, and the same digits on every platform.

import RunModel
import Statistics

/// `x` rounded to `decimals` places, half away from zero (as the paper prints:
/// 2512.5 → "2513", −0.5 → "-1", 0.125 at 2 places → "0.13"), with ASCII "-"
/// for negatives and never "-0". Non-finite values print as "n/a".
///
/// The rounding is of the binary value scaled by 10^decimals, so a value such
/// as 0.125 (exact in binary) rounds up, and 2.675 (stored as 2.67499…)
/// rounds down, as with any binary floating point.
public func formatNumber(_ x: Double, decimals: Int = 0) -> String {
  guard x.isFinite else { return "n/a" }
  let d = max(0, min(decimals, 15))
  var scale = 1.0
  for _ in 0..<d { scale *= 10 }
  let r = (x * scale).rounded(.toNearestOrAwayFromZero)
  guard r.magnitude < 9.0e18 else { return x.description }
  let n = Int64(r)
  if n == 0 { return d == 0 ? "0" : "0." + String(repeating: "0", count: d) }
  var digits = String(n.magnitude)
  if d > 0 {
    if digits.count <= d { digits = String(repeating: "0", count: d - digits.count + 1) + digits }
    digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -d))
  }
  return (n < 0 ? "-" : "") + digits
}

/// "3292 [3157, 3426]".
func formatCI(_ ci: ConfidenceInterval, decimals: Int = 0) -> String {
  "\(formatNumber(ci.estimate, decimals: decimals)) [\(formatNumber(ci.low, decimals: decimals)), \(formatNumber(ci.high, decimals: decimals))]"
}

/// "3292 [3157, 3426]" or "242".
func formatPaper(_ p: PaperValue) -> String {
  if let lo = p.low, let hi = p.high {
    return "\(formatNumber(p.value)) [\(formatNumber(lo)), \(formatNumber(hi))]"
  }
  return formatNumber(p.value)
}

/// A percentage for a confidence level: 0.95 → "95%", 0.975 → "97.5%".
public func formatLevel(_ level: Double) -> String {
  let tenths = (level * 1000).rounded(.toNearestOrAwayFromZero)
  let whole = formatNumber(level * 100)
  return tenths.truncatingRemainder(dividingBy: 10) == 0
    ? whole + "%" : formatNumber(level * 100, decimals: 1) + "%"
}

/// Seeds as ranges: [0, 1, 2, 3, 7, 9, 10] → "0–3, 7, 9–10" (with `dash`).
func formatSeeds(_ seeds: [Int], dash: String = "–") -> String {
  let s = seeds.sorted()
  guard var start = s.first else { return "none" }
  var parts: [String] = []
  var prev = start
  func close() { parts.append(start == prev ? "\(start)" : "\(start)\(dash)\(prev)") }
  for v in s.dropFirst() where v != prev {
    if v == prev + 1 { prev = v; continue }
    close()
    start = v
    prev = v
  }
  close()
  return parts.joined(separator: ", ")
}

/// 999424 → "999,424".
func groupThousands(_ n: Int) -> String {
  var digits = Array(String(n.magnitude))
  var out: [Character] = []
  while digits.count > 3 {
    out.insert(contentsOf: [","] + digits.suffix(3), at: 0)
    digits.removeLast(3)
  }
  out.insert(contentsOf: digits, at: 0)
  return (n < 0 ? "-" : "") + String(out)
}

/// What became of a cell's runs, e.g. "78/80 runs; 2 missing" or
/// "77/80 runs; 2 missing, 1 diverged"; nil for a complete cell.
func incompleteText(_ c: RunCounts) -> String? {
  guard c.isIncomplete else { return nil }
  var what: [String] = []
  if c.missing > 0 { what.append("\(c.missing) missing") }
  if c.diverged > 0 { what.append("\(c.diverged) diverged") }
  let tail = what.isEmpty ? "" : "; " + what.joined(separator: ", ")
  return "\(c.finished)/\(c.expected) runs\(tail)"
}

/// The sentence every report carries on how runs enter a mean.
let runPolicySentence =
  "Only finished runs enter a mean, CI or IQM. A missing run (no result yet) and a diverged run "
  + "(non-finite score) are both left out of the mean; diverged runs are counted and flagged. "
  + "A cell over fewer runs than expected says how many it has."

/// The verdict rule, in words; `reproduced` is the word for a claim the data bear out (in a study "supported").
func verdictRuleSentence(_ kind: ReportKind) -> String {
  let reproduced = kind.word(.reproduced)
  return "Each claim is judged on an interval of left − right from a calibrated method: Welch's t interval (95%) "
    + "when left − right is a difference of cell means; when it is not linear (ACLI > AAI compares maxima of "
    + "absolute differences), a Welch interval for each difference it is made of, at a Bonferroni-corrected "
    + "level, combined by interval arithmetic. A claim is \(reproduced) when the interval lies wholly on the "
    + "claimed side of 0, contradicted when it lies wholly on the other side, and inconclusive when it contains 0; "
    + "with fewer than \(minimumRunsPerCell) finished runs in a cell, or no spread, it is not judged. "
    + "Each method's false \"\(reproduced)\" rate is at most 2.5% at the run counts it is given, shown by simulation "
    + "(BENCHMARKS.md, calibration), when both cells have a shape in common; Welch's does not hold when only the "
    + "claimed-better cell has a cluster of failed runs or a left skew (BENCHMARKS.md, on RL-shaped data). That rate "
    + "holds for each line on its own. The percentile-bootstrap CIs in "
    + (kind == .study ? "the table describe each cell; they do not judge the claims."
                      : "the table are the paper's method, kept for comparison with its numbers.")
}

/// The verdict rule, with how claims against a number and grid-factor claims are judged when the report has them.
func verdictRule(_ claims: [ClaimLine], _ kind: ReportKind) -> String {
  let reproduced = kind.word(.reproduced)
  var s = verdictRuleSentence(kind)
  let members = claims.filter { $0.family != nil }.count
  if members > 0 {
    s += " The report's \(members) lines are one declared family, judged with Holm's step-down procedure: "
      + "while some of the r lines not yet marked has its interval at level 1 − 5%/r wholly on the "
      + "claimed side of 0 (a sequential line: its design run at overall 5%/r), mark it \(reproduced) (\"at 5%/r\"); "
      + "lines not judged count among the r, so a line chosen for a sequential run after a first look at the data "
      + "is charged for the choice among all of them. So the chance "
      + "that any line of the family is falsely \(reproduced) is at most 2.5%, whatever the dependence between lines; "
      + "contradicted is marked the same way, separately. A line's own verdict is the evidence for that line "
      + "alone; a count of \(reproduced) claims should use the family's."
  }
  if claims.contains(where: { $0.kind == .rows && !$0.sequential && $0.verdict != nil }) {
    s += " Beside Welch's t on the means, a claim between two algorithm rows gets the Brunner–Munzel interval of "
      + "P(X > Y) (the chance that a run of one scores above a run of the other), which holds its error rate on "
      + "RL-shaped data where Welch's does not (a cluster of failed runs or a left skew in the claimed-better cell; "
      + "BENCHMARKS.md); a line whose verdict differs between the two says that it depends on the method."
  }
  if claims.contains(where: { $0.method?.contains("dominating contrasts") == true }) {
    s += " A claim such as ACLI > AAI (a maximum of absolute differences against another) is reproduced only through "
      + "dominating contrasts fixed before the data by the paper's printed means: the left difference largest in the "
      + "paper, with its sign there, must exceed each right difference and its negative, every one of these linear "
      + "contrasts with its one-sided 97.5% Welch bound above 0 (an intersection–union test: if the claim is false, one "
      + "of them is not positive, so its false \"reproduced\" rate is at most 2.5% with no correction; far more "
      + "powerful than the interval shown, CompositeClaimPowerTests). The interval shown still decides "
      + "\"contradicted\"."
  }
  if claims.contains(where: { $0.method?.contains("smallest effect of interest") == true }) {
    s += " A claim between rows carries a smallest effect of interest δ ("
      + (kind == .study ? "set by the manifest before the data"
                        : "half the paper's own effect on the task, unless the manifest sets another before the data")
      + "): an inconclusive line whose interval's bound on the "
      + "claimed side is nearer 0 than δ is \"smaller than the smallest effect of interest\": the effect, if "
      + "any, is below δ. When the true effect is δ or more this happens at most 2.5% of the time, like a false "
      + "\"\(reproduced)\" (SmallestEffectTests; BENCHMARKS.md). It is not evidence against the "
      + (kind == .study ? "claimed" : "paper's") + " direction, "
      + "only against an effect as large as δ; lines judged by a sequential run have no such verdict."
  }
  if claims.contains(where: { !$0.everyTask.isEmpty }) {
    s += " A claim made on every task is \(reproduced) on every task when each task's line is \(reproduced) on its own "
      + "(intersection–union: the claim fails if it fails on any one task, so no correction is needed); it is "
      + "contradicted when some task's family verdict is contradicted."
  }
  if claims.contains(where: { $0.kind == .median }) {
    s += " A claim of one row against a number is about the median run: each finished run gives one number (its "
      + "score, or the statistic the claim names), and the claim is judged on the distribution-free interval of "
      + "their median between two order statistics (the sign test inverted), whose false \"\(reproduced)\" rate is "
      + "at most 2.5% for any continuous distribution; it needs at least \(minimumRunsForMedian(alpha: 0.05)) runs."
  }
  if claims.contains(where: { $0.kind == .gridFactor }) {
    s += " A claim on a grid factor compares the runs the grid's selection keeps with the factor at one value "
      + "against those at the other (Welch t over the pooled runs; its simulation, selection included, shows it "
      + "conservative, since the spread between configurations widens the interval)."
  }
  if claims.contains(where: \.sequential) {
    s += " A line judged by a sequential run (--until-decided) is judged instead at looks whose run counts were fixed "
      + "in advance, each by the method above at its share of the 5% from an O'Brien–Fleming-type α-spending function "
      + "(Lan–DeMets), and stops at the first decisive look; by the union bound its false \"\(reproduced)\" rate over "
      + "all looks together is at most 2.5%, shown by simulation under optional stopping (SequentialTests). Its "
      + "interval is the one at the look it stopped at, at that look's level, so it is wider than a 95% interval on "
      + "the same runs."
  }
  return s
}

/// The noise floor of a derived row, in words, for the tasks where it was computed.
func noiseFloorSentence(_ row: ReportRow, _ table: ResultsTable) -> String? {
  let parts = table.columns.indices.compactMap { j -> String? in
    guard let f = table.cell(row, j)?.noiseFloor else { return nil }
    return "\(table.columns[j]) \(formatNumber(f.median)) (95th percentile \(formatNumber(f.percentile95)))"
  }
  guard !parts.isEmpty else { return nil }
  return "With no true difference between the cells, at their observed spreads and run counts, \(row.name) would be "
    + "about " + parts.joined(separator: ", ") + "; a value below the 95th percentile is indistinguishable from seed noise."
}

/// The sentence under the settings tables' heading.
func settingsTablesSentence(_ kind: ReportKind) -> String {
  "The runs' resolved settings at this scale, one table per task, "
    + (kind == .study ? "the main settings first, " : "in the layout of the paper's Tables 4–6: the paper's rows first, ")
    + "then every other setting that differs between the algorithms or from its neutral value. "
    + "N/A: the setting does not apply to the algorithm; —: off."
}

/// The line under a study's title, in place of a reproduction's "Reproduction of <citation>".
let studySentence = "A study of its own, with no paper to compare with: the runs' numbers, and the manifest's claims judged on them."

/// The sentence under the fidelity heading.
func fidelitySentence(_ f: FidelitySection) -> String {
  "Where these runs differ from what the paper printed and wrote, and from what the authors' released code ran"
    + (f.authorsCode.map { " (\($0))" } ?? "") + ", setting by setting. The differences are computed "
    + "from the settings; the reasons are the manifest's."
}

/// The fidelity groups in report order; the environment's is shown only where the manifest lists one.
func fidelityGroups(_ f: FidelitySection) -> [(source: String, lines: [FidelityLine])] {
  ["paper", "code", "environment"].compactMap { source in
    let lines = f.lines.filter { $0.source == source }
    return source == "environment" && lines.isEmpty ? nil : (source, lines)
  }
}

/// "Differs from the paper (printed Tables 4–6 and text):" and its code and environment counterparts.
func fidelityHeading(_ source: String, _ f: FidelitySection) -> String {
  switch source {
  case "paper": return "Differs from the paper (its printed Tables 4–6 and its text):"
  case "environment":
    return "Differs in the environment (the paper's gym v2 tasks on MuJoCo 1.5 against the tasks these runs step), with what each difference could move:"
  default:
    return "Differs from the authors' code" + (f.authorsCode == nil ? " (not compared: the manifest names no authors' configs)" : "") + ":"
  }
}

/// One fidelity line: the row and setting, our values against the reference's
/// per task (tasks with the same values together), and the reason.
func fidelityText(_ l: FidelityLine, code: (String) -> String, text: (String) -> String) -> String {
  var s = ""
  if let row = l.row { s += text(row) + ", " }
  if let setting = l.setting { s += code(setting) + ": " }
  var groups: [(ours: String, theirs: String, reference: String, tasks: [String])] = []
  for c in l.cells {
    if let i = groups.firstIndex(where: { $0.ours == c.ours && $0.theirs == c.theirs && $0.reference == c.reference }) {
      groups[i].tasks.append(c.task)
    } else {
      groups.append((c.ours, c.theirs, c.reference, [c.task]))
    }
  }
  let who = l.source == "paper" ? "paper" : "theirs"
  s += groups.map { g in
    text("\(g.ours) on \(g.tasks.joined(separator: ", ")) (\(who): \(g.theirs); \(g.reference))")
  }.joined(separator: "; ")
  if !l.cells.isEmpty { s += ". " }
  s += text(l.reason ?? "NO REASON GIVEN in the manifest.")
  return s
}

// MARK: - Escaping

/// Escapes text for Markdown inline content (and table cells): backslash,
/// the emphasis, code, link, HTML and table characters.
public func escapeMarkdown(_ s: String) -> String {
  var out = ""
  for ch in s {
    switch ch {
    case "\\", "`", "*", "_", "[", "]", "<", ">", "|", "#":
      out.append("\\")
      out.append(ch)
    case "\n": out.append(" ")
    default: out.append(ch)
    }
  }
  return out
}

/// Wraps `s` in a Markdown code span, using a longer fence when `s` holds
/// backticks; inside a table, `|` is escaped (GitHub splits cells on it even in code).
func markdownCode(_ s: String, inTable: Bool = false) -> String {
  var longest = 0, run = 0
  for ch in s {
    if ch == "`" { run += 1; longest = max(longest, run) } else { run = 0 }
  }
  let fence = String(repeating: "`", count: longest + 1)
  var body = s.replacingNewlines()
  if inTable { body = body.replacingAll("|", with: "\\|") }
  let pad = (body.hasPrefix("`") || body.hasSuffix("`")) ? " " : ""
  return fence + pad + body + pad + fence
}

/// Escapes text for LaTeX text mode: the ten specials (`\ { } $ & # ^ _ % ~`),
/// `<`, `>` and `|` (which print as other glyphs in the default OT1 encoding),
/// straight double quotes (alternately opening `` and closing ''),
/// and a few common Unicode characters that pdfLaTeX's default input encoding
/// does not set up. `+` and `-` need nothing ("TRPO+", "PPO-M" stay as they are).
public func escapeLaTeX(_ s: String) -> String {
  var out = ""
  var openQuote = true  // straight double quotes alternate between `` and ''
  for ch in s {
    switch ch {
    case "\"":
      out += openQuote ? "``" : "''"
      openQuote.toggle()
    case "\\": out += "\\textbackslash{}"
    case "{": out += "\\{"
    case "}": out += "\\}"
    case "$": out += "\\$"
    case "&": out += "\\&"
    case "#": out += "\\#"
    case "_": out += "\\_"
    case "%": out += "\\%"
    case "^": out += "\\textasciicircum{}"
    case "~": out += "\\textasciitilde{}"
    case "<": out += "\\textless{}"
    case ">": out += "\\textgreater{}"
    case "|": out += "\\textbar{}"
    case "\n": out += " "
    case "-":
      // "--" would print as an en dash ("--jobs" as "–jobs"): break the ligature.
      if out.hasSuffix("-") { out += "{}" }
      out += "-"
    case "\u{2014}": out += "---"
    case "\u{2013}": out += "--"
    case "\u{2212}": out += "$-$"
    case "\u{00D7}": out += "$\\times$"
    case "\u{00B1}": out += "$\\pm$"
    case "\u{2264}": out += "$\\leq$"
    case "\u{2265}": out += "$\\geq$"
    case "\u{2192}": out += "$\\to$"
    case "\u{2026}": out += "\\ldots{}"
    case "\u{00B7}": out += "$\\cdot$"
    case "\u{2113}": out += "$\\ell$"
    case "\u{00A7}": out += "\\S{}"
    case _ where greekLaTeX[ch] != nil: out += "$\\" + greekLaTeX[ch]! + "$"
    case _ where !ch.isASCII:
      // A character pdflatex has no glyph for by default: its code point, so the document still compiles.
      out += ch.unicodeScalars.map { "[U+" + String($0.value, radix: 16, uppercase: true) + "]" }.joined()
    case "\u{2018}", "\u{2019}": out += "'"
    case "\u{201C}": out += "``"
    case "\u{201D}": out += "''"
    default: out.append(ch)
    }
  }
  return out
}

/// Greek letters as LaTeX math commands (γ → \gamma); ε as \epsilon as the papers print it.
let greekLaTeX: [Character: String] = [
  "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ζ": "zeta", "η": "eta", "θ": "theta",
  "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi", "π": "pi", "ρ": "rho", "σ": "sigma",
  "τ": "tau", "υ": "upsilon", "φ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega", "Γ": "Gamma", "Δ": "Delta",
  "Θ": "Theta", "Λ": "Lambda", "Ξ": "Xi", "Π": "Pi", "Σ": "Sigma", "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega",
]

/// `s` in typewriter type (`\texttt{...}`), escaped for it. The OT1 typewriter
/// font has every printable ASCII glyph, so `\ { } ^ ~ _ < > | "` are set by
/// character code (`\char92{}`...) rather than by the text-mode commands,
/// which in OT1 borrow math glyphs and would print in another font.
public func latexCode(_ s: String) -> String {
  var out = ""
  for ch in s {
    switch ch {
    case "\\", "{", "}", "^", "~", "_", "<", ">", "|", "\"":
      for u in ch.unicodeScalars { out += "\\char\(u.value){}" }
    case "$", "&", "#", "%": out += "\\" + String(ch)
    case "-": out += out.hasSuffix("-") ? "{}-" : "-"
    default: out += escapeLaTeX(String(ch))
    }
  }
  return "\\texttt{" + out + "}"
}

extension String {
  func replacingAll(_ target: Character, with replacement: String) -> String {
    var out = ""
    for ch in self {
      if ch == target { out += replacement } else { out.append(ch) }
    }
    return out
  }

  func replacingNewlines() -> String {
    var out = ""
    for ch in self { out.append(ch.isNewline ? " " : ch) }
    return out
  }
}
