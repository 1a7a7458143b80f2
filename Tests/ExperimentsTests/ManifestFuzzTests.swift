import Experiments
import Foundation
import RunModel
import XCTest

/// A seeded fuzz test of manifest validation (Issue 11): mutations of the shipped
/// manifests (fields deleted, duplicated, retyped; extreme numbers; deep nesting;
/// long strings; invalid UTF-8; truncation; flipped bytes) go through everything
/// `repro run` does before it trains (decode, expand every scale, the size ceiling,
/// the results-folder checks). Each must be accepted or refused with a message that
/// names the file, within a few seconds, without a crash and without writing a file.
///
/// The run is bounded by time (REPRO_FUZZ_SECONDS, default 20) and reproducible by
/// seed (REPRO_FUZZ_SEED, default 2026); it prints how many inputs it tried.
final class ManifestFuzzTests: XCTestCase {
  typealias Generator = SplitMix64

  static let extremeNumbers: [JSONValue] = [
    .int(0), .int(-1), .double(-1.0), .int(1), .int(2), .int(Int(Int32.max)), .int(1 << 53), .double(1e308),
    .double(-1e308), .double(5e-324), .double(0.5), .number(text: "1e999", value: .infinity), .int(-9_007_199_254_740_993),
    .number(text: "100000000000000000000000", value: 1e23),
  ]

  func testMalformedManifestsAreAcceptedOrRefusedCleanly() throws {
    let env = ProcessInfo.processInfo.environment
    let seconds = Double(env["REPRO_FUZZ_SECONDS"] ?? "") ?? 20
    var g = Generator(state: UInt64(env["REPRO_FUZZ_SEED"] ?? "") ?? 2026)
    let folder = repoRoot.appendingPathComponent("experiments")
    let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
    let bases = try names.map { try JSONParser.parse(try Data(contentsOf: folder.appendingPathComponent($0))) }
    XCTAssertGreaterThanOrEqual(bases.count, 5)
    let root = try temporaryFolder()

    var tried = 0, accepted = 0, refused = 0, slowest = 0.0
    let start = Date()
    while Date().timeIntervalSince(start) < seconds {
      let input = mutate(g.pick(bases), &g)
      let t0 = Date()
      do {
        let m = try Manifest.decode(input, file: "fuzz.json")
        for scale in m.scales {
          let e = try m.expand(scale: scale.name)
          try Preflight.checkRun(e, store: ResultStore(root: root, manifest: m.name), allowLarge: false)
        }
        accepted += 1
      } catch let e as ManifestError {
        XCTAssertTrue(e.description.hasPrefix("fuzz.json: "), e.description)
        refused += 1
      } catch let e as Preflight.Failure {
        XCTAssertFalse(e.message.isEmpty)
        refused += 1
      } catch {
        XCTFail("an error that names nothing: \(error)")
      }
      let dt = Date().timeIntervalSince(t0)
      slowest = max(slowest, dt)
      XCTAssertLessThan(dt, 10, "input \(tried) took \(dt) s: \(String(decoding: input.prefix(300), as: UTF8.self))")
      tried += 1
    }
    print("manifest fuzz: \(tried) inputs in \(Int(seconds)) s, \(accepted) accepted, \(refused) refused, slowest \(String(format: "%.2f", slowest)) s")
    XCTAssertGreaterThan(tried, 200)
    XCTAssertGreaterThan(refused, tried / 4, "the mutations reach the checks")
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.path), [], "validation wrote nothing")
  }

  /// One mutated manifest, as bytes.
  func mutate(_ base: JSONValue, _ g: inout Generator) -> Data {
    var v = base
    for _ in 0...g.below(3) { v = mutateTree(v, &g, depth: 0) }
    var bytes = Array((g.below(2) == 0 ? v.pretty : v.canonical).utf8)
    switch g.below(8) {
    case 0: bytes = Array(bytes.prefix(g.below(bytes.count)))  // truncated
    case 1:  // invalid UTF-8 somewhere
      bytes.insert(g.pick([0xFF, 0xC0, 0xED, 0x80]), at: g.below(bytes.count))
    case 2:  // flipped bytes
      for _ in 0...g.below(4) { let i = g.below(bytes.count); bytes[i] ^= UInt8(1 << g.below(8)) }
    case 3:  // a duplicated key: copy one "key": value pair's text next to itself
      if let colon = bytes.indices.filter({ bytes[$0] == UInt8(ascii: ":") }).randomElement(using: &g) {
        var s = colon
        while s > 0 && bytes[s] != UInt8(ascii: ",") && bytes[s] != UInt8(ascii: "{") { s -= 1 }
        var e = colon
        while e < bytes.count && bytes[e] != UInt8(ascii: ",") && bytes[e] != UInt8(ascii: "}") { e += 1 }
        if s < e, e < bytes.count { bytes.insert(contentsOf: bytes[s..<e], at: e) }
      }
    default: break
    }
    return Data(bytes)
  }

  /// Replaces one random node of the tree (or deletes / duplicates an object member).
  func mutateTree(_ v: JSONValue, _ g: inout Generator, depth: Int) -> JSONValue {
    switch v {
    case .object(var members) where !members.isEmpty && g.below(3) != 0:
      let i = g.below(members.count)
      switch g.below(6) {
      case 0: members.remove(at: i)
      case 1: members.append(members[i])  // duplicate key
      case 2: members.append((key: String(repeating: "k", count: 1 + g.below(200)), value: members[i].value))
      default: members[i].value = mutateTree(members[i].value, &g, depth: depth + 1)
      }
      return .object(members)
    case .array(var items) where !items.isEmpty && g.below(3) != 0:
      let i = g.below(items.count)
      switch g.below(4) {
      case 0: items.remove(at: i)
      case 1: items.append(contentsOf: Array(repeating: items[i], count: 1 + g.below(50)))
      default: items[i] = mutateTree(items[i], &g, depth: depth + 1)
      }
      return .array(items)
    default:
      return replacement(for: v, &g)
    }
  }

  func replacement(for v: JSONValue, _ g: inout Generator) -> JSONValue {
    switch g.below(9) {
    case 0: return g.pick(Self.extremeNumbers)
    case 1: return .string(String(repeating: g.pick(["x", "[", "(", "é", "\u{0}", "/", "."]), count: g.pick([0, 1, 65, 1001, 100_000])))
    case 2:  // deep nesting of arrays or objects
      var n: JSONValue = .int(1)
      for _ in 0..<g.pick([10, 255, 300]) { n = g.below(2) == 0 ? .array([n]) : .object([(key: "a", value: n)]) }
      return n
    case 3:  // a formula-like string: deep, long, dividing by zero
      return .string(g.pick([
        String(repeating: "(", count: 500) + "[PPO]" + String(repeating: ")", count: 500),
        Array(repeating: "[PPO]", count: 300).joined(separator: " * "),
        "[PPO] / 0", "[PPO] / ([PPO] - [PPO])", String(repeating: "-", count: 2000) + "[PPO]", "max(", "[PPO",
      ]))
    case 4: return .null
    case 5: return .bool(g.below(2) == 0)
    case 6: return .array([])
    case 7: return .object([])
    default:  // the same kind, another value
      switch v {
      case .number: return g.pick(Self.extremeNumbers)
      case .string: return .string(g.pick(["", "PPO", "TRPO", "Hopper", "all", "quick", "paper", "-1", "off"]))
      default: return .string("retyped")
      }
    }
  }
}

extension Array {
  /// A random element drawn with the fuzz generator.
  func randomElement(using g: inout ManifestFuzzTests.Generator) -> Element? { isEmpty ? nil : self[g.below(count)] }
}
