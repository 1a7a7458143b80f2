import RunModel
import Experiments
import Foundation
import Reports
import Statistics
import XCTest

final class ManifestTests: XCTestCase {
  func testMiniManifestDecodesInOrder() throws {
    let m = try decodeMini()
    XCTAssertEqual(m.name, "mini")
    XCTAssertEqual(m.tasks, [.hopper, .walker2d])
    XCTAssertEqual(m.algorithms.map(\.name), ["PPO", "TRPO"])
    XCTAssertEqual(m.scales.map(\.name), ["tiny", "two"])
    XCTAssertEqual(m.rows, ["PPO", "TRPO", "GAP"])
    XCTAssertEqual(m.derived, [DerivedRow(name: "GAP", formula: try Formula("abs([PPO] - [TRPO])"))])
    XCTAssertEqual(m.derived.first?.references, ["PPO", "TRPO"])
    XCTAssertEqual(m.paperValue(row: "PPO", task: .hopper), PaperValue(2513, low: 2391, high: 2632))
    XCTAssertNil(m.paperValue(row: "PPO", task: .walker2d))
    XCTAssertEqual(m.claims.first?.tasks, [.hopper])
    XCTAssertEqual(m.claims.first?.op, .greater)
  }

  func testResolutionOrderPresetOverridesPerTaskScale() throws {
    let m = try decodeMini()
    let ppo = try XCTUnwrap(m.algorithm(named: "PPO"))
    let c = try m.config(algorithm: ppo, task: .hopper, scale: try m.resolveScale("two"))
    var expected = Preset.ppo.config(task: .hopper)
    expected.minibatches = 4
    expected.ppo.policyLR = 0.0003
    expected.iterations = 2
    expected.stepsPerIteration = 32
    XCTAssertEqual(c, expected)
    XCTAssertEqual(m.score, ScoreDefinition(method: .lastMean, iterations: 2))
  }

  // MARK: Shipped manifests

  func testShippedManifestsDecode() throws {
    for name in ["table2", "table3", "smoke"] {
      let path = repoRoot.appendingPathComponent("experiments/\(name).json").path
      let m = try Manifest.load(path: path)
      XCTAssertEqual(m.name, name)
      for s in m.scales { XCTAssertNoThrow(try m.expand(scale: s.name)) }
    }
  }

  /// table2.json and table3.json restate the paper's Tables 4–6; they must
  /// agree with the presets in code (two transcriptions checked against each other).
  func testShippedHyperparametersEqualPresets() throws {
    for name in ["table2", "table3"] {
      let m = try Manifest.load(path: repoRoot.appendingPathComponent("experiments/\(name).json").path)
      let paper = try m.resolveScale("paper")
      for a in m.algorithms {
        for t in m.tasks {
          var expected = try XCTUnwrap(a.preset.config(on: t))
          expected.iterations = 488
          expected.stepsPerIteration = 2048
          XCTAssertEqual(try m.config(algorithm: a, task: t, scale: paper), expected, "\(name) \(a.name) \(t)")
        }
      }
    }
  }

  func testTable2Shape() throws {
    let m = try Manifest.load(path: repoRoot.appendingPathComponent("experiments/table2.json").path)
    XCTAssertEqual(m.algorithms.map(\.name), ["PPO", "PPO-M", "TRPO", "TRPO+"])
    XCTAssertEqual(m.tasks, [.walker2d, .hopper, .humanoid])
    XCTAssertEqual(m.rows, ["PPO", "PPO-M", "TRPO", "TRPO+", "AAI", "ACLI"])
    XCTAssertEqual(m.paperValue(row: "ACLI", task: .hopper)?.value, 421)
    XCTAssertEqual(m.paperValue(row: "TRPO+", task: .humanoid), PaperValue(1030, low: 979, high: 1083))
    XCTAssertEqual(m.claims.count, 3)
    XCTAssertEqual(try m.expand(scale: "paper").specs.count, 80 * 4 * 3)
    XCTAssertEqual(try m.expand().scale.name, "paper")
    let quick = try m.expand(scale: "quick")
    XCTAssertEqual(quick.specs.count, 3 * 4 * 3)
    XCTAssertTrue(quick.specs.allSatisfy { $0.config.iterations == 100 && $0.config.stepsPerIteration == 2048 })
  }

  func testTable3ReferenceRow() throws {
    let m = try Manifest.load(path: repoRoot.appendingPathComponent("experiments/table3.json").path)
    XCTAssertEqual(m.rows, ["PPO", "PPO (baselines)", "PPO-M", "PPO-NoClip"])
    XCTAssertEqual(m.rowKind("PPO (baselines)"), .reference)
    XCTAssertEqual(m.paperValue(row: "PPO (baselines)", task: .walker2d), PaperValue(3424))
    XCTAssertNil(m.paperValue(row: "PPO (baselines)", task: .humanoid))
    XCTAssertEqual(try m.expand(scale: "paper").specs.count, 80 * 3 * 3)
    XCTAssertFalse(try m.expand(scale: "paper").specs.contains { $0.algorithm == "PPO (baselines)" })
  }

  func testSmokeManifest() throws {
    let m = try Manifest.load(path: repoRoot.appendingPathComponent("experiments/smoke.json").path)
    let e = try m.expand()
    XCTAssertEqual(e.specs.count, 4)
    XCTAssertEqual(e.seeds, [1, 2])
    XCTAssertTrue(e.specs.allSatisfy { $0.config.iterations == 2 && $0.config.stepsPerIteration == 256 })
  }

  func testEveryTrainerConfigKeyHasAJSONType() throws {
    // Every key's JSON type comes from Settings.table. Probe: each key refuses an object.
    for key in TrainerConfig.keys {
      let bad = miniManifest.replacing1("\"perTask\": {\"Hopper\"", "\"perTask\": {\"Walker2d\": {\"\(key)\": {}}, \"Hopper\"")
      do {
        _ = try decodeMini(bad)
        XCTFail("\(key) accepted an object")
      } catch let e as ManifestError {
        XCTAssertTrue(e.description.hasPrefix("experiments/mini.json: algorithms.PPO.perTask.Walker2d.\(key): expected "), e.description)
      }
    }
  }
}
