import Environments
import Foundation

let topUsage = """
  repro: a deterministic reproduction harness for "Implementation Matters in
  Deep Policy Gradients" (Engstrom, Ilyas et al., ICLR 2020).

  usage: repro <command> [options]     (repro <command> --help for details)

  commands:
    train          train one agent (PPO, PPO-M, PPO-NoClip, TRPO, TRPO+)
    run            train every missing run of a manifest (resumable, --shard i/n)
    report         build a manifest's table from its results (Markdown, LaTeX, JSON, SVG)
    check          rerun a small manifest and compare it bit for bit with a golden file
    env list       list the tasks, their sizes and bounds
    bench env      environment steps per second (single thread)
    bench train    train several seeds at the paper's budget; scores and speed
  """

func runMain() -> Int32 {
  var argv = Array(CommandLine.arguments.dropFirst())
  guard let command = argv.first else {
    print(topUsage)
    return 2
  }
  argv.removeFirst()
  do {
    switch command {
    case "env": try EnvCommand.run(argv)
    case "train": try TrainCommand.run(argv)
    case "bench": try BenchCommand.run(argv)
    case "run": return try RunCommand.run(argv)
    case "report": return try ReportCommand.run(argv)
    case "check": return try CheckCommand.run(argv)
    case "-h", "--help", "help": print(topUsage)
    default: throw UsageError("unknown command '\(command)'")
    }
    return 0
  } catch let e as UsageError {
    printError("repro: \(e.message)\n(run 'repro \(command == "-h" ? "" : command) --help' for usage)")
    return 2
  } catch {
    printError("repro: \(error)")
    return 1
  }
}

exit(runMain())
