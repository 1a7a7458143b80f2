import XCTest
import NeuralNet
import ReproRandom

/// The C kernels (CKernels) give the same bits as the Swift loops they replace in
/// `Float`, at every level this CPU has (baseline x86-64, AVX2, AVX-512F): a
/// network's outputs, parameter gradients, input gradients and Jacobian-vector
/// products, and Adam's steps, are compared bit for bit. Shapes cover every path of the kernels:
/// output counts below, at and above the 16-lane vector (1, 3, 16, 17, 64) and
/// batches that are and are not multiples of the 4-sample tile, with inputs
/// large enough to reach tanh's clamp.
final class KernelTests: XCTestCase {
  let shapes: [[Int]] = [[11, 64, 64, 3], [348, 64, 64, 17], [5, 17, 1], [3, 16, 33], [7, 1, 64]]
  let batches = [1, 3, 4, 7, 64]

  /// Forward, backward and JVP of one network on one batch, as raw bits.
  func bits(_ sizes: [Int], _ activation: Activation, batch: Int) -> [UInt32] {
    let net = MLP<Float>(sizes: sizes, activation: activation)
    var rng = Xoshiro256(seed: UInt64(sizes.reduce(0, +) * 131 + batch), stream: "kernel-test")
    net.initializePyTorchDefault(rng: &rng)
    for i in 0..<net.parameterCount { net.parameters[i] *= 3 }
    let x = (0..<batch * sizes[0]).map { _ in Float(4 * rng.nextNormal()) }
    let g = (0..<batch * sizes.last!).map { _ in Float(rng.nextNormal()) }
    let d = (0..<net.parameterCount).map { _ in Float(rng.nextNormal()) }
    net.zeroGradients()
    let y = net.forward(x, batch: batch)
    let dx = net.backward(g)
    let jv = net.jvp(x, batch: batch, direction: d)
    return (y + net.gradientArray + dx + jv).map(\.bitPattern)
  }

  func testEveryLevelGivesTheBitsOfTheSwiftLoops() {
    let chosen = kernelLevel
    defer { useCKernels = true; selectKernelLevel(chosen) }
    var reference: [[UInt32]] = []
    useCKernels = false
    for sizes in shapes { for a in [Activation.tanh, .relu] { for b in batches { reference.append(bits(sizes, a, batch: b)) } } }
    XCTAssert(reference.allSatisfy { !$0.isEmpty })
    useCKernels = true
    var levels: [String] = []
    for level in ["baseline", "avx2", "avx512f"] where selectKernelLevel(level) {
      XCTAssertEqual(kernelLevel, level)
      levels.append(level)
      var i = 0
      for sizes in shapes {
        for a in [Activation.tanh, .relu] {
          for b in batches {
            let got = bits(sizes, a, batch: b)
            let diff = zip(got, reference[i]).filter { $0 != $1 }.count
            XCTAssertEqual(diff, 0, "\(level) \(sizes) \(a) batch \(b): \(diff) of \(got.count) values differ")
            i += 1
          }
        }
      }
    }
    XCTAssert(levels.contains("baseline"), "the baseline kernels must always be available")
    XCTAssertFalse(selectKernelLevel("sse9"), "an unknown level is refused")
    print("KernelTests: checked levels \(levels)")
  }

  /// Five Adam steps on `n` parameters (moments, parameters), as raw bits.
  func adamBits(_ n: Int) -> [UInt32] {
    var rng = Xoshiro256(seed: UInt64(n), stream: "adam-kernel-test")
    var p = (0..<n).map { _ in Float(rng.nextNormal()) }
    var adam = Adam<Float>(parameterCount: n)
    for step in 0..<5 {
      let g = (0..<n).map { i in Float(rng.nextNormal() * (i % 7 == 0 ? 1e-6 : 3)) }
      adam.update(parameters: &p, gradients: g, learningRate: 3e-4 * Double(step + 1))
    }
    return (p + adam.firstMoment + adam.secondMoment).map(\.bitPattern)
  }

  func testAdamAtEveryLevelGivesTheBitsOfTheSwiftLoop() {
    let chosen = kernelLevel
    defer { useCKernels = true; selectKernelLevel(chosen) }
    let sizes = [1, 15, 16, 17, 100, 4675]
    useCKernels = false
    let reference = sizes.map(adamBits)
    useCKernels = true
    for level in ["baseline", "avx2", "avx512f"] where selectKernelLevel(level) {
      for (n, r) in zip(sizes, reference) {
        let got = adamBits(n)
        XCTAssertEqual(got.count, r.count)
        XCTAssertEqual(zip(got, r).filter { $0 != $1 }.count, 0, "Adam at \(level), \(n) parameters")
      }
    }
  }
}
