import Foundation
import Manifests
import Reports
import RunModel

/// What runs cost, from finished runs' own timings: seconds of one core per
/// environment step (training steps; held-out diagnostic rollouts are part of the
/// time), per (task, algorithm). The one source of run costs: `repro cost` prints
/// a manifest's core-hours with it, `repro plan` prices its seed plans with it.
public struct CostModel: Sendable, Equatable {
  public struct Key: Hashable, Sendable, Comparable {
    public var task: TaskID
    public var algorithm: AlgorithmKind
    public init(task: TaskID, algorithm: AlgorithmKind) {
      self.task = task
      self.algorithm = algorithm
    }
    public static func < (a: Key, b: Key) -> Bool {
      (a.task.rawValue, a.algorithm.rawValue) < (b.task.rawValue, b.algorithm.rawValue)
    }
  }

  /// The median over `runs` measured runs of their core-seconds per training step.
  public struct Rate: Sendable, Equatable {
    public var secondsPerStep: Double
    public var runs: Int
    public init(secondsPerStep: Double, runs: Int) {
      self.secondsPerStep = secondsPerStep
      self.runs = runs
    }
  }

  public var rates: [Key: Rate]

  /// What runs cost on the reference machine, for when no finished run of the
  /// task and algorithm is at hand (`repro cost` without one, `repro slurm`'s
  /// time limits): core-seconds per training step, the median of 4 runs per cell
  /// of experiments/costs.json (100 × 2048 steps, default diagnostics, two agents
  /// at a time on the 2 cores), measured by
  ///
  ///     repro run experiments/costs.json --jobs 2
  ///     repro cost experiments/costs.json --from-scale measure
  ///
  /// on the project's machine (AMD EPYC, 2 cores, Linux x86_64, AVX-512 kernels;
  /// the trainer of commit 5f4aef8), 2026-11-23 16:08 UTC, nothing else running
  /// (BENCHMARKS.md). Two agents at once on these 2 cores run about 1.5 times slower
  /// each than one alone, so a cluster core is likely cheaper; episodes lengthen as
  /// agents learn, so a paper-length run may cost more per step: `repro slurm` adds a margin.
  ///
  /// Every other registered (task, algorithm) is priced at PPO's rate on the task (else Hopper's
  /// PPO rate times the task row's `stepCost`) times the algorithm row's `relativeCost`
  /// (`runs` 0: an estimate, no run measured).
  public static var reference: CostModel {
    let measured: [(String, AlgorithmKind, Double)] = [
      ("Hopper", .ppo, 73.6e-6), ("Hopper", .trpo, 71.7e-6),
      ("Walker2d", .ppo, 112.5e-6), ("Walker2d", .trpo, 106.1e-6),
      ("Humanoid", .ppo, 318.4e-6), ("Humanoid", .trpo, 294.7e-6),
    ]
    var rates: [Key: Rate] = [:]
    for (task, kind, rate) in measured { rates[Key(task: TaskID(rawValue: task), algorithm: kind)] = Rate(secondsPerStep: rate, runs: 4) }
    let hopperPPO = measured[0].2
    for task in TaskRegistry.all {
      let ppo = rates[Key(task: task.id, algorithm: .ppo)]?.secondsPerStep ?? hopperPPO * task.stepCost
      for algorithm in AlgorithmRegistry.all where rates[Key(task: task.id, algorithm: algorithm.kind)] == nil {
        rates[Key(task: task.id, algorithm: algorithm.kind)] = Rate(secondsPerStep: ppo * algorithm.relativeCost, runs: 0)
      }
    }
    return CostModel(rates: rates)
  }
  public static let referenceSource = "CostModel.reference (experiments/costs.json on the 2-core AMD EPYC, 2026-11-23)"

  public init(rates: [Key: Rate]) { self.rates = rates }

  /// This model, with `fallback`'s rate wherever this one has none.
  public func filled(from fallback: CostModel) -> CostModel {
    CostModel(rates: fallback.rates.merging(rates) { _, mine in mine })
  }

  /// Rates from finished runs (any manifest, any scale); runs without timing are skipped.
  /// A run's core-seconds are the CPU time of its thread (or, in results written
  /// before that was recorded, its wall time: one agent per core).
  public init(results: some Sequence<RunResult>) {
    self.init(samples: results.compactMap { r in
      TaskRegistry.row(r.task).map(\.id).map { ($0, r.config.algorithm, r.totalSteps, r.timing.coreSeconds) }
    })
  }

  package init(samples: [(task: TaskID, kind: AlgorithmKind, steps: Int, seconds: Double)]) {
    var perStep: [Key: [Double]] = [:]
    for s in samples where s.steps > 0 && s.seconds > 0 {
      perStep[Key(task: s.task, algorithm: s.kind), default: []].append(s.seconds / Double(s.steps))
    }
    rates = perStep.mapValues { s in
      let sorted = s.sorted()
      let m = sorted.count / 2
      return Rate(secondsPerStep: sorted.count % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2, runs: sorted.count)
    }
  }

  /// Core-seconds of one run of `config` on `task`, nil when no run of its task and algorithm was measured.
  public func seconds(task: TaskID, config: TrainerConfig) -> Double? {
    rates[Key(task: task, algorithm: config.algorithm)].map {
      $0.secondsPerStep * Double(config.iterations * config.stepsPerIteration)
    }
  }

  /// Core-seconds of one run, nil when its task and algorithm were never measured.
  public func seconds(_ spec: RunSpec) -> Double? { seconds(task: spec.task, config: spec.config) }
}

/// A manifest's compute at one scale, cell by cell.
public struct CostEstimate: Sendable, Equatable {
  public struct Cell: Sendable, Equatable {
    public var row: String
    public var task: TaskID
    /// Distinct runs in the cell, and how many of them already have a result.
    public var runs: Int
    public var finished: Int
    /// Core-seconds of one run; nil when not measured.
    public var secondsPerRun: Double?
    /// Core-hours of the cell's unfinished runs (nil when not measured).
    public var remainingCoreHours: Double? { secondsPerRun.map { Double(runs - finished) * $0 / 3600 } }
    public var totalCoreHours: Double? { secondsPerRun.map { Double(runs) * $0 / 3600 } }
  }

  public var manifest: String
  public var scale: String
  public var cells: [Cell]
  public var model: CostModel

  /// Prices every cell of `expansion`; `finished` holds the hashes that already have a result.
  /// Runs shared by two rows (the same identity) are counted once, in the first row.
  public init(expansion: Expansion, model: CostModel, finished: Set<String> = []) {
    manifest = expansion.manifest.name
    scale = expansion.scale.name
    self.model = model
    var seen = Set<String>()
    cells = []
    for a in expansion.manifest.algorithms {
      for t in expansion.manifest.tasks {
        let specs = expansion.specs(algorithm: a.name, task: t).filter { seen.insert($0.hash).inserted }
        guard let first = specs.first else { continue }
        cells.append(Cell(row: a.name, task: t, runs: specs.count, finished: specs.filter { finished.contains($0.hash) }.count,
                          secondsPerRun: model.seconds(first)))
      }
    }
  }

  /// Sums over the cells; nil when some cell is not measured.
  public var totalCoreHours: Double? { sum(\.totalCoreHours) }
  public var remainingCoreHours: Double? { sum(\.remainingCoreHours) }
  public var unmeasured: [Cell] { cells.filter { $0.secondsPerRun == nil } }

  private func sum(_ value: KeyPath<Cell, Double?>) -> Double? {
    var total = 0.0
    for c in cells {
      guard let v = c[keyPath: value] else { return nil }
      total += v
    }
    return total
  }

  /// The estimate as a Markdown table with its totals and where the rates come from.
  public func markdown(source: String) -> String {
    func hours(_ x: Double?) -> String { x.map { formatNumber($0, decimals: $0 < 10 ? 2 : 1) } ?? "not measured" }
    var out = ["| cell | task | runs | finished | core-hours per run | core-hours to go |", "|---|---|---:|---:|---:|---:|"]
    for c in cells {
      out.append("| \(escapeMarkdown(c.row)) | \(c.task.rawValue) | \(c.runs) | \(c.finished) | "
        + "\(hours(c.secondsPerRun.map { $0 / 3600 })) | \(hours(c.remainingCoreHours)) |")
    }
    out.append("")
    if let total = totalCoreHours, let remaining = remainingCoreHours {
      out.append("\(manifest) at scale \(scale): \(hours(total)) core-hours in all, \(hours(remaining)) to go "
        + "(\(formatNumber(remaining / 24 / 2, decimals: 1)) days on 2 cores, \(formatNumber(remaining / 64, decimals: 1)) hours on 64).")
    } else {
      let missing = Set(unmeasured.map { "\($0.task.rawValue) \($0.row)" }).sorted().joined(separator: ", ")
      out.append("\(manifest) at scale \(scale): no measured cost for \(missing); run a pilot of those cells first.")
    }
    // Measured rates, and the estimated ones of this manifest's tasks.
    let rates = model.rates.keys.sorted().compactMap { k -> String? in
      let r = model.rates[k]!
      guard r.runs > 0 || cells.contains(where: { $0.task == k.task }) else { return nil }
      return "\(k.task.rawValue) \(k.algorithm.rawValue.uppercased()) \(formatNumber(r.secondsPerStep * 1e6, decimals: 1)) µs "
        + (r.runs > 0 ? "(\(r.runs) runs)" : "(estimated: no run measured)")
    }
    out.append("Core-seconds per environment step, from \(source): "
      + (rates.isEmpty ? "none." : rates.joined(separator: "; ") + "."))
    return out.joined(separator: "\n") + "\n"
  }
}
