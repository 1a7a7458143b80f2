import CMuJoCo
import Foundation
import RunModel
import ReproRandom

/// One Gymnasium MuJoCo task as data plus small functions: what `MuJoCoEnvironment` needs
/// to run it step for step as Gymnasium 1.4.0 computes it (MuJoCo 3.3.7, the task's default
/// constructor arguments), in the same order of floating-point operations. The descriptors
/// are in `MuJoCoTasks.swift`, one per Gymnasium id; the sizes, time limit, frame skip and
/// model file are the task's `TaskRow` (RunModel's `TaskRegistry`). A name without a version
/// ("Walker2d") means v5.
///
/// Adding a task: one descriptor (a `static let` in `MuJoCoTasks.swift`, listed in
/// `MuJoCoTask.builtIn`) and one `TaskRegistry.builtIn` row.
public struct MuJoCoTask: Sendable, Equatable, CustomStringConvertible {
  /// Gymnasium's id (`Ant-v5`); the key of its `TaskRegistry` row.
  public let gymnasiumID: String
  /// Bodies the functions read by name (`MuJoCoState.body(k)` is the k-th's id); a model
  /// without one of them is refused when the environment is built.
  public let bodies: [String]
  /// How `reset` draws the start state (Gymnasium's `reset_model`).
  public let reset: ResetNoise
  /// Gymnasium's `_get_obs`: appends the observation to the array.
  public let observe: @Sendable (MuJoCoState, inout [Double]) -> Void
  /// Gymnasium's `step` less its last line: measures what it needs before, calls `simulate`
  /// (ctrl = action; frame skip × mj_step; mj_rnePostConstraint) once, then returns the reward,
  /// termination and info. The time limit is the environment's.
  public let step: @Sendable (MuJoCoState, [Double], _ simulate: () -> Void) -> MuJoCoStepOutcome

  public init(_ gymnasiumID: String, bodies: [String] = [], reset: ResetNoise,
              observe: @escaping @Sendable (MuJoCoState, inout [Double]) -> Void,
              step: @escaping @Sendable (MuJoCoState, [Double], _ simulate: () -> Void) -> MuJoCoStepOutcome) {
    self.gymnasiumID = gymnasiumID
    self.bodies = bodies
    self.reset = reset
    self.observe = observe
    self.step = step
  }

  public static func == (a: MuJoCoTask, b: MuJoCoTask) -> Bool { a.gymnasiumID == b.gymnasiumID }
  public var description: String { gymnasiumID }
  /// The Gymnasium id (the name the environment reports).
  public var rawValue: String { gymnasiumID }

  /// Its registry row: model file and its pinned SHA-256, version, frame skip, sizes.
  public var row: TaskRow {
    guard let row = TaskRegistry.row(named: gymnasiumID) else { preconditionFailure("\(gymnasiumID) has no registry row") }
    return row
  }

  /// Gymnasium's version number (4 or 5).
  public var version: Int { row.version }
  public var frameSkip: Int { row.frameSkip }

  /// The built-in task named (case-insensitive; "Hopper", "Hopper-v5", "ant-v4"), or nil.
  public init?(name: String) {
    guard let row = TaskRegistry.row(named: name),
          let task = MuJoCoTask.builtIn.first(where: { $0.gymnasiumID == row.gymnasiumID }) else { return nil }
    self = task
  }
}

/// What a step returns besides the observation (which is the task's `observe`).
public struct MuJoCoStepOutcome: Sendable {
  public var reward: Double
  public var terminated: Bool
  public var info: StepInfo
  public init(reward: Double, terminated: Bool = false, info: StepInfo = StepInfo()) {
    self.reward = reward
    self.terminated = terminated
    self.info = info
  }
}

/// A task's reset noise (Gymnasium's `reset_model`), on top of the model's qpos0 and zero velocities.
public enum ResetNoise: Sendable {
  /// qpos = qpos0 + U(−s, s) (nq draws), then qvel = 0 + U(−s, s) (nv draws).
  case uniform(Double)
  /// qpos = qpos0 + U(−s, s) (nq draws), then qvel = 0 + s · N(0, 1) (nv draws).
  case uniformPositionNormalVelocity(Double)
  /// Any other: the function gets qpos0 and zero velocities and draws what it needs.
  case custom(@Sendable (inout ResetDraws, _ qpos: inout [Double], _ qvel: inout [Double]) -> Void)

  func apply(_ draws: inout ResetDraws, qpos: inout [Double], qvel: inout [Double]) {
    switch self {
    case .uniform(let s):
      for i in qpos.indices { qpos[i] += draws.uniform(-s, s) }
      for i in qvel.indices { qvel[i] += draws.uniform(-s, s) }
    case .uniformPositionNormalVelocity(let s):
      for i in qpos.indices { qpos[i] += draws.uniform(-s, s) }
      for i in qvel.indices { qvel[i] += s * draws.standardNormal() }
    case .custom(let f):
      f(&draws, &qpos, &qvel)
    }
  }
}

/// The stream a reset draws from: Repro's own (xoshiro256**), or NumPy's `default_rng` as
/// Gymnasium's `np_random` (see `ResetSeeding`).
public enum ResetDraws {
  case repro(Xoshiro256)
  case numpy(NumPyGenerator)

  /// `np_random.uniform(low, high)`: one draw.
  public mutating func uniform(_ low: Double, _ high: Double) -> Double {
    switch self {
    case .repro(var g): let x = g.uniform(low, high); self = .repro(g); return x
    case .numpy(var g): let x = g.uniform(low, high); self = .numpy(g); return x
    }
  }

  /// `np_random.standard_normal()`: one draw (Repro's stream: Box–Muller).
  public mutating func standardNormal() -> Double {
    switch self {
    case .repro(var g): let x = g.nextNormal(); self = .repro(g); return x
    case .numpy(var g): let x = g.standardNormal(); self = .numpy(g); return x
    }
  }
}

/// The model and the simulation state a task's functions read (they write nothing).
public struct MuJoCoState {
  public let m: UnsafeMutablePointer<mjModel>
  public let d: UnsafeMutablePointer<mjData>
  /// Seconds per environment step: model timestep × frame skip (Gymnasium's `dt`).
  public let dt: Double
  let bodyIDs: [Int]

  public var nq: Int { Int(m.pointee.nq) }
  public var nv: Int { Int(m.pointee.nv) }
  public var nbody: Int { Int(m.pointee.nbody) }
  public var qpos: UnsafeMutablePointer<Double> { d.pointee.qpos }
  public var qvel: UnsafeMutablePointer<Double> { d.pointee.qvel }
  /// The id of the k-th of the task's `bodies`.
  public func body(_ k: Int) -> Int { bodyIDs[k] }
  /// `data.body(b).xpos[j]` (Gymnasium's `get_body_com`).
  public func xpos(_ b: Int, _ j: Int) -> Double { d.pointee.xpos[3 * b + j] }
  /// x of Gymnasium's `mass_center`: sum(mass * xipos, axis=0) / sum(mass), in numpy's order
  /// (the axis-0 reduction is sequential; the total mass is numpy's pairwise sum).
  public func massCenterX() -> Double {
    let mass = m.pointee.body_mass!, xipos = d.pointee.xipos!
    var acc = 0.0
    for b in 0..<nbody { acc += mass[b] * xipos[3 * b] }
    return acc / numpySum(UnsafeBufferPointer(start: mass, count: nbody))
  }
  /// `state_vector()` is all finite.
  public func stateIsFinite() -> Bool {
    for i in 0..<nq where !qpos[i].isFinite { return false }
    for i in 0..<nv where !qvel[i].isFinite { return false }
    return true
  }
}

extension Array where Element == Double {
  /// Appends `p[from..<to]`.
  @inlinable mutating func append(_ p: UnsafeMutablePointer<Double>, _ from: Int, _ to: Int) {
    for i in from..<to { append(p[i]) }
  }
  /// Appends `np.clip(p[from..<to], low, high)`.
  @inlinable mutating func append(_ p: UnsafeMutablePointer<Double>, _ from: Int, _ to: Int, clip low: Double, _ high: Double) {
    for i in from..<to { append(Swift.min(Swift.max(p[i], low), high)) }
  }
}

/// Any `MuJoCoTask`, step for step as Gymnasium computes it, so that observations and
/// rewards are bit-identical (checked against recordings of every task id).
///
/// Step: refuse a wrong-length or non-finite action; the task's step around
/// ctrl = action, `frameSkip` × mj_step, mj_rnePostConstraint (so that cfrc_ext is filled,
/// as Gymnasium does); the task's observation; the time limit as truncation. Reset:
/// mj_resetData, the task's reset noise on qpos0 and zero velocities, mj_forward; the noise
/// from Repro's own seeded stream, or with `ResetSeeding.gymnasium` from NumPy's
/// `default_rng(seed)` as Gymnasium draws it, so that `reset(seed: s)` is `env.reset(seed=s)`
/// bit for bit, and unseeded resets continue that stream as Gymnasium's do.
public final class MuJoCoEnvironment: Environment {
  public let task: MuJoCoTask
  public let model: MuJoCoModel
  private let m: UnsafeMutablePointer<mjModel>
  private let d: UnsafeMutablePointer<mjData>
  public let observationSize: Int
  public let actionSize: Int
  public let actionLow: [Double]
  public let actionHigh: [Double]
  public let maxEpisodeSteps: Int
  /// Seconds per environment step: model timestep × frame skip.
  public let dt: Double
  private let nq: Int
  private let nv: Int
  private let frameSkip: Int
  private let initQpos: [Double]
  private let state: MuJoCoState
  private var rng: Xoshiro256
  private var numpyRNG: NumPyGenerator
  private let constructionSeed: UInt64
  /// Where the reset noise comes from (default: Repro's own stream).
  public private(set) var resetSeeding: ResetSeeding
  private var elapsedSteps = 0
  private var episodeOver = true

  public var name: String { task.gymnasiumID }

  /// Creates the task with the model from `assetsDirectory` (default: `Assets.defaultDirectory`).
  public init(_ task: MuJoCoTask, assetsDirectory: String? = nil, maxEpisodeSteps: Int? = nil, seed: UInt64 = 0,
              resetSeeding: ResetSeeding = .repro) throws {
    let dir = assetsDirectory ?? Assets.defaultDirectory
    let row = task.row
    let model = try MuJoCoModel.shared(path: dir + "/" + (row.modelFile ?? ""))
    self.task = task
    self.model = model
    m = model.pointer
    var ids: [Int] = []
    for name in task.bodies {
      let id = Int(mj_name2id(m, Int32(mjOBJ_BODY.rawValue), name))
      guard id >= 0 else { throw EnvironmentError.modelLoadFailed(path: model.path, message: "\(task) needs a body named '\(name)'") }
      ids.append(id)
    }
    guard let data = mj_makeData(m) else {
      throw EnvironmentError.modelLoadFailed(path: model.path, message: "mj_makeData failed")
    }
    d = data
    nq = Int(m.pointee.nq)
    nv = Int(m.pointee.nv)
    let nu = Int(m.pointee.nu)
    actionSize = nu
    // Gymnasium's action space is float32 over actuator_ctrlrange.
    let range = m.pointee.actuator_ctrlrange!
    actionLow = (0..<nu).map { Double(Float(range[2 * $0])) }
    actionHigh = (0..<nu).map { Double(Float(range[2 * $0 + 1])) }
    self.maxEpisodeSteps = maxEpisodeSteps ?? row.timeLimit
    frameSkip = row.frameSkip
    dt = m.pointee.opt.timestep * Double(frameSkip)
    initQpos = (0..<nq).map { data.pointee.qpos[$0] }
    state = MuJoCoState(m: m, d: data, dt: dt, bodyIDs: ids)
    var probe: [Double] = []
    task.observe(state, &probe)
    observationSize = probe.count
    rng = Xoshiro256(seed: seed, stream: "reset")
    numpyRNG = NumPyGenerator(seed: seed)
    constructionSeed = seed
    self.resetSeeding = resetSeeding
  }

  public func useResetSeeding(_ seeding: ResetSeeding) throws {
    resetSeeding = seeding
    rng = Xoshiro256(seed: constructionSeed, stream: "reset")
    numpyRNG = NumPyGenerator(seed: constructionSeed)
  }

  deinit { mj_deleteData(d) }

  // MARK: Reset

  public func reset(seed: UInt64?) -> [Double] {
    var qpos = initQpos
    var qvel = [Double](repeating: 0, count: nv)
    switch resetSeeding {
    case .repro:
      if let seed { rng = Xoshiro256(seed: seed, stream: "reset") }
      var draws = ResetDraws.repro(rng)
      task.reset.apply(&draws, qpos: &qpos, qvel: &qvel)
      if case .repro(let g) = draws { rng = g }
    case .gymnasium:
      if let seed { numpyRNG = NumPyGenerator(seed: seed) }
      var draws = ResetDraws.numpy(numpyRNG)
      task.reset.apply(&draws, qpos: &qpos, qvel: &qvel)
      if case .numpy(let g) = draws { numpyRNG = g }
    }
    // Lengths are ours, so this cannot fail.
    return (try? reset(qpos: qpos, qvel: qvel)) ?? []
  }

  /// Starts an episode from an exact state (used to replay Gymnasium recordings).
  public func reset(qpos: [Double], qvel: [Double]) throws -> [Double] {
    guard qpos.count == nq else { throw EnvironmentError.wrongStateLength(what: "qpos", expected: nq, got: qpos.count) }
    guard qvel.count == nv else { throw EnvironmentError.wrongStateLength(what: "qvel", expected: nv, got: qvel.count) }
    mj_resetData(m, d)
    for i in 0..<nq { d.pointee.qpos[i] = qpos[i] }
    for i in 0..<nv { d.pointee.qvel[i] = qvel[i] }
    mj_forward(m, d)
    elapsedSteps = 0
    episodeOver = false
    return observation()
  }

  /// Current generalized positions and velocities (copies).
  public var qpos: [Double] { (0..<nq).map { d.pointee.qpos[$0] } }
  public var qvel: [Double] { (0..<nv).map { d.pointee.qvel[$0] } }

  // MARK: Step

  public func step(_ action: [Double]) throws -> StepResult {
    guard action.count == actionSize else {
      throw EnvironmentError.wrongActionLength(expected: actionSize, got: action.count)
    }
    for (i, a) in action.enumerated() where !a.isFinite {
      throw EnvironmentError.nonFiniteAction(index: i, value: a)
    }
    guard !episodeOver else { throw EnvironmentError.stepAfterEpisodeEnd }

    let outcome = task.step(state, action) {
      for i in 0..<actionSize { d.pointee.ctrl[i] = action[i] }
      for _ in 0..<frameSkip { mj_step(m, d) }
      mj_rnePostConstraint(m, d)
    }
    let obs = observation()
    elapsedSteps += 1
    let truncated = elapsedSteps >= maxEpisodeSteps
    if outcome.terminated || truncated { episodeOver = true }
    return StepResult(observation: obs, reward: outcome.reward, terminated: outcome.terminated, truncated: truncated,
                      info: outcome.info)
  }

  private func observation() -> [Double] {
    var o = [Double]()
    o.reserveCapacity(observationSize)
    task.observe(state, &o)
    return o
  }
}

/// numpy's float64 `np.sum` of a contiguous 1-D array: pairwise summation with
/// eight accumulators (numpy's `pairwise_sum`), so that sums match bit for bit.
@inlinable
func numpySum<C: RandomAccessCollection>(_ a: C) -> Double where C.Element == Double, C.Index == Int {
  numpyPairwise(a.count) { a[a.startIndex + $0] }
}

@inlinable
func numpySumOfSquares<C: RandomAccessCollection>(_ a: C) -> Double where C.Element == Double, C.Index == Int {
  numpyPairwise(a.count) { let x = a[a.startIndex + $0]; return x * x }
}

@inlinable
func numpyPairwise(_ n: Int, offset: Int = 0, _ at: (Int) -> Double) -> Double {
  if n < 8 {
    var res = 0.0
    for i in 0..<n { res += at(offset + i) }
    return res
  } else if n <= 128 {
    var r = (0..<8).map { at(offset + $0) }
    var i = 8
    while i < n - (n % 8) {
      for j in 0..<8 { r[j] += at(offset + i + j) }
      i += 8
    }
    var res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    while i < n {
      res += at(offset + i)
      i += 1
    }
    return res
  } else {
    var n2 = n / 2
    n2 -= n2 % 8
    return numpyPairwise(n2, offset: offset, at) + numpyPairwise(n - n2, offset: offset + n2, at)
  }
}

/// `np.linalg.norm` of a short float64 vector: `sqrt(x.dot(x))`, where the dot is OpenBLAS's
/// `ddot` (which NumPy calls for any length). Its remainder loop `dot += y[i] * x[i]` is
/// compiled with fused multiply-adds in the kernels OpenBLAS picks on every x86-64 CPU with
/// FMA (Haswell and later), so Gymnasium's value is the fused chain below; Repro computes it
/// so on every CPU (`addingProduct` is exactly rounded everywhere). Two and three values (the
/// kernel's blocked loop starts at 16).
@inlinable
func numpyNorm(_ a: Double, _ b: Double) -> Double {
  (a * a).addingProduct(b, b).squareRoot()
}

@inlinable
func numpyNorm(_ a: Double, _ b: Double, _ c: Double) -> Double {
  (a * a).addingProduct(b, b).addingProduct(c, c).squareRoot()
}
