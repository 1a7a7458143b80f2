import Algorithms
import NeuralNet
import ReproRandom
import RunModel
import XCTest

/// The composed losses (Gaussian policy + clipped surrogate + entropy, and the
/// clipped value loss) differentiated through the MLP, checked against central
/// finite differences in Double on a tiny network. Tolerance: |analytic − numeric|
/// ≤ 1e-6 + 1e-5·|numeric| with h = 1e-6 (central differences have O(h²) ≈ 1e-12
/// truncation error and ~1e-10 round-off here, so 1e-6 leaves room without
/// hiding a wrong term, which would be O(1e-2) or larger).
final class GradientCheckTests: XCTestCase {
  func makePolicy(obs: Int, act: Int, seed: UInt64) -> MLP<Double> {
    let net = MLP<Double>(sizes: [obs, 5, 4, act], activation: .tanh, extraParameters: act)
    var rng = Xoshiro256(seed: seed, stream: "init")
    net.initializeOrthogonal(gains: [1.4, 1.4, 1.0], rng: &rng)
    for j in 0..<act { net.parameters[net.networkParameterCount + j] = -0.3 + 0.2 * Double(j) }
    return net
  }

  func assertGradientMatches(_ net: MLP<Double>, file: StaticString = #filePath, line: UInt = #line,
                             loss: () -> Double) {
    _ = loss()
    let analytic = net.gradientArray
    let h = 1e-6
    for i in 0..<net.parameterCount {
      let saved = net.parameters[i]
      net.parameters[i] = saved + h
      let up = loss()
      net.parameters[i] = saved - h
      let down = loss()
      net.parameters[i] = saved
      let numeric = (up - down) / (2 * h)
      XCTAssertEqual(analytic[i], numeric, accuracy: 1e-6 + 1e-5 * abs(numeric),
                     "parameter \(i)", file: file, line: line)
    }
  }

  func testPPOPolicyLossGradientMatchesFiniteDifferences() {
    let (obsSize, act, n) = (3, 2, 16)
    let net = makePolicy(obs: obsSize, act: act, seed: 1)
    var rng = Xoshiro256(seed: 2)
    let obs = (0..<(n * obsSize)).map { _ in rng.nextNormal() }
    let actions = (0..<(n * act)).map { _ in rng.nextNormal() }
    let advantages = (0..<n).map { _ in rng.nextNormal() }
    // Old log-probs offset so that some ratios fall outside [0.8, 1.2] (the clip binds there).
    let means = net.forward(obs, batch: n)
    let logStd = (0..<act).map { net.parameters[net.networkParameterCount + $0] }
    let offsets: [Double] = [0.4, -0.4, 0.05]
    var logpOld: [Double] = []
    for s in 0..<n {
      let rows = (s * act)..<((s + 1) * act)
      let lp: Double = gaussianLogProb(action: actions[rows], mean: means[rows], logStd: logStd)
      logpOld.append(lp + offsets[s % 3])
    }
    var config = TrainerConfig()
    config.ppo.entropyCoefficient = 0.01
    for normalize in [true, false] {
      config.advantageNormalization = normalize
      assertGradientMatches(net) {
        policyLossAndGradient(policy: net, observations: obs, count: n, actions: actions, logProbsOld: logpOld,
                              advantages: advantages, clipEpsilon: config.ppo.clipEpsilon,
                              entropyCoefficient: config.ppo.entropyCoefficient,
                              normalizeAdvantages: config.advantageNormalization)
      }
    }
  }

  func testClippedValueLossGradientMatchesFiniteDifferences() {
    let (obsSize, n) = (4, 12)
    let net = MLP<Double>(sizes: [obsSize, 6, 1], activation: .tanh)
    var rng = Xoshiro256(seed: 3, stream: "init")
    net.initializeOrthogonal(gains: [1.4, 1.0], rng: &rng)
    let obs = (0..<(n * obsSize)).map { _ in rng.nextNormal() }
    let current = net.forward(obs, batch: n)
    // Old values away from the current ones by ±0.5 so the ±0.2 clip binds for some samples.
    let oldValues = (0..<n).map { current[$0] + (($0 % 2 == 0) ? 0.5 : -0.05) }
    let targets = (0..<n).map { _ in rng.nextNormal() }
    let include = (0..<n).map { $0 % 5 != 4 }
    for clip in [nil, 0.2] as [Double?] {
      assertGradientMatches(net) {
        valueLossAndGradient(network: net, observations: obs, count: n, oldValues: oldValues, targets: targets,
                             include: include, clipEpsilon: clip)
      }
    }
  }

  /// The Fisher-vector product TRPO uses (NeuralNet's `GaussianPolicy`) equals the explicit Fisher matrix (1/n) Σ Jᵀ M J,
  /// with J built by brute force (central differences of the policy mean and the
  /// log-std, one parameter at a time), times a vector. Tolerance 1e-6 absolute
  /// (entries are O(1); J by differences is accurate to ~1e-9).
  func testFisherVectorProductEqualsExplicitFisher() {
    let (obsSize, act, n) = (3, 2, 7)
    let net = makePolicy(obs: obsSize, act: act, seed: 4)
    var rng = Xoshiro256(seed: 5)
    let obs = (0..<(n * obsSize)).map { _ in rng.nextNormal() }
    let p = net.parameterCount, np = net.networkParameterCount
    // J[s][k][i] = d(output k of state s)/d(param i); outputs: means then log-stds.
    var J = [[[Double]]](repeating: [[Double]](repeating: [Double](repeating: 0, count: p), count: 2 * act), count: n)
    let h = 1e-6
    for i in 0..<p {
      let saved = net.parameters[i]
      net.parameters[i] = saved + h
      let up = net.forward(obs, batch: n), upStd = (0..<act).map { net.parameters[np + $0] }
      net.parameters[i] = saved - h
      let down = net.forward(obs, batch: n), downStd = (0..<act).map { net.parameters[np + $0] }
      net.parameters[i] = saved
      for s in 0..<n {
        for k in 0..<act {
          J[s][k][i] = (up[s * act + k] - down[s * act + k]) / (2 * h)
          J[s][act + k][i] = (upStd[k] - downStd[k]) / (2 * h)
        }
      }
    }
    let logStd = (0..<act).map { net.parameters[np + $0] }
    let M = logStd.map { exp(-2 * $0) } + [Double](repeating: 2, count: act)
    var F = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
    for s in 0..<n {
      for k in 0..<(2 * act) {
        for a in 0..<p where J[s][k][a] != 0 {
          for b in 0..<p { F[a][b] += J[s][k][a] * M[k] * J[s][k][b] / Double(n) }
        }
      }
    }
    let v = (0..<p).map { _ in rng.nextNormal() }
    let damping = 0.1
    let policy = GaussianPolicy<Double>(observationSize: obsSize, actionSize: act, hiddenSizes: [5, 4])
    policy.network.parameterArray = net.parameterArray
    let fvp = policy.fisherVectorProduct(observations: obs, batch: n, vector: v, damping: damping)
    for a in 0..<p {
      var expected = damping * v[a]
      for b in 0..<p { expected += F[a][b] * v[b] }
      XCTAssertEqual(fvp[a], expected, accuracy: 1e-6, "component \(a)")
    }
  }
}
