import Experiments
import Foundation
import RunModel
import Reports
import Statistics
import XCTest

/// Issue 29: two manifests on two versions of the same robots, compared cell by cell
/// (Welch per cell, Holm over the cells) and claim by claim.
final class VersionComparisonTests: XCTestCase {
  /// `mini` on v5 and the same manifest on v4, trained by a fake whose score is `base(task, row)`
  /// plus seed noise; returns both sides' archives.
  func sides(shift: @escaping @Sendable (String, String) -> Double) throws -> (VersionComparison.Side, VersionComparison.Side) {
    var out: [VersionComparison.Side] = []
    for text in [miniManifest, miniManifest.replacingOccurrences(of: "\"name\": \"mini\"", with: "\"name\": \"mini-v4\"")
                   .replacingOccurrences(of: "\"Hopper\"", with: "\"Hopper-v4\"").replacingOccurrences(of: "\"Walker2d\"", with: "\"Walker2d-v4\"")] {
      let m = try decodeMini(text)
      let e = try m.expand(scale: "tiny")
      let store = ResultStore(directory: try temporaryFolder())
      let summary = Runner.run(e, store: store, jobs: 2, display: quietDisplay(), tick: 0.01) { spec, progress in
        var r = RunResult(task: spec.task.rawValue, seed: spec.seed, config: spec.config)
        let row = spec.config.algorithm == .ppo ? "PPO" : "TRPO"
        // Scores 1000 + 7·seed (a spread), plus the version's shift for the robot and row.
        let level = 1000 + 7 * Double(spec.seed) + (spec.task.row.version == 4 ? shift(spec.task.row.family, row) : 0)
        for i in 0..<spec.config.iterations {
          var it = IterationMetrics(iteration: i)
          it.meanReturn = level + Double(spec.seed * spec.seed % 5)
          it.episodes = 3
          r.iterations.append(it)
          progress(i + 1)
        }
        r.totalSteps = spec.config.iterations * spec.config.stepsPerIteration
        return r
      }
      XCTAssertTrue(summary.succeeded)
      out.append(VersionComparison.Side(expansion: e, runs: Archive(expansion: e, stored: store.loadStored(e).runs).runs))
    }
    return (out[0], out[1])
  }

  let context = ReportContext(gitCommit: "", mujocoVersion: "3.3.7", machine: Machine(cpuModel: "test", cores: 2), date: "", command: "test")

  func testCellsPairByRobotAndAShiftedCellDiffersAsAFamily() throws {
    // v4 scores 500 higher for PPO on Walker2d only.
    let (a, b) = try sides { robot, row in robot == "Walker2d" && row == "PPO" ? 500 : 0 }
    let c = try VersionComparison(a: a, b: b, context: context)
    XCTAssertEqual(c.cells.map { "\($0.row) \($0.taskA)/\($0.taskB)" },
                   ["PPO Hopper/Hopper-v4", "PPO Walker2d/Walker2d-v4", "TRPO Hopper/Hopper-v4", "TRPO Walker2d/Walker2d-v4"])
    for cell in c.cells {
      XCTAssertEqual(cell.scoresA.count, 3)
      if cell.row == "PPO" && cell.robot == "Walker2d" {
        XCTAssertEqual(cell.own, .contradicted, "A (v5) is lower")
        XCTAssertEqual(cell.family.verdict, .contradicted)
        XCTAssertEqual(cell.difference?.estimate ?? 0, -500, accuracy: 1e-9)
      } else {
        XCTAssertEqual(cell.difference?.estimate ?? 1, 0, accuracy: 1e-9)
        XCTAssertEqual(cell.family.verdict, .inconclusive)
      }
    }
    // Claims pair by text and robot: mini's one claim is on Hopper.
    XCTAssertEqual(c.claims.map { "\($0.claim) \($0.robot)" }, ["[PPO] > [TRPO] Hopper"])
    let md = c.markdown(command: "repro compare a b")
    XCTAssertTrue(md.contains("| PPO | Walker2d | 1017 (3) | 1517 (3) | -500 ["), md)
    XCTAssertTrue(md.contains("differs, A lower"), md)
    guard case let .array(cells)? = c.json["cells"] else { return XCTFail("cells in the JSON") }
    XCTAssertEqual(cells[1]["family"]?.stringValue, "contradicted")
  }

  /// The family's error by simulation: 12 cells with no difference in any mean, normal scores
  /// with unequal spreads at 5 and 10 runs, 4000 experiments: "differs" for any cell in at most
  /// 5% of them (Holm), within Monte Carlo error (3 standard errors: 5% + 1.0%). Without the
  /// family step, the same cells' own verdicts would say "differs" for some cell far more often.
  func testTheFamilyKeepsItsErrorWhenNoCellDiffers() throws {
    var rng = SplitMix64(state: 29)
    func normal() -> Double {
      let u = max(rng.unit(), 1e-300), v = rng.unit()
      return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
    let experiments = 4000
    var familyAny = 0, ownAny = 0
    for _ in 0..<experiments {
      let pairs = (0..<12).map { k -> ([Double], [Double]) in
        let n = k % 2 == 0 ? 5 : 10
        return ((0..<n).map { _ in 1000 + 300 * normal() }, (0..<n).map { _ in 1000 + 100 * normal() })
      }
      let j = try VersionComparison.judge(pairs.map { (a: $0.0, b: $0.1) }, level: 0.95)
      if j.contains(where: { $0.family.divisor != nil }) { familyAny += 1 }
      if j.contains(where: { $0.own == .reproduced || $0.own == .contradicted }) { ownAny += 1 }
    }
    let rate = Double(familyAny) / Double(experiments)
    let se = (0.05 * 0.95 / Double(experiments)).squareRoot()
    XCTAssertLessThanOrEqual(rate, 0.05 + 3 * se, "family-wise rate of a false 'differs'")
    XCTAssertGreaterThan(Double(ownAny) / Double(experiments), 0.3, "12 unadjusted cells err far more often")
  }
}
