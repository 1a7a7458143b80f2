import Foundation
import Reports
import Manifests
import Running
import RunModel

/// One run as the results archive keeps it, and as every report reads it: the
/// score under the manifest's definition (exact), the divergence, learning curves
/// (block means, 5 significant digits), the budget actually run, timing, and who
/// trained it. Reports are built from these records whether the runs come from
/// a results folder or from an archive, so both give the same bytes.
public struct ArchivedRun: Sendable, Equatable {
  public var hash: String
  /// SHA-256 of the run's canonical non-neutral settings.
  public var settingsHash: String
  public var task: TaskID
  public var seed: UInt64
  /// The manifest row and preset that asked for it.
  public var algorithm: String
  public var preset: String
  public var kind: AlgorithmKind
  /// The manifest's score of the run's returns, divergence aside (nil: no episode in the scored iterations).
  public var score: Double?
  public var diverged: Divergence?
  /// Iterations recorded, and environment steps trained.
  public var iterations: Int
  public var totalSteps: Int
  public var curves: Curves
  public var timing: RunTiming
  public var trainedBy: TrainedBy?
  /// The custom model file the run trained on (its hash is in the run's identity); nil: the task's
  /// pinned model. Stored only when set, so records of pinned-model runs keep their bytes.
  public var model: ModelIdentity? = nil

  /// Per-iteration series in blocks of `every` iterations (the last may be shorter):
  /// each value the mean of the block's finite values (nil when none), rounded to
  /// 5 significant digits.
  public struct Curves: Sendable, Equatable {
    public var every: Int
    public var meanReturn: [Double?]
    public var meanKL: [Double?]
    public var maxRatio: [Double?]
    /// The trust-region diagnostics (paper, Figures 2–4) at the iterations that
    /// recorded them (`diagnosticsEvery`), 5 significant digits; nil when none did.
    public var diagnostics: Diagnostics? = nil
  }

  /// Trust-region diagnostics on the training batch and on a held-out rollout,
  /// at `iterations` (0-based).
  public struct Diagnostics: Sendable, Equatable {
    public var iterations: [Int]
    public var train: Stats
    public var heldOut: Stats
    public struct Stats: Sendable, Equatable {
      public var meanKL: [Double?]
      public var maxKL: [Double?]
      public var maxRatio: [Double?]
    }
  }

  /// Most points a curve keeps.
  public static let curvePoints = 128

  /// The record of `result`, run `spec` of a manifest scored by `score`.
  public init(spec: RunSpec, result: RunResult, score definition: ScoreDefinition, trainedBy: TrainedBy? = nil) {
    hash = spec.hash
    settingsHash = SHA256.hex(result.config.nonNeutralSettings.canonical)
    task = spec.task
    seed = spec.seed
    algorithm = spec.algorithm
    preset = spec.preset.rawValue
    kind = result.config.algorithm
    score = definition.score(ofIterations: result.iterations)
    diverged = result.diverged
    iterations = result.iterations.count
    totalSteps = result.totalSteps
    let n = result.iterations.count
    let every = max(1, (n + Self.curvePoints - 1) / Self.curvePoints)
    func blocks(_ value: (IterationMetrics) -> Double?) -> [Double?] {
      stride(from: 0, to: n, by: every).map { start in
        let xs = result.iterations[start..<min(start + every, n)].compactMap(value).filter(\.isFinite)
        guard !xs.isEmpty else { return nil }
        return ArchivedRun.rounded(xs.reduce(0, +) / Double(xs.count))
      }
    }
    curves = Curves(every: every, meanReturn: blocks(\.meanReturn), meanKL: blocks { $0.meanKL }, maxRatio: blocks { $0.maxRatio })
    let recorded = result.iterations.filter { $0.trainDiagnostics != nil || $0.heldOutDiagnostics != nil }
    if !recorded.isEmpty {
      func stats(_ pick: (IterationMetrics) -> TrustRegionStats?) -> Diagnostics.Stats {
        func values(_ f: (TrustRegionStats) -> Double) -> [Double?] { recorded.map { pick($0).flatMap { ArchivedRun.rounded(f($0)) } } }
        return .init(meanKL: values(\.meanKL), maxKL: values(\.maxKL), maxRatio: values(\.maxRatio))
      }
      curves.diagnostics = Diagnostics(iterations: recorded.map(\.iteration), train: stats(\.trainDiagnostics),
                                       heldOut: stats(\.heldOutDiagnostics))
    }
    timing = RunTiming(wallSeconds: result.timing.wallSeconds, cpuSeconds: result.timing.cpuSeconds)
    self.trainedBy = trainedBy
    model = spec.model ?? result.model
  }

  /// `x` to 5 significant digits (the shortest text of that value is what is stored).
  static func rounded(_ x: Double) -> Double? {
    let r = Double(String(format: "%.5g", x)) ?? x
    return r.isFinite ? r : nil
  }

  /// Whether it was scored: finished without divergence and with a finite score.
  public var finishedScore: Double? {
    guard diverged == nil, let s = score, s.isFinite else { return nil }
    return s
  }

  // MARK: JSON

  /// The deterministic part (two archives disagree on a run when these differ).
  var contentJSON: JSONValue {
    func series(_ xs: [Double?]) -> JSONValue { .array(xs.map { $0.map(JSONValue.double) ?? .null }) }
    func stats(_ s: Diagnostics.Stats) -> JSONValue {
      .object([("maxKL", series(s.maxKL)), ("maxRatio", series(s.maxRatio)), ("meanKL", series(s.meanKL))])
    }
    var curveMembers: [(key: String, value: JSONValue)] = []
    let modelMember: [(key: String, value: JSONValue)] = model.map { [("model", $0.json)] } ?? []
    if let d = curves.diagnostics {
      curveMembers.append(("diagnostics", .object([("heldOut", stats(d.heldOut)), ("iterations", .array(d.iterations.map(JSONValue.int))),
                                                   ("train", stats(d.train))])))
    }
    curveMembers += [("every", .int(curves.every)), ("maxRatio", series(curves.maxRatio)),
                     ("meanKL", series(curves.meanKL)), ("meanReturn", series(curves.meanReturn))]
    return .object([
      ("algorithm", .string(algorithm)),
      ("curves", .object(curveMembers)),
      ("diverged", diverged.map { .object([("iteration", .int($0.iteration)), ("reason", .string($0.reason))]) } ?? .null),
      ("hash", .string(hash)),
      ("iterations", .int(iterations)),
      ("kind", .string(kind.rawValue)),
    ] + modelMember + [
      ("preset", .string(preset)),
      ("score", score.map(JSONValue.double) ?? .null),
      ("seed", .number(text: String(seed), value: Double(seed))),
      ("settingsHash", .string(settingsHash)),
      ("task", .string(task.rawValue)),
      ("totalSteps", .int(totalSteps)),
    ])
  }

  var json: JSONValue {
    guard case var .object(members) = contentJSON else { return contentJSON }
    var timingMembers: [(key: String, value: JSONValue)] = []
    if let c = timing.cpuSeconds { timingMembers.append(("cpuSeconds", .double(c))) }
    timingMembers.append(("wallSeconds", .double(timing.wallSeconds)))
    members.append(("timing", .object(timingMembers)))
    members.append(("trainedBy", trainedBy?.json ?? .null))
    return .object(members.sorted { $0.key < $1.key })
  }

  /// The line as the archive stores it: `json` plus `sha256`, the SHA-256 of `json`'s
  /// canonical text, so that an edit to any field of a line (a score digit, a seed,
  /// another run's line put under this hash) is caught when it is read.
  var checkedJSON: JSONValue {
    guard case var .object(members) = json else { return json }
    members.append(("sha256", .string(SHA256.hex(json.canonical))))
    return .object(members.sorted { $0.key < $1.key })
  }

  /// Reads a stored line and checks its `sha256`.
  init(checkedJSON line: JSONValue) throws {
    guard let claimed = line["sha256"]?.stringValue else {
      throw ArchiveError("the line carries no sha256 checksum of its content")
    }
    try self.init(json: line)
    let actual = SHA256.hex(json.canonical)
    guard actual == claimed else {
      throw ArchiveError("run \(hash): the line's content does not match its sha256 checksum (\(claimed.prefix(12))…, "
        + "content gives \(actual.prefix(12))…): the line was edited or damaged")
    }
  }

  init(json: JSONValue) throws {
    func string(_ key: String) throws -> String {
      guard let s = json[key]?.stringValue else { throw ArchiveError("'\(key)' is missing or not a string") }
      return s
    }
    func int(_ key: String) throws -> Int {
      guard let v = json[key]?.numberValue, v == v.rounded(), v >= 0, v < 1e15 else { throw ArchiveError("'\(key)' is not a whole number") }
      return Int(v)
    }
    func series(_ key: String, in node: JSONValue? = json["curves"], at path: String = "curves") throws -> [Double?] {
      guard case let .array(items)? = node?[key] else { throw ArchiveError("\(path).\(key) is missing") }
      return try items.map { item in
        if item == .null { return nil }
        guard let v = item.numberValue else { throw ArchiveError("\(path).\(key) holds a non-number") }
        return v
      }
    }
    func stats(_ key: String) throws -> Diagnostics.Stats {
      let node = json["curves"]?["diagnostics"]?[key], path = "curves.diagnostics.\(key)"
      return .init(meanKL: try series("meanKL", in: node, at: path), maxKL: try series("maxKL", in: node, at: path),
                   maxRatio: try series("maxRatio", in: node, at: path))
    }
    hash = try string("hash")
    settingsHash = try string("settingsHash")
    let name = try string("task")
    guard let t = TaskRegistry.row(name)?.id else { throw ArchiveError("unknown task '\(name)'") }
    task = t
    seed = UInt64(try int("seed"))
    algorithm = try string("algorithm")
    preset = try string("preset")
    guard let k = AlgorithmKind(rawValue: try string("kind")) else { throw ArchiveError("unknown kind") }
    kind = k
    if let s = json["score"], s != .null {
      guard let v = s.numberValue else { throw ArchiveError("'score' is not a number") }
      score = v
    } else {
      score = nil
    }
    if let d = json["diverged"], d != .null {
      guard let i = d["iteration"]?.numberValue, let r = d["reason"]?.stringValue else { throw ArchiveError("'diverged' is malformed") }
      diverged = Divergence(iteration: Int(i), reason: r)
    } else {
      diverged = nil
    }
    iterations = try int("iterations")
    totalSteps = try int("totalSteps")
    guard let every = json["curves"]?["every"]?.numberValue, every >= 1 else { throw ArchiveError("curves.every is missing") }
    curves = Curves(every: Int(every), meanReturn: try series("meanReturn"), meanKL: try series("meanKL"),
                    maxRatio: try series("maxRatio"))
    if let d = json["curves"]?["diagnostics"], d != .null {
      guard case let .array(items)? = d["iterations"] else { throw ArchiveError("curves.diagnostics.iterations is missing") }
      let its = try items.map { item -> Int in
        guard let v = item.numberValue, v == v.rounded(), v >= 0, v < 1e9 else { throw ArchiveError("curves.diagnostics.iterations holds a non-integer") }
        return Int(v)
      }
      let d = Diagnostics(iterations: its, train: try stats("train"), heldOut: try stats("heldOut"))
      for s in [d.train, d.heldOut] where [s.meanKL.count, s.maxKL.count, s.maxRatio.count] != [its.count, its.count, its.count] {
        throw ArchiveError("curves.diagnostics: series and iterations differ in length")
      }
      curves.diagnostics = d
    }
    timing = RunTiming(wallSeconds: json["timing"]?["wallSeconds"]?.numberValue ?? 0,
                       cpuSeconds: json["timing"]?["cpuSeconds"]?.numberValue)
    trainedBy = TrainedBy(json: json["trainedBy"])
    if let m = json["model"], m != .null {
      guard let file = m["file"]?.stringValue, let sha = m["sha256"]?.stringValue else { throw ArchiveError("'model' is malformed") }
      model = ModelIdentity(file: file, sha256: sha)
    }
  }
}

public struct ArchiveError: Error, CustomStringConvertible, Equatable {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// A manifest's runs at one scale, as `reports/archive/<manifest>-<scale>.jsonl`:
/// a header line, then one line per run in hash order, canonical JSON. The same
/// runs give the same bytes, so an archive's SHA-256 names its content.
public struct Archive: Sendable, Equatable {
  /// Each run line carries the SHA-256 of its content (`ArchivedRun.checkedJSON`).
  public static let format = "repro-archive-2"
  /// Archives written before line checksums: read only to upgrade them (`decode(_:file:upgrading:)`).
  public static let uncheckedFormat = "repro-archive-1"
  public var manifest: String
  public var scale: String
  public var score: ScoreDefinition
  /// By hash.
  public var runs: [String: ArchivedRun]

  public init(manifest: String, scale: String, score: ScoreDefinition, runs: [String: ArchivedRun]) {
    self.manifest = manifest
    self.scale = scale
    self.score = score
    self.runs = runs
  }

  /// The archive of `expansion`'s runs among `runs` (by hash).
  public init(expansion: Expansion, runs: [String: ArchivedRun]) {
    var kept: [String: ArchivedRun] = [:]
    for spec in expansion.uniqueSpecs { if let r = runs[spec.hash] { kept[spec.hash] = r } }
    self.init(manifest: expansion.manifest.name, scale: expansion.scale.name, score: expansion.manifest.score, runs: kept)
  }

  /// `<manifest>-<scale>.jsonl`, its name under reports/archive/.
  public var fileName: String { "\(manifest)-\(scale).jsonl" }

  /// The archive of `expansion`'s finished runs among `stored` (by hash).
  public init(expansion: Expansion, stored: [String: StoredRun]) {
    var runs: [String: ArchivedRun] = [:]
    for spec in expansion.uniqueSpecs {
      guard let s = stored[spec.hash] else { continue }
      runs[spec.hash] = ArchivedRun(spec: spec, result: s.result, score: expansion.manifest.score, trainedBy: s.trainedBy)
    }
    self.init(manifest: expansion.manifest.name, scale: expansion.scale.name, score: expansion.manifest.score, runs: runs)
  }

  var header: JSONValue {
    .object([
      ("format", .string(Self.format)), ("manifest", .string(manifest)), ("runs", .int(runs.count)),
      ("scale", .string(scale)),
      ("score", .object([(score.method == .lastEpisodes ? "episodes" : "iterations", .int(score.iterations)),
                         ("method", .string(score.method.rawValue))])),
    ])
  }

  /// The archive's bytes.
  public var data: Data {
    var lines = [header.canonical]
    for hash in runs.keys.sorted() { lines.append(runs[hash]!.checkedJSON.canonical) }
    return Data((lines.joined(separator: "\n") + "\n").utf8)
  }

  /// SHA-256 of the archive's deterministic content: the header and each run without
  /// its timing and machine. The same runs give the same hash wherever they trained.
  public var contentSHA256: String {
    var lines = [header.canonical]
    for hash in runs.keys.sorted() { lines.append(runs[hash]!.contentJSON.canonical) }
    return SHA256.hex(lines.joined(separator: "\n") + "\n")
  }

  /// Reads an archive, checking every line's checksum; `file` names it in errors.
  /// With `upgrading`, an archive written before line checksums (`uncheckedFormat`)
  /// is read too, its lines unchecked: for `repro archive --upgrade`, which checks
  /// them against the manifest's runs instead.
  public static func decode(_ data: Data, file: String, upgrading: Bool = false) throws -> Archive {
    let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
    guard let first = lines.first, let header = try? JSONParser.parse(Data(first)),
          let version = header["format"]?.stringValue, version == format || version == uncheckedFormat else {
      throw ArchiveError("\(file): not a results archive (the first line must be a \(format) header)")
    }
    let unchecked = version == uncheckedFormat
    if unchecked && !upgrading {
      throw ArchiveError("\(file): written before archive lines carried checksums (\(uncheckedFormat)); upgrade it, "
        + "checking every line against the manifest's runs, with `repro archive MANIFEST --scale S --upgrade \(file)`")
    }
    guard let manifest = header["manifest"]?.stringValue, let scale = header["scale"]?.stringValue,
          let method = header["score"]?["method"]?.stringValue.flatMap(ScoreMethod.init(rawValue:)),
          let iterations = header["score"]?[method == .lastEpisodes ? "episodes" : "iterations"]?.numberValue else {
      throw ArchiveError("\(file): line 1: the header lacks manifest, scale or score")
    }
    var runs: [String: ArchivedRun] = [:]
    for (i, line) in lines.dropFirst().enumerated() {
      do {
        let json = try JSONParser.parse(Data(line))
        let run = try unchecked ? ArchivedRun(json: json) : ArchivedRun(checkedJSON: json)
        if runs[run.hash] != nil { throw ArchiveError("run \(run.hash) appears twice") }
        runs[run.hash] = run
      } catch {
        throw ArchiveError("\(file): line \(i + 2): \(error)")
      }
    }
    if let n = header["runs"]?.numberValue, Int(n) != runs.count {
      throw ArchiveError("\(file): the header counts \(Int(n)) runs but the file holds \(runs.count) (truncated?)")
    }
    return Archive(manifest: manifest, scale: scale, score: ScoreDefinition(method: method, iterations: Int(iterations)), runs: runs)
  }

  /// The runs of `expansion` in this archive, each checked against the run its hash
  /// names: a line whose task, seed, preset or settings are not that run's (another run's
  /// line put under this hash, an edited seed) is refused, naming the line's run.
  public func runs(of expansion: Expansion, file: String) throws -> [String: ArchivedRun] {
    var out: [String: ArchivedRun] = [:]
    for spec in expansion.uniqueSpecs {
      guard let run = runs[spec.hash] else { continue }
      var wrong: [String] = []
      if run.task != spec.task { wrong.append("task \(run.task.rawValue), not \(spec.task.rawValue)") }
      if run.seed != spec.seed { wrong.append("seed \(run.seed), not \(spec.seed)") }
      if run.preset != spec.preset.rawValue { wrong.append("preset \(run.preset), not \(spec.preset.rawValue)") }
      if run.settingsHash != SHA256.hex(spec.config.nonNeutralSettings.canonical) { wrong.append("other settings") }
      if !wrong.isEmpty {
        throw ArchiveError("\(file): run \(spec.hash.prefix(12)) (\(spec.label)) holds the line of another run ("
          + wrong.joined(separator: ", ") + "); the archive was edited or damaged")
      }
      out[spec.hash] = run
    }
    return out
  }

  public static func load(path: String) throws -> Archive {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw ArchiveError("\(path): cannot read: \(error.localizedDescription)")
    }
    return try decode(data, file: path)
  }

  /// The union of `archives` (of one manifest, scale and score): a run in several
  /// keeps the first one's timing and machine; runs whose deterministic content
  /// differs are refused, by hash.
  public static func merge(_ archives: [(name: String, archive: Archive)]) throws -> Archive {
    guard let (firstName, first) = archives.first else { throw ArchiveError("nothing to merge") }
    var merged = first
    var origin: [String: String] = first.runs.mapValues { _ in firstName }
    for (name, a) in archives.dropFirst() {
      guard a.manifest == first.manifest, a.scale == first.scale, a.score == first.score else {
        throw ArchiveError("\(name) holds \(a.manifest) at scale \(a.scale) (score \(a.score.method.rawValue) \(a.score.iterations)), "
          + "\(firstName) holds \(first.manifest) at scale \(first.scale) (score \(first.score.method.rawValue) \(first.score.iterations)): "
          + "only archives of one manifest, scale and score merge")
      }
      for (hash, run) in a.runs.sorted(by: { $0.key < $1.key }) {
        if let existing = merged.runs[hash] {
          guard existing.contentJSON == run.contentJSON else {
            throw ArchiveError("run \(hash) (\(run.algorithm)/\(run.task.rawValue)/seed \(run.seed)) differs between "
              + "\(origin[hash]!) and \(name): \(differences(existing, run)); the same run must give the same result, "
              + "so one of them was trained by another version of the code or was edited")
          }
        } else {
          merged.runs[hash] = run
          origin[hash] = name
        }
      }
    }
    return merged
  }

  static func differences(_ a: ArchivedRun, _ b: ArchivedRun) -> String {
    guard case let .object(x) = a.contentJSON, case let .object(y) = b.contentJSON else { return "content" }
    let keys = zip(x, y).filter { $0.0.value != $0.1.value }.map(\.0.key)
    return keys.isEmpty ? "content" : keys.joined(separator: ", ")
  }
}

extension CostModel {
  /// Rates from archive records.
  public init(runs: some Sequence<ArchivedRun>) {
    self.init(samples: runs.map { ($0.task, $0.kind, $0.totalSteps, $0.timing.coreSeconds) })
  }
}
