import Algorithms
import Environments
import Foundation

enum TrainCommand {
  static let usage = """
    usage: repro train --task T --algorithm A [--seed S] [--iterations N]
                       [--set key=value ...] [--out FILE.json] [--assets DIR] [--quiet]

    Trains one agent and writes its result (per-iteration metrics, score,
    resolved settings) as JSON with sorted keys to FILE.json, or prints a
    summary when --out is not given.

      --task T          Hopper, Walker2d, Humanoid (Gymnasium v5), or Pendulum-v1
      --algorithm A     PPO, PPO-M, PPO-NoClip, TRPO, TRPO+ (the paper's presets,
                        with the per-task settings of its Tables 4-6)
      --seed S          run seed (default 0); same seed, same binary: same bits
      --iterations N    override the budget (paper: 488 iterations of 2048 steps)
      --set key=value   override any setting; repeatable. 'repro train --list-settings'
                        lists the keys with the values the preset would use.
      --out FILE        write the result JSON there (atomically)

    A progress line (iteration, mean return, steps/s, ETA) is shown on a
    terminal and suppressed when stderr is piped or with --quiet. A NaN or
    infinity in a loss, parameter or observation stops the run, which is
    recorded as diverged with the iteration and the reason.
    """

  static func run(_ raw: [String]) throws {
    var args = try Arguments(raw, flags: ["quiet", "list-settings"])
    if args.wantsHelp { print(usage); return }
    let listSettings = args.flag("list-settings")
    guard let taskName = args.value("task") else { throw UsageError("--task is required (Hopper, Walker2d, Humanoid, Pendulum-v1)") }
    guard let algName = args.value("algorithm") else {
      throw UsageError("--algorithm is required; valid: \(Preset.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    guard let preset = Preset.allCases.first(where: { $0.rawValue.lowercased() == algName.lowercased() }) else {
      throw UsageError("unknown algorithm '\(algName)'; valid: \(Preset.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    let seed = UInt64(try args.int("seed", default: 0, min: 0))
    let iterations = args.value("iterations")
    let sets = args.values("set")
    let out = args.value("out")
    let assets = args.value("assets")
    let quiet = args.flag("quiet")
    try args.checkAllUsed()

    // Tasks outside the paper (Pendulum) start from the Hopper preset.
    let paperTask = PaperTask(name: taskName)
    let envName: String
    if let t = paperTask {
      envName = t.gymnasiumID
    } else {
      _ = try makeEnvironment(taskName, assetsDirectory: assets)  // validates the name
      envName = taskName
    }
    var config = preset.config(task: paperTask ?? .hopper)
    if let it = iterations { try config.set("iterations", to: it) }
    for s in sets {
      guard let eq = s.firstIndex(of: "=") else { throw UsageError("--set expects key=value, got '\(s)'") }
      try config.set(String(s[..<eq]), to: String(s[s.index(after: eq)...]))
    }
    if listSettings {
      print(try canonicalJSON(config))
      return
    }
    let problems = config.problems()
    if !problems.isEmpty {
      throw UsageError("invalid settings:\n" + problems.map { "  \($0)" }.joined(separator: "\n"))
    }
    let trainer = Trainer(task: envName, algorithmLabel: preset.rawValue, seed: seed, config: config, assetsDirectory: assets)
    let showProgress = !quiet && stderrIsTerminal
    let total = config.iterations
    let startTime = Date()
    let result = try trainer.run { m in
      guard showProgress else { return }
      let done = m.iteration + 1
      let elapsed = Date().timeIntervalSince(startTime)
      let eta = elapsed / Double(done) * Double(total - done)
      let ret = m.meanReturn.map { String(format: "%.1f", $0) } ?? "-"
      FileHandle.standardError.write(String(
        format: "\r%@ %@ seed %llu  iteration %d/%d  return %@  %.0f steps/s  ETA %@   ",
        envName, preset.rawValue, seed, done, total, ret, m.stepsPerSecond, formatDuration(eta)).data(using: .utf8)!)
    }
    if showProgress { FileHandle.standardError.write("\n".data(using: .utf8)!) }
    if let out {
      try writeAtomically(try canonicalJSON(result) + "\n", to: out)
    }
    let score = result.score.map { String(format: "%.2f", $0) } ?? "none"
    if let d = result.diverged {
      print("\(envName) \(preset.rawValue) seed \(seed): DIVERGED at iteration \(d.iteration): \(d.reason)")
    } else {
      print(String(format: "%@ %@ seed %llu: score %@ (%d steps, %.1f s)", envName, preset.rawValue, seed, score,
                   result.totalSteps, result.wallSeconds))
    }
  }
}

/// JSON with sorted keys (deterministic bytes for the same value).
func canonicalJSON<T: Encodable>(_ value: T) throws -> String {
  let enc = JSONEncoder()
  enc.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
  return String(decoding: try enc.encode(value), as: UTF8.self)
}

/// Writes through a temporary file in the same folder and a rename.
func writeAtomically(_ text: String, to path: String) throws {
  let url = URL(fileURLWithPath: path)
  let dir = url.deletingLastPathComponent()
  try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
  let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
  try Data(text.utf8).write(to: tmp)
  if rename(tmp.path, url.path) != 0 {
    try? FileManager.default.removeItem(at: tmp)
    throw UsageError("could not write \(path)")
  }
}
