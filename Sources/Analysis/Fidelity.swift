import Foundation
import Manifests
import Running
import RunModel

// Fidelity: how the runs a manifest asks for differ from what the paper printed
// and from what the authors' released code ran, setting by setting. The
// differences are computed (never typed): from the resolved settings, the
// paper's reading (`PaperReading`) and the transcription of the authors'
// configs (`AuthorsConfigs`). A manifest explains each one in `deviations`;
// `Fidelity.check` lists those without a reason, and the report prints them all.

/// The authors' released configs, as transcribed in `experiments/sources/authors-configs.json`.
public struct AuthorsConfigs: Sendable {
  public var repository: String
  public var commit: String
  /// Config name ("hopper_ppo") → the resolved settings of its agents (base + overrides), their keys.
  public var resolved: [String: [String: JSONValue]]
  public var paths: [String: String]

  public static func load(path: String) throws -> AuthorsConfigs {
    let json: JSONValue
    do {
      json = try JSONParser.parse(Data(contentsOf: URL(fileURLWithPath: path)))
    } catch {
      throw FidelityError("\(path): cannot read the authors' configs: \(error)")
    }
    guard let repository = json["source"]?["repository"]?.stringValue, let commit = json["source"]?["commit"]?.stringValue,
          case let .object(base)? = json["base"], case let .object(configs)? = json["configs"] else {
      throw FidelityError("\(path): expected source.repository, source.commit, base and configs")
    }
    var resolved: [String: [String: JSONValue]] = [:]
    var paths: [String: String] = [:]
    for c in configs {
      guard case let .object(overrides)? = c.value["overrides"] else { throw FidelityError("\(path): configs.\(c.key): no overrides") }
      var r = Dictionary(uniqueKeysWithValues: base.map { ($0.key, $0.value) })
      for o in overrides { r[o.key] = o.value }
      resolved[c.key] = r
      paths[c.key] = c.value["path"]?.stringValue ?? "configs/\(c.key).py"
    }
    return AuthorsConfigs(repository: repository, commit: commit, resolved: resolved, paths: paths)
  }

  /// Every key of their configs (`src/MuJoCo.json`), with the setting it governs here, or nil
  /// and why it governs none. `FidelityTests` fails when their configs hold a key missing
  /// here, or a key mapped to a setting that `effectiveSettings` leaves out.
  public static let keyMap: [String: (setting: String?, why: String)] = [
    "adam_eps": ("adamEpsilon", ""), "advanced_logging": ("heldOutUpdatesFilters", ""),
    "anneal_lr": ("learningRateAnnealing", ""), "cg_steps": ("cgIterations", ""), "clip_eps": ("clipEpsilon", ""),
    "clip_grad_norm": ("gradientClip", ""), "clip_observations": ("observationClip", ""), "clip_rewards": ("rewardClip", ""),
    "clip_val_eps": ("valueClipEpsilon", ""), "damping": ("cgDamping", ""), "entropy_coeff": ("entropyCoefficient", ""),
    "fisher_frac_samples": ("fisherFraction", ""), "gamma": ("gamma", ""), "initialization": ("initialization", ""),
    "lambda": ("gaeLambda", ""), "log_every": ("diagnosticsEvery", ""), "max_backtrack": ("lineSearchSteps", ""),
    "max_kl": ("klBound", ""), "max_kl_final": ("klBoundFinal", ""), "mode": ("algorithm", ""),
    "norm_rewards": ("rewardNormalization", ""), "norm_states": ("observationNormalization", ""),
    "num_minibatches": ("minibatches", ""), "ppo_epochs": ("policyEpochs", ""), "ppo_lr_adam": ("policyLR", ""),
    "share_weights": ("jointLoss", ""), "t": ("stepsPerIteration", ""), "train_steps": ("iterations", ""),
    "val_epochs": ("valueEpochs", ""), "val_lr": ("valueLR", ""), "value_clipping": ("valueClipping", ""),
    "value_multiplier": ("valueLossCoefficient", ""),
    "cpu": (nil, "the device; training is on the CPU here too"),
    "game": (nil, "the task, a manifest's tasks"),
    "kl_approximation_iters": (nil, "-1 in every config: the KL is computed on the whole batch, as here"),
    "num_actors": (nil, "1 in every config: one environment, as here"),
    "out_dir": (nil, "where their results go"),
    "policy_net_type": (nil, "CtsPolicy, the Gaussian MLP policy with a state-independent log-std, the one policy here"),
    "ppo_lr": (nil, "-1 in every config: ppo_lr_adam is the learning rate"),
    "save_iters": (nil, "checkpoint interval; no effect on training"),
    "value_calc": (nil, "gae in every config: GAE value targets, the only kind here"),
    "value_net_type": (nil, "ValueNet, the MLP value network here"),
  ]

  /// Their config's name for a paper algorithm on a task: `hopper_ppo`, `walker_trpo_plus`, ...
  public static func name(_ preset: Preset, _ task: PaperTask) -> String {
    let t = task == .walker2d ? "walker" : task.rawValue.lowercased()
    let a: String
    switch preset.base {
    case .ppo: a = "ppo"
    case .ppoM: a = "ppom"
    case .ppoNoClip: a = "ppo_noclip"
    case .trpo: a = "trpo"
    default: a = "trpo_plus"
    }
    return "\(t)_\(a)"
  }

  /// What their code does with the config of `preset.base` on `task`, in this
  /// project's setting keys (effective values: a setting their code never reads
  /// is off; a clip inside a filter that is off is off).
  public func effectiveSettings(_ preset: Preset, _ task: PaperTask) throws -> [(key: String, value: JSONValue)] {
    let name = AuthorsConfigs.name(preset, task)
    guard let c = resolved[name] else { throw FidelityError("the authors' configs have no \(name)") }
    func v(_ key: String) throws -> JSONValue {
      guard let x = c[key] else { throw FidelityError("\(name): no \(key)") }
      return x
    }
    func num(_ key: String) throws -> Double {
      guard let x = try v(key).numberValue else { throw FidelityError("\(name).\(key): expected a number") }
      return x
    }
    func bool(_ key: String) throws -> Bool {
      guard case let .bool(b) = try v(key) else { throw FidelityError("\(name).\(key): expected true or false") }
      return b
    }
    func offIfNegative(_ x: Double) -> JSONValue { x < 0 ? .null : .double(x) }
    let isTRPO = try v("mode").stringValue == "trpo"
    let normStates = try bool("norm_states")
    let normRewards = try v("norm_rewards").stringValue ?? "none"
    var out: [(String, JSONValue)] = [
      ("algorithm", .string(isTRPO ? "trpo" : "ppo")),
      ("iterations", .int(Int(try num("train_steps")))),
      ("stepsPerIteration", .int(Int(try num("t")))),
      ("gamma", .double(try num("gamma"))),
      ("gaeLambda", .double(try num("lambda"))),
      ("valueLR", .double(try num("val_lr"))),
      ("adamEpsilon", .double(try num("adam_eps"))),
      ("valueEpochs", .int(Int(try num("val_epochs")))),
      ("minibatches", .int(Int(try num("num_minibatches")))),
      ("hiddenSizes", .array([.int(64), .int(64)])),  // models.py HIDDEN_SIZES
      ("activation", .string("tanh")),  // models.py ACTIVATION
      ("advantageNormalization", .bool(true)),  // steps.py adv_normalize
      ("valueLossMaskEpisodeEnds", .bool(true)),  // steps.py value_loss_gae: [not_dones]
      ("clipActions", .bool(false)),  // agent.py: the sample goes to env.step as is
      ("resetEachIteration", .bool(true)),  // agent.py run_trajectories resets every call
      ("timeLimit", .string("terminal")),  // gym v2 TimeLimit: done, treated as terminal
      ("batchEndBootstrap", .string("lastState")),  // agent.py L171: values[:, -1:]
      ("valueClipping", .bool(try bool("value_clipping"))),
      ("valueClipEpsilon", try bool("value_clipping") ? .double(try num("clip_val_eps")) : .null),
      ("rewardNormalization", .string(normRewards)),
      ("initialization", .string(try v("initialization").stringValue ?? "")),
      ("learningRateAnnealing", .bool(try bool("anneal_lr"))),
      ("rewardClip", normRewards == "none" ? .null : offIfNegative(try num("clip_rewards"))),
      ("observationNormalization", .bool(normStates)),
      ("observationClip", normStates ? offIfNegative(try num("clip_observations")) : .null),
      ("gradientClip", isTRPO ? .null : offIfNegative(try num("clip_grad_norm"))),
      ("heldOutUpdatesFilters", .bool(try bool("advanced_logging"))),
      ("observationNormalizer", .string("zFilter")),  // torch_utils.py ZFilter
      // share_weights: false is separate networks and optimizers (jointLoss off); the value
      // multiplier only weighs a shared network's joint loss, so it is unread (off) then.
      ("jointLoss", .bool(try bool("share_weights"))),
      ("valueLossCoefficient", try bool("share_weights") ? .double(try num("value_multiplier")) : .null),
      ("diagnosticsEvery", .int(Int(try num("log_every")))),  // agent.py: the held-out rollout every log_every
    ]
    if isTRPO {
      out += [
        ("klBound", .double(try num("max_kl"))),
        ("klBoundFinal", .null),  // agent.py updates self.MAX_KL; steps.py reads params.MAX_KL
        ("fisherFraction", .double(try num("fisher_frac_samples"))),
        ("fisherSubsetRounding", .string("truncated")),  // steps.py int(...)
        ("cgIterations", .int(Int(try num("cg_steps")))),
        ("cgDamping", .double(try num("damping"))),
        ("lineSearchSteps", .int(Int(try num("max_backtrack")))),
        ("lineSearchAcceptRatio", .double(0.1)),  // torch_utils.py accept_ratio default
      ]
    } else {
      out += [
        ("policyLR", .double(try num("ppo_lr_adam"))),
        ("clipEpsilon", .double(try num("clip_eps"))),
        ("entropyCoefficient", .double(try num("entropy_coeff"))),
        ("policyEpochs", .int(Int(try num("ppo_epochs")))),
      ]
    }
    return out
  }
}

public struct FidelityError: Error, CustomStringConvertible, Equatable {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

public enum Fidelity {
  /// Our value of `key` in `config`, compared as the references state it: the
  /// value-clip range is the effective one (`valueClipEpsilon`, else the
  /// policy's ε, when value clipping is on; off otherwise).
  public static func ours(_ config: TrainerConfig, _ key: String) -> JSONValue? {
    if key == "valueLossCoefficient" { return config.jointLoss ? .double(config.valueLossCoefficient) : .null }
    if key == "valueClipEpsilon" {
      return config.valueClipRange.map { .double($0) } ?? .null
    }
    return config.value(of: key)
  }

  /// Every difference between the manifest's runs (at its `paper` scale, else
  /// its default scale) and the paper's reading and the authors' code, in row,
  /// task and key order. Without `authors`, only the paper is compared.
  public static func differences(_ manifest: Manifest, authors: AuthorsConfigs?) throws -> [SettingDifference] {
    let scale = try manifest.resolveScale(manifest.scale(named: "paper") == nil ? nil : "paper")
    var out: [SettingDifference] = []
    for a in manifest.algorithms {
      for t in manifest.tasks {
        // The paper says nothing of a robot it did not run.
        guard let paperTask = PaperTask(task: t) else { continue }
        let c = try manifest.config(algorithm: a, task: t, scale: scale)
        for e in PaperReading.expectations(a.preset, paperTask, valueClippingOn: c.valueClipping) {
          let o = ours(c, e.key) ?? .null
          if o != e.value {
            out.append(SettingDifference(row: a.name, task: t, key: e.key, ours: o, theirs: e.value, source: .paper, reference: e.source))
          }
        }
        // Only the paper's algorithms have a config in the authors' code.
        guard let authors, a.preset.base != nil else { continue }
        let name = AuthorsConfigs.name(a.preset, paperTask)
        for (key, theirs) in try authors.effectiveSettings(a.preset, paperTask) {
          let o = ours(c, key) ?? .null
          if o != theirs {
            out.append(SettingDifference(row: a.name, task: t, key: key, ours: o, theirs: theirs, source: .code,
                                         reference: authors.paths[name] ?? name))
          }
        }
      }
    }
    return out
  }

  /// The manifest's reason for a difference, if it gives one.
  public static func reason(for d: SettingDifference, in manifest: Manifest) -> Deviation? {
    manifest.deviations.first { $0.explains(d) }
  }

  /// Differences without a reason, and deviations that explain no difference.
  public static func check(_ manifest: Manifest, authors: AuthorsConfigs?) throws
    -> (unexplained: [SettingDifference], unused: [Deviation]) {
    let diffs = try differences(manifest, authors: authors)
    let unexplained = diffs.filter { reason(for: $0, in: manifest) == nil }
    let unused = manifest.deviations.filter { dev in dev.setting != nil && !diffs.contains { dev.explains($0) } }
    return (unexplained, unused)
  }
}
