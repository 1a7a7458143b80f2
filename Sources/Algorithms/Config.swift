import Foundation

/// Which policy update an agent uses.
public enum AlgorithmKind: String, Codable, Sendable, CaseIterable {
  /// Proximal Policy Optimization: clipped surrogate, Adam on the policy (Schulman et al., 2017).
  case ppo
  /// Trust Region Policy Optimization: natural gradient step with a KL bound and line search.
  case trpo
}

/// Reward normalisation (paper, Section 3, optimization 2 "Reward scaling").
public enum RewardNormalization: String, Codable, Sendable, CaseIterable {
  /// Raw rewards.
  case none
  /// The authors' `ZFilter(center=False)` on the reward itself: r / (std + 1e-8)
  /// with the running std of rewards (see `RewardScaler` for the exact formula).
  case rewards
  /// Divide each reward by the running std of the discounted return (the authors' scheme).
  case returns
}

/// Hidden-layer nonlinearity (paper, Section 3, optimization 8 "Hyperbolic tan activations").
public enum ActivationKind: String, Codable, Sendable, CaseIterable {
  case tanh
  case relu
}

/// Network initialisation (paper, Section 3, optimization 3 "Orthogonal initialization and layer scaling").
public enum InitializationKind: String, Codable, Sendable, CaseIterable {
  /// Orthogonal weights, gain sqrt(2) on hidden layers, 0.01 on the policy head, 1.0 on the value head; zero biases.
  case orthogonal
  /// PyTorch's default nn.Linear init: weights and biases U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
  case `default`
}

/// How a run's single score is computed from its per-iteration mean returns.
public enum ScoreMethod: String, Codable, Sendable, CaseIterable {
  /// Mean over the last `scoreIterations` iterations of each iteration's mean completed-episode return (the authors' code).
  case lastMean
  /// Maximum over iterations (an older notebook of the authors).
  case max
}

/// Every setting of one training run, fully resolved. Field names are the names
/// used in manifests and by `repro train --set key=value`.
///
/// Defaults are the authors' PPO on Hopper (paper Table 6 and the released code);
/// presets (`Presets`) fill per-algorithm, per-task values.
public struct TrainerConfig: Codable, Sendable, Equatable {
  // MARK: Budget
  /// Policy updates (paper: 488, so 488 × 2048 = 999,424 steps).
  public var iterations: Int = 488
  /// Environment steps collected per iteration (paper: 2048).
  public var stepsPerIteration: Int = 2048
  /// Reset the environment at the start of every iteration, dropping the partial
  /// episode (the authors' code does this). Off: episodes continue across iterations.
  public var resetEachIteration: Bool = true

  // MARK: Algorithm
  public var algorithm: AlgorithmKind = .ppo
  /// Discount factor, in (0, 1].
  public var gamma: Double = 0.99
  /// GAE lambda, in [0, 1].
  public var gaeLambda: Double = 0.95
  /// Policy Adam learning rate (PPO only).
  public var policyLR: Double = 3e-4
  /// Value-network Adam learning rate.
  public var valueLR: Double = 2.5e-4
  /// Adam epsilon for both networks (authors: 1e-5).
  public var adamEpsilon: Double = 1e-5
  /// PPO clipping epsilon (paper: 0.2; PPO-NoClip: 1e32). Also the value-clipping range.
  public var clipEpsilon: Double = 0.2
  /// Entropy bonus coefficient (added to the objective; negative values penalise entropy).
  /// PPO only: TRPO's step maximises the plain surrogate.
  public var entropyCoefficient: Double = 0
  /// PPO policy epochs per iteration.
  public var policyEpochs: Int = 10
  /// Value-network epochs per iteration.
  public var valueEpochs: Int = 10
  /// Minibatches per epoch (both networks).
  public var minibatches: Int = 32
  /// Normalise advantages per minibatch (mean 0, std 1, + 1e-8), as the authors' code does.
  public var advantageNormalization: Bool = true
  /// Hidden layer sizes of both networks.
  public var hiddenSizes: [Int] = [64, 64]

  // MARK: Code-level optimizations (paper, Section 3)
  /// 1. Value function clipping: clip V around the old value by ±clipEpsilon, take the max of the clipped and unclipped squared errors.
  public var valueClipping: Bool = true
  /// 2. Reward scaling: none / rewards / returns.
  public var rewardNormalization: RewardNormalization = .returns
  /// 3. Orthogonal initialization and layer scaling (else PyTorch's default init).
  public var initialization: InitializationKind = .orthogonal
  /// 4. Adam learning-rate annealing: both learning rates × (1 − iteration / iterations).
  public var learningRateAnnealing: Bool = true
  /// 5. Reward clipping to [−rewardClip, rewardClip] after scaling; nil = off.
  public var rewardClip: Double? = 10
  /// 6. Observation normalization: running per-component z-score (Welford).
  public var observationNormalization: Bool = true
  /// 7. Observation clipping to [−observationClip, observationClip] after normalisation; nil = off.
  public var observationClip: Double? = 10
  /// 8. Hidden activation: tanh (the authors') or relu.
  public var activation: ActivationKind = .tanh
  /// 9. Global gradient-norm clipping (PyTorch clip_grad_norm_); nil = off.
  /// PPO: the policy gradient only, as in the authors' code (their value network is never clipped).
  /// TRPO: the value network's gradient. The authors' TRPO+ setting has no effect in their code (the
  /// policy step is a trust-region step); we apply it to the value network so that the switch does something.
  public var gradientClip: Double? = nil
  /// Leave the last step of every finished episode out of the value loss, as the authors'
  /// code does (it masks steps with `not_done == 0`). Off: every step's target is fitted.
  public var valueLossMaskEpisodeEnds: Bool = true
  /// Clip actions to the action bounds before stepping the environment. The authors' code
  /// passes the Gaussian sample unclipped (MuJoCo clamps the control internally; the control
  /// cost sees the raw action), so this is off by default.
  public var clipActions: Bool = false

  // MARK: TRPO
  /// KL bound delta at the first iteration.
  public var klBound: Double = 0.04
  /// KL bound at the last iteration (linear schedule, TRPO+); nil = constant `klBound`.
  /// Note: in the authors' released code the schedule updates an attribute that the TRPO step
  /// never reads, so their TRPO+ ran with a constant bound; set this to nil to reproduce that.
  public var klBoundFinal: Double? = nil
  /// Fraction of the batch used for Fisher-vector products (paper: 0.1).
  public var fisherFraction: Double = 0.1
  /// Conjugate-gradient iterations (paper: 10).
  public var cgIterations: Int = 10
  /// Damping added to the Fisher matrix (paper: 0.1).
  public var cgDamping: Double = 0.1
  /// Backtracking line-search tries (paper: 10): step fractions 1, 1/2, ..., 2^-(n-1).
  public var lineSearchSteps: Int = 10
  /// Accept a line-search step when actual improvement > ratio × expected improvement.
  public var lineSearchAcceptRatio: Double = 0.1

  // MARK: Diagnostics and score
  /// Trust-region diagnostics every N iterations (0 = off).
  public var diagnosticsEvery: Int = 10
  public var scoreMethod: ScoreMethod = .lastMean
  /// Iterations averaged by `lastMean`.
  public var scoreIterations: Int = 5

  public init() {}
}

/// A problem with a setting: unknown key, unparsable value, or out of range.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
  public var key: String
  public var message: String
  public init(key: String, message: String) {
    self.key = key
    self.message = message
  }
  public var description: String { "\(key): \(message)" }
}

extension TrainerConfig {
  /// Every key accepted by `set(_:to:)`, in a stable order.
  public static let keys: [String] = [
    "algorithm", "iterations", "stepsPerIteration", "resetEachIteration",
    "gamma", "gaeLambda", "policyLR", "valueLR", "adamEpsilon", "clipEpsilon",
    "entropyCoefficient", "policyEpochs", "valueEpochs", "minibatches",
    "advantageNormalization", "hiddenSizes", "valueLossMaskEpisodeEnds", "clipActions",
    "valueClipping", "rewardNormalization", "initialization", "learningRateAnnealing",
    "rewardClip", "observationNormalization", "observationClip", "activation", "gradientClip",
    "klBound", "klBoundFinal", "fisherFraction", "cgIterations", "cgDamping",
    "lineSearchSteps", "lineSearchAcceptRatio",
    "diagnosticsEvery", "scoreMethod", "scoreIterations",
  ]

  /// Sets one field from its text form (as given to `--set key=value`).
  /// Optional numbers accept `off`, `none` or `-1` for nil (the paper's "-1 means off").
  public mutating func set(_ key: String, to text: String) throws {
    func num() throws -> Double {
      guard let v = Double(text), v.isFinite else {
        throw ConfigError(key: key, message: "expected a number, got '\(text)'")
      }
      return v
    }
    func int() throws -> Int {
      guard let v = Int(text) else { throw ConfigError(key: key, message: "expected an integer, got '\(text)'") }
      return v
    }
    func bool() throws -> Bool {
      switch text.lowercased() {
      case "true", "on", "yes", "1": return true
      case "false", "off", "no", "0": return false
      default: throw ConfigError(key: key, message: "expected true or false, got '\(text)'")
      }
    }
    func optNum() throws -> Double? {
      switch text.lowercased() {
      case "off", "none", "nil", "null", "-1": return nil
      default: return try num()
      }
    }
    func choice<E: RawRepresentable & CaseIterable>(_: E.Type) throws -> E where E.RawValue == String {
      if let e = E(rawValue: text) { return e }
      throw ConfigError(key: key, message: "expected one of \(E.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
    }
    switch key {
    case "algorithm": algorithm = try choice(AlgorithmKind.self)
    case "iterations": iterations = try int()
    case "stepsPerIteration": stepsPerIteration = try int()
    case "resetEachIteration": resetEachIteration = try bool()
    case "gamma": gamma = try num()
    case "gaeLambda": gaeLambda = try num()
    case "policyLR": policyLR = try num()
    case "valueLR": valueLR = try num()
    case "adamEpsilon": adamEpsilon = try num()
    case "clipEpsilon": clipEpsilon = try num()
    case "entropyCoefficient": entropyCoefficient = try num()
    case "policyEpochs": policyEpochs = try int()
    case "valueEpochs": valueEpochs = try int()
    case "minibatches": minibatches = try int()
    case "advantageNormalization": advantageNormalization = try bool()
    case "hiddenSizes":
      let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
      guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else {
        throw ConfigError(key: key, message: "expected comma-separated integers such as 64,64, got '\(text)'")
      }
      hiddenSizes = parts.map { $0! }
    case "valueLossMaskEpisodeEnds": valueLossMaskEpisodeEnds = try bool()
    case "clipActions": clipActions = try bool()
    case "valueClipping": valueClipping = try bool()
    case "rewardNormalization": rewardNormalization = try choice(RewardNormalization.self)
    case "initialization": initialization = try choice(InitializationKind.self)
    case "learningRateAnnealing": learningRateAnnealing = try bool()
    case "rewardClip": rewardClip = try optNum()
    case "observationNormalization": observationNormalization = try bool()
    case "observationClip": observationClip = try optNum()
    case "activation": activation = try choice(ActivationKind.self)
    case "gradientClip": gradientClip = try optNum()
    case "klBound": klBound = try num()
    case "klBoundFinal": klBoundFinal = try optNum()
    case "fisherFraction": fisherFraction = try num()
    case "cgIterations": cgIterations = try int()
    case "cgDamping": cgDamping = try num()
    case "lineSearchSteps": lineSearchSteps = try int()
    case "lineSearchAcceptRatio": lineSearchAcceptRatio = try num()
    case "diagnosticsEvery": diagnosticsEvery = try int()
    case "scoreMethod": scoreMethod = try choice(ScoreMethod.self)
    case "scoreIterations": scoreIterations = try int()
    default:
      throw ConfigError(key: key, message: "unknown setting; valid settings: \(TrainerConfig.keys.joined(separator: ", "))")
    }
  }

  /// Checks ranges; returns every problem found (empty when valid).
  public func problems() -> [ConfigError] {
    var out: [ConfigError] = []
    func need(_ ok: Bool, _ key: String, _ msg: String) { if !ok { out.append(ConfigError(key: key, message: msg)) } }
    need(iterations >= 1, "iterations", "must be at least 1, got \(iterations)")
    need(stepsPerIteration >= 2, "stepsPerIteration", "must be at least 2, got \(stepsPerIteration)")
    need(gamma > 0 && gamma <= 1, "gamma", "must be in (0, 1], got \(gamma)")
    need(gaeLambda >= 0 && gaeLambda <= 1, "gaeLambda", "must be in [0, 1], got \(gaeLambda)")
    need(policyLR > 0, "policyLR", "must be positive, got \(policyLR)")
    need(valueLR > 0, "valueLR", "must be positive, got \(valueLR)")
    need(adamEpsilon > 0, "adamEpsilon", "must be positive, got \(adamEpsilon)")
    need(clipEpsilon > 0, "clipEpsilon", "must be positive, got \(clipEpsilon)")
    need(entropyCoefficient.isFinite, "entropyCoefficient", "must be finite")
    need(policyEpochs >= 1, "policyEpochs", "must be at least 1, got \(policyEpochs)")
    need(valueEpochs >= 0, "valueEpochs", "must be at least 0, got \(valueEpochs)")
    need(minibatches >= 1 && minibatches <= stepsPerIteration, "minibatches",
         "must be in 1...stepsPerIteration (\(stepsPerIteration)), got \(minibatches)")
    need(!hiddenSizes.isEmpty && hiddenSizes.allSatisfy { $0 >= 1 && $0 <= 4096 }, "hiddenSizes",
         "must be one or more sizes in 1...4096, got \(hiddenSizes)")
    if let c = rewardClip { need(c > 0, "rewardClip", "must be positive or off, got \(c)") }
    if let c = observationClip { need(c > 0, "observationClip", "must be positive or off, got \(c)") }
    if let c = gradientClip { need(c > 0, "gradientClip", "must be positive or off, got \(c)") }
    need(klBound > 0, "klBound", "must be positive, got \(klBound)")
    if let k = klBoundFinal { need(k > 0, "klBoundFinal", "must be positive or off, got \(k)") }
    need(fisherFraction > 0 && fisherFraction <= 1, "fisherFraction", "must be in (0, 1], got \(fisherFraction)")
    need(cgIterations >= 1, "cgIterations", "must be at least 1, got \(cgIterations)")
    need(cgDamping >= 0, "cgDamping", "must be at least 0, got \(cgDamping)")
    need(lineSearchSteps >= 1, "lineSearchSteps", "must be at least 1, got \(lineSearchSteps)")
    need(lineSearchAcceptRatio >= 0, "lineSearchAcceptRatio", "must be at least 0, got \(lineSearchAcceptRatio)")
    need(diagnosticsEvery >= 0, "diagnosticsEvery", "must be at least 0 (0 = off), got \(diagnosticsEvery)")
    need(scoreIterations >= 1, "scoreIterations", "must be at least 1, got \(scoreIterations)")
    return out
  }

  /// The KL bound at `iteration` (0-based): linear from `klBound` to `klBoundFinal`.
  public func klBound(at iteration: Int) -> Double {
    guard let final = klBoundFinal, iterations > 1 else { return klBound }
    let f = Double(iteration) / Double(iterations - 1)
    return klBound + (final - klBound) * f
  }

  /// Learning-rate multiplier at `iteration` (0-based): 1 − iteration / iterations when annealing.
  public func learningRateFactor(at iteration: Int) -> Double {
    learningRateAnnealing ? 1 - Double(iteration) / Double(iterations) : 1
  }
}
