import Experiments
import Foundation
import RunModel
import XCTest

/// Run identity survives what must not retrain anything: re-scoring a manifest,
/// adding a setting at its neutral value, and the change of identity version
/// itself (files of format 1, written before it, are still used).
final class IdentityTests: XCTestCase {
  let legacy = repoRoot.appendingPathComponent("Tests/ExperimentsTests/Fixtures/legacy-v1")

  /// A results root holding the format-1 files that `repro run experiments/smoke.json` wrote at commit 3ab7acd.
  func legacyResults() throws -> (root: URL, manifest: Manifest) {
    let root = try temporaryFolder()
    let folder = root.appendingPathComponent("smoke")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    for name in try FileManager.default.contentsOfDirectory(atPath: legacy.path) where name.count == 69 {
      try FileManager.default.copyItem(at: legacy.appendingPathComponent(name), to: folder.appendingPathComponent(name))
    }
    let manifest = try Manifest.load(path: legacy.appendingPathComponent("smoke-today.json").path)
    return (root, manifest)
  }

  func testFormatOneResultsAreFoundAndNothingIsRetrained() throws {
    let (root, manifest) = try legacyResults()
    let e = try manifest.expand()
    let store = ResultStore(root: root, manifest: manifest.name)
    let loaded = store.loadAll(e)
    XCTAssertEqual(loaded.results.count, 4)
    XCTAssertEqual(loaded.invalid, [:])
    // The score each format-1 file stored equals the score computed now from its returns.
    for name in try FileManager.default.contentsOfDirectory(atPath: legacy.path) where name.count == 69 {
      let file = try JSONParser.parse(Data(contentsOf: legacy.appendingPathComponent(name)))
      let stored = try XCTUnwrap(file["result"]?["score"]?.numberValue)
      let spec = try XCTUnwrap(e.specs.first { $0.seed == UInt64(file["result"]?["seed"]?.numberValue ?? 0)
        && $0.algorithm == file["algorithm"]?.stringValue })
      XCTAssertEqual(manifest.score.score(of: try XCTUnwrap(loaded.results[spec.hash])), stored, name)
    }
    let trained = Counter()
    let summary = Runner.run(e, store: store, jobs: 2, display: quietDisplay(), tick: 0.01) { spec, progress in
      _ = trained.increment()
      return try fakeTrain(spec, progress)
    }
    XCTAssertEqual(summary.alreadyDone, 4)
    XCTAssertEqual(trained.value, 0, "nothing was trained")
  }

  func testRescoringKeepsEveryRun() throws {
    let (root, manifest) = try legacyResults()
    var rescored = manifest
    rescored.score = ScoreDefinition(method: .max, iterations: 1)
    let before = try manifest.expand(), after = try rescored.expand()
    XCTAssertEqual(before.specs.map(\.hash), after.specs.map(\.hash), "the score is not part of a run")
    let loaded = ResultStore(root: root, manifest: manifest.name).loadAll(after)
    XCTAssertEqual(loaded.results.count, 4)
    for spec in after.specs {
      let r = try XCTUnwrap(loaded.results[spec.hash])
      XCTAssertEqual(rescored.score.score(of: r), r.iterations.compactMap(\.meanReturn).max())
    }
  }

  /// A setting whose value is its neutral value is left out of the identity, so a
  /// setting added later with a neutral value that reproduces the old behaviour
  /// keeps every stored run: here, every setting at its neutral value leaves the
  /// identity of a format-2 result unchanged, and a format-1 file (which predates
  /// the settings that its config does not list) keeps its run.
  func testSettingsAtTheirNeutralValuesAreNotPartOfTheIdentity() throws {
    let e = try decodeMini().expand()
    let spec = e.specs[0]
    let written = try temporaryFolder()
    let store = ResultStore(directory: written)
    try store.write(try fakeTrain(spec) { _ in }, for: spec)
    let file = try JSONParser.parse(Data(contentsOf: store.url(for: spec.hash)))
    let settings = try XCTUnwrap(file["identity"]?["settings"])
    guard case let .object(members) = settings else { return XCTFail("settings must be an object") }
    let neutral = TrainerConfig()
    for m in members {
      XCTAssertNotEqual(neutral.value(of: m.key), m.value, "\(m.key) is at its neutral value but listed")
    }
    XCTAssertEqual(members.map(\.key), spec.config.nonNeutralSettings.objectKeys.sorted())
  }
}

extension JSONValue {
  var objectKeys: [String] {
    if case let .object(members) = self { return members.map(\.key) }
    return []
  }
}
