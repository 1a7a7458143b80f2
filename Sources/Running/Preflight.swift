import Foundation
import Manifests
import RunModel

/// The checks made before anything trains or is written, shared by `repro run`,
/// `repro report` and `repro train --out`: the expansion's size against a ceiling,
/// the output folders (a folder or creatable, writable, with room for what will be
/// written), the lengths of the paths, and nothing but files where results go. The
/// manifest itself (formulas, settings, names) is checked whole when decoded.
/// A failure names what is wrong and how to fix it; nothing has been written.
public enum Preflight {
  /// Total environment steps a manifest may ask for without `--allow-large` (or
  /// `"allowLarge": true` in the manifest): 2 × 10⁹, about twice Table 2 at the
  /// paper's scale (80 runs per cell, 959 million steps).
  public static let totalStepsCeiling = 2_000_000_000
  /// Bytes a result file may take: a fixed part and a part per iteration (measured:
  /// about 320 bytes per iteration with diagnostics; twice that, to be safe), and with
  /// `recordEpisodeReturns` about 24 bytes per episode, counted as if episodes lasted
  /// 10 steps on average (a learning MuJoCo agent's are longer).
  static func resultBytes(_ spec: RunSpec) -> Int64 {
    let episodes = spec.config.recordEpisodeReturns ? Int64(spec.config.stepsPerIteration) / 10 : 0
    return 4096 + (640 + 24 * episodes) * Int64(spec.config.iterations)
  }
  /// Bytes reserved for one report's files.
  public static let reportBytes: Int64 = 16 << 20
  /// Longest path the checks allow (Linux's PATH_MAX is 4096, NAME_MAX 255).
  static let maximumPathBytes = 4000
  static let maximumNameBytes = 255

  public struct Failure: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
  }

  /// Unique runs' steps in all.
  public static func totalSteps(_ e: Expansion) -> Int {
    e.uniqueSpecs.reduce(0) { $0 + $1.config.iterations * $1.config.stepsPerIteration }
  }

  /// Refuses an expansion above `totalStepsCeiling` unless allowed.
  public static func checkSize(_ e: Expansion, allowLarge: Bool) throws {
    let steps = totalSteps(e)
    guard steps > totalStepsCeiling, !allowLarge, !e.manifest.allowLarge else { return }
    throw Failure("\(e.manifest.file): scale \(e.scale.name) asks for \(e.uniqueSpecs.count) runs and "
      + "\(formatted(steps)) environment steps in all, above the ceiling of \(formatted(totalStepsCeiling)) "
      + "(about twice Table 2 at the paper's scale); check the scale's seeds, iterations and stepsPerIteration, "
      + "or pass --allow-large (or set \"allowLarge\": true in the manifest) if you mean it")
  }

  /// `folder` is a folder, or can be created as one, where a file can be written
  /// and `bytes` more fit. `purpose` names it in messages ("results folder").
  /// Writes nothing (a probe file is created and removed).
  public static func checkWritableFolder(_ folder: URL, purpose: String, bytes: Int64) throws {
    let path = folder.standardizedFileURL.path
    if path.utf8.count > maximumPathBytes { throw Failure("the \(purpose) path is \(path.utf8.count) bytes long; use a shorter one") }
    for component in folder.pathComponents where component.utf8.count > maximumNameBytes {
      throw Failure("the \(purpose) path has a name of \(component.utf8.count) bytes (at most \(maximumNameBytes)): \(path)")
    }
    // The folder itself, or the nearest ancestor that exists.
    var existing = folder.standardizedFileURL
    var st = stat()
    while lstat(existing.path, &st) != 0 {
      let parent = existing.deletingLastPathComponent()
      if parent.path == existing.path { throw Failure("the \(purpose) \(path) has no existing parent folder") }
      existing = parent
    }
    if stat(existing.path, &st) != 0 || (st.st_mode & S_IFMT) != S_IFDIR {
      let what = existing.path == path ? "the \(purpose) \(path)" : "\(existing.path), on the way to the \(purpose) \(path),"
      throw Failure("\(what) is a file, not a folder; choose another path or move the file")
    }
    // Writable: create and remove a probe (named like AtomicFile's temporaries).
    let probe = existing.appendingPathComponent(".repro-probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp").path
    let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0o644)
    if fd < 0 {
      let code = errno
      let where_ = existing.path == path ? path : "\(existing.path) (where the \(purpose) \(path) would be created)"
      // A folder that exists but where creating a file says "no such file" is a virtual
      // file system (/proc, /sys): strerror's own words would only confuse.
      let reason = code == ENOENT ? "the system does not let files be created there (a virtual file system such as /proc or /sys)"
        : String(cString: strerror(code))
      throw Failure("cannot write in the \(purpose): \(where_): \(reason); choose another folder")
    }
    close(fd)
    unlink(probe)
    var fs = statvfs()
    if statvfs(existing.path, &fs) == 0 {
      let free = Int64(fs.f_bavail) * Int64(fs.f_frsize)
      if free < bytes {
        throw Failure("the \(purpose) \(path) has \(formattedBytes(free)) free; this needs about \(formattedBytes(bytes)): free some space or choose another folder")
      }
    }
  }

  /// Result paths of `specs` that hold something other than a file (a folder, say).
  public static func nonFiles(in store: ResultStore, specs: [RunSpec]) -> [String] {
    specs.compactMap { spec in
      let path = store.url(for: spec.hash).path
      var st = stat()
      guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) != S_IFREG else { return nil }
      return path
    }
  }

  /// Everything `repro run` checks before training: size, the results folder
  /// (room for every unfinished run's file) and the result paths.
  public static func checkRun(_ e: Expansion, store: ResultStore, allowLarge: Bool, shard: Shard = .all) throws {
    try checkSize(e, allowLarge: allowLarge)
    let specs = shard.select(e.uniqueSpecs)
    let bytes = specs.reduce(Int64(0)) { $0 + resultBytes($1) }
    try checkWritableFolder(store.directory, purpose: "results folder", bytes: bytes)
    let sample = store.url(for: String(repeating: "0", count: 64)).path
    if sample.utf8.count > maximumPathBytes {
      throw Failure("result paths would be \(sample.utf8.count) bytes long (\(sample)); use a shorter results folder")
    }
    let bad = nonFiles(in: store, specs: specs)
    if !bad.isEmpty {
      throw Failure("\(bad.count) result path(s) hold a folder or other non-file, so those runs could never be stored: "
        + bad.prefix(5).joined(separator: ", ") + (bad.count > 5 ? ", ..." : "") + "; remove them (rm -r PATH) and run again")
    }
  }

  /// What `repro report` checks before computing: the output folder.
  public static func checkReport(outDir: URL) throws {
    try checkWritableFolder(outDir, purpose: "reports folder", bytes: reportBytes)
  }

  static func formatted(_ n: Int) -> String {
    let f = NumberFormatter()
    f.numberStyle = .decimal
    f.groupingSeparator = ","
    f.usesGroupingSeparator = true
    return f.string(from: NSNumber(value: n)) ?? "\(n)"
  }

  /// "512 bytes", "4.0 KiB", "3.2 MiB", "1.5 GiB": never "0.0 MiB" for a few bytes.
  public static func formattedBytes(_ b: Int64) -> String {
    let x = Double(b)
    if b < 1024 { return "\(b) byte\(b == 1 ? "" : "s")" }
    if x < 1_048_576 { return String(format: "%.1f KiB", x / 1024) }
    if x < 1_073_741_824 { return String(format: "%.1f MiB", x / 1_048_576) }
    return String(format: "%.1f GiB", x / 1_073_741_824)
  }
}
