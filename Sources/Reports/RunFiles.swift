import RunModel

/// One trained run as a file gave it: where it came from and its labels.
public struct LabelledRun: Sendable {
  /// The file it was read from, as given.
  public var file: String
  /// The run's identity hash.
  public var hash: String
  public var manifest: String
  public var algorithm: String
  public var preset: String
  public var result: RunResult

  public init(file: String, hash: String, manifest: String, algorithm: String, preset: String, result: RunResult) {
    self.file = file
    self.hash = hash
    self.manifest = manifest
    self.algorithm = algorithm
    self.preset = preset
    self.result = result
  }

  /// "Hopper PPO seed 3" (the preset when there is no manifest row).
  public var title: String {
    "\(result.task) \(algorithm.isEmpty ? preset : algorithm) seed \(result.seed)"
  }
}

/// The header of `renderIterationsCSV`.
public let iterationsCSVHeader = [
  "file", "run", "manifest", "algorithm", "preset", "task", "seed", "iteration", "steps",
  "meanReturn", "episodes", "policyLoss", "valueLoss", "entropy", "meanKL", "maxRatio", "clipFraction",
  "learningRate", "klBound", "lineSearchSteps",
]

/// Every run's per-iteration metrics, one line per run and iteration in the order
/// given (runs) and trained (iterations): RFC 4180 quoting, full-precision numbers
/// (the shortest that read back to the same double), empty fields for absent or
/// non-finite values. `steps` is the environment steps trained by the end of the
/// iteration. Header: `iterationsCSVHeader`.
public func renderIterationsCSV(_ runs: [LabelledRun]) -> String {
  var lines = [iterationsCSVHeader.joined(separator: ",")]
  func num(_ d: Double?) -> String { d.map { $0.isFinite ? jsonNumber($0) : "" } ?? "" }
  func int(_ i: Int?) -> String { i.map(String.init) ?? "" }
  for run in runs {
    let r = run.result
    for m in r.iterations {
      let fields = [
        csvField(run.file), run.hash, csvField(run.manifest), csvField(run.algorithm), csvField(run.preset),
        csvField(r.task), String(r.seed), String(m.iteration), String((m.iteration + 1) * r.config.stepsPerIteration),
        num(m.meanReturn), String(m.episodes), num(m.policyLoss), num(m.valueLoss), num(m.entropy), num(m.meanKL),
        num(m.maxRatio), num(m.clipFraction), num(m.learningRate), num(m.klBound), int(m.lineSearchSteps),
      ]
      lines.append(fields.joined(separator: ","))
    }
  }
  return lines.joined(separator: "\n") + "\n"
}

/// The learning curve of one or more runs (`repro plot`): the mean return of the
/// episodes completed in each iteration against the environment steps trained,
/// one line per run (a gap where an iteration completed no episode), one panel.
public func renderRunCurvesSVG(_ runs: [LabelledRun]) -> String {
  let lines = runs.enumerated().map { k, run -> Series in
    let r = run.result
    return .line(.init(
      label: runs.count > 1 ? run.title : nil,
      x: r.iterations.map { Double(($0.iteration + 1) * r.config.stepsPerIteration) },
      y: r.iterations.map { $0.meanReturn ?? .nan }, color: PlotColor.palette(k)))
  }
  let maxSteps = runs.map { Double($0.result.iterations.count * $0.result.config.stepsPerIteration) }.max() ?? 1
  var caption = ["Line: mean return of the episodes completed in each iteration (a gap where none completed)."]
  for run in runs {
    let r = run.result
    let stopped = r.diverged.map { "; diverged at iteration \($0.iteration): \($0.reason)" } ?? ""
    let name = run.file.split(separator: "/").last.map(String.init) ?? run.file
    caption.append("\(name): run \(String(run.hash.prefix(12))), \(r.iterations.count) iterations of "
      + "\(r.config.stepsPerIteration) steps\(stopped).")
  }
  let panel = Panel(
    x: Axis(label: "environment steps", range: 0...max(maxSteps, 1)), y: Axis(label: "mean return"),
    series: lines, legend: runs.count > 1 ? .below : .hidden)
  let title = runs.count == 1 ? "\(runs[0].title): learning curve" : "learning curves (\(runs.count) runs)"
  return renderSVG(Figure(title: title, caption: caption, panels: [panel], plotWidth: 420, plotHeight: 240))
}
