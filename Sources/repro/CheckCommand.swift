import Experiments
import Foundation

enum CheckCommand {
  static let usage = """
    usage: repro check MANIFEST --golden FILE.json [--scale S] [--jobs N] [--update]
                       [--max-lines N] [--assets DIR]

    Regression check: trains every run of a (small) manifest into a fresh
    temporary results folder (never results/), then compares each run's score
    and every per-iteration metric with the golden file. Passes only when every
    value is bit-identical; wall-clock fields (stepsPerSecond, wallSeconds) are
    not compared. Otherwise prints what moved (run, iteration, field, golden
    vs now) and exits 1.

      --golden FILE   e.g. reports/golden/smoke.json
      --update        write FILE from this run instead of comparing
      --scale S       the manifest's scale (default: its defaultScale)
      --jobs N        runs trained at once (default: cores)
      --max-lines N   differences printed at most (default: 40)
    """

  static func run(_ raw: [String]) throws -> Int32 {
    var args = try Arguments(raw, flags: ["update"])
    if args.wantsHelp { print(usage); return 0 }
    guard args.positional.count == 1 else {
      throw UsageError(args.positional.isEmpty ? "missing MANIFEST" : "expected one MANIFEST, got \(args.positional.count) arguments")
    }
    guard let goldenPath = args.value("golden") else { throw UsageError("--golden FILE is required") }
    let update = args.flag("update")
    let scale = args.value("scale")
    let jobs = try args.int("jobs", default: ProcessInfo.processInfo.activeProcessorCount)
    let maxLines = try args.int("max-lines", default: 40)
    let assets = args.value("assets")
    try args.checkAllUsed()

    let (manifest, expansion) = try loadExpansion(args.positional[0], scale: scale)
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
      display: .standardError(), train: trainerFunction(assets: assets))
    guard summary.succeeded else {
      print(summary.report)
      printError("repro check: some runs failed; nothing compared")
      return 1
    }
    let results = ResultStore(root: tmp, manifest: manifest.name).loadAll(expansion).results
    let now = try GoldenFile(expansion: expansion, results: results)
    let seconds = Date().timeIntervalSince(start)

    if update {
      try writeAtomically(now.render(), to: goldenPath)
      print("wrote \(goldenPath): \(now.runs.count) runs of \(manifest.name) at scale \(expansion.scale.name) (\(formatDuration(seconds)))")
      return 0
    }
    let diffs = GoldenFile.differences(golden: golden!, now: now)
    if diffs.isEmpty {
      let values = now.runs.reduce(0) { $0 + $1.values.count + $1.iterations.reduce(0) { $0 + $1.count } }
      print("check passed: \(now.runs.count) runs, \(values) values bit-identical to \(goldenPath) (\(formatDuration(seconds)))")
      return 0
    }
    print("check FAILED: \(diffs.count) difference(s) from \(goldenPath):")
    for line in diffs.prefix(maxLines) { print("  " + line) }
    if diffs.count > maxLines { print("  ... and \(diffs.count - maxLines) more (--max-lines to see them)") }
    print("If the change is intended, rewrite the golden file with --update and review its diff.")
    return 1
  }
}
