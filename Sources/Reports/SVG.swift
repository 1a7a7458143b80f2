// A bar chart of a `TableReport` as SVG, built as a string: one panel per
// task (each with its own y scale, as the tasks' returns differ tenfold), one
// bar per algorithm row with its CI as a whisker, and the paper's mean as a
// black tick. Coordinates are printed with one decimal, so the bytes are fixed.

import Statistics

/// Bar colours, in row order (colour-blind-safe Okabe–Ito palette).
let barColors = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999"]

/// The algorithm rows as a bar chart: one panel per column (task), a bar per
/// algorithm (our mean), a whisker for our CI, a black tick for the paper's
/// mean. A cell over fewer runs than expected is marked "*" above its bar,
/// and a cell with no result has no bar and "n/a" at its foot.
public func renderBarChartSVG(_ report: Report) -> String {
  let table = report.results ?? ResultsTable(scoreDefinition: "", columns: [], rows: [])
  let rows = table.rows.filter { $0.kind == .algorithm }
  let panelW = 240.0, panelH = 220.0
  let left = 56.0, top = 40.0, gap = 30.0, bottom = 70.0
  let nPanels = max(table.columns.count, 1)
  let width = left + Double(nPanels) * panelW + Double(nPanels - 1) * gap + 16
  let legendH = 40.0
  let height = top + panelH + bottom + legendH
  func f(_ x: Double) -> String { formatNumber(x, decimals: 1) }

  var out: [String] = []
  out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" "
    + "viewBox=\"0 0 \(f(width)) \(f(height))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">")
  out.append("<title>\(escapeXML(report.title))</title>")
  out.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>")
  out.append("<text x=\"\(f(left))\" y=\"18\" font-size=\"14\" font-weight=\"bold\">\(escapeXML(report.title))</text>")

  for (j, task) in table.columns.enumerated() {
    let x0 = left + Double(j) * (panelW + gap)
    // y range: 0 to the largest value shown (our CI high, the paper's high), below 0 if needed.
    var hi = 0.0, lo = 0.0
    for row in rows {
      guard let c = table.cell(row, j) else { continue }
      for v in [c.ours?.high, c.ours?.low, c.paper?.value, c.paper?.high, c.paper?.low] {
        if let v, v.isFinite { hi = max(hi, v); lo = min(lo, v) }
      }
    }
    let step = niceStep((hi - lo) / 4)
    let yMax = (hi / step).rounded(.up) * step
    let yMin = (lo / step).rounded(.down) * step
    let span = max(yMax - yMin, step)
    func y(_ v: Double) -> Double { top + panelH * (1 - (v - yMin) / span) }

    out.append("<g>")
    out.append("<text x=\"\(f(x0 + panelW / 2))\" y=\"\(f(top - 8))\" text-anchor=\"middle\" font-size=\"12\">\(escapeXML(task))</text>")
    // Grid lines and tick labels.
    var t = yMin
    while t <= yMax + step / 2 {
      out.append("<line x1=\"\(f(x0))\" y1=\"\(f(y(t)))\" x2=\"\(f(x0 + panelW))\" y2=\"\(f(y(t)))\" stroke=\"#dddddd\"/>")
      out.append("<text x=\"\(f(x0 - 4))\" y=\"\(f(y(t) + 4))\" text-anchor=\"end\">\(formatNumber(t, decimals: step < 1 ? 2 : 0))</text>")
      t += step
    }
    out.append("<line x1=\"\(f(x0))\" y1=\"\(f(y(0)))\" x2=\"\(f(x0 + panelW))\" y2=\"\(f(y(0)))\" stroke=\"#333333\"/>")
    // Bars.
    let slot = panelW / Double(max(rows.count, 1))
    let barW = slot * 0.6
    for (k, row) in rows.enumerated() {
      let cx = x0 + slot * (Double(k) + 0.5)
      let color = barColors[k % barColors.count]
      let cell = table.cell(row, j)
      if let ours = cell?.ours {
        let yTop = min(y(ours.estimate), y(0)), h = abs(y(ours.estimate) - y(0))
        out.append("<rect x=\"\(f(cx - barW / 2))\" y=\"\(f(yTop))\" width=\"\(f(barW))\" height=\"\(f(h))\" fill=\"\(color)\">"
          + "<title>\(escapeXML(row.name)), \(escapeXML(task)): \(formatCI(ours))</title></rect>")
        out.append("<line x1=\"\(f(cx))\" y1=\"\(f(y(ours.low)))\" x2=\"\(f(cx))\" y2=\"\(f(y(ours.high)))\" stroke=\"#333333\" stroke-width=\"1.5\"/>")
        for v in [ours.low, ours.high] {
          out.append("<line x1=\"\(f(cx - 5))\" y1=\"\(f(y(v)))\" x2=\"\(f(cx + 5))\" y2=\"\(f(y(v)))\" stroke=\"#333333\" stroke-width=\"1.5\"/>")
        }
        if let runs = cell?.runs, runs.isIncomplete {
          out.append("<text x=\"\(f(cx))\" y=\"\(f(min(y(ours.high), yTop) - 4))\" text-anchor=\"middle\" font-size=\"13\">*"
            + "<title>\(escapeXML(incompleteText(runs) ?? ""))</title></text>")
        }
      } else {
        out.append("<text x=\"\(f(cx))\" y=\"\(f(y(0) - 4))\" text-anchor=\"middle\" fill=\"#666666\">n/a</text>")
      }
      if let paper = cell?.paper {
        out.append("<line x1=\"\(f(cx - barW / 2 - 3))\" y1=\"\(f(y(paper.value)))\" x2=\"\(f(cx + barW / 2 + 3))\" "
          + "y2=\"\(f(y(paper.value)))\" stroke=\"black\" stroke-width=\"2.5\"><title>paper: \(escapeXML(formatPaper(paper)))</title></line>")
      }
      out.append("<text x=\"\(f(cx))\" y=\"\(f(top + panelH + 14))\" text-anchor=\"middle\">\(escapeXML(row.name))</text>")
    }
    out.append("</g>")
  }

  // Legend.
  let ly = top + panelH + 40
  let level = formatLevel(report.provenance.bootstrap.confidenceLevel)
  out.append("<text x=\"\(f(left))\" y=\"\(f(ly))\">Bars: our mean over finished runs; whiskers: \(level) bootstrap CI; "
    + "black tick: the paper&apos;s mean.</text>")
  out.append("<text x=\"\(f(left))\" y=\"\(f(ly + 18))\">*: fewer runs than expected; "
    + "missing and diverged runs are left out of the mean.</text>")
  out.append("<text x=\"\(f(left))\" y=\"\(f(ly + 36))\" fill=\"#666666\">\(escapeXML(report.manifestName)), scale "
    + "\(escapeXML(report.scale)), commit \(escapeXML(report.provenance.gitCommit)), \(escapeXML(report.provenance.date))</text>")
  out.append("</svg>")
  return out.joined(separator: "\n") + "\n"
}

/// A "nice" axis step at least `raw`: 1, 2 or 5 times a power of ten.
func niceStep(_ raw: Double) -> Double {
  guard raw.isFinite, raw > 0 else { return 1 }
  var base = 1e-6
  while base * 10 <= raw { base *= 10 }
  for m in [1.0, 2.0, 5.0, 10.0] where base * m >= raw { return base * m }
  return base * 10
}

/// Escapes text for XML content and attribute values.
public func escapeXML(_ s: String) -> String {
  var out = ""
  for ch in s {
    switch ch {
    case "&": out += "&amp;"
    case "<": out += "&lt;"
    case ">": out += "&gt;"
    case "\"": out += "&quot;"
    case "'": out += "&apos;"
    default: out.append(ch)
    }
  }
  return out
}
