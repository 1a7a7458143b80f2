import Experiments
import Foundation
import RunModel
import XCTest

/// experiments/cleanrl.json: CleanRL's preset at CleanRL's budget, scored as CleanRL's
/// benchmark scores, beside CleanRL's published v4 figures.
final class CleanRLManifestTests: XCTestCase {
  func load() throws -> Manifest {
    try Manifest.load(path: repoRoot.appendingPathComponent("experiments/cleanrl.json").path)
  }

  func testRunsCleanRLsPresetAtCleanRLsBudgetAndScore() throws {
    let m = try load()
    XCTAssertEqual(m.score, .cleanRL, "the mean of each run's last 100 episodic returns (openrlbenchmark rlops)")
    XCTAssertEqual(m.tasks, [.hopper, .walker2d, .humanoid])
    let e = try m.expand(scale: "paper")
    XCTAssertEqual(e.uniqueSpecs.count, 9)
    XCTAssertEqual(Set(e.uniqueSpecs.map(\.seed)), [1, 2, 3], "CleanRL's benchmark: --num-seeds 3 from seed 1")
    for spec in e.uniqueSpecs {
      XCTAssertEqual(spec.config, Preset.cleanRL.config(on: spec.task), "no override of the preset")
      XCTAssertEqual(spec.config.iterations * spec.config.stepsPerIteration, 1_000_000 / 2048 * 2048)
    }
  }

  /// CleanRL's published MuJoCo v4 means (docs/benchmark/ppo_continuous_action.md at cleanrl@35896b1).
  func testPaperValuesAreCleanRLsPublishedFigures() throws {
    let m = try load()
    XCTAssertEqual(m.paperValue(row: "CleanRL", task: .hopper)?.value, 2382.86)
    XCTAssertEqual(m.paperValue(row: "CleanRL", task: .walker2d)?.value, 2287.95)
    XCTAssertEqual(m.paperValue(row: "CleanRL", task: .humanoid)?.value, 716.11)
    let description = try XCTUnwrap(m.description)
    for text in ["271.74", "571.78", "49.08", "v4", "v5", "friction", "contact cost"] {
      XCTAssertTrue(description.contains(text), "the description states \(text)")
    }
  }

  /// The quick scale trains on the 2-core machine in well under 20 minutes (priced from the
  /// measured per-step costs of PPO, whose update does the same passes as CleanRL's).
  func testQuickScaleIsCheap() throws {
    let e = try load().expand(scale: "quick")
    let seconds = e.uniqueSpecs.compactMap { CostModel.reference.seconds($0) }
    XCTAssertEqual(seconds.count, e.uniqueSpecs.count)
    XCTAssertLessThan(seconds.reduce(0, +) / 2, 10 * 60, "core-seconds over 2 cores")
    XCTAssertLessThan(seconds.max() ?? 0, 5 * 60, "the longest run")
  }
}
