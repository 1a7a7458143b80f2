import Experiments
import Foundation
import RunModel

/// `repro cost`: a manifest's compute at a scale, from measured run costs.
enum CostCommand: Command {
  static let name = "cost"
  static let summary = "a manifest's core-hours at a scale, cell by cell, from the measured cost of finished runs"
  static let positionals = ["MANIFEST"]
  static let discussion = """
    Prices every cell of MANIFEST at --scale (default: the manifest's
    defaultScale): its runs, how many already have a result, the
    core-hours of one run and of those still to go. A run's cost is its
    budget in environment steps times the measured core-seconds per step
    of its task and algorithm (PPO or TRPO): the median over finished runs
    at --from-scale (any number of manifests' results under --results; by
    default this manifest's), or without --from-scale the reference costs
    kept in the code (CostModel.reference, with the command that measured
    them). A run's core-seconds are the CPU time of the thread that trained
    it (its wall time in older results). Prints Markdown; trains nothing.
    """
  static let options: [OptionSpec] = [
    .value("scale", "S", "the scale to price (default: the manifest's defaultScale)"),
    .value("from-scale", "P", "the scale whose finished runs give the costs (default: the reference costs)"),
    .value("measured-in", "MANIFEST[@SCALE]",
           "also read this manifest's finished runs (at SCALE, default --from-scale); repeatable", repeatable: true),
    .value("results", "DIR", "results root (default: results)"),
  ]

  static func run(_ args: ParsedArguments, _ io: CommandIO) throws -> Int32 {
    let path = args.positional[0]
    let (manifest, target) = try loadExpansion(path, scale: args.value("scale"))
    let root = URL(fileURLWithPath: args.value("results") ?? "results", isDirectory: true)
    let done = ResultStore(root: root, manifest: manifest.name).loadAll(target).results
    guard let pilotScale = args.value("from-scale") else {
      if !args.values("measured-in").isEmpty { throw UsageError("--measured-in goes with --from-scale") }
      let estimate = CostEstimate(expansion: target, model: .reference, finished: Set(done.keys))
      io.out("# \(manifest.name): compute at scale \(target.scale.name)\n")
      io.out(estimate.markdown(source: CostModel.referenceSource))
      io.out("Command: \(commandLineText(["cost"] + args.raw))")
      return estimate.unmeasured.isEmpty ? 0 : 1
    }
    var measured: [RunResult] = []
    var sources: [String] = []
    for source in [path] + args.values("measured-in") {
      let parts = source.split(separator: "@", maxSplits: 1).map(String.init)
      let (m, pilot) = try loadExpansion(parts[0], scale: parts.count > 1 ? parts[1] : pilotScale)
      let store = ResultStore(root: root, manifest: m.name)
      let found = store.loadAll(pilot).results.values
      measured.append(contentsOf: found)
      sources.append("\(m.name) at scale \(pilot.scale.name) (\(found.count) runs in \(store.directory.path))")
    }
    let estimate = CostEstimate(expansion: target, model: CostModel(results: measured), finished: Set(done.keys))
    io.out("# \(manifest.name): compute at scale \(target.scale.name)\n")
    io.out(estimate.markdown(source: "the median over finished runs of " + sources.joined(separator: " and ")))
    io.out("Command: \(commandLineText(["cost"] + args.raw))")
    return estimate.unmeasured.isEmpty ? 0 : 1
  }
}
