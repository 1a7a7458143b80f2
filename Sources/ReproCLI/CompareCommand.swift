import Environments
import Experiments
import Foundation
import Reports
import RunModel

/// `repro compare`: two manifests that differ in their tasks' versions, cell by cell and claim by claim.
enum CompareCommand: Command {
  static let name = "compare"
  static let summary = "compare two manifests' results across task versions (v5 against v4), cell by cell"
  static let positionals = ["MANIFEST-A", "MANIFEST-B"]
  static let discussion = """
    Pairs the cells of A and B by row and robot (PPO on Walker2d against PPO
    on Walker2d-v4) and gives each pair the difference of mean scores A − B
    with Welch's 95% interval, judged on its own and as one family of cells
    (Holm's step-down: the chance of calling any cell different when none
    differs is at most 5%). Then each claim line of A's report beside B's
    on the same robot. Writes DIR/<A>-vs-<B>-<scale>.md and .json; it never
    trains. Runs come from --results (default results/<name>) or from one
    --from-archive per manifest, in the order of the manifests (- for one
    read from --results).
    """
  static let options: [OptionSpec] = [
    .value("scale", "S", "the scale of both manifests (default: each one's defaultScale)"),
    .value("results", "DIR", "results root (default: results)"),
    .value("from-archive", "FILE", "an archive per manifest, A's first (give both or none; - reads\nthat manifest's runs from --results)", repeatable: true),
    .value("out", "DIR", "where to write (default: reports)"),
    .value("command", "TEXT", "the command shown as how to reproduce (default: this one)"),
  ]

  static func run(_ args: ParsedArguments, _ io: CommandIO) throws -> Int32 {
    let archives = args.values("from-archive")
    guard archives.isEmpty || archives.count == 2 else {
      throw UsageError("--from-archive: give one archive per manifest (A's, then B's), or none")
    }
    let outDir = args.value("out") ?? "reports"
    try Preflight.checkReport(outDir: URL(fileURLWithPath: outDir, isDirectory: true))
    var sides: [VersionComparison.Side] = []
    for (i, path) in args.positional.enumerated() {
      let (manifest, expansion) = try loadExpansion(path, scale: args.value("scale"))
      let runs: [String: ArchivedRun]
      if archives.count == 2 && archives[i] != "-" {
        let archive = try Archive.load(path: archives[i])
        guard archive.manifest == manifest.name, archive.scale == expansion.scale.name else {
          throw ReportBuildError("\(archives[i]) holds \(archive.manifest) at scale \(archive.scale), not \(manifest.name) at scale \(expansion.scale.name)")
        }
        runs = try archive.runs(of: expansion, file: archives[i])
      } else {
        let store = ResultStore(root: URL(fileURLWithPath: args.value("results") ?? "results", isDirectory: true),
                                manifest: manifest.name)
        runs = try runsInFolder(store, expansion).runs
      }
      sides.append(VersionComparison.Side(expansion: expansion, runs: runs))
    }
    let env = ProcessInfo.processInfo.environment
    let command = args.value("command") ?? commandLineText(["compare"] + args.raw)
    let context = ReportContext(gitCommit: "", mujocoVersion: loadedMuJoCoVersionString, machine: reportMachine(env),
                                date: "", command: command)
    let comparison = try VersionComparison(a: sides[0], b: sides[1], context: context)
    guard !comparison.cells.isEmpty else {
      throw UsageError("\(sides[0].manifest.name) and \(sides[1].manifest.name) share no row on the same robot: nothing to compare")
    }
    let base = (outDir.hasSuffix("/") ? outDir : outDir + "/")
      + "\(sides[0].manifest.name)-vs-\(sides[1].manifest.name)-\(sides[0].expansion.scale.name)"
    try AtomicFile.write(comparison.markdown(command: command), to: base + ".md")
    try AtomicFile.write(comparison.json.pretty + "\n", to: base + ".json")
    io.out("wrote \(base).md")
    io.out("wrote \(base).json")
    let differ = comparison.cells.filter { $0.family.divisor != nil }.count
    let judged = comparison.cells.filter { $0.own != nil }.count
    io.out("\(comparison.cells.count) cells, \(judged) judged; \(differ) differ as a family")
    return 0
  }
}
