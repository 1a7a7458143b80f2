import Foundation
import RunModel

/// One training run, fully resolved: everything the trainer needs, plus the
/// labels under which reports show it.
///
/// `hash` is the run's `RunIdentity` hash: the task, the seed and the settings
/// that differ from their neutral values. Labels (manifest, algorithm, preset),
/// the scale's name and the score are not part of it, so two rows that resolve
/// to the same settings share one result file, and re-scoring retrains nothing.
public struct RunSpec: Sendable, Equatable {
  public var manifest: String
  /// The algorithm's row label in the manifest.
  public var algorithm: String
  public var preset: Preset
  public var task: TaskID
  public var seed: UInt64
  public var config: TrainerConfig
  /// A custom model file (nil: the task's pinned model); part of the identity.
  public private(set) var model: ModelIdentity? = nil
  /// 64 lowercase hex digits.
  public var hash: String

  public init(manifest: String, algorithm: String, preset: Preset, task: TaskID, seed: UInt64, config: TrainerConfig) {
    self.manifest = manifest
    self.algorithm = algorithm
    self.preset = preset
    self.task = task
    self.seed = seed
    self.config = config
    self.hash = RunIdentity(task: task.rawValue, seed: seed, config: config).hash
  }

  /// The run's identity.
  public var identity: RunIdentity { RunIdentity(task: task.rawValue, seed: seed, config: config, model: model) }

  /// The same run on a custom model file: another identity.
  public func on(model: ModelIdentity?) -> RunSpec {
    var s = self
    s.model = model
    s.hash = s.identity.hash
    return s
  }

  /// A short human label: `PPO/Hopper/seed 3`.
  public var label: String { "\(algorithm)/\(task.rawValue)/seed \(seed)" }
}

/// A manifest expanded at one scale: every (algorithm, task, seed).
public struct Expansion: Sendable {
  public var manifest: Manifest
  public var scale: Scale
  /// Seeds used, in order.
  public var seeds: [UInt64]
  /// Every run in canonical order: seed-major, then algorithm, then task (manifest
  /// order), so that a run stopped half-way has whole cells with fewer seeds.
  public var specs: [RunSpec]

  /// The runs of one cell, in seed order.
  public func specs(algorithm: String, task: TaskID) -> [RunSpec] {
    specs.filter { $0.algorithm == algorithm && $0.task == task }
  }

  /// The results of one (algorithm, task) cell.
  public struct Cell: Sendable, Equatable {
    public var algorithm: String
    public var task: TaskID
    /// Results present, in seed order.
    public var results: [RunResult]
    /// Runs of the cell with no valid result yet.
    public var missing: Int
  }

  /// Every cell in manifest order (algorithm-major, then task), from results by hash
  /// (e.g. `ResultStore.loadAll(_:).results`).
  public func cells(_ results: [String: RunResult]) -> [Cell] {
    var out: [Cell] = []
    for a in manifest.algorithms {
      for t in manifest.tasks {
        let specs = self.specs(algorithm: a.name, task: t)
        let found = specs.compactMap { results[$0.hash] }
        out.append(Cell(algorithm: a.name, task: t, results: found, missing: specs.count - found.count))
      }
    }
    return out
  }

  /// `specs` without repeated hashes (the first occurrence is kept): what runs.
  public var uniqueSpecs: [RunSpec] {
    var seen = Set<String>()
    return specs.filter { seen.insert($0.hash).inserted }
  }
}

/// Which part of a manifest one machine runs: shard `index` of `count` (1-based).
public struct Shard: Sendable, Equatable, CustomStringConvertible {
  public var index: Int
  public var count: Int

  public static let all = Shard(uncheckedIndex: 1, count: 1)

  private init(uncheckedIndex: Int, count: Int) {
    self.index = uncheckedIndex
    self.count = count
  }

  public init(index: Int, count: Int) throws {
    guard count >= 1, index >= 1, index <= count else {
      throw ShardError(message: "shard must be i/n with 1 <= i <= n, got \(index)/\(count)")
    }
    self.index = index
    self.count = count
  }

  /// Parses `i/n`, e.g. `2/3`.
  public init(parsing text: String) throws {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
      throw ShardError(message: "shard must be written i/n (e.g. 2/3), got '\(text)'")
    }
    try self.init(index: i, count: n)
  }

  public var description: String { "\(index)/\(count)" }

  /// This shard's runs, in the order given. Runs are dealt round-robin in order
  /// of their hash, so every shard gets the same number (±1) of runs, drawn from
  /// all cells, and the split depends only on the set of runs.
  public func select(_ specs: [RunSpec]) -> [RunSpec] {
    if count == 1 { return specs }
    let byHash = Array(Set(specs.map(\.hash))).sorted()
    var mine = Set<String>()
    for (k, h) in byHash.enumerated() where k % count == index - 1 { mine.insert(h) }
    return specs.filter { mine.contains($0.hash) }
  }
}

public struct ShardError: Error, CustomStringConvertible, Equatable {
  public var message: String
  public var description: String { message }
}

// MARK: - Resolution

extension Manifest {
  /// The scale named `name`, or the default scale when nil.
  /// The most runs one expansion may hold (the paper's Table 2: 960).
  public static let maximumRuns = 100_000

  public func resolveScale(_ name: String?) throws -> Scale {
    let n = name ?? defaultScale
    guard let s = scale(named: n) else {
      throw ManifestError(file: file, issues: [.init(
        path: "scales", message: "no scale named '\(n)'; " + NameSuggestion.hint(for: n, in: scales.map(\.name), listLabel: "scales:"))])
    }
    return s
  }

  /// The seeds of a scale: `seeds.base ..< seeds.base + count`.
  public func seedList(scale: Scale) -> [UInt64] {
    let n = scale.seeds ?? seeds.count
    return (0..<n).map { UInt64(seeds.base + $0) }
  }

  /// The resolved TrainerConfig of one algorithm on one task at one scale.
  /// Order: preset → overrides → perTask → scale budget.
  public func config(algorithm: AlgorithmEntry, task: TaskID, scale: Scale) throws -> TrainerConfig {
    try resolve(algorithm, task, scale).config
  }

  /// The config and, for each key the manifest set, where it was set (for messages).
  func resolve(_ a: AlgorithmEntry, _ task: TaskID, _ scale: Scale) throws -> (config: TrainerConfig, origin: [String: JSONPath]) {
    guard var c = a.preset.config(on: task) else {
      let path = JSONPath([.key("algorithms"), .key(a.name), .key("preset")]).description
      throw ManifestError(file: name, issues: [.init(path: path, message: Manifest.noColumn(a.preset, task))])
    }
    var origin: [String: JSONPath] = [:]
    let taskSettings = a.perTask.first { $0.task == task }?.settings ?? []
    for s in a.overrides + taskSettings {
      try c.set(s.key, json: s.value)
      origin[s.key] = s.path
    }
    let scalePath = JSONPath([.key("scales"), .key(scale.name)])
    if let n = scale.iterations {
      c.iterations = n
      origin["iterations"] = scalePath.appending("iterations")
    }
    if let n = scale.stepsPerIteration {
      c.stepsPerIteration = n
      origin["stepsPerIteration"] = scalePath.appending("stepsPerIteration")
    }
    return (c, origin)
  }

  /// Every `TrainerConfig.problems()` of every (scale, algorithm, task), at the
  /// path that set the offending value (or the algorithm, when the preset did);
  /// each (path, problem) is reported once, with the first place it occurs.
  func configIssues() -> [ManifestError.Issue] {
    var issues: [ManifestError.Issue] = []
    var seen = Set<String>()
    for scale in scales {
      for a in algorithms {
        for t in tasks {
          let resolved: (config: TrainerConfig, origin: [String: JSONPath])
          do {
            resolved = try resolve(a, t, scale)
          } catch {
            issues.append(.init(path: JSONPath([.key("algorithms"), .key(a.name)]).description, message: "\(error)"))
            continue
          }
          for p in resolved.config.problems() {
            let path: String
            let message: String
            if let o = resolved.origin[p.key] {
              path = o.description
              message = p.message
            } else {
              path = JSONPath([.key("algorithms"), .key(a.name)]).description
              message = "\(p.key) \(p.message) (value from preset \(a.preset.rawValue))"
            }
            guard seen.insert(path + "\u{0}" + message).inserted else { continue }
            issues.append(.init(path: path, message: "\(message) (for \(t.rawValue) at scale \(scale.name))"))
          }
          // The score needs the episodes it averages: refuse to train runs it could not score.
          if score.method == .lastEpisodes && !resolved.config.recordEpisodeReturns {
            let path = JSONPath([.key("algorithms"), .key(a.name)]).description
            let message = "score method lastEpisodes needs recordEpisodeReturns: true"
            if seen.insert(path + "\u{0}" + message).inserted { issues.append(.init(path: path, message: message)) }
          }
        }
      }
    }
    return issues
  }

  /// Every run at `scale` (the default scale when nil).
  /// - Parameter seedCount: seeds per cell instead of the scale's (`--until-decided --max-seeds`).
  public func expand(scale name: String? = nil, seedCount: Int? = nil) throws -> Expansion {
    var scale = try resolveScale(name)
    if let n = seedCount { scale.seeds = n }
    let runs = (scale.seeds ?? seeds.count) * algorithms.count * tasks.count
    if runs > Manifest.maximumRuns {
      throw ManifestError(file: file, issues: [.init(
        path: "scales.\(scale.name)",
        message: "asks for \(runs) runs (seeds × algorithms × tasks); at most \(Manifest.maximumRuns)")])
    }
    let seeds = seedList(scale: scale)
    var configs: [[TrainerConfig]] = []
    for a in algorithms {
      configs.append(try tasks.map { try config(algorithm: a, task: $0, scale: scale) })
    }
    var specs: [RunSpec] = []
    specs.reserveCapacity(seeds.count * algorithms.count * tasks.count)
    for seed in seeds {
      for (ai, a) in algorithms.enumerated() {
        for (ti, t) in tasks.enumerated() {
          specs.append(RunSpec(manifest: self.name, algorithm: a.name, preset: a.preset, task: t, seed: seed, config: configs[ai][ti]))
        }
      }
    }
    return Expansion(manifest: self, scale: scale, seeds: seeds, specs: specs)
  }
}
