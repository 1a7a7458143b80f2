import Foundation

// The tasks the harness runs: one registry row per task, in a vocabulary that
// knows neither MuJoCo nor any paper. The environment behind a row is built by
// Environments (`EnvironmentFactories`); a paper maps rows to its own table
// columns in its layer (e.g. `PaperTask(family:)`).

/// A task, by the name manifests, reports and run identities use: Gymnasium's id,
/// except that a v5 MuJoCo task drops its version ("Hopper" is Hopper-v5), as every
/// stored run of the v5 tasks was identified before versions were added.
public struct TaskID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
  public let rawValue: String
  public init(rawValue: String) { self.rawValue = rawValue }
  public var description: String { rawValue }
  public static func < (a: TaskID, b: TaskID) -> Bool { a.rawValue < b.rawValue }

  /// The registered task `name` names (see `TaskRegistry.row(named:)`), or nil.
  public init?(name: String) {
    guard let row = TaskRegistry.row(named: name) else { return nil }
    self = row.id
  }

  /// Its registry row. Every `TaskID` made by `init(name:)` or taken from a row has one.
  public var row: TaskRow {
    guard let row = TaskRegistry.row(rawValue) else { preconditionFailure("task \(rawValue) is not registered") }
    return row
  }
}

/// One task: what the harness needs to know of it without building it.
public struct TaskRow: Sendable, Equatable {
  /// Name in manifests, reports and run identities (see `TaskID`).
  public var id: TaskID
  /// Gymnasium's id, e.g. `Hopper-v5`.
  public var gymnasiumID: String
  /// The id without its version: `Hopper`. Rows of one family share a robot.
  public var family: String
  /// Gymnasium's version (`-vN`).
  public var version: Int
  /// Model file in the assets folder and its SHA-256 as the pinned Gymnasium wheel ships it (nil: no model).
  public var modelFile: String?
  public var modelSHA256: String?
  public var observationSize: Int
  public var actionSize: Int
  /// Steps before a time-limit truncation.
  public var timeLimit: Int
  /// Physics steps per environment step (1 without physics).
  public var frameSkip: Int
  /// Cost of one training step against Hopper's (1), for progress ETAs and for
  /// costs where no run of the task was measured (`CostModel`). Walker2d's 1.5 and
  /// Humanoid's 4.3 are the ratios of `CostModel.reference`'s measured PPO rates.
  public var stepCost: Double

  public init(gymnasiumID: String, modelFile: String? = nil, modelSHA256: String? = nil, observationSize: Int,
              actionSize: Int, timeLimit: Int, frameSkip: Int = 1, stepCost: Double) {
    let parts = gymnasiumID.split(separator: "-")
    let family = String(parts.first ?? "")
    let version = parts.count == 2 && parts[1].hasPrefix("v") ? Int(parts[1].dropFirst()) ?? 0 : 0
    let isMuJoCoV5 = version == 5 && modelFile != nil
    self.id = TaskID(rawValue: isMuJoCoV5 ? family : gymnasiumID)
    self.gymnasiumID = gymnasiumID
    self.family = family
    self.version = version
    self.modelFile = modelFile
    self.modelSHA256 = modelSHA256
    self.observationSize = observationSize
    self.actionSize = actionSize
    self.timeLimit = timeLimit
    self.frameSkip = frameSkip
    self.stepCost = stepCost
  }

  /// Names that mean this row (case-insensitive): its id and its Gymnasium id.
  public var names: [String] { id.rawValue == gymnasiumID ? [gymnasiumID] : [id.rawValue, gymnasiumID] }
}

/// Every task the harness can run. Built-in rows are below; a test or a plug-in
/// adds one with `register` (and its environment with Environments' `EnvironmentFactories`).
public enum TaskRegistry {
  /// Gymnasium 1.4.0's tasks with their default constructor arguments (sizes as Gymnasium reports them).
  public static let builtIn: [TaskRow] = [
    TaskRow(gymnasiumID: "Hopper-v5", modelFile: "hopper.xml",
            modelSHA256: "3ce93a055ffdcd83c0c701d2400768e40d2cbb9532f3c4ae33377c27f8b39f9e",
            observationSize: 11, actionSize: 3, timeLimit: 1000, frameSkip: 4, stepCost: 1),
    TaskRow(gymnasiumID: "Walker2d-v5", modelFile: "walker2d_v5.xml",
            modelSHA256: "6bed53a6cc3ca73c4fe8ac3486d3b4228927264a6454f4ef16d3eed3c58bc09d",
            observationSize: 17, actionSize: 6, timeLimit: 1000, frameSkip: 4, stepCost: 1.5),
    TaskRow(gymnasiumID: "Humanoid-v5", modelFile: "humanoid.xml",
            modelSHA256: "85816f372c826d2094b4a598918233bd9c5843b2439119eece2733bdc2e0d073",
            observationSize: 348, actionSize: 17, timeLimit: 1000, frameSkip: 5, stepCost: 4.3),
    TaskRow(gymnasiumID: "Hopper-v4", modelFile: "hopper.xml",
            modelSHA256: "3ce93a055ffdcd83c0c701d2400768e40d2cbb9532f3c4ae33377c27f8b39f9e",
            observationSize: 11, actionSize: 3, timeLimit: 1000, frameSkip: 4, stepCost: 1),
    TaskRow(gymnasiumID: "Walker2d-v4", modelFile: "walker2d.xml",
            modelSHA256: "ac13373c7ac9003a5311c4704b314ed11149b3dd7600bbc02770487300f9ad2d",
            observationSize: 17, actionSize: 6, timeLimit: 1000, frameSkip: 4, stepCost: 1.5),
    TaskRow(gymnasiumID: "Humanoid-v4", modelFile: "humanoid.xml",
            modelSHA256: "85816f372c826d2094b4a598918233bd9c5843b2439119eece2733bdc2e0d073",
            observationSize: 376, actionSize: 17, timeLimit: 1000, frameSkip: 5, stepCost: 4.3),
    // The other Gymnasium MuJoCo tasks, v5 then v4. Step cost: `repro train --algorithm PPO --iterations 3`
    // wall time against Hopper's (2026-12-08, this 2-core machine; rough), rescaled by 4.3/2.5 so that
    // Humanoid's matches the ratio of `CostModel.reference`'s measured rates, as Walker2d's and Humanoid's above.
    TaskRow(gymnasiumID: "Ant-v5", modelFile: "ant.xml",
            modelSHA256: "cd5f83ef0ea35b0969e65d360c5bacd5b74ccaef6b27e4433b5168c605e3e2be",
            observationSize: 105, actionSize: 8, timeLimit: 1000, frameSkip: 5, stepCost: 3.8),
    TaskRow(gymnasiumID: "HalfCheetah-v5", modelFile: "half_cheetah.xml",
            modelSHA256: "11797a5d69e8ac955e89ca6fdd3a0087f1c990094fda401ac51420de1b6c5494",
            observationSize: 17, actionSize: 6, timeLimit: 1000, frameSkip: 5, stepCost: 0.9),
    TaskRow(gymnasiumID: "HumanoidStandup-v5", modelFile: "humanoidstandup.xml",
            modelSHA256: "9f72a3c4ef956d0d8b1fb555a6ae1a5c22334c5c58cf814ef987ea4d3880e8fc",
            observationSize: 348, actionSize: 17, timeLimit: 1000, frameSkip: 5, stepCost: 6.4),
    TaskRow(gymnasiumID: "InvertedPendulum-v5", modelFile: "inverted_pendulum.xml",
            modelSHA256: "80910a9af85cd47072be82d6f92c5e6a115d0eecc3eb464e58542b285c89fb7f",
            observationSize: 4, actionSize: 1, timeLimit: 1000, frameSkip: 2, stepCost: 0.5),
    TaskRow(gymnasiumID: "InvertedDoublePendulum-v5", modelFile: "inverted_double_pendulum.xml",
            modelSHA256: "2b4eadf03bd79a8772abd4c1a626b5755747f841801a694ea9528cc49211ba46",
            observationSize: 9, actionSize: 1, timeLimit: 1000, frameSkip: 5, stepCost: 0.9),
    TaskRow(gymnasiumID: "Pusher-v5", modelFile: "pusher_v5.xml",
            modelSHA256: "3c9a717f6d2cecd555ab9b78694dba71019fa233230c68c8197ebb07d6713879",
            observationSize: 23, actionSize: 7, timeLimit: 100, frameSkip: 5, stepCost: 0.9),
    TaskRow(gymnasiumID: "Reacher-v5", modelFile: "reacher.xml",
            modelSHA256: "3fabc64fc738326485a8231a9a649f784090a0c3d8215f8d2ccd6038b8e60cc4",
            observationSize: 10, actionSize: 2, timeLimit: 50, frameSkip: 2, stepCost: 0.5),
    TaskRow(gymnasiumID: "Swimmer-v5", modelFile: "swimmer.xml",
            modelSHA256: "25b0d46bf5522920fea6a579353aee39d391ad9e2a0574b53f83704c11b21b12",
            observationSize: 8, actionSize: 2, timeLimit: 1000, frameSkip: 4, stepCost: 1.0),
    // v4 (same wheel): Ant-v4 with its default use_contact_forces=False (27 observations);
    // Pusher-v4 on pusher.xml, which Gymnasium 1.4.0 refuses to build on MuJoCo 3 (Repro runs v4's code on it).
    TaskRow(gymnasiumID: "Ant-v4", modelFile: "ant.xml",
            modelSHA256: "cd5f83ef0ea35b0969e65d360c5bacd5b74ccaef6b27e4433b5168c605e3e2be",
            observationSize: 27, actionSize: 8, timeLimit: 1000, frameSkip: 5, stepCost: 3.8),
    TaskRow(gymnasiumID: "HalfCheetah-v4", modelFile: "half_cheetah.xml",
            modelSHA256: "11797a5d69e8ac955e89ca6fdd3a0087f1c990094fda401ac51420de1b6c5494",
            observationSize: 17, actionSize: 6, timeLimit: 1000, frameSkip: 5, stepCost: 0.9),
    TaskRow(gymnasiumID: "HumanoidStandup-v4", modelFile: "humanoidstandup.xml",
            modelSHA256: "9f72a3c4ef956d0d8b1fb555a6ae1a5c22334c5c58cf814ef987ea4d3880e8fc",
            observationSize: 376, actionSize: 17, timeLimit: 1000, frameSkip: 5, stepCost: 6.4),
    TaskRow(gymnasiumID: "InvertedPendulum-v4", modelFile: "inverted_pendulum.xml",
            modelSHA256: "80910a9af85cd47072be82d6f92c5e6a115d0eecc3eb464e58542b285c89fb7f",
            observationSize: 4, actionSize: 1, timeLimit: 1000, frameSkip: 2, stepCost: 0.5),
    TaskRow(gymnasiumID: "InvertedDoublePendulum-v4", modelFile: "inverted_double_pendulum.xml",
            modelSHA256: "2b4eadf03bd79a8772abd4c1a626b5755747f841801a694ea9528cc49211ba46",
            observationSize: 11, actionSize: 1, timeLimit: 1000, frameSkip: 5, stepCost: 0.9),
    TaskRow(gymnasiumID: "Pusher-v4", modelFile: "pusher.xml",
            modelSHA256: "561fb1a4f254afbbcdaf44b980aeaeb1a77ed67773f5f4d1653ecf2e1457dff5",
            observationSize: 23, actionSize: 7, timeLimit: 100, frameSkip: 5, stepCost: 0.9),
    TaskRow(gymnasiumID: "Reacher-v4", modelFile: "reacher.xml",
            modelSHA256: "3fabc64fc738326485a8231a9a649f784090a0c3d8215f8d2ccd6038b8e60cc4",
            observationSize: 11, actionSize: 2, timeLimit: 50, frameSkip: 2, stepCost: 0.5),
    TaskRow(gymnasiumID: "Swimmer-v4", modelFile: "swimmer.xml",
            modelSHA256: "25b0d46bf5522920fea6a579353aee39d391ad9e2a0574b53f83704c11b21b12",
            observationSize: 8, actionSize: 2, timeLimit: 1000, frameSkip: 4, stepCost: 1.0),
    TaskRow(gymnasiumID: "Pendulum-v1", observationSize: 3, actionSize: 1, timeLimit: 200, stepCost: 0.3),
  ]

  private static let added = Locked<[TaskRow]>([])

  /// Every row: the built-in ones, then those registered, in order.
  public static var all: [TaskRow] { builtIn + added.value }

  /// Adds `row`; a row whose id or Gymnasium id is taken is refused.
  public static func register(_ row: TaskRow) throws {
    try added.update { existing in
      for r in builtIn + existing where !Set(r.names.map { $0.lowercased() }).isDisjoint(with: row.names.map { $0.lowercased() }) {
        throw TaskRegistryError(message: "task \(row.gymnasiumID) is already registered (as \(r.id))")
      }
      existing.append(row)
    }
  }

  /// The row whose id is exactly `id`.
  public static func row(_ id: String) -> TaskRow? { all.first { $0.id.rawValue == id } }

  /// The row `name` names: its id or Gymnasium id, any case ("hopper", "Hopper-v5").
  public static func row(named name: String) -> TaskRow? {
    let lower = name.lowercased()
    return all.first { $0.names.contains { $0.lowercased() == lower } }
  }

  /// Every id, for messages and suggestions.
  public static var ids: [String] { all.map(\.id.rawValue) }
}

public struct TaskRegistryError: Error, CustomStringConvertible {
  public var message: String
  public init(message: String) { self.message = message }
  public var description: String { message }
}

extension TaskID {
  /// The built-in v5 locomotion tasks, by name.
  public static let hopper = TaskID(rawValue: "Hopper")
  public static let walker2d = TaskID(rawValue: "Walker2d")
  public static let humanoid = TaskID(rawValue: "Humanoid")
}
