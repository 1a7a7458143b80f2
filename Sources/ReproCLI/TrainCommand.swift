import Algorithms
import Environments
import Experiments
import Foundation
import RunModel

/// `repro train`: one agent.
enum TrainCommand: Command {
  static let name = "train"
  static let summary = "train one agent (\(Preset.paperAlgorithms.map(\.rawValue).joined(separator: ", ")), or a variant)"
  static var discussion: String {
    """
    Trains one agent and writes its result (per-iteration metrics, resolved
    settings, timing) to FILE.json in the result-file format of `repro run`,
    or prints a summary when --out is not given.

    A progress line (iteration, mean return, steps/s, ETA) is shown on a
    terminal and suppressed when stderr is piped or with --quiet. A NaN or
    infinity in a loss, parameter, action or observation stops the run, which
    is recorded as diverged with the iteration and the reason.
    """
  }
  static var options: [OptionSpec] {
    [
      .value("task", "T", "a task (`repro env list`; a MuJoCo id without a version is v5):\n" + wrapped(TaskRegistry.ids), required: true),
      .value("algorithm", "A", "a preset: the paper's, with the per-task settings of its Tables 4-6,\nand CleanRL's PPO (the same on every task):\n" + wrapped(Preset.allCases.map(\.rawValue)), required: true),
      .value("seed", "S", "run seed (default 0); same seed, same binary: same bits"),
      .value("iterations", "N", "override the budget (paper: 488 iterations of 2048 steps)"),
      .value("set", "key=value", "override any setting; repeatable (see --list-settings)", repeatable: true),
      .flag("list-settings", "list every setting with its value for this preset and task, and stop"),
      .value("out", "FILE", "write the result there (atomically)"),
      .value("assets", "DIR", "MuJoCo model files (default: .deps/assets or $REPRO_ASSETS)"),
      ModelFiles.customOption,
      .flag("quiet", "no progress line"),
    ]
  }

  static func run(_ args: ParsedArguments, _ io: CommandIO) throws -> Int32 {
    guard let taskName = args.value("task") else {
      throw UsageError("--task is required (\(knownTasks.joined(separator: ", ")))")
    }
    let preset = try presetArgument(args.value("algorithm"))
    let seed = UInt64(try args.int("seed", default: 0, min: 0))
    let assets = args.value("assets")
    // Validates the name and the model file.
    _ = try namedEnvironment(taskName, assetsDirectory: assets, customModel: args.flag("custom-model"))
    let row = TaskRegistry.row(named: taskName)!  // namedEnvironment found it
    let task = row.id.rawValue
    // A paper preset on a robot the paper did not run (Pendulum, Ant) starts from its Hopper column, and says so.
    var config: TrainerConfig
    if let c = preset.config(on: row.id) {
      config = c
    } else {
      config = preset.config(task: .hopper)
      if !args.flag("list-settings") {
        io.err("note: the paper's tables have no \(preset.rawValue) column for \(row.gymnasiumID); its Hopper settings are used "
          + "(--set overrides any; a manifest refuses this and takes CleanRL)")
      }
    }
    if let it = args.value("iterations") { try config.set("iterations", to: it) }
    try applySettings(args.values("set"), to: &config)
    if args.flag("list-settings") {
      io.out(settingsListing(config, title: "\(row.gymnasiumID) \(preset.rawValue)"))
      return 0
    }
    try checkSettings(config)
    let model = try ModelFiles.check(task: task, assets: assets, custom: args.flag("custom-model"))
    if let out = args.value("out") {
      let url = URL(fileURLWithPath: out)
      try Preflight.checkWritableFolder(url.deletingLastPathComponent(), purpose: "folder of --out", bytes: 4096 + 640 * Int64(config.iterations))
      var isFolder: ObjCBool = false
      if FileManager.default.fileExists(atPath: out, isDirectory: &isFolder), isFolder.boolValue {
        throw Preflight.Failure("--out \(out) is a folder; give a file name")
      }
    }
    let trainer = Trainer(task: task, seed: seed, config: config, assetsDirectory: assets)
    let showProgress = !args.flag("quiet") && io.terminal
    let total = config.iterations
    let startTime = Date()
    let label = "\(row.gymnasiumID) \(preset.rawValue) seed \(seed)" + (model.map { " on custom model \($0.label)" } ?? "")
    var result = try trainer.run { m, seconds in
      guard showProgress else { return }
      let done = m.iteration + 1
      let elapsed = Date().timeIntervalSince(startTime)
      let eta = elapsed / Double(done) * Double(total - done)
      let ret = m.meanReturn.map { String(format: "%.1f", $0) } ?? "-"
      writeStandardError(String(
        format: "\r%@  iteration %d/%d  return %@  %.0f steps/s  ETA %@   ", label, done, total, ret,
        Double(config.stepsPerIteration) / max(seconds, 1e-9), formatDuration(eta)))
    }
    if showProgress { writeStandardError("\n") }
    result.model = model
    if let out = args.value("out") {
      let stored = StoredRun(result: result, labels: RunLabels(manifest: "", algorithm: preset.rawValue, preset: preset.rawValue))
      try AtomicFile.write(ResultFile.encode(stored), to: out)
    }
    if let d = result.diverged {
      io.out("\(label): DIVERGED at iteration \(d.iteration): \(d.reason)")
    } else {
      // Each preset scored as its source scores it: the authors' last 5 iterations, CleanRL's last 100 episodes.
      let definition = preset == .cleanRL ? ScoreDefinition.cleanRL : .authors
      let score = definition.score(of: result).map { String(format: "%.2f", $0) } ?? "none"
      io.out(String(format: "%@: score %@ (%d steps, %.1f s)", label, score, result.totalSteps, result.timing.wallSeconds))
    }
    return 0
  }

  /// Every setting, grouped as in `Settings.table`, with its value in `config`,
  /// its type, its neutral value and what it does.
  static func settingsListing(_ config: TrainerConfig, title: String) -> String {
    var lines = ["\(title): every setting (set one with --set key=value; in manifests, as JSON values)"]
    for group in SettingGroup.allCases {
      let rows = Settings.table.filter { $0.group == group }
      guard !rows.isEmpty else { continue }
      lines.append("")
      lines.append(group.rawValue)
      for d in rows {
        let value = d.value(in: config)
        let neutral = value == d.neutralValue ? "" : "; neutral \(d.neutralValue.canonical)"
        lines.append("  \(d.key) = \(value.canonical)    (\(d.type.shortName)\(neutral))")
        lines.append("      " + d.documentation + (d.paperReference.map { " [paper: \($0)]" } ?? ""))
      }
    }
    return lines.joined(separator: "\n")
  }
}

/// Names joined with ", " in lines of at most `width` characters (for usage texts).
func wrapped(_ names: [String], width: Int = 64) -> String {
  var lines: [String] = [], line = ""
  for (k, name) in names.enumerated() {
    let item = name + (k + 1 < names.count ? "," : "")
    if !line.isEmpty && line.count + 1 + item.count > width {
      lines.append(line)
      line = item
    } else {
      line += (line.isEmpty ? "" : " ") + item
    }
  }
  if !line.isEmpty { lines.append(line) }
  return lines.joined(separator: "\n")
}

/// The paper task named (case-insensitive, with or without "-v5"); a usage error naming the nearest otherwise.
func paperTaskArgument(_ name: String) throws -> PaperTask {
  guard let task = PaperTask(name: name) else {
    throw UsageError("unknown task '\(name)'; " + NameSuggestion.hint(for: name, in: PaperTask.allCases.map(\.rawValue), listLabel: "valid:"))
  }
  return task
}

/// `makeEnvironment`, with an unknown task name a usage error naming the nearest task.
func namedEnvironment(_ name: String, assetsDirectory: String?, seed: UInt64 = 0,
                      resetSeeding: ResetSeeding = .repro, customModel: Bool = false) throws -> any Environment {
  do {
    _ = try ModelFiles.check(task: name, assets: assetsDirectory, custom: customModel)
    return try makeEnvironment(name, assetsDirectory: assetsDirectory, seed: seed, resetSeeding: resetSeeding)
  } catch EnvironmentError.unknownTask(let t, let valid) {
    // Suggest any of a task's names ("Hoper" → "Hopper", "Hoper-v5" → "Hopper-v5"); list Gymnasium's ids.
    let list = "valid tasks: " + valid.joined(separator: ", ")
    let names = TaskRegistry.all.flatMap(\.names)
    throw UsageError("unknown task '\(t)'; " + (NameSuggestion.didYouMean(t, in: names).map { "\($0) (\(list))" } ?? list))
  }
}

/// The preset named by --algorithm (case-insensitive).
func presetArgument(_ name: String?) throws -> Preset {
  let valid = Preset.allCases.map(\.rawValue).joined(separator: ", ")
  guard let name else { throw UsageError("--algorithm is required; valid: \(valid)") }
  guard let preset = Preset.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else {
    throw UsageError("unknown algorithm '\(name)'; " + NameSuggestion.hint(for: name, in: Preset.allCases.map(\.rawValue), listLabel: "valid:"))
  }
  return preset
}

/// Applies `--set key=value` options in order.
func applySettings(_ sets: [String], to config: inout TrainerConfig) throws {
  for s in sets {
    guard let eq = s.firstIndex(of: "=") else { throw UsageError("--set expects key=value, got '\(s)'") }
    do {
      try config.set(String(s[..<eq]), to: String(s[s.index(after: eq)...]))
    } catch let e as ConfigError {
      throw UsageError("--set \(e)")
    }
  }
}

/// Throws a usage error listing every out-of-range setting.
func checkSettings(_ config: TrainerConfig) throws {
  let problems = config.problems()
  if !problems.isEmpty { throw UsageError("invalid settings:\n" + problems.map { "  \($0)" }.joined(separator: "\n")) }
}
