import RunModel
import Experiments
import Foundation
import XCTest

final class StoreTests: XCTestCase {
  func testWriteThenLoad() throws {
    let dir = try temporaryFolder()
    let store = ResultStore(root: dir, manifest: "mini")
    let spec = try decodeMini().expand().specs[0]
    XCTAssertEqual(store.state(of: spec), .missing)
    let result = try fakeTrain(spec) { _ in }
    XCTAssertEqual(try store.write(result, for: spec), .written)
    XCTAssertEqual(store.load(spec), result)
    XCTAssertEqual(store.url(for: spec.hash).lastPathComponent, "\(spec.hash).json")
    XCTAssertEqual(store.url(for: spec.hash).deletingLastPathComponent().lastPathComponent, "mini")
    // Sorted keys, one line, no temporary file left behind.
    let text = try String(contentsOf: store.url(for: spec.hash), encoding: .utf8)
    XCTAssertTrue(text.hasPrefix("{\"checksum\":\""), text)
    XCTAssertTrue(text.contains("\"format\":\"repro-result-2\",\"hash\":\"\(spec.hash)\",\"identity\":{\"identity\":2,"), text)
    XCTAssertTrue(text.contains("\"labels\":{\"algorithm\":\"PPO\",\"manifest\":\"mini\",\"preset\":\"PPO\"}"), text)
    XCTAssertEqual(text.filter { $0 == "\n" }.count, 1)
    XCTAssertTrue(text.hasSuffix("}\n"))
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: store.directory.path), ["\(spec.hash).json"])
  }

  func testNonFiniteNumbersAreStored() throws {
    let dir = try temporaryFolder()
    let store = ResultStore(directory: dir)
    let spec = try decodeMini().expand().specs[0]
    var result = try fakeTrain(spec) { _ in }
    result.iterations[0].policyLoss = .nan
    result.iterations[0].valueLoss = .infinity
    result.diverged = Divergence(iteration: 0, reason: "NaN loss")
    try store.write(result, for: spec)
    let back = try XCTUnwrap(store.load(spec))
    XCTAssertTrue(back.iterations[0].policyLoss.isNaN)
    XCTAssertEqual(back.iterations[0].valueLoss, .infinity)
    XCTAssertEqual(back.diverged, result.diverged)
  }

  func testNeverOverwritesAValidResult() throws {
    let dir = try temporaryFolder()
    let store = ResultStore(directory: dir)
    let spec = try decodeMini().expand().specs[0]
    let first = try fakeTrain(spec) { _ in }
    try store.write(first, for: spec)
    let before = try Data(contentsOf: store.url(for: spec.hash))
    var other = first
    other.timing.wallSeconds = 99
    other.iterations[0].meanReturn = 1
    XCTAssertEqual(try store.write(other, for: spec), .keptExisting)
    XCTAssertEqual(try Data(contentsOf: store.url(for: spec.hash)), before)
  }

  func testRefusesAResultForOtherSettings() throws {
    let dir = try temporaryFolder()
    let store = ResultStore(directory: dir)
    let specs = try decodeMini().expand().specs
    let wrong = try fakeTrain(specs[1]) { _ in }
    XCTAssertThrowsError(try store.write(wrong, for: specs[0]))
    XCTAssertEqual(store.state(of: specs[0]), .missing)
  }

  func testTruncatedCorruptAndMismatchedFilesAreInvalid() throws {
    let dir = try temporaryFolder()
    let store = ResultStore(directory: dir)
    let specs = try decodeMini().expand().specs
    let spec = specs[0]
    let good = ResultFile.encode(StoredRun(spec: spec, result: try fakeTrain(spec) { _ in }))
    let url = store.url(for: spec.hash)

    // Truncated at every tenth byte: never valid.
    for cut in stride(from: 0, to: good.count - 1, by: 10) {
      try good.prefix(cut).write(to: url)
      guard case .invalid = store.state(of: spec) else { return XCTFail("truncated at \(cut) read as valid") }
    }
    // Garbage.
    try Data("not json".utf8).write(to: url)
    XCTAssertEqual(store.state(of: spec), .invalid(reason: "not a readable result (truncated or corrupt)"))
    try Data().write(to: url)
    XCTAssertEqual(store.state(of: spec), .invalid(reason: "empty file"))
    // Another run's result under this name.
    let other = ResultFile.encode(StoredRun(spec: specs[1], result: try fakeTrain(specs[1]) { _ in }))
    try other.write(to: url)
    XCTAssertEqual(store.state(of: spec), .invalid(reason: "holds hash \(specs[1].hash), not \(spec.hash)"))
    // Right hash field, but the result was edited (settings no longer match the hash).
    var edited = StoredRun(spec: spec, result: try fakeTrain(spec) { _ in })
    edited.result.config.gamma = 0.5
    try ResultFile.encode(edited).write(to: url)
    XCTAssertEqual(store.state(of: spec), .invalid(reason: "its result's settings, seed or task do not match its hash"))
    XCTAssertNil(store.load(spec))

    // A write replaces an invalid file.
    XCTAssertEqual(try store.write(try fakeTrain(spec) { _ in }, for: spec),
                   .replacedInvalid(reason: "its result's settings, seed or task do not match its hash"))
    XCTAssertEqual(try Data(contentsOf: url), good)
  }

  func testAbandonedTemporaryFilesAreRemovedOnlyWhenOld() throws {
    let dir = try temporaryFolder()
    let store = ResultStore(directory: dir)
    let old = dir.appendingPathComponent(".abc.json.1.2.tmp")
    let young = dir.appendingPathComponent(".def.json.1.2.tmp")
    let result = dir.appendingPathComponent("abc.json")
    for u in [old, young, result] { try Data("x".utf8).write(to: u) }
    try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7200)], ofItemAtPath: old.path)
    try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7200)], ofItemAtPath: result.path)
    XCTAssertEqual(store.removeAbandonedTemporaryFiles(olderThan: 3600), 1)
    XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)), [".def.json.1.2.tmp", "abc.json"])
  }

  func testLoadAll() throws {
    let dir = try temporaryFolder()
    let store = ResultStore(directory: dir)
    let e = try decodeMini().expand()
    try store.write(try fakeTrain(e.specs[0]) { _ in }, for: e.specs[0])
    try Data("{".utf8).write(to: store.url(for: e.specs[1].hash))
    let (results, invalid) = store.loadAll(e)
    XCTAssertEqual(Array(results.keys), [e.specs[0].hash])
    XCTAssertEqual(Array(invalid.keys), [e.specs[1].hash])
    let cells = e.cells(results)
    XCTAssertEqual(cells.map { "\($0.algorithm)/\($0.task.rawValue)" }, ["PPO/Hopper", "PPO/Walker2d", "TRPO/Hopper", "TRPO/Walker2d"])
    XCTAssertEqual(cells.map(\.results.count), [1, 0, 0, 0])
    XCTAssertEqual(cells.map(\.missing), [2, 3, 3, 3])
  }
}
