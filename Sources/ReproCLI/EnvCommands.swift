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
    Lists the tasks Repro knows with their observation and action sizes,
    action bounds, frame skip and time limit. MuJoCo tasks follow Gymnasium v5
    (gymnasium 1.4.0, MuJoCo 3.3.7) exactly; model files come from .deps/assets,
    or from --assets DIR / $REPRO_ASSETS.
    """
  static let options: [OptionSpec] = [.value("assets", "DIR", "MuJoCo model files")]

  static func run(_ args: ParsedArguments, _ io: CommandIO) throws -> Int32 {
    let assets = args.value("assets")
    io.out("MuJoCo \(loadedMuJoCoVersionString) (linked), assets: \(assets ?? Assets.defaultDirectory)")
    io.out("task          obs  act  action bounds         frame skip  time limit")
    for name in knownTasks {
      let env = try makeEnvironment(name, assetsDirectory: assets)
      let bounds = "[\(fmt(env.actionLow.min() ?? 0)), \(fmt(env.actionHigh.max() ?? 0))]"
      let skip: String
      if let m = env as? MuJoCoEnvironment { skip = "\(m.kind.frameSkip)" } else { skip = "-" }
      io.out(name.padding(toLength: 13, withPad: " ", startingAt: 0)
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
      .value("task", "T", "one task (default: all of \(MuJoCoTaskKind.allCases.map(\.rawValue).joined(separator: ", ")))"),
      .value("steps", "N", "steps per repeat (default 100000; Humanoid: half)"),
      .value("repeats", "R", "repeats (default 5)"),
      .value("seed", "S", "seed of the reset noise and actions (default 0)"),
      .value("assets", "DIR", "MuJoCo model files"),
    ]
  }

  static func run(_ args: ParsedArguments, _ io: CommandIO) throws -> Int32 {
    let tasks = args.value("task").map { [$0] } ?? MuJoCoTaskKind.allCases.map(\.rawValue)
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
    if config.algorithm == .trpo {
      var worst = 0.0, sum = 0.0, n = 0
      for r in results {
        for m in r.iterations {
          guard let bound = m.klBound else { continue }
          worst = max(worst, m.meanKL / bound)
          sum += m.meanKL
          n += 1
        }
      }
      io.out(String(format: "TRPO mean KL per iteration: average %.4f; largest KL/bound ratio %.3f (must be ≤ 1)",
                    sum / Double(max(n, 1)), worst))
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
