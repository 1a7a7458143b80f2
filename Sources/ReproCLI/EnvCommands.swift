import Algorithms
import Environments
import Experiments
import Foundation
import NeuralNet
import ReproRandom
import RunModel

/// `repro env list`: the tasks and their shapes.
enum EnvListCommand: Command {
  static let name = "env list"
  static let summary = "list the tasks, their sizes and bounds"
  static let discussion = """
    Lists the tasks Repro knows with their version, observation and action
    sizes, action bounds, frame skip and time limit (steps). MuJoCo tasks follow Gymnasium's
    v5 and v4 (gymnasium 1.4.0, MuJoCo 3.3.7) exactly; a name without a version is v5. Model
    files come from .deps/assets, or from --assets DIR / $REPRO_ASSETS.
    """
  static let options: [OptionSpec] = [.value("assets", "DIR", "MuJoCo model files")]

  static func run(_ args: ParsedArguments, _ io: CommandIO) throws -> Int32 {
    let assets = args.value("assets")
    io.out("MuJoCo \(loadedMuJoCoVersionString) (linked), assets: \(assets ?? Assets.defaultDirectory)")
    let rows = TaskRegistry.all.filter { EnvironmentRegistry.factory($0.id) != nil }
    let width = max(13, rows.map(\.gymnasiumID.count).max() ?? 0)
    io.out("task".padding(toLength: width, withPad: " ", startingAt: 0) + " version   obs  act  action bounds         frame skip  time limit")
    for row in rows {
      let name = row.gymnasiumID
      let env = try makeEnvironment(name, assetsDirectory: assets)
      let version = "v\(row.version)"
      let bounds = "[\(fmt(env.actionLow.min() ?? 0)), \(fmt(env.actionHigh.max() ?? 0))]"
      let skip: String
      skip = row.modelFile == nil ? "-" : "\(row.frameSkip)"
      io.out(name.padding(toLength: width, withPad: " ", startingAt: 0)
        + " " + version.padding(toLength: 7, withPad: " ", startingAt: 0)
        + String(format: "%4d %4d  ", env.observationSize, env.actionSize)
        + bounds.padding(toLength: 22, withPad: " ", startingAt: 0)
        + skip.padding(toLength: 12, withPad: " ", startingAt: 0)
        + "\(env.maxEpisodeSteps)")
    }
    return 0
  }

  static func fmt(_ x: Double) -> String { String(format: "%g", x) }
}

/// `repro bench env`: environment steps per second.
enum BenchEnvCommand: Command {
  static let name = "bench env"
  static let summary = "environment steps per second (single thread)"
  static let discussion = """
    Measures environment steps per second on one thread: uniform random actions
    in the action bounds, resetting on termination or truncation. Prints each
    repeat and the median.
    """
  static var options: [OptionSpec] {
    [
      .value("task", "T", "one task (default: every MuJoCo task)"),
      .value("steps", "N", "steps per repeat (default 100000; Humanoid: half)"),
      .value("repeats", "R", "repeats (default 5)"),
      .value("seed", "S", "seed of the reset noise and actions (default 0)"),
      .value("assets", "DIR", "MuJoCo model files"),
    ]
  }

  static func run(_ args: ParsedArguments, _ io: CommandIO) throws -> Int32 {
    let tasks = args.value("task").map { [$0] } ?? TaskRegistry.all.filter { $0.modelFile != nil }.map(\.gymnasiumID)
    let steps: Int? = args.value("steps") == nil ? nil : try args.int("steps", default: 1)
    let repeats = try args.int("repeats", default: 5)
    let seed = UInt64(try args.int("seed", default: 0, min: 0))
    for task in tasks {
      let env = try namedEnvironment(task, assetsDirectory: args.value("assets"), seed: seed)
      let n = steps ?? (env.name.hasPrefix("Humanoid") ? 50_000 : 100_000)
      var rates: [Double] = []
      for r in 0..<repeats {
        let rate = try measure(env, steps: n, seed: seed &+ UInt64(r))
        rates.append(rate)
        io.out(String(format: "%@ repeat %d: %.0f steps/s", env.name, r + 1, rate))
      }
      io.out(String(format: "%@ median of %d: %.0f steps/s (%d steps each)", env.name, repeats, median(rates), n))
    }
    return 0
  }

  static func measure(_ env: any Environment, steps: Int, seed: UInt64) throws -> Double {
    var rng = Xoshiro256(seed: seed, stream: "bench-actions")
    _ = env.reset(seed: seed)
    var action = [Double](repeating: 0, count: env.actionSize)
    let lo = env.actionLow, hi = env.actionHigh
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<steps {
      for i in 0..<action.count { action[i] = rng.uniform(lo[i], hi[i]) }
      let r = try env.step(action)
      if r.terminated || r.truncated { _ = env.reset() }
    }
    let secs = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    return Double(steps) / secs
  }
}

/// `repro bench train`: several seeds at the paper's budget.
enum BenchTrainCommand: Command {
  static let name = "bench train"
  static let summary = "train several seeds at the paper's budget; scores and speed"
  static let discussion = """
    Trains --seeds agents (default 5, seeds S..S+N-1, S default 1) at the
    paper's budget (488 × 2048 steps unless --iterations), --jobs at a time
    (default 1: one core per agent, so times are single-core times), and
    prints each run's score (the authors' definition: mean return of the last
    5 iterations), wall time and steps/s, then the mean score and the median
    run time. For TRPO it also reports the largest ratio of measured mean KL to
    the bound over all iterations (must be ≤ 1). Defaults: --task Hopper
    --algorithm PPO.
    """
  static var options: [OptionSpec] {
    [
      .value("task", "T", PaperTask.allCases.map(\.rawValue).joined(separator: ", ")),
      .value("algorithm", "A", Preset.allCases.map(\.rawValue).joined(separator: ", ")),
      .value("seeds", "N", "agents (default 5)"),
      .value("base-seed", "S", "first seed (default 1)"),
      .value("jobs", "J", "agents at a time (default 1)"),
      .value("iterations", "N", "override the budget"),
      .value("set", "key=value", "override any setting; repeatable", repeatable: true),
      .value("json", "FILE", "write every run's result file, one per line"),
    ]
  }

  static func run(_ args: ParsedArguments, _ io: CommandIO) throws -> Int32 {
    let taskName = args.value("task") ?? "Hopper"
    let task = try paperTaskArgument(taskName)
    let preset = try presetArgument(args.value("algorithm") ?? "PPO")
    let seeds = try args.int("seeds", default: 5)
    let base = try args.int("base-seed", default: 1, min: 0)
    let jobs = try args.int("jobs", default: 1)
    var config = preset.config(task: task)
    if let it = args.value("iterations") { try config.set("iterations", to: it) }
    try applySettings(args.values("set"), to: &config)
    try checkSettings(config)
    _ = try ModelFiles.check(task: task.gymnasiumID, assets: nil, custom: false)
    io.out("\(task.gymnasiumID) \(preset.rawValue): \(seeds) seeds × \(config.iterations) iterations × \(config.stepsPerIteration) steps, \(jobs) at a time")
    let cfg = config
    let outcomes = WorkerPool.map(Array(0..<seeds), jobs: jobs) { i -> Result<RunResult, TrainFailure> in
      do {
        let r = try Trainer(task: task.rawValue, seed: UInt64(base + i), config: cfg).run()
        let score = ScoreDefinition.authors.score(of: r).map { String(format: "%.1f", $0) } ?? "none"
        let status = r.diverged.map { " DIVERGED at \($0.iteration): \($0.reason)" } ?? ""
        io.out(String(format: "seed %d: score %@  %.1f s  %.0f steps/s%@", base + i, score, r.timing.wallSeconds,
                      Double(r.totalSteps) / r.timing.wallSeconds, status))
        return .success(r)
      } catch {
        return .failure(TrainFailure(message: "seed \(base + i): \(error)"))
      }
    }
    let results = try outcomes.map { try $0.get() }
    let scores = results.compactMap { ScoreDefinition.authors.score(of: $0) }
    let times = results.map(\.timing.wallSeconds).sorted()
    let mean = scores.isEmpty ? Double.nan : scores.reduce(0, +) / Double(scores.count)
    io.out(String(format: "mean score %.1f over %d runs; median run time %.1f s; median %.0f steps/s end to end",
                  mean, scores.count, median(times), Double(results[0].totalSteps) / median(times)))
    if config.algorithm.row.meanKLBound(config, 0) != nil {
      var worst = 0.0, sum = 0.0, n = 0
      for r in results {
        for m in r.iterations {
          guard let bound = m.klBound else { continue }
          worst = max(worst, m.meanKL / bound)
          sum += m.meanKL
          n += 1
        }
      }
      io.out(String(format: "%@ mean KL per iteration: average %.4f; largest KL/bound ratio %.3f (must be ≤ 1)",
                    config.algorithm.rawValue.uppercased(), sum / Double(max(n, 1)), worst))
    }
    if let jsonOut = args.value("json") {
      let labels = RunLabels(manifest: "", algorithm: preset.rawValue, preset: preset.rawValue)
      let lines = results.map { ResultFile.encode(StoredRun(result: $0, labels: labels)) }
      try AtomicFile.write(lines.reduce(Data(), +), to: jsonOut)
    }
    return 0
  }
}

/// A run that threw during a benchmark.
struct TrainFailure: Error, CustomStringConvertible {
  var message: String
  var description: String { message }
}

/// The median of a non-empty sample (mean of the middle two for an even count).
func median(_ xs: [Double]) -> Double {
  let s = xs.sorted()
  guard !s.isEmpty else { return .nan }
  return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

/// `repro bench overhead`: a training run's CPU time against stepping its environment alone.
enum BenchOverheadCommand: Command {
  static let name = "bench overhead"
  static let summary = "a training run's CPU time against stepping its environments alone, per task and algorithm"
  static let discussion = """
    For each task and algorithm: trains one agent (the preset, --iterations,
    default diagnostics) while recording every reset and action its
    environments (training and held-out) receive, then replays exactly those
    resets and actions on fresh environments, which retraces the same
    trajectories bit for bit: the same MuJoCo work with no learning. Training
    and replay alternate --repeats times (seeds 0, 1, ...); printed are the
    median CPU time of each (from the OS: CLOCK_PROCESS_CPUTIME_ID, one
    thread) and their ratio, the run's cost as a multiple of its floor.
    """
  static var options: [OptionSpec] {
    [
      .value("task", "T", "one task (default: all three)"),
      .value("algorithm", "A", "one preset (default: PPO and TRPO)"),
      .value("iterations", "N", "iterations per run (default: 48 on Hopper and Walker2d, 24 on Humanoid)"),
      .value("repeats", "R", "alternations, median reported (default 3)"),
      .value("set", "key=value", "override a setting; repeatable", repeatable: true),
      .value("assets", "DIR", "MuJoCo model files (default: .deps/assets or $REPRO_ASSETS)"),
    ]
  }

  static func cpuSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
  }

  static func run(_ args: ParsedArguments, _ io: CommandIO) throws -> Int32 {
    let tasks = try args.value("task").map { name -> [PaperTask] in
      [try paperTaskArgument(name)]
    } ?? PaperTask.allCases
    let presets = try args.value("algorithm").map { [try presetArgument($0)] } ?? [.ppo, .trpo]
    let iterations = try args.value("iterations").map { _ in try args.int("iterations", default: 0) }
    let repeats = try args.int("repeats", default: 3)
    let assets = args.value("assets")
    guard (iterations ?? 1) > 0, repeats > 0 else { throw UsageError("--iterations and --repeats must be positive") }
    _ = try ModelFiles.check(tasks.map(\.task.row), assets: assets, custom: false)
    var configs: [(PaperTask, Preset, TrainerConfig)] = []
    for t in [PaperTask.hopper, .walker2d, .humanoid] where tasks.contains(t) {
      for p in presets {
        var c = p.config(task: t)
        c.iterations = iterations ?? (t == .humanoid ? 24 : 48)
        try applySettings(args.values("set"), to: &c)
        try checkSettings(c)
        configs.append((t, p, c))
      }
    }
    let libm = ProcessInfo.processInfo.environment["REPRO_NATIVE_LIBM"] == "1" ? "the CPU's own" : "baseline variants"
    io.out("C kernels: \(kernelLevel); libm: \(libm); medians of \(repeats)")
    io.out("task      algorithm   iterations  train CPU s  env-only CPU s  ratio")
    for (t, p, c) in configs {
      var train: [Double] = [], env: [Double] = []
      for r in 0..<repeats {
        var recorders: [RecordingEnvironment] = []
        var trainer = Trainer(task: t.rawValue, seed: UInt64(r), config: c, assetsDirectory: assets)
        trainer.makeEnvironment = { name, dir in
          let e = RecordingEnvironment(try makeEnvironment(name, assetsDirectory: dir))
          recorders.append(e)
          return e
        }
        let t0 = cpuSeconds()
        _ = try trainer.run()
        train.append(cpuSeconds() - t0)
        let fresh = try recorders.map { _ in try makeEnvironment(t.rawValue, assetsDirectory: assets) }
        let t1 = cpuSeconds()
        for (recorded, e) in zip(recorders, fresh) { try recorded.replay(on: e) }
        env.append(cpuSeconds() - t1)
      }
      let mt = median(train), me = median(env)
      let label = t.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0) + " "
        + p.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
      io.out(label + String(format: "  %10d  %11.2f  %14.2f  %5.2fx", c.iterations, mt, me, mt / me))
    }
    return 0
  }
}

/// `repro env rollout`: a task stepped through given actions, every value written out.
enum EnvRolloutCommand: Command {
  static let name = "env rollout"
  static let summary = "step a task through given actions (Gymnasium's reset seeding); write every value"
  static let discussion = """
    Resets --task with Gymnasium's own seeding (env.reset(seed=S): NumPy's
    SeedSequence and PCG64, so the start state is Gymnasium's bit for bit), then
    steps it through the actions in --actions, one action per line, and writes
    every reset and step: observation, reward, terminated, truncated,
    x_velocity, qpos and qvel, with full-precision numbers (each the shortest
    text that reads back to the same double).

    Actions file, either form (chosen by the first line that is not blank or a
    # comment):
      CSV          one action per line, its values separated by commas; a line
                   `reset` (continue the seeded stream, as env.reset()) or
                   `reset,N` (env.reset(seed=N)) resets; a first line of names
                   (a header) is skipped.
      JSON lines   one per line: [a0, a1, ...] or {"action": [...]}; "reset" or
                   {"reset": null} or {"reset": N} resets.
    A step after an episode has ended needs a reset before it (as in
    Gymnasium); the file is checked whole before anything is written.

    Output: --out FILE (.csv or .jsonl; default standard output as JSON lines),
    --format csv|jsonl to choose. Non-finite numbers are written as NaN,
    Infinity and -Infinity (Python's json and float() read them).
    """
  static var options: [OptionSpec] {
    [
      .value("task", "ID", "the task (see repro env list)", required: true),
      .value("actions", "FILE", "the actions, CSV or JSON lines", required: true),
      .value("seed", "S", "seed of the first reset, env.reset(seed=S) (default 0)"),
      .value("out", "FILE", "where to write (default: standard output)"),
      .value("format", "F", "csv or jsonl (default: from --out's extension, else jsonl)"),
      .value("assets", "DIR", "MuJoCo model files"),
      ModelFiles.customOption,
    ]
  }

  typealias Entry = EnvironmentRollout.Entry
  typealias Row = EnvironmentRollout.Row

  static func run(_ args: ParsedArguments, _ io: CommandIO) throws -> Int32 {
    guard let task = args.value("task"), let actionsPath = args.value("actions") else {
      throw UsageError("--task and --actions are required")
    }
    let seedText = args.value("seed") ?? "0"
    guard let seed = UInt64(seedText) else { throw UsageError("--seed expects a whole number ≥ 0, got '\(seedText)'") }
    let format = try outputFormat(args.value("format"), out: args.value("out"))
    let env = try namedEnvironment(task, assetsDirectory: args.value("assets"), resetSeeding: .gymnasium,
                                   customModel: args.flag("custom-model"))
    guard let mujoco = env as? MuJoCoEnvironment else {
      throw UsageError("env rollout: \(env.name) has no MuJoCo state to write; it takes a MuJoCo task")
    }
    let text: String
    do { text = try String(contentsOfFile: actionsPath, encoding: .utf8) } catch {
      throw UsageError("--actions \(actionsPath): cannot read it (\(error.localizedDescription))")
    }
    let entries = try parseActions(text, file: actionsPath, actionSize: env.actionSize)
    let rows = try rollout(mujoco, seed: seed, entries: entries, file: actionsPath)
    let output = render(rows, format: format, env: mujoco)
    if let out = args.value("out") {
      try AtomicFile.write(Data(output.utf8), to: out)
      io.err("env rollout: \(rows.filter { $0.kind == .step }.count) steps and \(rows.filter { $0.kind == .reset }.count) resets of \(env.name) written to \(out)")
    } else {
      io.out(output.hasSuffix("\n") ? String(output.dropLast()) : output)
    }
    return 0
  }

  enum Format: String { case csv, jsonl }

  static func outputFormat(_ given: String?, out: String?) throws -> Format {
    if let given {
      guard let f = Format(rawValue: given.lowercased()) else {
        throw UsageError("--format expects csv or jsonl, got '\(given)'")
      }
      return f
    }
    if let out, out.lowercased().hasSuffix(".csv") { return .csv }
    return .jsonl
  }

  /// The actions file, checked whole: every action has the task's size and finite values.
  static func parseActions(_ text: String, file: String, actionSize: Int) throws -> [Entry] {
    var entries: [Entry] = []
    var json: Bool? = nil
    var first = true
    for (k, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
      if line.isEmpty || line.hasPrefix("#") { continue }
      let at = "\(file) line \(k + 1)"
      if json == nil { json = line.hasPrefix("[") || line.hasPrefix("{") || line.hasPrefix("\"") }
      let entry: Entry
      if json == true {
        entry = try jsonEntry(line, at: at)
      } else {
        let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        if fields[0].lowercased() == "reset" {
          guard fields.count <= 2 else { throw UsageError("\(at): a reset line is `reset` or `reset,SEED`, got '\(line)'") }
          if fields.count == 2 {
            guard let s = UInt64(fields[1]) else { throw UsageError("\(at): reset seed must be a whole number ≥ 0, got '\(fields[1])'") }
            entry = .reset(seed: s)
          } else {
            entry = .reset(seed: nil)
          }
        } else if first && Double(fields[0]) == nil {
          first = false
          continue  // a header line
        } else {
          entry = .action(try fields.enumerated().map { i, f in
            guard let v = Double(f) else { throw UsageError("\(at): value \(i) is '\(f)', not a number") }
            return v
          })
        }
      }
      first = false
      if case .action(let a) = entry {
        guard a.count == actionSize else {
          throw UsageError("\(at): the action has \(a.count) values; this task takes \(actionSize)")
        }
        if let i = a.firstIndex(where: { !$0.isFinite }) {
          throw UsageError("\(at): action value \(i) is \(a[i]); actions must be finite numbers")
        }
      }
      entries.append(entry)
    }
    return entries
  }

  static func jsonEntry(_ line: String, at: String) throws -> Entry {
    let value: JSONValue
    do { value = try JSONParser.parse(line) } catch { throw UsageError("\(at): not JSON (\(error))") }
    func numbers(_ v: JSONValue) throws -> [Double] {
      guard case .array(let items) = v else { throw UsageError("\(at): an action is an array of numbers") }
      return try items.enumerated().map { i, x in
        guard let d = x.numberValue else { throw UsageError("\(at): value \(i) of the action is not a number") }
        return d
      }
    }
    switch value {
    case .array: return .action(try numbers(value))
    case .string(let s) where s.lowercased() == "reset": return .reset(seed: nil)
    case .object(let fields):
      if let a = fields.first(where: { $0.0 == "action" })?.1, fields.count == 1 { return .action(try numbers(a)) }
      if let r = fields.first(where: { $0.0 == "reset" })?.1, fields.count == 1 {
        if r == .null { return .reset(seed: nil) }
        guard let d = r.numberValue, d >= 0, d == d.rounded(), d < 0x1p64, let s = UInt64(exactly: d) else {
          throw UsageError("\(at): \"reset\" takes null or a whole-number seed ≥ 0")
        }
        return .reset(seed: s)
      }
      throw UsageError("\(at): an object line is {\"action\": [...]} or {\"reset\": null | SEED}")
    default:
      throw UsageError("\(at): a line is an action array, \"reset\", or an object with \"action\" or \"reset\"")
    }
  }

  /// The rollout (`EnvironmentRollout.run`), a step after an episode's end refused naming the file.
  static func rollout(_ env: MuJoCoEnvironment, seed: UInt64, entries: [Entry], file: String) throws -> [Row] {
    do {
      return try EnvironmentRollout.run(env, seed: seed, entries: entries)
    } catch let e as EnvironmentRollout.StepAfterEnd {
      throw UsageError("\(file): action \(e.action) comes after episode \(e.episode) ended (step \(e.step)); put a reset line before it")
    }
  }

  /// The shortest text that reads back to the same double; NaN, Infinity, -Infinity otherwise.
  static func number(_ x: Double) -> String {
    if x.isNaN { return "NaN" }
    if x.isInfinite { return x > 0 ? "Infinity" : "-Infinity" }
    return "\(x)"
  }

  static func render(_ rows: [Row], format: Format, env: MuJoCoEnvironment) -> String {
    var out = ""
    switch format {
    case .csv:
      var header = ["kind", "episode", "step", "reward", "terminated", "truncated", "x_velocity"]
      header += (0..<env.observationSize).map { "obs_\($0)" }
      header += (0..<env.qpos.count).map { "qpos_\($0)" }
      header += (0..<env.qvel.count).map { "qvel_\($0)" }
      out += header.joined(separator: ",") + "\n"
      for r in rows {
        var f = [r.kind.rawValue, "\(r.episode)", "\(r.step)"]
        if r.kind == .step {
          f += [number(r.reward), r.terminated ? "1" : "0", r.truncated ? "1" : "0", number(r.xVelocity)]
        } else {
          f += ["", "", "", ""]
        }
        f += r.observation.map(number) + r.qpos.map(number) + r.qvel.map(number)
        out += f.joined(separator: ",") + "\n"
      }
    case .jsonl:
      func list(_ xs: [Double]) -> String { "[" + xs.map(number).joined(separator: ",") + "]" }
      for r in rows {
        var line = "{\"kind\":\"\(r.kind.rawValue)\",\"episode\":\(r.episode),\"step\":\(r.step)"
        if r.kind == .step {
          line += ",\"reward\":\(number(r.reward)),\"terminated\":\(r.terminated),\"truncated\":\(r.truncated)"
          line += ",\"x_velocity\":\(number(r.xVelocity))"
        }
        line += ",\"observation\":\(list(r.observation)),\"qpos\":\(list(r.qpos)),\"qvel\":\(list(r.qvel))}"
        out += line + "\n"
      }
    }
    return out
  }
}
