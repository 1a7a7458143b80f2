// Learning curves and compute of a table report: the model, and the figure
// drawn with the plotting library (Plot/).

/// Learning curves: per task, one line per algorithm row (the mean over its
/// finished runs of the per-iteration mean return, in the blocks the archive
/// keeps) with a bootstrap band.
public struct CurvesSection: Equatable, Sendable {
  /// What is plotted, e.g. "mean return per episode of the training rollouts".
  public var metric: String
  /// What the band is, e.g. "95% percentile bootstrap CI of the mean over runs (1000 resamples)".
  public var band: String
  public var panels: [CurvePanel]
  public init(metric: String, band: String, panels: [CurvePanel]) {
    self.metric = metric
    self.band = band
    self.panels = panels
  }
}

/// One task's curves.
public struct CurvePanel: Equatable, Sendable {
  public var task: String
  public var series: [CurveSeries]
  public init(task: String, series: [CurveSeries]) {
    self.task = task
    self.series = series
  }
}

/// One algorithm row's curve on one task: at each point, the environment steps
/// trained by the end of its block, the mean over runs and the band (nil where
/// no run has a value, or the band where fewer than 2 do).
public struct CurveSeries: Equatable, Sendable {
  public var algorithm: String
  public var runs: Int
  public var steps: [Double]
  public var mean: [Double?]
  public var low: [Double?]
  public var high: [Double?]
  public init(algorithm: String, runs: Int, steps: [Double], mean: [Double?], low: [Double?], high: [Double?]) {
    self.algorithm = algorithm
    self.runs = runs
    self.steps = steps
    self.mean = mean
    self.low = low
    self.high = high
  }
}

/// Core-hours spent per cell (the CPU time of the runs the report uses, finished or diverged).
public struct ComputeSection: Equatable, Sendable {
  /// Task names (columns) and algorithm rows.
  public var columns: [String]
  public var rows: [ComputeRow]
  public init(columns: [String], rows: [ComputeRow]) {
    self.columns = columns
    self.rows = rows
  }
  public var total: Double { rows.reduce(0) { $0 + $1.coreHours.reduce(0, +) } }
}

public struct ComputeRow: Equatable, Sendable {
  public var algorithm: String
  /// Per column.
  public var coreHours: [Double]
  /// Runs counted, per column.
  public var runs: [Int]
  public init(algorithm: String, coreHours: [Double], runs: [Int]) {
    self.algorithm = algorithm
    self.coreHours = coreHours
    self.runs = runs
  }
}

extension Report {
  /// The learning curves, if the report has them.
  public var curves: CurvesSection? {
    for s in sections { if case let .curves(c) = s { return c } }
    return nil
  }

  /// The compute table, if the report has one.
  public var compute: ComputeSection? {
    for s in sections { if case let .compute(c) = s { return c } }
    return nil
  }

  /// The curves figure's file name: `<name>-<scale>-curves.svg`.
  public var curvesFileName: String { "\(manifestName)-\(scale)-curves.svg" }
}

/// The learning-curve figure: one panel per task, the algorithms' mean lines
/// over their bands, one legend under the panels. Nil when the report has no curves.
public func renderCurvesSVG(_ report: Report) -> String? {
  guard let c = report.curves, !c.panels.isEmpty else { return nil }
  let names = c.panels.flatMap { $0.series.map(\.algorithm) }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
  let colors = RowPalette.colors(names)
  func color(_ name: String) -> PlotColor { names.firstIndex(of: name).map { colors[$0] } ?? PlotColor.palette(0) }
  let maxSteps = c.panels.flatMap { $0.series.flatMap(\.steps) }.max() ?? 1
  let panels = c.panels.map { p -> Panel in
    var series: [Series] = []
    for s in p.series {
      series.append(.band(.init(x: s.steps, lower: s.low.map { $0 ?? .nan }, upper: s.high.map { $0 ?? .nan },
                                color: color(s.algorithm))))
    }
    for s in p.series {
      series.append(.line(.init(x: s.steps, y: s.mean.map { $0 ?? .nan }, color: color(s.algorithm))))
    }
    return Panel(title: p.task, x: Axis(label: "environment steps", range: 0...max(maxSteps, 1)), y: Axis(label: "mean return"), series: series,
                 legend: .hidden)
  }
  let legend = names.map {
    LegendEntry(label: $0, swatches: [.fill(color: color($0), opacity: 0.22), .line(color: color($0), dash: .solid, width: 1.75, marker: nil)])
  }
  let runs = c.panels.flatMap { $0.series.map(\.runs) }
  let runText = Set(runs).count == 1 ? "\(runs[0]) runs" : "\(runs.min() ?? 0)–\(runs.max() ?? 0) runs"
  return renderSVG(Figure(
    title: "\(report.title): learning curves (\(report.scale))",
    caption: ["Line: \(c.metric), mean over each cell's finished runs (\(runText)). Band: \(c.band).",
              "Manifest \(report.manifestName), scale \(report.scale), commit \(report.provenance.gitCommit), \(report.provenance.date)."],
    rows: 1, columns: c.panels.count, panels: panels, plotWidth: 280, plotHeight: 200, legend: legend, drawsTitleAndCaption: false))
}
