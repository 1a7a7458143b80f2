#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// The floating-point types the networks can compute in: `Float` (production)
/// and `Double` (reference precision, used by the finite-difference tests).
///
/// Each scalar names the SIMD vector the kernels use (`Vector`, 32 bytes: two
/// SSE registers on baseline x86-64) and supplies `tanh`, `exp` and `log`.
public protocol NNScalar: BinaryFloatingPoint, SIMDScalar, Sendable, Codable {
  /// The SIMD vector used by the kernels (`SIMD8<Float>`, `SIMD4<Double>`).
  associatedtype Vector: SIMD where Vector.Scalar == Self
  /// Elementwise tanh; must equal `tanhScalar` lane by lane, bit for bit.
  static func tanhVector(_ x: Vector) -> Vector
  /// tanh of one value (see `Float.fastTanh` for the `Float` version's accuracy).
  static func tanhScalar(_ x: Self) -> Self
  /// Elementwise max(x, 0), computed as ½(x + |x|) (exact) with |x| by
  /// clearing the sign bit: no lane masks, which Swift's SIMD comparisons do
  /// not reliably vectorise.
  static func reluVector(_ x: Vector) -> Vector
  /// Elementwise g where a > 0 else 0, for post-ReLU values a ≥ 0 (bit mask
  /// from the sign of 0 − bits(a)).
  static func reluGradientVector(_ g: Vector, activated a: Vector) -> Vector
  /// Natural exponential.
  static func nnExp(_ x: Self) -> Self
  /// Natural logarithm.
  static func nnLog(_ x: Self) -> Self
}

extension Float: NNScalar {
  public typealias Vector = SIMD8<Float>

  /// Clamp bound: beyond ±7.90531110763549805 tanh rounds to ±1 in `Float`.
  @usableFromInline static let tanhClamp: Float = 7.90531110763549805

  /// Fast, deterministic tanh: the odd 13/6 rational minimax approximation
  /// used by Eigen, XLA and ONNX Runtime (MLAS), evaluated in `Float` with
  /// separate multiplies and adds (no FMA), input clamped to ±7.9053.
  ///
  /// Near 0 it returns x·α₁/β₀ = x·(1 − 1.3·10⁻⁷) (≈ 2 ulps; Eigen returns x
  /// below 4·10⁻⁴, but a lane mask costs more than it is worth here: Swift's
  /// SIMD comparisons combined with `.&` are scalarised). Below |x| ≈ 2·10⁻³⁶
  /// x·α₁ is subnormal, so the relative error grows there (absolute < 10⁻⁴⁰).
  ///
  /// Accuracy (measured by `testFastTanhAccuracy` against libm's `tanh` in
  /// `Double` on 2·10⁶ points of [−10, 10] plus tiny arguments): maximum
  /// relative error 4.0·10⁻⁷ and maximum absolute error 4.0·10⁻⁷, both at
  /// |x| ≈ 5.8 where tanh ≈ 1 (7 `Float` ulps there; ≤ 2 ulps for |x| < 1).
  /// Pure IEEE arithmetic (no FMA, no libm): same bits on every x86-64
  /// machine. Vectorised, it costs a few ns per 8 values, against ~8 ns per
  /// value for glibc's `tanh`.
  @inlinable @inline(__always)
  public static func fastTanh(_ v: Float) -> Float {
    var x = v
    if x > tanhClamp { x = tanhClamp }
    if x < -tanhClamp { x = -tanhClamp }
    let x2 = x * x
    var p: Float = -2.76076847742355e-16
    p = p * x2 + 2.00018790482477e-13
    p = p * x2 + -8.60467152213735e-11
    p = p * x2 + 5.12229709037114e-08
    p = p * x2 + 1.48572235717979e-05
    p = p * x2 + 6.37261928875436e-04
    p = p * x2 + 4.89352455891786e-03
    p = p * x
    var q: Float = 1.19825839466702e-06
    q = q * x2 + 1.18534705686654e-04
    q = q * x2 + 2.26843463243900e-03
    q = q * x2 + 4.89352518554385e-03
    return p / q
  }

  /// `fastTanh` on eight lanes; identical to it lane by lane.
  @inlinable @inline(__always)
  public static func fastTanh(_ v: SIMD8<Float>) -> SIMD8<Float> {
    // Mask selects, not pointwiseMin/Max (which the stdlib scalarises because
    // of their NaN rules); this form compiles to cmpltps/and/andn/or.
    let hi = SIMD8<Float>(repeating: tanhClamp), lo = SIMD8<Float>(repeating: -tanhClamp)
    var x = v.replacing(with: hi, where: v .> hi)
    x = x.replacing(with: lo, where: x .< lo)
    let x2 = x * x
    var p = SIMD8<Float>(repeating: -2.76076847742355e-16)
    p = p * x2 + SIMD8(repeating: 2.00018790482477e-13)
    p = p * x2 + SIMD8(repeating: -8.60467152213735e-11)
    p = p * x2 + SIMD8(repeating: 5.12229709037114e-08)
    p = p * x2 + SIMD8(repeating: 1.48572235717979e-05)
    p = p * x2 + SIMD8(repeating: 6.37261928875436e-04)
    p = p * x2 + SIMD8(repeating: 4.89352455891786e-03)
    p = p * x
    var q = SIMD8<Float>(repeating: 1.19825839466702e-06)
    q = q * x2 + SIMD8(repeating: 1.18534705686654e-04)
    q = q * x2 + SIMD8(repeating: 2.26843463243900e-03)
    q = q * x2 + SIMD8(repeating: 4.89352518554385e-03)
    return p / q
  }

  @inlinable @inline(__always)
  public static func tanhVector(_ x: SIMD8<Float>) -> SIMD8<Float> { fastTanh(x) }
  @inlinable @inline(__always)
  public static func tanhScalar(_ x: Float) -> Float { fastTanh(x) }
  @inlinable @inline(__always)
  public static func reluVector(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let magnitude = unsafeBitCast(unsafeBitCast(x, to: SIMD8<UInt32>.self) & SIMD8(repeating: 0x7fff_ffff), to: SIMD8<Float>.self)
    return 0.5 * (x + magnitude)
  }
  @inlinable @inline(__always)
  public static func reluGradientVector(_ g: SIMD8<Float>, activated a: SIMD8<Float>) -> SIMD8<Float> {
    let mask = (SIMD8<Int32>() &- unsafeBitCast(a, to: SIMD8<Int32>.self)) &>> 31
    return unsafeBitCast(unsafeBitCast(g, to: SIMD8<Int32>.self) & mask, to: SIMD8<Float>.self)
  }
  @inlinable @inline(__always)
  public static func nnExp(_ x: Float) -> Float { expf(x) }
  @inlinable @inline(__always)
  public static func nnLog(_ x: Float) -> Float { logf(x) }
}

extension Double: NNScalar {
  public typealias Vector = SIMD4<Double>

  /// libm's tanh lane by lane: accurate (≤ 1 ulp) but slow; `Double` is the
  /// reference precision, not the production one.
  @inlinable @inline(__always)
  public static func tanhVector(_ x: SIMD4<Double>) -> SIMD4<Double> {
    SIMD4(tanh(x[0]), tanh(x[1]), tanh(x[2]), tanh(x[3]))
  }
  @inlinable @inline(__always)
  public static func tanhScalar(_ x: Double) -> Double { tanh(x) }
  @inlinable @inline(__always)
  public static func reluVector(_ x: SIMD4<Double>) -> SIMD4<Double> {
    let magnitude = unsafeBitCast(unsafeBitCast(x, to: SIMD4<UInt64>.self) & SIMD4(repeating: 0x7fff_ffff_ffff_ffff), to: SIMD4<Double>.self)
    return 0.5 * (x + magnitude)
  }
  @inlinable @inline(__always)
  public static func reluGradientVector(_ g: SIMD4<Double>, activated a: SIMD4<Double>) -> SIMD4<Double> {
    let mask = (SIMD4<Int64>() &- unsafeBitCast(a, to: SIMD4<Int64>.self)) &>> 63
    return unsafeBitCast(unsafeBitCast(g, to: SIMD4<Int64>.self) & mask, to: SIMD4<Double>.self)
  }
  @inlinable @inline(__always)
  public static func nnExp(_ x: Double) -> Double { exp(x) }
  @inlinable @inline(__always)
  public static func nnLog(_ x: Double) -> Double { log(x) }
}

// MARK: - Unaligned SIMD loads and stores

@inlinable @inline(__always)
func loadV<S: NNScalar>(_ p: UnsafePointer<S>) -> S.Vector {
  UnsafeRawPointer(p).loadUnaligned(as: S.Vector.self)
}

@inlinable @inline(__always)
func loadV<S: NNScalar>(_ p: UnsafeMutablePointer<S>) -> S.Vector {
  UnsafeRawPointer(p).loadUnaligned(as: S.Vector.self)
}

@inlinable @inline(__always)
func storeV<S: NNScalar>(_ v: S.Vector, _ p: UnsafeMutablePointer<S>) {
  UnsafeMutableRawPointer(p).storeBytes(of: v, as: S.Vector.self)
}
