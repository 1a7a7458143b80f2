import Experiments
import Foundation
import RunModel
import XCTest

/// The paper manifests run what the authors' code ran, and say where and why
/// they differ from the paper or from the code.
final class FidelityTests: XCTestCase {
  static let manifests = ["table2", "table3", "table2-text"]

  func load(_ name: String) throws -> (Manifest, AuthorsConfigs) {
    let m = try Manifest.load(path: repoRoot.appendingPathComponent("experiments/\(name).json").path)
    let path = try XCTUnwrap(m.authorsConfigsPath, "\(name) names the authors' configs")
    return (m, try AuthorsConfigs.load(path: path))
  }

  /// Every difference from the paper or the authors' code carries a reason in the manifest,
  /// and every reason explains a difference that exists.
  func testEveryDifferenceIsExplainedAndEveryExplanationIsUsed() throws {
    for name in Self.manifests {
      let (m, authors) = try load(name)
      let (unexplained, unused) = try Fidelity.check(m, authors: authors)
      XCTAssertEqual(unexplained.map { "\($0.source) \($0.row)/\($0.task.rawValue).\($0.key): ours \($0.ours.canonical), theirs \($0.theirs.canonical)" },
                     [], "\(name): add a deviation with the reason")
      XCTAssertEqual(unused.map { "\($0.rows ?? []) \($0.setting ?? "")" }, [], "\(name): a deviation that explains nothing")
    }
  }

  /// The five paper algorithms equal the authors' code in every setting of every cell.
  func testThePaperPresetsAreTheAuthorsCode() throws {
    let (_, authors) = try load("table2")
    for p in Preset.paperAlgorithms {
      for t in PaperTask.allCases {
        let c = p.config(task: t)
        for (key, theirs) in try authors.effectiveSettings(p, t) {
          XCTAssertEqual(Fidelity.ours(c, key), theirs, "\(p.rawValue) on \(t.rawValue): \(key)")
        }
      }
    }
  }

  /// The (paper text) presets equal everything the paper says.
  func testThePaperTextPresetsAreThePapersReading() throws {
    for p in [Preset.ppoText, .ppoMText, .ppoNoClipText, .trpoText, .trpoPlusText] {
      for t in PaperTask.allCases {
        let c = p.config(task: t)
        for e in PaperReading.expectations(p, t, valueClippingOn: c.valueClipping) {
          XCTAssertEqual(Fidelity.ours(c, e.key), e.value, "\(p.rawValue) on \(t.rawValue): \(e.key) (\(e.source))")
        }
      }
    }
  }

  /// The comparison can fail: a manifest that moves one setting off the authors' code
  /// without a reason is caught, and a deviation that explains nothing is too.
  func testAnUndocumentedDifferenceIsCaught() throws {
    var (m, authors) = try load("table2")
    m.algorithms[0].overrides.append(Setting(key: "gaeLambda", value: .double(0.9), path: JSONPath()))
    let (unexplained, _) = try Fidelity.check(m, authors: authors)
    XCTAssertEqual(Set(unexplained.map { "\($0.source) \($0.task.rawValue)" }),
                   ["paper Walker2d", "paper Hopper", "paper Humanoid", "code Walker2d", "code Hopper", "code Humanoid"])
    m.deviations.append(Deviation(rows: ["PPO"], tasks: [.hopper], setting: "cgDamping", from: .code, reason: "stale"))
    XCTAssertEqual(try Fidelity.check(m, authors: authors).unused.map(\.reason), ["stale"])
  }

  /// The transcription of the authors' configs holds the 15 files, and its numbers are theirs.
  func testTheTranscriptionHoldsTheFifteenConfigs() throws {
    let (_, authors) = try load("table2")
    XCTAssertEqual(authors.commit, "5ee6ecb12545365d9178135e65576adfc0d82f52")
    XCTAssertEqual(authors.resolved.count, 15)
    XCTAssertEqual(authors.resolved["hopper_ppo"]?["value_clipping"], .bool(false))
    XCTAssertEqual(authors.resolved["humanoid_ppo_noclip"]?["clip_eps"]?.numberValue, 1e32)
    XCTAssertEqual(authors.resolved["walker_ppo_noclip"]?["clip_observations"]?.numberValue, -1)
  }
}
