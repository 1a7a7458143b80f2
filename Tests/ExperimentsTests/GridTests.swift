import Experiments
import Foundation
import Reports
import RunModel
import XCTest

/// Grids in manifests (Issue 14): a factorial design expanded into rows, and the
/// selection rule applied at report time to stored results.
final class GridTests: XCTestCase {
  static let manifest = """
    {
      "name": "abl", "citation": "Grid test", "tasks": ["Hopper", "Walker2d"],
      "algorithms": {"PPO": {"preset": "PPO"}},
      "grid": {
        "factors": [{"name": "VC", "setting": "valueClipping", "values": [false, true]},
                    {"name": "LA", "setting": "learningRateAnnealing", "values": [false, true]}],
        "search": {"name": "lr", "setting": "policyLR", "values": [0.0001, 0.0002, 0.0004]},
        "select": "bestMeanScore"
      },
      "seeds": {"count": 3, "base": 1},
      "scales": {"tiny": {"iterations": 3, "stepsPerIteration": 64}},
      "defaultScale": "tiny",
      "score": {"method": "lastMean", "iterations": 2}
    }
    """
  static let rates = [0.0001, 0.0002, 0.0004]

  func testAGridExpandsIntoOneRowPerConfigurationAndSearchValue() throws {
    let m = try Manifest.decode(Self.manifest, file: "experiments/abl.json")
    XCTAssertEqual(m.algorithms.count, 2 * 2 * 3)
    XCTAssertEqual(m.algorithms.first?.name, "PPO (VC off, LA off; lr 0.0001)")
    XCTAssertEqual(m.algorithms.last?.name, "PPO (VC on, LA on; lr 0.0004)")
    let e = try m.expand()
    XCTAssertEqual(e.specs.count, 12 * 2 * 3)
    XCTAssertEqual(Set(e.specs.map(\.hash)).count, e.specs.count, "every row's runs are distinct runs")
    let spec = try XCTUnwrap(e.specs.first { $0.algorithm == "PPO (VC on, LA off; lr 0.0002)" })
    XCTAssertTrue(spec.config.valueClipping)
    XCTAssertFalse(spec.config.learningRateAnnealing)
    XCTAssertEqual(spec.config.ppo.policyLR, 0.0002)
    XCTAssertEqual(try Manifest.decode(Self.manifest, file: "x.json").expand().specs.map(\.hash), e.specs.map(\.hash), "deterministic")
    XCTAssertEqual(m.grid?.configurations, [[0, 0], [0, 1], [1, 0], [1, 1]])
  }

  func testGridMistakesAreNamed() {
    func error(_ from: String, _ to: String) -> String {
      manifestDecodeError(Self.manifest.replacingOccurrences(of: from, with: to))
    }
    XCTAssertTrue(error("\"setting\": \"valueClipping\"", "\"setting\": \"valueClip\"").contains("grid.factors[0].setting: unknown setting"))
    XCTAssertTrue(error("\"values\": [false, true]}", "\"values\": [false, 2]}").contains("grid.factors[0].values[1]"))
    XCTAssertTrue(error("\"setting\": \"learningRateAnnealing\"", "\"setting\": \"valueClipping\"").contains("appears twice"))
    XCTAssertTrue(error("\"bestMeanScore\"", "\"best\"").contains("unknown selection 'best'"))
    XCTAssertTrue(error("[0.0001, 0.0002, 0.0004]", "[0.0001, 0.0001]").contains("value listed twice"))
    XCTAssertTrue(error("{\"preset\": \"PPO\"}", "{\"preset\": \"PPO\", \"perTask\": {\"Hopper\": {\"policyLR\": 0.001}}}")
      .contains("sets a setting of the grid"))
    XCTAssertTrue(error("\"name\": \"VC\"", "\"name\": \"V(C)\"").contains("a factor name"))
  }

  /// Hand-made scores: the best learning rate of a configuration is the
  /// rate at index (VC + LA), and configurations differ by 1000 per factor on.
  static func results(_ e: Expansion, missing: (RunSpec) -> Bool = { _ in false }) -> [String: RunResult] {
    var out: [String: RunResult] = [:]
    for spec in e.specs where !missing(spec) {
      let c = spec.config
      let levels = (c.valueClipping ? 1 : 0) + (c.learningRateAnnealing ? 1 : 0)
      let lr = try! XCTUnwrap(rates.firstIndex(of: c.ppo.policyLR))
      let score = Double(1000 * levels - 100 * abs(lr - levels)) + Double(spec.seed) + (spec.task == .walker2d ? 50 : 0)
      var r = RunResult(task: spec.task.rawValue, seed: spec.seed, config: c)
      for i in 0..<c.iterations {
        var m = IterationMetrics(iteration: i)
        m.meanReturn = score
        m.episodes = 1
        r.iterations.append(m)
      }
      r.totalSteps = c.iterations * c.stepsPerIteration
      out[spec.hash] = r
    }
    return out
  }

  func testTheSelectionPicksTheBestMeanLearningRatePerConfigurationAndTask() throws {
    let e = try Manifest.decode(Self.manifest, file: "experiments/abl.json").expand()
    let report = try buildReport(expansion: e, results: Self.results(e), manifestHash: "h", context: pinnedContext)
    let g = try XCTUnwrap(report.grid)
    XCTAssertEqual(g.configurations.map(\.label), ["PPO (VC off, LA off)", "PPO (VC off, LA on)", "PPO (VC on, LA off)", "PPO (VC on, LA on)"])
    XCTAssertEqual(g.configurations.map { $0.choices.map { $0?.searchValue } },
                   [["0.0001", "0.0001"], ["0.0002", "0.0002"], ["0.0002", "0.0002"], ["0.0004", "0.0004"]])
    XCTAssertEqual(try XCTUnwrap(g.configurations[3].choices[0]).mean, 2002, "seeds 1-3 around 2000")
    XCTAssertEqual(g.configurations[3].choices[1]?.runs, 3)
    // The histograms hold the selected runs' scores, split by each factor.
    let vcHopper = try XCTUnwrap(g.histograms.first { $0.task == "Hopper" && $0.factor == "VC" })
    XCTAssertEqual(vcHopper.groups.map(\.value), ["off", "on"])
    XCTAssertEqual(vcHopper.groups[0].scores.sorted(), [1, 2, 3, 1001, 1002, 1003])
    XCTAssertEqual(vcHopper.groups[1].scores.sorted(), [1001, 1002, 1003, 2001, 2002, 2003])
    XCTAssertEqual(g.histograms.count, 2 * 2, "tasks × factors")
    XCTAssertTrue(renderMarkdown(report).contains("| PPO (VC on, LA on) | lr 0.0004: 2002 (3 runs) | lr 0.0004: 2052 (3 runs) |"))
    let svg = try XCTUnwrap(renderGridSVG(report))
    XCTAssertTrue(svg.contains("data-panels=\"4\""))
    try assertSnapshot(svg, named: "grid-abl.svg")
    XCTAssertNil(report.curves, "a grid's figure is its own")
  }

  /// Changing nothing but which runs exist changes the selection, retraining nothing:
  /// with the best rate's runs missing, the next best is kept; with none, no choice.
  func testTheSelectionFollowsTheStoredResults() throws {
    let e = try Manifest.decode(Self.manifest, file: "experiments/abl.json").expand()
    let results = Self.results(e) { $0.algorithm == "PPO (VC on, LA on; lr 0.0004)" || $0.algorithm.hasPrefix("PPO (VC off, LA off;") }
    let g = try XCTUnwrap(try buildReport(expansion: e, results: results, manifestHash: "h", context: pinnedContext).grid)
    XCTAssertEqual(g.configurations[3].choices[0]?.searchValue, "0.0002", "next best: 1900 against 1800")
    XCTAssertNil(g.configurations[0].choices[0])
    XCTAssertTrue(renderMarkdown(try buildReport(expansion: e, results: results, manifestHash: "h", context: pinnedContext))
      .contains("| PPO (VC off, LA off) | no finished run | no finished run |"))
    // Ties keep the first listed value.
    var grid = try XCTUnwrap(Manifest.decode(Self.manifest, file: "a.json").grid)
    grid.cells = grid.cells.filter { $0.levels == [0, 0] }
    XCTAssertEqual(grid.selected { _ in [5, 7] }.map(\.row), ["PPO (VC off, LA off; lr 0.0001)"])
  }
}
