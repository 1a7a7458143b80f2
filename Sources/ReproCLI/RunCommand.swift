import Experiments
import Foundation

/// `repro run`: every missing run of a manifest.
enum RunCommand: Command {
  static let name = "run"
  static let summary = "train every missing run of a manifest (resumable, --shard i/n)"
  static let positionals = ["MANIFEST"]
  static let discussion = """
    Trains every run of a manifest (algorithm × task × seed) that has no result
    yet and stores each result atomically in DIR/<manifest name>/<hash>.json.
    Finished runs are skipped, so an interrupted run resumes where it stopped
    and several machines can share one results folder with --shard. MANIFEST
    (e.g. experiments/table2.json) is validated first: a mistake names the file
    and the JSON path, and nothing runs.

    One progress line shows runs done, running, failed and the ETA. Exit status
    0 when every run of the shard has a result, 1 when any failed.
    """
  static let options: [OptionSpec] = [
    .value("scale", "S", "a budget named in the manifest (default: its defaultScale)"),
    .value("jobs", "N", "runs trained at once, one thread each (default: cores)"),
    .value("shard", "i/n", "run only the i-th of n equal parts (e.g. 2/3)"),
    .value("results", "DIR", "results root (default: results)"),
    .value("assets", "DIR", "MuJoCo model files (default: .deps/assets or $REPRO_ASSETS)"),
    .flag("quiet", "no progress line (failures are still printed)"),
  ]

  static func run(_ args: ParsedArguments, _ io: CommandIO) throws -> Int32 {
    let scale = args.value("scale")
    let jobs = try args.int("jobs", default: ProcessInfo.processInfo.activeProcessorCount)
    let shard: Shard
    do {
      shard = try args.value("shard").map { try Shard(parsing: $0) } ?? .all
    } catch let e as ShardError {
      throw UsageError("--shard: \(e.message)")
    }
    let (manifest, _) = try loadExpansion(args.positional[0], scale: scale)
    let summary = try Runner.run(
      manifest: manifest, scale: scale, jobs: jobs, shard: shard,
      resultsRoot: URL(fileURLWithPath: args.value("results") ?? "results", isDirectory: true),
      display: io.progressDisplay(quiet: args.flag("quiet")), train: trainerFunction(assets: args.value("assets")))
    io.out(summary.report)
    return summary.exitStatus
  }
}
