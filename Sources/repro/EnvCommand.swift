import Algorithms
import Environments
import Foundation
import ReproRandom

enum EnvCommand {
  static let usage = """
    usage: repro env list [--assets DIR]

    Lists the tasks Repro knows with their observation and action sizes,
    action bounds, frame skip and time limit. MuJoCo tasks follow Gymnasium v5
    (gymnasium 1.4.0, MuJoCo 3.3.7) exactly; model files come from .deps/assets,
    or from --assets DIR / $REPRO_ASSETS.
    """

  static func run(_ raw: [String]) throws {
    var args = try Arguments(raw)
    if args.wantsHelp || args.positional.first != "list" {
      if !args.wantsHelp { throw UsageError(args.positional.isEmpty ? "missing subcommand 'list'" : "unknown subcommand '\(args.positional[0])'") }
      print(usage)
      return
    }
    let assets = args.value("assets")
    try args.checkAllUsed()
    print("MuJoCo \(loadedMuJoCoVersionString) (linked), assets: \(assets ?? Assets.defaultDirectory)")
    print("task          obs  act  action bounds         frame skip  time limit")
    for name in knownTasks {
      let env = try makeEnvironment(name, assetsDirectory: assets)
      let bounds = "[\(fmt(env.actionLow.min() ?? 0)), \(fmt(env.actionHigh.max() ?? 0))]"
      let skip: String
      if let m = env as? MuJoCoEnvironment { skip = "\(m.kind.frameSkip)" } else { skip = "-" }
      print(name.padding(toLength: 13, withPad: " ", startingAt: 0)
        + String(format: "%4d %4d  ", env.observationSize, env.actionSize)
        + bounds.padding(toLength: 22, withPad: " ", startingAt: 0)
        + skip.padding(toLength: 12, withPad: " ", startingAt: 0)
        + "\(env.maxEpisodeSteps)")
    }
  }

  static func fmt(_ x: Double) -> String { String(format: "%g", x) }
}

enum BenchCommand {
  static let usage = """
    usage: repro bench env [--task T] [--steps N] [--repeats R] [--seed S] [--assets DIR]

    Measures environment steps per second on one thread: uniform random actions
    in the action bounds, resetting on termination or truncation. Prints each
    repeat and the median. --task defaults to all three MuJoCo tasks; --steps
    defaults to 100000 (Humanoid: half); --repeats to 5.
    """

  static func run(_ raw: [String]) throws {
    if raw.first == "train" { return try BenchTrainCommand.run(Array(raw.dropFirst())) }
    var args = try Arguments(raw)
    if args.wantsHelp { print(usage); return }
    guard args.positional.first == "env" else {
      throw UsageError(args.positional.isEmpty ? "missing what to benchmark ('env' or 'train')" : "unknown benchmark '\(args.positional[0])'")
    }
    let tasks = args.value("task").map { [$0] } ?? MuJoCoTaskKind.allCases.map(\.rawValue)
    let stepsOpt = args.value("steps").map { Int($0) }
    if let s = stepsOpt, s == nil || s! < 1 { throw UsageError("--steps expects a whole number ≥ 1") }
    let repeats = try args.int("repeats", default: 5)
    let seed = UInt64(try args.int("seed", default: 0, min: 0))
    let assets = args.value("assets")
    try args.checkAllUsed()
    for task in tasks {
      let env = try makeEnvironment(task, assetsDirectory: assets, seed: seed)
      let steps = (stepsOpt ?? nil) ?? (env.name.hasPrefix("Humanoid") ? 50_000 : 100_000)
      var rates: [Double] = []
      for r in 0..<repeats {
        let rate = try measure(env, steps: steps, seed: seed &+ UInt64(r))
        rates.append(rate)
        printNow(String(format: "%@ repeat %d: %.0f steps/s", env.name, r + 1, rate))
      }
      let sorted = rates.sorted()
      let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
      print(String(format: "%@ median of %d: %.0f steps/s (%d steps each)", env.name, repeats, median, steps))
    }
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

enum BenchTrainCommand {
  static let usage = """
    usage: repro bench train [--task T] [--algorithm A] [--seeds N] [--base-seed S]
                             [--jobs J] [--iterations N] [--set key=value ...] [--json FILE]

    Trains --seeds agents (default 5, seeds S..S+N-1, S default 1) at the
    paper's budget (488 × 2048 steps unless --iterations), --jobs at a time
    (default 1: one core per agent, so times are single-core times), and
    prints each run's score, wall time and steps/s, then the mean score and the
    median run time. For TRPO it also reports the largest ratio of measured mean
    KL to the bound over all iterations (must be ≤ 1). --json writes every
    run's result. Defaults: --task Hopper --algorithm PPO.
    """

  static func run(_ raw: [String]) throws {
    var args = try Arguments(raw)
    if args.wantsHelp { print(usage); return }
    let taskName = args.value("task") ?? "Hopper"
    guard let task = PaperTask(name: taskName) else { throw UsageError("unknown task '\(taskName)'; valid: Walker2d, Hopper, Humanoid") }
    let algName = args.value("algorithm") ?? "PPO"
    guard let preset = Preset.allCases.first(where: { $0.rawValue.lowercased() == algName.lowercased() }) else {
      throw UsageError("unknown algorithm '\(algName)'; valid: \(Preset.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    let seeds = try args.int("seeds", default: 5)
    let base = try args.int("base-seed", default: 1, min: 0)
    let jobs = try args.int("jobs", default: 1)
    var config = preset.config(task: task)
    if let it = args.value("iterations") { try config.set("iterations", to: it) }
    for s in args.values("set") {
      guard let eq = s.firstIndex(of: "=") else { throw UsageError("--set expects key=value, got '\(s)'") }
      try config.set(String(s[..<eq]), to: String(s[s.index(after: eq)...]))
    }
    let jsonOut = args.value("json")
    try args.checkAllUsed()
    let problems = config.problems()
    if !problems.isEmpty { throw UsageError(problems.map(\.description).joined(separator: "; ")) }
    printNow("\(task.gymnasiumID) \(preset.rawValue): \(seeds) seeds × \(config.iterations) iterations × \(config.stepsPerIteration) steps, \(jobs) at a time")
    let cfg = config
    let results = try runParallel(count: seeds, jobs: jobs) { i in
      let r = try Trainer(task: task.gymnasiumID, algorithmLabel: preset.rawValue, seed: UInt64(base + i), config: cfg).run()
      let score = r.score.map { String(format: "%.1f", $0) } ?? "none"
      let status = r.diverged.map { " DIVERGED at \($0.iteration): \($0.reason)" } ?? ""
      printNow(String(format: "seed %d: score %@  %.1f s  %.0f steps/s%@", base + i, score, r.wallSeconds,
                   Double(r.totalSteps) / r.wallSeconds, status))
      return r
    }
    let scores = results.compactMap(\.score)
    let times = results.map(\.wallSeconds).sorted()
    let mean = scores.isEmpty ? Double.nan : scores.reduce(0, +) / Double(scores.count)
    print(String(format: "mean score %.1f over %d runs; median run time %.1f s; median %.0f steps/s end to end",
                 mean, scores.count, times[times.count / 2],
                 Double(results[0].totalSteps) / times[times.count / 2]))
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
      print(String(format: "TRPO mean KL per iteration: average %.4f; largest KL/bound ratio %.3f (must be ≤ 1)", sum / Double(max(n, 1)), worst))
    }
    if let jsonOut { try writeAtomically(try canonicalJSON(results) + "\n", to: jsonOut) }
  }

  /// Runs `body(0..<count)` on `jobs` threads; results in index order.
  static func runParallel<T: Sendable>(count: Int, jobs: Int, _ body: @escaping @Sendable (Int) throws -> T) throws -> [T] {
    let box = ParallelBox<T>(count)
    let group = DispatchGroup()
    for _ in 0..<min(jobs, count) {
      group.enter()
      let t = Thread {
        while true {
          box.lock.lock()
          let i = box.next
          box.next += 1
          box.lock.unlock()
          if i >= count { break }
          let r = Result { try body(i) }
          box.lock.lock()
          box.results[i] = r
          box.lock.unlock()
        }
        group.leave()
      }
      t.stackSize = 16 << 20
      t.start()
    }
    group.wait()
    return try box.results.map { try $0!.get() }
  }
}

/// Shared state of `runParallel`'s worker threads (guarded by `lock`).
final class ParallelBox<T>: @unchecked Sendable {
  var results: [Result<T, Error>?]
  var next = 0
  let lock = NSLock()
  init(_ n: Int) { results = Array(repeating: nil, count: n) }
}
