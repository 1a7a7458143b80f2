import Experiments
import Foundation
import Reports
import RunModel
import Statistics
import XCTest

// No single cell, claim or derived row can sink a report: a seeded property test
// builds reports from random archives (written and read back) with extreme,
// non-finite, constant, tiny and empty cells, and formulas over them that divide by zero or overflow. None may
// throw; every line that cannot be judged says why; the rest is written.

/// The shapes a cell's scores take in this test.
private enum CellShape: CaseIterable {
  case ordinary, huge, beyondRange, constant, tiny, single, nonFinite, allDiverged, missing, hugeBesideDiverged
}

private func scores(_ shape: CellShape, count: Int, _ g: inout SplitMix64) -> [Double?] {
  switch shape {
  case .ordinary: return (0..<count).map { _ in 1000 + 800 * (g.unit() - 0.5) }
  case .huge: return (0..<count).map { _ in (g.unit() < 0.5 ? -1 : 1) * pow(10, 150 + 8 * g.unit()) }
  case .beyondRange: return (0..<count).map { _ in (g.unit() < 0.5 ? -1 : 1) * 1.7e308 * g.unit() }
  case .constant: return Array(repeating: 1234.5, count: count)
  case .tiny: return (0..<count).map { _ in 1e-310 * g.unit() }
  case .single: return [1000 * g.unit()] + Array(repeating: nil, count: count - 1)
  case .nonFinite: return (0..<count).map { _ in g.pick([Double.nan, .infinity, -.infinity, 5]) }
  case .allDiverged: return Array(repeating: nil, count: count)
  case .missing: return []
  case .hugeBesideDiverged: return [-7.4e154, -21114, -2.4e154] + Array(repeating: nil, count: max(0, count - 3))
  }
}

final class ReportRobustnessTests: XCTestCase {
  /// Random derived rows and claims over the rows A, B, C (and each other).
  private func manifest(_ g: inout SplitMix64) -> String {
    let terms = ["[A]", "[B]", "[C]", "([A] - [A])", "([B] - [C])", "abs([A] - [B])", "1e300", "0"]
    func formula() -> String {
      let ops = [" + ", " - ", " * ", " / "]
      // The first term is a row, so that the formula refers to one.
      return (0..<g.below(3)).reduce(g.pick(Array(terms.prefix(6)))) { f, _ in f + g.pick(ops) + g.pick(terms) }
    }
    let d1 = formula(), d2 = formula()
    let rows = ["A", "B", "C", "D1", "D2"]
    var claims: [String] = []
    for k in 0..<(2 + g.below(4)) {
      let l = g.pick(rows), r = g.pick(rows.filter { $0 != l })
      claims.append(#"{"name": "c\#(k)", "left": "\#(l)", "op": "\#(g.pick([">", "<", ">="]))", "right": "\#(r)", "tasks": "all"}"#)
    }
    return """
    {
      "name": "fuzz", "citation": "Report robustness (random results)", "tasks": ["Hopper", "Walker2d"],
      "algorithms": {"A": {"preset": "PPO"}, "B": {"preset": "PPO-M"}, "C": {"preset": "TRPO"}},
      "seeds": {"count": 5, "base": 1},
      "scales": {"tiny": {"iterations": 3, "stepsPerIteration": 64, "note": "random numbers"}},
      "defaultScale": "tiny", "score": {"method": "lastMean", "iterations": 2},
      "derived": {"D1": "\(d1)", "D2": "\(d2)"},
      "paper": {"A": {"Hopper": {"mean": 2513}}, "D1": {"Walker2d": {"mean": 99}}},
      "claims": [\(claims.joined(separator: ", "))]
    }
    """
  }

  func testReportsFromRandomExtremeResultsAreAlwaysWrittenAndSayWhyALineIsNotJudged() throws {
    var refused = 0
    for caseSeed in UInt64(1)...150 {
      var g = SplitMix64(state: caseSeed)
      let text = manifest(&g)
      // A formula undefined whatever the data (a constant zero divisor) is refused before anything runs.
      guard let e = try? Manifest.decode(text, file: "experiments/fuzz.json").expand() else {
        refused += 1
        continue
      }
      var runs: [String: ArchivedRun] = [:]
      for a in ["A", "B", "C"] {
        for t in e.manifest.tasks {
          let specs = e.specs(algorithm: a, task: t)
          let shape = g.pick(CellShape.allCases)
          for (spec, s) in zip(specs, scores(shape, count: specs.count, &g)) {
            var run = ArchivedRun(spec: spec, result: handMadeResult(spec), score: e.manifest.score)
            run.score = s
            if s == nil || shape == .allDiverged { run.diverged = Divergence(iteration: 1, reason: "value loss is nan") }
            runs[spec.hash] = run
          }
        }
      }
      // Through an archive file and back, as `report --from-archive` reads it: the extreme
      // scores survive the round trip, checksums and all.
      let archived: [String: ArchivedRun]
      do {
        let data = Archive(expansion: e, runs: runs).data
        archived = try Archive.decode(data, file: "fuzz.jsonl").runs(of: e, file: "fuzz.jsonl")
      } catch {
        XCTFail("case \(caseSeed): the archive does not read back: \(error)")
        continue
      }
      for (hash, run) in runs {
        // JSON has no NaN or infinity: a non-finite score is stored as null, which a report treats alike.
        let back = archived[hash]?.score, sent = run.score.flatMap { $0.isFinite ? $0 : nil }
        XCTAssertTrue(back == sent,
                      "case \(caseSeed): score \(String(describing: run.score)) reads back as \(String(describing: back))")
      }
      let report: Report
      do {
        report = try buildReport(expansion: e, runs: archived, manifestHash: "h", context: pinnedContext)
      } catch {
        XCTFail("case \(caseSeed): the report was not built: \(error)\n\(text)")
        continue
      }
      // Every file renders, and every claim line is judged or says why not.
      for (name, body) in renderReportFiles(report) { XCTAssertFalse(body.isEmpty, "case \(caseSeed): \(name) is empty") }
      let lines = report.claims
      XCTAssertEqual(lines.filter(\.everyTask.isEmpty).count, e.manifest.claims.count * e.manifest.tasks.count,
                     "case \(caseSeed): one line per claim and task (and one on every task per claim)")
      for l in lines where l.verdict == nil {
        XCTAssertTrue(l.reason?.hasPrefix("not judged") == true, "case \(caseSeed): \(l.left) vs \(l.right): no reason given")
      }
      for row in try XCTUnwrap(report.results).rows where row.kind != .reference {
        for c in row.cells where c.ours == nil && c.runs.map({ $0.finished > 0 }) ?? true {
          // A cell with finished runs (or a derived cell) but no value says why, unless one of its inputs has no run.
          if row.kind == .algorithm { XCTAssertNotNil(c.unavailable, "case \(caseSeed): \(row.name) has runs but no value and no reason") }
        }
      }
    }
    XCTAssertLessThan(refused, 50, "most random manifests are valid, so that reports are what is tested")
  }

  /// The issue's case: a cell of huge finite scores beside a diverged run, and a
  /// claim that divides by a difference that is 0 on these data.
  func testAHugeCellAndADivisionByZeroLeaveTheRestOfTheReport() throws {
    let text = """
    {
      "name": "hot", "citation": "Huge scores", "tasks": ["Hopper"],
      "algorithms": {"PPO": {"preset": "PPO"}, "PPO-hot": {"preset": "PPO-M"}, "TRPO": {"preset": "TRPO"}},
      "seeds": {"count": 4, "base": 1},
      "scales": {"tiny": {"iterations": 3, "stepsPerIteration": 64, "note": "hand-made"}},
      "defaultScale": "tiny", "score": {"method": "lastMean", "iterations": 2},
      "derived": {"Ratio": "[PPO] / ([TRPO] - [TRPO])"},
      "claims": [
        {"name": "hot", "left": "PPO-hot", "op": ">", "right": "TRPO", "tasks": "all"},
        {"name": "ratio", "left": "Ratio", "op": ">", "right": "PPO", "tasks": "all"},
        {"name": "plain", "left": "PPO", "op": ">", "right": "TRPO", "tasks": "all"}
      ]
    }
    """
    let e = try Manifest.decode(text, file: "experiments/hot.json").expand()
    var runs: [String: ArchivedRun] = [:]
    let hot: [Double?] = [-7.4e154, -21114, -2.4e154, nil]
    for spec in e.specs {
      var run = ArchivedRun(spec: spec, result: handMadeResult(spec), score: e.manifest.score)
      switch spec.algorithm {
      case "PPO-hot":
        run.score = hot[Int(spec.seed) - 1]
        if run.score == nil { run.diverged = Divergence(iteration: 2, reason: "returns are nan") }
      case "PPO": run.score = 2500 + Double(spec.seed) * 10
      default: run.score = 2000 + Double(spec.seed) * 10
      }
      runs[spec.hash] = run
    }
    let report = try buildReport(expansion: e, runs: runs, manifestHash: "h", context: pinnedContext)
    let lines = report.claims
    XCTAssertEqual(lines.count, 3, "one task: no 'on every task' lines")
    XCTAssertNil(lines[0].verdict)
    XCTAssertTrue(lines[0].reason?.contains("PPO-hot") == true, lines[0].reason ?? "no reason")
    XCTAssertNil(lines[1].verdict)
    XCTAssertTrue(lines[1].reason?.contains("division by zero") == true, lines[1].reason ?? "no reason")
    XCTAssertEqual(lines[2].verdict, .reproduced, "the other claims are judged: \(lines[2])")
    let ratio = try XCTUnwrap(report.results?.rows.first { $0.name == "Ratio" })
    XCTAssertTrue(ratio.cells[0].unavailable?.contains("division by zero") == true, ratio.cells[0].unavailable ?? "no reason")
    let md = renderMarkdown(report)
    XCTAssertTrue(md.contains("not judged"), "the report says which lines it could not judge")
  }
}
