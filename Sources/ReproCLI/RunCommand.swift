import Experiments
import Foundation
import Statistics

/// `repro run`: every missing run of a manifest.
enum RunCommand: Command {
  static let name = "run"
  static let summary = "train every missing run of a manifest (resumable, --shard i/n)"
  static let positionals = ["MANIFEST"]
  static let discussion = """
    Trains every run of a manifest (algorithm × task × seed) that has no result
    yet and stores each result atomically in DIR/<manifest name>/<hash>.json.
    Finished runs are skipped, so an interrupted run resumes where it stopped
    and several machines can share one results folder with --shard. MANIFEST
    (e.g. experiments/table2.json) is validated first: a mistake names the file
    and the JSON path, and nothing runs.

    With --until-decided, seeds are added to the cells in rounds of R; after
    each round every claim is judged by a group-sequential design (looks at R,
    2R, ... up to N seeds per cell, O'Brien-Fleming alpha spending, so that
    stopping early keeps each claim's error rate), and a cell whose claims are
    all decided gets no more seeds. --claim and --task limit the design to
    the claims named (by name or statement, e.g. --claim "PPO > PPO-M"
    --task Hopper, as `repro plan` suggests): only their cells get seeds.
    Resumable; `repro report` with the same --until-decided --round
    --max-seeds --claim --task reports the decisions.

    A run already trained for another manifest under the same results root
    (Table 3's PPO is Table 2's) is copied, not retrained. Before anything
    trains, the results folder is checked (a folder or
    creatable, writable, with room for the results, no folder where a result
    file belongs) and so is the size: more than 2 × 10⁹ environment steps in
    all needs --allow-large. One progress line shows runs done, running,
    failed and the ETA. Exit status 0 when every run of the shard has a
    result, 1 when any failed.

    With --from-archive FILE the run continues from an archive (e.g. the
    committed reports/archive/<manifest>-<scale>.jsonl): FILE is imported
    into the results folder first, as `repro import` does, and its runs are
    not retrained. Runs imported earlier count as done without the option.

    """ + continuationText
  static let options: [OptionSpec] = [
    .value("scale", "S", "a budget named in the manifest (default: its defaultScale)"),
    .value("jobs", "N", "runs trained at once, one thread each (default: cores)"),
    .value("shard", "i/n", "run only the i-th of n equal parts (e.g. 2/3)"),
    .value("results", "DIR", "results root (default: results)"),
    .value("assets", "DIR", "MuJoCo model files (default: .deps/assets or $REPRO_ASSETS)"),
    ModelFiles.customOption,
    .flag("quiet", "no progress line (failures are still printed)"),
    .flag("until-decided", "add seeds in rounds until every claim is decided (group-sequential design)"),
    .value("round", "R", "with --until-decided: seeds added per round (default 5)"),
    .value("max-seeds", "N", "with --until-decided: at most N seeds per cell (default: the scale's seeds)"),
    .value("claim", "C", "with --until-decided: only this claim (repeatable; default: every claim)", repeatable: true),
    .value("task", "T", "with --until-decided: only this task (repeatable; default: every task)", repeatable: true),
    .value("from-archive", "FILE", "continue from an archive's runs: import FILE first (repro import), then train the rest"),
    .value("verify", "N", "with --from-archive: runs retrained and compared first (default 1; 0 skips)"),
    .flag("allow-large", "allow more than 2 × 10⁹ environment steps in all (the manifest may say \"allowLarge\": true)"),
  ]

  static func run(_ args: ParsedArguments, _ io: CommandIO) throws -> Int32 {
    let scale = args.value("scale")
    let jobs = try args.int("jobs", default: ProcessInfo.processInfo.activeProcessorCount)
    let shard: Shard
    do {
      shard = try args.value("shard").map { try Shard(parsing: $0) } ?? .all
    } catch let e as ShardError {
      throw UsageError("--shard: \(e.message)")
    }
    let (manifest, _) = try loadExpansion(args.positional[0], scale: scale)
    let resultsRoot = URL(fileURLWithPath: args.value("results") ?? "results", isDirectory: true)
    let display = io.progressDisplay(quiet: args.flag("quiet"))
    let train = trainerFunction(assets: args.value("assets"))
    let store = ResultStore(root: resultsRoot, manifest: manifest.name, trainedBy: currentTrainer())
    if args.value("verify") != nil && args.value("from-archive") == nil { throw UsageError("--verify goes with --from-archive") }
    let verify = try args.int("verify", default: 1, min: 0)
    // After the folder and size checks (nothing trains before them): the archive's sample is retrained here.
    func continueFromArchive() throws {
      guard let file = args.value("from-archive") else { return }
      try importArchive(file, manifestPath: args.positional[0], root: resultsRoot, verify: verify, train: train, io: io)
    }
    let custom = args.flag("custom-model"), assets = args.value("assets")
    if let (designed, design, selection) = try sequentialDesign(args, manifest: manifest, scale: scale) {
      let expansion = try checkedModels(designed, assets: assets, custom: custom, io: io)
      if shard.count > 1 { throw UsageError("--until-decided decides which runs come next: it cannot be sharded") }
      try Preflight.checkRun(expansion, store: store, allowLarge: args.flag("allow-large"))
      try continueFromArchive()
      let (rounds, outcome) = try UntilDecided.run(
        expansion, store: store, design: design, jobs: jobs, selection: selection, display: display,
        adopting: store.siblingFolders, archived: try store.importedRuns(of: expansion), train: train)
      for r in rounds { io.out(r.report) }
      io.out(sequentialSummary(outcome, manifest: manifest))
      return rounds.allSatisfy(\.succeeded) ? 0 : 1
    }
    let expansion = try checkedModels(try manifest.expand(scale: scale), assets: assets, custom: custom, io: io)
    try Preflight.checkRun(expansion, store: store, allowLarge: args.flag("allow-large"), shard: shard)
    try continueFromArchive()
    let archived = try store.importedRuns(of: expansion)
    let summary = Runner.run(expansion, store: store, jobs: jobs, shard: shard, display: display,
                             adopting: store.siblingFolders, archived: Set(archived.keys), train: train)
    io.out(summary.report)
    return summary.exitStatus
  }
}

/// The expansion at the design's maximum seeds, the design and the claims it judges, when --until-decided is given.
func sequentialDesign(_ args: ParsedArguments, manifest: Manifest, scale: String?) throws
  -> (Expansion, SequentialDesign, ClaimSelection)? {
  guard args.flag("until-decided") else {
    if let given = ["round", "max-seeds", "claim", "task"].first(where: { args.value($0) != nil }) {
      throw UsageError("--\(given) goes with --until-decided")
    }
    return nil
  }
  let selection: ClaimSelection
  do {
    selection = try ClaimSelection.parse(claims: args.values("claim"), tasks: args.values("task"), manifest: manifest)
  } catch let e as ClaimSelectionError {
    throw UsageError("--until-decided: \(e)")
  }
  let scaleSeeds = manifest.seedList(scale: try manifest.resolveScale(scale)).count
  let maxSeeds = try args.int("max-seeds", default: scaleSeeds)
  let round = try args.int("round", default: 5)
  let design: SequentialDesign
  do {
    design = try UntilDecided.design(round: round, maxSeeds: maxSeeds,
                                     charge: UntilDecided.selectionCharge(selection, manifest: manifest))
  } catch {
    throw UsageError("--until-decided: \(error)")
  }
  return (try manifest.expand(scale: scale, seedCount: maxSeeds), design, selection)
}

/// One line per claim: decided at which look, or where it stands.
func sequentialSummary(_ outcome: SequentialOutcome, manifest: Manifest) -> String {
  var lines = ["claims (looks at \(outcome.design.looks.map(String.init).joined(separator: ", ")) runs per cell):"]
  for l in outcome.lines {
    let claim = manifest.rowClaims[l.claim]
    let n = outcome.design.looks[min(l.decision.look, outcome.design.looks.count - 1)]
    let state: String
    switch l.decision.status {
    case .decided(let v): state = "\(v.rawValue) at look \(l.decision.look + 1) (\(n) runs per cell)"
    case .inconclusive: state = "inconclusive after the last look (\(n) runs per cell)"
    case .awaitingRuns(let m): state = "awaiting \(m) runs per cell"
    case .notJudged(let why): state = "not judged: \(why)"
    }
    lines.append("  [\(claim.left)] \(claim.op.rawValue) [\(claim.right)] on \(l.task.rawValue): \(state)")
  }
  return lines.joined(separator: "\n")
}
