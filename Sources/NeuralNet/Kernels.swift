// Dense-layer kernels over contiguous row-major buffers.
//
// Weight layout (one layer): input-major, `w[k * nOut + j]` connects input k to
// output j (the transpose of PyTorch's `weight[j][k]`), so that every inner
// loop runs over contiguous outputs and vectorises with `S.Vector`.
// Summation orders are fixed by the code (no threads, no reassociation by the
// compiler), so results are bit-for-bit reproducible for a given binary.
//
// In `Float` (the production scalar) the work goes to the C kernels of
// CKernels, compiled for AVX-512F, AVX2 and baseline x86-64 and chosen at load
// time: they run the same operations in the same order on every output
// element, so they give the same bits as these Swift loops (checked by
// KernelTests) on every CPU, up to several times faster. `Double` runs here.

import CKernels

/// y[b, j] = (accumulate ? y[b, j] : bias[j] or 0) + Σ_k x[b, k] · w[k, j].
@inlinable
func denseForward<S: NNScalar>(
  x: UnsafePointer<S>, batch: Int, nIn: Int,
  w: UnsafePointer<S>, bias: UnsafePointer<S>?, nOut: Int,
  y: UnsafeMutablePointer<S>, accumulate: Bool
) {
  if S.self == Float.self, useCKernels {
    repro_dense_forward_f32(
      UnsafeRawPointer(x).assumingMemoryBound(to: Float.self), batch, nIn,
      UnsafeRawPointer(w).assumingMemoryBound(to: Float.self),
      bias.map { UnsafeRawPointer($0).assumingMemoryBound(to: Float.self) }, nOut,
      UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self), accumulate ? 1 : 0)
    return
  }
  typealias V = S.Vector
  let L = V.scalarCount
  var j = 0
  while j + L <= nOut {
    let initial: V = bias.map { loadV($0 + j) } ?? V()
    var b = 0
    while b + 4 <= batch {
      let y0 = y + b * nOut + j, y1 = y0 + nOut, y2 = y1 + nOut, y3 = y2 + nOut
      var a0 = accumulate ? loadV(y0) : initial
      var a1 = accumulate ? loadV(y1) : initial
      var a2 = accumulate ? loadV(y2) : initial
      var a3 = accumulate ? loadV(y3) : initial
      var xp = x + b * nIn
      var wp = w + j
      let end = xp + nIn
      while xp < end {
        let wv: V = loadV(wp)
        a0 = a0 + V(repeating: xp[0]) * wv
        a1 = a1 + V(repeating: xp[nIn]) * wv
        a2 = a2 + V(repeating: xp[2 * nIn]) * wv
        a3 = a3 + V(repeating: xp[3 * nIn]) * wv
        xp += 1
        wp += nOut
      }
      storeV(a0, y0); storeV(a1, y1); storeV(a2, y2); storeV(a3, y3)
      b += 4
    }
    while b < batch {
      let y0 = y + b * nOut + j
      var a0 = accumulate ? loadV(y0) : initial
      let x0 = x + b * nIn
      var wp = w + j
      for k in 0..<nIn {
        a0 += V(repeating: x0[k]) * loadV(wp)
        wp += nOut
      }
      storeV(a0, y0)
      b += 1
    }
    j += L
  }
  // Remaining outputs (fewer than one vector): scalar, four samples at a time
  // so that four independent sums are in flight.
  while j < nOut {
    let initial: S = bias.map { $0[j] } ?? 0
    var b = 0
    while b + 4 <= batch {
      let x0 = x + b * nIn, x1 = x0 + nIn, x2 = x1 + nIn, x3 = x2 + nIn
      var s0 = accumulate ? y[b * nOut + j] : initial
      var s1 = accumulate ? y[(b + 1) * nOut + j] : initial
      var s2 = accumulate ? y[(b + 2) * nOut + j] : initial
      var s3 = accumulate ? y[(b + 3) * nOut + j] : initial
      var wp = w + j
      for k in 0..<nIn {
        let wk = wp.pointee
        s0 += x0[k] * wk; s1 += x1[k] * wk; s2 += x2[k] * wk; s3 += x3[k] * wk
        wp += nOut
      }
      y[b * nOut + j] = s0; y[(b + 1) * nOut + j] = s1
      y[(b + 2) * nOut + j] = s2; y[(b + 3) * nOut + j] = s3
      b += 4
    }
    while b < batch {
      let x0 = x + b * nIn
      var s0 = accumulate ? y[b * nOut + j] : initial
      var wp = w + j
      for k in 0..<nIn { s0 += x0[k] * wp.pointee; wp += nOut }
      y[b * nOut + j] = s0
      b += 1
    }
    j += 1
  }
}

/// dW[k, j] += Σ_b x[b, k] · dz[b, j];  db[j] += Σ_b dz[b, j] (if db is given).
@inlinable
func denseBackwardWeights<S: NNScalar>(
  x: UnsafePointer<S>, dz: UnsafePointer<S>, batch: Int, nIn: Int, nOut: Int,
  dW: UnsafeMutablePointer<S>, db: UnsafeMutablePointer<S>?
) {
  if S.self == Float.self, useCKernels {
    repro_dense_backward_weights_f32(
      UnsafeRawPointer(x).assumingMemoryBound(to: Float.self), UnsafeRawPointer(dz).assumingMemoryBound(to: Float.self),
      batch, nIn, nOut, UnsafeMutableRawPointer(dW).assumingMemoryBound(to: Float.self),
      db.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: Float.self) })
    return
  }
  typealias V = S.Vector
  let L = V.scalarCount
  var j = 0
  while j + L <= nOut {
    var k = 0
    // Three inputs per tile: six accumulator registers; four spilled one.
    while k + 3 <= nIn {
      var a0 = V(), a1 = V(), a2 = V()
      var xp = x + k
      var dp = dz + j
      for _ in 0..<batch {
        let d: V = loadV(dp)
        a0 += V(repeating: xp[0]) * d
        a1 += V(repeating: xp[1]) * d
        a2 += V(repeating: xp[2]) * d
        xp += nIn
        dp += nOut
      }
      let w0 = dW + k * nOut + j, w1 = w0 + nOut, w2 = w1 + nOut
      storeV(loadV(w0) + a0, w0); storeV(loadV(w1) + a1, w1); storeV(loadV(w2) + a2, w2)
      k += 3
    }
    while k < nIn {
      var a0 = V()
      var xp = x + k
      var dp = dz + j
      for _ in 0..<batch {
        a0 += V(repeating: xp.pointee) * loadV(dp)
        xp += nIn
        dp += nOut
      }
      let w0 = dW + k * nOut + j
      storeV(loadV(w0) + a0, w0)
      k += 1
    }
    if let db {
      var a = V()
      var dp = dz + j
      for _ in 0..<batch { a += loadV(dp); dp += nOut }
      storeV(loadV(db + j) + a, db + j)
    }
    j += L
  }
  // Remaining outputs: vectorise over inputs k instead.
  while j < nOut {
    var k = 0
    while k + L <= nIn {
      var a0 = V()
      var xp = x + k
      var dp = dz + j
      for _ in 0..<batch {
        a0 += loadV(xp) * V(repeating: dp.pointee)
        xp += nIn
        dp += nOut
      }
      for i in 0..<L { dW[(k + i) * nOut + j] += a0[i] }
      k += L
    }
    while k < nIn {
      var s: S = 0
      for b in 0..<batch { s += x[b * nIn + k] * dz[b * nOut + j] }
      dW[k * nOut + j] += s
      k += 1
    }
    if let db {
      var s: S = 0
      for b in 0..<batch { s += dz[b * nOut + j] }
      db[j] += s
    }
    j += 1
  }
}

/// In place: a = act(a) over `count` values.
@inlinable
func applyActivation<S: NNScalar>(_ activation: Activation, _ a: UnsafeMutablePointer<S>, count: Int) {
  if S.self == Float.self, activation == .tanh, useCKernels {
    repro_tanh_f32(UnsafeMutableRawPointer(a).assumingMemoryBound(to: Float.self), count)
    return
  }
  typealias V = S.Vector
  let L = V.scalarCount
  var i = 0
  switch activation {
  case .tanh:
    while i + L <= count { storeV(S.tanhVector(loadV(a + i)), a + i); i += L }
    while i < count { a[i] = S.tanhScalar(a[i]); i += 1 }
  case .relu:
    while i + L <= count { storeV(S.reluVector(loadV(a + i)), a + i); i += L }
    while i < count { a[i] = 0.5 * (a[i] + a[i].magnitude); i += 1 }
  }
}

/// In place: g = g · act'(pre-activation), given the post-activation values `a`
/// (tanh: 1 − a²; relu: 1 where a > 0, else 0).
@inlinable
func multiplyActivationDerivative<S: NNScalar>(
  _ activation: Activation, _ g: UnsafeMutablePointer<S>, activated a: UnsafePointer<S>, count: Int
) {
  if S.self == Float.self, activation == .tanh, useCKernels {
    repro_tanh_gradient_f32(
      UnsafeMutableRawPointer(g).assumingMemoryBound(to: Float.self), UnsafeRawPointer(a).assumingMemoryBound(to: Float.self),
      count)
    return
  }
  typealias V = S.Vector
  let L = V.scalarCount
  var i = 0
  switch activation {
  case .tanh:
    let one = V(repeating: 1)
    while i + L <= count {
      let av: V = loadV(a + i)
      storeV(loadV(g + i) * (one - av * av), g + i)
      i += L
    }
    while i < count { g[i] = g[i] * (1 - a[i] * a[i]); i += 1 }
  case .relu:
    while i + L <= count {
      storeV(S.reluGradientVector(loadV(g + i), activated: loadV(a + i)), g + i)
      i += L
    }
    while i < count { g[i] = a[i] > 0 ? g[i] : 0; i += 1 }
  }
}

/// Whether `Float` work goes to the C kernels (the default). Tests turn it off to
/// compare them with the Swift loops; a process-wide switch, not for production use.
nonisolated(unsafe) public var useCKernels = true

/// The version of the C kernels that runs: "avx512f", "avx2" or "baseline" (the
/// widest the CPU has, unless the environment variable REPRO_KERNELS names another).
public var kernelLevel: String { String(cString: repro_kernel_level()) }

/// Runs the named version of the C kernels from now on; false (nothing changes)
/// when the name is unknown or the CPU lacks it. Process-wide: tests and benchmarks.
@discardableResult
public func selectKernelLevel(_ level: String) -> Bool { repro_kernel_select(level) != 0 }
