import Foundation
import XCTest

// Snapshot files are found from the calling test file's path (#filePath), not as
// SwiftPM resources, so the tests read and write the committed copies. To
// rewrite them after an intended change: REPRO_UPDATE_SNAPSHOTS=1 swift test
// --filter <Target>, then review `git diff`.

/// Compares `actual` with the snapshot `name` byte for byte, or rewrites it
/// when REPRO_UPDATE_SNAPSHOTS=1.
public func assertSnapshot(_ actual: String, named name: String, in snapshotDirectory: URL,
                           file: StaticString = #filePath, line: UInt = #line) throws {
  let url = snapshotDirectory.appendingPathComponent(name)
  let data = Data(actual.utf8)
  if ProcessInfo.processInfo.environment["REPRO_UPDATE_SNAPSHOTS"] == "1" {
    try FileManager.default.createDirectory(at: snapshotDirectory, withIntermediateDirectories: true)
    try data.write(to: url, options: .atomic)
    return
  }
  guard let expected = FileManager.default.contents(atPath: url.path) else {
    XCTFail("no snapshot at \(url.path); run with REPRO_UPDATE_SNAPSHOTS=1 to write it", file: file, line: line)
    return
  }
  if expected == data { return }
  let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
  let e = String(decoding: expected, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
  var k = 0
  while k < min(a.count, e.count) && a[k] == e[k] { k += 1 }
  XCTFail(
    """
    \(name) differs from the snapshot at line \(k + 1):
      snapshot: \(k < e.count ? String(e[k]) : "<end of file>")
      rendered: \(k < a.count ? String(a[k]) : "<end of file>")
    If the change is intended, run with REPRO_UPDATE_SNAPSHOTS=1 and review the diff.
    """, file: file, line: line)
}

