import XCTest
import Foundation
import NeuralNet
import ReproRandom

/// Diagonal Gaussian functions and the policy, in `Double`.
final class GaussianTests: XCTestCase {
  typealias G = DiagonalGaussian<Double>

  func testLogProbGradientMatchesFiniteDifferences() {
    var rng = Xoshiro256(seed: 11, stream: "test")
    let a = normals(3, &rng), mu = normals(3, &rng), ls = normals(3, &rng, scale: 0.5)
    let (dm, ds) = G.logProbGradient(action: a, mean: mu, logStd: ls)
    for i in 0..<3 {
      var p = mu, m = mu; p[i] += fdStep; m[i] -= fdStep
      assertClose((G.logProb(action: a, mean: p, logStd: ls) - G.logProb(action: a, mean: m, logStd: ls)) / (2 * fdStep), dm[i])
      var sp = ls, sm = ls; sp[i] += fdStep; sm[i] -= fdStep
      assertClose((G.logProb(action: a, mean: mu, logStd: sp) - G.logProb(action: a, mean: mu, logStd: sm)) / (2 * fdStep), ds[i])
    }
  }

  func testLogProbHandValue() {
    // 1-D standard normal at 0: −½ log 2π = −0.918938533204672742 (to ~1 ulp).
    XCTAssertEqual(G.logProb(action: [0], mean: [0], logStd: [0]), -0.918938533204672742, accuracy: 1e-15)
    // 2-D: a = (1, 2), μ = (0, 0), σ = (1, e): −½(1 + 4/e²) − 1 − log 2π.
    let e = exp(1.0)
    XCTAssertEqual(G.logProb(action: [1, 2], mean: [0, 0], logStd: [0, 1]),
                   -0.5 * (1 + 4 / (e * e)) - 1 - 2 * 0.918938533204672742, accuracy: 1e-14)
  }

  func testEntropyHandValueAndGradient() {
    // Σ logσ + ½(1 + log 2π) per dimension; d/dlogσᵢ = 1 (linear, so the
    // finite difference is exact up to rounding ~1e-10).
    let ls = [0.3, -1.2]
    XCTAssertEqual(G.entropy(logStd: ls), 0.3 - 1.2 + 2 * (0.5 + 0.918938533204672742), accuracy: 1e-14)
    var p = ls; p[1] += fdStep
    var m = ls; m[1] -= fdStep
    assertClose((G.entropy(logStd: p) - G.entropy(logStd: m)) / (2 * fdStep), 1)
  }

  func testKLOfDistributionWithItselfIsZero() {
    var rng = Xoshiro256(seed: 12, stream: "test")
    let mu = normals(4, &rng), ls = normals(4, &rng)
    // Each term is logσ − logσ + σ²/(2σ²) − ½ = 0 up to rounding (~1e-16).
    XCTAssertEqual(G.kl(oldMean: mu, oldLogStd: ls, newMean: mu, newLogStd: ls), 0, accuracy: 1e-14)
    let (dm, ds) = G.klGradient(oldMean: mu, oldLogStd: ls, newMean: mu, newLogStd: ls)
    for i in 0..<4 { XCTAssertEqual(dm[i], 0, accuracy: 1e-14); XCTAssertEqual(ds[i], 0, accuracy: 1e-14) }
  }

  func testKLClosedFormHandValue() {
    // 1-D: old N(0, 1), new N(1, 2²): log 2 + (1 + 1)/(2·4) − ½ = log 2 − ¼.
    let v = G.kl(oldMean: [0], oldLogStd: [0], newMean: [1], newLogStd: [log(2.0)])
    XCTAssertEqual(v, 0.69314718055994531 - 0.25, accuracy: 1e-15)
  }

  func testKLGradientMatchesFiniteDifferences() {
    var rng = Xoshiro256(seed: 13, stream: "test")
    let om = normals(3, &rng), ol = normals(3, &rng, scale: 0.5)
    let nm = normals(3, &rng), nl = normals(3, &rng, scale: 0.5)
    let (dm, ds) = G.klGradient(oldMean: om, oldLogStd: ol, newMean: nm, newLogStd: nl)
    for i in 0..<3 {
      var p = nm, m = nm; p[i] += fdStep; m[i] -= fdStep
      assertClose((G.kl(oldMean: om, oldLogStd: ol, newMean: p, newLogStd: nl)
                   - G.kl(oldMean: om, oldLogStd: ol, newMean: m, newLogStd: nl)) / (2 * fdStep), dm[i])
      var sp = nl, sm = nl; sp[i] += fdStep; sm[i] -= fdStep
      assertClose((G.kl(oldMean: om, oldLogStd: ol, newMean: nm, newLogStd: sp)
                   - G.kl(oldMean: om, oldLogStd: ol, newMean: nm, newLogStd: sm)) / (2 * fdStep), ds[i])
    }
  }

  func makePolicy(seed: UInt64) -> GaussianPolicy<Double> {
    let policy = GaussianPolicy<Double>(observationSize: 5, actionSize: 3, hiddenSizes: [13, 9])
    var rng = Xoshiro256(seed: seed, stream: "init")
    policy.initializePyTorchDefault(rng: &rng)
    for i in 0..<3 { policy.logStd[i] = [0.2, -0.4, 0.1][i] }
    return policy
  }

  func testPolicyLayoutAndInit() {
    let policy = GaussianPolicy<Float>(observationSize: 11, actionSize: 3)
    var rng = Xoshiro256(seed: 1, stream: "init")
    policy.initializeOrthogonal(rng: &rng)
    XCTAssertEqual(policy.parameterCount, 11 * 64 + 64 + 64 * 64 + 64 + 64 * 3 + 3 + 3)  // 5126
    XCTAssertEqual(policy.logStdOffset, 5123)
    XCTAssertEqual(Array(policy.logStd), [0, 0, 0])
  }

  func testPolicyBackwardOfMeanLogProbMatchesFiniteDifferences() {
    // Loss = mean_b logπ(a_b | s_b) over the whole flat vector (incl. log-std).
    let policy = makePolicy(seed: 14)
    var rng = Xoshiro256(seed: 14, stream: "data")
    let batch = 6
    let s = normals(batch * 5, &rng), a = normals(batch * 3, &rng)
    func loss() -> Double {
      var lp = [Double](repeating: 0, count: batch)
      policy.logProbabilities(observations: s, actions: a, batch: batch, into: &lp)
      return lp.reduce(0, +) / Double(batch)
    }
    _ = loss()
    let mu = Array(policy.means(observations: s, batch: batch))
    var dMean = [Double](repeating: 0, count: batch * 3), dLs = [Double](repeating: 0, count: 3)
    let ls = Array(policy.logStd)
    for b in 0..<batch {
      dMean.withUnsafeMutableBufferPointer { dm in
        G.addLogProbGradient(action: Array(a[(b * 3)..<(b * 3 + 3)]), mean: Array(mu[(b * 3)..<(b * 3 + 3)]), logStd: ls, dim: 3,
                             scale: 1 / Double(batch), dMean: dm.baseAddress! + b * 3, dLogStd: &dLs)
      }
    }
    policy.zeroGradients()
    policy.backward(meanGradient: dMean, logStdGradient: dLs)
    let g = Array(policy.gradients)
    for i in 0..<policy.parameterCount {
      let p0 = policy.parameters[i]
      policy.parameters[i] = p0 + fdStep; let lp = loss()
      policy.parameters[i] = p0 - fdStep; let lm = loss()
      policy.parameters[i] = p0
      assertClose((lp - lm) / (2 * fdStep), g[i], "parameter \(i)")
    }
  }

  func testFisherVectorProductMatchesHessianOfMeanKL() {
    // F v must equal the directional derivative of ∇θ mean KL(old ‖ θ) at θ =
    // old along v: (∇KL(old + h v) − ∇KL(old − h v)) / 2h, with ∇KL from
    // `backward`. Central difference of a gradient: error O(h²) + ε/h ≈ 1e-10.
    let policy = makePolicy(seed: 15)
    var rng = Xoshiro256(seed: 15, stream: "data")
    let batch = 8
    let s = normals(batch * 5, &rng)
    let v = normals(policy.parameterCount, &rng)
    let old = Array(policy.parameters)
    let oldMu = Array(policy.means(observations: s, batch: batch))
    let oldLs = Array(policy.logStd)
    func klGradient(at theta: [Double]) -> [Double] {
      _ = policy.parameters.update(fromContentsOf: theta)
      let mu = Array(policy.means(observations: s, batch: batch))
      let ls = Array(policy.logStd)
      var dMean = [Double](repeating: 0, count: batch * 3), dLs = [Double](repeating: 0, count: 3)
      for b in 0..<batch {
        dMean.withUnsafeMutableBufferPointer { dm in
          G.addKLGradient(oldMean: Array(oldMu[(b * 3)..<(b * 3 + 3)]), oldLogStd: oldLs,
                          newMean: Array(mu[(b * 3)..<(b * 3 + 3)]), newLogStd: ls, dim: 3,
                          scale: 1 / Double(batch), dNewMean: dm.baseAddress! + b * 3, dNewLogStd: &dLs)
        }
      }
      policy.zeroGradients()
      policy.backward(meanGradient: dMean, logStdGradient: dLs)
      return Array(policy.gradients)
    }
    let h = 1e-5
    let gp = klGradient(at: zip(old, v).map { $0 + h * $1 })
    let gm = klGradient(at: zip(old, v).map { $0 - h * $1 })
    _ = policy.parameters.update(fromContentsOf: old)
    let damping = 0.1
    let fv = policy.fisherVectorProduct(observations: s, batch: batch, vector: v, damping: damping)
    for i in 0..<policy.parameterCount {
      assertClose((gp[i] - gm[i]) / (2 * h) + damping * v[i], fv[i], "component \(i)")
    }
  }

  func testCopyIsIndependent() {
    let policy = makePolicy(seed: 17)
    let old = policy.copy()
    XCTAssertEqual(Array(old.parameters), Array(policy.parameters))
    policy.parameters[0] += 1
    policy.logStd[0] = 5
    XCTAssertNotEqual(Array(old.parameters), Array(policy.parameters))
    XCTAssertEqual(old.logStd[0], 0.2)
  }

  func testSamplingIsMeanPlusStdTimesNormal() {
    let policy = makePolicy(seed: 16)
    var rng = Xoshiro256(seed: 16, stream: "actions")
    var copy = rng
    let obs = [0.1, -0.2, 0.3, 0.0, 1.0]
    let (a, mu) = policy.sample(obs, rng: &rng)
    XCTAssertEqual(mu, policy.network.predict(obs))
    for i in 0..<3 {
      // Same operations in the same order: exact.
      XCTAssertEqual(a[i], mu[i] + exp(policy.logStd[i]) * copy.nextNormal())
    }
    XCTAssertEqual(rng, copy)
  }
}

