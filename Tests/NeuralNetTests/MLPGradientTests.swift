import XCTest
import NeuralNet
import ReproRandom

/// Backpropagation, JVP and Jᵀu of the MLP, checked in `Double` (the kernels
/// are generic over the scalar, so this checks the very code `Float` runs).
/// Shapes deliberately avoid multiples of the SIMD width and of the 4-sample
/// tile (7 samples, widths 5/13/9/2) to exercise every remainder path, and the
/// production shape 11-64-64-3 is checked too.
final class MLPGradientTests: XCTestCase {
  func makeNet(_ sizes: [Int], _ activation: Activation, seed: UInt64) -> MLP<Double> {
    let net = MLP<Double>(sizes: sizes, activation: activation)
    var rng = Xoshiro256(seed: seed, stream: "test-init")
    net.initializePyTorchDefault(rng: &rng)
    // Larger weights than the default so that tanh saturates a little.
    for i in 0..<net.parameterCount { net.parameters[i] *= 1.5 }
    return net
  }

  /// L = Σ c ⊙ y, so dL/dy = c.
  func loss(_ net: MLP<Double>, _ x: [Double], _ batch: Int, _ c: [Double]) -> Double {
    dot(net.forward(x, batch: batch), c)
  }

  func checkBackprop(_ sizes: [Int], _ activation: Activation, batch: Int, seed: UInt64) {
    let net = makeNet(sizes, activation, seed: seed)
    var rng = Xoshiro256(seed: seed, stream: "test-data")
    let x = normals(batch * sizes[0], &rng)
    let c = normals(batch * sizes.last!, &rng)
    net.zeroGradients()
    _ = net.forward(x, batch: batch)
    let dx = net.backward(c)
    let g = net.gradientArray
    // Every parameter.
    for i in 0..<net.parameterCount {
      let p0 = net.parameters[i]
      net.parameters[i] = p0 + fdStep
      let lp = loss(net, x, batch, c)
      net.parameters[i] = p0 - fdStep
      let lm = loss(net, x, batch, c)
      net.parameters[i] = p0
      assertClose((lp - lm) / (2 * fdStep), g[i], "parameter \(i) \(sizes) \(activation)")
    }
    // Every input.
    for i in 0..<x.count {
      var xp = x, xm = x
      xp[i] += fdStep; xm[i] -= fdStep
      let fd = (loss(net, xp, batch, c) - loss(net, xm, batch, c)) / (2 * fdStep)
      assertClose(fd, dx[i], "input \(i) \(sizes) \(activation)")
    }
  }

  func testBackpropTanhMatchesFiniteDifferences() {
    checkBackprop([5, 13, 9, 2], .tanh, batch: 7, seed: 1)
    checkBackprop([11, 64, 64, 3], .tanh, batch: 6, seed: 2)
  }

  func testBackpropReluMatchesFiniteDifferences() {
    checkBackprop([5, 13, 9, 2], .relu, batch: 7, seed: 3)
    checkBackprop([11, 64, 64, 3], .relu, batch: 5, seed: 4)
  }

  func testBackwardAccumulates() {
    // Two backward passes without zeroing give exactly twice one pass
    // (x + x = 2x is exact in floating point).
    let net = makeNet([5, 13, 9, 2], .tanh, seed: 5)
    var rng = Xoshiro256(seed: 5, stream: "test-data")
    let x = normals(7 * 5, &rng), c = normals(7 * 2, &rng)
    net.zeroGradients()
    _ = net.forward(x, batch: 7)
    net.backward(c)
    let once = net.gradientArray
    net.backward(c)
    XCTAssertEqual(net.gradientArray, once.map { 2 * $0 })
  }

  func testJVPMatchesFiniteDifferences() {
    for (sizes, activation) in [([5, 13, 9, 2], Activation.tanh), ([11, 64, 64, 3], .tanh), ([5, 13, 9, 2], .relu)] {
      let net = makeNet(sizes, activation, seed: 6)
      var rng = Xoshiro256(seed: 6, stream: "test-data")
      let batch = 7
      let x = normals(batch * sizes[0], &rng)
      let v = normals(net.parameterCount, &rng)
      let jv = net.jvp(x, batch: batch, direction: v)
      let p0 = net.parameterArray
      net.parameterArray = zip(p0, v).map { $0 + fdStep * $1 }
      let yp = net.forward(x, batch: batch)
      net.parameterArray = zip(p0, v).map { $0 - fdStep * $1 }
      let ym = net.forward(x, batch: batch)
      net.parameterArray = p0
      for i in 0..<jv.count {
        assertClose((yp[i] - ym[i]) / (2 * fdStep), jv[i], "output \(i) \(sizes) \(activation)")
      }
    }
  }

  func testBackwardIsTransposeOfJVP() {
    // Adjoint identity ⟨u, J v⟩ = ⟨Jᵀu, v⟩ with Jᵀu from `backward`. Both
    // sides are sums of ~10⁴ products of O(1) terms, so rounding is ~1e-12;
    // the tolerance 1e-9 relative is far below any real mismatch.
    let net = makeNet([11, 64, 64, 3], .tanh, seed: 7)
    var rng = Xoshiro256(seed: 7, stream: "test-data")
    let batch = 9
    let x = normals(batch * 11, &rng)
    let v = normals(net.parameterCount, &rng)
    let u = normals(batch * 3, &rng)
    let jv = net.jvp(x, batch: batch, direction: v)
    net.zeroGradients()
    net.backward(u)  // activations of jvp's forward pass are reused
    let jtu = net.gradientArray
    let lhs = dot(u, jv), rhs = dot(jtu, v)
    XCTAssertEqual(lhs, rhs, accuracy: 1e-9 * max(1, abs(lhs)))
  }

  func testPredictEqualsBatchForwardBitForBit() {
    // Same arithmetic in the same order: identical bits, Float and Double.
    var rng = Xoshiro256(seed: 8, stream: "test-data")
    let net = MLP<Float>(sizes: [11, 64, 64, 3], activation: .tanh)
    net.initializeOrthogonal(gains: [Double(2).squareRoot(), Double(2).squareRoot(), 0.01], rng: &rng)
    let batch = 10
    let x = normals(batch * 11, &rng).map { Float($0) }
    let y = net.forward(x, batch: batch)
    for b in 0..<batch {
      XCTAssertEqual(net.predict(Array(x[(b * 11)..<((b + 1) * 11)])), Array(y[(b * 3)..<((b + 1) * 3)]))
    }
  }

  func testFloatMatchesDouble() {
    // The Float network (fast rational tanh) against the Double one (libm
    // tanh) with identical parameters: Float rounding (~6e-8 relative per
    // operation) over 64-term sums of O(1) values gives errors ~1e-6; we
    // allow 2e-5 absolute on outputs and on gradients of O(1) size.
    var rng = Xoshiro256(seed: 9, stream: "test-init")
    let nd = MLP<Double>(sizes: [11, 64, 64, 3], activation: .tanh)
    nd.initializePyTorchDefault(rng: &rng)
    let nf = MLP<Float>(sizes: [11, 64, 64, 3], activation: .tanh)
    nf.parameterArray = nd.parameterArray.map { Float($0) }
    let batch = 64
    let x = normals(batch * 11, &rng)
    let c = normals(batch * 3, &rng)
    let yd = nd.forward(x, batch: batch)
    let yf = nf.forward(x.map { Float($0) }, batch: batch)
    for i in 0..<yd.count { XCTAssertEqual(Double(yf[i]), yd[i], accuracy: 2e-5) }
    nd.zeroGradients(); nf.zeroGradients()
    nd.backward(c)
    nf.backward(c.map { Float($0) })
    let gd = nd.gradientArray, gf = nf.gradientArray
    for i in 0..<gd.count { XCTAssertEqual(Double(gf[i]), gd[i], accuracy: 2e-5 * max(1, abs(gd[i]))) }
  }

  func testLayoutOffsets() {
    let net = MLP<Float>(sizes: [11, 64, 64, 3], activation: .tanh, extraParameters: 3)
    XCTAssertEqual(net.networkParameterCount, 11 * 64 + 64 + 64 * 64 + 64 + 64 * 3 + 3)
    XCTAssertEqual(net.parameterCount, net.networkParameterCount + 3)
    XCTAssertEqual(net.weightOffset(layer: 0), 0)
    XCTAssertEqual(net.biasOffset(layer: 0), 704)
    XCTAssertEqual(net.weightOffset(layer: 1), 768)
    XCTAssertEqual(net.biasOffset(layer: 2), net.networkParameterCount - 3)
  }
}
