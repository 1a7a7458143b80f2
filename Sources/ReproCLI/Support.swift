import Algorithms
import Environments
import Experiments
import Foundation
import Reports
import RunModel

/// The training function the runner calls: the Trainer on the spec's task,
/// seed and config, reporting each finished iteration.
func trainerFunction(assets: String?) -> TrainFunction {
  return { spec, progress in
    let trainer = Trainer(task: spec.task.rawValue, seed: spec.seed, config: spec.config, assetsDirectory: assets)
    var result = try withoutActuallyEscaping(progress) { report in
      try trainer.run { m, _ in report(m.iteration + 1) }
    }
    result.model = spec.model  // a custom model file (checked by ModelFiles before anything ran)
    return result
  }
}

/// The manifest's tasks' model files checked (`ModelFiles`), before anything runs; with custom
/// models, the specs that train on them carry the model in their identity.
func checkedModels(_ expansion: Expansion, assets: String?, custom: Bool, io: CommandIO) throws -> Expansion {
  var tasks: [TaskRow] = []
  for s in expansion.specs where !tasks.contains(where: { $0.id == s.task }) { tasks.append(s.task.row) }
  let models = try ModelFiles.check(tasks, assets: assets, custom: custom)
  guard !models.isEmpty else { return expansion }
  for (task, m) in models { io.err("custom model for \(task.row.gymnasiumID): \(m.label); its hash is part of every run's identity") }
  var e = expansion
  e.specs = e.specs.map { s in s.on(model: models.first { $0.0 == s.task }?.1) }
  return e
}

/// `repro <arguments>` as typed, each argument shell-quoted when needed.
func commandLineText(_ arguments: [String]) -> String {
  (["repro"] + arguments).map(shellQuote).joined(separator: " ")
}

func shellQuote(_ s: String) -> String {
  let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%_+=:,./-")
  if !s.isEmpty && s.unicodeScalars.allSatisfy({ safe.contains($0) }) { return s }
  return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

/// Runs a program and returns its standard output (nil when it cannot run or fails).
func runProgram(_ path: String, _ args: [String]) -> String? {
  let p = Process()
  p.executableURL = URL(fileURLWithPath: path)
  p.arguments = args
  let out = Pipe()
  p.standardOutput = out
  p.standardError = FileHandle.nullDevice
  do { try p.run() } catch { return nil }
  let data = out.fileHandleForReading.readDataToEndOfFile()
  p.waitUntilExit()
  guard p.terminationStatus == 0 else { return nil }
  return String(decoding: data, as: UTF8.self)
}

/// `git rev-parse --short HEAD`, plus "-dirty" when a tracked file outside reports/ differs from it; "unknown" without git.
func gitCommitDescription() -> String {
  let env = "/usr/bin/env"
  guard let head = runProgram(env, ["git", "rev-parse", "--short", "HEAD"])?
    .trimmingCharacters(in: .whitespacesAndNewlines), !head.isEmpty else { return "unknown" }
  // Outputs (reports/, archives and golden files) do not make the code dirty: a report written
  // after its archive, or one report after another, still names the clean commit that made it.
  guard let status = runProgram(env, ["git", "status", "--porcelain", "--untracked-files=no", "--", ":(top)", ":(top,exclude)reports"]) else { return head }
  return status.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? head : head + "-dirty"
}

/// CPU model (from /proc/cpuinfo), logical cores, and the system.
func currentMachine() -> Machine {
  var model = "unknown CPU"
  if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) {
    for line in text.split(separator: "\n") where line.hasPrefix("model name") {
      if let colon = line.firstIndex(of: ":") {
        model = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        break
      }
    }
  }
  var u = utsname()
  uname(&u)
  func field<T>(_ t: T) -> String {
    withUnsafeBytes(of: t) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
  }
  return Machine(cpuModel: model, cores: ProcessInfo.processInfo.activeProcessorCount,
                 system: "\(field(u.sysname)) \(field(u.machine))")
}

/// The machine a report names: `$REPRO_REPORT_MACHINE` ("CPU model|cores|system",
/// to regenerate a committed report elsewhere byte for byte), else this one.
func reportMachine(_ env: [String: String]) -> Machine {
  if let pinned = env["REPRO_REPORT_MACHINE"] {
    let parts = pinned.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
    if parts.count == 3, let cores = Int(parts[1]) {
      return Machine(cpuModel: parts[0], cores: cores, system: parts[2].isEmpty ? nil : parts[2])
    }
  }
  return currentMachine()
}

/// Now, UTC, ISO 8601 to the second.
func utcNow() -> String {
  let f = ISO8601DateFormatter()
  f.timeZone = TimeZone(identifier: "UTC")
  f.formatOptions = [.withInternetDateTime]
  return f.string(from: Date())
}

/// SHA-256 (hex) of a file's bytes.
func sha256OfFile(_ path: String) throws -> String {
  let data = try Data(contentsOf: URL(fileURLWithPath: path))
  return SHA256.hex([UInt8](data))
}

/// Loads and validates a manifest and expands it at `scale`. A mistake throws
/// `ManifestError` (file and JSON path), before anything runs or is written.
func loadExpansion(_ path: String, scale: String?) throws -> (manifest: Manifest, expansion: Expansion) {
  let manifest = try Manifest.load(path: path)
  return (manifest, try manifest.expand(scale: scale))
}

/// This checkout's commit and this machine, as recorded in the results it trains.
func currentTrainer() -> TrainedBy {
  let m = currentMachine()
  return TrainedBy(commit: gitCommitDescription(), machine: "\(m.cpuModel), \(m.cores) cores" + (m.system.map { ", \($0)" } ?? ""))
}
