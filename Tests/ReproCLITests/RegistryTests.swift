import Algorithms
import Environments
import NeuralNet
import ReproRandom
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

/// Issue 23: algorithms are registry rows. An algorithm defined only in this file (vanilla
/// policy gradient with a learning rate of its own), registered by one descriptor, runs through
/// the whole path: its setting in a manifest, the runner, the store, the report's settings table.
final class AlgorithmRegistryTests: XCTestCase {
  struct VanillaPolicyGradient: PolicyUpdate {
    var learningRate: Double
    var adam: Adam<Float>? = nil
    var ratioClipRange: Double? { nil }
    var valueGradientClip: Double? { nil }

    mutating func update(agent: Agent, batch: RolloutBatch, advantages: [Double], iteration: Int,
                         rng: inout Xoshiro256) -> PolicyUpdateReport {
      let loss = policyLossAndGradient(
        policy: agent.policy, observations: batch.observations, count: batch.count, actions: batch.actions,
        logProbsOld: batch.logProbs, advantages: advantages, clipEpsilon: nil, entropyCoefficient: 0,
        normalizeAdvantages: true)
      if adam == nil { adam = Adam(parameterCount: agent.policy.parameterCount) }
      adam!.update(agent.policy, learningRate: learningRate)
      return PolicyUpdateReport(policyLoss: loss, learningRate: learningRate)
    }
  }

  static let group = SettingGroup(rawValue: "Vanilla policy gradient (test)")
  static let registered: Void = {
    let descriptor = AlgorithmDescriptor(
      row: AlgorithmRow(kind: "vpg", summary: "vanilla policy gradient, one Adam step per batch", settingsGroup: group,
                        relativeCost: 0.9),
      settings: [Settings.registeredSetting("vpgLR", type: .number, group: group, neutral: .double(1e-3),
                                            "The policy's Adam learning rate.") { v, _ in
        (v.numberValue ?? 0) > 0 ? nil : "must be positive"
      }],
      makeUpdate: { c in VanillaPolicyGradient(learningRate: c.value(of: "vpgLR")?.numberValue ?? 0) })
    try! descriptor.register()
  }()

  func testAnAlgorithmDefinedOnlyInATestRunsThroughAManifest() throws {
    _ = Self.registered
    let dir = try temporaryFolder()
    let path = dir.appendingPathComponent("vpg.json").path
    try """
      {"name": "vpg", "citation": "registry test", "tasks": ["Pendulum-v1"],
       "algorithms": {"PPO": {"preset": "CleanRL", "overrides": {"minibatches": 4}},
                      "VPG": {"preset": "CleanRL", "overrides": {"algorithm": "vpg", "vpgLR": 0.01, "jointLoss": false}}},
       "seeds": {"count": 3, "base": 1}, "scales": {"t": {"iterations": 2, "stepsPerIteration": 100}},
       "defaultScale": "t", "score": {"method": "lastMean", "iterations": 5},
       "claims": [{"name": "PPO > VPG", "left": "PPO", "op": ">", "right": "VPG", "tasks": "all"}]}
      """.write(toFile: path, atomically: true, encoding: .utf8)
    let results = dir.appendingPathComponent("results").path
    let run = repro("run", path, "--results", results, "--jobs", "2", "--quiet")
    XCTAssertEqual(run.status, 0, run.err)
    let m = try Manifest.load(path: path)
    let stored = ResultStore(root: URL(fileURLWithPath: results), manifest: "vpg").loadAll(try m.expand()).results.values
    let vpg = stored.filter { $0.config.algorithm.rawValue == "vpg" }
    XCTAssertEqual(vpg.count, 3)
    for r in vpg {
      XCTAssertEqual(r.config.value(of: "vpgLR"), .double(0.01))
      XCTAssertTrue(r.iterations.allSatisfy { $0.learningRate == 0.01 }, "the registered update ran")
    }
    // A setting at its neutral value stays out of the identity, like every other.
    var c = TrainerConfig()
    try c.set("algorithm", json: .string("vpg"))
    let plain = RunIdentity(task: "Pendulum-v1", seed: 1, config: c).hash
    try c.set("vpgLR", json: .double(1e-3))
    XCTAssertEqual(RunIdentity(task: "Pendulum-v1", seed: 1, config: c).hash, plain)

    let reports = dir.appendingPathComponent("reports").path
    let report = repro("report", path, "--results", results, "--out", reports, "--date", "2026-12-08", "--command", "test")
    XCTAssertEqual(report.status, 0, report.err)
    let md = try String(contentsOfFile: reports + "/vpg-t.md", encoding: .utf8)
    // Its own setting is N/A in PPO's column; PPO's own settings are N/A in its column.
    let lines = md.split(separator: "\n")
    XCTAssertTrue(lines.contains("| `vpgLR` | N/A | 0.01 |"), md)
    XCTAssertTrue(lines.contains("| PPO clipping ε | 0.2 | N/A |"), md)
    let listing = repro("train", "--task", "Pendulum-v1", "--algorithm", "CleanRL", "--set", "algorithm=vpg", "--list-settings")
    XCTAssertTrue(listing.out.contains("Vanilla policy gradient (test)"), listing.out)
  }

  /// The seam itself: the trainer runs an update given directly, with no other change
  /// (moved here from AlgorithmsTests so that one toy update serves both tests).
  func testAThirdAlgorithmPlugsIntoTheTrainer() throws {
    var c = Preset.ppo.config(task: .hopper)
    c.iterations = 3
    c.stepsPerIteration = 256
    c.minibatches = 4
    c.diagnosticsEvery = 0
    let r = try Trainer(task: "Pendulum-v1", seed: 3, config: c, update: VanillaPolicyGradient(learningRate: 1e-2)).run()
    XCTAssertNil(r.diverged)
    XCTAssertEqual(r.iterations.count, 3)
    XCTAssertTrue(r.iterations.allSatisfy { $0.learningRate == 1e-2 && $0.meanKL > 0 }, "the update moved the policy")
    // Deterministic like the built-in ones, and different from PPO on the same seed.
    let again = try Trainer(task: "Pendulum-v1", seed: 3, config: c, update: VanillaPolicyGradient(learningRate: 1e-2)).run()
    XCTAssertEqual(r.iterations, again.iterations)
    XCTAssertNotEqual(r.iterations, try Trainer(task: "Pendulum-v1", seed: 3, config: c).run().iterations)
  }

  /// Every registered algorithm has every row: an update factory, a settings group of its own,
  /// a summary, a cost; each of its settings is in its group; every preset names a registered one.
  func testEveryAlgorithmHasItsRows() throws {
    _ = Self.registered
    XCTAssertGreaterThanOrEqual(AlgorithmRegistry.all.count, 3)
    for row in AlgorithmRegistry.all {
      XCTAssertNotNil(AlgorithmDescriptor.factory(row.kind), row.kind.rawValue)
      XCTAssertFalse(row.summary.isEmpty)
      XCTAssertGreaterThan(row.relativeCost, 0)
      XCTAssertEqual(row.settingsGroup.algorithm, row.kind)
      XCTAssertTrue(SettingGroup.allCases.contains(row.settingsGroup))
      XCTAssertNotNil(CostModel.reference.seconds(task: .hopper, config: { var c = TrainerConfig(); c.algorithm = row.kind; return c }()))
    }
    XCTAssertEqual(Set(AlgorithmRegistry.all.map(\.settingsGroup)).count, AlgorithmRegistry.all.count, "one group per algorithm")
    for p in Preset.allCases { XCTAssertNotNil(AlgorithmKind(rawValue: p.config(task: .hopper).algorithm.rawValue), p.rawValue) }
    XCTAssertThrowsError(try AlgorithmDescriptor(
      row: AlgorithmRow(kind: "ppo", summary: "again", settingsGroup: SettingGroup(rawValue: "x"), relativeCost: 1),
      makeUpdate: { c in VanillaPolicyGradient(learningRate: 0) }).register(), "a taken name is refused")
  }
}
