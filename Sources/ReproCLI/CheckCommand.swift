import Experiments
import Foundation
import RunModel

/// `repro check`: bit-for-bit regression check against a golden file.
enum CheckCommand: Command {
  static let name = "check"
  static let summary = "rerun a small manifest and compare it bit for bit with a golden file"
  static let positionals = ["MANIFEST"]
  static let discussion = """
    Regression check: trains every run of a (small) manifest into a fresh
    temporary results folder (never results/), then compares each run's score
    and every per-iteration metric with the golden file (e.g.
    reports/golden/smoke.json). Passes only when every value is bit-identical;
    wall-clock timing is not recorded. Otherwise prints what moved (run,
    iteration, field, golden vs now) and exits 1.
    """
  static let options: [OptionSpec] = [
    .value("golden", "FILE", "the golden file", required: true),
    .flag("update", "write FILE from this run instead of comparing"),
    .value("scale", "S", "the manifest's scale (default: its defaultScale)"),
    .value("jobs", "N", "runs trained at once (default: cores)"),
    .value("max-lines", "N", "differences printed at most (default: 40)"),
    .value("assets", "DIR", "MuJoCo model files (default: .deps/assets or $REPRO_ASSETS)"),
  ]

  static func run(_ args: ParsedArguments, _ io: CommandIO) throws -> Int32 {
    guard let goldenPath = args.value("golden") else { throw UsageError("--golden FILE is required") }
    let update = args.flag("update")
    let scale = args.value("scale")
    let jobs = try args.int("jobs", default: ProcessInfo.processInfo.activeProcessorCount)
    let maxLines = try args.int("max-lines", default: 40)
    let (manifest, expansion) = try loadExpansion(args.positional[0], scale: scale)
    // Golden files are of the pinned models: a differing model file is refused before anything runs.
    _ = try checkedModels(expansion, assets: args.value("assets"), custom: false, io: io)
    // Read the golden file before training, so a bad path fails fast.
    var golden: GoldenFile? = nil
    if !update {
      guard let data = FileManager.default.contents(atPath: goldenPath) else {
        throw UsageError("cannot read the golden file \(goldenPath) (write it with --update)")
      }
      golden = try GoldenFile.parse(data, file: goldenPath)
    }

    let tmp = FileManager.default.temporaryDirectory
      .appendingPathComponent("repro-check-\(getpid())-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: tmp) }
    let start = Date()
    let summary = try Runner.run(
      manifest: manifest, scale: scale, jobs: jobs, resultsRoot: tmp,
      display: io.progressDisplay(), train: trainerFunction(assets: args.value("assets")))
    guard summary.succeeded else {
      io.out(summary.report)
      io.err("repro check: some runs failed; nothing compared")
      return 1
    }
    let results = ResultStore(root: tmp, manifest: manifest.name).loadAll(expansion).results
    let now = try GoldenFile(expansion: expansion, results: results)
    let seconds = Date().timeIntervalSince(start)

    guard let golden else {
      try AtomicFile.write(now.render(), to: goldenPath)
      io.out("wrote \(goldenPath): \(now.runs.count) runs of \(manifest.name) at scale \(expansion.scale.name) (\(formatDuration(seconds)))")
      return 0
    }
    let diffs = GoldenFile.differences(golden: golden, now: now)
    if diffs.isEmpty {
      let values = now.runs.reduce(0) { $0 + $1.values.count + $1.iterations.reduce(0) { $0 + $1.count } }
      io.out("check passed: \(now.runs.count) runs, \(values) values bit-identical to \(goldenPath) (\(formatDuration(seconds)))")
      return 0
    }
    io.out("check FAILED: \(diffs.count) difference(s) from \(goldenPath):")
    for line in diffs.prefix(maxLines) { io.out("  " + line) }
    if diffs.count > maxLines { io.out("  ... and \(diffs.count - maxLines) more (--max-lines to see them)") }
    io.out("If the change is intended, rewrite the golden file with --update and review its diff.")
    return 1
  }
}
