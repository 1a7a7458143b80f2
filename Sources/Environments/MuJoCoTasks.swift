import CMuJoCo
import Foundation

// Gymnasium 1.4.0's MuJoCo tasks, one descriptor per Gymnasium id, each read from
// gymnasium/envs/mujoco/<task>_v5.py or _v4.py with its default constructor arguments.
// Every expression keeps Gymnasium's order of floating-point operations: `a + b - c` is
// `(a + b) - c`; `np.sum` is `numpySum`/`numpySumOfSquares` (pairwise); a NumPy float64
// scalar's `x ** 2` is libm's `pow(x, 2)`; `np.linalg.norm` is `numpyNorm`. Checked
// against Gymnasium's own recordings (ParityTests) for every id.
//
// A new task: one `static let` here, its entry in `builtIn`, and one `TaskRegistry.builtIn` row.

extension MuJoCoTask {
  /// Every built-in descriptor; each has a `TaskRegistry.builtIn` row of the same Gymnasium id.
  public static let builtIn: [MuJoCoTask] = [
    .ant, .antV4, .halfCheetah, .halfCheetahV4, .hopper, .hopperV4, .humanoid, .humanoidV4,
    .humanoidStandup, .humanoidStandupV4, .invertedPendulum, .invertedPendulumV4,
    .invertedDoublePendulum, .invertedDoublePendulumV4, .pusher, .pusherV4, .reacher, .reacherV4,
    .swimmer, .swimmerV4, .walker2d, .walker2dV4,
  ]

  // MARK: Hopper, Walker2d (planar walkers)

  /// v5 pays the healthy reward only while healthy; v4 on every step, the terminating one
  /// included (`float(is_healthy or terminate_when_unhealthy)`).
  public static let hopper = planarWalker("Hopper-v5", healthy: hopperIsHealthy, healthyRewardAlways: false)
  public static let hopperV4 = planarWalker("Hopper-v4", healthy: hopperIsHealthy, healthyRewardAlways: true)
  /// Walker2d-v5 runs walker2d_v5.xml (both feet friction 1.9); v4 walker2d.xml (right foot 0.9).
  public static let walker2d = planarWalker("Walker2d-v5", healthy: walker2dIsHealthy, healthyRewardAlways: false)
  public static let walker2dV4 = planarWalker("Walker2d-v4", healthy: walker2dIsHealthy, healthyRewardAlways: true)

  /// Hopper's `is_healthy`: every value of state_vector()[2:] = qpos[2:] ++ qvel in (-100, 100),
  /// z = qpos[1] in (0.7, inf), angle = qpos[2] in (-0.2, 0.2); all strict.
  static func hopperIsHealthy(_ s: MuJoCoState) -> Bool {
    let qp = s.qpos, qv = s.qvel
    for i in 2..<s.nq where !(-100 < qp[i] && qp[i] < 100) { return false }
    for i in 0..<s.nv where !(-100 < qv[i] && qv[i] < 100) { return false }
    let z = qp[1], angle = qp[2]
    return 0.7 < z && z < Double.infinity && -0.2 < angle && angle < 0.2
  }

  /// Walker2d's: z = qpos[1] in (0.8, 2.0), angle = qpos[2] in (-1, 1); strict.
  static func walker2dIsHealthy(_ s: MuJoCoState) -> Bool {
    let z = s.qpos[1], angle = s.qpos[2]
    return 0.8 < z && z < 2.0 && -1.0 < angle && angle < 1.0
  }

  /// Observation qpos[1:], clip(qvel, -10, 10); reward (x_velocity + healthy) - 1e-3 * sum(a^2);
  /// reset noise U(-5e-3, 5e-3) on qpos and qvel.
  static func planarWalker(_ id: String, healthy isHealthy: @escaping @Sendable (MuJoCoState) -> Bool,
                           healthyRewardAlways: Bool) -> MuJoCoTask {
    MuJoCoTask(id, reset: .uniform(5e-3), observe: { s, o in
      o.append(s.qpos, 1, s.nq)
      o.append(s.qvel, 0, s.nv, clip: -10, 10)
    }, step: { s, action, simulate in
      let before = s.qpos[0]
      simulate()
      let xVelocity = (s.qpos[0] - before) / s.dt
      let healthy = isHealthy(s)
      let forward = 1.0 * xVelocity
      let healthyReward = healthy || healthyRewardAlways ? 1.0 : 0.0
      let ctrlCost = 1e-3 * numpySumOfSquares(action)
      return MuJoCoStepOutcome(reward: (forward + healthyReward) - ctrlCost, terminated: !healthy,
                               info: StepInfo(xVelocity: xVelocity, rewardForward: forward, rewardHealthy: healthyReward,
                                              rewardControl: -ctrlCost))
    })
  }

  // MARK: Humanoid, HumanoidStandup

  /// Humanoid-v5: 1.25 * centre-of-mass x-velocity + 5 (while healthy) - 0.1 * sum(ctrl^2)
  /// - min(5e-7 * sum(cfrc_ext^2), 10); healthy while qpos[2] in (1, 2). Humanoid-v4: the healthy
  /// reward on every step and no contact cost.
  public static let humanoid = humanoidWalker("Humanoid-v5", v4: false)
  public static let humanoidV4 = humanoidWalker("Humanoid-v4", v4: true)

  static func humanoidWalker(_ id: String, v4: Bool) -> MuJoCoTask {
    MuJoCoTask(id, reset: .uniform(1e-2), observe: humanoidObservation(v4: v4), step: { s, _, simulate in
      let before = s.massCenterX()
      simulate()
      let xVelocity = (s.massCenterX() - before) / s.dt
      let z = s.qpos[2]
      let healthy = 1.0 < z && z < 2.0
      let forward = 1.25 * xVelocity
      let healthyReward = healthy || v4 ? 5.0 : 0.0
      let ctrlCost = 0.1 * numpySumOfSquares(UnsafeBufferPointer(start: s.d.pointee.ctrl, count: Int(s.m.pointee.nu)))
      var info = StepInfo(xVelocity: xVelocity, rewardForward: forward, rewardHealthy: healthyReward, rewardControl: -ctrlCost)
      if v4 { return MuJoCoStepOutcome(reward: (forward + healthyReward) - ctrlCost, terminated: !healthy, info: info) }
      let contactCost = Swift.min(5e-7 * numpySumOfSquares(UnsafeBufferPointer(start: s.d.pointee.cfrc_ext, count: s.nbody * 6)), 10.0)
      info.rewardContact = -contactCost
      return MuJoCoStepOutcome(reward: (forward + healthyReward) - (ctrlCost + contactCost), terminated: !healthy, info: info)
    })
  }

  /// qpos[2:], qvel, cinert, cvel, qfrc_actuator, cfrc_ext: v4 every body and every dof (.flat),
  /// v5 without the worldbody's entries and the free joint's six actuator forces.
  static func humanoidObservation(v4: Bool) -> @Sendable (MuJoCoState, inout [Double]) -> Void {
    let skip = v4 ? 0 : 1
    return { s, o in
      o.append(s.qpos, 2, s.nq)
      o.append(s.qvel, 0, s.nv)
      o.append(s.d.pointee.cinert, skip * 10, s.nbody * 10)
      o.append(s.d.pointee.cvel, skip * 6, s.nbody * 6)
      o.append(s.d.pointee.qfrc_actuator, skip * 6, s.nv)
      o.append(s.d.pointee.cfrc_ext, skip * 6, s.nbody * 6)
    }
  }

  /// HumanoidStandup (v5 and v4 compute the same): ((qpos[2] / timestep - 0.1 * sum(ctrl^2))
  /// - min(5e-7 * sum(cfrc_ext^2), 10)) + 1, never terminating; Humanoid's observation.
  public static let humanoidStandup = humanoidStandupTask("HumanoidStandup-v5", v4: false)
  public static let humanoidStandupV4 = humanoidStandupTask("HumanoidStandup-v4", v4: true)

  static func humanoidStandupTask(_ id: String, v4: Bool) -> MuJoCoTask {
    MuJoCoTask(id, reset: .uniform(1e-2), observe: humanoidObservation(v4: v4), step: { s, _, simulate in
      simulate()
      let uphCost = (s.qpos[2] - 0) / s.m.pointee.opt.timestep
      let ctrlCost = 0.1 * numpySumOfSquares(UnsafeBufferPointer(start: s.d.pointee.ctrl, count: Int(s.m.pointee.nu)))
      let impactCost = Swift.min(5e-7 * numpySumOfSquares(UnsafeBufferPointer(start: s.d.pointee.cfrc_ext, count: s.nbody * 6)), 10.0)
      return MuJoCoStepOutcome(reward: ((uphCost - ctrlCost) - impactCost) + 1,
                               info: StepInfo(rewardForward: uphCost, rewardControl: -ctrlCost, rewardContact: -impactCost))
    })
  }

  // MARK: Ant

  /// Ant-v5: x-velocity of the torso (body 1) + 1 (while healthy) - (0.5 * sum(a^2) + 5e-4 *
  /// sum(clip(cfrc_ext, -1, 1)^2)); healthy while the state is finite and qpos[2] in [0.2, 1.0];
  /// observation qpos[2:], qvel, clip(cfrc_ext[1:], -1, 1). Ant-v4 (use_contact_forces=False):
  /// the healthy reward on every step, no contact cost, observation qpos[2:], qvel.
  public static let ant = antTask("Ant-v5", v4: false)
  public static let antV4 = antTask("Ant-v4", v4: true)

  static func antTask(_ id: String, v4: Bool) -> MuJoCoTask {
    MuJoCoTask(id, bodies: ["torso"], reset: .uniformPositionNormalVelocity(0.1), observe: { s, o in
      o.append(s.qpos, 2, s.nq)
      o.append(s.qvel, 0, s.nv)
      if !v4 { o.append(s.d.pointee.cfrc_ext, 6, s.nbody * 6, clip: -1, 1) }
    }, step: { s, action, simulate in
      let torso = s.body(0)
      let before = s.xpos(torso, 0)
      simulate()
      let xVelocity = (s.xpos(torso, 0) - before) / s.dt
      let z = s.qpos[2]
      let healthy = s.stateIsFinite() && 0.2 <= z && z <= 1.0
      let healthyReward = healthy || v4 ? 1.0 : 0.0
      let rewards = xVelocity + healthyReward
      let ctrlCost = 0.5 * numpySumOfSquares(action)
      var info = StepInfo(xVelocity: xVelocity, rewardForward: xVelocity, rewardHealthy: healthyReward, rewardControl: -ctrlCost)
      if v4 { return MuJoCoStepOutcome(reward: rewards - ctrlCost, terminated: !healthy, info: info) }
      let cfrc = s.d.pointee.cfrc_ext!
      let contactCost = 5e-4 * numpyPairwise(s.nbody * 6) { let c = Swift.min(Swift.max(cfrc[$0], -1), 1); return c * c }
      info.rewardContact = -contactCost
      return MuJoCoStepOutcome(reward: rewards - (ctrlCost + contactCost), terminated: !healthy, info: info)
    })
  }

  // MARK: HalfCheetah, Swimmer

  /// 1.0 * x-velocity - 0.1 * sum(a^2), never terminating; observation qpos[1:], qvel; reset
  /// U(-0.1, 0.1) on qpos, 0.1 * N(0, 1) on qvel. v4 computes the same.
  public static let halfCheetah = forwardRunner("HalfCheetah-v5", reset: .uniformPositionNormalVelocity(0.1), skip: 1, ctrlWeight: 0.1)
  public static let halfCheetahV4 = forwardRunner("HalfCheetah-v4", reset: .uniformPositionNormalVelocity(0.1), skip: 1, ctrlWeight: 0.1)

  /// 1.0 * x-velocity - 1e-4 * sum(a^2), never terminating; observation qpos[2:], qvel; reset
  /// U(-0.1, 0.1) on qpos and qvel. v4 computes the same.
  public static let swimmer = forwardRunner("Swimmer-v5", reset: .uniform(0.1), skip: 2, ctrlWeight: 1e-4)
  public static let swimmerV4 = forwardRunner("Swimmer-v4", reset: .uniform(0.1), skip: 2, ctrlWeight: 1e-4)

  /// A robot rewarded for qpos[0]'s velocity, never terminating: forward_reward_weight (1.0) *
  /// x-velocity - ctrlWeight * sum(a^2); observation qpos[skip:], qvel.
  static func forwardRunner(_ id: String, reset: ResetNoise, skip: Int, ctrlWeight: Double) -> MuJoCoTask {
    MuJoCoTask(id, reset: reset, observe: { s, o in
      o.append(s.qpos, skip, s.nq)
      o.append(s.qvel, 0, s.nv)
    }, step: { s, action, simulate in
      let before = s.qpos[0]
      simulate()
      let xVelocity = (s.qpos[0] - before) / s.dt
      let forward = 1.0 * xVelocity
      let ctrlCost = ctrlWeight * numpySumOfSquares(action)
      return MuJoCoStepOutcome(reward: forward - ctrlCost,
                               info: StepInfo(xVelocity: xVelocity, rewardForward: forward, rewardControl: -ctrlCost))
    })
  }

  // MARK: InvertedPendulum, InvertedDoublePendulum

  /// Observation qpos, qvel; terminated when it is not finite or |qpos[1]| > 0.2. Reward: v5 1
  /// while not terminated, 0 on the terminating step; v4 1 on every step. Reset U(-0.01, 0.01).
  public static let invertedPendulum = invertedPendulumTask("InvertedPendulum-v5", v4: false)
  public static let invertedPendulumV4 = invertedPendulumTask("InvertedPendulum-v4", v4: true)

  static func invertedPendulumTask(_ id: String, v4: Bool) -> MuJoCoTask {
    MuJoCoTask(id, reset: .uniform(0.01), observe: { s, o in
      o.append(s.qpos, 0, s.nq)
      o.append(s.qvel, 0, s.nv)
    }, step: { s, _, simulate in
      simulate()
      let terminated = !s.stateIsFinite() || abs(s.qpos[1]) > 0.2
      let reward = v4 || !terminated ? 1.0 : 0.0
      return MuJoCoStepOutcome(reward: reward, terminated: terminated, info: StepInfo(rewardHealthy: reward))
    })
  }

  /// Tip site (x, _, y): terminated when y <= 1; reward (alive - (0.01 * x**2 + (y - 2)**2))
  /// - (0.001 * v1**2 + 0.005 * v2**2), alive 10 (v5: 0 on the terminating step). Observation
  /// qpos[:1], sin(qpos[1:]), cos(qpos[1:]), clip(qvel, -10, 10), clip(qfrc_constraint, -10, 10)
  /// (v5 its first value only). Reset U(-0.1, 0.1) on qpos, N(0, 1) * 0.1 on qvel.
  public static let invertedDoublePendulum = invertedDoublePendulumTask("InvertedDoublePendulum-v5", v4: false)
  public static let invertedDoublePendulumV4 = invertedDoublePendulumTask("InvertedDoublePendulum-v4", v4: true)

  static func invertedDoublePendulumTask(_ id: String, v4: Bool) -> MuJoCoTask {
    MuJoCoTask(id, reset: .uniformPositionNormalVelocity(0.1), observe: { s, o in
      o.append(s.qpos[0])
      for i in 1..<s.nq { o.append(sin(s.qpos[i])) }
      for i in 1..<s.nq { o.append(cos(s.qpos[i])) }
      o.append(s.qvel, 0, s.nv, clip: -10, 10)
      o.append(s.d.pointee.qfrc_constraint, 0, v4 ? s.nv : 1, clip: -10, 10)
    }, step: { s, _, simulate in
      simulate()
      let x = s.d.pointee.site_xpos[0], y = s.d.pointee.site_xpos[2]
      let terminated = y <= 1
      let v1 = s.qvel[1], v2 = s.qvel[2]
      let distPenalty = 0.01 * pow(x, 2) + pow(y - 2, 2)
      let velPenalty = 0.001 * pow(v1, 2) + 0.005 * pow(v2, 2)
      let alive = v4 || !terminated ? 10.0 : 0.0
      return MuJoCoStepOutcome(reward: (alive - distPenalty) - velPenalty, terminated: terminated,
                               info: StepInfo(rewardHealthy: alive))
    })
  }

  // MARK: Reacher, Pusher

  /// A step whose reward reads the state before the simulation (Reacher-v4, Pusher-v4) or after it (v5).
  static func rewarding(beforeSimulation: Bool, _ reward: @escaping @Sendable (MuJoCoState, [Double]) -> MuJoCoStepOutcome)
    -> @Sendable (MuJoCoState, [Double], () -> Void) -> MuJoCoStepOutcome {
    { s, action, simulate in
      guard beforeSimulation else {
        simulate()
        return reward(s, action)
      }
      let outcome = reward(s, action)
      simulate()
      return outcome
    }
  }

  /// Reward -|fingertip - target| - sum(a^2), never terminating: v5 after the simulation, v4
  /// before it. Observation cos(qpos[:2]), sin(qpos[:2]), qpos[2:], qvel[:2], fingertip - target
  /// (v5 its x and y, v4 all three). Reset: qpos = U(-0.1, 0.1) + qpos0, the goal (last two)
  /// drawn U(-0.2, 0.2) twice until its norm is below 0.2; qvel U(-0.005, 0.005), the goal's 0.
  public static let reacher = reacherTask("Reacher-v5", v4: false)
  public static let reacherV4 = reacherTask("Reacher-v4", v4: true)

  static func reacherTask(_ id: String, v4: Bool) -> MuJoCoTask {
    @Sendable func reward(_ s: MuJoCoState, _ action: [Double]) -> MuJoCoStepOutcome {
      let f = s.body(0), t = s.body(1)
      let dist = -numpyNorm(s.xpos(f, 0) - s.xpos(t, 0), s.xpos(f, 1) - s.xpos(t, 1), s.xpos(f, 2) - s.xpos(t, 2))
      let ctrl = -numpySumOfSquares(action)
      return MuJoCoStepOutcome(reward: dist + ctrl, info: StepInfo(rewardForward: dist, rewardControl: ctrl))
    }
    return MuJoCoTask(id, bodies: ["fingertip", "target"], reset: .custom { draws, qpos, qvel in
      for i in qpos.indices { qpos[i] = draws.uniform(-0.1, 0.1) + qpos[i] }
      var goal: (Double, Double)
      repeat { goal = (draws.uniform(-0.2, 0.2), draws.uniform(-0.2, 0.2)) } while !(numpyNorm(goal.0, goal.1) < 0.2)
      qpos[qpos.count - 2] = goal.0
      qpos[qpos.count - 1] = goal.1
      for i in qvel.indices { qvel[i] += draws.uniform(-0.005, 0.005) }
      qvel[qvel.count - 2] = 0
      qvel[qvel.count - 1] = 0
    }, observe: { s, o in
      o.append(cos(s.qpos[0])); o.append(cos(s.qpos[1]))
      o.append(sin(s.qpos[0])); o.append(sin(s.qpos[1]))
      o.append(s.qpos, 2, s.nq)
      o.append(s.qvel, 0, 2)
      let f = s.body(0), t = s.body(1)
      for j in 0..<(v4 ? 3 : 2) { o.append(s.xpos(f, j) - s.xpos(t, j)) }
    }, step: rewarding(beforeSimulation: v4, reward))
  }

  /// Reward -|object - goal| - 0.1 * sum(a^2) - 0.5 * |object - tips_arm|, never terminating:
  /// v5 `(dist + ctrl) + near` after the simulation on pusher_v5.xml, v4 `(dist + 0.1 * ctrl) +
  /// 0.5 * near` before it on pusher.xml (which Gymnasium 1.4.0 refuses to build on MuJoCo 3:
  /// Repro runs v4's code on it as it is). Observation qpos[:7], qvel[:7] and the three bodies'
  /// positions. Reset: the arm at qpos0; the cylinder (qpos[-4:-2]) at (U(-0.3, 0), U(-0.2, 0.2))
  /// redrawn until farther than 0.17 from the goal (0, 0) (qpos[-2:]); qvel U(-0.005, 0.005),
  /// the last four 0.
  public static let pusher = pusherTask("Pusher-v5", v4: false)
  public static let pusherV4 = pusherTask("Pusher-v4", v4: true)

  static func pusherTask(_ id: String, v4: Bool) -> MuJoCoTask {
    @Sendable func reward(_ s: MuJoCoState, _ action: [Double]) -> MuJoCoStepOutcome {
      let tips = s.body(0), object = s.body(1), goal = s.body(2)
      func norm(_ a: Int, _ b: Int) -> Double {
        numpyNorm(s.xpos(a, 0) - s.xpos(b, 0), s.xpos(a, 1) - s.xpos(b, 1), s.xpos(a, 2) - s.xpos(b, 2))
      }
      let sumSq = numpySumOfSquares(action)
      if v4 {
        let near = -norm(object, tips), dist = -norm(object, goal), ctrl = -sumSq
        return MuJoCoStepOutcome(reward: (dist + 0.1 * ctrl) + 0.5 * near,
                                 info: StepInfo(rewardForward: dist, rewardControl: ctrl))
      }
      let near = -norm(object, tips) * 0.5, dist = -norm(object, goal) * 1, ctrl = -sumSq * 0.1
      return MuJoCoStepOutcome(reward: (dist + ctrl) + near, info: StepInfo(rewardForward: dist, rewardControl: ctrl))
    }
    return MuJoCoTask(id, bodies: ["tips_arm", "object", "goal"], reset: .custom { draws, qpos, qvel in
      var cylinder: (Double, Double)
      repeat { cylinder = (draws.uniform(-0.3, 0), draws.uniform(-0.2, 0.2)) } while !(numpyNorm(cylinder.0, cylinder.1) > 0.17)
      let n = qpos.count
      qpos[n - 4] = cylinder.0
      qpos[n - 3] = cylinder.1
      qpos[n - 2] = 0
      qpos[n - 1] = 0
      for i in qvel.indices { qvel[i] += draws.uniform(-0.005, 0.005) }
      for i in (qvel.count - 4)..<qvel.count { qvel[i] = 0 }
    }, observe: { s, o in
      o.append(s.qpos, 0, 7)
      o.append(s.qvel, 0, 7)
      for k in 0..<3 { for j in 0..<3 { o.append(s.xpos(s.body(k), j)) } }
    }, step: rewarding(beforeSimulation: v4, reward))
  }
}
