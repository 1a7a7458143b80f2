/// The paper's algorithms as named presets over `TrainerConfig`.
///
/// **The presets follow the authors' released code** (MadryLab/implementation-matters
/// at 5ee6ecb, `configs/{task}_{alg}.py` over `src/MuJoCo.json`, and what their
/// code does with them): the paper's numbers came from that code. Where it
/// differs from the paper's printed Tables 4–6 or its text, the code wins, and
/// the paper-text reading stays available as a named variant ("PPO (paper
/// text)", ...). `experiments/sources/` holds both transcriptions; the tests hold
/// every cell of the paper manifests against them, and every difference must be
/// explained in the manifest (`deviations`), from where the report prints it.
///
/// What every preset of the authors' code shares (their code, not their configs):
/// - time limits are terminal (gym v2 returned done at step 1000; no bootstrap);
/// - a batch ending mid-episode bootstraps with V(s_{N−1}) (`batchEndBootstrap: lastState`);
/// - value clipping, where on, uses `clip_val_eps` = 0.2 (`valueClipEpsilon`), not the policy's ε;
/// - TRPO's Fisher subset is `int(0.1 × 2048)` = 204 states (`fisherSubsetRounding: truncated`);
/// - TRPO+'s KL schedule (`max_kl_final`) never took effect in their code: constant δ;
/// - their TRPO never reads `clip_grad_norm`, so TRPO+'s printed gradient clip has no
///   effect; here `gradientClip` would clip TRPO's value network, so it is off;
/// - `advanced_logging` (10 of 15 configs) ran the held-out rollout through the
///   training filters (`heldOutUpdatesFilters`).
public enum Preset: String, CaseIterable, Sendable {
  case ppo = "PPO"
  case ppoM = "PPO-M"
  case ppoNoClip = "PPO-NoClip"
  case trpo = "TRPO"
  case trpoPlus = "TRPO+"
  /// TRPO+ with the KL schedule the paper (A.1) and the configs describe, applied
  /// (linear from `klBound` at the first iteration to `klBoundFinal` at the last).
  case trpoPlusKLSchedule = "TRPO+ (KL schedule)"
  /// The paper's text where it says something the code does not do: value clipping
  /// on for every task, with the policy's ε ("ε is fixed to the same value", §3).
  case ppoText = "PPO (paper text)"
  /// "Ignores all the code-level optimizations" (§3): PyTorch's default
  /// initialisation ("the default network initialization"), no observation normalisation.
  case ppoMText = "PPO-M (paper text)"
  /// The printed state-clipping row (2.5 on Hopper, 30 on Walker2d) and the policy's ε for value clipping.
  case ppoNoClipText = "PPO-NoClip (paper text)"
  /// "Omit the code-level optimizations" (A.1): default initialisation, no observation normalisation.
  case trpoText = "TRPO (paper text)"
  /// The KL schedule applied and the printed gradient clip applied (to the value network, the only
  /// gradient step TRPO has).
  case trpoPlusText = "TRPO+ (paper text)"
  /// CleanRL's PPO for continuous actions (Huang et al., "The 37 Implementation Details of
  /// Proximal Policy Optimization", ICLR 2022 blog track), not one of the paper's: see
  /// `cleanRLConfig`. The same settings on every task.
  case cleanRL = "CleanRL"

  /// The five algorithms of the paper, as the authors' code ran them.
  public static let paperAlgorithms: [Preset] = [.ppo, .ppoM, .ppoNoClip, .trpo, .trpoPlus]

  /// The paper algorithm this preset is a reading of; nil for a preset that is not the paper's (CleanRL).
  public var base: Preset? {
    switch self {
    case .ppo, .ppoText: return .ppo
    case .ppoM, .ppoMText: return .ppoM
    case .ppoNoClip, .ppoNoClipText: return .ppoNoClip
    case .trpo, .trpoText: return .trpo
    case .trpoPlus, .trpoPlusKLSchedule, .trpoPlusText: return .trpoPlus
    case .cleanRL: return nil
    }
  }

  /// The preset's configuration on `task`: the paper's column for its robot (Hopper-v4
  /// takes Hopper's), CleanRL's on every task; nil for a paper preset on a task the
  /// paper did not run, which has no column to take.
  public func config(on task: TaskID) -> TrainerConfig? {
    guard base != nil else { return Preset.cleanRLConfig() }
    return PaperTask(task: task).map { config(task: $0) }
  }

  /// The preset's configuration for the paper's `task`.
  public func config(task: PaperTask) -> TrainerConfig {
    guard let base else { return Preset.cleanRLConfig() }
    var c = Preset.authorsCode(base, task)
    let printed = PrintedTables.row(base, task)
    switch self {
    case .ppo, .ppoM, .ppoNoClip, .trpo, .trpoPlus:
      break
    case .trpoPlusKLSchedule:
      c.trpo.klBoundFinal = PrintedTables.trpoPlusFinalDelta(task)
    case .ppoText:
      c.valueClipping = true
      c.valueClipEpsilon = nil
    case .ppoMText, .trpoText:
      c.initialization = .default
      c.observationNormalization = false
    case .ppoNoClipText:
      c.observationClip = printed.stateClip
      c.valueClipEpsilon = nil
    case .trpoPlusText:
      c.trpo.klBoundFinal = PrintedTables.trpoPlusFinalDelta(task)
      c.gradientClip = printed.gradientClip
    case .cleanRL:
      break
    }
    return c
  }

  /// CleanRL's `ppo_continuous_action.py`, the Gymnasium version: vwxyzjn/cleanrl at
  /// 35896b1 (2023-11-27, "Refactor to use tyro (#424)", the last change to the file, the
  /// code of CleanRL's published MuJoCo v4 benchmark, tag pr-424, run with gymnasium
  /// 0.28.1; its wrappers compute as 0.29.1's). Every setting with the line it follows
  /// ("L" = a line of that file):
  ///
  /// - budget: 2048 steps per rollout (L51), 1,000,000 // 2048 = 488 iterations (L45, L148);
  ///   one environment (L49); reset once, with the seed (L196): episodes run on across
  ///   iterations (`resetEachIteration` off), each rollout continuing from `next_obs`;
  /// - `jointLoss`: one Adam over both networks (L183), one loss per minibatch (L300), both
  ///   networks on the same minibatches for 10 epochs × 32 (L59, L61, L259-L263), so
  ///   `valueEpochs` = `policyEpochs` = 10 and `valueLR` = `policyLR` = 3e-4 (L47);
  ///   `valueLossCoefficient` 0.25: vf_coef 0.5 (L71) times the ½ in v_loss (L295);
  /// - `gradientClip` 0.5 over both networks' gradients together (L73, L304);
  /// - Adam epsilon 1e-5 (L183); learning rate × (1 − (iteration − 1)/iterations) (L202-L205);
  /// - GAE γ 0.99, λ 0.95 (L55, L57, L233-L246); a batch ending mid-episode bootstraps with
  ///   V(next_obs) (L234, L238-L240: `batchEndBootstrap` nextState);
  /// - truncation: `next_done = terminations or truncations` (L221) and `nextnonterminal =
  ///   1 − done` (L239, L242): a time limit ends the return like a termination, no bootstrap
  ///   (`timeLimit` terminal). Gymnasium 0.28/0.29's `SyncVectorEnv` resets within the step
  ///   that ends an episode (`sync_vector_env.py` `step_wait`), so the next stored observation
  ///   is the reset one, as in the trainer's actor;
  /// - advantages normalised per minibatch, std n − 1, + 1e-8 (L63, L276-L277);
  /// - clipped surrogate ε 0.2 (L65, L280-L282); entropy coefficient 0 (L69); no target KL (L75);
  /// - value loss clipped around the old value by the same ε 0.2 (L67, L286-L295:
  ///   `valueClipEpsilon` off = the policy's ε), over every sample (no mask at episode ends:
  ///   `valueLossMaskEpisodeEnds` off);
  /// - `clipActions`: the sample is stored unclipped and clipped to the bounds before the
  ///   environment (`ClipAction`, L96; log-probabilities are of the unclipped sample, L214-L217);
  /// - observations: Gymnasium's `NormalizeObservation` (L97, `observationNormalizer`
  ///   gymnasium), then clip ±10 (L98);
  /// - rewards: Gymnasium's `NormalizeReward(gamma)` (L99, `rewardNormalization` gymnasium),
  ///   then clip ±10 (L100);
  /// - networks: separate [64, 64] tanh MLPs (L115-L128), orthogonal init with gain √2 on
  ///   hidden layers, 0.01 on the policy head, 1.0 on the value head, zero biases
  ///   (L106-L109, L120, L127); state-independent log-std initialised to 0 (L129);
  /// - scored as CleanRL's benchmark scores (`recordEpisodeReturns`, score lastEpisodes 100);
  ///   no held-out diagnostic rollouts (`diagnosticsEvery` 0: CleanRL has none, and they never
  ///   change training).
  ///
  /// Not reproduced: CleanRL samples and trains in float32 on torch (here the networks run in
  /// Float, losses and statistics in Double), and its random streams are numpy's and torch's.
  static func cleanRLConfig() -> TrainerConfig {
    var c = TrainerConfig()
    c.iterations = 488
    c.stepsPerIteration = 2048
    c.resetEachIteration = false
    c.algorithm = .ppo
    c.gamma = 0.99
    c.gaeLambda = 0.95
    c.ppo.policyLR = 3e-4
    c.valueLR = 3e-4
    c.adamEpsilon = 1e-5
    c.ppo.policyEpochs = 10
    c.valueEpochs = 10
    c.minibatches = 32
    c.jointLoss = true
    c.valueLossCoefficient = 0.25
    c.gradientClip = 0.5
    c.learningRateAnnealing = true
    c.advantageNormalization = true
    c.ppo.clipEpsilon = 0.2
    c.ppo.entropyCoefficient = 0
    c.valueClipping = true
    c.valueClipEpsilon = nil
    c.valueLossMaskEpisodeEnds = false
    c.timeLimit = .terminal
    c.batchEndBootstrap = .nextState
    c.clipActions = true
    c.observationNormalization = true
    c.observationNormalizer = .gymnasium
    c.observationClip = 10
    c.rewardNormalization = .gymnasium
    c.rewardClip = 10
    c.hiddenSizes = [64, 64]
    c.activation = .tanh
    c.initialization = .orthogonal
    c.diagnosticsEvery = 0
    c.heldOutUpdatesFilters = false
    c.recordEpisodeReturns = true
    return c
  }

  /// The authors' configuration of `preset` (one of `paperAlgorithms`) on `task`.
  static func authorsCode(_ preset: Preset, _ task: PaperTask) -> TrainerConfig {
    var c = TrainerConfig()
    let h = PrintedTables.row(preset, task)
    // What their code does for every config.
    c.timeLimit = .terminal
    c.batchEndBootstrap = .lastState
    c.valueClipEpsilon = 0.2
    // The printed rows, which equal their configs (the state-clipping row aside, below).
    c.gaeLambda = h.lambda
    c.valueLR = h.valueLR
    c.ppo.entropyCoefficient = h.entropy
    c.rewardClip = h.rewardClip
    c.gradientClip = h.gradientClip
    c.rewardNormalization = h.rewardNorm
    c.observationClip = h.stateClip
    // The rest of their configs, cell by cell.
    let t = task
    switch preset {
    case .ppo:
      c.ppo.policyLR = h.policyLR ?? c.ppo.policyLR
      c.valueClipping = t != .hopper
      c.heldOutUpdatesFilters = t != .hopper
    case .ppoNoClip:
      c.ppo.policyLR = h.policyLR ?? c.ppo.policyLR
      c.ppo.clipEpsilon = 1e32
      // Their state clip: the base 10 on Hopper (printed 2.5), none on Walker2d (printed 30).
      c.observationClip = t == .walker2d ? nil : 10
      c.valueClipping = t == .humanoid
      c.initialization = t == .humanoid ? .xavier : .orthogonal
      c.learningRateAnnealing = t != .humanoid
      c.heldOutUpdatesFilters = true
    case .ppoM:
      c.ppo.policyLR = h.policyLR ?? c.ppo.policyLR
      c.valueClipping = false
      c.initialization = .xavier
      c.learningRateAnnealing = false
      c.heldOutUpdatesFilters = true
    case .trpo:
      c.algorithm = .trpo
      c.trpo.klBound = h.delta ?? c.trpo.klBound
      c.trpo.fisherSubsetRounding = .truncated
      c.valueClipping = false
      c.initialization = .xavier
      c.learningRateAnnealing = false
      c.heldOutUpdatesFilters = t == .humanoid
    case .trpoPlus, .trpoPlusKLSchedule, .ppoText, .ppoMText, .ppoNoClipText, .trpoText, .trpoPlusText:
      c.algorithm = .trpo
      c.trpo.klBound = h.delta ?? c.trpo.klBound
      c.trpo.fisherSubsetRounding = .truncated
      // Their clip_grad_norm (1, 1, 0.5) is never read by their TRPO step.
      c.gradientClip = nil
      c.valueClipping = t == .humanoid
      c.initialization = t == .humanoid ? .xavier : .orthogonal
      c.learningRateAnnealing = false
      c.heldOutUpdatesFilters = t == .hopper
    case .cleanRL:
      break  // never asked: not one of the paper's algorithms (`config(task:)` returns `cleanRLConfig()`)
    }
    return c
  }
}

/// The three tasks of the paper: columns of its tables, not tasks the harness runs
/// (`TaskID`). Every version of a robot takes the paper's column for it.
public enum PaperTask: String, CaseIterable, Sendable {
  case walker2d = "Walker2d"
  case hopper = "Hopper"
  case humanoid = "Humanoid"

  public var gymnasiumID: String { "\(rawValue)-v5" }

  /// The harness's task for this column: its v5 task.
  public var task: TaskID { TaskID(rawValue: rawValue) }

  /// The column of `task`'s robot, or nil for a robot the paper did not run.
  public init?(task: TaskID) {
    guard let family = TaskRegistry.row(task.rawValue)?.family, let t = PaperTask(rawValue: family) else { return nil }
    self = t
  }

  /// Accepts "Hopper", "hopper" or "Hopper-v5".
  public init?(name: String) {
    let base = name.hasSuffix("-v5") ? String(name.dropLast(3)) : name
    guard let t = PaperTask.allCases.first(where: { $0.rawValue.lowercased() == base.lowercased() }) else { return nil }
    self = t
  }
}

/// One column of the paper's Tables 4–6 as printed ("—" and "-1" are nil).
struct PrintedRow {
  var lambda: Double
  var valueLR: Double
  var delta: Double?
  var policyLR: Double?
  var entropy: Double
  var rewardClip: Double?
  var gradientClip: Double?
  var rewardNorm: RewardNormalization
  var stateClip: Double?
}

/// The paper's Tables 4 (Walker2d), 5 (Humanoid) and 6 (Hopper), as printed.
enum PrintedTables {
  static func row(_ p: Preset, _ t: PaperTask) -> PrintedRow {
    switch (t, p.base) {
    // Table 4: Walker2d
    case (.walker2d, .ppo): return PrintedRow(lambda: 0.95, valueLR: 3e-4, delta: nil, policyLR: 4e-4, entropy: 0, rewardClip: 10, gradientClip: nil, rewardNorm: .returns, stateClip: 10)
    case (.walker2d, .trpo): return PrintedRow(lambda: 0.95, valueLR: 3e-4, delta: 0.04, policyLR: nil, entropy: 0, rewardClip: nil, gradientClip: nil, rewardNorm: .none, stateClip: nil)
    case (.walker2d, .ppoNoClip): return PrintedRow(lambda: 0.85, valueLR: 6e-4, delta: nil, policyLR: 7.25e-5, entropy: -0.01, rewardClip: 30, gradientClip: 0.1, rewardNorm: .rewards, stateClip: 30)
    case (.walker2d, .ppoM): return PrintedRow(lambda: 0.95, valueLR: 2e-4, delta: nil, policyLR: 1e-4, entropy: 0, rewardClip: nil, gradientClip: nil, rewardNorm: .none, stateClip: nil)
    case (.walker2d, _): return PrintedRow(lambda: 0.95, valueLR: 1e-4, delta: 0.07, policyLR: nil, entropy: 0, rewardClip: 10, gradientClip: 1, rewardNorm: .returns, stateClip: 10)
    // Table 5: Humanoid
    case (.humanoid, .ppo): return PrintedRow(lambda: 0.95, valueLR: 1e-4, delta: nil, policyLR: 1.5e-4, entropy: 0, rewardClip: 10, gradientClip: nil, rewardNorm: .returns, stateClip: 10)
    case (.humanoid, .trpo): return PrintedRow(lambda: 0.95, valueLR: 3e-4, delta: 0.07, policyLR: nil, entropy: 0, rewardClip: nil, gradientClip: nil, rewardNorm: .none, stateClip: nil)
    case (.humanoid, .ppoNoClip): return PrintedRow(lambda: 0.85, valueLR: 5e-5, delta: nil, policyLR: 2e-5, entropy: 0.005, rewardClip: 10, gradientClip: 0.5, rewardNorm: .returns, stateClip: 10)
    case (.humanoid, .ppoM): return PrintedRow(lambda: 0.95, valueLR: 4e-4, delta: nil, policyLR: 9e-5, entropy: 0, rewardClip: nil, gradientClip: nil, rewardNorm: .none, stateClip: nil)
    case (.humanoid, _): return PrintedRow(lambda: 0.85, valueLR: 5e-5, delta: 0.1, policyLR: nil, entropy: 0, rewardClip: 10, gradientClip: 0.5, rewardNorm: .returns, stateClip: 10)
    // Table 6: Hopper
    case (.hopper, .ppo): return PrintedRow(lambda: 0.95, valueLR: 2.5e-4, delta: nil, policyLR: 3e-4, entropy: 0, rewardClip: 10, gradientClip: nil, rewardNorm: .returns, stateClip: 10)
    case (.hopper, .trpo): return PrintedRow(lambda: 0.95, valueLR: 2e-4, delta: 0.13, policyLR: nil, entropy: 0, rewardClip: nil, gradientClip: nil, rewardNorm: .none, stateClip: nil)
    case (.hopper, .ppoNoClip): return PrintedRow(lambda: 0.925, valueLR: 4e-4, delta: nil, policyLR: 6e-5, entropy: -0.005, rewardClip: 2.5, gradientClip: 4, rewardNorm: .rewards, stateClip: 2.5)
    case (.hopper, .ppoM): return PrintedRow(lambda: 0.95, valueLR: 4e-4, delta: nil, policyLR: 1.7e-4, entropy: 0, rewardClip: nil, gradientClip: nil, rewardNorm: .none, stateClip: nil)
    case (.hopper, _): return PrintedRow(lambda: 0.95, valueLR: 2e-4, delta: 0.04, policyLR: nil, entropy: 0, rewardClip: 10, gradientClip: 1, rewardNorm: .returns, stateClip: 10)
    }
  }

  /// The TRPO+ KL schedules' final bounds in the authors' configs (`max_kl_final`):
  /// Hopper 0.04 → 0.07, Walker2d 0.07 → 0.04, Humanoid 0.1 → 0.05.
  static func trpoPlusFinalDelta(_ t: PaperTask) -> Double {
    switch t {
    case .hopper: return 0.07
    case .walker2d: return 0.04
    case .humanoid: return 0.05
    }
  }
}

/// What the paper says a cell's settings are, in this project's setting keys:
/// its printed Tables 4–6, and its text where the text is specific (§3 on PPO,
/// PPO-M and value clipping; A.1 on TRPO and the TRPO+ KL schedule). Settings the
/// paper leaves to "grid search" (PPO-NoClip's and TRPO+'s unprinted switches)
/// are not listed.
public enum PaperReading {
  /// One expected value and where the paper says it.
  public struct Expectation: Sendable, Equatable {
    public var key: String
    public var value: JSONValue
    /// E.g. "Table 6", "§3", "A.1".
    public var source: String
  }

  /// The table that prints `task`'s hyperparameters.
  public static func table(_ task: PaperTask) -> String {
    switch task {
    case .walker2d: return "Table 4"
    case .humanoid: return "Table 5"
    case .hopper: return "Table 6"
    }
  }

  /// The expectations for the paper algorithm `preset.base` on `task`. A value-clip
  /// range is only expected for PPO variants where `valueClippingOn` (then §3: the
  /// policy's ε); it is compared as the effective range (see `Fidelity`).
  public static func expectations(_ preset: Preset, _ task: PaperTask, valueClippingOn: Bool) -> [Expectation] {
    guard let base = preset.base else { return [] }  // not a paper algorithm: the paper says nothing of it
    let h = PrintedTables.row(base, task)
    let table = PaperReading.table(task)
    let isTRPO = base == .trpo || base == .trpoPlus
    var out: [Expectation] = []
    func add(_ key: String, _ value: JSONValue, _ source: String) { out.append(Expectation(key: key, value: value, source: source)) }
    add("stepsPerIteration", .int(2048), table)
    add("gamma", .double(0.99), table)
    add("gaeLambda", .double(h.lambda), table)
    add("valueLR", .double(h.valueLR), table)
    add("valueEpochs", .int(10), table)
    add("hiddenSizes", .array([.int(64), .int(64)]), table)
    add("rewardClip", h.rewardClip.json, table)
    add("rewardNormalization", h.rewardNorm.json, table)
    add("observationClip", h.stateClip.json, table)
    add("gradientClip", h.gradientClip.json, table)
    if isTRPO {
      add("klBound", .double(h.delta ?? 0), table)
      add("fisherFraction", .double(0.1), table)
      add("cgIterations", .int(10), table)
      add("cgDamping", .double(0.1), table)
      add("lineSearchSteps", .int(10), table)
    } else {
      add("policyLR", .double(h.policyLR ?? 0), table)
      add("clipEpsilon", .double(base == .ppoNoClip ? 1e32 : 0.2), table)
      add("entropyCoefficient", .double(h.entropy), table)
      add("policyEpochs", .int(10), table)
    }
    switch base {
    case .ppo:
      add("valueClipping", .bool(true), "§3")
      add("initialization", InitializationKind.orthogonal.json, "§3")
      add("observationNormalization", .bool(true), "§3")
    case .ppoM, .trpo:
      let source = base == .ppoM ? "§3" : "A.1"
      add("valueClipping", .bool(false), source)
      add("initialization", InitializationKind.default.json, source)
      add("learningRateAnnealing", .bool(false), source)
      add("observationNormalization", .bool(false), source)
    case .trpoPlus:
      add("klBoundFinal", .double(PrintedTables.trpoPlusFinalDelta(task)), "A.1 (values: the authors' configs)")
    default:
      break
    }
    if valueClippingOn && !isTRPO { add("valueClipEpsilon", .double(base == .ppoNoClip ? 1e32 : 0.2), "§3") }
    return out
  }
}

extension Preset {
  /// The colour (an index into the Okabe–Ito palette, `PlotColor.okabeIto` in Reports)
  /// of a figure row named after this preset, in every figure of the study: PPO blue,
  /// PPO-M orange, TRPO bluish green, TRPO+ reddish purple, PPO-NoClip sky blue,
  /// TRPO+ (KL schedule) vermillion; the paper-text variants take their preset's
  /// colour, and CleanRL's PPO takes PPO's. Black and yellow are left to other rows
  /// (black is the paper's mark in the bar charts; yellow is faint on white).
  public var figureColorIndex: Int {
    switch self {
    case .ppo, .ppoText, .cleanRL: 0
    case .ppoM, .ppoMText: 1
    case .trpo, .trpoText: 2
    case .trpoPlus, .trpoPlusText: 3
    case .ppoNoClip, .ppoNoClipText: 4
    case .trpoPlusKLSchedule: 5
    }
  }
}
