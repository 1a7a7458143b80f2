import RunModel
import Experiments
import Foundation
import XCTest

/// The repository root (three levels above this file).
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The error decoding a manifest's text gives, as text, or "decoded" when it decodes.
func manifestDecodeError(_ text: String) -> String {
  do {
    _ = try Manifest.decode(text, file: "a.json")
    return "decoded"
  } catch { return "\(error)" }
}

/// A small valid manifest; tests replace parts of it to make it invalid.
let miniManifest = """
{
  "name": "mini",
  "citation": "test",
  "tasks": ["Hopper", "Walker2d"],
  "algorithms": {
    "PPO": {"preset": "PPO", "overrides": {"minibatches": 4}, "perTask": {"Hopper": {"policyLR": 0.0003}}},
    "TRPO": {"preset": "TRPO", "overrides": {"minibatches": 4}}
  },
  "seeds": {"count": 3, "base": 1},
  "scales": {
    "tiny": {"iterations": 3, "stepsPerIteration": 64},
    "two": {"seeds": 2, "iterations": 2, "stepsPerIteration": 32}
  },
  "defaultScale": "tiny",
  "score": {"method": "lastMean", "iterations": 2},
  "derived": {"GAP": "abs([PPO] - [TRPO])"},
  "paper": {"PPO": {"Hopper": {"mean": 2513, "low": 2391, "high": 2632}}},
  "claims": [{"name": "PPO > TRPO", "left": "PPO", "op": ">", "right": "TRPO", "tasks": ["Hopper"]}]
}
"""

func decodeMini(_ text: String = miniManifest) throws -> Manifest {
  try Manifest.decode(text, file: "experiments/mini.json")
}

/// A fresh empty folder under the temporary directory.
func temporaryFolder() throws -> URL {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("repro-exp-tests-\(UUID().uuidString)", isDirectory: true)
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

/// A deterministic stand-in for the trainer: the result depends only on the spec.
@Sendable func fakeTrain(_ spec: RunSpec, _ progress: IterationProgress) throws -> RunResult {
  var r = RunResult(task: spec.task.rawValue, seed: spec.seed, config: spec.config)
  let h = UInt64(spec.hash.prefix(12), radix: 16) ?? 0
  for i in 0..<spec.config.iterations {
    var m = IterationMetrics(iteration: i)
    m.meanReturn = Double(h % 1000) + Double(i) * 10.5
    m.episodes = 3
    r.iterations.append(m)
    progress(i + 1)
  }
  r.totalSteps = spec.config.iterations * spec.config.stepsPerIteration
  return r
}

struct FakeCrash: Error, CustomStringConvertible {
  var description: String { "simulated crash" }
}

/// File name → bytes of every file in `dir` (hidden files included).
func folderContents(_ dir: URL) throws -> [String: Data] {
  var out: [String: Data] = [:]
  for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) {
    out[name] = try Data(contentsOf: dir.appendingPathComponent(name))
  }
  return out
}

/// Collects what a progress display writes.
final class Captured: @unchecked Sendable {
  private let lock = NSLock()
  private var parts: [String] = []
  func append(_ s: String) { lock.lock(); parts.append(s); lock.unlock() }
  var text: String { lock.lock(); defer { lock.unlock() }; return parts.joined() }
}

func quietDisplay() -> ProgressDisplay { ProgressDisplay(mode: .silent) { _ in } }

/// Asserts that decoding `text` fails with exactly `message` (one issue).
func assertManifestError(_ text: String, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
  do {
    _ = try decodeMini(text)
    XCTFail("expected the manifest to be refused with: \(message)", file: file, line: line)
  } catch let e as ManifestError {
    XCTAssertEqual(e.description, message, file: file, line: line)
  } catch {
    XCTFail("unexpected error \(error)", file: file, line: line)
  }
}

extension String {
  /// `replacingOccurrences`, but the test fails if `old` is absent (so a typo in a test cannot pass silently).
  func replacing1(_ old: String, _ new: String, file: StaticString = #filePath, line: UInt = #line) -> String {
    XCTAssertTrue(contains(old), "test bug: '\(old)' not in the text", file: file, line: line)
    return replacingOccurrences(of: old, with: new)
  }
}

/// SplitMix64: the tests' own small seeded generator, so that a failing random case
/// can be replayed by its seed (ManifestFuzzTests, ReportRobustnessTests).
struct SplitMix64 {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
  /// Uniform in [0, 1).
  mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
  mutating func pick<T>(_ xs: [T]) -> T { xs[below(xs.count)] }
}
