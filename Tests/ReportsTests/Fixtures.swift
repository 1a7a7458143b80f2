import RunModel
import Reports
import Statistics

/// Hand-made models for the renderers' tests. "Ours" is the paper's own
/// Table 2 (so ours and paper agree), except where a test needs otherwise:
/// Hopper PPO has 2 missing runs and Humanoid TRPO+ 1 diverged run, so the
/// snapshot shows how incomplete cells are drawn.
enum Fixtures {
  static func ci(_ e: Double, _ lo: Double, _ hi: Double) -> ConfidenceInterval {
    ConfidenceInterval(estimate: e, low: lo, high: hi, level: 0.95)
  }

  static func algorithm(
    _ name: String, _ cells: [(Double, Double, Double)], runs: [RunCounts]? = nil,
    iqm: [ConfidenceInterval]? = nil
  ) -> ReportRow {
    ReportRow(
      name: name, kind: .algorithm,
      cells: cells.enumerated().map { j, c in
        ReportCell(
          ours: ci(c.0, c.1, c.2), runs: runs?[j] ?? .complete(80), iqm: iqm?[j],
          paper: PaperValue(c.0, c.1, c.2))
      })
  }

  static let aai = "max(abs([PPO] - [TRPO+]), abs([PPO-M] - [TRPO]))"
  static let acli = "max(abs([PPO] - [PPO-M]), abs([TRPO+] - [TRPO]))"

  static var provenance: Provenance {
    Provenance(
      manifestHash: "3f9a1c07d2b84e55a0c6e1f2b3d4a5968778695a4b3c2d1e0f9e8d7c6b5a4938",
      seeds: Array(0..<80), iterations: 488, stepsPerIteration: 2048,
      bootstrap: .paper, bootstrapSeed: 20_200_426,
      gitCommit: "0123456789abcdef0123456789abcdef01234567", mujocoVersion: "3.3.7",
      machine: Machine(cpuModel: "AMD EPYC 7B13", cores: 64, system: "Linux x86_64"),
      date: "2026-11-23T12:00:00Z", computeHours: 1234.56, command: "make reproduce-table2")
  }

  /// Table 2 of the paper, as if we had got exactly its numbers.
  static var table2: Report {
    let ppo = algorithm(
      "PPO", [(3292, 3157, 3426), (2513, 2391, 2632), (806, 785, 827)],
      runs: [.complete(80), RunCounts(expected: 80, finished: 78, missing: 2, diverged: 0), .complete(80)],
      iqm: [ci(3350, 3190, 3478), ci(2601, 2450, 2733), ci(811, 790, 833)])
    let ppoM = algorithm(
      "PPO-M", [(2735, 2602, 2866), (2142, 2008, 2279), (674, 656, 695)],
      iqm: [ci(2760, 2611, 2902), ci(2150, 1998, 2301), ci(672, 653, 694)])
    let trpo = algorithm(
      "TRPO", [(2791, 2709, 2873), (2043, 1948, 2136), (586, 576, 596)],
      iqm: [ci(2800, 2712, 2890), ci(2049, 1950, 2150), ci(587, 577, 598)])
    let trpoPlus = algorithm(
      "TRPO+", [(3050, 2976, 3126), (2466, 2381, 2549), (1030, 979, 1083)],
      runs: [.complete(80), .complete(80), RunCounts(expected: 80, finished: 79, missing: 0, diverged: 1)],
      iqm: [ci(3061, 2980, 3140), ci(2480, 2390, 2566), ci(1021, 968, 1077)])
    let aaiRow = ReportRow(
      name: "AAI", kind: .derived, formula: aai, inputs: ["PPO", "PPO-M", "TRPO", "TRPO+"],
      cells: [
        ReportCell(ours: ci(242, 95, 391), paper: PaperValue(242)),
        ReportCell(ours: ci(99, 12, 230), paper: PaperValue(99)),
        ReportCell(ours: ci(224, 166, 281), paper: PaperValue(224)),
      ])
    let acliRow = ReportRow(
      name: "ACLI", kind: .derived, formula: acli, inputs: ["PPO", "PPO-M", "TRPO", "TRPO+"],
      cells: [
        ReportCell(ours: ci(557, 380, 741), paper: PaperValue(557)),
        ReportCell(ours: ci(423, 250, 597), paper: PaperValue(421)),
        ReportCell(ours: ci(444, 387, 502), paper: PaperValue(444)),
      ])
    let baselines = ReportRow(
      name: "PPO (baselines)", kind: .reference,
      cells: [ReportCell(paper: PaperValue(3424)), ReportCell(paper: PaperValue(2316)), ReportCell()])
    let claims = [
      ClaimLine(left: "[ACLI]", relation: .greaterThan, right: "[AAI]", task: "Walker2d",
                difference: ci(315, 98, 530), verdict: .reproduced),
      ClaimLine(left: "[ACLI]", relation: .greaterThan, right: "[AAI]", task: "Hopper",
                difference: ci(324, 110, 541), verdict: .reproduced),
      ClaimLine(left: "[ACLI]", relation: .greaterThan, right: "[AAI]", task: "Humanoid",
                difference: ci(220, -12.5, 301), verdict: .inconclusive),
      ClaimLine(left: "[PPO]", relation: .lessThan, right: "[TRPO]", task: "Walker2d",
                difference: ci(501, 350, 652), verdict: .contradicted),
    ]
    let robust = RobustSection(
      improvements: [
        ImprovementRow(x: "PPO", y: "PPO-M", cells: [ci(0.71, 0.63, 0.785), ci(0.66, 0.575, 0.74), ci(0.83, 0.77, 0.885)]),
        ImprovementRow(x: "TRPO+", y: "TRPO", cells: [ci(0.69, 0.61, 0.76), ci(0.72, 0.645, 0.79), nil]),
      ],
      note: "P(TRPO+ > TRPO) on Humanoid is left out in this fixture to show an empty cell.")
    let table = ResultsTable(
      scoreDefinition: "mean return of the last 5 iterations (mean completed-episode return per iteration)",
      columns: ["Walker2d", "Hopper", "Humanoid"],
      rows: [ppo, ppoM, trpo, trpoPlus, aaiRow, acliRow, baselines],
      notes: ["The paper prints 421 for Hopper's ACLI; its printed means give 2466 - 2043 = 423."])
    return Report(
      title: "Table 2: PPO, PPO-M, TRPO and TRPO+ on MuJoCo",
      citation: "Engstrom, Ilyas et al., \"Implementation Matters in Deep Policy Gradients\", ICLR 2020",
      manifestName: "table2", scale: "full",
      sections: [.results(table), .claims(claims), .robust(robust)],
      provenance: provenance)
  }

  /// A one-column model with the given cell runs for the first algorithm row.
  static func small(runs: RunCounts, ours: ConfidenceInterval?, name: String = "PPO") -> Report {
    Report(
      title: "T", citation: "C", manifestName: "m", scale: "smoke",
      sections: [.results(ResultsTable(scoreDefinition: "s", columns: ["Hopper"], rows: [
        ReportRow(name: name, kind: .algorithm,
                  cells: [ReportCell(ours: ours, runs: runs, paper: PaperValue(2513, 2391, 2632))]),
        ReportRow(name: "TRPO", kind: .algorithm,
                  cells: [ReportCell(ours: ci(2043, 1948, 2136), runs: .complete(80), paper: nil)]),
        ReportRow(name: "D", kind: .derived, formula: "[\(name)] - [TRPO]", inputs: [name, "TRPO"],
                  cells: [ReportCell(ours: ci(1, 0, 2))]),
      ]))],
      provenance: provenance)
  }
}

// Conveniences for the tests: the report's results table and its parts.
extension Report {
  var table: ResultsTable {
    get { results! }
    set { results = newValue }
  }
  var columns: [String] {
    get { table.columns }
    set { table.columns = newValue }
  }
  var rows: [ReportRow] {
    get { table.rows }
    set { table.rows = newValue }
  }
  var notes: [String] {
    get { table.notes }
    set { table.notes = newValue }
  }
}

func renderLaTeXTabular(_ r: Report) -> String { renderLaTeXTabular(r.table) }
func renderCSV(_ r: Report) -> String { renderCSV(r.table) }
