/// Seeded pseudo-random numbers for Repro.
///
/// Algorithm: xoshiro256** (Blackman & Vigna, 2018) for the stream itself; its
/// 256-bit state is filled from a 64-bit seed with SplitMix64, as the authors of
/// xoshiro recommend. Independent streams per purpose (initialisation, reset
/// noise, action sampling, minibatch order, bootstrap, ...) are derived from one
/// run seed and a purpose name by hashing the name with FNV-1a 64 and mixing it
/// with the seed through SplitMix64, so adding a stream never shifts another.
///
/// Everything is integer arithmetic except `nextDouble` (a 53-bit mantissa
/// scaled by 2^-53) and `nextNormal` (Box–Muller on libm's log/sin/cos), so
/// the same seed on the same binary gives the same bits.
public struct Xoshiro256: RandomNumberGenerator, Sendable, Equatable {
  public private(set) var state: (UInt64, UInt64, UInt64, UInt64)
  /// The second Box–Muller variate, kept for the next `nextNormal` call.
  private var spareNormal: Double?

  /// A generator seeded from one 64-bit value through SplitMix64.
  public init(seed: UInt64) {
    var sm = SplitMix64(state: seed)
    state = (sm.next(), sm.next(), sm.next(), sm.next())
    if state == (0, 0, 0, 0) { state.0 = 1 }  // the one forbidden state
    spareNormal = nil
  }

  /// An independent stream for `purpose` under a run `seed`.
  public init(seed: UInt64, stream purpose: String) {
    var sm = SplitMix64(state: seed ^ fnv1a64(purpose))
    self.init(seed: sm.next())
  }

  public static func == (a: Xoshiro256, b: Xoshiro256) -> Bool {
    a.state == b.state && a.spareNormal == b.spareNormal
  }

  @inlinable @inline(__always)
  static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

  public mutating func next() -> UInt64 {
    let result = Xoshiro256.rotl(state.1 &* 5, 7) &* 9
    let t = state.1 << 17
    state.2 ^= state.0
    state.3 ^= state.1
    state.1 ^= state.2
    state.0 ^= state.3
    state.2 ^= t
    state.3 = Xoshiro256.rotl(state.3, 45)
    return result
  }

  /// Uniform in [0, 1) with 53 random bits.
  public mutating func nextDouble() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  /// Uniform in [low, high).
  public mutating func uniform(_ low: Double, _ high: Double) -> Double {
    low + (high - low) * nextDouble()
  }

  /// Uniform integer in 0..<n (Lemire's nearly-divisionless method, unbiased).
  public mutating func nextInt(below n: Int) -> Int {
    precondition(n > 0, "nextInt(below:) needs a positive bound")
    let bound = UInt64(n)
    var m = next().multipliedFullWidth(by: bound)
    if m.low < bound {
      let threshold = (0 &- bound) % bound
      while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
    }
    return Int(m.high)
  }

  /// Standard normal variate (Box–Muller; pairs are used in order).
  public mutating func nextNormal() -> Double {
    if let z = spareNormal {
      spareNormal = nil
      return z
    }
    var u1 = nextDouble()
    while u1 == 0 { u1 = nextDouble() }
    let u2 = nextDouble()
    let r = (-2.0 * _log(u1)).squareRoot()
    let theta = 2.0 * Double.pi * u2
    spareNormal = r * _sin(theta)
    return r * _cos(theta)
  }

  /// Fisher–Yates shuffle of `0..<n` into a fresh array.
  public mutating func permutation(_ n: Int) -> [Int] {
    var p = Array(0..<n)
    shuffleInPlace(&p)
    return p
  }

  /// Fisher–Yates shuffle using only this generator (not the standard library's
  /// algorithm, whose details are not specified and may change between releases).
  public mutating func shuffleInPlace<T>(_ a: inout [T]) {
    if a.count < 2 { return }
    for i in stride(from: a.count - 1, to: 0, by: -1) {
      let j = nextInt(below: i + 1)
      if i != j { a.swapAt(i, j) }
    }
  }
}

/// SplitMix64 (Steele, Lea & Flood, 2014), used to seed xoshiro256**.
public struct SplitMix64: Sendable {
  public var state: UInt64
  public init(state: UInt64) { self.state = state }
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// FNV-1a, 64-bit, over the UTF-8 bytes of `s`.
public func fnv1a64(_ s: String) -> UInt64 {
  var h: UInt64 = 0xCBF2_9CE4_8422_2325
  for b in s.utf8 {
    h ^= UInt64(b)
    h = h &* 0x0000_0100_0000_01B3
  }
  return h
}

#if canImport(Glibc)
import Glibc
@inline(__always) func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) func _sin(_ x: Double) -> Double { Glibc.sin(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#else
import Foundation
@inline(__always) func _log(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) func _sin(_ x: Double) -> Double { Foundation.sin(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Foundation.cos(x) }
#endif
