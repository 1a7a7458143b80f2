import RunModel
import Experiments
import Foundation
import XCTest

final class HashTests: XCTestCase {
  /// FIPS 180-4 / NIST example vectors.
  func testSHA256KnownVectors() {
    XCTAssertEqual(SHA256.hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    XCTAssertEqual(SHA256.hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    XCTAssertEqual(SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                   "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    XCTAssertEqual(SHA256.hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
                   "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
    XCTAssertEqual(SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000)),
                   "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  }

  func testSHA256IncrementalEqualsOneShot() {
    let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) }
    for split in [0, 1, 55, 56, 63, 64, 65, 999] {
      var s = SHA256()
      s.update(Array(bytes[..<split]))
      s.update(Array(bytes[split...]))
      let hex = s.finalize().map { String(format: "%02x", $0) }.joined()
      XCTAssertEqual(hex, SHA256.hex(bytes), "split at \(split)")
    }
  }

  func testCanonicalJSON() throws {
    let v = try JSONParser.parse(#"{"b": [1, 2.50, -0, 1e32, 3e-4, 7.25e-5], "a": {"y": null, "x": true}, "é": "q\"\n"}"#)
    XCTAssertEqual(v.canonical, #"{"a":{"x":true,"y":null},"b":[1,2.5,0,1e+32,0.0003,7.25e-05],"é":"q\"\n"}"#)
    // Canonical text is a fixed point. (JSONValue's == is order-sensitive for objects.)
    XCTAssertEqual(try JSONParser.parse(v.canonical).canonical, v.canonical)
  }

  func testParserStrictness() {
    for bad in ["[1,]", "{\"a\":1,}", "01", "1.", ".5", "NaN", "[1e400]", "// c\n1", "'a'", "\"\\x\"", "\"a", "tru", "[1] 2", "\"\\ud800\""] {
      XCTAssertThrowsError(try JSONParser.parse(bad), bad)
    }
    XCTAssertEqual(try JSONParser.parse("\u{FEFF} [\"\\u00e9\\ud83d\\ude00\", -0.5e1]"), .array([.string("é😀"), .number(text: "-0.5e1", value: -5)]))
  }

  /// Numbers in canonical text parse back to the very same Double.
  func testCanonicalNumbersRoundTrip() {
    var rng = SystemRandomNumberGenerator()
    var values: [Double] = [0.1, 1e-5, 2.5e-4, 7.25e-5, 1e32, 0.925, 1.0 / 3.0, 123456789.125, -0.005, 9_007_199_254_740_994]
    for _ in 0..<2000 { values.append(Double(bitPattern: rng.next() & 0x7FEF_FFFF_FFFF_FFFF)) }
    for v in values {
      XCTAssertEqual(Double(JSONValue.canonicalNumber(v)), v, "\(v)")
    }
  }

  /// The settings' JSON (the input of the canonical form) round-trips for every preset value,
  /// through the canonical text too.
  func testConfigEncodingRoundTrips() throws {
    for p in Preset.allCases {
      for t in PaperTask.allCases {
        let c = p.config(task: t)
        XCTAssertEqual(try TrainerConfig(settings: c.json), c)
        XCTAssertEqual(try TrainerConfig(settings: c.nonNeutralSettings), c)
        XCTAssertEqual(try TrainerConfig(settings: JSONParser.parse(c.json.canonical)), c)
      }
    }
  }

  func testSameSpecSameHash() throws {
    let a = try decodeMini().expand()
    let b = try decodeMini().expand()
    XCTAssertEqual(a.specs.map(\.hash), b.specs.map(\.hash))
    XCTAssertTrue(a.specs.allSatisfy { $0.hash.count == 64 && $0.hash.allSatisfy(\.isHexDigit) })
    // Every run of the expansion is distinct.
    XCTAssertEqual(Set(a.specs.map(\.hash)).count, a.specs.count)
  }

  func testHashIgnoresLabelsButNotSettings() throws {
    let c = Preset.ppo.config(task: .hopper)
    let base = try RunSpec(manifest: "m", algorithm: "PPO", preset: .ppo, task: .hopper, seed: 1, config: c)
    // Labels are not part of the identity.
    XCTAssertEqual(try RunSpec(manifest: "other", algorithm: "Mine", preset: .ppoM, task: .hopper, seed: 1, config: c).hash, base.hash)
    // Seed and task are.
    XCTAssertNotEqual(try RunSpec(manifest: "m", algorithm: "PPO", preset: .ppo, task: .hopper, seed: 2, config: c).hash, base.hash)
    XCTAssertNotEqual(try RunSpec(manifest: "m", algorithm: "PPO", preset: .ppo, task: .walker2d, seed: 1, config: c).hash, base.hash)
    // Every single setting is.
    let changes: [(String, String)] = [
      ("algorithm", "trpo"), ("iterations", "487"), ("stepsPerIteration", "2047"), ("resetEachIteration", "false"),
      ("gamma", "0.98"), ("gaeLambda", "0.9"), ("policyLR", "0.00030000000000000003"), ("valueLR", "1e-4"),
      ("adamEpsilon", "1e-8"), ("clipEpsilon", "0.1"), ("entropyCoefficient", "0.01"), ("policyEpochs", "9"),
      ("valueEpochs", "9"), ("minibatches", "31"), ("advantageNormalization", "false"), ("hiddenSizes", "64,65"),
      ("valueClipping", "true"), ("rewardNormalization", "none"), ("initialization", "default"),
      ("learningRateAnnealing", "false"), ("rewardClip", "off"), ("observationNormalization", "false"),
      ("observationClip", "5"), ("activation", "relu"), ("gradientClip", "1"), ("klBound", "0.05"),
      ("klBoundFinal", "0.07"), ("fisherFraction", "0.2"), ("cgIterations", "11"), ("cgDamping", "0.01"),
      ("lineSearchSteps", "9"), ("lineSearchAcceptRatio", "0.2"), ("diagnosticsEvery", "0"),
      ("valueLossMaskEpisodeEnds", "false"), ("clipActions", "true"), ("timeLimit", "bootstrap"),
      ("batchEndBootstrap", "zero"), ("valueClipEpsilon", "0.3"), ("fisherSubsetRounding", "truncated"),
      ("heldOutUpdatesFilters", "true"), ("jointLoss", "true"), ("valueLossCoefficient", "0.25"),
      ("observationNormalizer", "gymnasium"), ("recordEpisodeReturns", "true"), ("resetSeeding", "gymnasium"),
    ]
    // Every built-in setting (a test may have registered an algorithm's own in this process).
    XCTAssertEqual(Set(changes.map(\.0)), Set(Settings.builtIn.map(\.key)), "cover every setting")
    var seen: Set<String> = [base.hash]
    for (key, value) in changes {
      var changed = c
      try changed.set(key, to: value)
      XCTAssertNotEqual(changed, c, key)
      let h = try RunSpec(manifest: "m", algorithm: "PPO", preset: .ppo, task: .hopper, seed: 1, config: changed).hash
      XCTAssertTrue(seen.insert(h).inserted, "changing \(key) must change the hash")
    }
  }

  /// Pins the canonical form and hash of a fixed identity: if this changes, every
  /// stored result would be orphaned, so it must only change on purpose.
  func testIdentityHashIsPinned() throws {
    let v = try JSONParser.parse(#"{"task": "Hopper", "seed": 7, "formatVersion": 1, "config": {"gamma": 0.99, "clipEpsilon": 1e32}}"#)
    XCTAssertEqual(v.canonical, #"{"config":{"clipEpsilon":1e+32,"gamma":0.99},"formatVersion":1,"seed":7,"task":"Hopper"}"#)
    XCTAssertEqual(SHA256.hex(v.canonical), "4a0d95285e1bcb6a59ba99a4488dd81f73fc642163eb5918063b7dc6129b724e") // sha256sum of the line above
  }

  func testExpansionOrderAndCounts() throws {
    let m = try decodeMini()
    let e = try m.expand()
    XCTAssertEqual(e.specs.count, 3 * 2 * 2)
    XCTAssertEqual(e.seeds, [1, 2, 3])
    // Seed-major, then algorithm, then task, in manifest order.
    XCTAssertEqual(e.specs.prefix(4).map(\.label), ["PPO/Hopper/seed 1", "PPO/Walker2d/seed 1", "TRPO/Hopper/seed 1", "TRPO/Walker2d/seed 1"])
    XCTAssertEqual(e.specs(algorithm: "TRPO", task: .walker2d).map(\.seed), [1, 2, 3])
    XCTAssertEqual(try m.expand(scale: "two").specs.count, 2 * 2 * 2)
    XCTAssertThrowsError(try m.expand(scale: "nope")) { e in
      XCTAssertEqual("\(e)", "experiments/mini.json: scales: no scale named 'nope'; scales: tiny, two")
    }
  }

  func testIdenticalRowsShareOneRun() throws {
    let twin = miniManifest.replacing1("\"TRPO\": {\"preset\": \"TRPO\", \"overrides\": {\"minibatches\": 4}}",
                                       "\"TRPO\": {\"preset\": \"TRPO\", \"overrides\": {\"minibatches\": 4}}, \"TRPO copy\": {\"preset\": \"TRPO\", \"overrides\": {\"minibatches\": 4}}")
    let e = try decodeMini(twin).expand()
    XCTAssertEqual(e.specs.count, 3 * 3 * 2)
    XCTAssertEqual(e.uniqueSpecs.count, 3 * 2 * 2)
    XCTAssertEqual(e.specs(algorithm: "TRPO copy", task: .hopper).map(\.hash), e.specs(algorithm: "TRPO", task: .hopper).map(\.hash))
  }

  func testShardParsing() throws {
    XCTAssertEqual(try Shard(parsing: "2/3"), try Shard(index: 2, count: 3))
    XCTAssertThrowsError(try Shard(parsing: "0/3")) { XCTAssertEqual("\($0)", "shard must be i/n with 1 <= i <= n, got 0/3") }
    XCTAssertThrowsError(try Shard(parsing: "4/3"))
    XCTAssertThrowsError(try Shard(parsing: "2")) { XCTAssertEqual("\($0)", "shard must be written i/n (e.g. 2/3), got '2'") }
  }

  func testShardsPartitionEvenly() throws {
    let specs = try decodeMini().expand().uniqueSpecs
    let parts = try (1...5).map { try Shard(index: $0, count: 5).select(specs) }
    XCTAssertEqual(parts.map(\.count).reduce(0, +), specs.count)
    XCTAssertEqual(Set(parts.flatMap { $0.map(\.hash) }), Set(specs.map(\.hash)))
    XCTAssertLessThanOrEqual(parts.map(\.count).max()! - parts.map(\.count).min()!, 1)
    XCTAssertEqual(Shard.all.select(specs), specs)
  }
}
