import Foundation
import Manifests
import RunModel

/// A golden file: the exact outcome of every run of a small manifest, for a
/// regression check (`repro check`). Per run (keyed `algorithm/task/seed`): the
/// run's identity hash, the run-level values (score under the manifest's
/// definition, total steps, divergence, labels) and every per-iteration metric,
/// each as exact text. The result's timing (wall clock) and the settings
/// (covered by the hash) are left out.
///
/// Values are compared as text: finite numbers in Swift's shortest
/// round-tripping form (integral values below 2^53 as integers, `-0` kept
/// apart from `0`), so two values compare equal exactly when their bits do
/// (NaNs aside); strings, booleans and null as themselves.
///
/// On disk: JSON with sorted keys, two-space indentation, numbers as numbers
/// (non-finite ones as the strings `nan`, `inf`, `-inf`).
public struct GoldenFile: Equatable, Sendable {
  public static let format = "repro-golden-1"
  /// Parts of a result that measure time, not computation: never recorded.
  public static let excludedFields: Set<String> = ["timing"]

  public struct Run: Equatable, Sendable {
    /// `PPO/Hopper/1`.
    public var key: String
    public var hash: String
    /// Run-level values by (flattened) field name.
    public var values: [String: GoldenValue]
    /// Per iteration, its values by (flattened) field name.
    public var iterations: [[String: GoldenValue]]

    public init(key: String, hash: String, values: [String: GoldenValue], iterations: [[String: GoldenValue]]) {
      self.key = key
      self.hash = hash
      self.values = values
      self.iterations = iterations
    }
  }

  public var manifest: String
  public var scale: String
  /// Sorted by key.
  public var runs: [Run]

  public init(manifest: String, scale: String, runs: [Run]) {
    self.manifest = manifest
    self.scale = scale
    self.runs = runs.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
  }

  /// The key of a run: `algorithm/task/seed`.
  public static func key(_ spec: RunSpec) -> String { "\(spec.algorithm)/\(spec.task.rawValue)/\(spec.seed)" }

  /// The golden record of every run of `expansion` that has a result (runs with none are left out).
  public init(expansion: Expansion, results: [String: RunResult]) throws {
    var runs: [Run] = []
    for spec in expansion.specs {
      guard let r = results[spec.hash] else { continue }
      var values: [String: GoldenValue] = [
        "algorithm": .string(spec.algorithm), "seed": .number(Double(r.seed)), "task": .string(r.task),
        "totalSteps": .number(Double(r.totalSteps)),
      ]
      if let score = expansion.manifest.score.score(of: r) { values["score"] = .number(score) }
      if let d = r.diverged { GoldenFile.flatten(try JSONValue.encoding(d), prefix: "diverged", into: &values) }
      var iterations: [[String: GoldenValue]] = []
      for it in r.iterations {
        var fields: [String: GoldenValue] = [:]
        GoldenFile.flatten(try JSONValue.encoding(it), prefix: "", into: &fields)
        iterations.append(fields)
      }
      runs.append(Run(key: GoldenFile.key(spec), hash: spec.hash, values: values, iterations: iterations))
    }
    self.init(manifest: expansion.manifest.name, scale: expansion.scale.name, runs: runs)
  }

  /// Scalars under `prefix` (`a.b`, `a[2]`), leaving out excluded fields at any depth.
  static func flatten(_ v: JSONValue, prefix: String, into out: inout [String: GoldenValue]) {
    switch v {
    case let .object(members):
      for m in members where !excludedFields.contains(m.key) {
        flatten(m.value, prefix: prefix.isEmpty ? m.key : "\(prefix).\(m.key)", into: &out)
      }
    case let .array(items):
      if items.isEmpty { out[prefix] = .text("[]") }
      for (i, x) in items.enumerated() { flatten(x, prefix: "\(prefix)[\(i)]", into: &out) }
    case let .number(_, d): out[prefix] = .number(d)
    case let .string(s): out[prefix] = .string(s)
    case let .bool(b): out[prefix] = .text(b ? "true" : "false")
    case .null: out[prefix] = .text("null")
    }
  }

  // MARK: Writing

  /// The file's bytes: sorted keys, two-space indentation, a final newline.
  public func render() -> String {
    var runMembers: [(key: String, value: JSONValue)] = []
    for r in runs {
      runMembers.append((r.key, .object([
        ("hash", .string(r.hash)),
        ("values", GoldenFile.object(r.values)),
        ("iterations", .array(r.iterations.map(GoldenFile.object))),
      ])))
    }
    let top: JSONValue = .object([
      ("format", .string(GoldenFile.format)),
      ("manifest", .string(manifest)),
      ("scale", .string(scale)),
      ("excluded", .array(GoldenFile.excludedFields.sorted().map { .string($0) })),
      ("runs", .object(runMembers)),
    ])
    return top.pretty
  }

  static func object(_ values: [String: GoldenValue]) -> JSONValue {
    .object(values.map { ($0.key, $0.value.json) })
  }

  // MARK: Reading

  /// Parses a golden file; `file` names it in errors.
  public static func parse(_ data: Data, file: String) throws -> GoldenFile {
    func fail(_ m: String) -> GoldenError { GoldenError(message: "\(file): \(m)") }
    let root: JSONValue
    do {
      root = try JSONParser.parse(data)
    } catch {
      throw fail("not JSON: \(error)")
    }
    guard case let .string(format)? = root["format"], format == GoldenFile.format else {
      throw fail("not a golden file (format must be \"\(GoldenFile.format)\")")
    }
    guard case let .string(manifest)? = root["manifest"], case let .string(scale)? = root["scale"],
          case let .object(runMembers)? = root["runs"] else {
      throw fail("needs string fields manifest and scale and an object runs")
    }
    var runs: [Run] = []
    for m in runMembers {
      guard case let .string(hash)? = m.value["hash"], case let .object(values)? = m.value["values"],
            case let .array(iterations)? = m.value["iterations"] else {
        throw fail("runs.\(m.key): needs hash, values and iterations")
      }
      func scalars(_ members: [(key: String, value: JSONValue)], _ path: String) throws -> [String: GoldenValue] {
        var out: [String: GoldenValue] = [:]
        for f in members {
          switch f.value {
          case let .number(_, d): out[f.key] = .number(d)
          case let .string(s): out[f.key] = .string(s)
          case let .bool(b): out[f.key] = .text(b ? "true" : "false")
          case .null: out[f.key] = .text("null")
          case .array(let a) where a.isEmpty: out[f.key] = .text("[]")
          default: throw fail("\(path).\(f.key): expected a number, string, boolean or null")
          }
        }
        return out
      }
      var its: [[String: GoldenValue]] = []
      for (i, it) in iterations.enumerated() {
        guard case let .object(fields) = it else { throw fail("runs.\(m.key).iterations[\(i)]: expected an object") }
        its.append(try scalars(fields, "runs.\(m.key).iterations[\(i)]"))
      }
      runs.append(Run(key: m.key, hash: hash, values: try scalars(values, "runs.\(m.key).values"), iterations: its))
    }
    return GoldenFile(manifest: manifest, scale: scale, runs: runs)
  }

  // MARK: Comparing

  /// Every difference between `golden` and `now`, one readable line each, in
  /// order (run key, then run-level fields, then iterations and fields by name).
  /// Empty when every value is bit-identical.
  public static func differences(golden: GoldenFile, now: GoldenFile) -> [String] {
    var out: [String] = []
    if golden.manifest != now.manifest || golden.scale != now.scale {
      out.append("golden is for \(golden.manifest) at scale \(golden.scale), now \(now.manifest) at scale \(now.scale)")
    }
    let nowByKey = Dictionary(now.runs.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
    let goldenKeys = Set(golden.runs.map(\.key))
    for g in golden.runs {
      guard let n = nowByKey[g.key] else {
        out.append("run \(g.key): in the golden file, not run now")
        continue
      }
      if g.hash != n.hash {
        out.append("run \(g.key): spec hash: golden \(g.hash.prefix(12)), now \(n.hash.prefix(12)) (settings or result format changed)")
      }
      out += compareFields(g.values, n.values) { "run \(g.key), \($0)" }
      if g.iterations.count != n.iterations.count {
        out.append("run \(g.key): iterations: golden \(g.iterations.count), now \(n.iterations.count)")
      }
      for i in 0..<min(g.iterations.count, n.iterations.count) {
        out += compareFields(g.iterations[i], n.iterations[i]) { "run \(g.key), iteration \(i), \($0)" }
      }
    }
    for n in now.runs where !goldenKeys.contains(n.key) {
      out.append("run \(n.key): run now, not in the golden file")
    }
    return out
  }

  static func compareFields(
    _ g: [String: GoldenValue], _ n: [String: GoldenValue], label: (String) -> String
  ) -> [String] {
    var out: [String] = []
    let names = Set(g.keys).union(n.keys).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    for f in names where g[f] != n[f] {
      out.append("\(label(f)): golden \(g[f]?.text ?? "(absent)"), now \(n[f]?.text ?? "(absent)")")
    }
    return out
  }
}

/// One recorded value, compared by its exact text.
public enum GoldenValue: Equatable, Sendable {
  case number(Double)
  case string(String)
  /// `true`, `false`, `null`, `[]`.
  case text(String)

  /// Exact text: shortest round-tripping form; integral values as integers; `-0` kept.
  public var text: String {
    switch self {
    case let .number(d): return GoldenValue.exact(d)
    case let .string(s): return "\"\(s)\""
    case let .text(t): return t
    }
  }

  public static func exact(_ d: Double) -> String {
    d.isFinite ? JSONValue.canonicalNumber(d, keepNegativeZero: true) : d.description
  }

  public static func == (a: GoldenValue, b: GoldenValue) -> Bool {
    switch (a, b) {
    case let (.number(x), .number(y)): return exact(x) == exact(y)
    case let (.string(x), .string(y)): return x == y
    case let (.text(x), .text(y)): return x == y
    default: return false
    }
  }

  var json: JSONValue {
    switch self {
    case let .number(d): return .number(text: GoldenValue.exact(d), value: d)
    case let .string(s): return .string(s)
    case let .text(t):
      switch t {
      case "true": return .bool(true)
      case "false": return .bool(false)
      case "[]": return .array([])
      default: return .null
      }
    }
  }
}

public struct GoldenError: Error, CustomStringConvertible, Equatable {
  public var message: String
  public init(message: String) { self.message = message }
  public var description: String { message }
}
