import Foundation
import XCTest

/// The module table of docs/ARCHITECTURE.md, enforced: a target may import only
/// the project modules listed for it (system modules are not checked). Only
/// Algorithms, ReproCLI and repro reach MuJoCo; manifests, the store, statistics
/// and reports build and test without it.
final class ArchitectureTests: XCTestCase {
  static let allowed: [String: Set<String>] = [
    "ReproRandom": [],
    "RunModel": [],
    "Environments": ["CMuJoCo", "ReproRandom", "RunModel"],
    "NeuralNet": ["ReproRandom", "CKernels"],
    "Algorithms": ["RunModel", "Environments", "NeuralNet", "ReproRandom"],
    "Statistics": ["ReproRandom"],
    "Reports": ["Statistics", "RunModel"],
    // The experiment layer, split by what it does; imports go one way: Manifests ← Running ← Analysis.
    "Manifests": ["RunModel", "Statistics"],
    "Running": ["RunModel", "Reports", "Manifests"],
    "Analysis": ["RunModel", "Statistics", "Reports", "Manifests", "Running"],
    "Experiments": ["Manifests", "Running", "Analysis"],
    "ReproCLI": ["RunModel", "Environments", "NeuralNet", "Algorithms", "Experiments", "Statistics", "Reports", "ReproRandom"],
    "repro": ["ReproCLI"],
  ]

  /// The C targets (they import nothing of ours).
  static let cTargets: Set<String> = ["CMuJoCo", "CKernels"]

  static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources")

  /// Project modules imported by each Swift file of `target`.
  static func imports(of target: String) throws -> [(file: String, module: String)] {
    let projectModules = Set(allowed.keys).union(cTargets)
    let dir = sources.appendingPathComponent(target)
    var out: [(String, String)] = []
    let files = FileManager.default.enumerator(atPath: dir.path)?.compactMap { $0 as? String } ?? []
    for file in files.sorted() where file.hasSuffix(".swift") {
      let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
      for line in text.split(separator: "\n") {
        let words = line.split(separator: " ").map(String.init)
        // `import X`, `@testable import X`, `@_exported import X`, `import struct X.Y`.
        guard let i = words.firstIndex(of: "import"), i + 1 < words.count, words[..<i].allSatisfy({ $0.hasPrefix("@") }) else { continue }
        let module = String(words.last!.split(separator: ".").first!)
        if projectModules.contains(module) { out.append(("\(target)/\(file)", module)) }
      }
    }
    return out
  }

  func testEveryTargetImportsOnlyWhatTheTableAllows() throws {
    let targets = try FileManager.default.contentsOfDirectory(atPath: Self.sources.path).filter { !Self.cTargets.contains($0) }
    XCTAssertEqual(Set(targets), Set(Self.allowed.keys), "every target has a row in the table")
    for target in targets.sorted() {
      for (file, module) in try Self.imports(of: target) {
        XCTAssertTrue(Self.allowed[target]!.contains(module), "\(file) imports \(module), which \(target) may not import")
      }
    }
  }

  /// The check itself can fail: a file of Reports importing Experiments is caught.
  func testTheCheckSeesAForbiddenImport() throws {
    let found = try Self.imports(of: "Analysis").map(\.module)
    XCTAssertTrue(found.contains("Reports"), "sanity: imports are read")
    XCTAssertFalse(Self.allowed["Reports"]!.contains("Experiments"))
    for layer in ["Manifests", "Running", "Analysis"] {
      XCTAssertFalse(Self.allowed[layer]!.contains("Algorithms"), "\(layer) must not reach MuJoCo")
    }
    // One way: the manifest language imports neither running nor analysis, running not analysis.
    XCTAssertTrue(Self.allowed["Manifests"]!.isDisjoint(with: ["Running", "Analysis", "Reports"]))
    XCTAssertFalse(Self.allowed["Running"]!.contains("Analysis"))
  }
}
