// The claims the paper draws from its figures, as manifest claims with calibrated verdicts.
//
// Two forms beside the row-against-row claims of the tables:
//
// - One row's runs against a number, on the median run:
//     {"name": "TRPO's mean KL stays within δ", "left": "TRPO", "op": "<=", "right": 1,
//      "statistic": {"diagnostic": "meanKL", "batch": "train", "over": "max", "perBound": true}, "tasks": "all"}
//   Each finished run gives one number (the statistic, or its score when no statistic is
//   given); the claim is judged on the order-statistic interval of their median
//   (`judgeMedian`: exact for any continuous distribution, at least 6 runs at 95%).
// - A grid factor's two values (the paper's Figure 1):
//     {"name": "Reward scaling helps", "factor": "RS", "left": "returns", "op": ">", "right": "none", "tasks": "all"}
//   The runs the grid's selection keeps (`Grid.selected`) with the factor at `left`, against
//   those at `right`: Welch's t interval of the difference of their mean scores. Its false
//   "reproduced" rate under a grid whose factor does nothing, selection included, is
//   simulated in FigureClaimTests.

import Foundation
import RunModel
import Statistics

/// A per-run number for a claim: one trust-region diagnostic of the run (the paper's
/// Figures 2–4), reduced over the iterations that recorded it.
public struct RunStatistic: Sendable, Equatable {
  public enum Diagnostic: String, Sendable, CaseIterable {
    case meanKL, maxKL, maxRatio
    package var words: String {
      switch self {
      case .meanKL: return "mean KL"
      case .maxKL: return "max KL"
      case .maxRatio: return "max ratio"
      }
    }
  }
  public enum Batch: String, Sendable, CaseIterable {
    case train, heldOut
    package var words: String { self == .train ? "training batch" : "held-out rollout" }
  }
  /// Over the recorded iterations: the largest value, or the median.
  public enum Reduction: String, Sendable, CaseIterable {
    case max, median
  }
  public var diagnostic: Diagnostic
  public var batch: Batch
  public var over: Reduction
  /// Each recorded value is divided by the run's own bound at that iteration first:
  /// TRPO's δ for the mean KL, PPO's 1 + ε for the max ratio.
  public var perBound: Bool

  public init(diagnostic: Diagnostic, batch: Batch, over: Reduction, perBound: Bool) {
    self.diagnostic = diagnostic
    self.batch = batch
    self.over = over
    self.perBound = perBound
  }

  /// E.g. "largest mean KL ÷ δ (training batch)".
  public var text: String {
    let reduce = over == .max ? "largest" : "median"
    let bound = perBound ? (diagnostic == .meanKL ? " ÷ δ" : " ÷ (1 + ε)") : ""
    return "\(reduce) \(diagnostic.words)\(bound) over the recorded iterations (\(batch.words))"
  }

  /// The run's bound on this diagnostic at `iteration` (0-based), or nil when its algorithm has none.
  package static func bound(_ d: Diagnostic, _ c: TrainerConfig, iteration: Int) -> Double? {
    switch d {
    case .meanKL: return c.algorithm.row.meanKLBound(c, iteration)
    case .maxRatio: return c.algorithm.row.ratioBound(c)
    case .maxKL: return nil
    }
  }

}

extension Manifest {
  /// The claims between rows (the tables' claims): the ones `repro plan` and `--until-decided` plan seeds for.
  public var rowClaims: [ManifestClaim] { claims.filter { $0.subject == .rows } }
}

extension ManifestDecoder {
  /// A claim of one row against a number, or between a grid factor's values.
  func figureClaim(_ o: ObjectReader, algorithms: [String], tasks: [TaskID], grid: Grid?) throws -> ManifestClaim {
    let name = try o.required("name").nonEmptyString()
    let op = try claimOp(o)
    let claimTasks = try self.claimTasks(o.required("tasks"), among: tasks)
    let leftNode = try o.required("left"), rightNode = try o.required("right")
    if let factorNode = o.optional("factor") {
      if let s = o.optional("statistic") { throw Fail(s.path, "a factor claim compares scores; it takes no statistic") }
      let factorName = try factorNode.string()
      guard let grid else { throw Fail(factorNode.path, "a factor claim needs the manifest's grid") }
      guard let f = grid.factors.first(where: { $0.name == factorName }) else {
        throw Fail(factorNode.path, "unknown factor '\(factorName)'; " + NameSuggestion.hint(for: factorName, in: grid.factors.map(\.name), listLabel: "the grid's factors:"))
      }
      let values = f.values.indices.map { f.text($0) }
      func value(_ node: Node) throws -> String {
        let s = try node.string()
        guard values.contains(s) else { throw Fail(node.path, "\(factorName) has no value '\(s)'; its values: \(values.joined(separator: ", "))") }
        return s
      }
      let left = try value(leftNode), right = try value(rightNode)
      if left == right { throw Fail(rightNode.path, "compares \(factorName) \(left) with itself") }
      return ManifestClaim(name: name, left: left, op: op, right: right, tasks: claimTasks, subject: .factor(factorName))
    }
    let left = try leftNode.string()
    guard algorithms.contains(left) else {
      throw Fail(leftNode.path, "a claim against a number is about one algorithm row's runs; rows: \(algorithms.joined(separator: ", "))")
    }
    guard rightNode.isNumber else {
      throw Fail(rightNode.path, "a claim with a statistic compares one row's runs with a number: give right as a number")
    }
    let bound = try rightNode.number()
    let statistic = try o.optional("statistic").map(runStatistic)
    return ManifestClaim(
      name: name, left: left, op: op, right: rightNode.value.canonical, tasks: claimTasks,
      subject: .median(statistic, bound: bound))
  }

  func runStatistic(_ node: Node) throws -> RunStatistic {
    let o = try node.object(allowed: ManifestKeys.statistic)
    func pick<E: RawRepresentable & CaseIterable>(_ key: String, _: E.Type) throws -> E where E.RawValue == String {
      let n = try o.required(key)
      let s = try n.string()
      guard let v = E(rawValue: s) else {
        throw Fail(n.path, "unknown \(key) '\(s)'; " + NameSuggestion.hint(for: s, in: E.allCases.map(\.rawValue), listLabel: "expected one of"))
      }
      return v
    }
    let s = RunStatistic(
      diagnostic: try pick("diagnostic", RunStatistic.Diagnostic.self), batch: try pick("batch", RunStatistic.Batch.self),
      over: try pick("over", RunStatistic.Reduction.self), perBound: try o.optional("perBound")?.bool() ?? false)
    if s.perBound && s.diagnostic == .maxKL {
      throw Fail(node.path.appending("perBound"), "no algorithm bounds the max KL (TRPO bounds the mean KL by δ)")
    }
    return s
  }
}

extension Node {
  var isNumber: Bool { if case .number = value { return true } else { return false } }
}

extension Manifest {
  /// Claims on per-run diagnostics that some run could not answer: a bound the row's algorithm does not
  /// have, or no diagnostics recorded. Found when the manifest is read, before anything trains.
  func figureClaimIssues() -> [ManifestError.Issue] {
    var issues: [ManifestError.Issue] = []
    guard let scale = try? resolveScale(nil) else { return [] }
    for (k, claim) in claims.enumerated() {
      guard case .median(let statistic?, _) = claim.subject, let a = algorithm(named: claim.left) else { continue }
      let path = JSONPath([.key("claims"), .index(k), .key("statistic")]).description
      for t in claim.tasks {
        guard let config = try? resolve(a, t, scale).config else { continue }
        if config.diagnosticsEvery <= 0 {
          issues.append(.init(path: path, message: "\(a.name) records no diagnostics on \(t.rawValue) (diagnosticsEvery \(config.diagnosticsEvery))"))
          break
        }
        if statistic.perBound && RunStatistic.bound(statistic.diagnostic, config, iteration: 0) == nil {
          let what = statistic.diagnostic == .meanKL ? "δ (it is not TRPO)" : "a finite 1 + ε (it is not clipped PPO)"
          issues.append(.init(path: path, message: "perBound: \(a.name) has no \(what) on \(t.rawValue)"))
          break
        }
      }
    }
    return issues
  }
}
