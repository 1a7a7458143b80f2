import Environments
import Experiments
import Foundation
import Reports
import RunModel

/// `repro report`: a manifest's tables from its results.
enum ReportCommand: Command {
  static let name = "report"
  static let summary = "build a manifest's table from its results (Markdown, LaTeX, JSON, SVG)"
  static let positionals = ["MANIFEST"]
  static let discussion = """
    Builds the manifest's table from finished results (it never trains) and
    writes DIR/<name>-<scale>.md, .tex, .json and .svg atomically. Each cell:
    mean score and percentile-bootstrap 95% CI (1000 resamples, one stream per
    cell), finished/missing/diverged counts; derived rows (AAI, ACLI) with
    bootstrap CIs of their formulas; every claim judged per task; IQM and
    probability of improvement; the paper's values; and the provenance
    (manifest hash, scale, seeds, budget, git commit, MuJoCo, machine, date,
    compute time, command). Scores are computed from each run's stored returns
    under the manifest's score definition. A missing run is never averaged
    over; a diverged run is counted and left out of the mean.

    With --from-archive the runs come from a results archive (repro
    archive) instead: the report is the same as from the results it was
    made of. The report names the archive of its runs and the SHA-256 of
    their content. From --results, runs imported into the folder (`repro
    import`) are read beside the result files.

    A report already in DIR that was built from more finished runs, or
    from an archive when this one is not, is not overwritten: the command
    stops, writes nothing and names the --from-archive command to use,
    unless --force. Figures of the old report that the new one does not
    draw (its curves, trust region or grid) are removed with it.

    The same results give the same bytes except for the date, the git
    commit, the machine and the compute time (a measurement); set
    REPRO_REPORT_DATE, REPRO_REPORT_COMMIT, REPRO_REPORT_MACHINE ("CPU
    model|cores|system") and REPRO_REPORT_COMPUTE_HOURS to pin those too
    (scripts/reports/check-archived.py does, to regenerate the committed
    reports from their archives).
    """
  static let options: [OptionSpec] = [
    .value("scale", "S", "the manifest's scale (default: its defaultScale)"),
    .value("results", "DIR", "results root (default: results)"),
    .value("out", "DIR", "where to write (default: reports)"),
    .value("bootstrap-seed", "N", "seed of the bootstrap streams (default: 0)"),
    .value("date", "TEXT", "the report's date (default: $REPRO_REPORT_DATE, else now, UTC)"),
    .value("command", "TEXT", "the command shown as how to reproduce (default: this one)"),
    .value("from-archive", "FILE", "read the runs from a results archive (repro archive) instead of --results"),
    .flag("csv", "also write DIR/<name>-<scale>.csv: one line per cell (row, task, mean and CI,\nrun counts, IQM, the paper's value)"),
    .flag("force", "overwrite a report built from more finished runs, or from an archive\nwhen this one is not (refused otherwise, and nothing is written)"),
    .flag("until-decided", "report the claims as `repro run --until-decided` decided them"),
    .value("round", "R", "with --until-decided: as given to repro run (default 5)"),
    .value("max-seeds", "N", "with --until-decided: as given to repro run (default: the scale's seeds)"),
    .value("claim", "C", "with --until-decided: as given to repro run (repeatable)", repeatable: true),
    .value("task", "T", "with --until-decided: as given to repro run (repeatable)", repeatable: true),
    .value("assets", "DIR", "with --custom-model: the model files the runs trained on, as given to repro run"),
    .flag("custom-model", "report the runs trained on custom model files (repro run --custom-model);\nthe report names each model and its SHA-256"),
  ]

  static func run(_ args: ParsedArguments, _ io: CommandIO) throws -> Int32 {
    let path = args.positional[0]
    let scale = args.value("scale")
    let outDir = args.value("out") ?? "reports"
    let seed = UInt64(try args.int("bootstrap-seed", default: 0, min: 0))
    let env = ProcessInfo.processInfo.environment
    var (manifest, expansion) = try loadExpansion(path, scale: scale)
    let sequential = try sequentialDesign(args, manifest: manifest, scale: scale)
    if let (e, _, _) = sequential { expansion = e }
    if args.flag("custom-model") {
      expansion = try checkedModels(expansion, assets: args.value("assets"), custom: true, io: io)
    }
    try Preflight.checkReport(outDir: URL(fileURLWithPath: outDir, isDirectory: true))
    let runs: [String: ArchivedRun]
    var invalid: [String: String] = [:]
    var archiveFile: ReadFile? = nil
    if let file = args.value("from-archive") {
      if args.value("results") != nil { throw UsageError("give --results or --from-archive, not both") }
      let archive = try Archive.load(path: file)
      if archive.manifest == manifest.name, archive.scale != expansion.scale.name, archive.score == manifest.score,
         manifest.scales.contains(where: { $0.name == archive.scale }) {
        var fixed = args.raw
        if let k = fixed.firstIndex(of: "--scale"), k + 1 < fixed.count {
          fixed[k + 1] = archive.scale
        } else if let k = fixed.firstIndex(where: { $0.hasPrefix("--scale=") }) {
          fixed[k] = "--scale=\(archive.scale)"
        } else {
          fixed += ["--scale", archive.scale]
        }
        throw ReportBuildError("\(file) holds \(archive.manifest) at scale \(archive.scale), not \(expansion.scale.name); "
          + "give the scale it records: \(commandLineText(["report"] + fixed))")
      }
      guard archive.manifest == manifest.name, archive.scale == expansion.scale.name, archive.score == manifest.score else {
        throw ReportBuildError("\(file) holds \(archive.manifest) at scale \(archive.scale) scored by "
          + "\(archive.score.method.rawValue) \(archive.score.iterations); \(path) at scale \(expansion.scale.name) "
          + "scores by \(manifest.score.method.rawValue) \(manifest.score.iterations)")
      }
      runs = try archive.runs(of: expansion, file: file)
      if runs.count < archive.runs.count {
        let custom = Set(archive.runs.values.filter { runs[$0.hash] == nil }.compactMap(\.model).map(\.label)).sorted()
        io.err("\(file): \(archive.runs.count - runs.count) run(s) are not runs of \(path) at scale \(expansion.scale.name); left out"
          + (custom.isEmpty ? "" : " (runs on custom model \(custom.joined(separator: ", ")) among them: give --custom-model "
             + "with --assets DIR holding the model files they trained on)"))
      }
      archiveFile = ReadFile(path: file, sha256: try sha256OfFile(file))
    } else {
      let store = ResultStore(root: URL(fileURLWithPath: args.value("results") ?? "results", isDirectory: true),
                              manifest: manifest.name)
      let loaded = try runsInFolder(store, expansion)
      for (hash, reason) in loaded.invalid.sorted(by: { $0.key < $1.key }) {
        io.err("ignored \(store.url(for: hash).path): \(reason); its run is counted missing")
      }
      invalid = Dictionary(uniqueKeysWithValues: loaded.invalid.map { ("\($0.key).json", $0.value) })
      runs = loaded.runs
    }
    let outcome = try sequential.map { try UntilDecided.evaluate(expansion, runs: runs, design: $0.1, selection: $0.2) }
    var context = ReportContext(
      gitCommit: env["REPRO_REPORT_COMMIT"] ?? gitCommitDescription(),
      mujocoVersion: loadedMuJoCoVersionString, machine: reportMachine(env),
      date: args.value("date") ?? env["REPRO_REPORT_DATE"] ?? utcNow(),
      command: args.value("command") ?? commandLineText(["report"] + args.raw), bootstrapSeed: seed, bootstrap: .paper,
      computeHours: env["REPRO_REPORT_COMPUTE_HOURS"].flatMap(Double.init))
    context.archiveFile = archiveFile
    let authors = try manifest.authorsConfigsPath.map { try AuthorsConfigs.load(path: $0) }
    let report = try buildReport(
      expansion: expansion, runs: runs, manifestHash: try sha256OfFile(path),
      context: context, invalidFiles: invalid, authors: authors, sequential: outcome)
    var files = renderReportFiles(report)
    if args.flag("csv"), let table = report.results {
      files.append(("\(report.manifestName)-\(report.scale).csv", renderCSV(table)))
    }
    let prefix = outDir.hasSuffix("/") ? outDir : outDir + "/"
    if !args.flag("force") {
      try refuseFewerRuns(replacing: prefix + "\(report.manifestName)-\(report.scale).json", with: report,
                          fromArchive: args.value("from-archive") != nil, manifestPath: path, outDir: prefix)
    }
    for (name, text) in files {
      let target = prefix + name
      try AtomicFile.write(text, to: target)
      io.out("wrote \(target)")
    }
    // A figure of the report this one replaces that this one does not draw would be left
    // beside it as if it were this report's.
    let base = "\(report.manifestName)-\(report.scale)"
    for stale in ["-curves.svg", "-curves.tex", "-trust-region.svg", "-grid.svg"].map({ base + $0 })
    where !files.contains(where: { $0.name == stale }) && FileManager.default.fileExists(atPath: prefix + stale) {
      try FileManager.default.removeItem(atPath: prefix + stale)
      io.out("removed \(prefix + stale) (the old report's; this one has none)")
    }
    let t = report.results?.totals ?? RunCounts(expected: 0, finished: 0, missing: 0, diverged: 0)
    io.out("\(manifest.name) (\(expansion.scale.name)): \(t.finished) of \(t.expected) runs finished, \(t.missing) missing, \(t.diverged) diverged")
    return 0
  }
}

/// A report that would replace a better-founded one: stopped before anything is written.
struct ReportOverwriteError: Error, CustomStringConvertible {
  var description: String
}

/// Throws when `existing` (a report's JSON) was built from more finished runs than
/// `report`, or from an archive when `report` is not, naming the command that
/// rebuilds it from its archive; a report that cannot be read is not replaced either.
func refuseFewerRuns(replacing existing: String, with report: Report, fromArchive: Bool,
                     manifestPath: String, outDir: String) throws {
  guard FileManager.default.fileExists(atPath: existing) else { return }
  let old: JSONValue
  do {
    old = try JSONParser.parse(Data(contentsOf: URL(fileURLWithPath: existing)))
  } catch {
    throw ReportOverwriteError(description: "\(existing) exists and cannot be read as a report (\(error)); "
      + "not overwritten (give --force to replace it)")
  }
  let oldFinished = old["totals"]?["finished"]?.numberValue.map { Int($0) } ?? 0
  let newFinished = report.results?.totals.finished ?? 0
  let oldArchive = old["provenance"]?["archive"]?["file"]?.stringValue
  let fewer = newFinished < oldFinished
  let loses = oldArchive != nil && !fromArchive
  guard fewer || loses else { return }
  var why = "\(existing) was built from \(oldFinished) finished run\(oldFinished == 1 ? "" : "s")"
    + (oldArchive.map { " (archive \($0))" } ?? "") + "; this report has \(newFinished)"
    + (loses && !fewer ? " and no archive" : "") + ": not overwritten, nothing written."
  if let file = oldArchive {
    let local = outDir + "archive/" + file
    let archivePath = FileManager.default.fileExists(atPath: local) ? local : file
    why += "\nBuild it from its archive: " + commandLineText(
      ["report", manifestPath, "--scale", report.scale, "--from-archive", archivePath]
        + (outDir == "reports/" ? [] : ["--out", String(outDir.dropLast())]))
  }
  why += "\n(give --force to overwrite it anyway)"
  throw ReportOverwriteError(description: why)
}
