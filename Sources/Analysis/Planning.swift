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
  public var plan: RunPlan
  /// The algorithm cells the claim's runs are added to.
  public var cells: [String]
  /// Core-hours at the target budget for `runsPerCell` runs in each cell (nil when not decidable).
  public var coreHours: Double?
}

/// A whole plan: per claim, and per cell the most runs any claim asks of it.
public struct SeedPlanReport: Sendable, Equatable {
  public var manifest: String
  public var pilotScale: String
  public var targetScale: String
  public var power: Double
  public var level: Double
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
      c.coreHours != nil && (c.plan.runsPerCell ?? 0) > c.pilotRuns && (c.pilotVerdict ?? .inconclusive) == .inconclusive
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
    power: Double = 0.8, level: Double = 0.95, cap: Int = 1000, seed: UInt64 = 0
  ) throws -> SeedPlanReport {
    try plan(manifest: manifest, pilot: pilot, pilotRuns: archivedRuns(pilot, pilotResults), target: target,
             power: power, level: level, cap: cap, seed: seed)
  }

  /// The plan from the pilot's archive records (results, an archive, or both),
  /// priced by the records' own timings.
  public static func plan(
    manifest: Manifest, pilot: Expansion, pilotRuns: [String: ArchivedRun], target: Expansion,
    power: Double = 0.8, level: Double = 0.95, cap: Int = 1000, seed: UInt64 = 0
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
          claims.append(ClaimPlan(
            claim: "[\(claim.left)] \(claim.op.rawValue) [\(claim.right)]", task: t, pilotDifference: nil, pilotRuns: pilotRuns,
            plan: RunPlan(runsPerCell: nil, target: nil, power: nil, method: "\(calibrated.method)",
                          reason: "the pilot has fewer than 2 finished runs in a cell"),
            cells: rows, coreHours: nil))
          continue
        }
        let p = try planRunsPerCell(for: calibrated, pilot: pilotCells, level: level, power: power, cap: cap, seed: seed)
        let difference = try statement.left.evaluate { pilotCells[$0]?.mean ?? .nan }
          - statement.right.evaluate { pilotCells[$0]?.mean ?? .nan }
        var hours: Double? = nil
        if let n = p.runsPerCell {
          hours = rows.reduce(0) { $0 + Double(n) * secondsPerRun($1, t) } / 3600
          for r in rows { needed["\(r)\u{0}\(t.rawValue)"] = max(needed["\(r)\u{0}\(t.rawValue)"] ?? 0, n) }
        }
        let verdict = try calibrated.judge(summaries: pilotCells, level: level).verdict
        claims.append(ClaimPlan(
          claim: "[\(claim.left)] \(claim.op.rawValue) [\(claim.right)]", task: t, pilotDifference: difference,
          pilotRuns: pilotRuns, pilotVerdict: verdict, plan: p, cells: rows, coreHours: hours))
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
    return SeedPlanReport(
      manifest: manifest.name, pilotScale: pilot.scale.name, targetScale: target.scale.name, power: power, level: level,
      claims: claims, cellRuns: cellRuns, totalCoreHours: total, maxRunsPerCell: cellRuns.map(\.runs).max() ?? 0)
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
        + "by the report's calibrated verdict at \(f(p.level * 100))%, taking the pilot's cell means and standard "
        + "deviations (scale \(p.pilotScale)) as the truth, and what the runs cost at scale \(p.targetScale). "
        + "The pilot's effects and spreads are those of its budget; at another budget they may differ.", "",
      "Made by `\(command)`.", "",
      "| Claim | Task | Pilot left − right | Pilot runs | Pilot verdict | Target | Runs per cell | Power | Core-hours | Note |",
      "|:--|:--|--:|--:|:--|:--|--:|--:|--:|:--|",
    ]
    for c in p.claims {
      out.append("| `\(c.claim)` | \(c.task.rawValue) | \(f(c.pilotDifference)) | \(c.pilotRuns) | "
        + "\(c.pilotVerdict?.rawValue ?? "—") | "
        + "\(c.plan.target?.rawValue ?? "—") | \(c.plan.runsPerCell.map(String.init) ?? "not decidable") | "
        + "\(f(c.plan.power, 2)) | \(f(c.coreHours, 1)) | \(escapeMarkdown(c.plan.reason ?? c.plan.method)) |")
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
                + "for \(c.plan.runsPerCell ?? 0) runs per cell, the pilot's included): `\(cheapest)`", ""]
    }
    return out.joined(separator: "\n")
  }

  /// The plan as JSON (sorted keys).
  public static func json(_ p: SeedPlanReport, command: String, next: String, cheapest: String? = nil) -> String {
    JSONValue.object([
      ("schema", .string("repro.seed-plan/1")), ("manifest", .string(p.manifest)), ("pilotScale", .string(p.pilotScale)),
      ("targetScale", .string(p.targetScale)), ("power", .double(p.power)), ("level", .double(p.level)),
      ("command", .string(command)), ("next", .string(next)),
      ("nextCheapest", cheapest.map(JSONValue.string) ?? .null), ("totalCoreHours", .double(p.totalCoreHours)),
      ("claims", .array(p.claims.map { c in
        .object([
          ("claim", .string(c.claim)), ("task", .string(c.task.rawValue)),
          ("pilotDifference", c.pilotDifference.map(JSONValue.double) ?? .null), ("pilotRuns", .int(c.pilotRuns)),
          ("pilotVerdict", c.pilotVerdict.map { .string($0.rawValue) } ?? .null),
          ("target", c.plan.target.map { .string($0.rawValue) } ?? .null),
          ("runsPerCell", c.plan.runsPerCell.map(JSONValue.int) ?? .null),
          ("power", c.plan.power.map(JSONValue.double) ?? .null), ("method", .string(c.plan.method)),
          ("reason", c.plan.reason.map(JSONValue.string) ?? .null), ("cells", .array(c.cells.map(JSONValue.string))),
          ("coreHours", c.coreHours.map(JSONValue.double) ?? .null),
        ])
      })),
      ("cells", .array(p.cellRuns.map { c in
        .object([("row", .string(c.row)), ("task", .string(c.task.rawValue)), ("runs", .int(c.runs)),
                 ("secondsPerRun", .double(c.secondsPerRun))])
      })),
    ]).pretty
  }
}
