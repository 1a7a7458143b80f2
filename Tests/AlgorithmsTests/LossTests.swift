import Algorithms
import Foundation
import NeuralNet
import ReproRandom
import RunModel
import XCTest

/// Finite differences: central differences with h = 1e-6 on O(1) smooth
/// functions have truncation error O(h²) ≈ 1e-12 times the third derivative and
/// rounding error ≈ 1e-16 / 1e-6 = 1e-10; a tolerance of 1e-6 (absolute, for
/// derivatives of size O(1)) is far above both and far below any real mistake.
final class SurrogateLossTests: XCTestCase {
  let h = 1e-6
  let tol = 1e-6

  func fd(_ f: (Double) -> Double, _ x: Double) -> Double {
    (f(x + h) - f(x - h)) / (2 * h)
  }

  func testDerivativeMatchesFiniteDifferencesAwayFromKinks() {
    var rng = Xoshiro256(seed: 13)
    var checked = 0
    for _ in 0..<500 {
      let old = rng.uniform(-3, 0)
      let new = old + rng.uniform(-0.5, 0.5)
      let adv = rng.uniform(-2, 2)
      let eps = 0.2
      let r = exp(new - old)
      // Stay away from the kinks at r = 1 ± eps.
      if abs(r - (1 - eps)) < 1e-3 || abs(r - (1 + eps)) < 1e-3 { continue }
      let s = ppoSurrogateLoss(logProbNew: new, logProbOld: old, advantage: adv, clipEpsilon: eps)
      let numeric = fd({ ppoSurrogateLoss(logProbNew: $0, logProbOld: old, advantage: adv, clipEpsilon: eps).loss }, new)
      XCTAssertEqual(s.derivative, numeric, accuracy: tol)
      let u = ppoSurrogateLoss(logProbNew: new, logProbOld: old, advantage: adv, clipEpsilon: nil)
      XCTAssertEqual(u.loss, -r * adv, accuracy: 1e-12)
      XCTAssertEqual(u.derivative, fd({ ppoSurrogateLoss(logProbNew: $0, logProbOld: old, advantage: adv, clipEpsilon: nil).loss }, new), accuracy: tol)
      checked += 1
    }
    XCTAssertGreaterThan(checked, 400)
  }

  func testClipZeroesGradientWhereItBinds() {
    let eps = 0.2
    // r = e^0.5 ≈ 1.65 > 1 + eps with A > 0: the clipped term is the minimum → 0 gradient.
    let up = ppoSurrogateLoss(logProbNew: 0.5, logProbOld: 0, advantage: 1.5, clipEpsilon: eps)
    XCTAssertEqual(up.derivative, 0)
    XCTAssertEqual(up.loss, -(1 + eps) * 1.5, accuracy: 1e-12)
    // r = e^−0.5 ≈ 0.61 < 1 − eps with A < 0: binds → 0 gradient.
    let down = ppoSurrogateLoss(logProbNew: -0.5, logProbOld: 0, advantage: -2, clipEpsilon: eps)
    XCTAssertEqual(down.derivative, 0)
    XCTAssertEqual(down.loss, -(1 - eps) * -2, accuracy: 1e-12)
    // r > 1 + eps with A < 0: the unclipped term is the minimum → full gradient −r·A.
    let r = exp(0.5)
    let pess = ppoSurrogateLoss(logProbNew: 0.5, logProbOld: 0, advantage: -2, clipEpsilon: eps)
    XCTAssertEqual(pess.derivative, -r * -2, accuracy: 1e-12)
    // Inside the range: r·A, gradient −r·A.
    let inside = ppoSurrogateLoss(logProbNew: 0.1, logProbOld: 0, advantage: 1, clipEpsilon: eps)
    XCTAssertEqual(inside.derivative, -exp(0.1), accuracy: 1e-12)
  }

  func testHugeEpsilonIsUnclipped() {
    let a = ppoSurrogateLoss(logProbNew: 2, logProbOld: 0, advantage: 1, clipEpsilon: 1e32)
    let b = ppoSurrogateLoss(logProbNew: 2, logProbOld: 0, advantage: 1, clipEpsilon: nil)
    XCTAssertEqual(a, b)
  }

  func testBatchSurrogateNormalisesAndAverages() {
    let new = [0.0, 0.1, -0.1, 0.05]
    let old = [0.0, 0.0, 0.0, 0.0]
    let adv = [1.0, 3.0, -2.0, 0.5]
    let batch = meanSurrogateLoss(logProbsNew: new, logProbsOld: old, advantages: adv, clipEpsilon: 0.2, normalize: true)
    let na = normalizeAdvantages(adv)
    var loss = 0.0
    for i in 0..<4 {
      let s = ppoSurrogateLoss(logProbNew: new[i], logProbOld: old[i], advantage: na[i], clipEpsilon: 0.2)
      loss += s.loss / 4
      XCTAssertEqual(batch.derivatives[i], s.derivative / 4, accuracy: 1e-12)
    }
    XCTAssertEqual(batch.loss, loss, accuracy: 1e-12)
    // Finite differences of the batch loss w.r.t. each logp_new.
    for i in 0..<4 {
      var p = new, m = new
      p[i] += h
      m[i] -= h
      let fp = meanSurrogateLoss(logProbsNew: p, logProbsOld: old, advantages: adv, clipEpsilon: 0.2, normalize: true).loss
      let fm = meanSurrogateLoss(logProbsNew: m, logProbsOld: old, advantages: adv, clipEpsilon: 0.2, normalize: true).loss
      XCTAssertEqual(batch.derivatives[i], (fp - fm) / (2 * h), accuracy: tol)
    }
  }
}

final class ValueLossTests: XCTestCase {
  let h = 1e-6
  let tol = 1e-6  // see SurrogateLossTests

  func testUnclippedIsSquaredErrorWithoutHalf() {
    let l = valueLoss(value: 3, oldValue: 0, target: 1, clipEpsilon: nil)
    XCTAssertEqual(l.loss, 4)  // exact
    XCTAssertEqual(l.derivative, 4)  // 2(V − target), exact
  }

  func testDerivativeMatchesFiniteDifferencesAwayFromKinks() {
    var rng = Xoshiro256(seed: 21)
    var checked = 0
    for _ in 0..<500 {
      let old = rng.uniform(-2, 2)
      let v = old + rng.uniform(-0.6, 0.6)
      let target = rng.uniform(-2, 2)
      let eps = 0.2
      let vc = old + min(max(v - old, -eps), eps)
      // Away from the clip bounds and from ties between the branches.
      if abs(abs(v - old) - eps) < 1e-3 || abs(abs(v - target) - abs(vc - target)) < 1e-3 { continue }
      let l = valueLoss(value: v, oldValue: old, target: target, clipEpsilon: eps)
      let f = { (x: Double) in valueLoss(value: x, oldValue: old, target: target, clipEpsilon: eps).loss }
      XCTAssertEqual(l.derivative, (f(v + h) - f(v - h)) / (2 * h), accuracy: tol)
      XCTAssertEqual(l.loss, max((v - target) * (v - target), (vc - target) * (vc - target)), accuracy: 1e-12)
      checked += 1
    }
    XCTAssertGreaterThan(checked, 300)
  }

  func testClipZeroesGradientWhereItBinds() {
    // old 0, eps 0.2, V = 1 (clipped to 0.2), target 2: the clipped error (1.8²)
    // is the larger → the max picks the clipped branch, whose gradient is 0.
    let l = valueLoss(value: 1, oldValue: 0, target: 2, clipEpsilon: 0.2)
    XCTAssertEqual(l.loss, 1.8 * 1.8, accuracy: 1e-12)
    XCTAssertEqual(l.derivative, 0)
    // Same V, target −1: the unclipped error is the larger → full gradient 2(V − t) = 4.
    let u = valueLoss(value: 1, oldValue: 0, target: -1, clipEpsilon: 0.2)
    XCTAssertEqual(u.loss, 4, accuracy: 1e-12)
    XCTAssertEqual(u.derivative, 4, accuracy: 1e-12)
  }

  func testMaskedBatchMean() {
    let values = [1.0, 2.0, 3.0]
    let targets = [0.0, 0.0, 0.0]
    let all = meanValueLoss(values: values, oldValues: values, targets: targets, clipEpsilon: nil)
    XCTAssertEqual(all.loss, 14.0 / 3, accuracy: 1e-12)
    XCTAssertEqual(all.derivatives[2], 6.0 / 3, accuracy: 1e-12)
    let masked = meanValueLoss(values: values, oldValues: values, targets: targets, clipEpsilon: nil, include: [true, false, true])
    XCTAssertEqual(masked.loss, 10.0 / 2, accuracy: 1e-12)
    XCTAssertEqual(masked.derivatives, [1, 0, 3])  // 2V/2, exact
    let none = meanValueLoss(values: values, oldValues: values, targets: targets, clipEpsilon: nil, include: [false, false, false])
    XCTAssertEqual(none.loss, 0)
    XCTAssertEqual(none.derivatives, [0, 0, 0])
  }
}

final class GradientClippingTests: XCTestCase {
  func testScalesToMaxNormLikePyTorch() {
    var g = [3.0, 4.0]  // norm 5
    let total = clipGradientNorm(&g, maxNorm: 1)
    XCTAssertEqual(total, 5)  // exact
    let coef = 1 / (5 + 1e-6)
    XCTAssertEqual(g[0], 3 * coef, accuracy: 1e-15)
    XCTAssertEqual(g[1], 4 * coef, accuracy: 1e-15)
    // The clipped norm is just under maxNorm (by ≈ 2e-7 here).
    XCTAssertEqual(dot(g, g).squareRoot(), 1, accuracy: 1e-6)
    XCTAssertLessThan(dot(g, g).squareRoot(), 1)
  }

  func testLeavesSmallGradientUnchanged() {
    var g = [0.3, -0.4]
    let total = clipGradientNorm(&g, maxNorm: 1)
    XCTAssertEqual(total, 0.5, accuracy: 1e-15)
    XCTAssertEqual(g, [0.3, -0.4])  // exact: untouched
    var z = [0.0, 0.0]
    clipGradientNorm(&z, maxNorm: 0.5)
    XCTAssertEqual(z, [0, 0])
  }
}

final class NonFiniteTests: XCTestCase {
  func testFindsAndNamesFirstNonFinite() {
    XCTAssertNil(firstNonFinite([1, 2, 3], name: "x"))
    let bad = firstNonFinite([1, .infinity, .nan], name: "policy parameters")
    XCTAssertEqual(bad, NonFiniteValue(name: "policy parameters", index: 1, value: .infinity))
    XCTAssertEqual(bad?.description, "policy parameters[1] is +inf")
    XCTAssertEqual(firstNonFinite([0, -.infinity], name: "obs")?.description, "obs[1] is -inf")
    let named = firstNonFinite([(name: "loss", values: [0.5]), (name: "observation", values: [1, .nan]), (name: "value", values: [.nan])])
    XCTAssertEqual(named?.description, "observation[1] is nan")
    XCTAssertEqual(named?.index, 1)
  }
}
