import Foundation
import TestSupport
import XCTest

/// Issue 23: a study of one's own. The example study (experiments/examples/obs-norm.json: no
/// citation, no paper values) goes the whole path at its smoke scale, manifest → runner → result
/// store → report, trained for real; its report, in every format, is a study's: no paper columns,
/// no "Reproduction of", its claims judged by the same calibrated methods in words that name no paper.
final class StudyTests: XCTestCase {
  let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  func testTheExampleStudyRunsAndReportsAsAStudy() throws {
    let manifest = root.appendingPathComponent("experiments/examples/obs-norm.json").path
    let dir = try temporaryFolder()
    let results = dir.appendingPathComponent("results").path, out = dir.appendingPathComponent("reports").path
    let run = repro("run", manifest, "--scale", "smoke", "--results", results, "--jobs", "2")
    XCTAssertEqual(run.status, 0, run.err)
    XCTAssertTrue(run.out.contains("obs-norm (smoke): 12 runs: 0 already done, 12 completed now"), run.out)
    let report = repro("report", manifest, "--scale", "smoke", "--results", results, "--out", out, "--csv",
                       "--date", "2026-12-09", "--command", "repro report experiments/examples/obs-norm.json --scale smoke")
    XCTAssertEqual(report.status, 0, report.err)

    let names = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
    for ext in ["md", "tex", "json", "csv", "svg"] { XCTAssertTrue(names.contains("obs-norm-smoke.\(ext)"), "\(names)") }
    for name in names {
      let text = try String(contentsOfFile: "\(out)/\(name)", encoding: .utf8)
      // No output of a study compares with a paper, or speaks of reproducing one.
      for word in ["(paper)", "& paper", "\"paper\":", "paper's", "Reproduction", "reproduced"] {
        XCTAssertFalse(text.contains(word), "\(name) says '\(word)': \(lines(of: text, containing: word))")
      }
    }
    let md = try String(contentsOfFile: "\(out)/obs-norm-smoke.md", encoding: .utf8)
    XCTAssertTrue(md.hasPrefix("# Study obs-norm: PPO, PPO-NoObsNorm on Hopper, Walker2d\n"), md)
    XCTAssertTrue(md.contains("| Step | Hopper | Walker2d |\n"), md)
    XCTAssertTrue(md.contains("smallest effect of interest 100 (set by the manifest)"), md)

    // The claims are judged, line by line and as one family (Holm), like a reproduction's.
    let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(out)/obs-norm-smoke.json"))) as? [String: Any])
    XCTAssertEqual(json["kind"] as? String, "study")
    XCTAssertTrue(json["citation"] is NSNull)
    let claims = try XCTUnwrap(json["claims"] as? [[String: Any]])
    let rowLines = claims.filter { $0["claim"] as? String == "[PPO] > [PPO-NoObsNorm]" && !($0["task"] is NSNull) }
    XCTAssertEqual(rowLines.compactMap { $0["task"] as? String }, ["Hopper", "Walker2d"])
    let words = ["supported", "contradicted", "inconclusive", "smaller than the smallest effect of interest"]
    for line in rowLines {
      XCTAssertTrue(words.contains(line["verdict"] as? String ?? ""), "\(line)")
      let family = try XCTUnwrap(line["family"] as? [String: Any], "\(line)")
      XCTAssertTrue(words.contains(family["verdict"] as? String ?? ""), "\(line)")
    }
    // The median claim needs more runs than the smoke scale's 3: not judged, and it says why.
    let median = claims.filter { $0["claim"] as? String == "median of [PPO-NoObsNorm]: score > 100" }
    XCTAssertEqual(median.map { $0["reason"] as? String }, Array(repeating: "not judged: 3 runs; the order-statistic "
      + "interval of a median at 95% needs at least 6", count: 2), "\(claims)")
    XCTAssertTrue(md.contains("## Claims\n\n4 claims: "), md)
    XCTAssertTrue(md.contains("As a family (Holm over the 4 lines)"), md)
    for row in try XCTUnwrap(json["rows"] as? [[String: Any]]) {
      for cell in try XCTUnwrap(row["cells"] as? [[String: Any]]) { XCTAssertNil(cell["paper"], "\(row)") }
    }
  }

  func lines(of text: String, containing word: String) -> [Substring] {
    text.split(separator: "\n").filter { $0.contains(word) }
  }
}
