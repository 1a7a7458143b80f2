import Experiments
import Foundation
import RunModel
import XCTest

/// Classes of input that crashed or trained before failing (Issue 11): each is
/// refused when the manifest is decoded, naming the file and the JSON path.
final class InputLimitTests: XCTestCase {
  let f = "experiments/mini.json"

  func withDerived(_ formulas: [(String, String)]) -> String {
    let body = formulas.map { "\"\($0.0)\": \(JSONValue.string($0.1).canonical)" }.joined(separator: ", ")
    return miniManifest.replacing1("\"derived\": {\"GAP\": \"abs([PPO] - [TRPO])\"},", "\"derived\": {\(body)},")
  }

  func testFormulasBeyondTheLimitsAreRefusedAtTheirPath() throws {
    let deep = String(repeating: "(", count: 5000) + "[PPO]" + String(repeating: ")", count: 5000)
    assertManifestError(withDerived([("D", deep)]), "\(f): derived.D: formula '\(String(deep.prefix(40)))…', column 1001: expected a formula of at most 1000 characters, found 10005 characters")
    let nested = String(repeating: "-", count: 40) + "[PPO]"
    assertManifestError(withDerived([("D", nested)]), "\(f): derived.D: formula '\(nested)', column 33: expected at most 32 levels of nesting (parentheses, function calls and signs), found '-'")
    var doubling = [("D0", "[PPO] + [TRPO]")]
    for i in 1...20 { doubling.append(("D\(i)", "[D\(i - 1)] + [D\(i - 1)]")) }
    assertManifestError(withDerived(doubling), "\(f): derived.D12: '[D11] + [D11]' grows beyond 10000 terms and 256 levels once its rows are inlined")
  }

  func testADivisionByAConstantZeroIsRefused() {
    assertManifestError(withDerived([("D", "[PPO] / (1 - 1)")]), "\(f): derived.D: '([PPO] / (1 - 1))' divides by a constant zero: the row could never be computed")
  }

  func testBudgetsAndNetworksHaveUpperBounds() {
    let cases: [(String, String, String)] = [
      ("\"iterations\": 3, \"stepsPerIteration\": 64", "\"iterations\": 3, \"stepsPerIteration\": 1000000000000",
       "scales.tiny.stepsPerIteration: must be in 2...131072, got 1000000000000 (for Hopper at scale tiny)"),
      ("\"iterations\": 3, \"stepsPerIteration\": 64", "\"iterations\": 100001, \"stepsPerIteration\": 64",
       "scales.tiny.iterations: must be in 1...100000, got 100001 (for Hopper at scale tiny)"),
      ("{\"minibatches\": 4}}", "{\"minibatches\": 4, \"hiddenSizes\": [64, 64, 64, 64, 64, 64, 64, 64, 64]}}",
       "algorithms.TRPO.overrides.hiddenSizes: must be 1 to 8 sizes, each in 1...4096, got 9 sizes (for Hopper at scale tiny)"),
      ("{\"minibatches\": 4}}", "{\"minibatches\": 4, \"hiddenSizes\": [4096, 4096, 4096]}}",
       "algorithms.TRPO.overrides.hiddenSizes: at most 16777216 weights between hidden layers, got 33554432 for [4096, 4096, 4096] (for Hopper at scale tiny)"),
      ("{\"minibatches\": 4}}", "{\"minibatches\": 4, \"cgIterations\": 5000}}",
       "algorithms.TRPO.overrides.cgIterations: must be in 1...1000, got 5000 (for Hopper at scale tiny)"),
    ]
    for (old, new, message) in cases { assertManifestError(miniManifest.replacing1(old, new), "\(f): \(message)") }
  }

  func testNamesThatBecomeFilesAreBounded() {
    let long = String(repeating: "x", count: 65)
    assertManifestError(miniManifest.replacing1("\"name\": \"mini\"", "\"name\": \"\(long)\""),
                        "\(f): name: must be at most 64 characters (it names folders and files), got 65")
    assertManifestError(miniManifest.replacing1("\"two\": {", "\"t/o\": {"),
                        "\(f): scales[\"t/o\"]: must be a folder name: letters, digits, '.', '_', '-', not starting with '.'")
    assertManifestError(miniManifest.replacing1("\"GAP\":", "\"\(String(repeating: "G", count: 101))\":"),
                        "\(f): derived.\(String(repeating: "G", count: 101)): a row name must be at most 100 characters, got 101")
  }

  func testTheSizeCeilingNeedsToBeLifted() throws {
    // 12 runs of 100,000 × 2048 steps: 2.46 × 10⁹.
    let huge = miniManifest.replacing1("\"iterations\": 3, \"stepsPerIteration\": 64", "\"iterations\": 100000, \"stepsPerIteration\": 2048")
    let e = try decodeMini(huge).expand(scale: "tiny")
    XCTAssertGreaterThan(Preflight.totalSteps(e), Preflight.totalStepsCeiling)
    XCTAssertThrowsError(try Preflight.checkSize(e, allowLarge: false)) { error in
      XCTAssertTrue("\(error)".contains("above the ceiling of 2,000,000,000"), "\(error)")
      XCTAssertTrue("\(error)".contains("--allow-large"), "\(error)")
    }
    XCTAssertNoThrow(try Preflight.checkSize(e, allowLarge: true))
    let allowed = try decodeMini(huge.replacing1("\"defaultScale\": \"tiny\",", "\"defaultScale\": \"tiny\", \"allowLarge\": true,"))
    XCTAssertNoThrow(try Preflight.checkSize(try allowed.expand(scale: "tiny"), allowLarge: false))
    XCTAssertNoThrow(try Preflight.checkSize(try decodeMini().expand(), allowLarge: false))
  }
}

/// Output folders are checked before anything trains or is computed (Issue 11).
final class PreflightTests: XCTestCase {
  func failure(_ body: () throws -> Void) -> String? {
    do {
      try body()
      return nil
    } catch {
      return "\(error)"
    }
  }

  func testUnusableFoldersAreRefusedWithTheirPath() throws {
    let dir = try temporaryFolder()
    let file = dir.appendingPathComponent("file")
    try Data("x".utf8).write(to: file)
    let asFolder = failure { try Preflight.checkWritableFolder(file, purpose: "results folder", bytes: 1) }
    XCTAssertEqual(asFolder, "the results folder \(file.path) is a file, not a folder; choose another path or move the file")
    let below = file.appendingPathComponent("sub")
    XCTAssertEqual(failure { try Preflight.checkWritableFolder(below, purpose: "results folder", bytes: 1) },
                   "\(file.path), on the way to the results folder \(below.path), is a file, not a folder; choose another path or move the file")
    let proc = failure { try Preflight.checkWritableFolder(URL(fileURLWithPath: "/proc/repro-test/x"), purpose: "reports folder", bytes: 1) }
    XCTAssertTrue(proc?.hasPrefix("cannot write in the reports folder: /proc (where the reports folder /proc/repro-test/x would be created)") ?? false, proc ?? "accepted")
    XCTAssertTrue(proc?.contains("a virtual file system such as /proc") == true, "no bare 'No such file or directory': \(proc ?? "")")
    // Sizes in units that show them: never "0.0 MiB" for a few bytes.
    XCTAssertEqual(Preflight.formattedBytes(0), "0 bytes")
    XCTAssertEqual(Preflight.formattedBytes(800), "800 bytes")
    XCTAssertEqual(Preflight.formattedBytes(4096 + 640 * 3), "5.9 KiB")
    XCTAssertEqual(Preflight.formattedBytes(16 << 20), "16.0 MiB")
    XCTAssertEqual(Preflight.formattedBytes(3 << 30), "3.0 GiB")
    let full = failure { try Preflight.checkWritableFolder(dir, purpose: "results folder", bytes: Int64.max / 2) }
    XCTAssertTrue(full?.contains("free; this needs about") ?? false, full ?? "accepted")
    XCTAssertNil(failure { try Preflight.checkWritableFolder(dir.appendingPathComponent("new/deeper"), purpose: "results folder", bytes: 1) })
    XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("new").path), "checking creates nothing")
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["file"], "no probe file is left")
  }

  func testAFolderInPlaceOfAResultIsNamedWithItsFix() throws {
    let e = try decodeMini().expand()
    let store = ResultStore(directory: try temporaryFolder())
    let spec = e.uniqueSpecs[2]
    try FileManager.default.createDirectory(at: store.url(for: spec.hash), withIntermediateDirectories: true)
    let message = failure { try Preflight.checkRun(e, store: store, allowLarge: false) }
    XCTAssertEqual(message, "1 result path(s) hold a folder or other non-file, so those runs could never be stored: "
      + "\(store.url(for: spec.hash).path); remove them (rm -r PATH) and run again")
    guard case let .invalid(reason) = store.state(of: spec) else { return XCTFail("a folder read as a result") }
    XCTAssertTrue(reason.contains("is a folder, not a result file") && reason.contains("rm -r"), reason)
  }

  /// A one-digit edit of a stored score is caught by the checksum, reported, and the run is trained again.
  func testAOneDigitEditIsDetectedAndRerun() throws {
    let e = try decodeMini().expand()
    let store = ResultStore(directory: try temporaryFolder())
    XCTAssertTrue(Runner.run(e, store: store, jobs: 2, display: quietDisplay(), tick: 0.01, train: fakeTrain).succeeded)
    let spec = e.uniqueSpecs[0]
    let url = store.url(for: spec.hash)
    let original = try String(contentsOf: url, encoding: .utf8)
    let range = try XCTUnwrap(original.range(of: #""meanReturn":\d"#, options: .regularExpression))
    let digit = original[original.index(before: range.upperBound)]
    let edited = original.replacingCharacters(in: original.index(before: range.upperBound)..<range.upperBound,
                                              with: digit == "1" ? "2" : "1")
    try edited.write(to: url, atomically: true, encoding: .utf8)
    XCTAssertNotNil(try? JSONParser.parse(edited), "still valid JSON")
    XCTAssertEqual(store.state(of: spec), .invalid(reason: "checksum mismatch: the file's content was changed after it was written"))
    let notes = Captured()
    let rerun = Runner.run(e, store: store, jobs: 1, display: ProgressDisplay(mode: .silent) { notes.append($0) }, tick: 0.01, train: fakeTrain)
    XCTAssertEqual(rerun.invalidFiles, [url.path])
    XCTAssertEqual(rerun.completed, 1)
    XCTAssertTrue(notes.text.contains("checksum mismatch"), notes.text)
    XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), original)
  }
}
