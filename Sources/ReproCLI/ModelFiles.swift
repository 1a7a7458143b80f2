import Environments
import Foundation
import RunModel

/// The MuJoCo model files a command's tasks will load, checked against the SHA-256 each task
/// pins (`MuJoCoTaskKind.modelSHA256`, the file as the pinned Gymnasium wheel ships it) before
/// anything runs. A file that differs (through --assets DIR or $REPRO_ASSETS) is another model:
/// refused, unless the user names it a custom model (--custom-model), in which case its hash
/// enters the run's identity (`RunIdentity.model`) and results name it.
enum ModelFiles {
  static let customOption = OptionSpec.flag(
    "custom-model", "accept model files that differ from the pinned Gymnasium ones\n(their SHA-256 then enters the run's identity)")

  /// The custom models among `tasks`' files, in task order (empty when every file is the pinned one).
  static func check(_ tasks: [MuJoCoTaskKind], assets: String?, custom: Bool) throws -> [(MuJoCoTaskKind, ModelIdentity)] {
    let dir = assets ?? Assets.defaultDirectory
    var found: [(MuJoCoTaskKind, ModelIdentity)] = []
    for kind in tasks where !found.contains(where: { $0.0 == kind }) {
      let path = dir + "/" + kind.modelFile
      guard let data = FileManager.default.contents(atPath: path) else {
        throw EnvironmentError.modelFileMissing(path: path)
      }
      let sha = SHA256.hex([UInt8](data))
      guard sha != kind.modelSHA256 else { continue }
      guard custom else {
        throw UsageError("""
          \(path) is not \(kind.rawValue)'s model: its SHA-256 is \(sha), the pinned Gymnasium 1.4.0 \
          file's is \(kind.modelSHA256). Nothing was run. To train or step on this model anyway, \
          name it a custom model with --custom-model (its hash then enters the run's identity); \
          for the task's own model, drop --assets / REPRO_ASSETS or run 'make deps'.
          """)
      }
      found.append((kind, ModelIdentity(file: kind.modelFile, sha256: sha)))
    }
    return found
  }

  /// The custom model of one task named on the command line (nil: pinned model, or not a MuJoCo task).
  static func check(task name: String, assets: String?, custom: Bool) throws -> ModelIdentity? {
    guard let kind = MuJoCoTaskKind(name: name) else { return nil }
    return try check([kind], assets: assets, custom: custom).first?.1
  }

  /// The MuJoCo task of a paper task.
  static func kind(_ task: PaperTask) -> MuJoCoTaskKind? { MuJoCoTaskKind(name: task.gymnasiumID) }
}
