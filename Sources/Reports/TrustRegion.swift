// The trust-region figure of a report (the paper's Figures 2–4): per task and
// diagnostic, one thin line per agent, the cross-agent mean and its bootstrap
// band, and each algorithm's bound (TRPO's δ on KL, PPO's 1 + ε on the ratio).

/// Trust-region diagnostics of a report's runs, on the training batch and a held-out rollout.
public struct TrustRegionSection: Equatable, Sendable {
  /// One figure row per diagnostic, e.g. "mean KL, training batch".
  public var rows: [TrustRegionRow]
  /// Task names (figure columns).
  public var tasks: [String]
  /// What the band is.
  public var band: String
  public init(rows: [TrustRegionRow], tasks: [String], band: String) {
    self.rows = rows
    self.tasks = tasks
    self.band = band
  }
}

public struct TrustRegionRow: Equatable, Sendable {
  /// E.g. "mean KL, training batch".
  public var metric: String
  /// Whether the panels have a log y axis (KL spans decades).
  public var logScale: Bool
  /// One panel per task, in `TrustRegionSection.tasks` order.
  public var panels: [[TrustRegionSeries]]
  public init(metric: String, logScale: Bool, panels: [[TrustRegionSeries]]) {
    self.metric = metric
    self.logScale = logScale
    self.panels = panels
  }

  /// Whether the figure draws this row on a log y axis: when `logScale` asks for it, or
  /// when its positive values span a decade or more (TRPO's max ratio reaching ~1600
  /// would otherwise flatten PPO's and PPO-M's, near 1 + ε, into the axis).
  public var drawnOnLogScale: Bool {
    if logScale { return true }
    var low = Double.infinity, high = 0.0
    for series in panels.joined() {
      let columns: [[Double?]] = series.agents + [series.mean, series.low, series.high]
      for case let v? in columns.joined() where v > 0 && v.isFinite {
        low = min(low, v)
        high = max(high, v)
      }
    }
    return high > 0 && high / low >= 10
  }
}

/// One algorithm on one task for one diagnostic.
public struct TrustRegionSeries: Equatable, Sendable {
  public var algorithm: String
  /// Iterations (1-based, as the paper's x axis) at which the diagnostic was recorded.
  public var iterations: [Double]
  /// Each agent's values.
  public var agents: [[Double?]]
  public var mean: [Double?]
  public var low: [Double?]
  public var high: [Double?]
  /// The algorithm's bound on this diagnostic (δ for TRPO's KL, 1 + ε for PPO's ratio), if any.
  public var bound: Double?
  public var boundLabel: String?
  public init(algorithm: String, iterations: [Double], agents: [[Double?]], mean: [Double?], low: [Double?], high: [Double?],
              bound: Double? = nil, boundLabel: String? = nil) {
    self.algorithm = algorithm
    self.iterations = iterations
    self.agents = agents
    self.mean = mean
    self.low = low
    self.high = high
    self.bound = bound
    self.boundLabel = boundLabel
  }
}

extension Report {
  public var trustRegion: TrustRegionSection? {
    for s in sections { if case let .trustRegion(t) = s { return t } }
    return nil
  }

  /// `<name>-<scale>-trust-region.svg`.
  public var trustRegionFileName: String { "\(manifestName)-\(scale)-trust-region.svg" }
}

/// The trust-region figure: rows = diagnostics, columns = tasks. Nil when the report has none.
public func renderTrustRegionSVG(_ report: Report) -> String? {
  guard let t = report.trustRegion, !t.rows.isEmpty else { return nil }
  let names = t.rows.flatMap { $0.panels.flatMap { $0.map(\.algorithm) } }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
  let colors = RowPalette.colors(names)
  func color(_ name: String) -> PlotColor { names.firstIndex(of: name).map { colors[$0] } ?? PlotColor.palette(0) }
  var panels: [Panel] = []
  for row in t.rows {
    let log = row.drawnOnLogScale
    for (j, task) in t.tasks.enumerated() {
      let list = j < row.panels.count ? row.panels[j] : []
      var series: [Series] = []
      var references: [ReferenceLine] = []
      func y(_ v: Double?) -> Double { v.map { log && $0 <= 0 ? .nan : $0 } ?? .nan }
      for s in list {
        for agent in s.agents {
          series.append(.line(.init(x: s.iterations, y: agent.map(y), color: color(s.algorithm), width: 0.75, opacity: 0.3)))
        }
      }
      for s in list {
        series.append(.band(.init(x: s.iterations, lower: s.low.map(y), upper: s.high.map(y), color: color(s.algorithm))))
        series.append(.line(.init(x: s.iterations, y: s.mean.map(y), color: color(s.algorithm), width: 2)))
        if let b = s.bound, b.isFinite, !references.contains(where: { $0.value == b }) {
          references.append(ReferenceLine(.horizontal, at: b, label: s.boundLabel ?? "", color: color(s.algorithm)))
        }
      }
      panels.append(Panel(title: "\(task): \(row.metric)", x: Axis(label: "iteration"),
                          y: Axis(label: row.metric, scale: log ? .log10 : .linear),
                          series: series, references: references, legend: .hidden))
    }
  }
  let legend = names.map {
    LegendEntry(label: $0, swatches: [.fill(color: color($0), opacity: 0.22), .line(color: color($0), dash: .solid, width: 2, marker: nil)])
  }
  return renderSVG(Figure(
    title: "\(report.title): trust regions (\(report.scale))",
    caption: ["Thin lines: each agent. Thick line: mean over agents; band: \(t.band). Dashed: the algorithm's bound "
              + "(TRPO's δ on mean KL; PPO's 1 + ε on the ratio).",
              "Manifest \(report.manifestName), scale \(report.scale), commit \(report.provenance.gitCommit), \(report.provenance.date)."],
    rows: t.rows.count, columns: t.tasks.count, panels: panels, plotWidth: 260, plotHeight: 170, legend: legend, drawsTitleAndCaption: false))
}
