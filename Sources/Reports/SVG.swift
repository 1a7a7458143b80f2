// A bar chart of a report's table, drawn by the Plot library like every other
// figure: one panel per task (each with its own y scale, as the tasks' returns
// differ tenfold), one bar per algorithm row (our mean) with its CI as a
// whisker, and the paper's mean as a black tick.

import Statistics

/// The algorithm rows as a bar chart: one panel per column (task), a bar per
/// algorithm (our mean), a whisker for our CI, a black tick for the paper's
/// mean. A cell over fewer runs than expected is marked "*" after its row's
/// name on that panel's axis; a cell with no result has no bar and "(n/a)".
/// More than 8 rows are numbered instead of named.
public func renderBarChartSVG(_ report: Report) -> String {
  let table = report.results ?? ResultsTable(scoreDefinition: "", columns: [], rows: [])
  let rows = table.rows.filter { $0.kind == .algorithm }
  // Many rows (a grid's): numbered in the table's order, since their names cannot fit under the bars.
  let numbered = rows.count > 8
  let colors = RowPalette.colors(rows.map(\.name))
  let dark = PlotColor(red: 0x33, green: 0x33, blue: 0x33), black = PlotColor(red: 0, green: 0, blue: 0)
  var panels: [Panel] = []
  for (j, task) in table.columns.enumerated() {
    var series: [Series] = []
    var names: [String] = []
    for (k, row) in rows.enumerated() {
      let x = Double(k)
      let cell = table.cell(row, j)
      var name = numbered ? "\(k + 1)" : row.name
      if let ours = cell?.ours {
        series.append(.histogram(.init(label: "our mean", edges: [x - 0.3, x + 0.3], counts: [ours.estimate],
                                       color: colors[k], opacity: 0.9)))
        series.append(.line(.init(label: "our \(formatLevel(ours.level)) bootstrap CI", x: [x, x], y: [ours.low, ours.high],
                                  color: dark, width: 1.5)))
        for v in [ours.low, ours.high] {
          series.append(.line(.init(x: [x - 0.08, x + 0.08], y: [v, v], color: dark, width: 1.5)))
        }
        if let runs = cell?.runs, runs.isIncomplete { name += "*" }
      } else {
        name += " (n/a)"
      }
      if let paper = cell?.paper {
        series.append(.line(.init(label: "the paper's mean", x: [x - 0.36, x + 0.36], y: [paper.value, paper.value],
                                  color: black, width: 2.5)))
      }
      names.append(name)
    }
    panels.append(Panel(title: task, x: Axis(categories: names), y: Axis(label: "score"), series: series,
                        legend: .hidden))
  }
  let legend = panels.first.map { LegendEntry.entries(for: $0) }?.map { e in
    e.label == "our mean" ? LegendEntry(label: "our mean (one colour per row)", swatches: e.swatches) : e
  } ?? []
  return renderSVG(Figure(
    title: report.title,
    caption: ["Bars: our mean over the finished runs; whiskers: its bootstrap CI"
              + (table.paperColumns ? "; black tick: the paper's mean. " : ". ")
              + "*: fewer finished runs than expected (missing and diverged runs are left out of the mean)."
              + (numbered ? " Bars are numbered in the order of the report's table." : ""),
              "Manifest \(report.manifestName), scale \(report.scale), commit \(report.provenance.gitCommit), \(report.provenance.date)."],
    rows: 1, columns: max(panels.count, 1), panels: panels, plotWidth: max(240, 14 * Double(rows.count)), plotHeight: 200, legend: legend))
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
