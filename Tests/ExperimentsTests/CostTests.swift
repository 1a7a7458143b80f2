import Experiments
import RunModel
import XCTest

/// Run costs come from finished runs' timings, in one place (CostModel), and
/// price a manifest cell by cell (CostEstimate, `repro cost`).
final class CostTests: XCTestCase {
  func timed(_ spec: RunSpec, secondsPerStep: Double, steps: Int) -> RunResult {
    var r = RunResult(task: spec.task.rawValue, seed: spec.seed, config: spec.config)
    r.totalSteps = steps
    r.timing.wallSeconds = secondsPerStep * Double(steps)
    return r
  }

  func testRatesAreMediansPerTaskAndAlgorithm() throws {
    let tiny = try decodeMini().expand(scale: "tiny")
    let ppo = tiny.specs(algorithm: "PPO", task: .hopper)
    let trpo = tiny.specs(algorithm: "TRPO", task: .hopper)
    // PPO on Hopper: 1, 2 and 9 µs per step (median 2); TRPO: 4 and 6 (median 5); an untimed run is skipped.
    var untimed = RunResult(task: "Hopper", seed: 9, config: trpo[0].config)
    untimed.totalSteps = 100
    let results = [timed(ppo[0], secondsPerStep: 1e-6, steps: 192), timed(ppo[1], secondsPerStep: 2e-6, steps: 100),
                   timed(ppo[2], secondsPerStep: 9e-6, steps: 50), timed(trpo[0], secondsPerStep: 4e-6, steps: 192),
                   timed(trpo[1], secondsPerStep: 6e-6, steps: 192), untimed]
    let model = CostModel(results: results)
    let p = try XCTUnwrap(model.rates[.init(task: .hopper, algorithm: .ppo)])
    XCTAssertEqual(p.secondsPerStep, 2e-6, accuracy: 1e-18)
    XCTAssertEqual(p.runs, 3)
    let t = try XCTUnwrap(model.rates[.init(task: .hopper, algorithm: .trpo)])
    XCTAssertEqual(t.secondsPerStep, 5e-6, accuracy: 1e-18)
    XCTAssertEqual(t.runs, 2, "the untimed run is not a measurement")
    XCTAssertNil(model.rates[.init(task: .walker2d, algorithm: .ppo)])

    // Priced at another scale: rate × iterations × steps per iteration.
    let two = try decodeMini().expand(scale: "two")
    let spec = two.specs(algorithm: "PPO", task: .hopper)[0]
    XCTAssertEqual(try XCTUnwrap(model.seconds(spec)), 2e-6 * 2 * 32, accuracy: 1e-15)
    XCTAssertNil(model.seconds(two.specs(algorithm: "PPO", task: .walker2d)[0]), "never measured")

    let estimate = CostEstimate(expansion: two, model: model, finished: [spec.hash])
    let cell = try XCTUnwrap(estimate.cells.first { $0.row == "PPO" && $0.task == .hopper })
    XCTAssertEqual(cell.runs, 2)
    XCTAssertEqual(cell.finished, 1)
    XCTAssertEqual(try XCTUnwrap(cell.remainingCoreHours), 2e-6 * 64 / 3600, accuracy: 1e-18)
    XCTAssertNil(estimate.totalCoreHours, "Walker2d is not measured")
    XCTAssertEqual(Set(estimate.unmeasured.map(\.task)), [.walker2d])
    XCTAssertTrue(estimate.markdown(source: "test").contains("no measured cost for Walker2d PPO, Walker2d TRPO"))
  }

  func testCPUTimeIsPreferredToWallTime() throws {
    let spec = try decodeMini().expand(scale: "tiny").specs(algorithm: "PPO", task: .hopper)[0]
    var r = timed(spec, secondsPerStep: 1e-3, steps: 100)  // wall: 0.1 s, e.g. a machine shared with a build
    r.timing.cpuSeconds = 0.004
    let rate = try XCTUnwrap(CostModel(results: [r]).rates[.init(task: .hopper, algorithm: .ppo)])
    XCTAssertEqual(rate.secondsPerStep, 4e-5, accuracy: 1e-18)
  }

  func testTotalsWhenEveryCellIsMeasured() throws {
    let tiny = try decodeMini().expand(scale: "tiny")
    let results = tiny.specs.map { timed($0, secondsPerStep: $0.config.algorithm == .ppo ? 3e-5 : 1e-5, steps: 192) }
    let estimate = CostEstimate(expansion: tiny, model: CostModel(results: results))
    // 3 runs per cell of 3 × 64 steps; PPO cells at 30 µs per step, TRPO at 10.
    let expected = 2 * 3 * 192 * (3e-5 + 1e-5) / 3600
    XCTAssertEqual(try XCTUnwrap(estimate.totalCoreHours), expected, accuracy: 1e-15)
    XCTAssertEqual(try XCTUnwrap(estimate.remainingCoreHours), expected, accuracy: 1e-15)
    let text = estimate.markdown(source: "test")
    XCTAssertTrue(text.contains("| PPO | Hopper | 3 | 0 |"), text)
    XCTAssertTrue(text.contains("Hopper PPO 30.0 µs (3 runs)"), text)
  }
}
