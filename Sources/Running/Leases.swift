import Foundation
import Manifests
import RunModel

/// Leases on runs in a results folder, so that runners sharing the folder (two
/// terminals, containers, cluster jobs without --shard) split the work and never
/// train a run twice. ("Claim" is kept for the scientific claims of a manifest.)
///
/// A lease is the file `<hash>.lease` beside where the result will go, created
/// only if absent (a hard link of a written temporary: atomic, also over NFS),
/// holding its owner as `key=value` fields: host name, boot id, PID namespace,
/// process id and start time, a random token, and in a Slurm array task the task
/// and its attempt. While it trains, the owner refreshes the lease's modification
/// time every quarter lease. A lease is stale, and is taken over, when:
/// - its owner is a process of this kernel and PID namespace (same boot id and
///   PID namespace) that no longer runs, or whose PID was reused;
/// - its owner is an earlier attempt of the same Slurm array task (requeued);
/// - it has not been refreshed for a whole lease: measured against the folder's
///   own clock (the modification time of a file written there just before), so
///   that clocks that differ between machines do not matter, or, for a lease
///   dated in the future (another machine's clock ahead), for a whole lease of
///   this machine's monotonic clock since it was first seen unchanged.
/// Containers that share a host name but not a PID namespace cannot see each
/// other's processes, so for them only the lease period counts. A takeover holds
/// `<hash>.takeover` (created only if absent) while it replaces the lease, so two
/// runners never take over the same lease.
public final class LeaseBook: @unchecked Sendable {
  public let directory: URL
  /// Seconds without a refresh after which a lease is stale.
  public let lease: Double
  /// This runner: `host=… boot=… pidns=… pid=… start=… token=…` (and `slurm=…` in an array task).
  public let owner: String
  private let lock = NSLock()
  private var held: Set<String> = []
  /// Leases dated in the future: when each (path, owner, time) was first seen, on this machine's monotonic clock.
  private var firstSeen: [String: (lease: Lease, at: Double)] = [:]
  private var heartbeat: Thread?
  private var stopped = false

  public enum Outcome: Equatable, Sendable {
    case leased
    /// Someone else holds a live lease.
    case heldElsewhere(owner: String)
  }

  public init(directory: URL, lease: Double) {
    self.directory = directory
    self.lease = lease
    owner = Owner.this(token: String(UInt64.random(in: 0...UInt64.max), radix: 16)).text
  }

  public func leasePath(_ hash: String) -> String { directory.appendingPathComponent("\(hash).lease").path }

  /// Leases `hash`, taking over a stale lease.
  public func lease(_ hash: String) throws -> Outcome {
    let path = leasePath(hash)
    for _ in 0..<3 {
      if try AtomicFile.write(owner + "\n", to: path, ifAbsent: true) == .written {
        hold(hash)
        return .leased
      }
      guard let current = LeaseBook.read(path) else { continue }  // released meanwhile: try again
      guard isStale(current, path: path) else { return .heldElsewhere(owner: current.owner) }
      if try takeOver(hash, from: current) { return .leased }
    }
    return .heldElsewhere(owner: LeaseBook.read(leasePath(hash))?.owner ?? "another runner")
  }

  /// Whether this runner still holds `hash` (false once another runner took it over).
  public func holds(_ hash: String) -> Bool { LeaseBook.read(leasePath(hash))?.owner == owner }

  /// Gives the lease up (after the result is stored, or when training failed).
  public func release(_ hash: String) {
    lock.lock()
    held.remove(hash)
    lock.unlock()
    if holds(hash) { unlink(leasePath(hash)) }
  }

  /// Removes a stale lease on `hash`, if there is one.
  public func removeIfStale(_ hash: String) {
    let path = leasePath(hash)
    if let c = LeaseBook.read(path), c.owner != owner, isStale(c, path: path) { unlink(path) }
  }

  /// Removes every stale lease on a run whose result file is in the folder.
  public func removeStaleLeasesOfStoredResults() {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    for name in names where name.hasSuffix(".lease") {
      let hash = String(name.dropLast(".lease".count))
      if FileManager.default.fileExists(atPath: directory.appendingPathComponent("\(hash).json").path) { removeIfStale(hash) }
    }
  }

  /// Refreshes every held lease each quarter lease, on a thread of its own, until `stop`.
  public func startHeartbeat() {
    let t = Thread { [weak self] in
      while let self, !self.isStopped {
        Thread.sleep(forTimeInterval: max(0.05, self.lease / 4))
        self.refresh()
      }
    }
    t.name = "repro-leases"
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

  /// Touches every held lease that is still ours.
  public func refresh() {
    lock.lock()
    let hashes = held
    lock.unlock()
    for h in hashes where holds(h) { utimes(leasePath(h), nil) }
  }

  private func hold(_ hash: String) {
    lock.lock()
    held.insert(hash)
    lock.unlock()
  }

  // MARK: staleness and takeover

  struct Lease: Equatable {
    var owner: String
    var modified: timespec

    static func == (a: Lease, b: Lease) -> Bool {
      a.owner == b.owner && a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec
    }
  }

  static func read(_ path: String) -> Lease? {
    var st = stat()
    guard stat(path, &st) == 0, let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
    return Lease(owner: text.trimmingCharacters(in: .whitespacesAndNewlines), modified: st.st_mtim)
  }

  func isStale(_ c: Lease, path: String) -> Bool {
    let theirs = Owner(c.owner), mine = Owner(owner)
    // An earlier attempt of this same Slurm array task: dead, since this attempt runs.
    if let t = theirs.slurmAttempt, let m = mine.slurmAttempt, t.task == m.task, t.attempt < m.attempt { return true }
    if theirs.sharesProcessesWith(mine), let pid = theirs.pid {
      // A process this runner can see: stale exactly when it is gone (or its pid was reused).
      guard kill(pid, 0) == 0 || errno == EPERM else { return true }
      return LeaseBook.processStart(pid).map { String($0) != theirs["start"] } ?? false
    }
    guard let now = folderNow() else { return false }
    let age = Double(now.tv_sec - c.modified.tv_sec) + Double(now.tv_nsec - c.modified.tv_nsec) / 1e9
    if age > lease { return true }
    guard age < -1 else { return false }
    // Dated in the future (a clock ahead, a copied folder): stale once unchanged for a lease of ours.
    let clock = LeaseBook.monotonicNow()
    lock.lock()
    defer { lock.unlock() }
    if let seen = firstSeen[path], seen.lease == c { return clock - seen.at > lease }
    firstSeen[path] = (c, clock)
    return false
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

  static func monotonicNow() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
  }

  /// Replaces the stale lease `seen` on `hash` by ours, unless it changed meanwhile.
  private func takeOver(_ hash: String, from seen: Lease) throws -> Bool {
    let guardPath = directory.appendingPathComponent("\(hash).takeover").path
    if try AtomicFile.write(owner + "\n", to: guardPath, ifAbsent: true) != .written {
      // Another runner is taking it over, or died doing so (a takeover takes milliseconds).
      if let g = LeaseBook.read(guardPath), isStale(g, path: guardPath) { unlink(guardPath) }
      return false
    }
    defer { unlink(guardPath) }
    guard let now = LeaseBook.read(leasePath(hash)), now == seen else { return false }
    try AtomicFile.write(owner + "\n", to: leasePath(hash))
    hold(hash)
    return true
  }

  // MARK: identity

  /// A lease's owner: `key=value` fields separated by spaces.
  struct Owner {
    var fields: [String: String]

    init(_ text: String) {
      var f: [String: String] = [:]
      for part in text.split(separator: " ") {
        guard let eq = part.firstIndex(of: "=") else { continue }
        f[String(part[..<eq])] = String(part[part.index(after: eq)...])
      }
      fields = f
    }

    subscript(key: String) -> String? { fields[key] }

    var pid: Int32? { self["pid"].flatMap { Int32($0) } }

    /// `owner=` text: host, boot id, PID namespace, pid, start time, token, Slurm attempt.
    static func this(token: String) -> Owner {
      let pid = getpid()
      var parts = ["host=\(hostName)", "boot=\(bootID)", "pidns=\(pidNamespace)", "pid=\(pid)",
                   "start=\(processStart(pid) ?? 0)", "token=\(token)"]
      if let s = LeaseBook.slurmAttempt { parts.append("slurm=\(s)") }
      return Owner(parts.joined(separator: " "))
    }

    var text: String {
      ["host", "boot", "pidns", "pid", "start", "token", "slurm"].compactMap { k in self[k].map { "\(k)=\($0)" } }
        .joined(separator: " ")
    }

    /// Whether this owner's processes are visible to `other`'s: the same kernel (boot id)
    /// and the same PID namespace. A host name alone is not enough: containers share it.
    func sharesProcessesWith(_ other: Owner) -> Bool {
      guard let b = self["boot"], let n = self["pidns"], b != "unknown", n != "unknown" else { return false }
      return b == other["boot"] && n == other["pidns"] && self["host"] == other["host"]
    }

    /// (array job and task, attempt) of the `slurm=` field.
    var slurmAttempt: (task: String, attempt: Int)? {
      guard let f = self["slurm"], let dot = f.lastIndex(of: "."), let n = Int(f[f.index(after: dot)...]) else { return nil }
      return (String(f[..<dot]), n)
    }

    /// "host h, pid 123" for messages.
    var short: String { "\(self["host"] ?? "?") pid \(self["pid"] ?? "?")" }
  }

  /// In a Slurm array task: `<array job>_<task>.<restart count>`. A requeued task
  /// knows that leases of its earlier attempts are dead, wherever they ran.
  static let slurmAttempt: String? = {
    let env = ProcessInfo.processInfo.environment
    guard let job = env["SLURM_ARRAY_JOB_ID"], let task = env["SLURM_ARRAY_TASK_ID"] else { return nil }
    return "\(job)_\(task).\(env["SLURM_RESTART_COUNT"] ?? "0")"
  }()

  static let hostName: String = {
    var buf = [CChar](repeating: 0, count: 256)
    gethostname(&buf, buf.count)
    let name = String(cString: buf).replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "=", with: "_")
    return name.isEmpty ? "localhost" : name
  }()

  /// The kernel's boot id: shared by every container of one boot of one machine.
  static let bootID: String = {
    let text = (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)) ?? ""
    let id = text.trimmingCharacters(in: .whitespacesAndNewlines)
    return id.isEmpty ? "unknown" : id
  }()

  /// This process's PID namespace (`pid:[4026531836]` as its inode): differs between containers.
  static let pidNamespace: String = {
    guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/pid"),
          let open = target.firstIndex(of: "["), let close = target.lastIndex(of: "]"), open < close else { return "unknown" }
    return String(target[target.index(after: open)..<close])
  }()

  /// A process's start time in clock ticks since boot (field 22 of /proc/PID/stat), to tell a reused pid.
  static func processStart(_ pid: Int32) -> UInt64? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = text.lastIndex(of: ")") else { return nil }
    let fields = text[text.index(after: close)...].split(separator: " ")
    return fields.count > 19 ? UInt64(fields[19]) : nil
  }
}
