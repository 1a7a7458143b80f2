import Experiments
import Foundation
import Reports
import RunModel
import Statistics
import TestSupport
import XCTest

// The glue from a manifest and stored results to a report (`buildReport`),
// on hand-made results: no training, no MuJoCo.

/// Tests/ExperimentsTests/Snapshots, next to this file.
let snapshotDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .appendingPathComponent("Snapshots", isDirectory: true)

func assertSnapshot(_ actual: String, named name: String, file: StaticString = #filePath, line: UInt = #line) throws {
  try assertSnapshot(actual, named: name, in: snapshotDirectory, file: file, line: line)
}

/// A small Table-2-like manifest: four algorithms on two tasks, 4 seeds,
/// AAI/ACLI, paper values, a reference row and claims.
let glueManifest = """
{
  "name": "glue",
  "citation": "Glue test (hand-made results)",
  "tasks": ["Hopper", "Walker2d"],
  "algorithms": {
    "PPO": {"preset": "PPO"},
    "PPO-M": {"preset": "PPO-M"},
    "TRPO": {"preset": "TRPO"},
    "TRPO+": {"preset": "TRPO+"}
  },
  "seeds": {"count": 4, "base": 1},
  "scales": {"tiny": {"iterations": 3, "stepsPerIteration": 64, "note": "hand-made numbers"}},
  "defaultScale": "tiny",
  "score": {"method": "lastMean", "iterations": 2},
  "references": {"PPO (baselines)": "reference only"},
  "derived": {
    "AAI": "max(abs([PPO] - [TRPO+]), abs([PPO-M] - [TRPO]))",
    "ACLI": "max(abs([PPO] - [PPO-M]), abs([TRPO+] - [TRPO]))"
  },
  "paper": {
    "PPO": {"Hopper": {"mean": 2513, "low": 2391, "high": 2632}, "Walker2d": {"mean": 3292, "low": 3157, "high": 3426}},
    "PPO (baselines)": {"Hopper": {"mean": 2316}},
    "AAI": {"Hopper": {"mean": 99}, "Walker2d": {"mean": 242}}
  },
  "claims": [
    {"name": "ACLI > AAI", "left": "ACLI", "op": ">", "right": "AAI", "tasks": "all"},
    {"name": "PPO >= PPO-M", "left": "PPO", "op": ">=", "right": "PPO-M", "tasks": ["Hopper"]}
  ]
}
"""

func glueExpansion() throws -> Expansion {
  try Manifest.decode(glueManifest, file: "experiments/glue.json").expand()
}

/// A hand-made result: score from the algorithm, task and seed; one metric row per iteration.
func handMadeResult(_ spec: RunSpec) -> RunResult {
  let base: [String: Double] = ["PPO": 2500, "PPO-M": 2100, "TRPO": 2000, "TRPO+": 2450]
  let taskShift = spec.task == .hopper ? 0.0 : 700.0
  var r = RunResult(task: spec.task.rawValue, seed: spec.seed, config: spec.config)
  let s = (base[spec.algorithm] ?? 0) + taskShift + Double((spec.seed * 37) % 11) * 12.25 - 60
  for i in 0..<spec.config.iterations {
    var m = IterationMetrics(iteration: i)
    m.meanReturn = s + Double(i - 1) * 3
    m.episodes = 2
    r.iterations.append(m)
  }
  r.totalSteps = spec.config.iterations * spec.config.stepsPerIteration
  r.timing.wallSeconds = 450
  return r
}

let pinnedContext = ReportContext(
  gitCommit: "abc1234", mujocoVersion: "3.3.7",
  machine: Machine(cpuModel: "Test CPU", cores: 2, system: "Linux x86_64"),
  date: "2026-11-23T12:00:00Z", command: "make reproduce-table2", bootstrapSeed: 7)

final class ReportAssemblyTests: XCTestCase {
  /// Hand-made results with PPO/Hopper seed 4 missing and TRPO+/Walker2d seed 2 diverged.
  func handMadeResults(_ e: Expansion) -> [String: RunResult] {
    var results: [String: RunResult] = [:]
    for spec in e.specs {
      if spec.algorithm == "PPO" && spec.task == .hopper && spec.seed == 4 { continue }
      var r = handMadeResult(spec)
      if spec.algorithm == "TRPO+" && spec.task == .walker2d && spec.seed == 2 {
        r.diverged = Divergence(iteration: 1, reason: "value loss is nan")
      }
      results[spec.hash] = r
    }
    return results
  }

  func testSnapshotOfAReportFromHandMadeResults() throws {
    let e = try glueExpansion()
    let report = try buildReport(
      expansion: e, results: handMadeResults(e), manifestHash: String(repeating: "ab", count: 32),
      context: pinnedContext)
    try assertSnapshot(renderMarkdown(report), named: "glue-tiny.md")
    try assertSnapshot(renderLaTeX(report), named: "glue-tiny.tex")
    try assertSnapshot(try XCTUnwrap(renderCurvesSVG(report)), named: "glue-tiny-curves.svg")
    try assertSnapshot(renderLaTeXTableFragment(report), named: "glue-tiny-table.tex")
  }

  /// Learning curves: per cell, the mean over its finished runs at each point
  /// (missing and diverged runs left out), a bootstrap band around it, steps on x.
  func testLearningCurvesAreTheMeanOverFinishedRunsWithABand() throws {
    let e = try glueExpansion()
    let results = handMadeResults(e)
    let report = try buildReport(expansion: e, results: results, manifestHash: "h", context: pinnedContext)
    let curves = try XCTUnwrap(report.curves)
    XCTAssertEqual(curves.panels.map(\.task), ["Hopper", "Walker2d"])
    let ppoHopper = try XCTUnwrap(curves.panels[0].series.first { $0.algorithm == "PPO" })
    XCTAssertEqual(ppoHopper.runs, 3, "seed 4 is missing")
    XCTAssertEqual(ppoHopper.steps, [64, 128, 192])
    let specs = e.specs(algorithm: "PPO", task: .hopper).filter { $0.seed != 4 }
    for i in 0..<3 {
      let values = specs.map { handMadeResult($0).iterations[i].meanReturn! }
      let mean = values.reduce(0, +) / Double(values.count)
      XCTAssertEqual(try XCTUnwrap(ppoHopper.mean[i]), mean, accuracy: abs(mean) * 1e-4, "5 significant digits")
      let low = try XCTUnwrap(ppoHopper.low[i]), high = try XCTUnwrap(ppoHopper.high[i])
      XCTAssertLessThanOrEqual(low, mean + abs(mean) * 1e-4)
      XCTAssertGreaterThanOrEqual(high, mean - abs(mean) * 1e-4)
      XCTAssertGreaterThanOrEqual(low, values.min()! * (1 - 1e-4), "a bootstrap mean lies within the sample")
      XCTAssertLessThanOrEqual(high, values.max()! * (1 + 1e-4))
    }
    let trpoPlusWalker = try XCTUnwrap(curves.panels[1].series.first { $0.algorithm == "TRPO+" })
    XCTAssertEqual(trpoPlusWalker.runs, 3, "the diverged run is left out")

    // One run: a line without a band.
    var one: [String: RunResult] = [:]
    let spec = try XCTUnwrap(e.specs.first)
    one[spec.hash] = handMadeResult(spec)
    let single = try XCTUnwrap(try buildReport(expansion: e, results: one, manifestHash: "h", context: pinnedContext).curves)
    XCTAssertEqual(single.panels.count, 1)
    XCTAssertEqual(single.panels[0].series.count, 1)
    XCTAssertEqual(single.panels[0].series[0].low, [nil, nil, nil])
    XCTAssertNotNil(single.panels[0].series[0].mean[0])
    // No runs: no curves, and no figure file.
    let none = try buildReport(expansion: e, results: [:], manifestHash: "h", context: pinnedContext)
    XCTAssertNil(none.curves)
    XCTAssertFalse(renderReportFiles(none).contains { $0.name.hasSuffix("-curves.svg") })
  }

  /// The trust-region section: per diagnostic, task and algorithm, every agent's
  /// series, their mean, and the algorithm's bound (TRPO's δ, PPO's 1 + ε).
  func testTrustRegionSectionHasEveryAgentTheMeanAndTheBounds() throws {
    let text = glueManifest.replacingOccurrences(of: "\"defaultScale\": \"tiny\",", with: "\"defaultScale\": \"tiny\", \"trustRegionFigure\": true,")
    let e = try Manifest.decode(text, file: "experiments/glue.json").expand()
    var results = handMadeResults(e)
    for (hash, var r) in results {
      for i in [0, 2] {
        let seed = Double(r.seed)
        r.iterations[i].trainDiagnostics = TrustRegionStats(meanKL: 0.01 * seed, maxKL: 0.1, maxRatio: 1 + 0.1 * seed)
        r.iterations[i].heldOutDiagnostics = TrustRegionStats(meanKL: 0.02 * seed, maxKL: 0.2, maxRatio: 1 + 0.2 * seed)
      }
      results[hash] = r
    }
    let report = try buildReport(expansion: e, results: results, manifestHash: "h", context: pinnedContext)
    let t = try XCTUnwrap(report.trustRegion)
    XCTAssertEqual(t.tasks, ["Hopper", "Walker2d"])
    XCTAssertEqual(t.rows.map(\.metric), ["mean KL, training batch", "mean KL, held-out rollout",
                                          "max ratio, training batch", "max ratio, held-out rollout"])
    let klHopper = t.rows[0].panels[0]
    let trpo = try XCTUnwrap(klHopper.first { $0.algorithm == "TRPO" })
    XCTAssertEqual(trpo.iterations, [1, 3], "1-based iterations that recorded diagnostics")
    XCTAssertEqual(trpo.agents.count, 4)
    XCTAssertEqual(try XCTUnwrap(trpo.mean[0]), 0.025, accuracy: 1e-12, "seeds 1-4: mean of 0.01 s")
    let trpoConfig = try XCTUnwrap(e.specs(algorithm: "TRPO", task: .hopper).first).config
    XCTAssertEqual(trpo.bound, trpoConfig.trpo.klBound)
    XCTAssertNil(try XCTUnwrap(klHopper.first { $0.algorithm == "PPO" }).bound, "PPO has no KL bound")
    let ppoRatio = try XCTUnwrap(t.rows[2].panels[0].first { $0.algorithm == "PPO" })
    XCTAssertEqual(ppoRatio.agents.count, 3, "PPO/Hopper seed 4 is missing")
    XCTAssertEqual(try XCTUnwrap(ppoRatio.bound), 1.2, accuracy: 1e-12)
    XCTAssertEqual(try XCTUnwrap(t.rows[2].panels[1].first { $0.algorithm == "TRPO+" }).agents.count, 3, "the diverged run is left out")
    // Training ratios 1.1, 1.2, 1.3 (seeds 1-3) at 2 iterations: only seed 3's are above 1 + ε = 1.2.
    XCTAssertTrue(renderMarkdown(report).contains("PPO, Hopper, max ratio, training batch: 2 of 6 recorded values"), renderMarkdown(report))
    let svg = try XCTUnwrap(renderTrustRegionSVG(report))
    XCTAssertTrue(svg.contains("data-panels=\"8\""))
    XCTAssertTrue(renderReportFiles(report).contains { $0.name == "glue-tiny-trust-region.svg" })
    // Without the manifest's flag: no section.
    XCTAssertNil(try buildReport(expansion: try glueExpansion(), results: results, manifestHash: "h", context: pinnedContext).trustRegion)
  }

  /// Compute: the core-hours of every run the report found, diverged ones included.
  func testComputeIsTheRunsCoreHoursPerCell() throws {
    let e = try glueExpansion()
    var results = handMadeResults(e)
    let cpuSpec = try XCTUnwrap(e.specs.first { $0.algorithm == "TRPO" && $0.task == .walker2d })
    results[cpuSpec.hash]!.timing.cpuSeconds = 90  // CPU time, where recorded, counts instead of wall time
    let report = try buildReport(expansion: e, results: results, manifestHash: "h", context: pinnedContext)
    let c = try XCTUnwrap(report.compute)
    XCTAssertEqual(c.columns, ["Hopper", "Walker2d"])
    let hours = Dictionary(uniqueKeysWithValues: c.rows.map { ($0.algorithm, $0.coreHours) })
    let runs = Dictionary(uniqueKeysWithValues: c.rows.map { ($0.algorithm, $0.runs) })
    XCTAssertEqual(hours["PPO"]![0], 3 * 450 / 3600.0, accuracy: 1e-12, "seed 4 is missing")
    XCTAssertEqual(runs["PPO"], [3, 4])
    XCTAssertEqual(hours["TRPO+"]![1], 4 * 450 / 3600.0, accuracy: 1e-12, "the diverged run cost its time too")
    XCTAssertEqual(hours["TRPO"]![1], (3 * 450 + 90) / 3600.0, accuracy: 1e-12)
    XCTAssertEqual(c.total, (30 * 450 + 90) / 3600.0, accuracy: 1e-12, "31 runs found, one of them with CPU time")
  }

  func testCellsCountMissingAndDivergedRunsAndLeaveThemOutOfTheMean() throws {
    let e = try glueExpansion()
    let results = handMadeResults(e)
    let report = try buildReport(expansion: e, results: results, manifestHash: "h", context: pinnedContext)
    XCTAssertEqual(report.results!.columns, ["Hopper", "Walker2d"])
    XCTAssertEqual(report.results!.rows.map(\.name), ["PPO", "PPO-M", "TRPO", "TRPO+", "PPO (baselines)", "AAI", "ACLI"])
    let ppo = report.results!.rows[0]
    XCTAssertEqual(ppo.cells[0].runs, RunCounts(expected: 4, finished: 3, missing: 1, diverged: 0))
    let hopperScores = e.specs(algorithm: "PPO", task: .hopper).compactMap { results[$0.hash].flatMap(e.manifest.score.score(of:)) }
    XCTAssertEqual(hopperScores.count, 3)
    XCTAssertEqual(ppo.cells[0].ours?.estimate, hopperScores.reduce(0, +) / 3)
    var b = Bootstrap(seed: 7, stream: "bootstrap/Hopper/PPO")
    XCTAssertEqual(ppo.cells[0].ours, try b.meanCI(hopperScores), "one named stream per cell")
    XCTAssertEqual(ppo.cells[0].paper, RunModel.PaperValue(2513, 2391, 2632))
    let trpoPlus = report.results!.rows[3]
    XCTAssertEqual(trpoPlus.cells[1].runs, RunCounts(expected: 4, finished: 3, missing: 0, diverged: 1))
    XCTAssertEqual(report.provenance.computeHours, 450 * 31 / 3600, "wall seconds of the 31 results present")
    XCTAssertEqual(report.provenance.seeds, [1, 2, 3, 4])
    XCTAssertEqual(report.provenance.iterations, 3)
    XCTAssertEqual(report.provenance.stepsPerIteration, 64)
    // Claims: 2 tasks × ACLI > AAI and its "on every task" line, then PPO >= PPO-M on Hopper (judged as >).
    XCTAssertEqual(report.claims.map(\.task), ["Hopper", "Walker2d", nil, "Hopper"])
    XCTAssertEqual(report.claims[2].everyTask, ["Hopper", "Walker2d"])
    XCTAssertNil(report.claims[2].family, "an every-task line is not a member of the family")
    XCTAssertEqual(report.claims[3].reason, "claimed >=, judged as >")
    XCTAssertNotNil(report.claims[0].verdict)
    // Every task line is a member of the family of 3; its family verdict is at most as strong as its own.
    for c in report.claims where c.everyTask.isEmpty {
      XCTAssertNotNil(c.family)
      if c.family?.verdict == .reproduced { XCTAssertEqual(c.verdict, .reproduced) }
      if c.verdict == nil { XCTAssertNil(c.family?.verdict) }
    }
    // Probability of improvement for each claim between two algorithm rows, as claimed.
    XCTAssertEqual(report.robust?.improvements.map { "\($0.x)>\($0.y)" }, ["PPO>PPO-M"])
  }

  func testNoResultsGivesEmptyCellsAndUnjudgedClaims() throws {
    let e = try glueExpansion()
    let report = try buildReport(expansion: e, results: [:], manifestHash: "h", context: pinnedContext)
    XCTAssertEqual(report.results!.rows[0].cells[0].runs, RunCounts(expected: 4, finished: 0, missing: 4, diverged: 0))
    XCTAssertNil(report.results!.rows[0].cells[0].ours)
    XCTAssertNil(report.results!.rows.first { $0.name == "AAI" }?.cells[0].ours)
    XCTAssertTrue(report.claims.allSatisfy { $0.verdict == nil })
    XCTAssertEqual(report.claims[0].reason, "not judged: [PPO] has 0 runs; calibrated verdicts need at least 3 per cell")
  }

  /// Shards 1/3, 2/3, 3/3 written into one folder give the same report as one unsharded run.
  func testShardedRunsGiveTheUnshardedReport() throws {
    let manifest = try Manifest.decode(glueManifest, file: "experiments/glue.json")
    let e = try manifest.expand()
    let train: TrainFunction = { spec, progress in
      let r = handMadeResult(spec)
      for i in 0..<spec.config.iterations { progress(i + 1) }
      return r
    }
    let silent = ProgressDisplay(mode: .silent) { _ in }
    let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("repro-glue-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: tmp) }
    let sharded = tmp.appendingPathComponent("sharded"), whole = tmp.appendingPathComponent("whole")
    var total = 0
    for i in 1...3 {
      let s = try Runner.run(manifest: manifest, jobs: 2, shard: try Shard(index: i, count: 3), resultsRoot: sharded,
                             display: silent, train: train)
      XCTAssertTrue(s.succeeded)
      total += s.total
    }
    XCTAssertEqual(total, e.uniqueSpecs.count)
    XCTAssertTrue(try Runner.run(manifest: manifest, jobs: 2, resultsRoot: whole, display: silent, train: train).succeeded)

    func report(_ root: URL) throws -> Report {
      let loaded = ResultStore(root: root, manifest: manifest.name).loadAll(e)
      XCTAssertEqual(loaded.results.count, e.uniqueSpecs.count)
      return try buildReport(expansion: e, results: loaded.results, manifestHash: "h", context: pinnedContext)
    }
    let a = try report(sharded), b = try report(whole)
    XCTAssertEqual(a, b)
    XCTAssertEqual(renderMarkdown(a), renderMarkdown(b))
    XCTAssertEqual(renderLaTeX(a), renderLaTeX(b))
    XCTAssertEqual(renderJSON(a), renderJSON(b))
  }
}
