import RunModel
import Experiments
import Foundation
import XCTest

/// The comparison behind `repro check`: bit-identical values pass, anything
/// that moved fails with a line naming the run, the iteration and the field.
final class GoldenTests: XCTestCase {
  func goldenOfMini() throws -> (Expansion, [String: RunResult], GoldenFile) {
    let e = try decodeMini().expand(scale: "two")
    var results: [String: RunResult] = [:]
    for spec in e.uniqueSpecs {
      var r = try fakeTrain(spec) { _ in }
      r.timing = RunTiming(wallSeconds: 12.5, iterationSeconds: r.iterations.map { 0.1 + Double($0.iteration) })  // wall clock: never compared
      results[spec.hash] = r
    }
    return (e, results, try GoldenFile(expansion: e, results: results))
  }

  func testIdenticalRunsPassAndTheFileRoundTrips() throws {
    let (e, results, golden) = try goldenOfMini()
    XCTAssertEqual(golden.runs.count, e.specs.count)
    XCTAssertEqual(GoldenFile.differences(golden: golden, now: try GoldenFile(expansion: e, results: results)), [])
    let text = golden.render()
    let parsed = try GoldenFile.parse(Data(text.utf8), file: "golden.json")
    XCTAssertEqual(GoldenFile.differences(golden: parsed, now: golden), [])
    XCTAssertEqual(parsed.render(), text, "render → parse → render is stable")
    XCTAssertFalse(text.contains("Seconds"))
    XCTAssertFalse(text.contains("\"settings\""))
  }

  func testWallClockFieldsAreNotCompared() throws {
    let (e, results, golden) = try goldenOfMini()
    var moved = results
    for (h, var r) in moved {
      r.timing = RunTiming(wallSeconds: 99, iterationSeconds: [1])
      moved[h] = r
    }
    XCTAssertEqual(GoldenFile.differences(golden: golden, now: try GoldenFile(expansion: e, results: moved)), [])
  }

  func testAChangedMetricFailsWithALineNamingRunIterationAndField() throws {
    let (e, results, golden) = try goldenOfMini()
    let spec = try XCTUnwrap(e.specs.first { $0.algorithm == "PPO" && $0.task == .hopper && $0.seed == 1 })
    var moved = results
    var r = try XCTUnwrap(moved[spec.hash])
    let before = r.iterations[1].valueLoss
    r.iterations[1].valueLoss = before.nextUp  // one ulp
    moved[spec.hash] = r
    let diffs = GoldenFile.differences(golden: golden, now: try GoldenFile(expansion: e, results: moved))
    XCTAssertEqual(diffs, ["run PPO/Hopper/1, iteration 1, valueLoss: golden \(GoldenValue.exact(before)), now \(GoldenValue.exact(before.nextUp))"])
  }

  func testScoreSignOfZeroAndMissingRunsAreDifferences() throws {
    let (e, results, golden) = try goldenOfMini()
    let specs = e.specs.filter { $0.task == .walker2d && $0.seed == 2 }
    var moved = results
    var r = try XCTUnwrap(moved[specs[0].hash])
    // The score is computed from the returns (mean of the last 2 here): moving one return moves it.
    r.iterations[1].meanReturn = (r.iterations[1].meanReturn ?? 0) + 1
    r.iterations[0].policyLoss = -0.0  // 0 before: the bits differ
    moved[specs[0].hash] = r
    moved[specs[1].hash] = nil
    let diffs = GoldenFile.differences(golden: golden, now: try GoldenFile(expansion: e, results: moved))
    XCTAssertEqual(diffs.count, 4, diffs.joined(separator: "\n"))
    XCTAssertTrue(diffs.contains { $0.hasPrefix("run \(GoldenFile.key(specs[0])), iteration 1, meanReturn: golden ") }, "\(diffs)")
    XCTAssertTrue(diffs.contains { $0.hasPrefix("run \(GoldenFile.key(specs[0])), score: golden ") }, "\(diffs)")
    XCTAssertTrue(diffs.contains("run \(GoldenFile.key(specs[0])), iteration 0, policyLoss: golden 0, now -0.0"), "\(diffs)")
    XCTAssertTrue(diffs.contains("run \(GoldenFile.key(specs[1])): in the golden file, not run now"), "\(diffs)")
  }

  func testAChangedSpecHashIsReported() throws {
    let (_, _, golden) = try goldenOfMini()
    var now = golden
    now.runs[0].hash = String(repeating: "0", count: 64)
    let diffs = GoldenFile.differences(golden: golden, now: now)
    XCTAssertEqual(diffs.count, 1)
    XCTAssertTrue(diffs[0].contains("spec hash"), diffs[0])
  }

  func testNotAGoldenFileIsRefused() {
    XCTAssertThrowsError(try GoldenFile.parse(Data("{\"format\": \"x\"}".utf8), file: "g.json")) { e in
      XCTAssertTrue("\(e)".hasPrefix("g.json: not a golden file"), "\(e)")
    }
  }

  /// The committed golden file parses and is for the smoke manifest at its default scale.
  func testCommittedSmokeGoldenMatchesTheSmokeManifest() throws {
    let data = try Data(contentsOf: repoRoot.appendingPathComponent("reports/golden/smoke.json"))
    let golden = try GoldenFile.parse(data, file: "reports/golden/smoke.json")
    let e = try Manifest.load(path: repoRoot.appendingPathComponent("experiments/smoke.json").path).expand()
    XCTAssertEqual(golden.manifest, "smoke")
    XCTAssertEqual(golden.scale, e.scale.name)
    XCTAssertEqual(golden.runs.map(\.key).sorted(), e.specs.map(GoldenFile.key).sorted())
    let hashes = Dictionary(uniqueKeysWithValues: e.specs.map { (GoldenFile.key($0), $0.hash) })
    for r in golden.runs { XCTAssertEqual(r.hash, hashes[r.key], "\(r.key): the spec changed; rerun repro check --update") }
  }
}
