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
    pilot's cell means and standard deviations as the truth. Costs are the
    pilot's measured seconds per environment step scaled to --scale's budget.
    Writes OUT/<name>-plan.md and .json, and prints the command to run next.
    """
  static let options: [OptionSpec] = [
    .value("from-scale", "S", "the pilot scale whose results are read", required: true),
    .value("scale", "T", "the scale to plan for (default: the manifest's defaultScale)"),
    .value("results", "DIR", "results root (default: results)"),
    .value("out", "DIR", "where to write (default: reports)"),
    .value("power", "P", "target power in (0, 1) (default 0.8)"),
    .value("cap", "N", "the most runs per cell considered (default 1000)"),
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
    let store = ResultStore(root: URL(fileURLWithPath: args.value("results") ?? "results", isDirectory: true),
                            manifest: manifest.name)
    let results = store.loadAll(pilot).results
    guard !results.isEmpty else {
      io.err("repro plan: no finished runs of \(manifest.name) at scale \(pilotScale) in \(store.directory.path); run the pilot first")
      return 1
    }
    let plan = try SeedPlanner.plan(manifest: manifest, pilot: pilot, pilotResults: results, target: target,
                                    power: power, cap: cap)
    let command = commandLineText(["plan"] + args.raw)
    let next = "repro run \(path) --scale \(target.scale.name) --until-decided --max-seeds \(max(plan.maxRunsPerCell, 3))"
    let outDir = args.value("out") ?? "reports"
    let cheapest = plan.cheapestToDecide.map { c in
      "repro run \(path) --scale \(target.scale.name) --until-decided --max-seeds \(c.plan.runsPerCell ?? 0) "
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
