import Environments
import Foundation
import XCTest

/// Replays trajectories recorded from Gymnasium 1.4.0 + MuJoCo 3.3.7
/// (scripts/parity/record.py, `make parity-fixtures`) and requires EXACT
/// equality (difference 0.0, compared bit for bit) of every observation,
/// reward, terminated/truncated flag and x-velocity. No tolerance: the Swift
/// tasks are meant to be the same computation in the same order.
final class ParityTests: XCTestCase {
  struct Recording {
    var nq = 0, nv = 0, obsSize = 0, actionSize = 0, totalSteps = 0
    var values: [Double] = []
  }

  func load(_ task: String) throws -> Recording {
    guard let url = Bundle.module.url(forResource: "Fixtures/\(task)", withExtension: "bin")
      ?? Bundle.module.url(forResource: task, withExtension: "bin", subdirectory: "Fixtures")
    else {
      throw XCTSkip("fixture \(task).bin missing from the test bundle")
    }
    let data = try Data(contentsOf: url)
    XCTAssertEqual(data.count % 8, 0)
    var values = [Double](repeating: 0, count: data.count / 8)
    _ = values.withUnsafeMutableBytes { data.copyBytes(to: $0) }
    values = values.map { Double(bitPattern: UInt64(littleEndian: $0.bitPattern)) }
    var r = Recording()
    XCTAssertEqual(values[0], 1, "format version")
    r.nq = Int(values[1]); r.nv = Int(values[2]); r.obsSize = Int(values[3])
    r.actionSize = Int(values[4]); r.totalSteps = Int(values[5])
    r.values = values
    return r
  }

  /// The recorder's action formula, exactly: integer arithmetic, one division, one product.
  static func action(step t: Int, size: Int, high: [Double]) -> [Double] {
    (0..<size).map { i in high[i] * (Double(((t * 7919 + i * 104729) % 2001) - 1000) / 1000.0) }
  }

  func replay(_ kind: MuJoCoTaskKind, fixture: String, minSteps: Int) throws {
    let rec = try load(fixture)
    let env = try MuJoCoEnvironment(kind)
    XCTAssertEqual(rec.obsSize, env.observationSize)
    XCTAssertEqual(rec.actionSize, env.actionSize)
    XCTAssertGreaterThanOrEqual(rec.totalSteps, minSteps)
    var pos = 6
    var t = 0
    var resets = 0
    var mismatches: [String] = []
    func take(_ n: Int) -> ArraySlice<Double> {
      defer { pos += n }
      return rec.values[pos..<(pos + n)]
    }
    func same(_ a: Double, _ b: Double) -> Bool { a.bitPattern == b.bitPattern }
    func compare(_ what: String, _ ours: [Double], _ theirs: ArraySlice<Double>) {
      for (i, (x, y)) in zip(ours, theirs).enumerated() where !same(x, y) {
        mismatches.append("\(what)[\(i)]: ours \(x) gymnasium \(y) (difference \(x - y))")
        return
      }
    }
    while pos < rec.values.count && mismatches.count < 5 {
      let tag = take(1).first!
      if tag == 0 {
        let qpos = Array(take(rec.nq)), qvel = Array(take(rec.nv))
        let obs = try env.reset(qpos: qpos, qvel: qvel)
        compare("reset \(resets) observation", obs, take(rec.obsSize))
        resets += 1
      } else {
        XCTAssertEqual(tag, 1, "record tag at offset \(pos - 1)")
        let a = Self.action(step: t, size: env.actionSize, high: env.actionHigh)
        let r = try env.step(a)
        compare("step \(t) observation", r.observation, take(rec.obsSize))
        let rest = take(4)
        let (reward, term, trunc, xv) = (rest[rest.startIndex], rest[rest.startIndex + 1], rest[rest.startIndex + 2], rest[rest.startIndex + 3])
        if !same(r.reward, reward) { mismatches.append("step \(t) reward: ours \(r.reward) gymnasium \(reward) (difference \(r.reward - reward))") }
        if r.terminated != (term == 1) { mismatches.append("step \(t) terminated: ours \(r.terminated) gymnasium \(term == 1)") }
        if r.truncated != (trunc == 1) { mismatches.append("step \(t) truncated: ours \(r.truncated) gymnasium \(trunc == 1)") }
        if !same(r.info.xVelocity, xv) { mismatches.append("step \(t) x_velocity: ours \(r.info.xVelocity) gymnasium \(xv)") }
        t += 1
      }
    }
    XCTAssertEqual(mismatches, [], "\(kind.rawValue): first mismatches")
    XCTAssertEqual(t, rec.totalSteps, "steps replayed")
    XCTAssertGreaterThan(resets, 1, "the recording continues through resets")
  }

  func testHopperMatchesGymnasiumExactly() throws { try replay(.hopper, fixture: "Hopper", minSteps: 1000) }
  func testWalker2dMatchesGymnasiumExactly() throws { try replay(.walker2d, fixture: "Walker2d", minSteps: 1000) }
  func testHumanoidMatchesGymnasiumExactly() throws { try replay(.humanoid, fixture: "Humanoid", minSteps: 1000) }
  // v4: every step pays the healthy reward; Walker2d-v4 on walker2d.xml; Humanoid-v4 without contact cost, 376 observations.
  func testHopperV4MatchesGymnasiumExactly() throws { try replay(.hopperV4, fixture: "Hopper-v4", minSteps: 1000) }
  func testWalker2dV4MatchesGymnasiumExactly() throws { try replay(.walker2dV4, fixture: "Walker2d-v4", minSteps: 1000) }
  func testHumanoidV4MatchesGymnasiumExactly() throws { try replay(.humanoidV4, fixture: "Humanoid-v4", minSteps: 600) }
}
