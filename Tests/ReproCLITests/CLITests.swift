import Experiments
import Foundation
import ReproCLI
import RunModel
import TestSupport
import XCTest

/// The command line, called in process with its output captured.
struct Invocation {
  let status: Int32
  let out: String
  let err: String
}

func repro(_ args: String...) -> Invocation { repro(args) }

func repro(_ args: [String]) -> Invocation {
  let out = LineCollector(), err = LineCollector()
  let status = runCommandLine(args, io: CommandIO(out: { out.append($0) }, err: { err.append($0) }))
  return Invocation(status: status, out: out.text, err: err.text)
}

let cliSnapshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

/// Usage texts are generated from each command's declarations: snapshots keep them reviewed.
final class HelpTests: XCTestCase {
  func testTopLevelHelp() throws {
    let r = repro("--help")
    XCTAssertEqual(r.status, 0)
    try assertSnapshot(r.out + "\n", named: "help.txt", in: cliSnapshots)
    XCTAssertEqual(repro().status, 2, "no command is a usage error")
  }

  func testEveryCommandsHelp() throws {
    for command in ["train", "run", "report", "compare", "export", "plot", "check", "plan", "cost", "archive", "import", "merge", "slurm", "env list", "env rollout", "bench env", "bench overhead", "bench train"] {
      let r = repro(command.split(separator: " ").map(String.init) + ["--help"])
      XCTAssertEqual(r.status, 0, command)
      XCTAssertTrue(r.out.hasPrefix("usage: repro \(command)"), r.out)
      try assertSnapshot(r.out + "\n", named: "help-\(command.replacingOccurrences(of: " ", with: "-")).txt", in: cliSnapshots)
    }
  }

  /// A required option is shown without brackets and marked, in the synopsis and the list.
  func testHelpMarksRequiredOptions() {
    let text = repro("train", "--help").out
    XCTAssertTrue(text.hasPrefix("usage: repro train --task T --algorithm A [--seed S]"), text)
    XCTAssertTrue(text.contains("--task T         required: "), text)
    XCTAssertTrue(text.contains("--seed S         run seed"), text)
    XCTAssertTrue(repro("check", "--help").out.contains("--golden FILE"))
    XCTAssertFalse(repro("check", "--help").out.contains("[--golden FILE]"))
  }

  func testTrainHelpListsEveryPresetAndTask() {
    let text = repro("train", "--help").out
    for p in Preset.allCases { XCTAssertTrue(text.contains(p.rawValue), p.rawValue) }
    for t in PaperTask.allCases { XCTAssertTrue(text.contains(t.rawValue), t.rawValue) }
  }
}

/// Exit status: 0 success, 1 failure, 2 usage error; errors name what is wrong.
final class ExitStatusTests: XCTestCase {
  func testUsageErrors() {
    let cases: [([String], String)] = [
      (["frobnicate"], "unknown command 'frobnicate'"),
      (["env"], "'env' needs a subcommand: repro env list"),
      (["run"], "missing MANIFEST"),
      (["run", "a.json", "b.json"], "expected MANIFEST, got 'a.json b.json'"),
      (["run", "experiments/smoke.json", "--frob", "1"], "unknown option --frob"),
      (["run", "experiments/smoke.json", "--jobs"], "option --jobs needs a value (N)"),
      (["run", "experiments/smoke.json", "--jobs", "0"], "--jobs expects a whole number ≥ 1, got '0'"),
      (["run", "experiments/smoke.json", "--shard", "3/2"], "--shard: shard must be i/n with 1 <= i <= n, got 3/2"),
      (["train", "--task", "Hopper"], "--algorithm A is required: a preset"),
      (["train", "--algorithm", "PPO"], "--task T is required: a task (`repro env list`; a MuJoCo id without a version is v5): Hopper, Walker2d, Humanoid"),
      (["plan", "experiments/table2.json"], "--from-scale S is required"),
      (["merge", "a.jsonl"], "--out FILE is required"),
      (["train", "--task", "Hopper", "--algorithm", "PPO", "--set", "gamma=2"], "gamma: must be in (0, 1], got 2.0"),
      (["train", "--task", "Hopper", "--algorithm", "PPO", "--set", "nope=1"], "nope: unknown setting"),
      (["train", "--task", "Hopper", "--algorithm", "PPO", "--quiet=yes"], "--quiet is a flag and takes no value"),
      (["check", "experiments/smoke.json"], "--golden FILE is required"),
      (["run", "experiments/table2.json", "--claim", "PPO > PPO-M"], "--claim goes with --until-decided"),
      (["report", "experiments/table2.json", "--until-decided", "--claim", "PPO > TRPO"],
       "no claim 'PPO > TRPO' in table2 (its claims: 'ACLI > AAI', 'PPO > PPO-M', 'TRPO+ > TRPO')"),
      (["run", "experiments/table2.json", "--until-decided", "--task", "Ant"], "no task 'Ant' in table2"),
    ]
    for (args, message) in cases {
      let r = repro(args)
      XCTAssertEqual(r.status, 2, "\(args)")
      XCTAssertTrue(r.err.contains(message), "\(args): \(r.err)")
      XCTAssertTrue(r.err.contains("--help"), "a usage error points at the help: \(r.err)")
    }
  }

  func testABadManifestFailsWithFileAndPathAndTrainsNothing() throws {
    let dir = try temporaryFolder()
    let manifest = dir.appendingPathComponent("bad.json")
    let text = try String(contentsOf: repositoryRoot.appendingPathComponent("experiments/smoke.json"), encoding: .utf8)
    try text.replacingOccurrences(of: "\"iterations\": 2,", with: "\"iterations\": \"two\",")
      .write(to: manifest, atomically: true, encoding: .utf8)
    let results = dir.appendingPathComponent("results")
    let r = repro("run", manifest.path, "--results", results.path)
    XCTAssertEqual(r.status, 1)
    XCTAssertTrue(r.err.contains("\(manifest.path): scales.smoke.iterations: expected an integer"), r.err)
    XCTAssertFalse(FileManager.default.fileExists(atPath: results.path), "nothing written")
  }
}

/// One end-to-end command per subcommand, on budgets of milliseconds.
final class EndToEndTests: XCTestCase {
  /// A two-run manifest on Hopper: 1 iteration of 64 steps.
  func tinyManifest(_ dir: URL) throws -> String {
    let path = dir.appendingPathComponent("tiny.json").path
    try """
      {"name": "tiny", "citation": "CLI test", "tasks": ["Hopper"],
       "algorithms": {"PPO": {"preset": "PPO", "overrides": {"minibatches": 4}}, "TRPO": {"preset": "TRPO", "overrides": {"minibatches": 4}}},
       "seeds": {"count": 1, "base": 1}, "scales": {"t": {"iterations": 2, "stepsPerIteration": 64}},
       "defaultScale": "t", "score": {"method": "lastMean", "iterations": 5},
       "claims": [{"name": "PPO > TRPO", "left": "PPO", "op": ">", "right": "TRPO", "tasks": "all"}]}
      """.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  func testTrainWritesAResultFile() throws {
    let dir = try temporaryFolder()
    let out = dir.appendingPathComponent("run.json").path
    let r = repro("train", "--task", "Pendulum-v1", "--algorithm", "PPO", "--iterations", "2",
                  "--set", "stepsPerIteration=64", "--set", "minibatches=4", "--out", out, "--quiet")
    XCTAssertEqual(r.status, 0, r.err)
    XCTAssertTrue(r.out.hasPrefix("Pendulum-v1 PPO seed 0: score "), r.out)
    guard case let .success(stored) = ResultFile.decode(try Data(contentsOf: URL(fileURLWithPath: out))) else {
      return XCTFail("repro train --out must write a readable result file")
    }
    XCTAssertEqual(stored.result.iterations.count, 2)
    XCTAssertEqual(stored.labels.preset, "PPO")
    // The run's CPU time is recorded beside its wall time (a thread's CPU time cannot exceed
    // its wall time; 10 ms of slack for the clocks' granularity).
    let timing = stored.result.timing
    let cpu = try XCTUnwrap(timing.cpuSeconds)
    XCTAssertGreaterThan(cpu, 0)
    XCTAssertLessThanOrEqual(cpu, timing.wallSeconds + 0.01)
  }

  func testTrainListsSettings() {
    let r = repro("train", "--task", "Hopper", "--algorithm", "TRPO+", "--list-settings", "--set", "cgIterations=12")
    XCTAssertEqual(r.status, 0)
    XCTAssertTrue(r.out.contains("  klBound = 0.04    (number)"), r.out)
    XCTAssertTrue(r.out.contains("  cgIterations = 12    (integer; neutral 10)"), r.out)
    for key in Settings.keys { XCTAssertTrue(r.out.contains("  \(key) = "), key) }
  }

  func testRunReportAndCheck() throws {
    let dir = try temporaryFolder()
    let manifest = try tinyManifest(dir)
    let results = dir.appendingPathComponent("results").path
    let run = repro("run", manifest, "--results", results, "--jobs", "2")
    XCTAssertEqual(run.status, 0, run.err)
    XCTAssertTrue(run.out.contains("tiny (t): 2 runs: 0 already done, 2 completed now (0 diverged), 0 failed"), run.out)
    let again = repro("run", manifest, "--results", results)
    XCTAssertTrue(again.out.contains("2 already done, 0 completed now"), again.out)

    let reports = dir.appendingPathComponent("reports").path
    let report = repro("report", manifest, "--results", results, "--out", reports, "--date", "2026-11-23",
                       "--command", "repro report tiny")
    XCTAssertEqual(report.status, 0, report.err)
    for ext in ["md", "tex", "json", "svg"] {
      XCTAssertTrue(FileManager.default.fileExists(atPath: "\(reports)/tiny-t.\(ext)"), ext)
    }
    XCTAssertTrue(report.out.hasSuffix("tiny (t): 2 of 2 runs finished, 0 missing, 0 diverged"), report.out)

    let golden = dir.appendingPathComponent("golden.json").path
    XCTAssertEqual(repro("check", manifest, "--golden", golden, "--update").status, 0)
    let check = repro("check", manifest, "--golden", golden)
    XCTAssertEqual(check.status, 0, check.out + check.err)
    XCTAssertTrue(check.out.hasPrefix("check passed: 2 runs"), check.out)
    // A golden file that does not match fails with the field that moved.
    let edited = try String(contentsOfFile: golden, encoding: .utf8)
      .replacingOccurrences(of: "\"episodes\": ", with: "\"episodes\": 1")
    try edited.write(toFile: golden, atomically: true, encoding: .utf8)
    let failed = repro("check", manifest, "--golden", golden)
    XCTAssertEqual(failed.status, 1)
    XCTAssertTrue(failed.out.contains("episodes: golden 1"), failed.out)
  }

  /// Issue 11: an unusable results or reports folder stops the command before anything trains or is written.
  func testUnusableFoldersStopBeforeAnythingRuns() throws {
    let dir = try temporaryFolder()
    let file = dir.appendingPathComponent("file").path
    try Data("x".utf8).write(to: URL(fileURLWithPath: file))
    let run = repro("run", "experiments/smoke.json", "--results", file, "--quiet")
    XCTAssertEqual(run.status, 1)
    XCTAssertTrue(run.err.contains("is a file, not a folder"), run.err)
    XCTAssertEqual(run.out, "", "nothing trained")
    let report = repro("report", "experiments/smoke.json", "--results", dir.path, "--out", file + "/reports")
    XCTAssertEqual(report.status, 1)
    XCTAssertTrue(report.err.contains("is a file, not a folder"), report.err)
    let train = repro("train", "--task", "Hopper", "--algorithm", "PPO", "--iterations", "1", "--out", file + "/run.json")
    XCTAssertEqual(train.status, 1)
    XCTAssertTrue(train.err.contains("is a file, not a folder"), train.err)
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["file"])
  }

  /// Issue 11: a report names every result file it ignored, and why.
  func testReportListsIgnoredFiles() throws {
    let dir = try temporaryFolder()
    let results = dir.appendingPathComponent("results").path
    XCTAssertEqual(repro("run", "experiments/smoke.json", "--results", results, "--quiet").status, 0)
    let folder = URL(fileURLWithPath: results).appendingPathComponent("smoke")
    let name = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.min())
    let url = folder.appendingPathComponent(name)
    let text = try String(contentsOf: url, encoding: .utf8)
    try text.replacingOccurrences(of: "\"episodes\":", with: "\"episodes\":1").write(to: url, atomically: true, encoding: .utf8)
    let r = repro("report", "experiments/smoke.json", "--results", results, "--out", dir.appendingPathComponent("out").path)
    XCTAssertEqual(r.status, 0, r.err)
    XCTAssertTrue(r.err.contains("ignored \(url.path): checksum mismatch"), r.err)
    let md = try String(contentsOf: dir.appendingPathComponent("out/smoke-smoke.md"), encoding: .utf8)
    XCTAssertTrue(md.contains("1 result file(s) were ignored and their runs counted missing: \(name) (checksum mismatch"), md)
  }

  /// Issue 11: when standard error cannot be written (a full disk), the tool still ends with an
  /// exit status, not a crash, and a report that cannot be written leaves no partial file.
  func testAFullDiskGivesAnExitStatusAndNoPartialFile() throws {
    let exe = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("repro")
    guard FileManager.default.isExecutableFile(atPath: exe.path) else { throw XCTSkip("no repro executable beside the tests") }
    let dir = try temporaryFolder()
    let results = dir.appendingPathComponent("results").path
    XCTAssertEqual(repro("run", "experiments/smoke.json", "--results", results, "--quiet").status, 0)
    let out = dir.appendingPathComponent("out")
    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    // No file may grow beyond 0 bytes: every write fails as on a full disk (EFBIG), stderr included.
    let shell = Process()
    shell.executableURL = URL(fileURLWithPath: "/bin/bash")
    shell.arguments = ["-c", "trap '' XFSZ; ulimit -f 0; exec '\(exe.path)' report experiments/smoke.json --results '\(results)' --out '\(out.path)' 2> '\(dir.path)/stderr.txt' > /dev/null"]
    shell.currentDirectoryURL = repositoryRoot
    try shell.run()
    shell.waitUntilExit()
    XCTAssertEqual(shell.terminationStatus, 1, "an error exit, not a crash (signal)")
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path), [], "no report and no temporary file")
  }

  /// Issue 13: repro archive, report --from-archive (the same bytes) and merge, from the command line.
  func testArchiveReportFromArchiveAndMerge() throws {
    let dir = try temporaryFolder()
    let results = dir.appendingPathComponent("results").path
    for i in 1...2 {
      XCTAssertEqual(repro("run", "experiments/smoke.json", "--results", results + "\(i)", "--shard", "\(i)/2", "--quiet").status, 0)
    }
    XCTAssertEqual(repro("run", "experiments/smoke.json", "--results", results, "--quiet").status, 0)
    let whole = dir.appendingPathComponent("whole.jsonl").path
    let a = repro("archive", "experiments/smoke.json", "--results", results, "--out", whole)
    XCTAssertEqual(a.status, 0, a.err)
    XCTAssertTrue(a.out.contains("4 of 4 runs, content sha256 "), a.out)
    for i in 1...2 {
      XCTAssertEqual(repro("archive", "experiments/smoke.json", "--results", results + "\(i)", "--out", dir.appendingPathComponent("half\(i).jsonl").path).status, 0)
    }
    let merged = dir.appendingPathComponent("merged.jsonl").path
    let m = repro("merge", "--out", merged, dir.appendingPathComponent("half1.jsonl").path, dir.appendingPathComponent("half2.jsonl").path)
    XCTAssertEqual(m.status, 0, m.err)
    let hash = try XCTUnwrap(a.out.components(separatedBy: "content sha256 ").last?.trimmingCharacters(in: .whitespacesAndNewlines))
    XCTAssertTrue(m.out.contains("4 runs (from 2 + 2), content sha256 \(hash)"), m.out)

    let fixed = ["--date", "2026-01-01", "--command", "x"]
    XCTAssertEqual(repro(["report", "experiments/smoke.json", "--results", results, "--out", dir.appendingPathComponent("r1").path] + fixed).status, 0)
    // From the archive of the same results: the same bytes, every file, but for the
    // archive the report names as read (its path and the SHA-256 of its bytes).
    let r2 = repro(["report", "experiments/smoke.json", "--from-archive", whole, "--out", dir.appendingPathComponent("r2").path] + fixed)
    XCTAssertEqual(r2.status, 0, r2.err)
    let names = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("r1").path).sorted()
    XCTAssertEqual(names, try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("r2").path).sorted())
    XCTAssertTrue(names.contains("smoke-smoke-curves.svg") && names.contains("smoke-smoke-table.tex"), "\(names)")
    let wholeSHA = SHA256.hex(Array(try Data(contentsOf: URL(fileURLWithPath: whole))))
    for name in names {
      // LaTeX lets a SHA-256 break every 16 characters (\allowbreak{}): read it whole.
      let one = try String(contentsOf: dir.appendingPathComponent("r1/\(name)"), encoding: .utf8)
        .replacingOccurrences(of: "\\allowbreak{}", with: "")
      let two = try String(contentsOf: dir.appendingPathComponent("r2/\(name)"), encoding: .utf8)
        .replacingOccurrences(of: "\\allowbreak{}", with: "")
      guard one != two else { continue }
      XCTAssertTrue(two.contains(wholeSHA), "\(name) names the archive file read and its sha256")
      // The lines that differ are the archive's: Markdown and LaTeX's "Archive:" item, JSON's "read" object.
      func rest(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { !$0.contains("Archive:") }
          .filter { !$0.contains(#""read": {"#) && !$0.contains(#""path": "#) && !$0.contains(wholeSHA) && $0 != "      },"
            && !$0.contains(#""file": "#) }
      }
      XCTAssertEqual(rest(one), rest(two), name)
    }
    // From the merged archive of other runs of the same specs: the same report but for
    // the compute time, a measurement (cut from the compute section on).
    let r3 = repro(["report", "experiments/smoke.json", "--from-archive", merged, "--out", dir.appendingPathComponent("r3").path] + fixed)
    XCTAssertEqual(r3.status, 0, r3.err)
    func head(_ folder: String) throws -> String {
      let text = try String(contentsOf: dir.appendingPathComponent("\(folder)/smoke-smoke.md"), encoding: .utf8)
      return String(text.components(separatedBy: "## Compute")[0])
    }
    XCTAssertEqual(try head("r1"), try head("r3"))
    let wrong = repro("report", "experiments/slurm-check.json", "--from-archive", merged, "--out", dir.appendingPathComponent("r4").path)
    XCTAssertEqual(wrong.status, 1)
    XCTAssertTrue(wrong.err.contains("holds smoke at scale smoke"), wrong.err)
  }

  /// Issue 13: repro slurm --dry-run prints the script and writes nothing.
  func testSlurmDryRunPrintsTheScript() throws {
    let r = repro("slurm", "experiments/table2.json", "--dry-run", "--array-size", "96", "--cpus-per-task", "2")
    XCTAssertEqual(r.status, 0, r.err)
    XCTAssertTrue(r.out.contains("#SBATCH --array=1-96"), r.out)
    XCTAssertTrue(r.out.contains("--shard \"${SLURM_ARRAY_TASK_ID}/96\""), r.out)
    XCTAssertTrue(r.err.contains("960 runs in 96 array tasks of 2 CPU(s)"), r.err)
    XCTAssertFalse(FileManager.default.fileExists(atPath: repositoryRoot.appendingPathComponent("slurm/table2-paper.slurm.sh").path))
    XCTAssertEqual(repro("slurm", "experiments/table2.json", "--time", "1:2").status, 2)
  }

  func testCostPricesAManifestFromFinishedRuns() throws {
    let dir = try temporaryFolder()
    let results = dir.appendingPathComponent("results").path
    XCTAssertEqual(repro("run", "experiments/smoke.json", "--results", results, "--quiet").status, 0)
    let cost = repro("cost", "experiments/smoke.json", "--from-scale", "smoke", "--results", results)
    XCTAssertEqual(cost.status, 0, cost.err)
    XCTAssertTrue(cost.out.contains("| PPO | Hopper | 2 | 2 |"), cost.out)
    XCTAssertTrue(cost.out.contains("smoke at scale smoke (4 runs in"), cost.out)
    let unmeasured = repro("cost", "experiments/table3.json", "--from-scale", "quick",
                           "--measured-in", "experiments/smoke.json@smoke", "--results", results)
    XCTAssertEqual(unmeasured.status, 1, "cells without a measured cost fail the command")
    XCTAssertTrue(unmeasured.out.contains("no measured cost for Humanoid"), unmeasured.out)
  }

  func testEnvListAndBenchmarks() {
    let list = repro("env", "list")
    XCTAssertEqual(list.status, 0, list.err)
    let humanoid = list.out.split(separator: "\n").first { $0.hasPrefix("Humanoid-v5 ") }.map(String.init) ?? ""
    XCTAssertTrue(humanoid.contains(" v5      348   17  [-0.4, 0.4]"), list.out)
    let env = repro("bench", "env", "--task", "Hopper", "--steps", "200", "--repeats", "1")
    XCTAssertEqual(env.status, 0, env.err)
    XCTAssertTrue(env.out.contains("Hopper-v5 median of 1: "), env.out)
    let train = repro("bench", "train", "--seeds", "2", "--jobs", "2", "--iterations", "1", "--algorithm", "TRPO",
                      "--set", "stepsPerIteration=64", "--set", "minibatches=4")
    XCTAssertEqual(train.status, 0, train.err)
    XCTAssertTrue(train.out.contains("seed 2: score"), train.out)
    XCTAssertTrue(train.out.contains("largest KL/bound ratio"), train.out)
    let overhead = repro("bench", "overhead", "--task", "Hopper", "--algorithm", "PPO", "--iterations", "1",
                         "--repeats", "1", "--set", "stepsPerIteration=128", "--set", "minibatches=4")
    XCTAssertEqual(overhead.status, 0, overhead.err)
    XCTAssertTrue(overhead.out.contains("Hopper    PPO                  1"), overhead.out)
    XCTAssertNotNil(overhead.out.range(of: #"\d\.\d\dx"#, options: .regularExpression), overhead.out)
  }
}

/// Archives that continue (Issue 30): `repro import`, `repro run --from-archive`, `repro plan --from-archive`.
final class ContinuationCLITests: XCTestCase {
  /// An archive of experiments/smoke.json's 4 runs, trained here.
  func smokeArchive(_ dir: URL) throws -> String {
    let results = dir.appendingPathComponent("trained").path
    XCTAssertEqual(repro("run", "experiments/smoke.json", "--results", results, "--quiet").status, 0)
    let file = dir.appendingPathComponent("smoke.jsonl").path
    XCTAssertEqual(repro("archive", "experiments/smoke.json", "--results", results, "--out", file).status, 0)
    return file
  }

  /// `text` with line `n` (1-based) changed by `edit`, its checksum made right again when `reseal`.
  func edited(_ text: String, line n: Int, reseal: Bool, _ edit: (inout [(key: String, value: JSONValue)]) -> Void) throws -> String {
    var lines = text.split(separator: "\n").map(String.init)
    guard case var .object(members) = try JSONParser.parse(Data(lines[n - 1].utf8)) else { throw XCTSkip("not an object") }
    edit(&members)
    if reseal {
      members.removeAll { $0.key == "sha256" }
      let sum = SHA256.hex(JSONValue.object(members.sorted { $0.key < $1.key }).canonical)
      members.append(("sha256", .string(sum)))
    }
    lines[n - 1] = JSONValue.object(members.sorted { $0.key < $1.key }).canonical
    return lines.joined(separator: "\n") + "\n"
  }

  func testImportRetrainsASampleThenTheRunnerCountsTheArchivedRunsDone() throws {
    let dir = try temporaryFolder()
    let archive = try smokeArchive(dir)
    let into = dir.appendingPathComponent("continued").path
    let i = repro("import", archive, "--results", into)
    XCTAssertEqual(i.status, 0, i.err)
    XCTAssertTrue(i.out.contains("retraining 1 of the archive's runs to check it bit for bit: "), i.out)
    XCTAssertTrue(i.out.contains("imported 4 run(s) of smoke at scale smoke from \(archive) into \(into)/smoke/imported-smoke.jsonl "
      + "(1 retrained here, identical as archived"), i.out)
    XCTAssertFalse(i.out.contains("bit-identity may not be possible"), "trained by this commit on this machine: \(i.out)")
    XCTAssertEqual(repro("import", archive, "--results", into).out,
                   "\(into)/smoke/imported-smoke.jsonl already holds the 4 runs of \(archive); nothing to import")
    let r = repro("run", "experiments/smoke.json", "--results", into, "--quiet")
    XCTAssertEqual(r.status, 0, r.err)
    XCTAssertTrue(r.out.contains("4 runs: 4 already done (3 in the archive), 0 completed now"), r.out)
    // The folder's archive is the imported one: the same content.
    let again = dir.appendingPathComponent("again.jsonl").path
    let a = repro("archive", "experiments/smoke.json", "--results", into, "--out", again)
    XCTAssertTrue(a.out.contains("4 of 4 runs (3 from the folder's imported archives)"), a.out)
    let sha = { (out: String) in out.components(separatedBy: "content sha256 ").last ?? "" }
    XCTAssertEqual(sha(a.out), sha(repro("archive", "experiments/smoke.json", "--results", dir.appendingPathComponent("trained").path,
                                         "--out", dir.appendingPathComponent("first.jsonl").path).out))
    // run --from-archive with --verify 0 imports unchecked and trains nothing.
    let fresh = dir.appendingPathComponent("fresh").path
    let c = repro("run", "experiments/smoke.json", "--results", fresh, "--from-archive", archive, "--verify", "0", "--quiet")
    XCTAssertEqual(c.status, 0, c.err)
    XCTAssertTrue(c.out.contains("(none retrained to check them: --verify 0)"), c.out)
    XCTAssertTrue(c.out.contains("4 runs: 4 already done (4 in the archive), 0 completed now"), c.out)
    XCTAssertEqual(repro("run", "experiments/smoke.json", "--verify", "1").err.contains("--verify goes with --from-archive"), true)
  }

  func testAnEditedLineOrARunThatDoesNotRetrainTheSameIsRefusedAndNothingIsWritten() throws {
    let dir = try temporaryFolder()
    let text = try String(contentsOfFile: try smokeArchive(dir), encoding: .utf8)
    // An edited seed without a new checksum: refused when read, naming the line.
    let damaged = dir.appendingPathComponent("damaged.jsonl")
    try edited(text, line: 3, reseal: false) { m in
      if let k = m.firstIndex(where: { $0.key == "seed" }) { m[k].value = .int(99) }
    }.write(to: damaged, atomically: true, encoding: .utf8)
    let into = dir.appendingPathComponent("into")
    let d = repro("import", damaged.path, "--results", into.path)
    XCTAssertEqual(d.status, 1)
    XCTAssertTrue(d.err.contains("\(damaged.path): line 3: run "), d.err)
    XCTAssertTrue(d.err.contains("does not match its sha256 checksum"), d.err)
    XCTAssertFalse(FileManager.default.fileExists(atPath: into.path), "nothing written")
    // Every line's score changed and resealed: the checksums hold, the retrained run does not match.
    var forged = text
    for n in 2...5 {
      forged = try edited(forged, line: n, reseal: true) { m in
        if let k = m.firstIndex(where: { $0.key == "score" }), let v = m[k].value.numberValue { m[k].value = .double(v + 1) }
      }
    }
    let file = dir.appendingPathComponent("forged.jsonl")
    try forged.write(to: file, atomically: true, encoding: .utf8)
    let f = repro("run", "experiments/smoke.json", "--results", into.path, "--from-archive", file.path, "--quiet")
    XCTAssertEqual(f.status, 1)
    XCTAssertTrue(f.err.contains("retrained here differs from its archived record in score; the archive is not trusted"), f.err)
    XCTAssertFalse(FileManager.default.fileExists(atPath: into.appendingPathComponent("smoke/imported-smoke.jsonl").path), "nothing written")
    XCTAssertEqual(((try? FileManager.default.contentsOfDirectory(atPath: into.appendingPathComponent("smoke").path)) ?? []).filter { $0.hasSuffix(".json") }, [],
                   "no run trained after the refusal")
  }

  func testPlanFromTheCommittedArchiveEqualsThePlanFromItsResults() throws {
    let dir = try temporaryFolder()
    let empty = dir.appendingPathComponent("results").path
    let none = repro("plan", "experiments/table2.json", "--from-scale", "paper-budget", "--results", empty, "--out", dir.path)
    XCTAssertEqual(none.status, 1)
    XCTAssertTrue(none.err.contains("--from-archive reports/archive/table2-paper-budget.jsonl"), none.err)
    let p = repro("plan", "experiments/table2.json", "--from-scale", "paper-budget", "--results", empty, "--out", dir.path,
                  "--from-archive", "reports/archive/table2-paper-budget.jsonl")
    XCTAssertEqual(p.status, 0, p.err)
    XCTAssertTrue(p.out.contains("next: repro run experiments/table2.json --scale paper --from-archive reports/archive/table2-paper-budget.jsonl --until-decided"), p.out)
    let mine = try JSONParser.parse(Data(contentsOf: dir.appendingPathComponent("table2-plan.json")))
    let committed = try JSONParser.parse(Data(contentsOf: URL(fileURLWithPath: "reports/table2-plan.json")))
    for key in ["cells", "claims", "totalCoreHours"] { XCTAssertEqual(mine[key], committed[key], key) }
  }
}
