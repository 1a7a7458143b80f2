import CMuJoCo
import RunModel
import ReproRandom

/// The MuJoCo locomotion tasks of the paper, with Gymnasium's v5 and v4 semantics
/// (gymnasium 1.4.0 on MuJoCo 3.3.7, default constructor arguments). A name without a
/// version ("Walker2d") means v5.
///
/// v4 against v5 (Gymnasium 1.4.0's *_v4.py): the healthy reward is paid on every step,
/// the terminating one included (`float(is_healthy or terminate_when_unhealthy)`);
/// Walker2d-v4 runs walker2d.xml (right foot friction 0.9); Humanoid-v4 has no contact
/// cost and observes every body's cinert, cvel and cfrc_ext and all of qfrc_actuator (376).
public enum MuJoCoTaskKind: String, CaseIterable, Sendable {
  case hopper = "Hopper-v5"
  case walker2d = "Walker2d-v5"
  case humanoid = "Humanoid-v5"
  case hopperV4 = "Hopper-v4"
  case walker2dV4 = "Walker2d-v4"
  case humanoidV4 = "Humanoid-v4"

  /// The robot, whatever the version.
  public enum Family: Sendable { case hopper, walker2d, humanoid }

  public var family: Family {
    switch self {
    case .hopper, .hopperV4: return .hopper
    case .walker2d, .walker2dV4: return .walker2d
    case .humanoid, .humanoidV4: return .humanoid
    }
  }

  /// Its registry row: model file and its pinned SHA-256, version, frame skip, sizes.
  public var row: TaskRow {
    guard let row = TaskRegistry.row(named: rawValue) else { preconditionFailure("\(rawValue) has no registry row") }
    return row
  }

  /// Gymnasium's version number (4 or 5).
  public var version: Int { row.version }

  /// The task named (case-insensitive; "Hopper" or "Hopper-v5"), or nil.
  public init?(name: String) {
    guard let row = TaskRegistry.row(named: name), let k = MuJoCoTaskKind(rawValue: row.gymnasiumID) else { return nil }
    self = k
  }

  public var frameSkip: Int { row.frameSkip }

  public var resetNoiseScale: Double {
    switch family {
    case .hopper, .walker2d: return 5e-3
    case .humanoid: return 1e-2
    }
  }
}

/// Hopper-v5, Walker2d-v5 and Humanoid-v5, step for step as Gymnasium computes
/// them, including the order of floating-point operations, so that
/// observations and rewards are bit-identical (checked against recordings).
///
/// Step: ctrl = action; `frameSkip` × mj_step; mj_rnePostConstraint (so that
/// cfrc_ext is filled, as Gymnasium does); observation, reward, health check;
/// 1000-step time limit as truncation. Reset: mj_resetData, qpos = qpos0 + U(−s, s),
/// qvel = 0 + U(−s, s), mj_forward; the noise from Repro's own seeded stream, or with
/// `ResetSeeding.gymnasium` from NumPy's `default_rng(seed)` as Gymnasium draws it
/// (`np_random.uniform(low, high, size=nq)`, then `size=nv`), so that `reset(seed: s)`
/// is `env.reset(seed=s)` bit for bit, and unseeded resets continue that stream as
/// Gymnasium's do.
public final class MuJoCoEnvironment: Environment {
  public let kind: MuJoCoTaskKind
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
  private let nbody: Int
  private let initQpos: [Double]
  private var rng: Xoshiro256
  private var numpyRNG: NumPyGenerator
  private let constructionSeed: UInt64
  /// Where the reset noise comes from (default: Repro's own stream).
  public private(set) var resetSeeding: ResetSeeding
  private var elapsedSteps = 0
  private var episodeOver = true
  /// Humanoid: total body mass (numpy's pairwise sum order), computed once.
  private let totalMass: Double

  public var name: String { kind.rawValue }

  /// Creates the task with the model from `assetsDirectory` (default: `Assets.defaultDirectory`).
  public init(_ kind: MuJoCoTaskKind, assetsDirectory: String? = nil, maxEpisodeSteps: Int = 1000, seed: UInt64 = 0,
              resetSeeding: ResetSeeding = .repro) throws {
    let dir = assetsDirectory ?? Assets.defaultDirectory
    let model = try MuJoCoModel.shared(path: dir + "/" + (kind.row.modelFile ?? ""))
    self.kind = kind
    self.model = model
    m = model.pointer
    guard let data = mj_makeData(m) else {
      throw EnvironmentError.modelLoadFailed(path: model.path, message: "mj_makeData failed")
    }
    d = data
    nq = Int(m.pointee.nq)
    nv = Int(m.pointee.nv)
    nbody = Int(m.pointee.nbody)
    let nu = Int(m.pointee.nu)
    actionSize = nu
    // Gymnasium's action space is float32 over actuator_ctrlrange.
    let range = m.pointee.actuator_ctrlrange!
    actionLow = (0..<nu).map { Double(Float(range[2 * $0])) }
    actionHigh = (0..<nu).map { Double(Float(range[2 * $0 + 1])) }
    self.maxEpisodeSteps = maxEpisodeSteps
    dt = m.pointee.opt.timestep * Double(kind.frameSkip)
    initQpos = (0..<Int(m.pointee.nq)).map { data.pointee.qpos[$0] }
    switch kind {
    case .hopper, .hopperV4, .walker2d, .walker2dV4: observationSize = nq - 1 + nv
    case .humanoid:
      observationSize = (nq - 2) + nv + (nbody - 1) * 10 + (nbody - 1) * 6 + (nv - 6) + (nbody - 1) * 6
    case .humanoidV4:
      observationSize = (nq - 2) + nv + nbody * 10 + nbody * 6 + nv + nbody * 6
    }
    let mass = UnsafeBufferPointer(start: m.pointee.body_mass, count: nbody)
    totalMass = numpySum(mass)
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
    let s = kind.resetNoiseScale
    var qpos = initQpos
    var qvel = [Double](repeating: 0, count: nv)
    switch resetSeeding {
    case .repro:
      if let seed { rng = Xoshiro256(seed: seed, stream: "reset") }
      for i in 0..<nq { qpos[i] += rng.uniform(-s, s) }
      for i in 0..<nv { qvel[i] += rng.uniform(-s, s) }
    case .gymnasium:
      // init_qpos + np_random.uniform(low=-s, high=s, size=nq); init_qvel (zeros) + ... size=nv
      if let seed { numpyRNG = NumPyGenerator(seed: seed) }
      for i in 0..<nq { qpos[i] += numpyRNG.uniform(-s, s) }
      for i in 0..<nv { qvel[i] += numpyRNG.uniform(-s, s) }
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

    let before: Double
    switch kind.family {
    case .hopper, .walker2d: before = d.pointee.qpos[0]
    case .humanoid: before = massCenterX()
    }
    for i in 0..<actionSize { d.pointee.ctrl[i] = action[i] }
    for _ in 0..<kind.frameSkip { mj_step(m, d) }
    mj_rnePostConstraint(m, d)
    let after: Double
    switch kind.family {
    case .hopper, .walker2d: after = d.pointee.qpos[0]
    case .humanoid: after = massCenterX()
    }
    let xVelocity = (after - before) / dt
    let obs = observation()
    let healthy = isHealthy()
    var info = StepInfo(xVelocity: xVelocity)
    // v5 pays the healthy reward only while healthy; v4 on every step (terminate_when_unhealthy).
    let paysHealthy = healthy || kind.version == 4
    let reward: Double
    switch kind.family {
    case .hopper, .walker2d:
      // forward_reward + healthy_reward - ctrl_cost, with ctrl_cost = 1e-3 * sum(action^2)
      let forward = 1.0 * xVelocity
      let healthyReward = paysHealthy ? 1.0 : 0.0
      let ctrlCost = 1e-3 * numpySumOfSquares(action)
      reward = (forward + healthyReward) - ctrlCost
      info.rewardForward = forward
      info.rewardHealthy = healthyReward
      info.rewardControl = -ctrlCost
    case .humanoid:
      let forward = 1.25 * xVelocity
      let healthyReward = paysHealthy ? 5.0 : 0.0
      let ctrl = UnsafeBufferPointer(start: d.pointee.ctrl, count: actionSize)
      let ctrlCost = 0.1 * numpySumOfSquares(ctrl)
      if kind.version == 4 {
        // Humanoid-v4: rewards - ctrl_cost, no contact cost.
        reward = (forward + healthyReward) - ctrlCost
        info.rewardForward = forward
        info.rewardHealthy = healthyReward
        info.rewardControl = -ctrlCost
        break
      }
      let cfrc = UnsafeBufferPointer(start: d.pointee.cfrc_ext, count: nbody * 6)
      let contactCost = min(5e-7 * numpySumOfSquares(cfrc), 10.0)
      reward = (forward + healthyReward) - (ctrlCost + contactCost)
      info.rewardForward = forward
      info.rewardHealthy = healthyReward
      info.rewardControl = -ctrlCost
      info.rewardContact = -contactCost
    }
    let terminated = !healthy
    elapsedSteps += 1
    let truncated = elapsedSteps >= maxEpisodeSteps
    if terminated || truncated { episodeOver = true }
    return StepResult(observation: obs, reward: reward, terminated: terminated, truncated: truncated, info: info)
  }

  // MARK: Task definitions

  /// Gymnasium's `_get_obs`.
  private func observation() -> [Double] {
    var o = [Double]()
    o.reserveCapacity(observationSize)
    let qp = d.pointee.qpos!, qv = d.pointee.qvel!
    switch kind {
    case .hopper, .walker2d, .hopperV4, .walker2dV4:
      for i in 1..<nq { o.append(qp[i]) }
      for i in 0..<nv { o.append(Swift.min(Swift.max(qv[i], -10), 10)) }
    case .humanoid, .humanoidV4:
      // qpos[2:], qvel, cinert, cvel, qfrc_actuator, cfrc_ext: v4 every body and every dof
      // (.flat), v5 without the worldbody's entries and the free joint's six actuator forces.
      let skip = kind.version == 4 ? 0 : 1
      for i in 2..<nq { o.append(qp[i]) }
      for i in 0..<nv { o.append(qv[i]) }
      let cinert = d.pointee.cinert!, cvel = d.pointee.cvel!
      let qfrc = d.pointee.qfrc_actuator!, cfrc = d.pointee.cfrc_ext!
      for i in (skip * 10)..<(nbody * 10) { o.append(cinert[i]) }
      for i in (skip * 6)..<(nbody * 6) { o.append(cvel[i]) }
      for i in (skip * 6)..<nv { o.append(qfrc[i]) }
      for i in (skip * 6)..<(nbody * 6) { o.append(cfrc[i]) }
    }
    return o
  }

  /// Gymnasium's `is_healthy` (v5 default ranges; all comparisons strict).
  private func isHealthy() -> Bool {
    let qp = d.pointee.qpos!, qv = d.pointee.qvel!
    switch kind.family {
    case .hopper:
      // state_vector()[2:] = qpos[2:] ++ qvel, every value in (-100, 100)
      for i in 2..<nq where !(-100 < qp[i] && qp[i] < 100) { return false }
      for i in 0..<nv where !(-100 < qv[i] && qv[i] < 100) { return false }
      let z = qp[1], angle = qp[2]
      return 0.7 < z && z < Double.infinity && -0.2 < angle && angle < 0.2
    case .walker2d:
      let z = qp[1], angle = qp[2]
      return 0.8 < z && z < 2.0 && -1.0 < angle && angle < 1.0
    case .humanoid:
      let z = qp[2]
      return 1.0 < z && z < 2.0
    }
  }

  /// x of Gymnasium's `mass_center`: sum(mass * xipos, axis=0) / sum(mass), in numpy's order.
  private func massCenterX() -> Double {
    let mass = m.pointee.body_mass!, xipos = d.pointee.xipos!
    var acc = 0.0
    for b in 0..<nbody { acc += mass[b] * xipos[3 * b] }  // axis-0 reduction: sequential
    return acc / totalMass
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
