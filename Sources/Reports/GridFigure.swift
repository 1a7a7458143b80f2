// The grid section of a report (the paper's Figure 1): the run selected for each
// configuration of a factorial design, and histograms of the selected runs'
// final scores split by each factor's value.

/// A factorial design's selection and its histograms.
public struct GridSection: Equatable, Sendable {
  /// Factor names, e.g. ["VC", "RS", "OI", "LA"], and what each sets.
  public var factors: [String]
  public var factorSettings: [String]
  /// The searched setting's name, if any (e.g. "policyLR").
  public var search: String?
  /// The selection rule, in words.
  public var rule: String
  public var tasks: [String]
  public var configurations: [GridConfiguration]
  /// One per task × factor, task-major.
  public var histograms: [GridHistogram]
  public init(factors: [String], factorSettings: [String], search: String?, rule: String, tasks: [String],
              configurations: [GridConfiguration], histograms: [GridHistogram]) {
    self.factors = factors
    self.factorSettings = factorSettings
    self.search = search
    self.rule = rule
    self.tasks = tasks
    self.configurations = configurations
    self.histograms = histograms
  }
}

/// One configuration (a base row at one value of each factor) and its selection per task.
public struct GridConfiguration: Equatable, Sendable {
  /// E.g. "PPO (VC on, RS off, OI on, LA off)".
  public var label: String
  /// Per task: the selected search value's text, the mean score and finished runs there; nil with no finished run.
  public var choices: [GridChoice?]
  public init(label: String, choices: [GridChoice?]) {
    self.label = label
    self.choices = choices
  }
}

public struct GridChoice: Equatable, Sendable {
  public var searchValue: String?
  public var mean: Double
  public var runs: Int
  public init(searchValue: String?, mean: Double, runs: Int) {
    self.searchValue = searchValue
    self.mean = mean
    self.runs = runs
  }
}

/// The selected runs' scores on one task, grouped by one factor's value.
public struct GridHistogram: Equatable, Sendable {
  public var task: String
  public var factor: String
  /// (value text, e.g. "on", scores), in the factor's order.
  public var groups: [GridGroup]
  public init(task: String, factor: String, groups: [GridGroup]) {
    self.task = task
    self.factor = factor
    self.groups = groups
  }
}

public struct GridGroup: Equatable, Sendable {
  public var value: String
  public var scores: [Double]
  public init(value: String, scores: [Double]) {
    self.value = value
    self.scores = scores
  }
}

extension Report {
  public var grid: GridSection? {
    for s in sections { if case let .grid(g) = s { return g } }
    return nil
  }

  /// `<name>-<scale>-grid.svg`.
  public var gridFileName: String { "\(manifestName)-\(scale)-grid.svg" }
}

/// "PPO (VC on; lr 0.0002): 1234 (5 runs)" cell text.
func gridChoiceText(_ c: GridChoice?, search: String?) -> String {
  guard let c else { return "no finished run" }
  let at = c.searchValue.map { "\(search ?? "") \($0): " } ?? ""
  return "\(at)\(formatNumber(c.mean)) (\(c.runs) run\(c.runs == 1 ? "" : "s"))"
}

/// What the grid section shows, in words.
func gridSentence(_ g: GridSection) -> String {
  "Factors: " + zip(g.factors, g.factorSettings).map { "\($0) = \($1)" }.joined(separator: ", ")
    + (g.search.map { "; searched per configuration: \($0)" } ?? "") + ". Selection: \(g.rule) "
    + "The histograms hold the final scores of the selected runs, split by each factor's value."
}

/// The histograms: rows = tasks, columns = factors. Nil when the report has no grid.
public func renderGridSVG(_ report: Report) -> String? {
  guard let g = report.grid, !g.histograms.isEmpty else { return nil }
  let panels = g.histograms.map { h -> Panel in
    let range = Series.Histogram.commonRange(h.groups.map(\.scores))
    let series = h.groups.enumerated().map { k, group in
      Series.histogram(.init(label: "\(h.factor) \(group.value) (\(group.scores.count))", values: group.scores, bins: 10,
                             range: range, color: PlotColor.palette(k)))
    }
    return Panel(title: "\(h.task): \(h.factor)", x: Axis(label: "final score"), y: Axis(label: "runs"),
                 series: series, legend: .best, emptyText: "no selected run")
  }
  return renderSVG(Figure(
    title: "\(report.title): the ablation (\(report.scale))",
    caption: ["Final scores of the runs selected per configuration" + (g.search.map { " (the best \($0) by mean score)" } ?? "")
                + ", split by each factor: " + zip(g.factors, g.factorSettings).map { "\($0) = \($1)" }.joined(separator: ", ") + ".",
              "Manifest \(report.manifestName), scale \(report.scale), commit \(report.provenance.gitCommit), \(report.provenance.date)."],
    rows: g.tasks.count, columns: g.factors.count, panels: panels, plotWidth: 220, plotHeight: 150, drawsTitleAndCaption: false))
}
