import Foundation

/// A command-line usage error: printed with the command's usage, exit status 2.
struct UsageError: Error, CustomStringConvertible {
  var message: String
  init(_ message: String) { self.message = message }
  var description: String { message }
}

/// Minimal option parsing: `--name value`, `--name=value`, repeated options and flags.
struct Arguments {
  private(set) var positional: [String] = []
  private var options: [(String, String?)] = []
  private var used = Set<Int>()

  init(_ args: [String], flags: Set<String> = []) throws {
    var i = 0
    while i < args.count {
      let a = args[i]
      if a == "--" {
        positional += args[(i + 1)...]
        break
      }
      if a.hasPrefix("--") {
        let body = String(a.dropFirst(2))
        if let eq = body.firstIndex(of: "=") {
          options.append((String(body[..<eq]), String(body[body.index(after: eq)...])))
        } else if flags.contains(body) || body == "help" {
          options.append((body, nil))
        } else {
          guard i + 1 < args.count else { throw UsageError("option --\(body) needs a value") }
          options.append((body, args[i + 1]))
          i += 1
        }
      } else if a == "-h" {
        options.append(("help", nil))
      } else {
        positional.append(a)
      }
      i += 1
    }
  }

  var wantsHelp: Bool { options.contains { $0.0 == "help" } }

  mutating func flag(_ name: String) -> Bool {
    var found = false
    for (i, o) in options.enumerated() where o.0 == name {
      used.insert(i)
      found = true
    }
    return found
  }

  mutating func value(_ name: String) -> String? { values(name).last }

  mutating func values(_ name: String) -> [String] {
    var out: [String] = []
    for (i, o) in options.enumerated() where o.0 == name {
      used.insert(i)
      if let v = o.1 { out.append(v) }
    }
    return out
  }

  mutating func int(_ name: String, default d: Int, min: Int = 1) throws -> Int {
    guard let s = value(name) else { return d }
    guard let v = Int(s), v >= min else { throw UsageError("--\(name) expects a whole number ≥ \(min), got '\(s)'") }
    return v
  }

  /// Throws if an option was given that the command does not know.
  func checkAllUsed() throws {
    for (i, o) in options.enumerated() where !used.contains(i) && o.0 != "help" {
      throw UsageError("unknown option --\(o.0)")
    }
  }
}

/// Writes to standard error.
func printError(_ s: String) {
  FileHandle.standardError.write((s + "\n").data(using: .utf8)!)
}

/// True when standard error is a terminal (progress lines use \r there).
var stderrIsTerminal: Bool { isatty(2) != 0 }

/// Formats seconds as "1h02m", "3m05s" or "42s".
func formatDuration(_ s: Double) -> String {
  guard s.isFinite, s >= 0 else { return "?" }
  let t = Int(s.rounded())
  if t >= 3600 { return String(format: "%dh%02dm", t / 3600, (t % 3600) / 60) }
  if t >= 60 { return String(format: "%dm%02ds", t / 60, t % 60) }
  return "\(t)s"
}

/// Prints a line and flushes standard output at once, so that long-running
/// commands show their lines as they happen even when piped to a file.
func printNow(_ s: String) {
  print(s)
  fflush(nil)
}
