import CMuJoCo
import Foundation

/// The MuJoCo version Repro is checked against (3.3.7, in mj_version() form).
public let requiredMuJoCoVersion = Int(REPRO_MUJOCO_VERSION)

/// The version of the MuJoCo library actually loaded.
public var loadedMuJoCoVersion: Int { Int(repro_mj_version()) }

/// "3.3.7" for the loaded library.
public var loadedMuJoCoVersionString: String { String(cString: mj_versionString()) }

/// Throws unless the loaded MuJoCo library is 3.3.7.
public func checkMuJoCoVersion() throws {
  let v = loadedMuJoCoVersion
  guard v == requiredMuJoCoVersion else {
    throw EnvironmentError.mujocoVersionMismatch(found: v, expected: requiredMuJoCoVersion)
  }
}

/// A compiled MuJoCo model (`mjModel`), loaded once per file and shared
/// read-only by every environment of that task (MuJoCo never writes the model
/// during simulation). Freed with `mj_deleteModel` when the last reference goes.
public final class MuJoCoModel: @unchecked Sendable {
  public let pointer: UnsafeMutablePointer<mjModel>
  public let path: String

  private init(pointer: UnsafeMutablePointer<mjModel>, path: String) {
    self.pointer = pointer
    self.path = path
  }

  deinit { mj_deleteModel(pointer) }

  /// Loads `path` with mj_loadXML, after checking the library version.
  public static func load(path: String) throws -> MuJoCoModel {
    try checkMuJoCoVersion()
    guard FileManager.default.fileExists(atPath: path) else {
      throw EnvironmentError.modelFileMissing(path: path)
    }
    var error = [CChar](repeating: 0, count: 1000)
    let m = error.withUnsafeMutableBufferPointer { buf in
      mj_loadXML(path, nil, buf.baseAddress, Int32(buf.count))
    }
    guard let m else {
      let message = error.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
      throw EnvironmentError.modelLoadFailed(path: path, message: message)
    }
    return MuJoCoModel(pointer: m, path: path)
  }

  private static let cacheLock = NSLock()
  nonisolated(unsafe) private static var cache: [String: MuJoCoModel] = [:]

  /// The process-wide shared model for `path` (loaded on first use).
  public static func shared(path: String) throws -> MuJoCoModel {
    cacheLock.lock()
    defer { cacheLock.unlock() }
    if let m = cache[path] { return m }
    let m = try load(path: path)
    cache[path] = m
    return m
  }
}

/// Where the Gymnasium model files are found.
public enum Assets {
  /// The environment variable that overrides the default assets folder.
  public static let environmentVariable = "REPRO_ASSETS"

  /// `$REPRO_ASSETS` if set; else `.deps/assets` of the package this binary was
  /// built from (found from the source location at compile time), else
  /// `.deps/assets` under the current directory.
  public static var defaultDirectory: String {
    if let env = ProcessInfo.processInfo.environment[environmentVariable], !env.isEmpty { return env }
    let built = URL(fileURLWithPath: #filePath)
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent(".deps/assets").path
    if FileManager.default.fileExists(atPath: built) { return built }
    return FileManager.default.currentDirectoryPath + "/.deps/assets"
  }
}
