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
    var args = try Arguments(raw)
    if args.wantsHelp { print(usage); return }
    guard args.positional.first == "env" else {
      throw UsageError(args.positional.isEmpty ? "missing what to benchmark ('env')" : "unknown benchmark '\(args.positional[0])'")
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
        print(String(format: "%@ repeat %d: %.0f steps/s", env.name, r + 1, rate))
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
