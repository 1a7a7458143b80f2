import Experiments
import Foundation
import RunModel

/// `repro plan`: how many seeds each claim needs, from a pilot.
enum PlanCommand: Command {
  static let name = "plan"
  static let summary = "from a pilot scale's results, the seeds per cell each claim needs and their core-hours"
  static let positionals = ["MANIFEST"]
  static let discussion = """
    Reads the finished runs of MANIFEST at --from-scale (the pilot) and, for
    each claim on each task, finds the runs per cell at which the report's
    calibrated verdict decides it (reproduced if the pilot's difference is on
    the claimed side, contradicted otherwise) with 80% power, taking the
    pilot's standard deviations and an effect as the truth. The effect is
    --effect: lower (the default: the pilot's difference shrunk to the end of
    its 80% interval nearer 0; a claim whose interval reaches 0 is not
    planned), pilot (the pilot's difference as it is, optimistic) or smallest
    (the claim's smallest effect of interest). Then it simulates the design
    `repro run --until-decided --round R` runs up to those runs per cell, at
    the first step of Holm's procedure over the report's claim lines (the
    family-adjusted verdict), and gives the chances of "reproduced" and
    "contradicted" and the runs it uses on average. Costs are the pilot's
    measured seconds per environment step scaled to --scale's budget; with
    --budget H, a claim that needs more than H core-hours is marked as not
    decidable within it and left out of the total.
    Writes OUT/<name>-plan.md and .json, and prints the command to run next.

    The pilot's runs are those in the results folder (result files and
    archives imported into it, `repro import`) and, with --from-archive, an
    archive's (e.g. the committed reports/archive/<manifest>-<scale>.jsonl;
    every line checked by its SHA-256 and against the run its hash names):
    a fresh clone plans from the committed archive without training a
    pilot. The command it prints next then continues from that archive
    (`repro run --from-archive`, which retrains a sample of it first).
    """
  static let options: [OptionSpec] = [
    .value("from-scale", "S", "the pilot scale whose results are read", required: true),
    .value("scale", "T", "the scale to plan for (default: the manifest's defaultScale)"),
    .value("results", "DIR", "results root (default: results)"),
    .value("from-archive", "FILE", "also read the pilot's runs from this archive (repro archive)"),
    .value("out", "DIR", "where to write (default: reports)"),
    .value("power", "P", "target power in (0, 1) (default 0.8)"),
    .value("cap", "N", "the most runs per cell considered (default 1000)"),
    .value("effect", "E", "the effect planned for: lower (default), pilot or smallest"),
    .value("budget", "H", "core-hours a claim may cost; claims above it are not decidable within it"),
    .value("round", "R", "seeds per round of the simulated --until-decided design (default 5)"),
  ]

  static func run(_ args: ParsedArguments, _ io: CommandIO) throws -> Int32 {
    guard let pilotScale = args.value("from-scale") else { throw UsageError("--from-scale S is required") }
    let path = args.positional[0]
    let (manifest, pilot) = try loadExpansion(path, scale: pilotScale)
    let target = try manifest.expand(scale: args.value("scale"))
    let power = try args.value("power").map { text -> Double in
      guard let p = Double(text), p > 0, p < 1 else { throw UsageError("--power expects a number in (0, 1), got '\(text)'") }
      return p
    } ?? 0.8
    let cap = try args.int("cap", default: 1000, min: 2)
    let effectName = args.value("effect") ?? PlanningEffect.lower.rawValue
    guard let effect = PlanningEffect(rawValue: effectName) else {
      throw UsageError("unknown --effect '\(effectName)'; " + NameSuggestion.hint(
        for: effectName, in: PlanningEffect.allCases.map(\.rawValue), listLabel: "expected one of"))
    }
    let budget = try args.value("budget").map { text -> Double in
      guard let h = Double(text), h > 0, h.isFinite else { throw UsageError("--budget expects positive core-hours, got '\(text)'") }
      return h
    }
    let round = try args.int("round", default: 5, min: 1)
    let store = ResultStore(root: URL(fileURLWithPath: args.value("results") ?? "results", isDirectory: true),
                            manifest: manifest.name)
    var sources = [(name: store.directory.path, runs: try runsInFolder(store, pilot).runs)]
    let archiveFile = args.value("from-archive")
    if let file = archiveFile {
      let archive = try Archive.load(path: file)
      guard archive.manifest == manifest.name, archive.score == manifest.score else {
        throw ArchiveError("\(file) holds \(archive.manifest) scored by \(archive.score.method.rawValue) "
          + "\(archive.score.iterations), not \(manifest.name) scored by \(manifest.score.method.rawValue) \(manifest.score.iterations)")
      }
      let runs = try archive.runs(of: pilot, file: file)
      if runs.isEmpty {
        io.err("repro plan: \(file) holds no run of \(manifest.name) at scale \(pilotScale) (it holds scale \(archive.scale))")
        return 1
      }
      sources.append((file, runs))
    }
    let runs = try unionOfRuns(sources)
    guard !runs.isEmpty else {
      io.err("repro plan: no finished runs of \(manifest.name) at scale \(pilotScale) in \(store.directory.path); run the pilot first"
        + " (or plan from an archive of it: --from-archive reports/archive/\(manifest.name)-\(pilotScale).jsonl)")
      return 1
    }
    let plan = try SeedPlanner.plan(manifest: manifest, pilot: pilot, pilotRuns: runs, target: target,
                                    power: power, cap: cap, effect: effect, budget: budget, round: round)
    let command = commandLineText(["plan"] + args.raw)
    // Continuing from the archive the pilot came from (its runs count where they are runs of the target scale).
    let continuing = archiveFile.map { " --from-archive \(shellQuote($0))" } ?? ""
    let next = "repro run \(path) --scale \(target.scale.name)\(continuing) --until-decided --max-seeds \(max(plan.maxRunsPerCell, 3))"
    let outDir = args.value("out") ?? "reports"
    let cheapest = plan.cheapestToDecide.map { c in
      "repro run \(path) --scale \(target.scale.name)\(continuing) --until-decided --max-seeds \(c.familyRunsPerCell ?? 0) "
        + "--claim '\(c.claim)' --task \(c.task.rawValue)"
    }
    for (ext, text) in [("md", SeedPlanner.markdown(plan, command: command, next: next, cheapest: cheapest)),
                        ("json", SeedPlanner.json(plan, command: command, next: next, cheapest: cheapest))] {
      let target = "\(outDir)/\(manifest.name)-plan.\(ext)"
      try AtomicFile.write(text, to: target)
      io.out("wrote \(target)")
    }
    io.out(String(format: "%.1f core-hours to decide every decidable claim at scale %@; next: %@",
                  plan.totalCoreHours, target.scale.name, next))
    if let cheapest { io.out("the cheapest claim to decide first: \(cheapest)") }
    return 0
  }
}
