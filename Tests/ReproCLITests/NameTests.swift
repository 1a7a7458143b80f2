import Experiments
import Foundation
import ReproCLI
import RunModel
import TestSupport
import XCTest

/// `repro --version`, and "did you mean …" for every name the command line takes.
final class VersionTests: XCTestCase {
  func testVersionNamesTheBinaryByItsHash() {
    for args in [["--version"], ["version"]] {
      let r = repro(args)
      XCTAssertEqual(r.status, 0)
      let lines = r.out.split(separator: "\n").map(String.init)
      XCTAssertTrue(lines.first?.range(of: #"^repro \d+\.\d+\.\d+$"#, options: .regularExpression) != nil, r.out)
      XCTAssertTrue(r.out.range(of: #"binary: .*\(sha256 [0-9a-f]{64}\)"#, options: .regularExpression) != nil, r.out)
      XCTAssertTrue(r.out.contains("MuJoCo:   3.3.7"), r.out)
      XCTAssertTrue(r.out.contains("source:"), r.out)
    }
    XCTAssertTrue(repro("--help").out.contains("repro --version"))
  }
}

final class SuggestionTests: XCTestCase {
  func testMisspeltNamesGetTheNearestMatch() {
    let cases: [([String], String)] = [
      (["trian"], "unknown command 'trian'; did you mean 'repro train'?"),
      (["bench", "trian"], "unknown command 'bench trian'; did you mean 'repro bench train'?"),
      (["--verison"], "unknown option '--verison'; did you mean '--version'?"),
      (["train", "--tsk", "Hopper"], "unknown option --tsk; did you mean '--task'?"),
      (["run", "experiments/smoke.json", "--job", "2"], "unknown option --job; did you mean '--jobs'?"),
      (["train", "--task", "Hoper", "--algorithm", "PPO"], "unknown task 'Hoper'; did you mean 'Hopper'?"),
      (["train", "--task", "Hopper", "--algorithm", "PP0"], "unknown algorithm 'PP0'; did you mean 'PPO'?"),
      (["train", "--task", "Hopper", "--algorithm", "PPO", "--set", "valueCliping=true"],
       "--set valueCliping: unknown setting; did you mean 'valueClipping'? (`repro train --list-settings` lists all \(Settings.keys.count) with their documentation)"),
      (["run", "experiments/table2.json", "--until-decided", "--task", "Hoper"], "did you mean 'Hopper'?"),
      (["bench", "train", "--task", "Walkr2d"], "unknown task 'Walkr2d'; did you mean 'Walker2d'?"),
      (["bench", "overhead", "--task", "Humanod"], "unknown task 'Humanod'; did you mean 'Humanoid'?"),
      (["bench", "env", "--task", "Hoper-v5"], "unknown task 'Hoper-v5'; did you mean 'Hopper-v5'?"),
    ]
    for (args, message) in cases {
      let r = repro(args)
      XCTAssertEqual(r.status, 2, "\(args)")
      XCTAssertTrue(r.err.contains(message), "\(args): \(r.err)")
    }
    // A setting's name is never followed by all of them when one is close.
    let r = repro("train", "--task", "Hopper", "--algorithm", "PPO", "--set", "valueCliping=true")
    XCTAssertFalse(r.err.contains("observationNormalizer"), r.err)
  }

  func testAMissingManifestListsExperimentsWithTheNearest() throws {
    for path in ["experiments/tabel2.json", "table2.json"] {
      let r = repro("run", path)
      XCTAssertEqual(r.status, 1, path)
      XCTAssertTrue(r.err.contains("\(path): (file): no such file; did you mean 'experiments/table2.json'? (manifests in experiments/: "), r.err)
      XCTAssertTrue(r.err.contains("smoke.json"), r.err)
    }
    let far = repro("report", "nowhere/zzzzzz.json")
    XCTAssertEqual(far.status, 1)
    XCTAssertTrue(far.err.contains("no such file; manifests in experiments/: "), far.err)
    XCTAssertFalse(far.err.contains("did you mean"), far.err)
  }

  func testAMisspeltScaleSuggestsTheManifestsScale() {
    let r = repro("report", "experiments/table2.json", "--scale", "paper-budgt", "--out", NSTemporaryDirectory())
    XCTAssertEqual(r.status, 1)
    XCTAssertTrue(r.err.contains("no scale named 'paper-budgt'; did you mean 'paper-budget'?"), r.err)
  }
}

/// Issue 30: a committed report is not replaced by one built from fewer runs.
final class ReportOverwriteTests: XCTestCase {
  func testAReportFromAnArchiveIsNotReplacedByOneFromNoRuns() throws {
    let dir = try temporaryFolder()
    let out = dir.appendingPathComponent("reports").path
    let archive = "reports/archive/table2-quick.jsonl"
    let fixed = ["--date", "2026-01-01", "--command", "x", "--out", out]
    let first = repro(["report", "experiments/table2.json", "--scale", "quick", "--from-archive", archive] + fixed)
    XCTAssertEqual(first.status, 0, first.err)
    func snapshot() throws -> [String: Data] {
      let names = try FileManager.default.contentsOfDirectory(atPath: out)
      return try Dictionary(uniqueKeysWithValues: names.map { ($0, try Data(contentsOf: URL(fileURLWithPath: out + "/" + $0))) })
    }
    let before = try snapshot()
    XCTAssertNotNil(before["table2-quick-curves.svg"])

    // Forgetting --from-archive: refused, nothing written, the archive command named.
    let results = dir.appendingPathComponent("no-results").path
    let refused = repro(["report", "experiments/table2.json", "--scale", "quick", "--results", results] + fixed)
    XCTAssertEqual(refused.status, 1, refused.out)
    XCTAssertTrue(refused.err.contains("\(out)/table2-quick.json was built from "), refused.err)
    XCTAssertTrue(refused.err.contains("this report has 0: not overwritten, nothing written"), refused.err)
    XCTAssertTrue(refused.err.contains("--from-archive"), refused.err)
    XCTAssertTrue(refused.err.contains("--force"), refused.err)
    XCTAssertEqual(refused.out, "")
    XCTAssertEqual(try snapshot(), before, "not a byte changed")

    // The same archive again is allowed (as check-reports and make reproduce do).
    XCTAssertEqual(repro(["report", "experiments/table2.json", "--scale", "quick", "--from-archive", archive] + fixed).status, 0)
    XCTAssertEqual(try snapshot(), before)

    // --force replaces it, and the old report's curves go with it.
    let forced = repro(["report", "experiments/table2.json", "--scale", "quick", "--results", results, "--force"] + fixed)
    XCTAssertEqual(forced.status, 0, forced.err)
    let after = try snapshot()
    XCTAssertNil(after["table2-quick-curves.svg"], "\(after.keys.sorted())")
    XCTAssertNil(after["table2-quick-curves.tex"])
    XCTAssertTrue(forced.out.contains("removed \(out)/table2-quick-curves.svg"), forced.out)
    XCTAssertNotEqual(after["table2-quick.json"], before["table2-quick.json"])
  }

  func testAnArchiveAtAnotherScaleSuggestsTheScaleItRecords() throws {
    let out = try temporaryFolder().path
    let r = repro("report", "experiments/table2.json", "--scale", "paper", "--from-archive", "reports/archive/table2-quick.jsonl", "--out", out)
    XCTAssertEqual(r.status, 1)
    XCTAssertTrue(r.err.contains("holds table2 at scale quick, not paper; give the scale it records: "
                                 + "repro report experiments/table2.json --scale quick --from-archive reports/archive/table2-quick.jsonl"), r.err)
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out), [])
  }
}
