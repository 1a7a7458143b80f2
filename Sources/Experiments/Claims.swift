import Foundation
import RunModel

/// Claims on runs in a results folder, so that runners sharing the folder (two
/// terminals, cluster jobs without --shard) split the work and never train a run
/// twice.
///
/// A claim is the file `<hash>.claim` beside where the result will go, created
/// only if absent (a hard link of a written temporary: atomic, also over NFS),
/// holding its owner (host, process id and start time, a random token, and in a
/// Slurm array task the task and its attempt). While it
/// trains, the owner refreshes the claim's modification time every quarter lease.
/// A claim is stale, and is taken over, when its owner is a process of this host
/// that no longer runs, an earlier attempt of the same Slurm array task (requeued),
/// or when it has not been refreshed for a whole lease (its
/// owner died on another machine, or stalled). Ages are measured against the
/// folder's own clock (the modification time of a file written there just
/// before), so clocks that differ between machines do not matter. A takeover
/// holds `<hash>.takeover` (created only if absent) while it replaces the claim,
/// so two runners never take over the same claim.
public final class ClaimBook: @unchecked Sendable {
  public let directory: URL
  /// Seconds without a refresh after which a claim is stale.
  public let lease: Double
  /// This runner: `host pid start token`.
  public let owner: String
  private let lock = NSLock()
  private var held: Set<String> = []
  private var heartbeat: Thread?
  private var stopped = false

  public enum Outcome: Equatable, Sendable {
    case claimed
    /// Someone else holds a live claim.
    case heldElsewhere(owner: String)
  }

  public init(directory: URL, lease: Double) {
    self.directory = directory
    self.lease = lease
    owner = "\(ClaimBook.hostName) \(getpid()) \(ClaimBook.processStart(getpid()) ?? 0) "
      + String(UInt64.random(in: 0...UInt64.max), radix: 16) + (ClaimBook.slurmAttempt.map { " slurm=\($0)" } ?? "")
  }

  /// In a Slurm array task: `<array job>_<task>.<restart count>`. A requeued task
  /// knows that claims of its earlier attempts are dead, wherever they ran.
  static let slurmAttempt: String? = {
    let env = ProcessInfo.processInfo.environment
    guard let job = env["SLURM_ARRAY_JOB_ID"], let task = env["SLURM_ARRAY_TASK_ID"] else { return nil }
    return "\(job)_\(task).\(env["SLURM_RESTART_COUNT"] ?? "0")"
  }()

  /// (array job and task, attempt) of a `slurm=` owner field.
  static func attempt(_ field: String) -> (task: String, attempt: Int)? {
    guard field.hasPrefix("slurm="), let dot = field.lastIndex(of: "."), let n = Int(field[field.index(after: dot)...]) else {
      return nil
    }
    return (String(field[field.index(field.startIndex, offsetBy: 6)..<dot]), n)
  }

  public func claimPath(_ hash: String) -> String { directory.appendingPathComponent("\(hash).claim").path }

  /// Claims `hash`, taking over a stale claim.
  public func claim(_ hash: String) throws -> Outcome {
    let path = claimPath(hash)
    for _ in 0..<3 {
      if try AtomicFile.write(owner + "\n", to: path, ifAbsent: true) == .written {
        hold(hash)
        return .claimed
      }
      guard let current = ClaimBook.read(path) else { continue }  // released meanwhile: try again
      guard isStale(current, path: path) else { return .heldElsewhere(owner: current.owner) }
      if try takeOver(hash, from: current) { return .claimed }
    }
    return .heldElsewhere(owner: ClaimBook.read(claimPath(hash))?.owner ?? "another runner")
  }

  /// Whether this runner still holds `hash` (false once another runner took it over).
  public func holds(_ hash: String) -> Bool { ClaimBook.read(claimPath(hash))?.owner == owner }

  /// Gives the claim up (after the result is stored, or when training failed).
  public func release(_ hash: String) {
    lock.lock()
    held.remove(hash)
    lock.unlock()
    if holds(hash) { unlink(claimPath(hash)) }
  }

  /// Removes a stale claim on `hash`, if there is one.
  public func removeIfStale(_ hash: String) {
    let path = claimPath(hash)
    if let c = ClaimBook.read(path), c.owner != owner, isStale(c, path: path) { unlink(path) }
  }

  /// Removes every stale claim on a run whose result file is in the folder.
  public func removeStaleClaimsOfStoredResults() {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    for name in names where name.hasSuffix(".claim") {
      let hash = String(name.dropLast(".claim".count))
      if FileManager.default.fileExists(atPath: directory.appendingPathComponent("\(hash).json").path) { removeIfStale(hash) }
    }
  }

  /// Refreshes every held claim each quarter lease, on a thread of its own, until `stop`.
  public func startHeartbeat() {
    let t = Thread { [weak self] in
      while let self, !self.isStopped {
        Thread.sleep(forTimeInterval: max(0.05, self.lease / 4))
        self.refresh()
      }
    }
    t.name = "repro-claims"
    t.start()
    heartbeat = t
  }

  public func stop() {
    lock.lock()
    stopped = true
    lock.unlock()
  }

  private var isStopped: Bool {
    lock.lock()
    defer { lock.unlock() }
    return stopped
  }

  /// Touches every held claim that is still ours.
  public func refresh() {
    lock.lock()
    let hashes = held
    lock.unlock()
    for h in hashes where holds(h) { utimes(claimPath(h), nil) }
  }

  private func hold(_ hash: String) {
    lock.lock()
    held.insert(hash)
    lock.unlock()
  }

  // MARK: staleness and takeover

  struct Claim: Equatable {
    var owner: String
    var modified: timespec

    static func == (a: Claim, b: Claim) -> Bool {
      a.owner == b.owner && a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec
    }
  }

  static func read(_ path: String) -> Claim? {
    var st = stat()
    guard stat(path, &st) == 0, let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
    return Claim(owner: text.trimmingCharacters(in: .whitespacesAndNewlines), modified: st.st_mtim)
  }

  func isStale(_ c: Claim, path: String) -> Bool {
    let parts = c.owner.split(separator: " ").map(String.init)
    // An earlier attempt of this same Slurm array task: dead, since this attempt runs.
    if parts.count == 5, let theirs = ClaimBook.attempt(parts[4]), let mine = ClaimBook.slurmAttempt.flatMap({ ClaimBook.attempt("slurm=" + $0) }),
       theirs.task == mine.task, theirs.attempt < mine.attempt {
      return true
    }
    if parts.count >= 4, parts[0] == ClaimBook.hostName, let pid = Int32(parts[1]) {
      // A process of this host: stale exactly when it is gone (or its pid was reused).
      guard kill(pid, 0) == 0 || errno == EPERM else { return true }
      return ClaimBook.processStart(pid).map { String($0) != parts[2] } ?? false
    }
    guard let now = folderNow() else { return false }
    let age = Double(now.tv_sec - c.modified.tv_sec) + Double(now.tv_nsec - c.modified.tv_nsec) / 1e9
    return age > lease
  }

  /// The folder's clock: the modification time of a file written there now.
  func folderNow() -> timespec? {
    let probe = directory.appendingPathComponent(".repro-clock-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp").path
    let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0o644)
    guard fd >= 0 else { return nil }
    defer { close(fd); unlink(probe) }
    var st = stat()
    return fstat(fd, &st) == 0 ? st.st_mtim : nil
  }

  /// Replaces the stale claim `seen` on `hash` by ours, unless it changed meanwhile.
  private func takeOver(_ hash: String, from seen: Claim) throws -> Bool {
    let guardPath = directory.appendingPathComponent("\(hash).takeover").path
    if try AtomicFile.write(owner + "\n", to: guardPath, ifAbsent: true) != .written {
      // Another runner is taking it over, or died doing so (a takeover takes milliseconds).
      if let g = ClaimBook.read(guardPath), isStale(g, path: guardPath) { unlink(guardPath) }
      return false
    }
    defer { unlink(guardPath) }
    guard let now = ClaimBook.read(claimPath(hash)), now == seen else { return false }
    try AtomicFile.write(owner + "\n", to: claimPath(hash))
    hold(hash)
    return true
  }

  // MARK: identity

  static let hostName: String = {
    var buf = [CChar](repeating: 0, count: 256)
    gethostname(&buf, buf.count)
    let name = String(cString: buf).replacingOccurrences(of: " ", with: "_")
    return name.isEmpty ? "localhost" : name
  }()

  /// A process's start time in clock ticks since boot (field 22 of /proc/PID/stat), to tell a reused pid.
  static func processStart(_ pid: Int32) -> UInt64? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = text.lastIndex(of: ")") else { return nil }
    let fields = text[text.index(after: close)...].split(separator: " ")
    return fields.count > 19 ? UInt64(fields[19]) : nil
  }
}
