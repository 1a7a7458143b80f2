import Algorithms
import Foundation
#if canImport(Glibc)
import Glibc
private let posixWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let posixWrite = Darwin.write
#endif

/// What a result file holds: the run's result, its hash, and the labels of the
/// manifest row that wrote it (informational: the hash is the identity).
public struct StoredRun: Codable, Sendable, Equatable {
  public var hash: String
  public var manifest: String
  public var algorithm: String
  public var preset: String
  public var result: RunResult

  public init(spec: RunSpec, result: RunResult) {
    hash = spec.hash
    manifest = spec.manifest
    algorithm = spec.algorithm
    preset = spec.preset.rawValue
    self.result = result
  }
}

/// The state of one run's file.
public enum StoredState: Sendable, Equatable {
  case missing
  case valid(StoredRun)
  /// Present but not usable (truncated, corrupt, or for other settings); it is rerun and replaced.
  case invalid(reason: String)
}

public struct StoreError: Error, CustomStringConvertible, Equatable {
  public var path: String
  public var message: String
  public var description: String { "\(path): \(message)" }
}

/// Result files `<directory>/<hash>.json`, written atomically (temporary file in
/// the same folder, fsync, then link/rename, then fsync of the folder) and never
/// overwritten when a valid result is already there. A file that cannot be
/// decoded, or whose hash or settings do not match its name, is never read as a
/// result. Temporary files start with `.` and end in `.tmp`; they are ignored.
public struct ResultStore: Sendable {
  public let directory: URL

  public init(directory: URL) { self.directory = directory }

  /// `<root>/<manifest>/`, e.g. `results/table2/`.
  public init(root: URL, manifest: String) {
    self.directory = root.appendingPathComponent(manifest, isDirectory: true)
  }

  public func url(for hash: String) -> URL { directory.appendingPathComponent("\(hash).json") }

  // MARK: Encoding

  public static func encoder() -> JSONEncoder {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return e
  }

  public static func decoder() -> JSONDecoder {
    let d = JSONDecoder()
    d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return d
  }

  /// The exact bytes written for a run: sorted-key JSON and a final newline.
  public static func encode(_ stored: StoredRun) throws -> Data {
    var d = try encoder().encode(stored)
    d.append(0x0A)
    return d
  }

  // MARK: Reading

  /// Checks a file's bytes against the run it should hold.
  public static func validate(_ data: Data, for spec: RunSpec) -> StoredState {
    let stored: StoredRun
    do {
      stored = try decoder().decode(StoredRun.self, from: data)
    } catch {
      return .invalid(reason: data.isEmpty ? "empty file" : "not a readable result (truncated or corrupt)")
    }
    let r = stored.result
    guard r.formatVersion == RunResult.formatVersion else {
      return .invalid(reason: "format version \(r.formatVersion), expected \(RunResult.formatVersion)")
    }
    guard stored.hash == spec.hash else { return .invalid(reason: "holds hash \(stored.hash), not \(spec.hash)") }
    guard let recomputed = try? RunSpec.hash(config: r.config, seed: r.seed, task: r.task, formatVersion: r.formatVersion),
          recomputed == spec.hash else {
      return .invalid(reason: "its result's settings, seed or task do not match its hash")
    }
    guard r.config == spec.config, r.seed == spec.seed, r.task == spec.task.rawValue else {
      return .invalid(reason: "its result is for other settings")
    }
    return .valid(stored)
  }

  public func state(of spec: RunSpec) -> StoredState {
    let url = url(for: spec.hash)
    guard FileManager.default.fileExists(atPath: url.path) else { return .missing }
    guard let data = try? Data(contentsOf: url) else { return .invalid(reason: "cannot be read") }
    return ResultStore.validate(data, for: spec)
  }

  /// The run's result when a valid file holds it.
  public func load(_ spec: RunSpec) -> RunResult? {
    if case let .valid(s) = state(of: spec) { return s.result }
    return nil
  }

  /// The state of each run's file, in the order given (files are read in parallel).
  public func states(of specs: [RunSpec]) -> [StoredState] {
    let box = StatesBox(count: specs.count)
    DispatchQueue.concurrentPerform(iterations: specs.count) { i in
      box.set(i, state(of: specs[i]))
    }
    return box.values
  }

  /// Results for every run of an expansion that has a valid file, by hash, and
  /// the invalid files found (hash → reason).
  public func loadAll(_ expansion: Expansion) -> (results: [String: RunResult], invalid: [String: String]) {
    var results: [String: RunResult] = [:]
    var invalid: [String: String] = [:]
    let specs = expansion.uniqueSpecs
    for (spec, st) in zip(specs, states(of: specs)) {
      switch st {
      case .missing: break
      case let .valid(s): results[spec.hash] = s.result
      case let .invalid(reason): invalid[spec.hash] = reason
      }
    }
    return (results, invalid)
  }

  /// Removes temporary files (`.<hash>.json.*.tmp`) older than `age` seconds: left
  /// by a process killed while writing. A write takes milliseconds, so an old one
  /// is certainly abandoned; younger ones may belong to a runner still at work.
  /// Returns how many were removed.
  @discardableResult
  public func removeAbandonedTemporaryFiles(olderThan age: Double = 3600) -> Int {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return 0 }
    var removed = 0
    for name in names where name.hasPrefix(".") && name.hasSuffix(".tmp") {
      let path = directory.appendingPathComponent(name).path
      guard let attrs = try? FileManager.default.attributesOfItem(atPath: path),
            let modified = attrs[.modificationDate] as? Date,
            Date().timeIntervalSince(modified) > age else { continue }
      if unlink(path) == 0 { removed += 1 }
    }
    return removed
  }

  // MARK: Writing

  public enum WriteOutcome: Sendable, Equatable {
    case written
    /// An invalid file was there and has been replaced.
    case replacedInvalid(reason: String)
    /// A valid result was already there; it is kept and nothing was written.
    case keptExisting
  }

  /// Writes `result` as the run `spec`'s file, atomically. Refuses a result whose
  /// settings, seed or task are not the spec's. Keeps an existing valid file.
  @discardableResult
  public func write(_ result: RunResult, for spec: RunSpec) throws -> WriteOutcome {
    let final = url(for: spec.hash)
    guard result.config == spec.config, result.seed == spec.seed, result.task == spec.task.rawValue,
          result.formatVersion == RunResult.formatVersion else {
      throw StoreError(path: final.path, message: "refusing to store a result whose settings, seed, task or format version differ from its run \(spec.label)")
    }
    let data = try ResultStore.encode(StoredRun(spec: spec, result: result))
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)

    if case .valid = state(of: spec) { return .keptExisting }

    let tmp = directory.appendingPathComponent(".\(spec.hash).json.\(getpid()).\(String(UInt64.random(in: 0...UInt64.max), radix: 16)).tmp")
    try ResultStore.writeDurably(data, to: tmp.path)
    defer { unlink(tmp.path) }

    // link() fails if the name exists, so a valid file that appeared meanwhile is never replaced.
    if link(tmp.path, final.path) == 0 {
      ResultStore.syncDirectory(directory.path)
      return .written
    }
    let linkErr = errno
    if linkErr == EEXIST {
      let reason: String
      switch state(of: spec) {
      case .valid: return .keptExisting
      case let .invalid(r): reason = r
      case .missing: reason = "removed while writing"
      }
      guard rename(tmp.path, final.path) == 0 else {
        throw StoreError(path: final.path, message: "cannot rename the temporary file into place: \(String(cString: strerror(errno)))")
      }
      ResultStore.syncDirectory(directory.path)
      return .replacedInvalid(reason: reason)
    }
    // Filesystems without hard links: rename (the check above makes this safe unless two writers race).
    guard rename(tmp.path, final.path) == 0 else {
      throw StoreError(path: final.path, message: "cannot move the temporary file into place: \(String(cString: strerror(errno)))")
    }
    ResultStore.syncDirectory(directory.path)
    return .written
  }

  /// Creates `path` (which must not exist), writes all of `data`, fsyncs, closes.
  static func writeDurably(_ data: Data, to path: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
    guard fd >= 0 else { throw StoreError(path: path, message: "cannot create: \(String(cString: strerror(errno)))") }
    var ok = true
    var err: Int32 = 0
    data.withUnsafeBytes { (buf: UnsafeRawBufferPointer) in
      var off = 0
      while off < buf.count {
        let n = posixWrite(fd, buf.baseAddress! + off, buf.count - off)
        if n < 0 {
          if errno == EINTR { continue }
          ok = false
          err = errno
          return
        }
        off += n
      }
    }
    if ok && fsync(fd) != 0 { ok = false; err = errno }
    close(fd)
    if !ok {
      unlink(path)
      throw StoreError(path: path, message: "cannot write: \(String(cString: strerror(err)))")
    }
  }

  static func syncDirectory(_ path: String) {
    let fd = open(path, O_RDONLY)
    if fd >= 0 {
      _ = fsync(fd)
      close(fd)
    }
  }
}

/// Collects per-index results from concurrent readers.
private final class StatesBox: @unchecked Sendable {
  private let lock = NSLock()
  private var items: [StoredState]
  init(count: Int) { items = Array(repeating: .missing, count: count) }
  func set(_ i: Int, _ s: StoredState) {
    lock.lock()
    items[i] = s
    lock.unlock()
  }
  var values: [StoredState] {
    lock.lock()
    defer { lock.unlock() }
    return items
  }
}
