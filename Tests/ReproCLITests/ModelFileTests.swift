import Foundation
import ReproCLI
import RunModel
import TestSupport
import XCTest

/// Each task pins its model file's SHA-256: a file that differs is refused before anything runs
/// (nothing written, nothing trained), unless named a custom model, whose hash then enters the
/// run's identity; the pinned models' identities are unchanged.

/// An assets folder with Gymnasium's files, Walker2d-v5's right foot given v4's friction 0.9.
func customAssets() throws -> URL {
  let dir = try temporaryFolder()
  let pinned = repositoryRoot.appendingPathComponent(".deps/assets")
  for f in ["hopper.xml", "walker2d_v5.xml", "humanoid.xml"] {
    try FileManager.default.copyItem(at: pinned.appendingPathComponent(f), to: dir.appendingPathComponent(f))
  }
  let walker = dir.appendingPathComponent("walker2d_v5.xml")
  let text = try String(contentsOf: walker, encoding: .utf8)
  XCTAssertTrue(text.contains("friction=\"1.9\""))
  try text.replacingOccurrences(of: "friction=\"1.9\"", with: "friction=\"0.9\"").write(to: walker, atomically: true, encoding: .utf8)
  return dir
}

final class ModelFileTests: XCTestCase {
  func testADifferingModelIsRefusedBeforeAnythingRuns() throws {
    let assets = try customAssets()
    let out = assets.appendingPathComponent("r.json")
    let r = repro("train", "--task", "Walker2d", "--algorithm", "PPO", "--iterations", "1", "--assets", assets.path, "--out", out.path)
    XCTAssertEqual(r.status, 2)
    XCTAssertTrue(r.err.contains("walker2d_v5.xml is not Walker2d-v5's model: its SHA-256 is "), r.err)
    XCTAssertTrue(r.err.contains("6bed53a6cc3ca73c4fe8ac3486d3b4228927264a6454f4ef16d3eed3c58bc09d"), r.err)
    XCTAssertTrue(r.err.contains("--custom-model"), r.err)
    XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
    let results = assets.appendingPathComponent("results")
    let run = repro("run", "experiments/smoke.json", "--assets", assets.path, "--results", results.path)
    XCTAssertEqual(run.status, 0, "smoke.json trains Hopper only, whose file is the pinned one: \(run.err)")
    let rollout = repro("env", "rollout", "--task", "Walker2d-v5", "--actions", "/dev/null", "--assets", assets.path)
    XCTAssertEqual(rollout.status, 2)
    XCTAssertTrue(rollout.err.contains("is not Walker2d-v5's model"), rollout.err)
  }

  func testACustomModelEntersTheIdentityAndTheResult() throws {
    let assets = try customAssets()
    let custom = assets.appendingPathComponent("custom.json"), pinned = assets.appendingPathComponent("pinned.json")
    let common = ["train", "--task", "Walker2d", "--algorithm", "PPO", "--seed", "1", "--iterations", "1",
                  "--set", "stepsPerIteration=128", "--set", "minibatches=4", "--quiet"]
    let a = repro(common + ["--assets", assets.path, "--custom-model", "--out", custom.path])
    XCTAssertEqual(a.status, 0, a.err)
    XCTAssertTrue(a.out.contains("on custom model walker2d_v5.xml (sha256 "), a.out)
    // --custom-model with the pinned files changes nothing: the same identity as without it.
    let b = repro(common + ["--custom-model", "--out", pinned.path])
    XCTAssertEqual(b.status, 0, b.err)
    let ca = try JSONParser.parse(String(contentsOf: custom, encoding: .utf8))
    let cb = try JSONParser.parse(String(contentsOf: pinned, encoding: .utf8))
    XCTAssertEqual(ca["identity"]?["model"]?["file"]?.stringValue, "walker2d_v5.xml")
    XCTAssertEqual(ca["identity"]?["model"]?["sha256"]?.stringValue?.count, 64)
    XCTAssertNil(cb["identity"]?["model"])
    XCTAssertNotEqual(ca["hash"], cb["hash"])
    let id = try RunIdentity(json: XCTUnwrap(ca["identity"]))
    XCTAssertEqual(ca["hash"]?.stringValue, id.hash, "the stored identity, model included, reads back to its hash")
    XCTAssertNotEqual(ca["content"], cb["content"], "another model, another run")
  }
}

/// `repro run --custom-model` stores runs under identities with the model; `repro report
/// --custom-model` finds them and names each model with its SHA-256.
final class CustomModelReportTests: XCTestCase {
  func testRunAndReportOnACustomModel() throws {
    let assets = try customAssets()
    let manifest = assets.appendingPathComponent("walkersmoke.json")
    let smoke = try String(contentsOf: repositoryRoot.appendingPathComponent("experiments/smoke.json"), encoding: .utf8)
    try smoke.replacingOccurrences(of: "\"name\": \"smoke\"", with: "\"name\": \"walkersmoke\"")
      .replacingOccurrences(of: "[\"Hopper\"]", with: "[\"Walker2d\"]")
      .write(to: manifest, atomically: true, encoding: .utf8)
    let results = assets.appendingPathComponent("results"), out = assets.appendingPathComponent("reports")
    let refused = repro("run", manifest.path, "--assets", assets.path, "--results", results.path, "--quiet")
    XCTAssertEqual(refused.status, 2)
    XCTAssertFalse(FileManager.default.fileExists(atPath: results.path), "nothing stored")
    let run = repro("run", manifest.path, "--assets", assets.path, "--results", results.path, "--quiet", "--custom-model")
    XCTAssertEqual(run.status, 0, run.err)
    XCTAssertTrue(run.err.contains("custom model for Walker2d-v5: walker2d_v5.xml (sha256 "), run.err)
    let report = repro("report", manifest.path, "--results", results.path, "--out", out.path, "--date", "d",
                       "--assets", assets.path, "--custom-model")
    XCTAssertEqual(report.status, 0, report.err)
    let md = try String(contentsOf: out.appendingPathComponent("walkersmoke-smoke.md"), encoding: .utf8)
    XCTAssertTrue(md.contains("Custom models"), md)
    XCTAssertTrue(md.contains("Walker2d-v5: walker2d\\_v5.xml, sha256 ") || md.contains("Walker2d-v5: walker2d_v5.xml, sha256 "), md)
    XCTAssertTrue(md.contains("4 of 4") || !md.contains("missing"), md)
    let json = try JSONParser.parse(String(contentsOf: out.appendingPathComponent("walkersmoke-smoke.json"), encoding: .utf8))
    XCTAssertEqual(json["provenance"]?["customModels"].map { if case .array(let a) = $0 { return a.count } else { return 0 } }, 1)

    // Through an archive (issue 26): each record names its model; a report from the archive alone
    // says which model its runs need, and with it gives the same table.
    let archive = assets.appendingPathComponent("walkersmoke.jsonl").path
    let archived = repro("archive", manifest.path, "--results", results.path, "--out", archive, "--assets", assets.path, "--custom-model")
    XCTAssertEqual(archived.status, 0, archived.err)
    XCTAssertTrue(archived.out.contains(": 4 of 4 runs"), archived.out)
    let text = try String(contentsOfFile: archive, encoding: .utf8)
    XCTAssertEqual(text.components(separatedBy: "\"model\":{\"file\":\"walker2d_v5.xml\"").count - 1, 4, text)
    let out2 = assets.appendingPathComponent("reports2")
    let plain = repro("report", manifest.path, "--from-archive", archive, "--out", out2.path, "--date", "d")
    XCTAssertTrue(plain.err.contains("runs on custom model walker2d_v5.xml (sha256 "), plain.err)
    XCTAssertTrue(plain.err.contains("give --custom-model"), plain.err)
    let fromArchive = repro("report", manifest.path, "--from-archive", archive, "--out", out2.path, "--date", "d",
                            "--assets", assets.path, "--custom-model", "--force")
    XCTAssertEqual(fromArchive.status, 0, fromArchive.err)
    let md2 = try String(contentsOf: out2.appendingPathComponent("walkersmoke-smoke.md"), encoding: .utf8)
    XCTAssertTrue(md2.contains("4 of 4"), md2)
  }
}
