import Environments
import Experiments
import Foundation
import Reports
import Statistics

enum ReportCommand {
  static let usage = """
    usage: repro report MANIFEST [--scale S] [--results DIR] [--out DIR] [--bootstrap-seed N]
                        [--date TEXT] [--command TEXT]

    Builds the manifest's table from finished results (it never trains) and
    writes DIR/<name>-<scale>.md, .tex, .json and .svg atomically (DIR defaults
    to reports). Each cell: mean score and percentile-bootstrap 95% CI (1000
    resamples, one stream per cell), finished/missing/diverged counts; derived
    rows (AAI, ACLI) with bootstrap CIs of their formulas; every claim judged
    per task; IQM and probability of improvement; the paper's values; and the
    provenance (manifest hash, scale, seeds, budget, git commit, MuJoCo,
    machine, date, compute time, command). A missing run is never averaged
    over; a diverged run is counted and left out of the mean.

      --scale S            the manifest's scale (default: its defaultScale)
      --results DIR        results root (default: results)
      --out DIR            where to write (default: reports)
      --bootstrap-seed N   seed of the bootstrap streams (default: 0)
      --date TEXT          the report's date (default: $REPRO_REPORT_DATE, else now, UTC)
      --command TEXT       the command shown as how to reproduce (default: this one)

    The same results give the same bytes except for the date and the git
    commit; set REPRO_REPORT_DATE and REPRO_REPORT_COMMIT to pin those too.
    """

  static func run(_ raw: [String]) throws -> Int32 {
    var args = try Arguments(raw)
    if args.wantsHelp { print(usage); return 0 }
    guard args.positional.count == 1 else {
      throw UsageError(args.positional.isEmpty ? "missing MANIFEST" : "expected one MANIFEST, got \(args.positional.count) arguments")
    }
    let path = args.positional[0]
    let scale = args.value("scale")
    let resultsRoot = args.value("results") ?? "results"
    let outDir = args.value("out") ?? "reports"
    let seed = UInt64(try args.int("bootstrap-seed", default: 0, min: 0))
    let env = ProcessInfo.processInfo.environment
    let date = args.value("date") ?? env["REPRO_REPORT_DATE"] ?? utcNow()
    let command = args.value("command") ?? commandLineText("report", raw)
    try args.checkAllUsed()

    let (manifest, expansion) = try loadExpansion(path, scale: scale)
    let store = ResultStore(root: URL(fileURLWithPath: resultsRoot, isDirectory: true), manifest: manifest.name)
    let loaded = store.loadAll(expansion)
    let context = ReportContext(
      gitCommit: env["REPRO_REPORT_COMMIT"] ?? gitCommitDescription(),
      mujocoVersion: loadedMuJoCoVersionString, machine: currentMachine(), date: date,
      command: command, bootstrapSeed: seed, bootstrap: .paper)
    let report = try buildTableReport(
      expansion: expansion, results: loaded.results, manifestHash: try sha256OfFile(path),
      context: context, invalidFiles: loaded.invalid.count)
    for (name, text) in renderReportFiles(report) {
      let target = (outDir.hasSuffix("/") ? outDir : outDir + "/") + name
      try writeAtomically(text, to: target)
      print("wrote \(target)")
    }
    let t = report.totals
    print("\(manifest.name) (\(expansion.scale.name)): \(t.finished) of \(t.expected) runs finished, \(t.missing) missing, \(t.diverged) diverged")
    return 0
  }
}
