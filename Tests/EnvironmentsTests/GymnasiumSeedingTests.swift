import Environments
import Foundation
import XCTest

/// `reset(seed: s)` with `ResetSeeding.gymnasium` against Gymnasium 1.4.0's own
/// `env.reset(seed=s)` and the unseeded resets after it (Fixtures/gymnasium-resets.json,
/// scripts/parity/record_resets.py, `make parity-resets`). Tolerance: none; qpos, qvel and
/// every observation value must have Gymnasium's bits.
final class GymnasiumSeedingTests: XCTestCase {
  static func bits(_ v: Any?) -> [UInt64] {
    (v as? [String] ?? []).compactMap { UInt64($0.dropFirst(2), radix: 16) }
  }

  func testResetsMatchGymnasiumForManySeeds() throws {
    guard let url = Bundle.module.url(forResource: "gymnasium-resets", withExtension: "json", subdirectory: "Fixtures")
      ?? Bundle.module.url(forResource: "Fixtures/gymnasium-resets", withExtension: "json") else {
      return XCTFail("Fixtures/gymnasium-resets.json is missing from the test bundle")
    }
    let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
    let rows = doc?["rows"] as? [[String: Any]] ?? []
    XCTAssertGreaterThanOrEqual(rows.count, 30)
    var envs: [String: MuJoCoEnvironment] = [:]
    var checked = 0
    for row in rows {
      let task = try XCTUnwrap(row["task"] as? String)
      let seed = try XCTUnwrap(UInt64(row["seed"] as? String ?? ""))
      let kind = try XCTUnwrap(MuJoCoTask(name: task))
      let env = try envs[task] ?? MuJoCoEnvironment(kind, seed: 99, resetSeeding: .gymnasium)
      envs[task] = env
      for (k, r) in (row["resets"] as? [[String: Any]] ?? []).enumerated() {
        let obs = env.reset(seed: k == 0 ? seed : nil)
        let label = "\(task) seed \(seed) reset \(k)"
        XCTAssertEqual(env.qpos.map(\.bitPattern), Self.bits(r["qpos"]), "\(label): qpos")
        XCTAssertEqual(env.qvel.map(\.bitPattern), Self.bits(r["qvel"]), "\(label): qvel")
        XCTAssertEqual(obs.map(\.bitPattern), Self.bits(r["observation"]), "\(label): observation")
        checked += 1
      }
    }
    XCTAssertEqual(checked, rows.count * 3)
  }

  /// The neutral seeding is Repro's own stream: unchanged by the switch's existence.
  func testReproSeedingIsTheDefaultAndDiffersFromGymnasiums() throws {
    let a = try MuJoCoEnvironment(.hopper), b = try MuJoCoEnvironment(.hopper, resetSeeding: .gymnasium)
    XCTAssertEqual(a.resetSeeding, .repro)
    XCTAssertNotEqual(a.reset(seed: 3), b.reset(seed: 3))
    try b.useResetSeeding(.repro)
    XCTAssertEqual(a.reset(seed: 3), b.reset(seed: 3))
  }

  func testPendulumRefusesGymnasiumSeeding() {
    XCTAssertThrowsError(try makeEnvironment("Pendulum-v1", resetSeeding: .gymnasium)) { e in
      XCTAssertTrue("\(e)".contains("reset seeding"), "\(e)")
    }
  }
}
