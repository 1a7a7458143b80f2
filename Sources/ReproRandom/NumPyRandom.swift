/// NumPy's seeding and default bit generator, bit for bit, so that a Swift task can
/// reproduce Gymnasium's `env.reset(seed=s)`.
///
/// Gymnasium (`gymnasium.utils.seeding.np_random(seed)`) builds
/// `np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))`, as
/// `np.random.default_rng(seed)` does. This file is that chain for a non-negative
/// integer seed: `SeedSequence` (NumPy's hash-based entropy mixer, pool of four
/// 32-bit words), `PCG64` (128-bit LCG with the XSL-RR output, seeded from four
/// 64-bit words of the sequence) and the `Generator` draws the MuJoCo tasks'
/// resets make: `random()`, `uniform(low, high)` and `standard_normal()` (NumPy's
/// 256-step ziggurat, whose tables `NumPyZigguratTables.swift` holds as NumPy's own
/// bits). Tested against NumPy 2.x's output for many seeds
/// (`NumPyRandomTests`, fixture written by `make numpy-random-fixture`).

/// NumPy's `SeedSequence` for an integer entropy with no spawn key (pool size 4).
public struct NumPySeedSequence: Sendable, Equatable {
  /// The mixed entropy pool (four 32-bit words).
  public private(set) var pool: [UInt32]

  static let initA: UInt32 = 0x43b0_d7e5
  static let multA: UInt32 = 0x931e_8875
  static let initB: UInt32 = 0x8b51_f9dd
  static let multB: UInt32 = 0x58f3_8ded
  static let mixMultL: UInt32 = 0xca01_f9dd
  static let mixMultR: UInt32 = 0x4973_f715
  static let poolSize = 4

  /// `SeedSequence(seed)`: the seed as little-endian 32-bit words (0 is one zero word).
  public init(_ seed: UInt64) {
    var words: [UInt32] = []
    var n = seed
    while n > 0 {
      words.append(UInt32(truncatingIfNeeded: n))
      n >>= 32
    }
    if words.isEmpty { words = [0] }
    self.init(entropyWords: words)
  }

  /// `SeedSequence` over an entropy already split into 32-bit words (least significant first).
  public init(entropyWords entropy: [UInt32]) {
    var hashConst = NumPySeedSequence.initA
    func hashmix(_ value: UInt32) -> UInt32 {
      var v = value ^ hashConst
      hashConst = hashConst &* NumPySeedSequence.multA
      v = v &* hashConst
      v ^= v >> 16
      return v
    }
    func mix(_ x: UInt32, _ y: UInt32) -> UInt32 {
      var r = (NumPySeedSequence.mixMultL &* x) &- (NumPySeedSequence.mixMultR &* y)
      r ^= r >> 16
      return r
    }
    var mixer = [UInt32](repeating: 0, count: NumPySeedSequence.poolSize)
    for i in 0..<mixer.count { mixer[i] = hashmix(i < entropy.count ? entropy[i] : 0) }
    for src in 0..<mixer.count {
      for dst in 0..<mixer.count where src != dst {
        mixer[dst] = mix(mixer[dst], hashmix(mixer[src]))
      }
    }
    if entropy.count > mixer.count {
      for src in mixer.count..<entropy.count {
        for dst in 0..<mixer.count { mixer[dst] = mix(mixer[dst], hashmix(entropy[src])) }
      }
    }
    pool = mixer
  }

  /// `generate_state(n, np.uint32)`.
  public func generateState32(_ n: Int) -> [UInt32] {
    var hashConst = NumPySeedSequence.initB
    var out: [UInt32] = []
    out.reserveCapacity(n)
    for i in 0..<n {
      var v = pool[i % pool.count] ^ hashConst
      hashConst = hashConst &* NumPySeedSequence.multB
      v = v &* hashConst
      v ^= v >> 16
      out.append(v)
    }
    return out
  }

  /// `generate_state(n, np.uint64)`: pairs of 32-bit words, low word first.
  public func generateState64(_ n: Int) -> [UInt64] {
    let w = generateState32(2 * n)
    return (0..<n).map { UInt64(w[2 * $0]) | (UInt64(w[2 * $0 + 1]) << 32) }
  }
}

/// NumPy's `PCG64` (PCG XSL-RR 128/64; not PCG64DXSM).
public struct NumPyPCG64: Sendable, Equatable {
  public private(set) var state: UInt128
  public let increment: UInt128
  static let multiplier: UInt128 = (UInt128(0x2360_ED05_1FC6_5DA4) << 64) | UInt128(0x4385_DF64_9FCC_F645)

  /// `PCG64(seed_sequence)`: four 64-bit words; state from the first two, stream from the last two
  /// (each pair high word first, as NumPy's `pcg64_set_seed` composes them).
  public init(_ seeds: NumPySeedSequence) {
    let w = seeds.generateState64(4)
    self.init(initState: (UInt128(w[0]) << 64) | UInt128(w[1]),
              initSequence: (UInt128(w[2]) << 64) | UInt128(w[3]))
  }

  /// PCG's `srandom_r(initstate, initseq)`.
  public init(initState: UInt128, initSequence: UInt128) {
    state = 0
    increment = (initSequence << 1) | 1
    step()
    state &+= initState
    step()
  }

  /// A generator at a given internal state (for tests that replay NumPy's `bit_generator.state`).
  public init(state: UInt128, increment: UInt128) {
    self.state = state
    self.increment = increment
  }

  @inline(__always) mutating func step() {
    state = state &* NumPyPCG64.multiplier &+ increment
  }

  /// The next 64-bit output (`bit_generator.random_raw()`): advance, then XSL-RR.
  public mutating func next() -> UInt64 {
    step()
    let hi = UInt64(truncatingIfNeeded: state >> 64), lo = UInt64(truncatingIfNeeded: state)
    let rot = UInt64(truncatingIfNeeded: state >> 122)
    let x = hi ^ lo
    return (x >> rot) | (x << ((64 &- rot) & 63))
  }
}

/// `np.random.Generator(PCG64(SeedSequence(seed)))`: the draws Gymnasium's MuJoCo resets make.
public struct NumPyGenerator: Sendable, Equatable {
  public private(set) var bitGenerator: NumPyPCG64

  /// `np.random.default_rng(seed)`, i.e. `gymnasium.utils.seeding.np_random(seed)[0]`.
  public init(seed: UInt64) {
    bitGenerator = NumPyPCG64(NumPySeedSequence(seed))
  }

  public init(bitGenerator: NumPyPCG64) { self.bitGenerator = bitGenerator }

  /// `random_raw()`.
  public mutating func nextRaw() -> UInt64 { bitGenerator.next() }

  /// `random()`: 53 bits scaled by 2^-53, in [0, 1).
  public mutating func nextDouble() -> Double {
    Double(bitGenerator.next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
  }

  /// `uniform(low, high)`: low + (high - low) * random(), in that order of operations.
  public mutating func uniform(_ low: Double, _ high: Double) -> Double {
    let range = high - low
    return low + range * nextDouble()
  }

  /// `uniform(low, high, size=n)`: n draws in order.
  public mutating func uniform(_ low: Double, _ high: Double, count: Int) -> [Double] {
    (0..<count).map { _ in uniform(low, high) }
  }

  /// `standard_normal()`: NumPy's ziggurat (`random_standard_normal` in distributions.c).
  public mutating func standardNormal() -> Double {
    while true {
      var r = bitGenerator.next()
      let idx = Int(r & 0xff)
      r >>= 8
      let sign = r & 0x1
      let rabs = (r >> 1) & 0x000f_ffff_ffff_ffff
      var x = Double(rabs) * NumPyZiggurat.wi[idx]
      if sign & 0x1 != 0 { x = -x }
      if rabs < NumPyZiggurat.ki[idx] { return x }  // about 99.3% of draws
      if idx == 0 {
        while true {
          let xx = -NumPyZiggurat.inverseR * _log1p(-nextDouble())
          let yy = -_log1p(-nextDouble())
          if yy + yy > xx * xx {
            return ((rabs >> 8) & 0x1) != 0 ? -(NumPyZiggurat.r + xx) : NumPyZiggurat.r + xx
          }
        }
      } else {
        let fi = NumPyZiggurat.fi
        if (fi[idx - 1] - fi[idx]) * nextDouble() + fi[idx] < _exp(-0.5 * x * x) { return x }
      }
    }
  }

  /// `standard_normal(size=n)`: n draws in order.
  public mutating func standardNormal(count: Int) -> [Double] {
    (0..<count).map { _ in standardNormal() }
  }
}

#if canImport(Glibc)
import Glibc
@inline(__always) func _log1p(_ x: Double) -> Double { Glibc.log1p(x) }
@inline(__always) func _exp(_ x: Double) -> Double { Glibc.exp(x) }
#else
import Foundation
@inline(__always) func _log1p(_ x: Double) -> Double { Foundation.log1p(x) }
@inline(__always) func _exp(_ x: Double) -> Double { Foundation.exp(x) }
#endif
