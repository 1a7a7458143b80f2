import Foundation
import Manifests
import RunModel

/// A Slurm submission for one manifest at one scale: a job array whose task i
/// runs `repro run --shard i/N` (one thread per run, as many runs at once as it
/// has CPUs), then a job that waits for the whole array (`afterany`) and writes
/// the results archive, then the report from it. Requeue-safe: results are written
/// atomically and claimed, so a task killed (preemption, scancel) and requeued
/// redoes at most its runs in flight; a task that finds nothing to do exits at once.
public struct SlurmPlan: Sendable, Equatable {
  public var manifestPath: String
  public var manifest: String
  public var scale: String
  /// Array tasks (shards).
  public var tasks: Int
  public var cpusPerTask: Int
  /// Seconds: the limit given to every array task.
  public var timeLimit: Int
  /// The busiest task's expected core-seconds, and the whole expansion's.
  public var longestTaskSeconds: Double
  public var totalCoreSeconds: Double
  public var runs: Int
  public var partition: String?
  public var account: String?
  public var memory: String?
  public var resultsDirectory: String
  public var reportsDirectory: String
  /// The folder the jobs `cd` to, and the repro executable they run.
  public var workingDirectory: String
  public var executable: String
  /// Where the costs came from (for the script's comments).
  public var costSource: String
  /// Where the jobs' output goes (relative to `workingDirectory`).
  public var logDirectory = "slurm/logs"

  /// The command the report names as the one that reproduces it.
  public var reportCommand: String { "repro report \(manifestPath) --scale \(scale) --from-archive \(archivePath)" }
  /// The results archive the report job writes, and makes the report from (so it can be regenerated).
  public var archivePath: String { reportsDirectory + "/archive/\(manifest)-\(scale).jsonl" }

  /// The time limit: the busiest task's runs spread over its CPUs (plus its longest
  /// run, since runs do not split), times 1.5, plus 10 minutes, in whole minutes.
  public static func timeLimit(taskSeconds: Double, longestRun: Double, cpus: Int) -> Int {
    let expected = taskSeconds / Double(cpus) + longestRun
    let seconds = expected * 1.5 + 600
    return Int((seconds / 60).rounded(.up)) * 60
  }

  /// Plans `expansion` on `tasks` array tasks of `cpus` CPUs each, priced by `costs`.
  public static func plan(
    _ expansion: Expansion, manifestPath: String, tasks requested: Int?, cpus: Int, costs: CostModel, costSource: String,
    timeOverride: Int?, partition: String?, account: String?, memory: String?, results: String, reports: String,
    workingDirectory: String, executable: String
  ) throws -> SlurmPlan {
    let specs = expansion.uniqueSpecs
    guard !specs.isEmpty else { throw SlurmError("\(expansion.manifest.name) at scale \(expansion.scale.name) has no runs") }
    let tasks = min(requested ?? min(specs.count, 1000), specs.count)
    var longestTask = 0.0, longestRun = 0.0, total = 0.0
    for i in 1...tasks {
      let shard = try Shard(index: i, count: tasks)
      var sum = 0.0
      for spec in shard.select(specs) {
        guard let s = costs.seconds(spec) else {
          throw SlurmError("no measured cost for \(spec.task.rawValue) \(spec.config.algorithm.rawValue.uppercased()); "
            + "give --time, or measure it (repro cost --help)")
        }
        sum += s
        longestRun = max(longestRun, s)
      }
      longestTask = max(longestTask, sum)
      total += sum
    }
    return SlurmPlan(
      manifestPath: manifestPath, manifest: expansion.manifest.name, scale: expansion.scale.name, tasks: tasks,
      cpusPerTask: cpus,
      timeLimit: timeOverride ?? timeLimit(taskSeconds: longestTask, longestRun: longestRun, cpus: cpus),
      longestTaskSeconds: longestTask, totalCoreSeconds: total, runs: specs.count, partition: partition,
      account: account, memory: memory, resultsDirectory: results, reportsDirectory: reports,
      workingDirectory: workingDirectory, executable: executable, costSource: costSource)
  }

  /// `HH:MM:SS` (hours may exceed 24).
  public static func clock(_ seconds: Int) -> String {
    String(format: "%02d:%02d:%02d", seconds / 3600, (seconds % 3600) / 60, seconds % 60)
  }

  /// The submission script: run it with bash (it calls sbatch twice).
  public var script: String {
    func q(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
    var directives = [
      "#SBATCH --job-name=repro-\(manifest)-\(scale)",
      "#SBATCH --array=1-\(tasks)",
      "#SBATCH --cpus-per-task=\(cpusPerTask)",
      "#SBATCH --ntasks=1",
      "#SBATCH --time=\(SlurmPlan.clock(timeLimit))",
      "#SBATCH --requeue",
      "#SBATCH --open-mode=append",
      "#SBATCH --output=\(logDirectory)/%x-%A_%a.out",
    ]
    let placement = [partition.map { "#SBATCH --partition=\($0)" }, account.map { "#SBATCH --account=\($0)" }].compactMap { $0 }
    directives += placement
    if let m = memory { directives.append("#SBATCH --mem=\(m)") }
    let reportDirectives = [
      "#SBATCH --job-name=repro-\(manifest)-\(scale)-report",
      "#SBATCH --cpus-per-task=1",
      "#SBATCH --ntasks=1",
      "#SBATCH --time=00:30:00",
      "#SBATCH --output=\(logDirectory)/%x-%j.out",
    ] + placement
    let expected = SlurmPlan.clock(Int(longestTaskSeconds / Double(cpusPerTask)))
    return """
      #!/usr/bin/env bash
      # \(manifest) at scale \(scale) on Slurm, written by `repro slurm`: \(runs) runs in \(tasks) array
      # tasks of \(cpusPerTask) CPU(s); about \(String(format: "%.1f", totalCoreSeconds / 3600)) core-hours in all.
      # Task i runs `repro run --shard i/\(tasks)`: its share of the runs, \(cpusPerTask) at a time, one
      # thread each. Then a job that waits for every task (afterany: also after failures)
      # writes the results archive, then the report from it.
      #
      # Time limit per task \(SlurmPlan.clock(timeLimit)): the busiest task's runs (about \(expected) on
      # \(cpusPerTask) CPU(s), plus its longest run) x 1.5 + 10 minutes, priced by
      # \(costSource).
      #
      # Safe to requeue (preemption, scancel + scontrol requeue): results are written
      # atomically and each run is claimed, so a requeued task redoes only its runs in
      # flight, and a task with nothing left exits at once. Resubmitting the whole
      # script later trains only what is missing.
      #
      # Submit:  bash \(manifest)-\(scale).slurm.sh      (prints the two job ids)
      # Watch:   squeue -u "$USER";  tail \(logDirectory)/*.out
      # Needs on the cluster: this checkout with `make deps` and `swift build -c release` done
      # in \(workingDirectory), and sbatch.
      set -euo pipefail
      cd \(q(workingDirectory))
      mkdir -p \(q(logDirectory))

      array=$(sbatch --parsable <<'SBATCH'
      #!/usr/bin/env bash
      \(directives.joined(separator: "\n"))
      set -euo pipefail
      cd \(q(workingDirectory))
      echo "task ${SLURM_ARRAY_TASK_ID} attempt ${SLURM_RESTART_COUNT:-0} on $(hostname) at $(date -u +%FT%TZ)"
      exec \(q(executable)) run \(q(manifestPath)) --scale \(q(scale)) \\
        --shard "${SLURM_ARRAY_TASK_ID}/\(tasks)" --jobs "${SLURM_CPUS_PER_TASK:-\(cpusPerTask)}" \\
        --results \(q(resultsDirectory)) --quiet
      SBATCH
      )
      array=${array%%;*}

      report=$(sbatch --parsable --dependency=afterany:"$array" <<'SBATCH'
      #!/usr/bin/env bash
      \(reportDirectives.joined(separator: "\n"))
      set -euo pipefail
      cd \(q(workingDirectory))
      \(q(executable)) archive \(q(manifestPath)) --scale \(q(scale)) --results \(q(resultsDirectory)) --out \(q(archivePath))
      \(q(executable)) report \(q(manifestPath)) --scale \(q(scale)) --from-archive \(q(archivePath)) --out \(q(reportsDirectory)) \\
        --command \(q(reportCommand))
      SBATCH
      )
      report=${report%%;*}
      echo "submitted array job $array (\(tasks) tasks) and report job $report (after the array)"

      """
  }
}

public struct SlurmError: Error, CustomStringConvertible, Equatable {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
