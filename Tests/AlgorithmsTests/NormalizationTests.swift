import Algorithms
import NeuralNet
import ReproRandom
import RunModel
import XCTest

/// Tolerances: Welford and the two-pass formula agree to rounding error; for
/// O(1)–O(100) inputs and a few hundred samples 1e-10 (relative to the
/// magnitude of the values) is comfortably above it. Outputs computed by the
/// same formula as the implementation are compared with 1e-12.
final class RunningMeanStdTests: XCTestCase {
  func twoPass(_ xs: [Double]) -> (mean: Double, varN1: Double) {
    let m = xs.reduce(0, +) / Double(xs.count)
    let v = xs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(xs.count - 1)
    return (m, v)
  }

  func testVectorMatchesTwoPassPerComponent() {
    var rng = Xoshiro256(seed: 7)
    var stats = RunningMeanStd(dimension: 3)
    var columns: [[Double]] = [[], [], []]
    for _ in 0..<500 {
      let x = [rng.nextNormal() * 3 + 5, rng.uniform(-100, 100), rng.nextNormal() * 1e-3]
      stats.push(x)
      for c in 0..<3 { columns[c].append(x[c]) }
    }
    XCTAssertEqual(stats.count, 500)
    for c in 0..<3 {
      let (m, v) = twoPass(columns[c])
      let scale = max(1, abs(m), v)
      XCTAssertEqual(stats.mean[c], m, accuracy: 1e-10 * scale)
      XCTAssertEqual(stats.variance[c], v, accuracy: 1e-10 * scale)
      XCTAssertEqual(stats.std[c], v.squareRoot(), accuracy: 1e-10 * scale)
    }
  }

  func testScalarMatchesTwoPass() {
    var rng = Xoshiro256(seed: 11)
    var s = RunningScalarMeanStd()
    var xs: [Double] = []
    for _ in 0..<300 {
      let x = rng.nextNormal() * 10 - 2
      s.push(x)
      xs.append(x)
    }
    let (m, v) = twoPass(xs)
    XCTAssertEqual(s.mean, m, accuracy: 1e-10 * 100)
    XCTAssertEqual(s.variance, v, accuracy: 1e-10 * 100)
  }

  func testAuthorsConventionsForFewSamples() {
    var s = RunningScalarMeanStd()
    XCTAssertEqual(s.variance, 0)  // empty: exact
    s.push(-3)
    XCTAssertEqual(s.mean, -3)  // exact: the first sample sets the mean
    XCTAssertEqual(s.variance, 9)  // n = 1: mean², exact
    XCTAssertEqual(s.std, 3)
    s.push(1)
    XCTAssertEqual(s.mean, -1, accuracy: 1e-15)
    XCTAssertEqual(s.variance, 8, accuracy: 1e-14)  // ((-3+1)² + (1+1)²) / 1
    var v = RunningMeanStd(dimension: 2)
    v.push([2, -4])
    XCTAssertEqual(v.std, [2, 4])  // exact
  }
}

final class ObservationNormalizerTests: XCTestCase {
  func testZScoreUsesStatisticsIncludingThisObservation() {
    var norm = ObservationNormalizer(dimension: 2, normalize: true, clip: nil)
    let first = norm([5, -2])
    // n = 1: mean = x, std = |x|, so the result is 0 / (|x| + 1e-8) = 0 exactly.
    XCTAssertEqual(first, [0, 0])
    let second = norm([7, 2])
    // mean = [6, 0], std (n−1) = [sqrt(2), sqrt(8)]
    XCTAssertEqual(second[0], 1 / (2.0.squareRoot() + 1e-8), accuracy: 1e-12)
    XCTAssertEqual(second[1], 2 / (8.0.squareRoot() + 1e-8), accuracy: 1e-12)
  }

  func testClipAfterNormalisation() {
    var norm = ObservationNormalizer(dimension: 1, normalize: true, clip: 0.5)
    _ = norm([0])
    _ = norm([1])
    let y = norm([100])
    XCTAssertEqual(y, [0.5])  // exact: clipped
  }

  func testClipAppliesWithoutNormalisation() {
    var norm = ObservationNormalizer(dimension: 3, normalize: false, clip: 10)
    XCTAssertEqual(norm([-20, 3, 11]), [-10, 3, 10])  // exact
    XCTAssertEqual(norm.stats.count, 0)  // no statistics kept
    var raw = ObservationNormalizer(dimension: 1, normalize: false, clip: nil)
    XCTAssertEqual(raw([123.5]), [123.5])
  }

  func testApplyAndCopiesDoNotDisturbTrainingState() {
    var norm = ObservationNormalizer(dimension: 1, normalize: true, clip: 10)
    for x in [1.0, 2.0, 4.0] { _ = norm([x]) }
    let before = norm
    _ = norm.apply([50])
    var heldOut = norm
    for x in [100.0, -100.0] { _ = heldOut([x]) }
    XCTAssertEqual(norm, before)
    XCTAssertEqual(before.apply([3]), norm.apply([3]))
    XCTAssertNotEqual(heldOut, norm)
  }
}

final class RewardScalerTests: XCTestCase {
  func testReturnsModeDividesByStdOfRunningReturn() {
    let gamma = 0.9
    var s = RewardScaler(mode: .returns, gamma: gamma, clip: nil)
    let rewards = [1.0, 2.0, -1.0, 0.5]
    var ret = 0.0
    var rets: [Double] = []
    for (k, r) in rewards.enumerated() {
      ret = gamma * ret + r
      rets.append(ret)
      let y = s(r)
      // Reference std with the authors' convention (|x| for one sample, else n−1).
      let std: Double
      if rets.count == 1 {
        std = abs(rets[0])
      } else {
        let m = rets.reduce(0, +) / Double(rets.count)
        std = (rets.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(rets.count - 1)).squareRoot()
      }
      XCTAssertEqual(y, r / (std + 1e-8), accuracy: 1e-12, "step \(k)")
    }
    XCTAssertEqual(s.runningReturn, ret, accuracy: 1e-12)
  }

  func testReturnResetAtEpisodeEndKeepsStatistics() {
    var s = RewardScaler(mode: .returns, gamma: 0.99, clip: nil)
    _ = s(1)
    _ = s(1)
    let stats = s.stats
    s.resetReturn()
    XCTAssertEqual(s.runningReturn, 0)
    XCTAssertEqual(s.stats, stats)
    _ = s(3)
    XCTAssertEqual(s.runningReturn, 3)  // exact: 0.99·0 + 3
    XCTAssertEqual(s.stats.count, 3)
  }

  func testRewardsModeIsAuthorsUncenteredZFilter() {
    var s = RewardScaler(mode: .rewards, gamma: 0.99, clip: nil)
    XCTAssertEqual(s(4), 4, accuracy: 1e-12)  // (4 − 4)/(4 + 1e-8) + 4
    let y = s(6)  // mean 5, std sqrt(2)
    XCTAssertEqual(y, 1 / (2.0.squareRoot() + 1e-8) + 5, accuracy: 1e-12)
  }

  func testClipAndNoneMode() {
    var s = RewardScaler(mode: .none, gamma: 0.99, clip: 10)
    XCTAssertEqual(s(25), 10)
    XCTAssertEqual(s(-3), -3)
    XCTAssertEqual(s.stats.count, 0)
    var c = RewardScaler(mode: .returns, gamma: 0.99, clip: 0.5)
    XCTAssertEqual(c(2), 0.5)  // 2 / (2 + 1e-8) ≈ 1, clipped to 0.5: exact
  }

  func testConfigInitialisers() {
    var config = TrainerConfig()
    config.rewardNormalization = .rewards
    config.rewardClip = 2.5
    config.observationNormalization = false
    config.observationClip = nil
    let r = RewardScaler(config: config)
    XCTAssertEqual(r.mode, .rewards)
    XCTAssertEqual(r.clip, 2.5)
    XCTAssertEqual(r.gamma, config.gamma)
    let o = ObservationNormalizer(dimension: 4, config: config)
    XCTAssertFalse(o.normalize)
    XCTAssertNil(o.clip)
  }
}
