import Experiments
import Foundation
import RunModel
import XCTest

/// `repro slurm`'s plan (Issue 13): shards, time limits from the cost model, the script.
final class SlurmPlanTests: XCTestCase {
  func plan(tasks: Int?, cpus: Int = 1, costs: CostModel = .reference, time: Int? = nil) throws -> SlurmPlan {
    try SlurmPlan.plan(
      try decodeMini().expand(), manifestPath: "experiments/mini.json", tasks: tasks, cpus: cpus, costs: costs,
      costSource: "test costs", timeOverride: time, partition: "short", account: nil, memory: "2G", results: "results",
      reports: "reports", workingDirectory: "/work/repo", executable: ".build/release/repro")
  }

  func testTheTimeLimitComesFromTheBusiestTask() throws {
    // 12 runs of 3 × 64 steps; PPO at 100 µs per step (0.0192 s a run), TRPO at 200 µs (0.0384 s).
    let costs = CostModel(rates: [
      .init(task: .hopper, algorithm: .ppo): .init(secondsPerStep: 1e-4, runs: 1),
      .init(task: .walker2d, algorithm: .ppo): .init(secondsPerStep: 1e-4, runs: 1),
      .init(task: .hopper, algorithm: .trpo): .init(secondsPerStep: 2e-4, runs: 1),
      .init(task: .walker2d, algorithm: .trpo): .init(secondsPerStep: 2e-4, runs: 1),
    ])
    let p = try plan(tasks: 5, costs: costs)
    XCTAssertEqual(p.tasks, 5)
    XCTAssertEqual(p.runs, 12)
    XCTAssertEqual(p.totalCoreSeconds, 6 * 0.0192 + 6 * 0.0384, accuracy: 1e-9)
    // Shard sizes 3, 3, 2, 2, 2; the limit is (busiest / cpus + longest run) × 1.5 + 10 min, whole minutes.
    XCTAssertEqual(p.timeLimit, SlurmPlan.timeLimit(taskSeconds: p.longestTaskSeconds, longestRun: 0.0384, cpus: 1))
    XCTAssertEqual(p.timeLimit, 660)
    XCTAssertEqual(SlurmPlan.timeLimit(taskSeconds: 7200, longestRun: 600, cpus: 2), 6900, "(3600 + 600) × 1.5 + 600")
    XCTAssertEqual(try plan(tasks: 100).tasks, 12, "no more tasks than runs")
    XCTAssertEqual(try plan(tasks: nil).tasks, 12, "one task per run by default")
    XCTAssertEqual(try plan(tasks: 3, time: 3725).timeLimit, 3725)
    XCTAssertEqual(SlurmPlan.clock(3725), "01:02:05")
    XCTAssertEqual(SlurmPlan.clock(100 * 3600), "100:00:00")
  }

  func testUnmeasuredRunsNeedATimeLimit() throws {
    XCTAssertThrowsError(try plan(tasks: 2, costs: CostModel(rates: [:]))) { error in
      XCTAssertTrue("\(error)".contains("no measured cost for Hopper PPO; give --time"), "\(error)")
    }
  }

  func testTheScriptRunsShardsThenTheReport() throws {
    let s = try plan(tasks: 4, cpus: 2).script
    for line in [
      "#SBATCH --array=1-4", "#SBATCH --cpus-per-task=2", "#SBATCH --requeue", "#SBATCH --open-mode=append",
      "#SBATCH --partition=short", "#SBATCH --mem=2G", "--shard \"${SLURM_ARRAY_TASK_ID}/4\"",
      "sbatch --parsable --dependency=afterany:\"$array\"", "cd '/work/repo'",
      "'.build/release/repro' archive 'experiments/mini.json' --scale 'tiny' --results 'results' --out 'reports/archive/mini-tiny.jsonl'",
      "'.build/release/repro' report 'experiments/mini.json' --scale 'tiny' --from-archive 'reports/archive/mini-tiny.jsonl' --out 'reports'",
    ] {
      XCTAssertTrue(s.contains(line), line)
    }
    XCTAssertFalse(s.contains("#SBATCH --account"), "no account unless given")
    let archive = try XCTUnwrap(s.range(of: "archive 'experiments/mini.json'")), report = try XCTUnwrap(s.range(of: "report 'experiments/mini.json'"))
    XCTAssertLessThan(archive.lowerBound, report.lowerBound, "the report is made from the archive")
    // The script is valid bash.
    let dir = try temporaryFolder()
    let file = dir.appendingPathComponent("s.sh")
    try s.write(to: file, atomically: true, encoding: .utf8)
    let bash = Process()
    bash.executableURL = URL(fileURLWithPath: "/bin/bash")
    bash.arguments = ["-n", file.path]
    try bash.run()
    bash.waitUntilExit()
    XCTAssertEqual(bash.terminationStatus, 0)
  }
}
