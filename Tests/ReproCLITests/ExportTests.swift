import Experiments
import Foundation
import ReproCLI
import RunModel
import TestSupport
import XCTest

/// Issue 30: per-iteration metrics as CSV (`repro export`, `report --csv`) and `repro plot`.
final class ExportTests: XCTestCase {
  /// Two short runs (3 iterations of 256 steps), trained once for the tests of this class.
  static let folder: URL? = {
    guard let dir = try? temporaryFolder() else { return nil }
    for (algorithm, seed) in [("PPO", "0"), ("TRPO", "2")] {
      let r = repro("train", "--task", "Hopper", "--algorithm", algorithm, "--seed", seed, "--iterations", "3",
                    "--set", "stepsPerIteration=256", "--quiet", "--out", dir.appendingPathComponent("\(algorithm).json").path)
      guard r.status == 0 else { return nil }
    }
    return dir
  }()

  func runs() throws -> (dir: URL, ppo: String, trpo: String) {
    let dir = try XCTUnwrap(Self.folder, "training the two runs failed")
    return (dir, dir.appendingPathComponent("PPO.json").path, dir.appendingPathComponent("TRPO.json").path)
  }

  func testExportWritesOneLinePerIterationFromTheStoredMetrics() throws {
    let (dir, ppo, trpo) = try runs()
    let r = repro("export", ppo)
    XCTAssertEqual(r.status, 0, r.err)
    let lines = r.out.split(separator: "\n").map(String.init)
    XCTAssertEqual(lines.count, 4, r.out)
    XCTAssertEqual(lines[0], "file,run,manifest,algorithm,preset,task,seed,iteration,steps,meanReturn,episodes,policyLoss,"
                   + "valueLoss,entropy,meanKL,maxRatio,clipFraction,learningRate,klBound,lineSearchSteps")
    // Each value is the one in the result file, read back exactly.
    guard case .success(let stored) = ResultFile.decode(try Data(contentsOf: URL(fileURLWithPath: ppo))) else {
      return XCTFail("the result file does not read")
    }
    for (k, m) in stored.result.iterations.enumerated() {
      let f = lines[k + 1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      XCTAssertEqual(f.count, 20)
      XCTAssertEqual(f[0], ppo)
      XCTAssertEqual(f[1], stored.hash)
      XCTAssertEqual(Array(f[3...8]), ["PPO", "PPO", "Hopper", "0", "\(k)", "\((k + 1) * 256)"])
      XCTAssertEqual(Double(f[9]), m.meanReturn)
      XCTAssertEqual(Int(f[10]), m.episodes)
      XCTAssertEqual(Double(f[14]), m.meanKL)
      XCTAssertEqual(f[18], "", "PPO has no KL bound")
    }
    // A folder is its .json files in name order; --out is written atomically, and the same files give the same bytes.
    let out = dir.appendingPathComponent("all.csv").path
    let w = repro("export", dir.path, "--out", out)
    XCTAssertEqual(w.status, 0, w.err)
    XCTAssertTrue(w.out.contains("(2 runs, 6 iterations)"), w.out)
    let text = try String(contentsOfFile: out, encoding: .utf8)
    XCTAssertEqual(text.split(separator: "\n").count, 7)
    XCTAssertTrue(text.split(separator: "\n")[4].hasPrefix(dir.path + "/TRPO.json,"), text)
    XCTAssertEqual(repro("export", ppo, trpo).out + "\n", text)
  }

  func testExportAndPlotRefuseWhatIsNotAResultAndWriteNothing() throws {
    let (dir, ppo, _) = try runs()
    let bad = dir.appendingPathComponent("bad").path
    try FileManager.default.createDirectory(atPath: bad, withIntermediateDirectories: true)
    try Data("{\"format\": 1}".utf8).write(to: URL(fileURLWithPath: bad + "/x.json"))
    let out = dir.appendingPathComponent("never.csv").path
    let r = repro("export", ppo, bad + "/x.json", "--out", out)
    XCTAssertEqual(r.status, 1)
    XCTAssertTrue(r.err.contains("\(bad)/x.json: not a result file"), r.err)
    XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    XCTAssertTrue(repro("plot", dir.appendingPathComponent("nope.json").path).err.contains("nope.json: no such file or folder"))
    XCTAssertEqual(repro("export", ppo, "--out", ppo).status, 2, "never over an input")
  }

  func testPlotDrawsTheLearningCurveBesideTheRun() throws {
    let (dir, ppo, trpo) = try runs()
    let r = repro("plot", ppo)
    XCTAssertEqual(r.status, 0, r.err)
    let svgPath = dir.appendingPathComponent("PPO.svg").path
    XCTAssertEqual(r.out, "wrote \(svgPath)")
    let svg = try String(contentsOfFile: svgPath, encoding: .utf8)
    XCTAssertTrue(svg.hasPrefix("<svg "), svg)
    XCTAssertTrue(svg.contains("data-panels=\"1\""))
    XCTAssertTrue(svg.contains("<title>Hopper PPO seed 0: learning curve</title>"), svg)
    XCTAssertTrue(svg.contains("PPO.json: run \(String(try hashOf(ppo).prefix(12))), 3 iterations of 256 steps."), svg)
    XCTAssertTrue(svg.contains("environment steps") && svg.contains("mean return"))
    // Deterministic: the same file, the same bytes.
    XCTAssertEqual(repro("plot", ppo).status, 0)
    XCTAssertEqual(try String(contentsOfFile: svgPath, encoding: .utf8), svg)
    // Several runs need --out, and get a legend.
    XCTAssertEqual(repro("plot", ppo, trpo).status, 2)
    let two = dir.appendingPathComponent("two.svg").path
    XCTAssertEqual(repro("plot", ppo, trpo, "--out", two).status, 0)
    let both = try String(contentsOfFile: two, encoding: .utf8)
    XCTAssertTrue(both.contains("Hopper PPO seed 0") && both.contains("Hopper TRPO seed 2"), both)
  }

  func hashOf(_ file: String) throws -> String {
    guard case .success(let stored) = ResultFile.decode(try Data(contentsOf: URL(fileURLWithPath: file))) else {
      throw RunFileReadFailure()
    }
    return stored.hash
  }
  struct RunFileReadFailure: Error {}

  func testReportWritesItsTableAsCSVWhenAsked() throws {
    let out = try temporaryFolder().path
    let r = repro("report", "experiments/table2.json", "--scale", "quick", "--from-archive", "reports/archive/table2-quick.jsonl",
                  "--out", out, "--csv", "--date", "2026-01-01", "--command", "x")
    XCTAssertEqual(r.status, 0, r.err)
    let csv = try String(contentsOfFile: out + "/table2-quick.csv", encoding: .utf8)
    let lines = csv.split(separator: "\n")
    XCTAssertTrue(lines[0].hasPrefix("row,kind,task,ours,ours_low,ours_high,expected,finished"), csv)
    XCTAssertTrue(lines.contains { $0.hasPrefix("PPO,algorithm,Hopper,") }, csv)
    // Without --csv, no CSV (the committed reports are unchanged).
    let plain = try temporaryFolder().path
    XCTAssertEqual(repro("report", "experiments/table2.json", "--scale", "quick", "--from-archive",
                         "reports/archive/table2-quick.jsonl", "--out", plain).status, 0)
    XCTAssertFalse(FileManager.default.fileExists(atPath: plain + "/table2-quick.csv"))
  }
}
