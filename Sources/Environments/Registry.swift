import Foundation
import RunModel

/// Builds one task's environment: the assets folder (nil: `Assets.defaultDirectory`), the
/// construction seed and where reset noise comes from.
public typealias EnvironmentFactory = @Sendable (_ assetsDirectory: String?, _ seed: UInt64, _ resetSeeding: ResetSeeding)
  throws -> any Environment

/// The environment behind each row of `TaskRegistry`: the built-in tasks' below, and those a
/// test or plug-in adds with `register` (after registering the row itself).
public enum EnvironmentRegistry {
  static let builtIn: [String: EnvironmentFactory] = {
    var f: [String: EnvironmentFactory] = [
      "Pendulum-v1": { _, seed, seeding in
        let env = PendulumEnvironment(seed: seed)
        try env.useResetSeeding(seeding)
        return env
      },
    ]
    for task in MuJoCoTask.builtIn {
      f[task.row.id.rawValue] = { assets, seed, seeding in
        try MuJoCoEnvironment(task, assetsDirectory: assets, seed: seed, resetSeeding: seeding)
      }
    }
    return f
  }()

  private static let added = Locked<[String: EnvironmentFactory]>([:])

  /// Adds the environment of the registered task `id`; refused for an unregistered or taken id.
  public static func register(_ id: TaskID, _ factory: @escaping EnvironmentFactory) throws {
    guard TaskRegistry.row(id.rawValue) != nil else {
      throw TaskRegistryError(message: "register task \(id)'s row (TaskRegistry.register) before its environment")
    }
    try added.update { f in
      guard f[id.rawValue] == nil, builtIn[id.rawValue] == nil else {
        throw TaskRegistryError(message: "task \(id) already has an environment")
      }
      f[id.rawValue] = factory
    }
  }

  /// The factory of task `id`, or nil.
  public static func factory(_ id: TaskID) -> EnvironmentFactory? { builtIn[id.rawValue] ?? added.value[id.rawValue] }

  /// Ids of the registered tasks that can be built, in registry order.
  public static var ids: [String] { TaskRegistry.all.filter { factory($0.id) != nil }.map(\.id.rawValue) }
}

/// Gymnasium ids of the tasks the harness can build, for error messages and suggestions.
public var knownTasks: [String] { TaskRegistry.all.filter { EnvironmentRegistry.factory($0.id) != nil }.map(\.gymnasiumID) }

/// Builds a task by any of its names ("Hopper", "Hopper-v5", "hopper-v4", "Pendulum-v1"; see
/// `TaskRegistry.row(named:)`). With `resetSeeding` `.gymnasium`, a task that cannot reproduce
/// Gymnasium's reset seeding is refused.
public func makeEnvironment(_ name: String, assetsDirectory: String? = nil, seed: UInt64 = 0,
                            resetSeeding: ResetSeeding = .repro) throws -> any Environment {
  guard let row = TaskRegistry.row(named: name), let factory = EnvironmentRegistry.factory(row.id) else {
    throw EnvironmentError.unknownTask(name, valid: knownTasks)
  }
  return try factory(assetsDirectory, seed, resetSeeding)
}
