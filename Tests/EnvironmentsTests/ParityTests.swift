import Environments
import Foundation
import RunModel
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

  func load(_ task: String, version: Double = 1) throws -> Recording {
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
    XCTAssertEqual(values[0], version, "format version")
    r.nq = Int(values[1]); r.nv = Int(values[2]); r.obsSize = Int(values[3])
    r.actionSize = Int(values[4]); r.totalSteps = Int(values[5])
    r.values = values
    return r
  }

  /// The recorder's action formula, exactly: integer arithmetic, one division, one product.
  static func action(step t: Int, size: Int, high: [Double]) -> [Double] {
    (0..<size).map { i in high[i] * (Double(((t * 7919 + i * 104729) % 2001) - 1000) / 1000.0) }
  }

  func replay(_ kind: MuJoCoTask, fixture: String, minSteps: Int) throws {
    let rec = try load(fixture)
    let env = try MuJoCoEnvironment(kind)
    XCTAssertEqual(rec.obsSize, env.observationSize)
    XCTAssertEqual(rec.actionSize, env.actionSize)
    XCTAssertGreaterThanOrEqual(rec.totalSteps, minSteps)
    let (mismatches, counts) = try replayRecords(rec, from: 6, env) { t in
      Self.action(step: t, size: env.actionSize, high: env.actionHigh)
    }
    XCTAssertEqual(mismatches, [], "\(kind.rawValue): first mismatches")
    XCTAssertEqual(counts.steps, rec.totalSteps, "steps replayed")
    XCTAssertGreaterThan(counts.resets, 1, "the recording continues through resets")
  }

  struct Counts: Equatable { var steps = 0, resets = 0, terminations = 0, truncations = 0, beyondBounds = 0 }

  /// Replays the records from value `start` on (after the header): a reset record restarts `env`
  /// from its qpos and qvel, a step record steps it with `action(t)`; every observation value,
  /// reward, flag and x-velocity is compared bit for bit. Returns the first mismatches (at most 5).
  func replayRecords(_ rec: Recording, from start: Int, _ env: MuJoCoEnvironment,
                     action: (Int) -> [Double]) throws -> (mismatches: [String], counts: Counts) {
    var pos = start
    var counts = Counts()
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
        compare("reset \(counts.resets) observation", try env.reset(qpos: qpos, qvel: qvel), take(rec.obsSize))
        counts.resets += 1
      } else {
        XCTAssertEqual(tag, 1, "record tag at offset \(pos - 1)")
        let t = counts.steps
        let a = action(t)
        if zip(a, env.actionHigh).contains(where: { $0 > $1 }) || zip(a, env.actionLow).contains(where: { $0 < $1 }) {
          counts.beyondBounds += 1
        }
        let r = try env.step(a)
        compare("step \(t) observation", r.observation, take(rec.obsSize))
        let rest = Array(take(4))
        let (reward, term, trunc, xv) = (rest[0], rest[1], rest[2], rest[3])
        if !same(r.reward, reward) { mismatches.append("step \(t) reward: ours \(r.reward) gymnasium \(reward) (difference \(r.reward - reward))") }
        if r.terminated != (term == 1) { mismatches.append("step \(t) terminated: ours \(r.terminated) gymnasium \(term == 1)") }
        if r.truncated != (trunc == 1) { mismatches.append("step \(t) truncated: ours \(r.truncated) gymnasium \(trunc == 1)") }
        if !same(r.info.xVelocity, xv) { mismatches.append("step \(t) x_velocity: ours \(r.info.xVelocity) gymnasium \(xv)") }
        counts.terminations += r.terminated ? 1 : 0
        counts.truncations += r.truncated ? 1 : 0
        counts.steps += 1
      }
    }
    return (mismatches, counts)
  }

  func testHopperMatchesGymnasiumExactly() throws { try replay(.hopper, fixture: "Hopper", minSteps: 1000) }
  func testWalker2dMatchesGymnasiumExactly() throws { try replay(.walker2d, fixture: "Walker2d", minSteps: 1000) }
  func testHumanoidMatchesGymnasiumExactly() throws { try replay(.humanoid, fixture: "Humanoid", minSteps: 1000) }
  // v4: every step pays the healthy reward; Walker2d-v4 on walker2d.xml; Humanoid-v4 without contact cost, 376 observations.
  func testHopperV4MatchesGymnasiumExactly() throws { try replay(.hopperV4, fixture: "Hopper-v4", minSteps: 1000) }
  func testWalker2dV4MatchesGymnasiumExactly() throws { try replay(.walker2dV4, fixture: "Walker2d-v4", minSteps: 1000) }
  func testHumanoidV4MatchesGymnasiumExactly() throws { try replay(.humanoidV4, fixture: "Humanoid-v4", minSteps: 600) }

  /// Format 2 (`<id>.steps.bin`, record.py's STEP_TASKS): every task id, with its recorded short
  /// time limit (truncations), terminations where the task has them, and actions at and beyond
  /// the bounds (the recorder's second formula).
  static func actionV2(step t: Int, low: [Double], high: [Double]) -> [Double] {
    high.indices.map { i in
      if t % 7 == 3 { return (t + i) % 2 == 0 ? high[i] : low[i] }
      return high[i] * (Double(((t * 7919 + i * 104729) % 2501) - 1250) / 1000.0)
    }
  }

  func replayV2(_ task: MuJoCoTask) throws -> (mismatches: [String], counts: Counts) {
    let rec = try load("\(task.gymnasiumID).steps", version: 2)
    let env = try MuJoCoEnvironment(task, maxEpisodeSteps: Int(rec.values[6]))
    XCTAssertEqual(rec.obsSize, env.observationSize, task.gymnasiumID)
    XCTAssertEqual(rec.obsSize, task.row.observationSize, "\(task): the registry row's size")
    XCTAssertEqual(rec.actionSize, env.actionSize, task.gymnasiumID)
    let result = try replayRecords(rec, from: 7, env) { t in Self.actionV2(step: t, low: env.actionLow, high: env.actionHigh) }
    XCTAssertEqual(result.counts.steps, rec.totalSteps, "\(task): steps replayed")
    return result
  }

  /// Every built-in MuJoCo task id against its Gymnasium recording, with difference 0.0 in
  /// every observation value, reward, flag and x-velocity.
  func testEveryTaskIdMatchesGymnasiumExactly() throws {
    let never: Set<String> = ["HalfCheetah", "HumanoidStandup", "Pusher", "Reacher", "Swimmer"]
    XCTAssertEqual(MuJoCoTask.builtIn.count, 22)
    XCTAssertEqual(Set(MuJoCoTask.builtIn.map(\.gymnasiumID)).count, 22, "one descriptor per id")
    for task in MuJoCoTask.builtIn {
      let (mismatches, c) = try replayV2(task)
      XCTAssertEqual(mismatches, [], "\(task): first mismatches")
      print("parity \(task): \(c.steps) steps, \(c.resets) resets, \(c.terminations) terminations, "
            + "\(c.truncations) truncations, \(c.beyondBounds) steps beyond the bounds, difference 0.0")
      XCTAssertGreaterThan(c.resets, 1, "\(task): the recording continues through resets")
      XCTAssertGreaterThan(c.truncations, 0, "\(task): a time-limit truncation")
      XCTAssertGreaterThan(c.beyondBounds, 0, "\(task): actions beyond the bounds")
      if never.contains(task.row.family) {
        XCTAssertEqual(c.terminations, 0, "\(task) never terminates")
      } else {
        XCTAssertGreaterThan(c.terminations, 0, "\(task): a termination")
      }
    }
  }

  /// The same recordings through `EnvironmentRollout`, the path `repro env rollout` writes, with
  /// Gymnasium's seeding instead of the recorded states: the first reset is env.reset(seed=0) and
  /// every later one an unseeded env.reset(), as the recorder made them. Every reset's qpos, qvel
  /// and observation and every step's observation, reward, flags and x-velocity: difference 0.0.
  func testEveryTaskIdMatchesGymnasiumThroughTheRolloutPath() throws {
    for task in MuJoCoTask.builtIn {
      let rec = try load("\(task.gymnasiumID).steps", version: 2)
      let env = try MuJoCoEnvironment(task, maxEpisodeSteps: Int(rec.values[6]), resetSeeding: .gymnasium)
      // The script: the recording's resets and steps, the actions as the recorder computed them.
      var entries: [EnvironmentRollout.Entry] = []
      var expected: [(tag: Double, values: ArraySlice<Double>)] = []
      var pos = 7, steps = 0
      while pos < rec.values.count {
        let tag = rec.values[pos]
        let n = tag == 0 ? rec.nq + rec.nv + rec.obsSize : rec.obsSize + 4
        expected.append((tag, rec.values[(pos + 1)..<(pos + 1 + n)]))
        if tag == 0 {
          if pos > 7 { entries.append(.reset(seed: nil)) }
        } else {
          entries.append(.action(Self.actionV2(step: steps, low: env.actionLow, high: env.actionHigh)))
          steps += 1
        }
        pos += 1 + n
      }
      let rows = try EnvironmentRollout.run(env, seed: 0, entries: entries)
      XCTAssertEqual(rows.count, expected.count, task.gymnasiumID)
      var mismatch: String? = nil
      for (k, (row, e)) in zip(rows, expected).enumerated() where mismatch == nil {
        let ours: [Double] = row.kind == .reset ? row.qpos + row.qvel + row.observation
          : row.observation + [row.reward, row.terminated ? 1 : 0, row.truncated ? 1 : 0, row.xVelocity]
        XCTAssertEqual(row.kind == .reset, e.tag == 0, "\(task) row \(k): kind")
        let theirs = Array(e.values)
        XCTAssertEqual(ours.count, theirs.count, "\(task) row \(k): values")
        if let i = ours.indices.first(where: { $0 < theirs.count && ours[$0].bitPattern != theirs[$0].bitPattern }) {
          mismatch = "\(task) row \(k) (\(row.kind.rawValue)) value \(i): ours \(ours[i]) gymnasium \(theirs[i])"
        }
      }
      XCTAssertNil(mismatch)
    }
  }

  /// Every MuJoCo row of the registry has a descriptor, and every descriptor a row.
  func testEveryMuJoCoRowHasADescriptor() {
    let rows = TaskRegistry.builtIn.filter { $0.modelFile != nil }.map(\.gymnasiumID)
    XCTAssertEqual(rows.sorted(), MuJoCoTask.builtIn.map(\.gymnasiumID).sorted())
  }
}
