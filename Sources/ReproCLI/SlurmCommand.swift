import Experiments
import Foundation
import RunModel

/// `repro slurm`: a manifest as a Slurm job array and a report job.
enum SlurmCommand: Command {
  static let name = "slurm"
  static let summary = "write (or submit) a Slurm job array that trains a manifest, and a job that reports it"
  static let positionals = ["MANIFEST"]
  static let discussion = """
    Writes a submission script for MANIFEST at --scale: a job array whose
    task i runs `repro run --shard i/N` (N = --array-size, default one task
    per run up to 1000) with --cpus-per-task runs at once, one thread each,
    and a job that waits for the whole array (afterany) and runs `repro
    report` and `repro archive`. The time limit per task is the busiest
    task's expected run time × 1.5 + 10 minutes, from measured costs: the
    finished runs at --costs-from-scale if given, else the reference costs
    in the code (CostModel.reference; see `repro cost`). Tasks can be
    requeued safely (results are atomic and claimed).

    By default the script is written to --script (default
    slurm/<manifest>-<scale>.slurm.sh; the jobs' output goes to
    slurm/logs/) and its summary printed; --dry-run
    prints the script instead of writing it; --submit also runs it (sbatch
    must be on PATH). Nothing but sbatch is needed to submit; squeue and
    scancel to watch and stop. The jobs run in this folder, with this repro
    executable (--repro to name another).
    """
  static let options: [OptionSpec] = [
    .value("scale", "S", "the manifest's scale (default: its defaultScale)"),
    .value("array-size", "N", "array tasks (default: one per run, at most 1000)"),
    .value("cpus-per-task", "C", "CPUs per task, runs trained at once (default 1)"),
    .value("time", "HH:MM:SS", "time limit per task (default: computed from measured costs)"),
    .value("partition", "P", "Slurm partition"),
    .value("account", "A", "Slurm account"),
    .value("mem", "M", "memory per task, as sbatch --mem takes it (e.g. 2G)"),
    .value("results", "DIR", "results root the tasks write (default: results)"),
    .value("out", "DIR", "where the report job writes (default: reports)"),
    .value("costs-from-scale", "P", "price runs by this scale's finished runs of the manifest (default: reference costs)"),
    .value("script", "FILE", "where to write the script (default: slurm/<manifest>-<scale>.slurm.sh)"),
    .value("repro", "PATH", "the repro executable the jobs run (default: this one)"),
    .flag("dry-run", "print the script; write and submit nothing"),
    .flag("submit", "write the script and submit it with sbatch"),
    .flag("allow-large", "allow more than 2 × 10⁹ environment steps in all"),
  ]

  static func run(_ args: ParsedArguments, _ io: CommandIO) throws -> Int32 {
    if args.flag("dry-run") && args.flag("submit") { throw UsageError("--dry-run and --submit exclude each other") }
    let path = args.positional[0]
    let (manifest, expansion) = try loadExpansion(path, scale: args.value("scale"))
    try Preflight.checkSize(expansion, allowLarge: args.flag("allow-large"))
    let cpus = try args.int("cpus-per-task", default: 1)
    let tasks = try args.value("array-size").map { _ in try args.int("array-size", default: 1) }
    let time = try args.value("time").map { text -> Int in
      let parts = text.split(separator: ":").map { Int($0) }
      guard parts.count == 3, let h = parts[0], let m = parts[1], let s = parts[2], h >= 0, (0..<60).contains(m),
            (0..<60).contains(s), h * 3600 + m * 60 + s > 0 else {
        throw UsageError("--time expects HH:MM:SS, got '\(text)'")
      }
      return h * 3600 + m * 60 + s
    }
    let results = args.value("results") ?? "results"
    var costs = CostModel.reference, source = CostModel.referenceSource
    if let pilot = args.value("costs-from-scale") {
      let runs = ResultStore(root: URL(fileURLWithPath: results, isDirectory: true), manifest: manifest.name)
        .loadAll(try manifest.expand(scale: pilot)).results
      costs = CostModel(results: runs.values)
      source = "\(runs.count) finished runs of \(manifest.name) at scale \(pilot)"
    }
    let cwd = FileManager.default.currentDirectoryPath
    let executable = args.value("repro") ?? currentExecutable()
    let plan = try SlurmPlan.plan(
      expansion, manifestPath: path, tasks: tasks, cpus: cpus, costs: costs, costSource: source, timeOverride: time,
      partition: args.value("partition"), account: args.value("account"), memory: args.value("mem"), results: results,
      reports: args.value("out") ?? "reports", workingDirectory: cwd, executable: executable)
    let summary = "\(plan.runs) runs in \(plan.tasks) array tasks of \(plan.cpusPerTask) CPU(s); about "
      + String(format: "%.1f", plan.totalCoreSeconds / 3600) + " core-hours in all; time limit per task "
      + SlurmPlan.clock(plan.timeLimit) + (time == nil ? " (from \(source))" : " (--time)")
    if args.flag("dry-run") {
      io.out(plan.script)
      io.err(summary)
      return 0
    }
    let scriptPath = args.value("script") ?? "slurm/\(manifest.name)-\(expansion.scale.name).slurm.sh"
    try Preflight.checkWritableFolder(URL(fileURLWithPath: scriptPath).deletingLastPathComponent(), purpose: "script folder",
                                      bytes: 65536)
    try AtomicFile.write(plan.script, to: scriptPath)
    chmod(scriptPath, 0o755)
    io.out("wrote \(scriptPath): \(summary)")
    guard args.flag("submit") else {
      io.out("submit with: bash \(scriptPath)")
      return 0
    }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["bash", scriptPath]
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    io.out(out.trimmingCharacters(in: .whitespacesAndNewlines))
    return p.terminationStatus == 0 ? 0 : 1
  }

  /// The running repro as it was called when that names it from this folder (e.g.
  /// `.build/release/repro`), else its absolute path.
  static func currentExecutable() -> String {
    let called = CommandLine.arguments[0]
    if called.contains("/"), FileManager.default.isExecutableFile(atPath: called) { return called }
    let path = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? called
    return URL(fileURLWithPath: path).standardizedFileURL.path
  }
}
