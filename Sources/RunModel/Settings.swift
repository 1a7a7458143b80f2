// The settings of one training run, and the one table that describes them.
//
// `TrainerConfig` is the typed value the trainer reads. `Settings.table` lists
// every setting once: its key (the name used in manifests and by
// `repro train --set key=value`), JSON type, range check, documentation, the
// paper's section, and where it lives in `TrainerConfig`. Everything else
// derives from the table: the list of keys, parsing from text and from JSON,
// validation, the manifest's setting types, `repro train --list-settings`, and
// run identity.
//
// Run identity. Every setting has a *neutral value*: the value `TrainerConfig()`
// holds. A run's identity lists only the settings whose value differs from
// their neutral value, so adding a setting whose neutral value reproduces the
// old behaviour keeps every stored run. Neutral values are frozen: changing one
// would give two different runs one identity. `SettingsTests.testNeutralValuesArePinned`
// fails if one moves; add a new setting instead.

/// Reward normalisation (paper, Section 3, optimization 2 "Reward scaling").
public enum RewardNormalization: String, Sendable, CaseIterable, SettingChoice {
  /// Raw rewards.
  case none
  /// The authors' `ZFilter(center=False)` on the reward itself: (r − μ)/(σ + 1e-8) + μ
  /// with the reward's running mean and std (see `RewardScaler` for the exact formula).
  case rewards
  /// Divide each reward by the running std of the discounted return (the authors' scheme).
  case returns
  /// Gymnasium's `NormalizeReward(gamma)` (0.28.1 and 0.29.1 `wrappers/normalize.py`, which CleanRL's
  /// ppo_continuous_action.py L99 wraps every task in): ret ← ret·γ·(1 − terminated) + r, never reset at a
  /// reset or a truncation; ret pushed into Gymnasium's `RunningMeanStd` (count 1e-4, var 1 to start,
  /// population variance); r / √(var + 1e-8). See `RewardScaler`.
  case gymnasium
}

/// Which running statistics observation normalisation uses (`observationNormalization` on).
public enum ObservationNormalizerKind: String, Sendable, CaseIterable, SettingChoice {
  /// The authors' `ZFilter`: Welford statistics, n − 1 variance (x² for one sample), (x − μ)/(σ + 1e-8).
  case zFilter
  /// Gymnasium's `NormalizeObservation` (0.28.1/0.29.1 `wrappers/normalize.py`; CleanRL L97):
  /// `RunningMeanStd` starting from count 1e-4, mean 0, var 1, population variance; (x − μ)/√(var + 1e-8).
  case gymnasium
}

/// Hidden-layer nonlinearity (paper, Section 3, optimization 8 "Hyperbolic tan activations").
public enum ActivationKind: String, Sendable, CaseIterable, SettingChoice {
  case tanh
  case relu
}

/// Network initialisation (paper, Section 3, optimization 3 "Orthogonal initialization and layer scaling").
public enum InitializationKind: String, Sendable, CaseIterable, SettingChoice {
  /// Orthogonal weights, gain sqrt(2) on hidden layers, 0.01 on the policy head, 1.0 on the value head; zero biases.
  case orthogonal
  /// Xavier-uniform weights on every layer, heads included (no head scaling), zero biases:
  /// the authors' `initialization: "xavier"` (their PPO-M, TRPO, Humanoid TRPO+ and PPO-NoClip).
  case xavier
  /// PyTorch's default nn.Linear init: weights and biases U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
  case `default`
}

/// How a time-limit truncation enters GAE (DESIGN rule 3).
public enum TimeLimitTreatment: String, Sendable, CaseIterable, SettingChoice {
  /// Bootstrap from the value of the final observation: the modern reading (Gymnasium's `truncated`).
  case bootstrap
  /// A terminal state (no bootstrap), as the authors' gym-v2 code treated `done` at step 1000.
  case terminal
}

/// Where an environment's reset noise comes from (Environments' `ResetSeeding`).
public enum EnvironmentSeeding: String, Sendable, CaseIterable, SettingChoice {
  /// Repro's own seeded stream (xoshiro256**): what every stored run used.
  case repro
  /// Gymnasium's: the training environment's first reset is `env.reset(seed=<run seed>)` with NumPy's
  /// SeedSequence and PCG64, and later resets continue that stream, as a Python run's would.
  case gymnasium
}

/// What follows the last step of a batch that ends in the middle of an episode.
public enum BatchEndValue: String, Sendable, CaseIterable, SettingChoice {
  /// V(s_N), the value of the observation after the last step.
  case nextState
  /// V(s_{N−1}), the last step's own value: the authors' `advantage_and_return` pads the
  /// value sequence with its last element.
  case lastState
  /// 0: the cut is treated as a termination.
  case zero
}

/// How TRPO's Fisher subset size `fisherFraction × batch` becomes a whole number.
public enum FisherSubsetRounding: String, Sendable, CaseIterable, SettingChoice {
  /// To the nearest integer (205 of 2048 at 0.1).
  case rounded
  /// Truncated, as the authors' `int(...)` (204 of 2048 at 0.1).
  case truncated
}

/// PPO's own settings (used only when `algorithm` is `ppo`).
public struct PPOSettings: Sendable, Equatable {
  /// Policy Adam learning rate.
  public var policyLR: Double = 3e-4
  /// Clipping epsilon (paper: 0.2; PPO-NoClip: 1e32).
  public var clipEpsilon: Double = 0.2
  /// Entropy bonus coefficient (negative values penalise entropy).
  public var entropyCoefficient: Double = 0
  /// Policy epochs per iteration.
  public var policyEpochs: Int = 10
  public init() {}
}

/// TRPO's own settings (used only when `algorithm` is `trpo`).
public struct TRPOSettings: Sendable, Equatable {
  /// KL bound delta at the first iteration.
  public var klBound: Double = 0.04
  /// KL bound at the last iteration (linear schedule); nil = constant `klBound`.
  public var klBoundFinal: Double? = nil
  /// Fraction of the batch used for Fisher-vector products (paper: 0.1).
  public var fisherFraction: Double = 0.1
  /// Conjugate-gradient iterations (paper: 10).
  public var cgIterations: Int = 10
  /// Damping added to the Fisher matrix (paper: 0.1).
  public var cgDamping: Double = 0.1
  /// How the Fisher subset size is rounded.
  public var fisherSubsetRounding: FisherSubsetRounding = .rounded
  /// Backtracking line-search tries (paper: 10).
  public var lineSearchSteps: Int = 10
  /// Accept a line-search step when actual improvement > ratio × expected improvement.
  public var lineSearchAcceptRatio: Double = 0.1
  public init() {}
}

/// Every setting of one training run, fully resolved. The initial values are the
/// settings' neutral values (see the file's overview); presets (`Preset`) set the
/// paper's values. Documentation of each field: `Settings.table`.
public struct TrainerConfig: Sendable, Equatable {
  // Budget
  public var iterations: Int = 488
  public var stepsPerIteration: Int = 2048
  public var resetEachIteration: Bool = true
  // Algorithm and what every algorithm shares
  public var algorithm: AlgorithmKind = .ppo
  public var gamma: Double = 0.99
  public var gaeLambda: Double = 0.95
  public var valueLR: Double = 2.5e-4
  public var adamEpsilon: Double = 1e-5
  public var valueEpochs: Int = 10
  public var minibatches: Int = 32
  public var advantageNormalization: Bool = true
  public var hiddenSizes: [Int] = [64, 64]
  public var valueLossMaskEpisodeEnds: Bool = true
  public var jointLoss: Bool = false
  public var valueLossCoefficient: Double = 1
  public var clipActions: Bool = false
  public var timeLimit: TimeLimitTreatment = .bootstrap
  public var batchEndBootstrap: BatchEndValue = .nextState
  public var resetSeeding: EnvironmentSeeding = .repro
  // Code-level optimizations (paper, Section 3)
  public var valueClipping: Bool = true
  public var valueClipEpsilon: Double? = nil
  public var rewardNormalization: RewardNormalization = .returns
  public var initialization: InitializationKind = .orthogonal
  public var learningRateAnnealing: Bool = true
  public var rewardClip: Double? = 10
  public var observationNormalization: Bool = true
  public var observationNormalizer: ObservationNormalizerKind = .zFilter
  public var observationClip: Double? = 10
  public var activation: ActivationKind = .tanh
  public var gradientClip: Double? = nil
  // Per-algorithm settings
  public var ppo = PPOSettings()
  public var trpo = TRPOSettings()
  /// Settings registered at run time (`Settings.register`), by key; a setting at its neutral
  /// value is absent, so that registering one changes no stored config or identity.
  public var registered: [String: JSONValue] = [:]
  // Diagnostics
  public var diagnosticsEvery: Int = 10
  public var heldOutUpdatesFilters: Bool = false
  public var recordEpisodeReturns: Bool = false

  public init() {}
}

// MARK: - The table

/// A setting's JSON type in manifests (and how `--set` text is read).
public enum SettingType: Sendable, Hashable {
  case number
  case integer
  case boolean
  /// One of these strings.
  case choice([String])
  /// A number, or off: JSON `null`, text `off`, `none` or `null`. (The authors'
  /// configs write −1 for off; here −1 is a value, and a bound refuses it.)
  case optionalNumber
  /// A non-empty array of integers (text: `64,64`).
  case integerList

  /// "a number", "true or false", ... for messages.
  public var expected: String {
    switch self {
    case .number: return "a number"
    case .integer: return "an integer"
    case .boolean: return "true or false"
    case .choice(let options): return "one of \(options.joined(separator: ", "))"
    case .optionalNumber: return "a number, or null for off"
    case .integerList: return "a non-empty array of integers"
    }
  }

  /// A short name for tables: `number`, `integer`, `boolean`, `a|b`, `number|off`, `[integer]`.
  public var shortName: String {
    switch self {
    case .number: return "number"
    case .integer: return "integer"
    case .boolean: return "boolean"
    case .choice(let options): return options.joined(separator: "|")
    case .optionalNumber: return "number|off"
    case .integerList: return "[integer]"
    }
  }
}

/// Which part of training a setting belongs to (the order of `--list-settings`). Each
/// algorithm has a group of its own (`AlgorithmRow.settingsGroup`): settings that act
/// only in its runs.
public struct SettingGroup: RawRepresentable, Hashable, Sendable {
  public let rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public static let budget = SettingGroup(rawValue: "Budget")
  public static let shared = SettingGroup(rawValue: "Algorithm and shared settings")
  public static let codeLevel = SettingGroup(rawValue: "Code-level optimizations (paper, Section 3)")
  public static let ppo = SettingGroup(rawValue: "PPO")
  public static let trpo = SettingGroup(rawValue: "TRPO")
  public static let diagnostics = SettingGroup(rawValue: "Diagnostics")

  /// Every group in listing order: the shared ones, one per registered algorithm, then diagnostics.
  public static var allCases: [SettingGroup] {
    [budget, shared, codeLevel] + AlgorithmRegistry.all.map(\.settingsGroup) + [diagnostics]
  }

  /// The algorithm whose runs alone this group's settings act in (nil: every run).
  public var algorithm: AlgorithmKind? { AlgorithmRegistry.all.first { $0.settingsGroup == self }?.kind }
}

/// A value a setting can hold, with its JSON form.
public protocol SettingValue: Sendable, Equatable {
  static var settingType: SettingType { get }
  var json: JSONValue { get }
  /// The value of a JSON value already checked against `settingType`.
  init(checked json: JSONValue)
}

/// An enum setting: its raw values are the choices.
public protocol SettingChoice: SettingValue, RawRepresentable<String>, CaseIterable {}

extension SettingChoice {
  public static var settingType: SettingType { .choice(allCases.map(\.rawValue)) }
  public var json: JSONValue { .string(rawValue) }
  public init(checked json: JSONValue) { self = Self(rawValue: json.stringValue ?? "")! }
}

extension Double: SettingValue {
  public static var settingType: SettingType { .number }
  public var json: JSONValue { .double(self) }
  public init(checked json: JSONValue) { self = json.numberValue ?? 0 }
}

extension Int: SettingValue {
  public static var settingType: SettingType { .integer }
  public var json: JSONValue { .int(self) }
  public init(checked json: JSONValue) { self = Int(json.numberValue ?? 0) }
}

extension Bool: SettingValue {
  public static var settingType: SettingType { .boolean }
  public var json: JSONValue { .bool(self) }
  public init(checked json: JSONValue) {
    if case let .bool(b) = json { self = b } else { self = false }
  }
}

extension Optional: SettingValue where Wrapped == Double {
  public static var settingType: SettingType { .optionalNumber }
  public var json: JSONValue { map { .double($0) } ?? .null }
  public init(checked json: JSONValue) {
    self = json.numberValue
  }
}

extension Array: SettingValue where Element == Int {
  public static var settingType: SettingType { .integerList }
  public var json: JSONValue { .array(map { .int($0) }) }
  public init(checked json: JSONValue) {
    if case let .array(items) = json { self = items.map { Int($0.numberValue ?? 0) } } else { self = [] }
  }
}

/// One row of the settings table.
public struct SettingDefinition: Sendable {
  /// The key in manifests and `--set`.
  public let key: String
  public let type: SettingType
  public let group: SettingGroup
  /// What it does, in a sentence or two.
  public let documentation: String
  /// Where the paper discusses it, e.g. "Section 3, optimization 1".
  public let paperReference: String?
  let read: @Sendable (TrainerConfig) -> JSONValue
  let assign: @Sendable (inout TrainerConfig, JSONValue) -> Void
  let check: @Sendable (TrainerConfig) -> String?

  /// The neutral value (what `TrainerConfig()` holds; left out of run identity).
  public var neutralValue: JSONValue { read(TrainerConfig()) }

  /// The setting's value in `config`, as JSON.
  public func value(in config: TrainerConfig) -> JSONValue { read(config) }
}

/// A problem with a setting: unknown key, unparsable value, or out of range.
public struct ConfigError: Error, CustomStringConvertible, Equatable, Sendable {
  public var key: String
  public var message: String
  public init(key: String, message: String) {
    self.key = key
    self.message = message
  }
  public var description: String { "\(key): \(message)" }
}

public enum Settings {
  /// A table row for the field at `path`. `check` returns a problem message (the
  /// value is out of range), or nil.
  static func setting<V: SettingValue>(
    _ key: String, _ path: WritableKeyPath<TrainerConfig, V> & Sendable, _ group: SettingGroup,
    _ documentation: String, paper: String? = nil,
    check: (@Sendable (V, TrainerConfig) -> String?)? = nil
  ) -> SettingDefinition {
    SettingDefinition(
      key: key, type: V.settingType, group: group, documentation: documentation, paperReference: paper,
      read: { $0[keyPath: path].json },
      assign: { $0[keyPath: path] = V(checked: $1) },
      check: { c in check?(c[keyPath: path], c) })
  }

  static func atLeast(_ low: Int) -> @Sendable (Int, TrainerConfig) -> String? {
    { v, _ in v >= low ? nil : "must be at least \(low), got \(v)" }
  }
  static func within(_ range: ClosedRange<Int>) -> @Sendable (Int, TrainerConfig) -> String? {
    { v, _ in range.contains(v) ? nil : "must be in \(range.lowerBound)...\(range.upperBound), got \(v)" }
  }

  /// Upper bounds on what one run may ask for, so that a typo cannot allocate
  /// the machine's memory or train for months: iterations ≤ 100,000 (the paper:
  /// 488), steps per iteration ≤ 131,072 (paper: 2048), at most 8 hidden layers
  /// of at most 4096 units and 2^24 weights between hidden layers (paper: 64, 64),
  /// epochs, conjugate-gradient iterations and line-search tries ≤ 1000.
  public static let maximumIterations = 100_000
  public static let maximumStepsPerIteration = 131_072
  public static let maximumHiddenLayers = 8
  public static let maximumHiddenSize = 4096
  public static let maximumHiddenWeights = 1 << 24
  public static let maximumRepeats = 1000

  static func checkHiddenSizes(_ v: [Int], _: TrainerConfig) -> String? {
    guard !v.isEmpty, v.count <= maximumHiddenLayers, v.allSatisfy({ (1...maximumHiddenSize).contains($0) }) else {
      let got = v.count > maximumHiddenLayers ? "\(v.count) sizes" : "\(v)"
      return "must be 1 to \(maximumHiddenLayers) sizes, each in 1...\(maximumHiddenSize), got \(got)"
    }
    let weights = zip(v, v.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 }
    return weights <= maximumHiddenWeights ? nil
      : "at most \(maximumHiddenWeights) weights between hidden layers, got \(weights) for \(v)"
  }
  static func positive(_ v: Double, _: TrainerConfig) -> String? { v > 0 ? nil : "must be positive, got \(v)" }
  static func positiveOrOff(_ v: Double?, _: TrainerConfig) -> String? {
    guard let v else { return nil }
    return v > 0 ? nil : "must be positive, or off (null; --set KEY=off), got \(v)"
  }

  /// A registered setting, held in `TrainerConfig.registered` (for an algorithm defined outside
  /// RunModel; see `AlgorithmRegistry.register`). `neutral` is its value when unset.
  public static func registeredSetting(
    _ key: String, type: SettingType, group: SettingGroup, neutral: JSONValue, _ documentation: String,
    check: (@Sendable (JSONValue, TrainerConfig) -> String?)? = nil
  ) -> SettingDefinition {
    SettingDefinition(
      key: key, type: type, group: group, documentation: documentation, paperReference: nil,
      read: { $0.registered[key] ?? neutral },
      assign: { c, v in c.registered[key] = v == neutral ? nil : v },
      check: { c in check?(c.registered[key] ?? neutral, c) })
  }

  /// Every setting, in the order of `--list-settings`: the built-in ones, then those registered.
  public static var table: [SettingDefinition] { current.value.table }

  /// Adds settings (an algorithm's, from its registration) and rebuilds the table, so that the
  /// `algorithm` setting's choices include any algorithm registered since; a key already taken is refused.
  static func register(_ definitions: [SettingDefinition]) throws {
    try current.update { t in
      for d in definitions where t.byKey[d.key] != nil || definitions.filter({ $0.key == d.key }).count > 1 {
        throw ConfigError(key: d.key, message: "setting already defined")
      }
      t = SettingsTable(registered: t.registered + definitions)
    }
  }

  struct SettingsTable: Sendable {
    let table: [SettingDefinition]
    let registered: [SettingDefinition]
    let byKey: [String: SettingDefinition]
    let keys: [String]
    init(registered: [SettingDefinition]) {
      table = builtInTable() + registered
      self.registered = registered
      byKey = Dictionary(uniqueKeysWithValues: table.map { ($0.key, $0) })
      keys = table.map(\.key)
    }
  }

  private static let current = Locked(SettingsTable(registered: []))

  /// The settings this package defines (without any registered at run time).
  public static var builtIn: [SettingDefinition] { builtInTable() }

  static func builtInTable() -> [SettingDefinition] { [
    // Budget
    setting("iterations", \.iterations, .budget,
            "Policy updates (paper: 488, so 488 × 2048 = 999,424 steps).", check: within(1...maximumIterations)),
    setting("stepsPerIteration", \.stepsPerIteration, .budget,
            "Environment steps collected per iteration (paper: 2048).", check: within(2...maximumStepsPerIteration)),
    setting("resetEachIteration", \.resetEachIteration, .budget,
            "Reset the environment at the start of every iteration, dropping the partial episode (the authors' code does this). Off: episodes continue across iterations."),
    // Algorithm and shared
    setting("algorithm", \.algorithm, .shared, "The policy update: \(AlgorithmRegistry.all.map(\.kind.rawValue).joined(separator: " or "))."),
    setting("gamma", \.gamma, .shared, "Discount factor, in (0, 1].",
            check: { v, _ in v > 0 && v <= 1 ? nil : "must be in (0, 1], got \(v)" }),
    setting("gaeLambda", \.gaeLambda, .shared, "GAE lambda, in [0, 1].",
            check: { v, _ in v >= 0 && v <= 1 ? nil : "must be in [0, 1], got \(v)" }),
    setting("valueLR", \.valueLR, .shared, "Value-network Adam learning rate.", check: positive),
    setting("adamEpsilon", \.adamEpsilon, .shared, "Adam epsilon for both networks (authors: 1e-5).", check: positive),
    setting("valueEpochs", \.valueEpochs, .shared, "Value-network epochs per iteration.", check: within(0...maximumRepeats)),
    setting("minibatches", \.minibatches, .shared, "Minibatches per epoch (both networks).",
            check: { v, c in v >= 1 && v <= c.stepsPerIteration ? nil
              : "must be in 1...stepsPerIteration (\(c.stepsPerIteration)), got \(v)" }),
    setting("advantageNormalization", \.advantageNormalization, .shared,
            "Normalise advantages per minibatch (mean 0, std 1, + 1e-8), as the authors' code does (TRPO: over the whole batch)."),
    setting("hiddenSizes", \.hiddenSizes, .shared, "Hidden layer sizes of both networks.",
            check: checkHiddenSizes),
    setting("valueLossMaskEpisodeEnds", \.valueLossMaskEpisodeEnds, .shared,
            "Leave the last step of every finished episode out of the value loss, as the authors' code does (it masks steps with not_done == 0). Off: every step's target is fitted."),
    setting("jointLoss", \.jointLoss, .shared,
            "PPO only. On: one loop of policyEpochs × minibatches trains both networks on the same minibatches with one loss, policy loss + valueLossCoefficient × value loss, as CleanRL's ppo_continuous_action.py (vwxyzjn/cleanrl@35896b1, the Gymnasium version) L259-L305 (loss at L300); gradientClip then clips the norm of both networks' gradients together (L304, clip_grad_norm_ over agent.parameters()), and each network takes its Adam step (the two Adams step together, so with valueLR = policyLR they are one Adam over both networks, L183). Off: the value network trains first for valueEpochs, then the policy (the authors' code).",
            check: { v, c in
              guard v else { return nil }
              if c.algorithm != .ppo { return "needs algorithm ppo (the one update that trains a joint loss)" }
              return c.valueEpochs == c.ppo.policyEpochs ? nil
                : "needs valueEpochs (\(c.valueEpochs)) = policyEpochs (\(c.ppo.policyEpochs)): both networks train in one loop"
            }),
    setting("valueLossCoefficient", \.valueLossCoefficient, .shared,
            "The value loss is valueLossCoefficient × mean((V − target)²) (or its clipped form). 1: the authors' value_loss_gae (no ½). CleanRL: 0.25, its vf_coef 0.5 (L71, L300) times the ½ of its v_loss (L295, L297). With separate Adams it matters only through Adam's epsilon; in jointLoss it weighs the value gradient against the policy's under the shared gradient clip.",
            check: positive),
    setting("clipActions", \.clipActions, .shared,
            "Clip actions to the action bounds before stepping the environment. The authors' code passes the Gaussian sample unclipped (MuJoCo clamps the control internally; the control cost sees the raw action)."),
    setting("timeLimit", \.timeLimit, .shared,
            "How a time-limit truncation enters GAE: bootstrap from V(final observation) (the modern reading of Gymnasium's truncated), or terminal, no bootstrap (the authors' gym-v2 code, where done at step 1000 was a termination)."),
    setting("batchEndBootstrap", \.batchEndBootstrap, .shared,
            "The value after a batch's last step when it ends mid-episode: nextState V(s_N); lastState V(s_{N-1}), the last step's own value (the authors' advantage_and_return); or zero."),
    setting("resetSeeding", \.resetSeeding, .shared,
            "Where reset noise comes from: repro, Repro's own seeded stream; gymnasium, Gymnasium's reset seeding (NumPy's SeedSequence and PCG64), so that the training environment's first reset is Gymnasium's env.reset(seed=<run seed>) bit for bit and later resets continue that stream (held-out rollouts: a seed derived from the run's)."),
    // Code-level optimizations
    setting("valueClipping", \.valueClipping, .codeLevel,
            "Clip V around the old value by ±valueClipEpsilon and take the max of the clipped and unclipped squared errors.",
            paper: "Section 3, optimization 1 (value function clipping)"),
    setting("valueClipEpsilon", \.valueClipEpsilon, .codeLevel,
            "The value-clipping range (the authors' clip_val_eps, 0.2 in every config, apart from the policy's clip_eps); off = the policy's clipEpsilon.",
            check: positiveOrOff),
    setting("rewardNormalization", \.rewardNormalization, .codeLevel,
            "none; rewards: the authors' ZFilter(center=False), (r − μ)/(σ + 1e-8) + μ over the rewards' running statistics; returns: r / (σ + 1e-8) with σ the running std of the discounted return; gymnasium: Gymnasium's NormalizeReward(gamma) (0.28.1/0.29.1 wrappers/normalize.py), CleanRL's ppo_continuous_action.py L99: ret ← ret·γ·(1 − terminated) + r, never reset at a reset or truncation, r / √(var + 1e-8) with Gymnasium's RunningMeanStd of ret (count 1e-4, var 1 to start).",
            paper: "Section 3, optimization 2 (reward scaling)"),
    setting("initialization", \.initialization, .codeLevel,
            "orthogonal (gain √2 hidden, 0.01 policy head, 1 value head, zero biases), xavier (Xavier-uniform weights on every layer, zero biases: the authors' code for what the paper calls the default initialization) or default (PyTorch's default Linear init).",
            paper: "Section 3, optimization 3 (orthogonal initialization and layer scaling)"),
    setting("learningRateAnnealing", \.learningRateAnnealing, .codeLevel,
            "Both learning rates × (1 − iteration / iterations).",
            paper: "Section 3, optimization 4 (Adam learning rate annealing)"),
    setting("rewardClip", \.rewardClip, .codeLevel, "Clip rewards to ±rewardClip after scaling; off = no clip.",
            paper: "Section 3, optimization 5 (reward clipping)", check: positiveOrOff),
    setting("observationNormalization", \.observationNormalization, .codeLevel,
            "Running per-component z-score of observations (Welford).",
            paper: "Section 3, optimization 6 (observation normalization)"),
    setting("observationNormalizer", \.observationNormalizer, .codeLevel,
            "The running statistics of observation normalisation: zFilter, the authors' ZFilter (Welford, n − 1 variance, (x − μ)/(σ + 1e-8)); or gymnasium, Gymnasium's NormalizeObservation (0.28.1/0.29.1 wrappers/normalize.py), which CleanRL's ppo_continuous_action.py L97 uses: statistics start at count 1e-4, mean 0, var 1, population variance, (x − μ)/√(var + 1e-8). Both update with each observation before normalising it, reset and final observations included."),
    setting("observationClip", \.observationClip, .codeLevel,
            "Clip observations to ±observationClip after normalisation; off = no clip.",
            paper: "Section 3, optimization 7 (observation clipping)", check: positiveOrOff),
    setting("activation", \.activation, .codeLevel, "Hidden activation of both networks: tanh (the authors') or relu.",
            paper: "Section 3, optimization 8 (hyperbolic tan activations)"),
    setting("gradientClip", \.gradientClip, .codeLevel,
            "Global gradient-norm clipping (PyTorch clip_grad_norm_). PPO: the policy gradient only, as in the authors' code; with jointLoss, both networks' gradients together (one norm, one factor), as CleanRL's L304. TRPO: the value network's gradient (the authors' TRPO+ setting has no effect in their code; here it clips the value network).",
            paper: "Section 3, optimization 9 (global gradient clipping)", check: positiveOrOff),
    // PPO
    setting("policyLR", \.ppo.policyLR, .ppo, "Policy Adam learning rate.", check: positive),
    setting("clipEpsilon", \.ppo.clipEpsilon, .ppo,
            "Clipping epsilon of the surrogate (paper: 0.2; PPO-NoClip: 1e32); also the value-clipping range when valueClipEpsilon is off.",
            check: positive),
    setting("entropyCoefficient", \.ppo.entropyCoefficient, .ppo,
            "Entropy bonus coefficient, added to the objective (negative values penalise entropy)."),
    setting("policyEpochs", \.ppo.policyEpochs, .ppo, "Policy epochs per iteration.", check: within(1...maximumRepeats)),
    // TRPO
    setting("klBound", \.trpo.klBound, .trpo, "KL bound δ (at the first iteration, when a schedule is set).", check: positive),
    setting("klBoundFinal", \.trpo.klBoundFinal, .trpo,
            "KL bound at the last iteration (linear schedule from klBound); off = constant klBound.", check: positiveOrOff),
    setting("fisherFraction", \.trpo.fisherFraction, .trpo, "Fraction of the batch used for Fisher-vector products (paper: 0.1).",
            check: { v, _ in v > 0 && v <= 1 ? nil : "must be in (0, 1], got \(v)" }),
    setting("cgIterations", \.trpo.cgIterations, .trpo, "Conjugate-gradient iterations (paper: 10).", check: within(1...maximumRepeats)),
    setting("cgDamping", \.trpo.cgDamping, .trpo, "Damping added to the Fisher matrix (paper: 0.1).",
            check: { v, _ in v >= 0 ? nil : "must be at least 0, got \(v)" }),
    setting("fisherSubsetRounding", \.trpo.fisherSubsetRounding, .trpo,
            "How fisherFraction × batch becomes a whole number of states: rounded (205 of 2048 at 0.1) or truncated, as the authors' int() (204)."),
    setting("lineSearchSteps", \.trpo.lineSearchSteps, .trpo,
            "Backtracking line-search tries (paper: 10): step fractions 1, 1/2, ..., 2^-(n-1).", check: within(1...maximumRepeats)),
    setting("lineSearchAcceptRatio", \.trpo.lineSearchAcceptRatio, .trpo,
            "Accept a line-search step when actual improvement > ratio × expected improvement.",
            check: { v, _ in v >= 0 ? nil : "must be at least 0, got \(v)" }),
    // Diagnostics
    setting("diagnosticsEvery", \.diagnosticsEvery, .diagnostics,
            "Trust-region diagnostics on the training batch and a held-out rollout every N iterations (0 = off). Does not change training unless heldOutUpdatesFilters is on.",
            check: { v, _ in v >= 0 ? nil : "must be at least 0 (0 = off), got \(v)" }),
    setting("heldOutUpdatesFilters", \.heldOutUpdatesFilters, .diagnostics,
            "The held-out diagnostic rollout also pushes its observations and rewards into the training normalisation statistics, as the authors' advanced_logging did in 10 of their 15 configs (their held-out rollout ran through the training environment's filters). Changes training."),
    setting("recordEpisodeReturns", \.recordEpisodeReturns, .diagnostics,
            "Store the return of every completed training episode in its iteration's metrics (episodeReturns), which the score method lastEpisodes needs (CleanRL's benchmark: the mean of a run's last 100 episodic returns). Does not change training."),
  ] }

  /// Every key, in table order.
  public static var keys: [String] { current.value.keys }

  /// The row for `key`.
  public static func definition(_ key: String) -> SettingDefinition? { current.value.byKey[key] }

  static func unknownKey(_ key: String) -> ConfigError {
    ConfigError(key: key, message: unknownKeyMessage(key))
  }

  /// "unknown setting; did you mean 'valueClipping'? (…)" when a setting's name is
  /// close to `key`, else the list of every setting (manifests and `--set` alike).
  public static func unknownKeyMessage(_ key: String) -> String {
    "unknown setting; " + NameSuggestion.hint(
      for: key, in: keys, listLabel: "valid settings:",
      listHint: "`repro train --list-settings` lists all \(keys.count) with their documentation")
  }

  /// Checks a JSON value against `type`; returns the value to assign, or a message.
  public static func check(_ value: JSONValue, as type: SettingType) -> Result<JSONValue, ConfigErrorMessage> {
    switch (type, value) {
    case (.number, .number): return .success(value)
    case (.integer, .number(_, let v)) where v == v.rounded() && abs(v) < 1e15: return .success(value)
    case (.boolean, .bool): return .success(value)
    case (.choice(let options), .string(let s)):
      return options.contains(s) ? .success(value) : .failure(.init("expected one of \(options.joined(separator: ", ")), got '\(s)'"))
    case (.optionalNumber, .null): return .success(.null)
    case (.optionalNumber, .number): return .success(value)
    case (.integerList, .array(let items)) where !items.isEmpty:
      for (i, item) in items.enumerated() {
        guard case let .number(_, v) = item, v == v.rounded(), abs(v) < 1e15 else {
          return .failure(.init("expected an integer", index: i))
        }
      }
      return .success(value)
    default:
      return .failure(.init("expected \(type.expected)"))
    }
  }

  /// Reads `--set` text as a JSON value of `type`.
  public static func parse(_ text: String, as type: SettingType) -> Result<JSONValue, ConfigErrorMessage> {
    let t = text.trimmingCharacters(in: .whitespaces)
    switch type {
    case .number:
      guard let v = Double(t), v.isFinite else { return .failure(.init("expected a number, got '\(text)'")) }
      return .success(.number(text: t, value: v))
    case .integer:
      guard let v = Int(t) else { return .failure(.init("expected an integer, got '\(text)'")) }
      return .success(.int(v))
    case .boolean:
      switch t.lowercased() {
      case "true", "on", "yes", "1": return .success(.bool(true))
      case "false", "off", "no", "0": return .success(.bool(false))
      default: return .failure(.init("expected true or false, got '\(text)'"))
      }
    case .choice:
      return check(.string(t), as: type)
    case .optionalNumber:
      if ["off", "none", "null", "nil"].contains(t.lowercased()) { return .success(.null) }
      guard let v = Double(t), v.isFinite else { return .failure(.init("expected a number or off, got '\(text)'")) }
      return check(.number(text: t, value: v), as: type)
    case .integerList:
      let parts = t.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
      guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else {
        return .failure(.init("expected comma-separated integers such as 64,64, got '\(text)'"))
      }
      return .success(.array(parts.map { .int($0!) }))
    }
  }
}

/// A message for a setting whose key is known to the caller; `index` names the
/// offending element of a list value.
public struct ConfigErrorMessage: Error, Equatable, Sendable {
  public var message: String
  public var index: Int?
  public init(_ message: String, index: Int? = nil) {
    self.message = message
    self.index = index
  }
}

extension TrainerConfig {
  /// Every key accepted by `set`, in table order.
  public static var keys: [String] { Settings.keys }

  /// Sets one setting from a JSON value of its type (manifests).
  public mutating func set(_ key: String, json: JSONValue) throws {
    guard let d = Settings.definition(key) else { throw Settings.unknownKey(key) }
    switch Settings.check(json, as: d.type) {
    case .success(let v): d.assign(&self, v)
    case .failure(let e): throw ConfigError(key: key, message: e.message)
    }
  }

  /// Sets one setting from its text form (as given to `--set key=value`).
  /// Optional numbers accept `off`, `none`, `null` or `-1` for off.
  public mutating func set(_ key: String, to text: String) throws {
    guard let d = Settings.definition(key) else { throw Settings.unknownKey(key) }
    switch Settings.parse(text, as: d.type) {
    case .success(let v): d.assign(&self, v)
    case .failure(let e): throw ConfigError(key: key, message: e.message)
    }
  }

  /// The value of `key`, as JSON (nil for an unknown key).
  public func value(of key: String) -> JSONValue? { Settings.definition(key)?.read(self) }

  /// Checks ranges; returns every problem found, in table order (empty when valid).
  public func problems() -> [ConfigError] {
    Settings.table.compactMap { d in d.check(self).map { ConfigError(key: d.key, message: $0) } }
  }

  /// Every setting as a JSON object, in table order.
  public var json: JSONValue { .object(Settings.table.map { ($0.key, $0.read(self)) }) }

  /// The settings that differ from their neutral values, in table order: what
  /// run identity hashes.
  public var nonNeutralSettings: JSONValue {
    let neutral = TrainerConfig()
    return .object(Settings.table.compactMap { d in
      let v = d.read(self)
      return v == d.read(neutral) ? nil : (d.key, v)
    })
  }

  /// A config from a settings object (missing keys keep their neutral values).
  /// Throws on an unknown key or a value of the wrong type.
  public init(settings: JSONValue) throws {
    self.init()
    guard case let .object(members) = settings else {
      throw ConfigError(key: "settings", message: "expected an object")
    }
    for m in members { try set(m.key, json: m.value) }
  }

  /// The KL bound at `iteration` (0-based): linear from `klBound` to `klBoundFinal`.
  public func klBound(at iteration: Int) -> Double {
    guard let final = trpo.klBoundFinal, iterations > 1 else { return trpo.klBound }
    let f = Double(iteration) / Double(iterations - 1)
    return trpo.klBound + (final - trpo.klBound) * f
  }

  /// Learning-rate multiplier at `iteration` (0-based): 1 − iteration / iterations when annealing.
  public func learningRateFactor(at iteration: Int) -> Double {
    learningRateAnnealing ? 1 - Double(iteration) / Double(iterations) : 1
  }
}
