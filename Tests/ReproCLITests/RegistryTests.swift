import Environments
import Experiments
import Foundation
import ReproCLI
import RunModel
import TestSupport
import XCTest

/// Issue 23: tasks are registry rows. A task the harness has never heard of, defined only
/// here, runs through the whole path (manifest → runner → result store → report) by
/// registering one row and its environment; so does Pendulum-v1, a built-in row.
final class TaskRegistryTests: XCTestCase {
  /// Registered once per process (registration refuses a second row with the same id).
  static let testTask: TaskID = {
    let row = TaskRow(gymnasiumID: "SlowPendulum-v0", observationSize: 3, actionSize: 1, timeLimit: 50, stepCost: 0.3)
    try! TaskRegistry.register(row)
    try! EnvironmentRegistry.register(row.id) { _, seed, _ in PendulumEnvironment(maxEpisodeSteps: 50, seed: seed) }
    return row.id
  }()

  func manifest(_ dir: URL, tasks: [String]) throws -> String {
    let path = dir.appendingPathComponent("own.json").path
    try """
      {"name": "own", "citation": "registry test", "tasks": [\(tasks.map { "\"\($0)\"" }.joined(separator: ", "))],
       "algorithms": {"PPO": {"preset": "CleanRL", "overrides": {"minibatches": 4}},
                      "PPO-noNorm": {"preset": "CleanRL", "overrides": {"minibatches": 4, "observationNormalization": false}}},
       "seeds": {"count": 3, "base": 1}, "scales": {"t": {"iterations": 2, "stepsPerIteration": 100}},
       "defaultScale": "t", "score": {"method": "lastMean", "iterations": 5},
       "claims": [{"name": "PPO > PPO-noNorm", "left": "PPO", "op": ">", "right": "PPO-noNorm", "tasks": "all"}]}
      """.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  func runAndReport(tasks: [String]) throws -> (out: String, markdown: String, results: [RunResult]) {
    let dir = try temporaryFolder()
    let path = try manifest(dir, tasks: tasks)
    let results = dir.appendingPathComponent("results").path
    let run = repro("run", path, "--results", results, "--jobs", "2", "--quiet")
    XCTAssertEqual(run.status, 0, run.err)
    let reports = dir.appendingPathComponent("reports").path
    let report = repro("report", path, "--results", results, "--out", reports, "--date", "2026-12-08", "--command", "test")
    XCTAssertEqual(report.status, 0, report.err)
    let m = try Manifest.load(path: path)
    let stored = ResultStore(root: URL(fileURLWithPath: results), manifest: "own").loadAll(try m.expand()).results
    let markdown = try String(contentsOfFile: reports + "/own-t.md", encoding: .utf8)
    return (run.out, markdown, Array(stored.values))
  }

  func testATaskDefinedOnlyInATestRunsThroughAManifest() throws {
    let id = Self.testTask
    XCTAssertEqual(TaskID(name: "slowpendulum-v0"), id, "names are case-insensitive")
    let r = try runAndReport(tasks: [id.rawValue])
    XCTAssertEqual(r.results.count, 6)
    for result in r.results {
      XCTAssertEqual(result.task, "SlowPendulum-v0")
      // 50-step episodes: 2 iterations of 100 steps end 4 episodes.
      XCTAssertEqual(result.iterations.map(\.episodes).reduce(0, +), 4)
    }
    XCTAssertTrue(r.markdown.contains("SlowPendulum-v0"), r.markdown)
    // The claim is judged (3 runs per cell), by the same calibrated method as any other.
    let claim = try XCTUnwrap(r.markdown.split(separator: "\n").first { $0.contains("`[PPO] > [PPO-noNorm]`") })
    XCTAssertTrue(["reproduced", "contradicted", "inconclusive"].contains { claim.contains("**\($0)**") }, String(claim))
  }

  func testPendulumIsARowLikeTheOthers() throws {
    let r = try runAndReport(tasks: ["Pendulum-v1"])
    XCTAssertEqual(r.results.count, 6)
    XCTAssertEqual(Set(r.results.map(\.task)), ["Pendulum-v1"])
    XCTAssertTrue(r.markdown.contains("Pendulum-v1"), r.markdown)
  }

  func testNamesAndIdentities() throws {
    // A version-less name means v5, and v5 rows keep the id every stored run was hashed under.
    XCTAssertEqual(TaskID(name: "Walker2d-v5")?.rawValue, "Walker2d")
    XCTAssertEqual(TaskID(name: "walker2d")?.rawValue, "Walker2d")
    XCTAssertEqual(TaskID(name: "Walker2d-v4")?.rawValue, "Walker2d-v4")
    XCTAssertNil(TaskID(name: "Walker2d-v3"))
    // Every row can be built, and its sizes are the environment's.
    for row in TaskRegistry.builtIn {
      let env = try makeEnvironment(row.gymnasiumID)
      XCTAssertEqual(env.observationSize, row.observationSize, row.gymnasiumID)
      XCTAssertEqual(env.actionSize, row.actionSize, row.gymnasiumID)
      XCTAssertEqual(env.maxEpisodeSteps, row.timeLimit, row.gymnasiumID)
    }
    XCTAssertThrowsError(try TaskRegistry.register(TaskRow(gymnasiumID: "Hopper-v5", modelFile: "x.xml", observationSize: 1,
                                                            actionSize: 1, timeLimit: 1, stepCost: 1)))
  }

  func testAPaperPresetOnARobotThePaperDidNotRunIsRefused() throws {
    let dir = try temporaryFolder()
    let path = dir.appendingPathComponent("m.json").path
    try """
      {"name": "m", "citation": "c", "tasks": ["Pendulum-v1"], "algorithms": {"PPO": {"preset": "PPO"}},
       "seeds": {"count": 1}, "scales": {"t": {"iterations": 1}}, "defaultScale": "t", "claims": []}
      """.write(toFile: path, atomically: true, encoding: .utf8)
    XCTAssertThrowsError(try Manifest.load(path: path)) { e in
      XCTAssertTrue("\(e)".contains("algorithms.PPO.preset: preset PPO takes its settings from the paper's tables, which have no column for Pendulum-v1"), "\(e)")
    }
    // Hopper-v4 takes Hopper's column.
    XCTAssertEqual(Preset.ppo.config(on: TaskID(name: "Hopper-v4")!), Preset.ppo.config(task: .hopper))
  }
}
