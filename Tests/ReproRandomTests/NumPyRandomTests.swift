import Foundation
import ReproRandom
import XCTest

/// NumPy's SeedSequence, PCG64 and Generator draws against NumPy 2.x's own output
/// (Fixtures/numpy-random.json, written by scripts/parity/numpy_random.py; `make
/// numpy-random-fixture`). Tolerance: none. Every integer and every double's bit
/// pattern must be equal, for every seed in the fixture.
final class NumPyRandomTests: XCTestCase {
  struct Row {
    var seed: UInt64
    var state64: [UInt64], raw: [UInt64], random: [UInt64], uniform: [UInt64], normal: [UInt64]
  }
  struct Long { var seed: UInt64; var count: Int; var xor: UInt64; var last: UInt64; var state: UInt128 }

  static func hex(_ s: Any?) throws -> UInt64 {
    guard let s = s as? String, s.hasPrefix("0x"), let v = UInt64(s.dropFirst(2), radix: 16) else {
      throw XCTSkip("fixture value \(String(describing: s)) is not a 64-bit hex string")
    }
    return v
  }

  func load() throws -> (rows: [Row], long: [Long]) {
    guard let url = Bundle.module.url(forResource: "numpy-random", withExtension: "json", subdirectory: "Fixtures")
      ?? Bundle.module.url(forResource: "Fixtures/numpy-random", withExtension: "json") else {
      XCTFail("Fixtures/numpy-random.json is missing from the test bundle")
      return ([], [])
    }
    let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
    let seeds = object?["seeds"] as? [[String: Any]] ?? []
    let rows = try seeds.map { r -> Row in
      func list(_ k: String) throws -> [UInt64] { try (r[k] as? [Any] ?? []).map(Self.hex) }
      guard let seed = UInt64(r["seed"] as? String ?? "") else { throw XCTSkip("bad seed in fixture") }
      return Row(seed: seed, state64: try list("state64"), raw: try list("raw"), random: try list("random"),
                 uniform: try list("uniform"), normal: try list("normal"))
    }
    let longs = try (object?["long"] as? [[String: Any]] ?? []).map { r -> Long in
      let st = (r["state"] as? String ?? "").dropFirst(2)
      guard let seed = UInt64(r["seed"] as? String ?? ""), let count = r["count"] as? Int,
            let state = UInt128(st, radix: 16) else { throw XCTSkip("bad long row in fixture") }
      return Long(seed: seed, count: count, xor: try Self.hex(r["xor"]), last: try Self.hex(r["last"]), state: state)
    }
    XCTAssertGreaterThanOrEqual(rows.count, 70, "the fixture covers many seeds")
    return (rows, longs)
  }

  func testSeedSequenceAndPCG64MatchNumPy() throws {
    for row in try load().rows {
      XCTAssertEqual(NumPySeedSequence(row.seed).generateState64(4), row.state64, "generate_state, seed \(row.seed)")
      var pcg = NumPyPCG64(NumPySeedSequence(row.seed))
      XCTAssertEqual((0..<row.raw.count).map { _ in pcg.next() }, row.raw, "random_raw, seed \(row.seed)")
    }
  }

  func testGeneratorDrawsMatchNumPy() throws {
    for row in try load().rows {
      var g = NumPyGenerator(seed: row.seed)
      XCTAssertEqual((0..<row.random.count).map { _ in g.nextDouble().bitPattern }, row.random, "random(), seed \(row.seed)")
      g = NumPyGenerator(seed: row.seed)
      let u = g.uniform(-0.005, 0.005, count: 15) + g.uniform(-0.01, 0.01, count: 6)
      XCTAssertEqual(u.map(\.bitPattern), row.uniform, "uniform, seed \(row.seed)")
      g = NumPyGenerator(seed: row.seed)
      XCTAssertEqual(g.standardNormal(count: row.normal.count).map(\.bitPattern), row.normal,
                     "standard_normal, seed \(row.seed)")
    }
  }

  /// 200,000 normals per seed: the ziggurat's wedge and tail branches are taken hundreds of times.
  func testLongNormalStreamsMatchNumPy() throws {
    let longs = try load().long
    XCTAssertFalse(longs.isEmpty)
    for l in longs {
      var g = NumPyGenerator(seed: l.seed)
      var x: UInt64 = 0, last = 0.0
      for _ in 0..<l.count {
        last = g.standardNormal()
        x ^= last.bitPattern
      }
      XCTAssertEqual(x, l.xor, "XOR of \(l.count) normals' bits, seed \(l.seed)")
      XCTAssertEqual(last.bitPattern, l.last, "last normal, seed \(l.seed)")
      XCTAssertEqual(g.bitGenerator.state, l.state, "PCG64 state after the draws, seed \(l.seed)")
    }
  }

  /// Gymnasium seeds with `SeedSequence(seed)`: seed 0 is one zero word, 2^32 is two words.
  func testSeedWordsAreNumPys() {
    XCTAssertNotEqual(NumPySeedSequence(0).pool, NumPySeedSequence(1 << 32).pool)
    XCTAssertEqual(NumPySeedSequence(0).pool, NumPySeedSequence(entropyWords: [0]).pool)
    XCTAssertEqual(NumPySeedSequence(1 << 32).pool, NumPySeedSequence(entropyWords: [0, 1]).pool)
  }
}
