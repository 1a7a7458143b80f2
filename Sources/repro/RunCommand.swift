import Experiments
import Foundation

enum RunCommand {
  static let usage = """
    usage: repro run MANIFEST [--scale S] [--jobs N] [--shard i/n] [--results DIR] [--assets DIR]

    Trains every run of a manifest (algorithm × task × seed) that has no result
    yet and stores each result atomically in DIR/<manifest name>/<hash>.json.
    Finished runs are skipped, so an interrupted run resumes where it stopped
    and several machines can share one results folder with --shard.

      MANIFEST        e.g. experiments/table2.json (validated first: a mistake
                      names the file and the JSON path, and nothing runs)
      --scale S       a budget named in the manifest (default: its defaultScale)
      --jobs N        runs trained at once, one thread each (default: cores)
      --shard i/n     run only the i-th of n equal parts (e.g. 2/3)
      --results DIR   results root (default: results)
      --assets DIR    MuJoCo model files (default: .deps/assets or $REPRO_ASSETS)

    One progress line shows runs done, running, failed and the ETA. Exit status
    0 when every run of the shard has a result, 1 when any failed.
    """

  static func run(_ raw: [String]) throws -> Int32 {
    var args = try Arguments(raw)
    if args.wantsHelp { print(usage); return 0 }
    guard args.positional.count == 1 else {
      throw UsageError(args.positional.isEmpty ? "missing MANIFEST" : "expected one MANIFEST, got \(args.positional.count) arguments")
    }
    let scale = args.value("scale")
    let jobs = try args.int("jobs", default: ProcessInfo.processInfo.activeProcessorCount)
    let shardText = args.value("shard")
    let resultsRoot = args.value("results") ?? "results"
    let assets = args.value("assets")
    try args.checkAllUsed()
    let shard: Shard
    do {
      shard = try shardText.map { try Shard(parsing: $0) } ?? .all
    } catch let e as ShardError {
      throw UsageError("--shard: \(e.message)")
    }
    let (manifest, _) = try loadExpansion(args.positional[0], scale: scale)
    let summary = try Runner.run(
      manifest: manifest, scale: scale, jobs: jobs, shard: shard,
      resultsRoot: URL(fileURLWithPath: resultsRoot, isDirectory: true),
      display: .standardError(), train: trainerFunction(assets: assets))
    print(summary.report)
    return summary.exitStatus
  }
}
