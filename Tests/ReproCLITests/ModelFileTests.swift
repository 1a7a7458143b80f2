import Foundation
import ReproCLI
import RunModel
import TestSupport
import XCTest

/// Each task pins its model file's SHA-256: a file that differs is refused before anything runs
/// (nothing written, nothing trained), unless named a custom model, whose hash then enters the
/// run's identity; the pinned models' identities are unchanged.
final class ModelFileTests: XCTestCase {
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
