import Foundation
import Manifests
import RunModel

/// The machine and commit a run was trained on (informational, outside the checksum).
public struct TrainedBy: Sendable, Equatable {
  /// `git rev-parse --short HEAD` (+ "-dirty") of the tree that trained it.
  public var commit: String
  /// CPU model, cores, system.
  public var machine: String
  public init(commit: String, machine: String) {
    self.commit = commit
    self.machine = machine
  }
  package var json: JSONValue { .object([("commit", .string(commit)), ("machine", .string(machine))]) }
  package init?(json: JSONValue?) {
    guard let c = json?["commit"]?.stringValue, let m = json?["machine"]?.stringValue else { return nil }
    self.init(commit: c, machine: m)
  }
}

/// Who asked for a run first: the manifest, its row and the preset. Informational
/// only (the hash is the identity); not covered by the checksum.
public struct RunLabels: Sendable, Equatable {
  public var manifest: String
  public var algorithm: String
  public var preset: String
  public init(manifest: String, algorithm: String, preset: String) {
    self.manifest = manifest
    self.algorithm = algorithm
    self.preset = preset
  }
  public init(_ spec: RunSpec) {
    self.init(manifest: spec.manifest, algorithm: spec.algorithm, preset: spec.preset.rawValue)
  }
  var json: JSONValue {
    .object([("algorithm", .string(algorithm)), ("manifest", .string(manifest)), ("preset", .string(preset))])
  }
}

/// What a result file holds: the run's result, its hash and labels.
public struct StoredRun: Sendable, Equatable {
  public var hash: String
  public var labels: RunLabels
  public var result: RunResult
  /// Where it was trained, when the file says (informational, outside the checksum).
  public var trainedBy: TrainedBy?
  /// Read from a file written before run identity version 2 (see `ResultFile.legacy`).
  public var legacy: Bool = false

  public init(spec: RunSpec, result: RunResult, trainedBy: TrainedBy? = nil) {
    hash = spec.hash
    labels = RunLabels(spec)
    self.result = result
    self.trainedBy = trainedBy
  }

  init(hash: String, labels: RunLabels, result: RunResult, trainedBy: TrainedBy? = nil, legacy: Bool) {
    self.hash = hash
    self.labels = labels
    self.result = result
    self.trainedBy = trainedBy
    self.legacy = legacy
  }
}

/// The bytes of a result file, and how they are checked.
///
/// Format 2, one line of canonical JSON (sorted keys, no spaces) and a newline:
///
///     {"checksum": sha256 of the canonical {"content", "identity"},
///      "content": {"diverged", "iterations", "totalSteps"},   deterministic
///      "format": "repro-result-2",
///      "hash": the identity's hash (also the file name),
///      "identity": {"identity": 2, "seed", "settings", "task"},
///      "labels": {"algorithm", "manifest", "preset"},           informational
///      "timing": {"cpuSeconds", "iterationSeconds", "wallSeconds"},  measured
///      "trainedBy": {"commit", "machine"}}                      informational, optional
///
/// The checksum makes an edit of the deterministic content (one digit of a
/// return, say) detectable; labels and timing are outside it, so "identical
/// results" means identical `content` and `identity` bytes.
public enum ResultFile {
  public static let format = "repro-result-2"

  /// The checksum of a result's deterministic part.
  static func checksum(content: JSONValue, identity: JSONValue) -> String {
    SHA256.hex(JSONValue.object([("content", content), ("identity", identity)]).canonical)
  }

  /// The exact bytes written for a run.
  public static func encode(_ stored: StoredRun) -> Data {
    let content = stored.result.contentJSON
    let identity = stored.result.identity.json
    let timing = (try? JSONValue.encoding(stored.result.timing)) ?? .null
    let file: JSONValue = .object([
      ("checksum", .string(checksum(content: content, identity: identity))),
      ("content", content),
      ("format", .string(format)),
      ("hash", .string(stored.hash)),
      ("identity", identity),
      ("labels", stored.labels.json),
      ("timing", timing),
    ] + (stored.trainedBy.map { [("trainedBy", $0.json)] } ?? []))
    return Data((file.canonical + "\n").utf8)
  }

  /// Reads a result file's bytes; `expectedHash` is the hash its name promises.
  /// Files written before identity version 2 are read too (`legacy`).
  public static func decode(_ data: Data, expectedHash: String? = nil) -> Result<StoredRun, ResultFileProblem> {
    guard !data.isEmpty else { return .failure(.init("empty file")) }
    guard let json = try? JSONParser.parse(data), case .object = json else {
      return .failure(.init("not a readable result (truncated or corrupt)"))
    }
    if json["format"] == nil, case .object? = json["result"] { return legacy(json, expectedHash: expectedHash) }
    guard json["format"]?.stringValue == format else {
      return .failure(.init("unknown result format \(json["format"].map { $0.canonical } ?? "(none)"), expected \"\(format)\""))
    }
    guard let hash = json["hash"]?.stringValue, let identityJSON = json["identity"], let content = json["content"],
          let checksum = json["checksum"]?.stringValue else {
      return .failure(.init("a field is missing (hash, identity, content or checksum)"))
    }
    let identity: RunIdentity
    do {
      identity = try RunIdentity(json: identityJSON)
    } catch {
      return .failure(.init("\(error)"))
    }
    if let expected = expectedHash, hash != expected {
      return .failure(.init("holds hash \(hash), not \(expected)"))
    }
    guard identity.hash == hash else { return .failure(.init("its result's settings, seed or task do not match its hash")) }
    guard checksum == self.checksum(content: content, identity: identityJSON) else {
      return .failure(.init("checksum mismatch: the file's content was changed after it was written"))
    }
    let result: RunResult
    do {
      result = try RunResult(identity: identity, content: content, timing: json["timing"])
    } catch {
      return .failure(.init("unreadable content: \(error)"))
    }
    guard result.identity.hash == hash else {
      return .failure(.init("its settings are not in their canonical form"))
    }
    let labels = json["labels"]
    return .success(StoredRun(
      hash: hash,
      labels: RunLabels(manifest: labels?["manifest"]?.stringValue ?? "", algorithm: labels?["algorithm"]?.stringValue ?? "",
                        preset: labels?["preset"]?.stringValue ?? ""),
      result: result, trainedBy: TrainedBy(json: json["trainedBy"]), legacy: false))
  }

  /// A file of format 1 (before identity version 2): `{"algorithm", "hash",
  /// "manifest", "preset", "result": {"config", "formatVersion": 1, "iterations",
  /// "seed", "task", ...}}`, named by the hash of its whole config, score
  /// settings included. Checked against that hash, then read as a result whose
  /// identity is computed the current way (`StoredRun.hash` is the new hash).
  static func legacy(_ json: JSONValue, expectedHash: String?) -> Result<StoredRun, ResultFileProblem> {
    guard let r = json["result"], r["formatVersion"]?.numberValue == 1, let config = r["config"],
          case let .object(members) = config, let task = r["task"]?.stringValue,
          case let .number(_, seed)? = r["seed"], seed >= 0, seed == seed.rounded(),
          let oldHash = json["hash"]?.stringValue else {
      return .failure(.init("not a readable result (unknown layout)"))
    }
    let identity1: JSONValue = .object([
      ("config", config), ("formatVersion", .int(1)), ("seed", .number(text: String(UInt64(seed)), value: seed)),
      ("task", .string(task)),
    ])
    guard SHA256.hex(identity1.canonical) == oldHash, expectedHash.map({ $0 == oldHash }) ?? true else {
      return .failure(.init("a format-1 result whose settings, seed or task do not match its hash"))
    }
    var c = TrainerConfig()
    let given = Set(members.map(\.key))
    do {
      for m in members where m.key != "scoreMethod" && m.key != "scoreIterations" { try c.set(m.key, json: m.value) }
      // Format 1 left out the optional numbers that were off; the settings added since
      // keep their neutral values (which reproduce the behaviour of format 1).
      for key in formatOneSettings where !given.contains(key) {
        guard Settings.definition(key)?.type == .optionalNumber else { throw ConfigError(key: key, message: "missing") }
        try c.set(key, json: .null)
      }
    } catch {
      return .failure(.init("a format-1 result with settings this version cannot read: \(error)"))
    }
    var result = RunResult(task: task, seed: UInt64(seed), config: c)
    do {
      let decoder = JSONValue.decoder()
      guard case let .array(items)? = r["iterations"] else { throw ResultDecodingError("no iterations") }
      result.iterations = try items.map { try decoder.decode(IterationMetrics.self, from: Data($0.canonical.utf8)) }
      if let d = r["diverged"], d != .null {
        result.diverged = try decoder.decode(Divergence.self, from: Data(d.canonical.utf8))
      }
      result.totalSteps = Int(r["totalSteps"]?.numberValue ?? 0)
      result.timing.wallSeconds = r["wallSeconds"]?.numberValue ?? 0
    } catch {
      return .failure(.init("a format-1 result with unreadable metrics: \(error)"))
    }
    let labels = RunLabels(manifest: json["manifest"]?.stringValue ?? "", algorithm: json["algorithm"]?.stringValue ?? "",
                           preset: json["preset"]?.stringValue ?? "")
    return .success(StoredRun(hash: result.identity.hash, labels: labels, result: result, legacy: true))
  }
}

/// The settings a format-1 result's config lists (all of TrainerConfig at identity version 1).
let formatOneSettings = [
  "algorithm", "iterations", "stepsPerIteration", "resetEachIteration", "gamma", "gaeLambda", "policyLR", "valueLR",
  "adamEpsilon", "clipEpsilon", "entropyCoefficient", "policyEpochs", "valueEpochs", "minibatches",
  "advantageNormalization", "hiddenSizes", "valueLossMaskEpisodeEnds", "clipActions", "valueClipping",
  "rewardNormalization", "initialization", "learningRateAnnealing", "rewardClip", "observationNormalization",
  "observationClip", "activation", "gradientClip", "klBound", "klBoundFinal", "fisherFraction", "cgIterations",
  "cgDamping", "lineSearchSteps", "lineSearchAcceptRatio", "diagnosticsEvery",
]

/// Why a result file cannot be used.
public struct ResultFileProblem: Error, Equatable, Sendable, CustomStringConvertible {
  public var reason: String
  public init(_ reason: String) { self.reason = reason }
  public var description: String { reason }
}

/// The state of one run's file.
public enum StoredState: Sendable, Equatable {
  case missing
  case valid(StoredRun)
  /// Present but not usable (truncated, corrupt, edited, or for another run); it is rerun and replaced.
  case invalid(reason: String)
}

public struct StoreError: Error, CustomStringConvertible, Equatable {
  public var path: String
  public var message: String
  public var description: String { "\(path): \(message)" }
}

/// Result files `<directory>/<hash>.json` (`ResultFile`), written atomically
/// (`AtomicFile`) and never overwritten when a valid result is already there.
/// A file that cannot be decoded, whose checksum or hash does not match, or that
/// holds another run is never read as a result. Files of format 1 (named by
/// their old hash) are found by content and used as the runs they are.
public final class ResultStore: @unchecked Sendable {
  public let directory: URL
  private let lock = NSLock()
  /// New hash → file name of format-1 results in the folder (built on first need).
  private var legacyIndex: [String: String]? = nil

  /// Written into every result this store writes (the CLI sets it).
  public var trainedBy: TrainedBy?

  public init(directory: URL, trainedBy: TrainedBy? = nil) {
    self.directory = directory
    self.trainedBy = trainedBy
  }

  /// `<root>/<manifest>/`, e.g. `results/table2/`.
  public convenience init(root: URL, manifest: String, trainedBy: TrainedBy? = nil) {
    self.init(directory: root.appendingPathComponent(manifest, isDirectory: true), trainedBy: trainedBy)
  }

  public func url(for hash: String) -> URL { directory.appendingPathComponent("\(hash).json") }

  /// What is wrong with a folder where a result file belongs, and the fix.
  static func notAFile(_ path: String) -> String {
    "is a folder, not a result file, so the run's result cannot be stored there; remove it (rm -r '\(path)') and run again"
  }

  // MARK: Reading

  /// Checks a file's bytes against the run it should hold.
  public static func validate(_ data: Data, for spec: RunSpec) -> StoredState {
    switch ResultFile.decode(data, expectedHash: spec.hash) {
    case .success(let stored):
      return stored.result.config == spec.config && stored.result.seed == spec.seed
        && stored.result.task == spec.task.rawValue ? .valid(stored) : .invalid(reason: "its result is for other settings")
    case .failure(let p):
      return .invalid(reason: p.reason)
    }
  }

  public func state(of spec: RunSpec) -> StoredState {
    let url = url(for: spec.hash)
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else { return legacyState(of: spec) }
    if isFolder.boolValue { return .invalid(reason: ResultStore.notAFile(url.path)) }
    guard let data = try? Data(contentsOf: url) else { return .invalid(reason: "cannot be read") }
    return ResultStore.validate(data, for: spec)
  }

  /// A format-1 file holding `spec`'s run, if the folder has one.
  private func legacyState(of spec: RunSpec) -> StoredState {
    guard let name = legacyFiles()[spec.hash],
          let data = try? Data(contentsOf: directory.appendingPathComponent(name)) else { return .missing }
    if case let .success(stored) = ResultFile.decode(data, expectedHash: String(name.dropLast(5))), stored.legacy,
       stored.hash == spec.hash,
       stored.result.config == spec.config {
      return .valid(stored)
    }
    return .missing
  }

  private func legacyFiles() -> [String: String] {
    lock.lock()
    defer { lock.unlock() }
    if let index = legacyIndex { return index }
    var index: [String: String] = [:]
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    for name in names.sorted() where name.count == 69 && name.hasSuffix(".json") {
      let url = directory.appendingPathComponent(name)
      // Format 2 files start with {"checksum": skip them without reading them whole.
      guard let handle = try? FileHandle(forReadingFrom: url) else { continue }
      let head = (try? handle.read(upToCount: 12)) ?? Data()
      try? handle.close()
      guard head != Data("{\"checksum\":".utf8), let data = try? Data(contentsOf: url),
            case let .success(stored) = ResultFile.decode(data, expectedHash: String(name.dropLast(5))),
            stored.legacy else { continue }
      if index[stored.hash] == nil { index[stored.hash] = name }
    }
    legacyIndex = index
    return index
  }

  /// The run's result when a valid file holds it.
  public func load(_ spec: RunSpec) -> RunResult? {
    if case let .valid(s) = state(of: spec) { return s.result }
    return nil
  }

  /// The state of each run's file, in the order given (files are read in parallel).
  public func states(of specs: [RunSpec]) -> [StoredState] {
    _ = legacyFiles()
    return WorkerPool.map(specs, jobs: ProcessInfo.processInfo.activeProcessorCount) { self.state(of: $0) }
  }

  /// Results for every run of an expansion that has a valid file, by hash, and
  /// the invalid files found (hash → reason).
  public func loadAll(_ expansion: Expansion) -> (results: [String: RunResult], invalid: [String: String]) {
    let loaded = loadStored(expansion)
    return (loaded.runs.mapValues(\.result), loaded.invalid)
  }

  /// As `loadAll`, with each file's labels and machine.
  public func loadStored(_ expansion: Expansion) -> (runs: [String: StoredRun], invalid: [String: String]) {
    var runs: [String: StoredRun] = [:]
    var invalid: [String: String] = [:]
    let specs = expansion.uniqueSpecs
    for (spec, st) in zip(specs, states(of: specs)) {
      switch st {
      case .missing: break
      case let .valid(s): runs[spec.hash] = s
      case let .invalid(reason): invalid[spec.hash] = reason
      }
    }
    return (runs, invalid)
  }

  /// Copies into this folder the result of `spec` that a sibling folder (another
  /// manifest's, under the same results root) already holds: run identity leaves
  /// the manifest out, so a run shared by two manifests (Table 3's PPO is Table 2's)
  /// is trained once. Returns the sibling's name, or nil when none has it.
  public func adoptFromSiblings(_ spec: RunSpec, siblings: [URL]) -> String? {
    for dir in siblings where dir.standardizedFileURL != directory.standardizedFileURL {
      let source = dir.appendingPathComponent("\(spec.hash).json")
      guard let data = try? Data(contentsOf: source), case .valid = ResultStore.validate(data, for: spec) else { continue }
      do {
        try AtomicFile.write(data, to: url(for: spec.hash).path, ifAbsent: true)
        return dir.lastPathComponent
      } catch {
        return nil
      }
    }
    return nil
  }

  /// The other manifests' folders under this folder's parent (the results root).
  public var siblingFolders: [URL] {
    let root = directory.deletingLastPathComponent()
    let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
    return names.sorted().map { root.appendingPathComponent($0, isDirectory: true) }.filter { url in
      var isFolder: ObjCBool = false
      return url.lastPathComponent != directory.lastPathComponent
        && FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) && isFolder.boolValue
    }
  }

  /// Removes temporary files older than `age` seconds (see `AtomicFile.removeAbandonedTemporaryFiles`).
  @discardableResult
  public func removeAbandonedTemporaryFiles(olderThan age: Double = 3600) -> Int {
    AtomicFile.removeAbandonedTemporaryFiles(in: directory.path, olderThan: age)
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
    guard result.config == spec.config, result.seed == spec.seed, result.task == spec.task.rawValue else {
      throw StoreError(path: final.path, message: "refusing to store a result whose settings, seed or task differ from its run \(spec.label)")
    }
    let data = ResultFile.encode(StoredRun(spec: spec, result: result, trainedBy: trainedBy))
    if case .valid = state(of: spec) { return .keptExisting }
    do {
      if try AtomicFile.write(data, to: final.path, ifAbsent: true) == .written { return .written }
      // A file is there: keep it if valid (another runner finished meanwhile), else replace it.
      switch state(of: spec) {
      case .valid: return .keptExisting
      case let .invalid(reason):
        try AtomicFile.write(data, to: final.path)
        return .replacedInvalid(reason: reason)
      case .missing:
        try AtomicFile.write(data, to: final.path)
        return .written
      }
    } catch let e as AtomicFile.WriteError {
      throw StoreError(path: e.path, message: e.reason)
    }
  }
}

extension StoredRun {
  /// A result outside any manifest (`repro train --out`), under its identity's hash.
  public init(result: RunResult, labels: RunLabels) {
    self.init(hash: result.identity.hash, labels: labels, result: result, legacy: false)
  }
}
