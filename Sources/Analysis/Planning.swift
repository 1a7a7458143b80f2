import Foundation
import Reports
import Manifests
import Running
import RunModel
import Statistics

// Seed planning: from a pilot (finished runs at a small scale), how many runs
// per cell each claim needs to be decided with the target power at the
// report's level, and what that costs in core-hours at the target budget.

/// The plan for one claim on one task.
public struct ClaimPlan: Sendable, Equatable {
  public var claim: String
  public var task: TaskID
  /// `left − right` on the pilot's cell means.
  public var pilotDifference: Double?
  /// The pilot's runs per cell (the smallest over the claim's cells).
  public var pilotRuns: Int
  /// The report's calibrated verdict on the pilot's runs (nil: not judged).
  public var pilotVerdict: Verdict? = nil
  /// The pilot's verdict as a member of the report's family of claim lines (Holm; nil: not judged).
  public var pilotFamilyVerdict: Verdict? = nil
  public var plan: RunPlan
  /// The algorithm cells the claim's runs are added to.
  public var cells: [String]
  /// Core-hours at the target budget for `familyRunsPerCell` runs in each cell (nil when not decidable).
  public var coreHours: Double?
  /// The effect planned for (`left − right`, after `PlanningEffect`); nil when none could be taken.
  public var plannedEffect: Double? = nil
  /// The largest look (`--max-seeds`) at which the group-sequential design `--until-decided` runs, at
  /// the family's first Holm step (`(1 − level)/familySize`), reaches the power in simulation: what a
  /// family-adjusted verdict needs (nil: not within the cap). Without a round, the fixed-sample n at that level.
  public var familyRunsPerCell: Int? = nil
  /// What `repro run --until-decided` would do at the planned effect, up to `familyRunsPerCell` runs per
  /// cell in rounds, at the family's first Holm step (nil: not simulated).
  public var sequential: SequentialOperatingCharacteristics? = nil
  /// Over the user's budget (core-hours): not decidable within it.
  public var overBudget: Bool = false
}

/// Which effect a plan takes as the truth (issue 24: a pilot's point estimate is optimistic).
public enum PlanningEffect: String, Sendable, CaseIterable {
  /// The pilot's difference of means as it is.
  case pilot
  /// The pilot's difference shrunk to the lower end of its 80% interval (toward 0; 0 when the
  /// interval reaches 0, and then nothing is planned): a conservative default.
  case lower
  /// The claim's smallest effect of interest (the manifest's `smallestEffect`, else half the
  /// paper's effect), on the pilot's side.
  case smallest
}

/// A whole plan: per claim, and per cell the most runs any claim asks of it.
public struct SeedPlanReport: Sendable, Equatable {
  public var manifest: String
  public var pilotScale: String
  public var targetScale: String
  public var power: Double
  public var level: Double
  public var effect: PlanningEffect = .pilot
  /// The user's budget in core-hours, if given.
  public var budget: Double? = nil
  /// Lines in the report's family (Holm's first step plans at `(1 − level)/familySize`).
  public var familySize: Int = 1
  public var claims: [ClaimPlan]
  /// Algorithm row → task → runs per cell needed (the most over the decidable claims that use it).
  public var cellRuns: [(row: String, task: TaskID, runs: Int, secondsPerRun: Double)]
  /// Core-hours to bring every cell to its `cellRuns` at the target budget, counting finished runs at that budget as done.
  public var totalCoreHours: Double
  public var maxRunsPerCell: Int

  public static func == (a: SeedPlanReport, b: SeedPlanReport) -> Bool {
    a.claims == b.claims && a.totalCoreHours == b.totalCoreHours && a.manifest == b.manifest
      && a.cellRuns.map { "\($0.row)/\($0.task)/\($0.runs)/\($0.secondsPerRun)" }
      == b.cellRuns.map { "\($0.row)/\($0.task)/\($0.runs)/\($0.secondsPerRun)" }
  }
}

extension SeedPlanReport {
  /// The claim line the pilot's runs leave undecided that costs the fewest core-hours to
  /// decide: where `repro run --until-decided --claim --task` spends best first.
  public var cheapestToDecide: ClaimPlan? {
    claims.filter { c in
      c.coreHours != nil && !c.overBudget && (c.familyRunsPerCell ?? 0) > c.pilotRuns && (c.pilotFamilyVerdict ?? .inconclusive) == .inconclusive
    }
      .min { ($0.coreHours ?? 0) < ($1.coreHours ?? 0) }
  }
}

public enum SeedPlanner {
  /// Plans `manifest`'s claims from the pilot results at `pilot` scale, for runs at `target` scale.
  /// - Parameters:
  ///   - pilotResults: results by hash for the pilot expansion.
  public static func plan(
    manifest: Manifest, pilot: Expansion, pilotResults: [String: RunResult], target: Expansion,
    power: Double = 0.8, level: Double = 0.95, cap: Int = 1000, seed: UInt64 = 0,
    effect: PlanningEffect = .pilot, budget: Double? = nil, round: Int? = nil
  ) throws -> SeedPlanReport {
    try plan(manifest: manifest, pilot: pilot, pilotRuns: archivedRuns(pilot, pilotResults), target: target,
             power: power, level: level, cap: cap, seed: seed, effect: effect, budget: budget, round: round)
  }

  /// The pilot's cells with the means moved so that `left − right` is the effect `which` takes
  /// (nil: no effect to plan for). Only a claim that is one linear contrast can be moved; any
  /// other keeps the pilot's means (and `pilot` is then the effect used).
  public static func plannedTruth(_ calibrated: CalibratedClaim, pilot: [String: CellSummary], difference d: Double,
                           smallest: Double?, which: PlanningEffect) -> (cells: [String: CellSummary], effect: Double)? {
    let target: Double
    switch which {
    case .pilot:
      return (pilot, d)
    case .lower:
      guard calibrated.method == .welch, let c = calibrated.contrasts.first else { return (pilot, d) }
      // Welch's standard error of the contrast; the 80% interval's end nearer 0.
      let se = zip(c.cells, c.coefficients).reduce(0.0) { acc, x in
        guard let s = pilot[x.0] else { return acc }
        return acc + x.1 * x.1 * s.variance / Double(max(s.count, 1))
      }.squareRoot()
      let shrunk = abs(d) - 1.2815515655446004 * se
      guard shrunk > 0 else { return nil }
      target = d < 0 ? -shrunk : shrunk
    case .smallest:
      guard let s = smallest, s > 0 else { return nil }
      target = d < 0 ? -s : s
    }
    guard calibrated.method == .welch, let c = calibrated.contrasts.first,
          let j = c.coefficients.firstIndex(where: { $0 != 0 }), let cell = pilot[c.cells[j]] else { return (pilot, d) }
    var moved = pilot
    moved[c.cells[j]] = CellSummary(count: cell.count, mean: cell.mean + (target - d) / c.coefficients[j], variance: cell.variance)
    return (moved, target)
  }

  /// The plan from the pilot's archive records (results, an archive, or both),
  /// priced by the records' own timings.
  public static func plan(
    manifest: Manifest, pilot: Expansion, pilotRuns: [String: ArchivedRun], target: Expansion,
    power: Double = 0.8, level: Double = 0.95, cap: Int = 1000, seed: UInt64 = 0,
    effect: PlanningEffect = .pilot, budget: Double? = nil, round: Int? = nil
  ) throws -> SeedPlanReport {
    let inputs = try ReportInputs(
      expansion: pilot, results: pilotRuns,
      context: ReportContext(gitCommit: "", mujocoVersion: "", machine: Machine(cpuModel: "", cores: 1), date: "",
                             command: "", bootstrapSeed: seed))
    // Seconds per run at the target budget, from the pilot's measured seconds per environment step.
    let costs = CostModel(runs: pilotRuns.values)
    func secondsPerRun(_ row: String, _ t: TaskID) -> Double {
      target.specs(algorithm: row, task: t).first.flatMap { costs.seconds($0) } ?? .nan
    }
    var claims: [ClaimPlan] = []
    var needed: [String: Int] = [:]  // "row\u{0}task" → runs, looked up only
    // The report's family: every claim line on every task (Holm's first step divides by all of them).
    let familySize = max(1, manifest.claims.reduce(0) { $0 + $1.tasks.count })
    // Each planned line's pilot verdict at a level (nil: not judged), in the order of `claims`.
    var judges: [((Double) throws -> Verdict?)?] = []
    for claim in manifest.rowClaims {
      let statement = try claim.statement.inlining(inputs.definitions)
      let calibrated = try CalibratedClaim(statement)
      for t in claim.tasks {
        var pilotCells: [String: CellSummary] = [:]
        var enough = true
        for name in statement.referencedNames {
          let scores = inputs.cells[name]?[t]?.scores ?? []
          if scores.count < 2 { enough = false; continue }
          pilotCells[name] = try CellSummary(scores)
        }
        let rows = calibrated.cells
        let pilotRuns = rows.map { pilotCells[$0]?.count ?? 0 }.min() ?? 0
        guard enough else {
          judges.append(nil)
          claims.append(ClaimPlan(
            claim: "[\(claim.left)] \(claim.op.rawValue) [\(claim.right)]", task: t, pilotDifference: nil, pilotRuns: pilotRuns,
            plan: RunPlan(runsPerCell: nil, target: nil, power: nil, method: "\(calibrated.method)",
                          reason: "the pilot has fewer than 2 finished runs in a cell"),
            cells: rows, coreHours: nil))
          continue
        }
        let difference = try statement.left.evaluate { pilotCells[$0]?.mean ?? .nan }
          - statement.right.evaluate { pilotCells[$0]?.mean ?? .nan }
        let verdict = try calibrated.judge(summaries: pilotCells, level: level).verdict
        let cellsNow = pilotCells
        judges.append { level in try calibrated.judge(summaries: cellsNow, level: level).verdict }
        let name = "[\(claim.left)] \(claim.op.rawValue) [\(claim.right)]"
        guard let truth = plannedTruth(calibrated, pilot: pilotCells, difference: difference,
                                       smallest: manifest.smallestEffect(of: claim, on: t), which: effect) else {
          claims.append(ClaimPlan(
            claim: name, task: t, pilotDifference: difference, pilotRuns: pilotRuns, pilotVerdict: verdict,
            plan: RunPlan(runsPerCell: nil, target: nil, power: nil, method: "\(calibrated.method)",
                          reason: effect == .lower ? "the pilot's 80% interval reaches 0: no effect to plan for"
                            : "no smallest effect of interest (the manifest sets none and the paper prints no effect)"),
            cells: rows, coreHours: nil))
          continue
        }
        let p = try planRunsPerCell(for: calibrated, pilot: truth.cells, level: level, power: power, cap: cap, seed: seed)
        // The same at Holm's first step over the family: what the family-adjusted verdict needs.
        let familyLevel = 1 - (1 - level) / Double(familySize)
        let pf = familySize == 1 ? p
          : try planRunsPerCell(for: calibrated, pilot: truth.cells, level: familyLevel, power: power, cap: cap, seed: seed)
        var hours: Double? = nil
        var sequential: SequentialOperatingCharacteristics? = nil
        var over = false
        var familyRuns = pf.runsPerCell
        func coreHours(_ n: Int) -> Double { rows.reduce(0) { $0 + Double(n) * secondsPerRun($1, t) } / 3600 }
        // The design `--until-decided` runs, at Holm's first step over the family: its looks spend α, so it
        // needs at least the fixed-sample plan's runs. Grow its largest look from that plan's n until the
        // simulated design reaches the power (or the cap); not when that n is already over the budget.
        let overAtFixed = pf.runsPerCell.map { n in budget.map { coreHours(n) > $0 } ?? false } ?? false
        if let round, var n = pf.runsPerCell, let goal = pf.target, !overAtFixed {
          n = max(n, round, minimumRunsPerCell)
          while true {
            let design = try SequentialDesign(roundSize: round, maxRunsPerCell: n, level: familyLevel)
            let s = try simulateSequential(calibrated, design: design, truth: calibrated.cells.map { truth.cells[$0]! },
                                           replicates: 1000, seed: seed)
            sequential = s
            if (goal == .reproduced ? s.reproduced : s.contradicted) >= power { familyRuns = n; break }
            if n >= cap { familyRuns = nil; break }
            n = min(cap, Int((Double(n) * 1.15).rounded(.up)))
          }
        }
        if let n = familyRuns {
          hours = coreHours(n)
          over = budget.map { (hours ?? 0) > $0 } ?? false
          if !over { for r in rows { needed["\(r)\u{0}\(t.rawValue)"] = max(needed["\(r)\u{0}\(t.rawValue)"] ?? 0, n) } }
        }
        claims.append(ClaimPlan(
          claim: name, task: t, pilotDifference: difference,
          pilotRuns: pilotRuns, pilotVerdict: verdict, plan: p, cells: rows, coreHours: hours,
          plannedEffect: truth.effect, familyRunsPerCell: familyRuns, sequential: sequential, overBudget: over))
      }
    }
    var cellRuns: [(row: String, task: TaskID, runs: Int, secondsPerRun: Double)] = []
    var total = 0.0
    for a in manifest.algorithms {
      for t in manifest.tasks {
        guard let n = needed["\(a.name)\u{0}\(t.rawValue)"] else { continue }
        let s = secondsPerRun(a.name, t)
        cellRuns.append((a.name, t, n, s))
        total += Double(n) * s / 3600
      }
    }
    // The pilot's family-adjusted verdicts: Holm over the report's lines (lines planned here are judged;
    // the others, figure claims, count in the family unjudged).
    let family = try familyVerdicts(count: familySize, judged: (0..<familySize).map { $0 < judges.count && judges[$0] != nil },
                                    alpha: 1 - level) { i, alpha in try judges[i]?(1 - alpha) }
    for i in claims.indices { claims[i].pilotFamilyVerdict = family[i].verdict }
    return SeedPlanReport(
      manifest: manifest.name, pilotScale: pilot.scale.name, targetScale: target.scale.name, power: power, level: level,
      effect: effect, budget: budget, familySize: familySize, claims: claims, cellRuns: cellRuns, totalCoreHours: total, maxRunsPerCell: cellRuns.map(\.runs).max() ?? 0)
  }

  /// The plan as Markdown.
  /// - Parameters:
  ///   - next: the command that runs every decidable claim's seeds.
  ///   - cheapest: the command for `p.cheapestToDecide` alone, if any.
  public static func markdown(_ p: SeedPlanReport, command: String, next: String, cheapest: String? = nil) -> String {
    func f(_ x: Double?, _ d: Int = 0) -> String { x.map { formatNumber($0, decimals: d) } ?? "—" }
    var out = [
      "# Seed plan: \(p.manifest)", "",
      "How many runs per cell each claim needs to be decided (reproduced or contradicted) with \(f(p.power * 100))% power "
        + "by the report's calibrated verdict at \(f(p.level * 100))%, taking the pilot's standard deviations (scale "
        + "\(p.pilotScale)) and the planned effect as the truth, and what the runs cost at scale \(p.targetScale). "
        + "Planned effect: \(effectWords(p.effect)). "
        + "Sequential: the design `repro run --until-decided` runs, in rounds up to those runs per cell, simulated at the "
        + "first step of Holm's procedure over the report's \(p.familySize) claim lines (level 1 − \(f((1 - p.level) * 100))%/\(p.familySize)), "
        + "so for the family-adjusted verdict: its chance of stopping reproduced and contradicted, and the runs per cell it "
        + "uses on average (1000 simulated experiments on normal scores). Runs per cell (own): a fixed sample for the claim line on its own; "
        + "(family): the largest look of that sequential design at which it reaches the power, grown from the fixed-sample n "
        + "at the family's level in steps of 15%; the core-hours (at that largest look) and the commands are for it."
        + (p.budget.map { " Budget: \(f($0, 1)) core-hours per claim; a claim above it is not decidable within it." } ?? "")
        + " The pilot's effects and spreads are those of its budget; at another budget they may differ.", "",
      "Made by `\(command)`.", "",
      "| Claim | Task | Pilot left − right | Pilot runs | Pilot verdict (own / family) | Planned effect | Target | Runs per cell (own) | Power | "
        + "Runs per cell (family) | Sequential P(reproduced) / P(contradicted), mean runs | Core-hours | Note |",
      "|:--|:--|--:|--:|:--|--:|:--|--:|--:|--:|:--|--:|:--|",
    ]
    for c in p.claims {
      let sequential = c.sequential.map { "\(f($0.reproduced, 2)) / \(f($0.contradicted, 2)), \(f($0.expectedRunsPerCell, 1))" } ?? "—"
      var note = c.overBudget ? "over the budget: not decidable within it" : (c.plan.reason ?? c.plan.method)
      if p.effect != .pilot, let e = c.plannedEffect, e == c.pilotDifference {
        note += "; planned at the pilot's means (not one contrast of cell means: its effect is not shrunk)"
      }
      out.append("| `\(c.claim)` | \(c.task.rawValue) | \(f(c.pilotDifference)) | \(c.pilotRuns) | "
        + "\(c.pilotVerdict?.rawValue ?? "—") / \(c.pilotFamilyVerdict?.rawValue ?? "—") | \(f(c.plannedEffect)) | "
        + "\(c.plan.target?.rawValue ?? "—") | \(c.plan.runsPerCell.map(String.init) ?? "not decidable") | "
        + "\(f(c.plan.power, 2)) | \(c.familyRunsPerCell.map(String.init) ?? "—") | \(sequential) | \(f(c.coreHours, 1)) | \(escapeMarkdown(note)) |")
    }
    out += ["", "Runs per cell the decidable claims need (the most any claim asks of the cell), at scale \(p.targetScale):", "",
            "| Row | Task | Runs | Minutes per run | Core-hours |", "|:--|:--|--:|--:|--:|"]
    for c in p.cellRuns {
      out.append("| \(escapeMarkdown(c.row)) | \(c.task.rawValue) | \(c.runs) | \(f(c.secondsPerRun / 60, 1)) | "
        + "\(f(Double(c.runs) * c.secondsPerRun / 3600, 1)) |")
    }
    out += ["", "**Total: \(f(p.totalCoreHours, 1)) core-hours** for every cell to reach its runs "
              + "(minutes per run measured on the pilot's runs, scaled to the target budget by steps).", "",
            "Next: `\(next)`", ""]
    if let c = p.cheapestToDecide, let cheapest {
      out += ["The cheapest claim to decide first (`\(c.claim)` on \(c.task.rawValue), \(f(c.coreHours, 1)) core-hours "
                + "for \(c.familyRunsPerCell ?? 0) runs per cell, the pilot's included): `\(cheapest)`", ""]
    }
    return out.joined(separator: "\n")
  }

  static func effectWords(_ e: PlanningEffect) -> String {
    switch e {
    case .pilot: return "the pilot's difference of means as it is (optimistic: a pilot's estimate of a claim it favours tends to be too large)"
    case .lower: return "the pilot's difference shrunk to the end of its 80% interval nearer 0 (the default; a claim whose interval reaches 0 is not planned)"
    case .smallest: return "the claim's smallest effect of interest, on the pilot's side"
    }
  }

  /// The plan as JSON (sorted keys).
  public static func json(_ p: SeedPlanReport, command: String, next: String, cheapest: String? = nil) -> String {
    JSONValue.object([
      ("schema", .string("repro.seed-plan/1")), ("manifest", .string(p.manifest)), ("pilotScale", .string(p.pilotScale)),
      ("targetScale", .string(p.targetScale)), ("power", .double(p.power)), ("level", .double(p.level)),
      ("effect", .string(p.effect.rawValue)), ("budget", p.budget.map(JSONValue.double) ?? .null), ("familySize", .int(p.familySize)),
      ("command", .string(command)), ("next", .string(next)),
      ("nextCheapest", cheapest.map(JSONValue.string) ?? .null), ("totalCoreHours", .double(p.totalCoreHours)),
      ("claims", .array(p.claims.map { c in
        .object([
          ("claim", .string(c.claim)), ("task", .string(c.task.rawValue)),
          ("pilotDifference", c.pilotDifference.map(JSONValue.double) ?? .null), ("pilotRuns", .int(c.pilotRuns)),
          ("pilotVerdict", c.pilotVerdict.map { .string($0.rawValue) } ?? .null),
          ("pilotFamilyVerdict", c.pilotFamilyVerdict.map { .string($0.rawValue) } ?? .null),
          ("target", c.plan.target.map { .string($0.rawValue) } ?? .null),
          ("runsPerCell", c.plan.runsPerCell.map(JSONValue.int) ?? .null),
          ("power", c.plan.power.map(JSONValue.double) ?? .null), ("method", .string(c.plan.method)),
          ("reason", c.plan.reason.map(JSONValue.string) ?? .null), ("cells", .array(c.cells.map(JSONValue.string))),
          ("coreHours", c.coreHours.map(JSONValue.double) ?? .null),
          ("plannedEffect", c.plannedEffect.map(JSONValue.double) ?? .null), ("overBudget", .bool(c.overBudget)),
          ("familyRunsPerCell", c.familyRunsPerCell.map(JSONValue.int) ?? .null),
          ("sequential", c.sequential.map { s in
            .object([("reproduced", .double(s.reproduced)), ("contradicted", .double(s.contradicted)),
                     ("inconclusive", .double(s.inconclusive)), ("meanRunsPerCell", .double(s.expectedRunsPerCell)),
                     ("replicates", .int(s.replicates))])
          } ?? .null),
        ])
      })),
      ("cells", .array(p.cellRuns.map { c in
        .object([("row", .string(c.row)), ("task", .string(c.task.rawValue)), ("runs", .int(c.runs)),
                 ("secondsPerRun", .double(c.secondsPerRun))])
      })),
    ]).pretty
  }
}
