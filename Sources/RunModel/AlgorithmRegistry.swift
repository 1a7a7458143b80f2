import Foundation

// The algorithms the harness runs: one registry row each, MuJoCo-free. The update
// itself is built in Algorithms (`AlgorithmDescriptor`, which registers the row, its
// settings and its update factory in one call); shared code reads a run's algorithm
// only through its row, never by a switch with a `default:` branch.

/// Which policy update an agent uses: the name of a registered algorithm (the `algorithm` setting).
public struct AlgorithmKind: RawRepresentable, Hashable, Sendable, SettingChoice {
  public let rawValue: String
  /// A registered algorithm's name, or nil.
  public init?(rawValue: String) {
    guard AlgorithmRegistry.all.contains(where: { $0.kind.rawValue == rawValue }) else { return nil }
    self.rawValue = rawValue
  }
  init(name: String) { rawValue = name }

  /// Proximal Policy Optimization: clipped surrogate, Adam on the policy (Schulman et al., 2017).
  public static let ppo = AlgorithmKind(name: "ppo")
  /// Trust Region Policy Optimization: natural gradient step with a KL bound and line search.
  public static let trpo = AlgorithmKind(name: "trpo")

  /// Every registered algorithm, built-in first.
  public static var allCases: [AlgorithmKind] { AlgorithmRegistry.all.map(\.kind) }

  /// Its registry row.
  public var row: AlgorithmRow {
    guard let row = AlgorithmRegistry.all.first(where: { $0.kind == self }) else {
      preconditionFailure("algorithm \(rawValue) is not registered")
    }
    return row
  }
}

/// One algorithm: what shared code (reports, figure claims, costs, help) knows of it.
public struct AlgorithmRow: Sendable {
  public var kind: AlgorithmKind
  /// What it is, in a sentence (help texts).
  public var summary: String
  /// The group of the settings that act only in its runs (`--list-settings` shows them under it;
  /// report tables write N/A for them in other algorithms' columns).
  public var settingsGroup: SettingGroup
  /// The bound its step keeps the mean KL under at an iteration (0-based), if it has one
  /// (diagnostics figures draw it; figure claims divide by it).
  public var meanKLBound: @Sendable (TrainerConfig, Int) -> Double?
  /// Its probability-ratio clip range ε, if it clips (PPO's `clipEpsilon`); value clipping
  /// without its own `valueClipEpsilon` uses it ("ε is fixed to the same value", §3).
  public var policyClipRange: @Sendable (TrainerConfig) -> Double?
  /// Its cost per step against PPO's on the same task (1), for costs where no run of it was measured.
  public var relativeCost: Double

  public init(kind: String, summary: String, settingsGroup: SettingGroup,
              meanKLBound: @escaping @Sendable (TrainerConfig, Int) -> Double? = { _, _ in nil },
              policyClipRange: @escaping @Sendable (TrainerConfig) -> Double? = { _ in nil }, relativeCost: Double) {
    self.kind = AlgorithmKind(name: kind)
    self.summary = summary
    self.settingsGroup = settingsGroup
    self.meanKLBound = meanKLBound
    self.policyClipRange = policyClipRange
    self.relativeCost = relativeCost
  }

  /// The bound its step keeps the largest probability ratio under: 1 + ε, where ε < 1e6 (a clip
  /// range of 1e6 or more, PPO-NoClip's 1e32, is no clip and no bound to draw).
  public func ratioBound(_ c: TrainerConfig) -> Double? {
    policyClipRange(c).flatMap { $0 < 1e6 ? 1 + $0 : nil }
  }
}

public enum AlgorithmRegistry {
  public static let builtIn: [AlgorithmRow] = [
    AlgorithmRow(
      kind: "ppo", summary: "Proximal Policy Optimization: clipped surrogate, Adam on the policy (Schulman et al., 2017)",
      settingsGroup: .ppo, policyClipRange: { $0.ppo.clipEpsilon }, relativeCost: 1),
    AlgorithmRow(
      kind: "trpo", summary: "Trust Region Policy Optimization: natural gradient step with a KL bound and line search",
      settingsGroup: .trpo, meanKLBound: { c, i in c.klBound(at: i) }, relativeCost: 0.97),
  ]

  private static let added = Locked<[AlgorithmRow]>([])

  /// Every algorithm: the built-in ones, then those registered, in order.
  public static var all: [AlgorithmRow] { builtIn + added.value }

  /// Adds `row` and its settings (each in `row.settingsGroup`); a taken name or key is refused.
  /// Algorithms' `AlgorithmDescriptor.register` calls this with the update factory beside it.
  public static func register(_ row: AlgorithmRow, settings: [SettingDefinition]) throws {
    for d in settings where d.group != row.settingsGroup {
      throw ConfigError(key: d.key, message: "belongs to group \(d.group.rawValue), not \(row.kind.rawValue)'s \(row.settingsGroup.rawValue)")
    }
    try added.update { rows in
      if (builtIn + rows).contains(where: { $0.kind == row.kind || $0.settingsGroup == row.settingsGroup }) {
        throw ConfigError(key: "algorithm", message: "\(row.kind.rawValue) (or its settings group) is already registered")
      }
      rows.append(row)
    }
    try Settings.register(settings)
  }
}

extension TrainerConfig {
  /// Section 3, optimization 1: the value-clipping range in effect: `valueClipEpsilon`, else the policy's ε where the
  /// algorithm clips the ratio, else 0.2 (PPO's default ε); nil when value clipping is off.
  public var valueClipRange: Double? {
    valueClipping ? (valueClipEpsilon ?? algorithm.row.policyClipRange(self) ?? 0.2) : nil
  }
}

/// A value behind a lock, for registries that tests and plug-ins extend while worker threads read them.
public final class Locked<Value: Sendable>: @unchecked Sendable {
  private let lock = NSLock()
  private var stored: Value
  public init(_ value: Value) { stored = value }
  public var value: Value { lock.lock(); defer { lock.unlock() }; return stored }
  public func update<R>(_ body: (inout Value) throws -> R) rethrows -> R {
    lock.lock(); defer { lock.unlock() }
    return try body(&stored)
  }
}
