import Algorithms
import Environments
import NeuralNet
import ReproRandom
import RunModel
import XCTest

/// The switches of the CleanRL preset (CleanRL's ppo_continuous_action.py, the
/// Gymnasium version, vwxyzjn/cleanrl@35896b1): one loss over both networks,
/// gradient clipping over both, Gymnasium's normalisation wrappers, and episodes
/// that run on across iterations.
final class JointLossTests: XCTestCase {
  struct Minibatch {
    var obs: [Double], actions: [Double], logpOld: [Double], advantages: [Double], oldValues: [Double], targets: [Double]
  }

  /// A tiny Double policy (3 → 5 → 4 → 2, log-std as 2 extra parameters) and value network (3 → 6 → 1),
  /// and a minibatch whose old log-probabilities and old values sit so that both clips bind for some samples.
  func makeProblem(n: Int = 16) -> (policy: MLP<Double>, value: MLP<Double>, batch: Minibatch) {
    let (obsSize, act) = (3, 2)
    let policy = MLP<Double>(sizes: [obsSize, 5, 4, act], activation: .tanh, extraParameters: act)
    let value = MLP<Double>(sizes: [obsSize, 6, 1], activation: .tanh)
    var rng = Xoshiro256(seed: 11, stream: "init")
    policy.initializeOrthogonal(gains: [1.4, 1.4, 1.0], rng: &rng)
    value.initializeOrthogonal(gains: [1.4, 1.0], rng: &rng)
    for j in 0..<act { policy.parameters[policy.networkParameterCount + j] = -0.3 + 0.2 * Double(j) }
    let obs = (0..<(n * obsSize)).map { _ in rng.nextNormal() }
    let actions = (0..<(n * act)).map { _ in rng.nextNormal() }
    let advantages = (0..<n).map { _ in rng.nextNormal() }
    let means = policy.forward(obs, batch: n)
    let logStd = policy.extraParameterArray
    let offsets: [Double] = [0.4, -0.4, 0.05]
    let logpOld = (0..<n).map { s -> Double in
      let rows = (s * act)..<((s + 1) * act)
      let lp: Double = gaussianLogProb(action: actions[rows], mean: means[rows], logStd: logStd)
      return lp + offsets[s % 3]
    }
    let current = value.forward(obs, batch: n)
    let oldValues = (0..<n).map { current[$0] + (($0 % 2 == 0) ? 0.5 : -0.05) }
    let targets = (0..<n).map { _ in rng.nextNormal() }
    return (policy, value, Minibatch(obs: obs, actions: actions, logpOld: logpOld, advantages: advantages,
                                     oldValues: oldValues, targets: targets))
  }

  func joint(_ p: MLP<Double>, _ v: MLP<Double>, _ b: Minibatch, coefficient: Double, include: [Bool]?) -> (policy: Double, value: Double) {
    jointLossAndGradient(
      policy: p, value: v, observations: b.obs, count: b.advantages.count, actions: b.actions, logProbsOld: b.logpOld,
      advantages: b.advantages, oldValues: b.oldValues, targets: b.targets, include: include, clipEpsilon: 0.2,
      valueClipEpsilon: 0.2, entropyCoefficient: 0.01, valueLossCoefficient: coefficient, normalizeAdvantages: true)
  }

  /// The joint loss J = L_policy + c·L_value (CleanRL L300). Its gradient, over the
  /// parameters of both networks, is the sum of the two losses' gradients: the policy
  /// loss's (zero on the value network) plus c times the value loss's (zero on the
  /// policy). Checked two ways: against each loss's own gradient, and against central
  /// finite differences of J over every parameter of both networks.
  /// Tolerances: the policy part is the same computation (exact); c × the value
  /// gradient vs the gradient of c × the loss differ only by where the product is
  /// rounded (1e-12 relative); finite differences as GradientCheckTests, h = 1e-6,
  /// |analytic − numeric| ≤ 1e-6 + 1e-5·|numeric|.
  func testJointLossGradientIsTheSumOfTheTwoLossesGradients() {
    let (policy, value, b) = makeProblem()
    let n = b.advantages.count
    let c = 0.25
    for include in [nil, (0..<n).map { $0 % 5 != 4 }] as [[Bool]?] {
      _ = joint(policy, value, b, coefficient: c, include: include)
      let gPolicy = policy.gradientArray, gValue = value.gradientArray
      _ = policyLossAndGradient(policy: policy, observations: b.obs, count: n, actions: b.actions, logProbsOld: b.logpOld,
                                advantages: b.advantages, clipEpsilon: 0.2, entropyCoefficient: 0.01, normalizeAdvantages: true)
      XCTAssertEqual(gPolicy, policy.gradientArray, "the policy part is the policy loss's gradient")
      _ = valueLossAndGradient(network: value, observations: b.obs, count: n, oldValues: b.oldValues, targets: b.targets,
                               include: include, clipEpsilon: 0.2)
      let gValueAlone = value.gradientArray
      XCTAssertTrue(gValueAlone.contains { abs($0) > 1e-3 }, "the value loss has a gradient")
      for i in 0..<gValue.count {
        XCTAssertEqual(gValue[i], c * gValueAlone[i], accuracy: 1e-12 * max(1, abs(gValue[i])), "value parameter \(i)")
      }
      // Finite differences of J over both networks' parameters.
      let loss = { () -> Double in
        let l = self.joint(policy, value, b, coefficient: c, include: include)
        return l.policy + c * l.value
      }
      let h = 1e-6
      for (net, analytic, name) in [(policy, gPolicy, "policy"), (value, gValue, "value")] {
        for i in 0..<net.parameterCount {
          let saved = net.parameters[i]
          net.parameters[i] = saved + h
          let up = loss()
          net.parameters[i] = saved - h
          let down = loss()
          net.parameters[i] = saved
          let numeric = (up - down) / (2 * h)
          XCTAssertEqual(analytic[i], numeric, accuracy: 1e-6 + 1e-5 * abs(numeric), "\(name) parameter \(i)")
        }
      }
    }
  }

  /// Global clipping over both networks (CleanRL L304, clip_grad_norm_ over
  /// agent.parameters()): one norm over the two gradients together, and both scaled
  /// by the same factor maxNorm / (norm + 1e-6). Exact: each entry is multiplied by
  /// that one Double. Clipping each network on its own would scale them differently.
  func testGlobalGradientClipScalesBothNetworksByTheSameFactor() {
    let (policy, value, b) = makeProblem()
    _ = joint(policy, value, b, coefficient: 0.25, include: nil)
    let gPolicy = policy.gradientArray, gValue = value.gradientArray
    let normPolicy = gPolicy.reduce(0) { $0 + $1 * $1 }.squareRoot()
    let normValue = gValue.reduce(0) { $0 + $1 * $1 }.squareRoot()
    let total = (gPolicy + gValue).reduce(0) { $0 + $1 * $1 }.squareRoot()
    XCTAssertGreaterThan(abs(normPolicy - normValue), 0.1 * total, "the two norms differ, so per-network clipping would differ")
    let maxNorm = 0.5 * total
    let returned = clipGradientNorm([policy, value], maxNorm: maxNorm)
    XCTAssertEqual(returned, total, accuracy: 1e-12 * total)
    let factor = maxNorm / (returned + 1e-6)
    XCTAssertEqual(policy.gradientArray, gPolicy.map { $0 * factor })
    XCTAssertEqual(value.gradientArray, gValue.map { $0 * factor })
    let clipped = (policy.gradientArray + value.gradientArray).reduce(0) { $0 + $1 * $1 }.squareRoot()
    XCTAssertEqual(clipped, maxNorm, accuracy: 1e-6, "the joint norm is clipped to maxNorm")
    // Under the bound: untouched.
    _ = joint(policy, value, b, coefficient: 0.25, include: nil)
    clipGradientNorm([policy, value], maxNorm: 2 * total)
    XCTAssertEqual(policy.gradientArray, gPolicy)
    XCTAssertEqual(value.gradientArray, gValue)
  }

  /// CleanRL steps one Adam over both networks (L183); the trainer steps the two
  /// networks' Adams together. Adam is elementwise and the two step counts move
  /// together, so with one learning rate the result is the same, to the bit.
  func testTwoAdamsSteppedTogetherAreOneAdamOverBoth() {
    var rng = Xoshiro256(seed: 5)
    let (n1, n2) = (37, 23)
    var p1 = (0..<n1).map { _ in Float(rng.nextNormal()) }, p2 = (0..<n2).map { _ in Float(rng.nextNormal()) }
    var both = p1 + p2
    var a1 = Adam<Float>(parameterCount: n1), a2 = Adam<Float>(parameterCount: n2), a = Adam<Float>(parameterCount: n1 + n2)
    for step in 0..<6 {
      let g1 = (0..<n1).map { _ in Float(rng.nextNormal()) }, g2 = (0..<n2).map { _ in Float(rng.nextNormal()) }
      let lr = 3e-4 * (1 - Double(step) / 6)
      a1.update(parameters: &p1, gradients: g1, learningRate: lr)
      a2.update(parameters: &p2, gradients: g2, learningRate: lr)
      a.update(parameters: &both, gradients: g1 + g2, learningRate: lr)
    }
    XCTAssertEqual(p1 + p2, both)
  }
}

/// Gymnasium's NormalizeObservation and NormalizeReward (CleanRL L97, L99), against
/// values computed by Gymnasium 0.29.1's own `wrappers/normalize.py` (run unchanged
/// over a scripted environment: observations o0..o4 with o0 from reset, rewards
/// 1, 2, −1, 0.5, terminated only at the second step, gamma 0.9). The arithmetic
/// follows numpy's order of operations, so the values must agree to the bit.
final class GymnasiumNormalizationTests: XCTestCase {
  static let observations: [[Double]] = [[1.0, -2.0], [3.0, 0.5], [-1.0, 4.0], [2.0, 2.0], [0.25, -3.0]]
  static let normalized: [[Double]] = [
    [0x1.cf62e67628b6bp-8, -0x1.25147d7d5303ep-7], [0x1.00000015775c0p+0, 0x1.fffc11533978cp-1],
    [-0x1.3987e060c6fc7p+0, 0x1.4970410379a78p+0], [0x1.03a44308c10b5p-1, 0x1.991d7ec714ae4p-2],
    [-0x1.285e3a6fe0759p-1, -0x1.49d754a77e01fp+0],
  ]

  func testNormalizeObservationMatchesGymnasiumBitForBit() {
    var norm = ObservationNormalizer(dimension: 2, normalize: true, clip: nil, kind: .gymnasium)
    for (x, want) in zip(Self.observations, Self.normalized) { XCTAssertEqual(norm(x), want) }
    XCTAssertEqual(norm.gymnasiumStats.mean, [0x1.0ccb6c7c4a670p+0, 0x1.3331a08e0be3ap-2])
    XCTAssertEqual(norm.gymnasiumStats.variance, [0x1.e8f60324c266dp+0, 0x1.a3d53f6465256p+2])
    XCTAssertEqual(norm.gymnasiumStats.count, 0x1.4001a36e2eb1cp+2)
    XCTAssertEqual(norm.stats.count, 0, "the ZFilter statistics are not used")
    // Clipping applies after normalising (CleanRL L98).
    var clipped = ObservationNormalizer(dimension: 2, normalize: true, clip: 1, kind: .gymnasium)
    for (x, want) in zip(Self.observations, Self.normalized) { XCTAssertEqual(clipped(x), want.map { min(max($0, -1), 1) }) }
  }

  /// The statistics are those of the samples merged with a prior of weight 1e-4,
  /// mean 0 and variance 1 (population variance): checked against that closed form
  /// computed in two passes, relative tolerance 1e-12 (1000 samples, round-off ~1e-14).
  func testGymnasiumStatisticsAreThePriorMergedWithTheSamples() {
    var rng = Xoshiro256(seed: 9)
    let xs = (0..<1000).map { _ in 3 + 2 * rng.nextNormal() }
    var s = GymnasiumRunningMeanStd(dimension: 1)
    for x in xs { s.push([x]) }
    let eps = 1e-4, n = Double(xs.count)
    let m = xs.reduce(0, +) / n
    let ss = xs.reduce(0) { $0 + ($1 - m) * ($1 - m) }
    let mean = m * n / (n + eps)
    let variance = (eps * 1 + ss + m * m * eps * n / (eps + n)) / (eps + n)
    XCTAssertEqual(s.mean[0], mean, accuracy: 1e-12 * abs(mean))
    XCTAssertEqual(s.variance[0], variance, accuracy: 1e-12 * variance)
    XCTAssertEqual(s.count, n + eps, accuracy: 1e-9)
    var scalar = GymnasiumRunningScalarMeanStd()
    for x in xs { scalar.push(x) }
    XCTAssertEqual(scalar.mean, s.mean[0])
    XCTAssertEqual(scalar.variance, s.variance[0])
  }

  func testNormalizeRewardMatchesGymnasiumBitForBit() {
    var s = RewardScaler(mode: .gymnasium, gamma: 0.9, clip: nil)
    let rewards = [1.0, 2.0, -1.0, 0.5], terminated = [false, true, false, false]
    let want: [(reward: Double, ret: Double)] = [
      (0x1.1adb5ab537fe8p+6, 0x1.0000000000000p+0), (0x1.ffd8b2684e889p+1, 0x1.0000000000000p+1),
      (-0x1.e79c9f1594817p+0, 0x1.999999999999ap-1), (0x1.193e985e38a03p+0, 0x1.3851eb851eb86p+0),
    ]
    for i in 0..<4 {
      XCTAssertEqual(s(rewards[i], terminated: terminated[i]), want[i].reward, "step \(i)")
      XCTAssertEqual(s.runningReturn, want[i].ret, "step \(i)")
    }
  }

  /// Gymnasium's wrapper has no reset: the discounted return runs on across resets and
  /// truncations, and restarts only at a terminal step, from that step's reward.
  func testNormalizeRewardKeepsItsReturnAcrossResetsAndTruncations() {
    var s = RewardScaler(mode: .gymnasium, gamma: 0.5, clip: nil)
    _ = s(4)
    s.resetReturn()  // an episode ended by truncation; the actor resets the environment
    XCTAssertEqual(s.runningReturn, 4)
    _ = s(2)
    XCTAssertEqual(s.runningReturn, 4)  // 4·0.5 + 2, exact
    _ = s(3, terminated: true)
    XCTAssertEqual(s.runningReturn, 3)  // restarted at the terminal step
    XCTAssertEqual(s.stats.count, 0, "the authors' statistics are not used")
    // The authors' return scaling still resets at a reset.
    var authors = RewardScaler(mode: .returns, gamma: 0.5, clip: nil)
    _ = authors(4)
    authors.resetReturn()
    XCTAssertEqual(authors.runningReturn, 0)
  }
}

/// An environment wrapper that logs what the trainer asks of it.
final class LoggingEnvironment: EnvironmentWrapper {
  enum Call: Equatable { case reset, step(endsEpisode: Bool) }
  let inner: any Environment
  var calls: [Call] = []
  var largestAction = 0.0
  init(_ inner: any Environment) { self.inner = inner }
  func reset(seed: UInt64?) -> [Double] {
    calls.append(.reset)
    return inner.reset(seed: seed)
  }
  func step(_ action: [Double]) throws -> StepResult {
    largestAction = max(largestAction, action.map(abs).max() ?? 0)
    let r = try inner.step(action)
    calls.append(.step(endsEpisode: r.terminated || r.truncated))
    return r
  }
}

final class CleanRLTrainingTests: XCTestCase {
  /// The CleanRL preset, small: 10 iterations of 64 steps, 2 epochs of 4 minibatches.
  func tinyCleanRL() -> TrainerConfig {
    var c = Preset.cleanRL.config(task: .hopper)
    c.iterations = 10
    c.stepsPerIteration = 64
    c.minibatches = 4
    c.ppo.policyEpochs = 2
    c.valueEpochs = 2
    return c
  }

  func train(_ task: String, _ c: TrainerConfig, seed: UInt64 = 3) throws -> (RunResult, LoggingEnvironment) {
    var logged: [LoggingEnvironment] = []
    var trainer = Trainer(task: task, seed: seed, config: c)
    trainer.makeEnvironment = { name, assets in
      let env = LoggingEnvironment(try Environments.makeEnvironment(name, assetsDirectory: assets))
      logged.append(env)
      return env
    }
    let r = try trainer.run()
    var stripped = r
    stripped.timing = RunTiming()
    return (stripped, logged[0])
  }

  /// CleanRL resets the environment once (L196) and lets episodes run on across
  /// rollouts. Pendulum's episodes last 200 steps and an iteration here 64: without
  /// resets, 640 steps complete 3 whole episodes, each counted in the iteration in
  /// which it ends (steps 200, 400, 600: iterations 3, 6, 9), and the environment is
  /// reset only after a step that ended an episode. Resetting each iteration instead
  /// (the authors' code) cuts every episode at 64 steps, so none ever completes.
  func testNoResetBetweenIterationsKeepsEpisodesRunning() throws {
    let c = tinyCleanRL()
    XCTAssertFalse(c.resetEachIteration)
    let (r, env) = try train("Pendulum-v1", c)
    XCTAssertNil(r.diverged)
    XCTAssertEqual(r.iterations.map(\.episodes), [0, 0, 0, 1, 0, 0, 1, 0, 0, 1])
    XCTAssertEqual(r.iterations.compactMap(\.episodeReturns).map(\.count), [0, 0, 0, 1, 0, 0, 1, 0, 0, 1])
    let resets = env.calls.indices.filter { env.calls[$0] == .reset }
    XCTAssertEqual(resets.count, 4, "the first reset and one after each of the 3 episodes")
    XCTAssertEqual(resets.first, 0)
    for i in resets.dropFirst() { XCTAssertEqual(env.calls[i - 1], .step(endsEpisode: true), "a reset only ends an episode") }
    let stepsBetweenResets = zip(resets, resets.dropFirst()).map { $1 - $0 - 1 }
    XCTAssertEqual(stepsBetweenResets, [200, 200, 200])
    // The recorded returns are the episodes' undiscounted returns, and score as CleanRL's benchmark does.
    let returns = r.iterations.flatMap { $0.episodeReturns ?? [] }
    XCTAssertEqual(returns, r.iterations.compactMap(\.meanReturn))
    XCTAssertEqual(ScoreDefinition.cleanRL.score(of: r), returns.reduce(0, +) / 3)

    var reset = c
    reset.resetEachIteration = true
    let (r2, env2) = try train("Pendulum-v1", reset)
    XCTAssertEqual(r2.iterations.map(\.episodes), Array(repeating: 0, count: 10))
    XCTAssertEqual(env2.calls.filter { $0 == .reset }.count, 10, "one reset per iteration")
    XCTAssertNil(ScoreDefinition.cleanRL.score(of: r2))
  }

  /// ClipAction (CleanRL L96): the environment only sees actions within the bounds.
  func testActionsAreClippedBeforeTheEnvironment() throws {
    let c = tinyCleanRL()
    let (_, clipped) = try train("Pendulum-v1", c)
    XCTAssertLessThanOrEqual(clipped.largestAction, 2)
    var raw = c
    raw.clipActions = false
    let (_, unclipped) = try train("Pendulum-v1", raw)
    XCTAssertGreaterThan(unclipped.largestAction, 2, "an N(μ, 1) sample leaves [−2, 2] within 640 steps")
  }

  /// Every setting in which the CleanRL preset departs from the neutral values reaches
  /// training: turning it back changes the run. recordEpisodeReturns only records.
  func testEveryCleanRLSwitchChangesTheRun() throws {
    let base = tinyCleanRL()
    let flips: [(String, [(String, String)])] = [
      ("Hopper-v5", [("jointLoss", "false")]), ("Hopper-v5", [("valueLossCoefficient", "1")]),
      ("Hopper-v5", [("gradientClip", "off")]), ("Hopper-v5", [("observationNormalizer", "zFilter")]),
      ("Hopper-v5", [("rewardNormalization", "returns")]), ("Hopper-v5", [("resetEachIteration", "true")]),
      ("Hopper-v5", [("clipActions", "false")]), ("Hopper-v5", [("valueLossMaskEpisodeEnds", "true")]),
      ("Hopper-v5", [("batchEndBootstrap", "lastState")]), ("Hopper-v5", [("valueLR", "2.5e-4")]),
      ("Pendulum-v1", [("timeLimit", "bootstrap")]),
    ]
    var baselines: [String: RunResult] = [:]
    for (task, settings) in flips {
      if baselines[task] == nil { baselines[task] = try train(task, base).0 }
      var c = base
      for (key, value) in settings { try c.set(key, to: value) }
      XCTAssertNotEqual(c, base, "\(settings) is the baseline")
      XCTAssertTrue(c.problems().isEmpty, "\(c.problems())")
      let r = try train(task, c).0
      XCTAssertNotEqual(r.iterations, baselines[task]!.iterations, "\(task): \(settings) had no effect")
    }
    var quiet = base
    quiet.recordEpisodeReturns = false
    let r = try train("Hopper-v5", quiet).0
    let recorded = baselines["Hopper-v5"]!.iterations.map { m -> IterationMetrics in
      var m = m
      m.episodeReturns = nil
      return m
    }
    XCTAssertEqual(r.iterations, recorded, "recordEpisodeReturns records, it does not change training")
    XCTAssertTrue(baselines["Hopper-v5"]!.iterations.contains { ($0.episodeReturns ?? []).count > 0 })
  }

  /// With jointLoss the value loss reported is the joint loop's, and the run is
  /// deterministic like every other.
  func testJointLossRunsAreDeterministic() throws {
    let c = tinyCleanRL()
    let a = try train("Hopper-v5", c).0
    let b = try train("Hopper-v5", c).0
    XCTAssertEqual(a, b)
    XCTAssertEqual(a.contentJSON.canonical, b.contentJSON.canonical)
    XCTAssertTrue(a.iterations.allSatisfy { $0.valueLoss > 0 && $0.learningRate > 0 })
  }

  func testJointLossSettingsAreChecked() {
    var c = tinyCleanRL()
    c.valueEpochs = 3
    XCTAssertEqual(c.problems().map(\.key), ["jointLoss"])
    c.valueEpochs = c.ppo.policyEpochs
    c.algorithm = .trpo
    XCTAssertEqual(c.problems().map(\.key), ["jointLoss"])
    c.jointLoss = false
    XCTAssertEqual(c.problems(), [])
  }
}
