import Environments
import Foundation
import RunModel

/// The MuJoCo model files a command's tasks will load, checked against the SHA-256 each task
/// pins (`TaskRow.modelSHA256`, the file as the pinned Gymnasium wheel ships it) before
/// anything runs. A file that differs (through --assets DIR or $REPRO_ASSETS) is another model:
/// refused, unless the user names it a custom model (--custom-model), in which case its hash
/// enters the run's identity (`RunIdentity.model`) and results name it.
enum ModelFiles {
  static let customOption = OptionSpec.flag(
    "custom-model", "accept model files that differ from the pinned Gymnasium ones\n(their SHA-256 then enters the run's identity)")

  /// The custom models among `tasks`' files, in task order (empty when every file is the pinned one).
  static func check(_ tasks: [TaskRow], assets: String?, custom: Bool) throws -> [(TaskID, ModelIdentity)] {
    let dir = assets ?? Assets.defaultDirectory
    var found: [(TaskID, ModelIdentity)] = []
    for row in tasks where !found.contains(where: { $0.0 == row.id }) {
      guard let file = row.modelFile, let pinned = row.modelSHA256 else { continue }
      let path = dir + "/" + file
      guard let data = FileManager.default.contents(atPath: path) else {
        throw EnvironmentError.modelFileMissing(path: path)
      }
      let sha = SHA256.hex([UInt8](data))
      guard sha != pinned else { continue }
      guard custom else {
        throw UsageError("""
          \(path) is not \(row.gymnasiumID)'s model: its SHA-256 is \(sha), the pinned Gymnasium 1.4.0 \
          file's is \(pinned). Nothing was run. To train or step on this model anyway, \
          name it a custom model with --custom-model (its hash then enters the run's identity); \
          for the task's own model, drop --assets / REPRO_ASSETS or run 'make deps'.
          """)
      }
      found.append((row.id, ModelIdentity(file: file, sha256: sha)))
    }
    return found
  }

  /// The custom model of one task named on the command line (nil: pinned model, or a task without a model).
  static func check(task name: String, assets: String?, custom: Bool) throws -> ModelIdentity? {
    guard let row = TaskRegistry.row(named: name) else { return nil }
    return try check([row], assets: assets, custom: custom).first?.1
  }
}
