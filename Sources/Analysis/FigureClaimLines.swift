import Foundation
import Manifests
import Reports
import RunModel
import Statistics

extension RunStatistic {
  /// The statistic of one run; nil when it recorded no finite value of the diagnostic.
  public func value(_ run: ArchivedRun.Diagnostics, config: TrainerConfig) -> Double? {
    let stats = batch == .train ? run.train : run.heldOut
    let series: [Double?]
    switch diagnostic {
    case .meanKL: series = stats.meanKL
    case .maxKL: series = stats.maxKL
    case .maxRatio: series = stats.maxRatio
    }
    var xs: [Double] = []
    for (i, v) in zip(run.iterations, series) {
      guard let v, v.isFinite else { continue }
      if perBound {
        guard let b = RunStatistic.bound(diagnostic, config, iteration: i) else { return nil }
        xs.append(v / b)
      } else {
        xs.append(v)
      }
    }
    guard !xs.isEmpty else { return nil }
    switch over {
    case .max: return xs.max()
    case .median:
      xs.sort()
      let n = xs.count
      return n % 2 == 1 ? xs[n / 2] : xs[n / 2 - 1] + (xs[n / 2] - xs[n / 2 - 1]) / 2
    }
  }
}

// MARK: - Judging, for the report

/// Lines for the claims of one row against a number, and between grid factor values.
func figureClaimLine(_ claim: ManifestClaim, task t: TaskID, _ inputs: ReportInputs) throws -> TestedLine {
  let level = inputs.options.confidenceLevel
  let relation = claim.op.relation
  let opNote = (claim.op == .greaterOrEqual || claim.op == .lessOrEqual)
    ? "claimed \(claim.op.rawValue), judged as \(relation.rawValue)" : nil
  switch claim.subject {
  case .rows:
    preconditionFailure("row claims are judged by claimLines")
  case .median(let statistic, let bound):
    let specs = inputs.expansion.specs(algorithm: claim.left, task: t)
    var values: [Double] = []
    var without = 0
    for spec in specs {
      guard let run = inputs.results[spec.hash], let score = run.finishedScore else { continue }
      if let statistic {
        guard let d = run.curves.diagnostics, let v = statistic.value(d, config: spec.config) else { without += 1; continue }
        values.append(v)
      } else {
        values.append(score)
      }
    }
    let j = try judgeMedian(values, relation: relation, bound: bound, level: level)
    var caveats: [String] = []
    if let c = inputs.cells[claim.left]?[t], let why = incompleteSummary(c) { caveats.append("\(claim.left): \(why)") }
    if without > 0 { caveats.append("\(without) finished run\(without == 1 ? "" : "s") recorded no \(statistic?.diagnostic.words ?? "value")") }
    let line = ClaimLine(
      left: "median of [\(claim.left)]: \(statistic?.text ?? "score")", relation: relation, right: claim.right, task: t.rawValue,
      difference: j.difference, verdict: j.verdict, reason: j.notJudged.map { "not judged: \($0)" } ?? opNote,
      method: "order-statistic interval of the median (sign test); runs: \(claim.left) \(j.runs)", caveats: caveats,
      kind: .median, decimals: abs(bound) < 100 ? 3 : 0)
    return TestedLine(line: line) { a in try judgeMedian(values, relation: relation, bound: bound, level: 1 - a).verdict }
  case .factor(let factorName):
    guard let grid = inputs.manifest.grid, let fi = grid.factors.firstIndex(where: { $0.name == factorName }) else {
      preconditionFailure("factor claims are decoded only with their grid")
    }
    let f = grid.factors[fi]
    let scores: (String) -> [Double] = { inputs.scores($0, t) ?? [] }
    let selection = grid.selected(scores: scores)
    func group(_ value: String) -> [Double] {
      let v = f.values.indices.first { f.text($0) == value }!  // decoding checked the value
      return grid.selectedScores(factor: fi, value: v, in: selection, scores: scores)
    }
    let leftName = "\(factorName) \(claim.left)", rightName = "\(factorName) \(claim.right)"
    let statement = Claim(left: Formula(expression: .name(leftName)), relation: relation, right: Formula(expression: .name(rightName)))
    let calibrated = try CalibratedClaim(statement)
    let cells = [leftName: group(claim.left), rightName: group(claim.right)]
    let j = try calibrated.judge(cells: cells, level: level)
    let runs = j.runsPerCell.map { "\($0.cell) \($0.runs)" }.joined(separator: ", ")
    let line = ClaimLine(
      left: "[\(leftName)]", relation: relation, right: "[\(rightName)]", task: t.rawValue,
      difference: j.difference, verdict: j.verdict, reason: j.notJudged.map { "not judged: \($0)" } ?? opNote,
      method: "\(j.method) on the runs the grid's selection keeps; runs: \(runs)", kind: .gridFactor)
    return TestedLine(line: line) { a in try calibrated.judge(cells: cells, level: 1 - a).verdict }
  }
}
