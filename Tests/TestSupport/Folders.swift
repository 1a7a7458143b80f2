import Foundation

/// A fresh empty folder under the temporary directory.
public func temporaryFolder(_ prefix: String = "repro-tests") throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

/// The repository root (two levels above this file's folder).
public let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent()

/// Collects lines written from several threads.
public final class LineCollector: @unchecked Sendable {
  private let lock = NSLock()
  private var lines: [String] = []
  public init() {}
  public func append(_ s: String) { lock.lock(); lines.append(s); lock.unlock() }
  public var text: String { lock.lock(); defer { lock.unlock() }; return lines.joined(separator: "\n") }
}
