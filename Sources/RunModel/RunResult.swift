import Foundation

/// Trust-region diagnostics between the pre-update and post-update policies
/// (paper, Figure 2; held-out variant, Figure 4).
public struct TrustRegionStats: Codable, Sendable, Equatable {
  /// Mean KL(old || new) over the state-action pairs.
  public var meanKL: Double
  /// Maximum KL(old || new) over the states.
  public var maxKL: Double
  /// Maximum probability ratio pi_new(a|s) / pi_old(a|s) over the pairs.
  public var maxRatio: Double
  public init(meanKL: Double, maxKL: Double, maxRatio: Double) {
    self.meanKL = meanKL
    self.maxKL = maxKL
    self.maxRatio = maxRatio
  }
}

/// What one training iteration measured.
public struct IterationMetrics: Codable, Sendable, Equatable {
  /// 0-based iteration index.
  public var iteration: Int
  /// Mean undiscounted return of the episodes completed in this iteration's rollout (nil if none completed).
  public var meanReturn: Double?
  /// Number of episodes completed in this iteration's rollout.
  public var episodes: Int
  /// Mean policy loss over the last epoch's minibatches (PPO) or surrogate loss before the step (TRPO).
  public var policyLoss: Double
  /// Mean value loss over the last epoch's minibatches.
  public var valueLoss: Double
  /// Mean policy entropy on the batch, before the update.
  public var entropy: Double
  /// Mean KL(old || new) on the training batch after the update.
  public var meanKL: Double
  /// Maximum probability ratio on the training batch after the update.
  public var maxRatio: Double
  /// Fraction of the batch whose ratio lies outside [1 − eps, 1 + eps] after the update (PPO).
  public var clipFraction: Double
  /// Policy learning rate (PPO) used this iteration.
  public var learningRate: Double
  /// KL bound (TRPO) used this iteration; nil for PPO.
  public var klBound: Double?
  /// TRPO line search: halvings taken before acceptance (nil when no step was accepted or for PPO).
  public var lineSearchSteps: Int?
  /// Trust-region diagnostics on the training batch (every `diagnosticsEvery` iterations).
  public var trainDiagnostics: TrustRegionStats?
  /// Trust-region diagnostics on a held-out rollout of the same size.
  public var heldOutDiagnostics: TrustRegionStats?
  /// The undiscounted return of every episode completed in this iteration's rollout, in
  /// order (only with `recordEpisodeReturns`; absent from the stored form otherwise).
  public var episodeReturns: [Double]?

  public init(iteration: Int) {
    self.iteration = iteration
    meanReturn = nil
    episodes = 0
    policyLoss = 0
    valueLoss = 0
    entropy = 0
    meanKL = 0
    maxRatio = 1
    clipFraction = 0
    learningRate = 0
    klBound = nil
    lineSearchSteps = nil
    trainDiagnostics = nil
    heldOutDiagnostics = nil
    episodeReturns = nil
  }
}

/// Why a run stopped early.
public struct Divergence: Codable, Sendable, Equatable {
  public var iteration: Int
  public var reason: String
  public init(iteration: Int, reason: String) {
    self.iteration = iteration
    self.reason = reason
  }
}

/// How long a run took: measurements, kept apart from the deterministic content
/// of a result (never hashed, checksummed or compared).
public struct RunTiming: Codable, Sendable, Equatable {
  /// Wall-clock seconds of the whole run.
  public var wallSeconds: Double
  /// Wall-clock seconds of each iteration, in order.
  public var iterationSeconds: [Double]
  /// CPU seconds of the thread that ran it (the run's core-seconds, whatever else
  /// the machine was doing); nil in results written before it was recorded.
  public var cpuSeconds: Double?
  public init(wallSeconds: Double = 0, iterationSeconds: [Double] = [], cpuSeconds: Double? = nil) {
    self.wallSeconds = wallSeconds
    self.iterationSeconds = iterationSeconds
    self.cpuSeconds = cpuSeconds
  }

  /// The run's core-seconds: its CPU time when recorded, else its wall time.
  public var coreSeconds: Double { cpuSeconds ?? wallSeconds }
}

/// The outcome of one training run. Everything but `timing` is a deterministic
/// function of (task, seed, config) on one binary.
public struct RunResult: Sendable, Equatable {
  /// The task as run identity names it ("Hopper").
  public var task: String
  public var seed: UInt64
  public var config: TrainerConfig
  public var iterations: [IterationMetrics]
  public var diverged: Divergence?
  /// Total environment steps taken for training (held-out diagnostic rollouts excluded).
  public var totalSteps: Int
  /// Wall-clock measurements (not part of determinism checks).
  public var timing: RunTiming
  /// A custom model file the run used, named by its SHA-256 (`ModelIdentity`); nil for the task's
  /// pinned Gymnasium model (every run before custom models, whose identities are unchanged).
  public var model: ModelIdentity? = nil

  public init(task: String, seed: UInt64, config: TrainerConfig) {
    self.task = task
    self.seed = seed
    self.config = config
    iterations = []
    diverged = nil
    totalSteps = 0
    timing = RunTiming()
  }

  /// The run's identity (task, seed, settings).
  public var identity: RunIdentity { RunIdentity(task: task, seed: seed, config: config, model: model) }

  /// Per-iteration mean returns (nil where no episode completed).
  public var meanReturns: [Double?] { iterations.map(\.meanReturn) }

  /// The deterministic content as JSON: `{"diverged", "iterations", "totalSteps"}`.
  public var contentJSON: JSONValue {
    .object([
      ("diverged", diverged.map { (try? JSONValue.encoding($0)) ?? .null } ?? .null),
      ("iterations", .array(iterations.map { (try? JSONValue.encoding($0)) ?? .null })),
      ("totalSteps", .int(totalSteps)),
    ])
  }

  /// A result from its identity and the JSON of `contentJSON` and timing.
  public init(identity: RunIdentity, content: JSONValue, timing: JSONValue?) throws {
    self.init(task: identity.task, seed: identity.seed, config: try TrainerConfig(settings: identity.settings))
    model = identity.model
    guard case .object = content else { throw ResultDecodingError("the result is not an object") }
    let decoder = JSONValue.decoder()
    if let d = content["diverged"], d != .null {
      diverged = try decoder.decode(Divergence.self, from: Data(d.canonical.utf8))
    }
    guard case let .array(items)? = content["iterations"] else { throw ResultDecodingError("no iterations array") }
    iterations = try items.map { try decoder.decode(IterationMetrics.self, from: Data($0.canonical.utf8)) }
    guard case let .number(_, steps)? = content["totalSteps"], steps == steps.rounded(), steps >= 0 else {
      throw ResultDecodingError("no totalSteps")
    }
    totalSteps = Int(steps)
    if let t = timing, t != .null {
      self.timing = try decoder.decode(RunTiming.self, from: Data(t.canonical.utf8))
    }
  }
}

/// A stored result that cannot be read.
public struct ResultDecodingError: Error, CustomStringConvertible, Equatable, Sendable {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

// MARK: - Score

/// How a run's single score is computed from its per-iteration mean returns.
public enum ScoreMethod: String, Codable, Sendable, CaseIterable {
  /// Mean over the last `iterations` iterations of each iteration's mean completed-episode return (the authors' code).
  case lastMean
  /// Maximum over iterations (an older notebook of the authors).
  case max
  /// Mean return of the run's last `episodes` completed training episodes (fewer when the
  /// run has fewer): CleanRL's benchmark score (openrlbenchmark's `rlops`,
  /// `metric_last_n_average_window` 100 over `charts/episodic_return`). Needs runs trained
  /// with `recordEpisodeReturns`.
  case lastEpisodes
}

/// A run's score definition. Scores are computed from stored per-iteration
/// returns whenever they are needed, so changing the definition retrains nothing.
public struct ScoreDefinition: Sendable, Equatable {
  public var method: ScoreMethod
  /// Iterations averaged by `lastMean`; episodes averaged by `lastEpisodes`.
  public var iterations: Int

  /// The authors' definition: the mean over the last 5 iterations.
  public static let authors = ScoreDefinition(method: .lastMean, iterations: 5)
  /// CleanRL's benchmark definition: the mean of the last 100 episodic returns.
  public static let cleanRL = ScoreDefinition(method: .lastEpisodes, iterations: 100)

  public init(method: ScoreMethod, iterations: Int) {
    self.method = method
    self.iterations = iterations
  }

  /// How many episodes `lastEpisodes` averages (the same number as `iterations`).
  public var episodes: Int { iterations }

  /// The score of a run's per-iteration mean returns (`lastMean`, `max`); iterations in
  /// which no episode completed are skipped; nil when no iteration has a return, and
  /// for `lastEpisodes`, which needs the episodes (`score(ofIterations:)`).
  public func score(of returns: [Double?]) -> Double? {
    let finished = returns.compactMap { $0 }
    switch method {
    case .lastMean:
      let tail = finished.suffix(iterations)
      guard !tail.isEmpty else { return nil }
      return tail.reduce(0, +) / Double(tail.count)
    case .max:
      return finished.max()
    case .lastEpisodes:
      return nil
    }
  }

  /// The score of a run's iterations. `lastEpisodes`: the mean of the last `episodes`
  /// returns recorded in `episodeReturns` (nil when none was recorded).
  public func score(ofIterations iterations: [IterationMetrics]) -> Double? {
    guard method == .lastEpisodes else { return score(of: iterations.map(\.meanReturn)) }
    var tail: [Double] = []
    for m in iterations.reversed() where tail.count < episodes {
      for r in (m.episodeReturns ?? []).reversed() where tail.count < episodes { tail.append(r) }
    }
    guard !tail.isEmpty else { return nil }
    return tail.reversed().reduce(0, +) / Double(tail.count)
  }

  /// The score of a result: nil when it diverged or has no return to score.
  public func score(of result: RunResult) -> Double? {
    result.diverged == nil ? score(ofIterations: result.iterations) : nil
  }

  /// What a run's score is, in words.
  public var text: String {
    switch method {
    case .lastMean:
      return "mean return of the last \(iterations) iterations (mean completed-episode return per iteration)"
    case .max:
      return "maximum over iterations of the mean completed-episode return"
    case .lastEpisodes:
      return "mean return of the last \(episodes) completed training episodes (CleanRL's benchmark score)"
    }
  }
}

// MARK: - Identity

/// What makes two runs the same run: the task, the seed, and the settings that
/// differ from their neutral values (see `Settings`). Labels (manifest, row,
/// preset), the scale's name and the score definition are not part of it.
///
/// `hash` is the SHA-256 of the canonical JSON
/// `{"identity": 2, "seed": S, "settings": {...}, "task": "Hopper"}`.
public struct RunIdentity: Sendable, Equatable {
  /// The version of this definition of identity (1 hashed the whole config, score included).
  public static let version = 2
  public var task: String
  public var seed: UInt64
  /// The non-neutral settings, as an object.
  public var settings: JSONValue
  /// A custom model file, when the run used one; absent from the identity's JSON when nil
  /// (neutral: identities of runs on the pinned models are unchanged).
  public var model: ModelIdentity?

  public init(task: String, seed: UInt64, config: TrainerConfig, model: ModelIdentity? = nil) {
    self.task = task
    self.seed = seed
    settings = config.nonNeutralSettings
    self.model = model
  }

  /// An identity as stored (settings already reduced to the non-neutral ones by the writer).
  public init(task: String, seed: UInt64, settings: JSONValue, model: ModelIdentity? = nil) {
    self.task = task
    self.seed = seed
    self.settings = settings
    self.model = model
  }

  /// The object whose canonical text is hashed.
  public var json: JSONValue {
    var fields: [(String, JSONValue)] = [("identity", .int(RunIdentity.version))]
    if let model { fields.append(("model", model.json)) }
    fields += [
      ("seed", .number(text: String(seed), value: Double(seed))),
      ("settings", settings),
      ("task", .string(task)),
    ]
    return .object(fields)
  }

  /// 64 lowercase hex digits.
  public var hash: String { SHA256.hex(json.canonical) }

  /// Reads a stored identity object.
  public init(json: JSONValue) throws {
    guard case .object = json, json["identity"]?.numberValue == Double(RunIdentity.version),
          let task = json["task"]?.stringValue,
          case let .number(_, seed)? = json["seed"], seed >= 0, seed == seed.rounded(), seed < 1.8e19,
          let settings = json["settings"], case .object = settings else {
      throw ResultDecodingError("not a version \(RunIdentity.version) run identity")
    }
    var model: ModelIdentity? = nil
    if let m = json["model"] {
      guard let file = m["file"]?.stringValue, let sha = m["sha256"]?.stringValue, sha.count == 64 else {
        throw ResultDecodingError("a run identity's model needs file and sha256")
      }
      model = ModelIdentity(file: file, sha256: sha)
    }
    self.init(task: task, seed: UInt64(seed), settings: settings, model: model)
  }
}

/// A custom MuJoCo model file a run was trained on: its file name and SHA-256. Part of the run's
/// identity (a model that differs from the task's pinned one is another experiment).
public struct ModelIdentity: Sendable, Equatable, Hashable {
  public var file: String
  public var sha256: String
  public init(file: String, sha256: String) {
    self.file = file
    self.sha256 = sha256
  }
  public var json: JSONValue { .object([("file", .string(file)), ("sha256", .string(sha256))]) }
  /// "walker2d_v5.xml (sha256 6bed53a6cc3c…)" for messages and reports.
  public var label: String { "\(file) (sha256 \(sha256.prefix(12))…)" }
}
