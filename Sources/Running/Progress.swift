import Foundation
import Manifests
import RunModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a manifest's runs stand, for the one progress line.
public struct ProgressSnapshot: Sendable, Equatable {
  public var manifest: String
  public var scale: String
  public var shard: Shard
  /// Runs this invocation is responsible for (after sharding and de-duplication).
  public var total: Int
  /// Runs with a valid result, including those found finished at the start.
  public var done: Int
  public var running: Int
  public var failed: Int
  /// Seconds since the runner started.
  public var elapsed: Double
  /// Estimated seconds to finish; nil when not yet known.
  public var eta: Double?
  /// Runs left to other runners sharing the results folder (leased by them).
  public var elsewhere = 0
  /// One of them and its lease's owner, e.g. "PPO/Hopper/seed 3 leased by node7 pid 4121".
  public var waitingOn: String? = nil

  public init(manifest: String, scale: String, shard: Shard, total: Int, done: Int, running: Int, failed: Int, elapsed: Double, eta: Double?) {
    self.manifest = manifest
    self.scale = scale
    self.shard = shard
    self.total = total
    self.done = done
    self.running = running
    self.failed = failed
    self.elapsed = elapsed
    self.eta = eta
  }

  /// `table2 (quick, shard 2/3): 14/36 done, 2 running, 1 failed, 20 to go, 3m05s elapsed, ETA 12m40s`
  public var line: String {
    let shardText = shard.count > 1 ? ", shard \(shard)" : ""
    let toGo = max(0, total - done - running - failed)
    let etaText: String
    if done + failed == total { etaText = "finished" } else if let e = eta { etaText = "ETA \(ProgressSnapshot.duration(e))" } else { etaText = "ETA --" }
    let elsewhereText = elsewhere > 0
      ? "\(elsewhere) waiting on another runner's lease" + (waitingOn.map { " (\($0)\(elsewhere > 1 ? ", …" : ""))" } ?? "") + ", " : ""
    return "\(manifest) (\(scale)\(shardText)): \(done)/\(total) done, \(running) running, \(elsewhereText)\(failed) failed, "
      + "\(toGo) to go, \(ProgressSnapshot.duration(elapsed)) elapsed, \(etaText)"
  }

  /// `42s`, `3m05s`, `2h07m`, `3d04h`.
  public static func duration(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "--" }
    let s = Int(max(0, seconds).rounded())
    func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    if s < 60 { return "\(s)s" }
    if s < 3600 { return "\(s / 60)m\(two(s % 60))s" }
    if s < 48 * 3600 { return "\(s / 3600)h\(two((s % 3600) / 60))m" }
    return "\(s / 86400)d\(two((s % 86400) / 3600))h"
  }
}

/// Shows one progress line for a whole manifest: redrawn in place (`\r`) on a
/// terminal, or written as a plain line now and then when piped to a file.
/// Notes (a failed run, a corrupt file) go on their own lines.
public final class ProgressDisplay: @unchecked Sendable {
  public enum Mode: Sendable, Equatable {
    /// Redraw one line in place.
    case terminal
    /// A line at most every `every` seconds, plus the first and the last.
    case plain(every: Double)
    /// Notes only.
    case silent
  }

  public let mode: Mode
  /// Terminal width: in `terminal` mode longer lines are cut so `\r` redraws stay on one row.
  public let width: Int?
  private let write: @Sendable (String) -> Void
  private let lock = NSLock()
  private var lastPlain: Double = -Double.infinity
  private var lastLine = ""
  private var drawn = false

  public init(mode: Mode, width: Int? = nil, write: @escaping @Sendable (String) -> Void) {
    self.mode = mode
    self.width = width
    self.write = write
  }

  private func fit(_ line: String) -> String {
    guard mode == .terminal, let w = width, w > 1, line.count > w - 1 else { return line }
    return String(line.prefix(w - 1))
  }

  /// On standard error: `terminal` when it is a TTY, otherwise a line a minute.
  public static func standardError() -> ProgressDisplay {
    let tty = isatty(2) == 1
    var size = winsize()
    let width = tty && ioctl(2, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : nil
    return ProgressDisplay(mode: tty ? .terminal : .plain(every: 60), width: width) { text in
      writeStandardError(text)
    }
  }

  /// Shows `snapshot` (a plain line only if `every` seconds passed since the last one).
  public func update(_ snapshot: ProgressSnapshot) {
    lock.lock()
    defer { lock.unlock() }
    let line = fit(snapshot.line)
    switch mode {
    case .terminal:
      write("\r" + line + "\u{1B}[K")
      drawn = true
    case let .plain(every):
      if snapshot.elapsed - lastPlain >= every {
        write(line + "\n")
        lastPlain = snapshot.elapsed
      }
    case .silent:
      break
    }
    lastLine = line
  }

  /// A message on its own line (the progress line is redrawn under it).
  public func note(_ text: String) {
    lock.lock()
    defer { lock.unlock() }
    switch mode {
    case .terminal:
      write((drawn ? "\r\u{1B}[K" : "") + text + "\n" + (drawn ? lastLine + "\u{1B}[K" : ""))
    case .plain, .silent:
      write(text + "\n")
    }
  }

  /// The final line, always shown (ends the in-place line on a terminal).
  public func finish(_ snapshot: ProgressSnapshot) {
    lock.lock()
    defer { lock.unlock() }
    let line = fit(snapshot.line)
    switch mode {
    case .terminal: write("\r" + line + "\u{1B}[K\n")
    case .plain: write(line + "\n")
    case .silent: break
    }
    lastLine = line
    drawn = false
  }
}

/// Writes `text` to standard error as it is; a failed write (a full disk, a
/// closed pipe) is ignored rather than fatal, as FileHandle.write would make it.
public func writeStandardError(_ text: String) {
  var text = text
  text.withUTF8 { bytes in
    var done = 0
    while done < bytes.count {
      let n = write(2, bytes.baseAddress! + done, bytes.count - done)
      if n <= 0 { return }
      done += n
    }
  }
}
