import Foundation
import ReproCLI
import RunModel
import TestSupport
import XCTest

/// `repro env rollout` and `repro env list`. The rollout's reset is checked against
/// Gymnasium 1.4.0's own env.reset(seed=42) (Tests/EnvironmentsTests/Fixtures/
/// gymnasium-resets.json), exactly (the written text parses back to the same bits);
/// `make parity-rollout` compares whole rollouts with Gymnasium's.
final class EnvRolloutTests: XCTestCase {
  func gymnasiumReset(task: String, seed: String) throws -> (qpos: [UInt64], observation: [UInt64]) {
    let url = repositoryRoot.appendingPathComponent("Tests/EnvironmentsTests/Fixtures/gymnasium-resets.json")
    let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
    let row = try XCTUnwrap((doc?["rows"] as? [[String: Any]])?.first { $0["task"] as? String == task && $0["seed"] as? String == seed })
    let reset = try XCTUnwrap((row["resets"] as? [[String: Any]])?.first)
    func bits(_ k: String) -> [UInt64] { (reset[k] as? [String] ?? []).compactMap { UInt64($0.dropFirst(2), radix: 16) } }
    return (bits("qpos"), bits("observation"))
  }

  func testRolloutWritesGymnasiumsResetAndEveryStep() throws {
    let dir = try temporaryFolder()
    let actions = dir.appendingPathComponent("a.csv")
    try "a0,a1,a2\n0.5,-0.5,1\n# a comment\n2,-2,0\nreset\n0,0,0\nreset,42\n".write(to: actions, atomically: true, encoding: .utf8)
    let out = dir.appendingPathComponent("out.jsonl")
    let r = repro("env", "rollout", "--task", "Hopper-v5", "--seed", "42", "--actions", actions.path, "--out", out.path)
    XCTAssertEqual(r.status, 0, r.err)
    let lines = try String(contentsOf: out, encoding: .utf8).split(separator: "\n")
    XCTAssertEqual(lines.count, 6)  // reset, 2 steps, reset, 1 step, reset
    // RunModel's parser reads numbers correctly rounded (Foundation's JSONSerialization does not, on Linux).
    let rows = try lines.map { try JSONParser.parse(String($0)) }
    XCTAssertEqual(rows.map { $0["kind"]?.stringValue }, ["reset", "step", "step", "reset", "step", "reset"])
    XCTAssertEqual(rows.map { $0["episode"]?.numberValue }, [0, 0, 0, 1, 1, 2])
    func bits(_ v: JSONValue?) -> [UInt64] {
      guard case .array(let items)? = v else { return [] }
      return items.compactMap { $0.numberValue?.bitPattern }
    }
    let gym = try gymnasiumReset(task: "Hopper-v5", seed: "42")
    for k in [0, 5] {  // --seed 42, and the `reset,42` line
      XCTAssertEqual(bits(rows[k]["qpos"]), gym.qpos, "row \(k): qpos")
      XCTAssertEqual(bits(rows[k]["observation"]), gym.observation, "row \(k): observation")
    }
    XCTAssertNotNil(rows[1]["reward"]?.numberValue)
    XCTAssertEqual(rows[1]["terminated"], .bool(false))
    // CSV: the same rows, a header first, and JSON lines in as actions give the same output.
    let jsonActions = dir.appendingPathComponent("a.jsonl")
    try "[0.5,-0.5,1]\n{\"action\":[2,-2,0]}\n\"reset\"\n[0,0,0]\n{\"reset\":42}\n".write(to: jsonActions, atomically: true, encoding: .utf8)
    let again = repro("env", "rollout", "--task", "Hopper", "--seed", "42", "--actions", jsonActions.path)
    XCTAssertEqual(again.status, 0, again.err)
    XCTAssertEqual(again.out + "\n", try String(contentsOf: out, encoding: .utf8))
    let csv = repro("env", "rollout", "--task", "Hopper-v5", "--seed", "42", "--actions", actions.path, "--format", "csv")
    XCTAssertEqual(csv.status, 0, csv.err)
    let csvLines = csv.out.split(separator: "\n")
    XCTAssertEqual(csvLines.count, 7)
    XCTAssertTrue(csvLines[0].hasPrefix("kind,episode,step,reward,terminated,truncated,x_velocity,obs_0,"), String(csvLines[0]))
  }

  func testBadInputIsRefusedBeforeAnythingIsWritten() throws {
    let dir = try temporaryFolder()
    let out = dir.appendingPathComponent("out.csv")
    func refused(_ text: String, _ expected: String, task: String = "Hopper-v5") throws {
      let actions = dir.appendingPathComponent("bad.txt")
      try text.write(to: actions, atomically: true, encoding: .utf8)
      let r = repro("env", "rollout", "--task", task, "--actions", actions.path, "--out", out.path)
      XCTAssertNotEqual(r.status, 0, text)
      XCTAssertTrue(r.err.contains(expected), "\(text): \(r.err)")
      XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "nothing written for \(text)")
    }
    try refused("0.1,0.2\n", "bad.txt line 1: the action has 2 values; this task takes 3")
    try refused("0.1,0.2,0.3\n0.1,x,0.3\n", "bad.txt line 2: value 1 is 'x', not a number")
    try refused("0.1,0.2,nan\n", "line 1: action value 2 is nan")
    try refused("[0.1,0.2]\n", "line 1: the action has 2 values")
    try refused("reset,-1\n", "reset seed must be a whole number")
    try refused(String(repeating: "1,1,1\n", count: 200), "comes after episode 0 ended")
    try refused("0,0,0\n", "unknown task 'Hoper'; did you mean 'Hopper", task: "Hoper")
  }

  func testEnvListShowsVersionsSizesAndTimeLimits() {
    let r = repro("env", "list")
    XCTAssertEqual(r.status, 0, r.err)
    // The task column is as wide as the longest id (InvertedDoublePendulum-v5).
    XCTAssertTrue(r.out.contains("task                      version   obs  act"), r.out)
    // Sizes and time limits as Gymnasium 1.4.0 reports them.
    let expected = [("Hopper-v5", 11, 3, 1000), ("Walker2d-v5", 17, 6, 1000), ("Humanoid-v5", 348, 17, 1000),
                    ("Ant-v5", 105, 8, 1000), ("Ant-v4", 27, 8, 1000), ("Reacher-v5", 10, 2, 50), ("Pusher-v4", 23, 7, 100),
                    ("InvertedDoublePendulum-v4", 11, 1, 1000)]
    for (task, obs, act, limit) in expected {
      let line = r.out.split(separator: "\n").first { $0.hasPrefix(task + " ") }.map(String.init) ?? ""
      XCTAssertTrue(line.contains(" v\(task.suffix(1)) "), line)
      XCTAssertTrue(line.contains(String(format: "%4d %4d", obs, act)), line)
      XCTAssertTrue(line.hasSuffix(" \(limit)"), line)
    }
  }
}
