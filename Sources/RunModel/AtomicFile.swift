import Foundation
#if canImport(Glibc)
import Glibc
private let posixWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let posixWrite = Darwin.write
#endif

/// The one way Repro writes a file that others read: a hidden temporary file in
/// the target's folder (`.<name>.<pid>.<random>.tmp`), every byte written and
/// fsynced, then moved into place in one step, then the folder fsynced. A reader
/// sees the old file or the new one, never a part; a crash leaves at most a
/// temporary file (`AtomicFile.removeAbandonedTemporaryFiles`).
public enum AtomicFile {
  /// What `write` did.
  public enum Outcome: Sendable, Equatable {
    case written
    /// `ifAbsent` was asked and a file was already there: nothing was written.
    case alreadyPresent
  }

  /// A failure, with the path and the system's reason.
  public struct WriteError: Error, CustomStringConvertible, Equatable, Sendable {
    public var path: String
    public var reason: String
    public init(path: String, reason: String) {
      self.path = path
      self.reason = reason
    }
    public var description: String { "cannot write \(path): \(reason)" }
  }

  /// Writes `data` to `path` atomically, creating missing folders.
  /// - Parameter ifAbsent: when true the file is only created, never replaced
  ///   (a hard link, which fails if the name exists; on filesystems without hard
  ///   links, a rename after a check); otherwise it replaces any file there.
  @discardableResult
  public static func write(_ data: Data, to path: String, ifAbsent: Bool = false) throws -> Outcome {
    let url = URL(fileURLWithPath: path)
    let dir = url.deletingLastPathComponent().path
    do {
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    } catch {
      throw WriteError(path: path, reason: "cannot create the folder \(dir): \(systemReason(error))")
    }
    let tmp = dir + "/.\(url.lastPathComponent).\(getpid()).\(String(UInt64.random(in: 0...UInt64.max), radix: 16)).tmp"
    try writeDurably(data, to: tmp, reportedAs: path)
    defer { unlink(tmp) }
    if ifAbsent {
      if link(tmp, path) == 0 {
        syncFolder(dir)
        return .written
      }
      let err = errno
      if err == EEXIST { return .alreadyPresent }
      // Filesystems without hard links: rename, after checking (safe unless two writers race).
      if FileManager.default.fileExists(atPath: path) { return .alreadyPresent }
    }
    guard rename(tmp, path) == 0 else {
      throw WriteError(path: path, reason: "cannot move the temporary file into place: \(String(cString: strerror(errno)))")
    }
    syncFolder(dir)
    return .written
  }

  /// `write` of UTF-8 text.
  @discardableResult
  public static func write(_ text: String, to path: String, ifAbsent: Bool = false) throws -> Outcome {
    try write(Data(text.utf8), to: path, ifAbsent: ifAbsent)
  }

  /// Whether `name` is one of the temporary files `write` makes.
  public static func isTemporaryName(_ name: String) -> Bool { name.hasPrefix(".") && name.hasSuffix(".tmp") }

  /// Removes temporary files older than `age` seconds from `folder`: left by a
  /// process killed while writing (a write takes milliseconds, so an old one is
  /// certainly abandoned; younger ones may belong to a writer still at work).
  /// Returns how many were removed.
  @discardableResult
  public static func removeAbandonedTemporaryFiles(in folder: String, olderThan age: Double = 3600) -> Int {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return 0 }
    var removed = 0
    for name in names where isTemporaryName(name) {
      let path = folder + "/" + name
      guard let attrs = try? FileManager.default.attributesOfItem(atPath: path),
            let modified = attrs[.modificationDate] as? Date,
            Date().timeIntervalSince(modified) > age else { continue }
      if unlink(path) == 0 { removed += 1 }
    }
    return removed
  }

  /// Creates `path` (which must not exist), writes all of `data`, fsyncs, closes.
  static func writeDurably(_ data: Data, to path: String, reportedAs target: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
    guard fd >= 0 else { throw WriteError(path: target, reason: String(cString: strerror(errno))) }
    var err: Int32 = 0
    data.withUnsafeBytes { (buf: UnsafeRawBufferPointer) in
      var off = 0
      while off < buf.count {
        let n = posixWrite(fd, buf.baseAddress! + off, buf.count - off)
        if n < 0 {
          if errno == EINTR { continue }
          err = errno
          return
        }
        off += n
      }
    }
    if err == 0 && fsync(fd) != 0 { err = errno }
    if close(fd) != 0 && err == 0 { err = errno }
    if err != 0 {
      unlink(path)
      throw WriteError(path: target, reason: String(cString: strerror(err)))
    }
  }

  static func syncFolder(_ path: String) {
    let fd = open(path, O_RDONLY)
    if fd >= 0 {
      _ = fsync(fd)
      close(fd)
    }
  }

  static func systemReason(_ error: Error) -> String {
    let ns = error as NSError
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
      return String(cString: strerror(Int32(underlying.code)))
    }
    return ns.localizedDescription
  }
}
