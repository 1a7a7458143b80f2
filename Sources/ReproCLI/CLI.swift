import Environments
import Experiments
import Foundation
import RunModel

/// Where a command writes: standard output and error in the program, strings in tests.
public struct CommandIO: Sendable {
  public var out: @Sendable (String) -> Void
  public var err: @Sendable (String) -> Void
  /// Whether `err` is the process's standard error (progress lines may then be drawn in place on a terminal).
  let standardStreams: Bool

  public init(out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void) {
    self.out = out
    self.err = err
    standardStreams = false
  }

  private init(standardOut: @escaping @Sendable (String) -> Void, standardErr: @escaping @Sendable (String) -> Void) {
    out = standardOut
    err = standardErr
    standardStreams = true
  }

  /// Whether progress can be redrawn in place (standard error is a terminal).
  var terminal: Bool { standardStreams && isatty(2) != 0 }

  /// The process's standard output and error; each line is flushed at once, so
  /// long commands show their lines as they happen even when piped to a file.
  public static let standard = CommandIO(
    standardOut: { print($0); fflush(nil) },
    standardErr: { writeStandardError($0 + "\n") })

  /// The runner's progress display: one line redrawn on a terminal, a line a minute otherwise.
  func progressDisplay(quiet: Bool = false) -> ProgressDisplay {
    let err = self.err
    if quiet { return ProgressDisplay(mode: .silent) { err($0.hasSuffix("\n") ? String($0.dropLast()) : $0) } }
    if standardStreams { return .standardError() }
    return ProgressDisplay(mode: .plain(every: 60)) { text in
      err(text.hasSuffix("\n") ? String(text.dropLast()) : text)
    }
  }
}

/// A command-line usage error: printed with the command's usage hint, exit status 2.
struct UsageError: Error, CustomStringConvertible {
  var message: String
  init(_ message: String) { self.message = message }
  var description: String { message }
}

/// One option of a command: `--name VALUE` (a value) or `--name` (a flag).
struct OptionSpec {
  var name: String
  /// The value's placeholder, e.g. "N" or "DIR"; nil for a flag.
  var value: String?
  var help: String
  var repeatable = false
  /// A required option: shown without brackets and marked "required" in the usage,
  /// and its absence is a usage error before the command runs.
  var required = false

  static func value(_ name: String, _ placeholder: String, _ help: String, repeatable: Bool = false,
                    required: Bool = false) -> OptionSpec {
    OptionSpec(name: name, value: placeholder, help: help, repeatable: repeatable, required: required)
  }
  static func flag(_ name: String, _ help: String) -> OptionSpec { OptionSpec(name: name, value: nil, help: help) }

  /// `--name VALUE` or `--name`.
  var synopsis: String { "--\(name)" + (value.map { " \($0)" } ?? "") }
}

/// A subcommand: its name, what it does, the positional arguments and options
/// it accepts (from which both its usage text and its parsing come), and what it runs.
protocol Command: SendableMetatype {
  /// E.g. "run", or "bench env".
  static var name: String { get }
  /// One line for `repro --help`.
  static var summary: String { get }
  /// Positional arguments, e.g. ["MANIFEST"].
  static var positionals: [String] { get }
  /// Paragraphs under the usage line.
  static var discussion: String { get }
  static var options: [OptionSpec] { get }
  static func run(_ args: ParsedArguments, _ io: CommandIO) throws -> Int32
}

extension Command {
  static var positionals: [String] { [] }

  /// The usage text, generated from the declarations.
  static var usage: String {
    var lines: [String] = []
    let head = "usage: repro \(name)" + positionals.map { " \($0)" }.joined()
    var line = head
    for o in options {
      let part = o.required ? " \(o.synopsis)\(o.repeatable ? " ..." : "")" : " [\(o.synopsis)\(o.repeatable ? " ..." : "")]"
      if line.count + part.count > 88 {
        lines.append(line)
        line = String(repeating: " ", count: head.count)
      }
      line += part
    }
    lines.append(line)
    lines.append("")
    lines.append(discussion)
    if !options.isEmpty {
      lines.append("")
      let width = min(24, (options.map(\.synopsis.count).max() ?? 0) + 2)
      for o in options {
        let s = o.synopsis
        let pad = s.count < width ? String(repeating: " ", count: width - s.count) : "\n" + String(repeating: " ", count: width + 2)
        let help = (o.required ? "required: " : "") + o.help
        lines.append("  " + s + pad + help.replacingOccurrences(of: "\n", with: "\n" + String(repeating: " ", count: width + 2)))
      }
      lines.append("  --help" + String(repeating: " ", count: max(1, width - 6)) + "this text")
    }
    return lines.joined(separator: "\n")
  }

  /// Parses `raw` against the declared options and positionals.
  static func parse(_ raw: [String]) throws -> ParsedArguments {
    try ParsedArguments(raw, options: options, positionals: positionals)
  }
}

/// The arguments of one command, checked against its declarations: unknown
/// options, missing values and a wrong number of positionals are usage errors.
struct ParsedArguments {
  private(set) var positional: [String] = []
  private var given: [(name: String, value: String?)] = []
  let wantsHelp: Bool
  /// The arguments as given (for "reproduce with" lines).
  let raw: [String]

  init(_ args: [String], options: [OptionSpec], positionals: [String]) throws {
    raw = args
    var help = false
    var i = 0
    func spec(_ name: String) throws -> OptionSpec {
      guard let s = options.first(where: { $0.name == name }) else {
        let known = options.map { "--\($0.name)" } + ["--help"]
        throw UsageError("unknown option --\(name); " + NameSuggestion.hint(for: "--\(name)", in: known, listLabel: "options:"))
      }
      return s
    }
    while i < args.count {
      let a = args[i]
      if a == "--" {
        positional += args[(i + 1)...]
        break
      }
      if a == "--help" || a == "-h" {
        help = true
      } else if a.hasPrefix("--") {
        let body = String(a.dropFirst(2))
        if let eq = body.firstIndex(of: "=") {
          let name = String(body[..<eq])
          let s = try spec(name)
          guard s.value != nil else { throw UsageError("--\(name) is a flag and takes no value") }
          given.append((name, String(body[body.index(after: eq)...])))
        } else {
          let s = try spec(body)
          if s.value == nil {
            given.append((body, nil))
          } else {
            guard i + 1 < args.count else { throw UsageError("option --\(body) needs a value (\(s.value!))") }
            given.append((body, args[i + 1]))
            i += 1
          }
        }
      } else {
        positional.append(a)
      }
      i += 1
    }
    wantsHelp = help
    if help { return }
    for s in options where s.required && !given.contains(where: { $0.name == s.name }) {
      throw UsageError("\(s.synopsis) is required: " + s.help.replacingOccurrences(of: "\n", with: " "))
    }
    for s in options where !s.repeatable {
      if given.filter({ $0.name == s.name }).count > 1 { throw UsageError("--\(s.name) given more than once") }
    }
    // A last positional written "NAME..." takes one or more arguments.
    let variadic = positionals.last?.hasSuffix("...") ?? false
    if positional.count != positionals.count && !(variadic && positional.count > positionals.count) {
      if positional.count < positionals.count {
        throw UsageError("missing \(positionals[positional.count])")
      }
      throw UsageError("expected \(positionals.isEmpty ? "no arguments" : positionals.joined(separator: " ")), got '\(positional.joined(separator: " "))'")
    }
  }

  func flag(_ name: String) -> Bool { given.contains { $0.name == name } }
  func value(_ name: String) -> String? { given.last { $0.name == name }?.value ?? nil }
  func values(_ name: String) -> [String] { given.filter { $0.name == name }.compactMap(\.value) }

  func int(_ name: String, default d: Int, min: Int = 1) throws -> Int {
    guard let s = value(name) else { return d }
    guard let v = Int(s), v >= min else { throw UsageError("--\(name) expects a whole number ≥ \(min), got '\(s)'") }
    return v
  }
}

/// A command as the dispatcher sees it (built from a `Command` type in a generic
/// context, so that no existential metatype is opened).
struct CommandEntry: Sendable {
  let name: String
  let summary: String
  let usage: @Sendable () -> String
  /// Parses and runs; nil when help was asked for.
  let run: @Sendable ([String], CommandIO) throws -> Int32?

  init<C: Command>(_: C.Type) {
    name = C.name
    summary = C.summary
    usage = { C.usage }
    run = { raw, io in
      let args = try C.parse(raw)
      return args.wantsHelp ? nil : try C.run(args, io)
    }
  }
}

/// Every subcommand, in the order `repro --help` lists them.
let commands: [CommandEntry] = [
  CommandEntry(TrainCommand.self), CommandEntry(RunCommand.self), CommandEntry(ReportCommand.self), CommandEntry(CompareCommand.self),
  CommandEntry(ExportCommand.self), CommandEntry(PlotCommand.self),
  CommandEntry(CheckCommand.self), CommandEntry(PlanCommand.self), CommandEntry(CostCommand.self),
  CommandEntry(ArchiveCommand.self), CommandEntry(ImportCommand.self), CommandEntry(MergeCommand.self), CommandEntry(SlurmCommand.self),
  CommandEntry(EnvListCommand.self), CommandEntry(EnvRolloutCommand.self),
  CommandEntry(BenchEnvCommand.self), CommandEntry(BenchOverheadCommand.self),
  CommandEntry(BenchTrainCommand.self),
]

/// `repro --help`.
var topUsage: String {
  var lines = [
    "repro: a deterministic reproduction harness for \"Implementation Matters in",
    "Deep Policy Gradients\" (Engstrom, Ilyas et al., ICLR 2020).",
    "",
    "usage: repro <command> [options]     (repro <command> --help for details)",
    "       repro --version                (the version and what identifies this binary)",
    "",
    "commands:",
  ]
  let width = (commands.map { $0.name.count }.max() ?? 0) + 2
  for c in commands { lines.append("  " + c.name.padding(toLength: width, withPad: " ", startingAt: 0) + c.summary) }
  return lines.joined(separator: "\n")
}

/// Runs `repro` with `arguments` (without the program name); returns the exit status:
/// 0 success, 1 failure (a bad manifest, a failed run), 2 usage error.
public func runCommandLine(_ arguments: [String], io: CommandIO = .standard) -> Int32 {
  guard let first = arguments.first else {
    io.out(topUsage)
    return 2
  }
  if ["-h", "--help", "help"].contains(first) {
    io.out(topUsage)
    return 0
  }
  if first == "--version" || first == "version" {
    io.out(versionText())
    return 0
  }
  // Two-word commands ("env list", "bench train") before one-word ones.
  let match = commands.first { c in
    let words = c.name.split(separator: " ").map(String.init)
    return Array(arguments.prefix(words.count)) == words
  }
  guard let command = match else {
    let group = commands.filter { $0.name.hasPrefix(first + " ") }.map(\.name)
    var message = group.isEmpty ? "unknown command '\(first)'"
      : "'\(first)' needs a subcommand: " + group.map { "repro \($0)" }.joined(separator: ", ")
    if !group.isEmpty, arguments.count >= 2, let suggestion = commandSuggestion(arguments) {
      message = "unknown command '\(arguments.prefix(2).joined(separator: " "))'; \(suggestion)"
    } else if group.isEmpty {
      if first.hasPrefix("-") {
        message = "unknown option '\(first)'; " + NameSuggestion.hint(
          for: first, in: ["--help", "--version"], listLabel: "before a command, only")
      } else if let suggestion = commandSuggestion(arguments) {
        message += "; \(suggestion)"
      }
    }
    io.err("repro: \(message)\n(run 'repro --help' for the commands)")
    return 2
  }
  let rest = Array(arguments.dropFirst(command.name.split(separator: " ").count))
  do {
    if let status = try command.run(rest, io) { return status }
    io.out(command.usage())
    return 0
  } catch let e as UsageError {
    io.err("repro \(command.name): \(e.message)\n(run 'repro \(command.name) --help' for usage)")
    return 2
  } catch {
    io.err("repro \(command.name): \(error)")
    return 1
  }
}

/// Formats seconds as "1h02m", "3m05s" or "42s".
func formatDuration(_ s: Double) -> String { ProgressSnapshot.duration(s) }

/// "did you mean 'repro train'?" for a misspelt command (one word, or the first
/// two of a two-word command such as "bench trian"); nil when none is close.
func commandSuggestion(_ arguments: [String]) -> String? {
  let two = arguments.prefix(2).joined(separator: " ")
  let twoWord = commands.map(\.name).filter { $0.contains(" ") }
  if arguments.count >= 2, let s = NameSuggestion.didYouMean(two, in: twoWord, quote: { "'repro \($0)'" }) { return s }
  let heads = commands.map { String($0.name.split(separator: " ")[0]) }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
  return NameSuggestion.didYouMean(arguments[0], in: heads, quote: { "'repro \($0)'" })
}

/// Repro's version (semantic; raised with the result format or the CLI).
public let reproVersion = "0.1.0"

/// `repro --version`: the version, then what identifies this binary: the SHA-256 of
/// its executable file (the same bytes give the same results, rule 1), the checkout
/// it was built from and that checkout's commit now, MuJoCo's version and the
/// compiler. Nothing here reaches a result, a report or an identity.
func versionText() -> String {
  var lines = ["repro \(reproVersion)"]
  let exe = executablePath()
  let digest = exe.flatMap { try? sha256OfFile($0) } ?? "unknown"
  lines.append("binary:   \(exe ?? "unknown") (sha256 \(digest))")
  // The package root, four levels above this file (Sources/ReproCLI/CLI.swift) at build time.
  let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path
  let commit = runProgram("/usr/bin/env", ["git", "-C", root, "rev-parse", "--short", "HEAD"])?
    .trimmingCharacters(in: .whitespacesAndNewlines)
  lines.append("source:   \(root)" + (commit.map { " (its HEAD now: \($0); the binary may predate it)" } ?? " (no git)"))
  lines.append("MuJoCo:   \(loadedMuJoCoVersionString)")
  lines.append("compiler: \(compilerVersion)")
  return lines.joined(separator: "\n")
}

/// This process's executable file.
private func executablePath() -> String? {
  if let p = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return p }
  return Bundle.main.executablePath
}

/// The Swift compiler's version, to the minor release (from conditional compilation).
private var compilerVersion: String {
  #if compiler(>=6.3)
    return "Swift 6.3 or later"
  #elseif compiler(>=6.2)
    return "Swift 6.2"
  #elseif compiler(>=6.1)
    return "Swift 6.1"
  #else
    return "Swift 6.0"
  #endif
}
