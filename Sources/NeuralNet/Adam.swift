import CKernels
#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// Adam over a flat parameter array, with PyTorch's update (torch.optim.Adam,
/// no weight decay, no amsgrad):
///
///     t += 1
///     m = β₁ m + (1 − β₁) g
///     v = β₂ v + (1 − β₂) g²
///     p −= (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
///
/// The learning rate is given per step (for LR annealing). ε defaults to 1e-5,
/// the value in the authors' released code (PyTorch's default is 1e-8).
/// Bias corrections are computed in `Double`.
public struct Adam<Scalar: NNScalar>: Sendable {
  public let beta1: Double
  public let beta2: Double
  public let epsilon: Double
  /// Steps taken so far.
  public var step: Int { t }
  /// First-moment estimates (flat layout of the parameters).
  public var firstMoment: [Scalar] { m }
  /// Second-moment estimates.
  public var secondMoment: [Scalar] { v }
  @usableFromInline var t: Int = 0
  @usableFromInline var m: [Scalar]
  @usableFromInline var v: [Scalar]

  public init(parameterCount: Int, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-5) {
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    m = [Scalar](repeating: 0, count: parameterCount)
    v = [Scalar](repeating: 0, count: parameterCount)
  }

  /// One Adam step: `parameters -= update(gradients)` at `learningRate`.
  @inlinable
  public mutating func update(parameters: UnsafeMutableBufferPointer<Scalar>, gradients: UnsafeBufferPointer<Scalar>, learningRate: Double) {
    precondition(parameters.count == m.count && gradients.count == m.count, "Adam: parameter count mismatch")
    t += 1
    let bc1 = 1 - pow(beta1, Double(t))
    let bc2 = 1 - pow(beta2, Double(t))
    let stepSize = Scalar(learningRate / bc1)
    let bc2Sqrt = Scalar(bc2.squareRoot())
    let b1 = Scalar(beta1), b2 = Scalar(beta2)
    let c1 = Scalar(1 - beta1), c2 = Scalar(1 - beta2)
    let eps = Scalar(epsilon)
    let n = parameters.count
    let width = Scalar.Vector.scalarCount
    m.withUnsafeMutableBufferPointer { m in
      v.withUnsafeMutableBufferPointer { v in
        let p = parameters.baseAddress!, gp = gradients.baseAddress!
        let mp = m.baseAddress!, vp = v.baseAddress!
        if Scalar.self == Float.self, useCKernels {
          // The same operations in C, on the widest vectors the CPU has (see Kernels.swift).
          let constants: [Scalar] = [b1, c1, b2, c2, bc2Sqrt, eps, stepSize]
          constants.withUnsafeBytes { k in
            repro_adam_f32(
              UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self),
              UnsafeRawPointer(gp).assumingMemoryBound(to: Float.self),
              UnsafeMutableRawPointer(mp).assumingMemoryBound(to: Float.self),
              UnsafeMutableRawPointer(vp).assumingMemoryBound(to: Float.self), n,
              k.baseAddress!.assumingMemoryBound(to: Float.self))
          }
          return
        }
        // Whole SIMD vectors first: the same IEEE operations in the same order as the
        // scalar tail below (sqrt and division are correctly rounded per lane), so the
        // result is bit-identical to the plain loop, only faster.
        var i = 0
        while i + width <= n {
          let g = UnsafeRawPointer(gp + i).loadUnaligned(as: Scalar.Vector.self)
          let mi = b1 * UnsafeRawPointer(mp + i).loadUnaligned(as: Scalar.Vector.self) + c1 * g
          let vi = b2 * UnsafeRawPointer(vp + i).loadUnaligned(as: Scalar.Vector.self) + c2 * g * g
          UnsafeMutableRawPointer(mp + i).storeBytes(of: mi, as: Scalar.Vector.self)
          UnsafeMutableRawPointer(vp + i).storeBytes(of: vi, as: Scalar.Vector.self)
          let denom = vi.squareRoot() / bc2Sqrt + eps
          let step = stepSize * (mi / denom)
          let old = UnsafeRawPointer(p + i).loadUnaligned(as: Scalar.Vector.self)
          UnsafeMutableRawPointer(p + i).storeBytes(of: old - step, as: Scalar.Vector.self)
          i += width
        }
        while i < n {
          let g = gp[i]
          let mi = b1 * mp[i] + c1 * g
          let vi = b2 * vp[i] + c2 * g * g
          mp[i] = mi
          vp[i] = vi
          let denom = vi.squareRoot() / bc2Sqrt + eps
          p[i] -= stepSize * (mi / denom)
          i += 1
        }
      }
    }
  }

  /// Adam step on an `MLP`'s (or policy's) flat parameters and gradients.
  @inlinable
  public mutating func update(_ network: MLP<Scalar>, learningRate: Double) {
    update(parameters: network.parameters, gradients: UnsafeBufferPointer(network.gradients), learningRate: learningRate)
  }

  /// Array version (for tests and small problems).
  @inlinable
  public mutating func update(parameters: inout [Scalar], gradients: [Scalar], learningRate: Double) {
    parameters.withUnsafeMutableBufferPointer { p in
      gradients.withUnsafeBufferPointer { g in update(parameters: p, gradients: g, learningRate: learningRate) }
    }
  }
}

/// Global gradient-norm clipping with `torch.nn.utils.clip_grad_norm_`
/// semantics: total = ‖g‖₂ over the whole flat vector (accumulated in
/// `Double`); if maxNorm / (total + 1e-6) < 1, every gradient is multiplied
/// by that factor. Returns the total norm before clipping.
@inlinable @discardableResult
public func clipGradientNorm<Scalar: NNScalar>(_ gradients: UnsafeMutableBufferPointer<Scalar>, maxNorm: Double) -> Double {
  var sum = 0.0
  for g in gradients { let d = Double(g); sum += d * d }
  let total = sum.squareRoot()
  let coefficient = maxNorm / (total + 1e-6)
  if coefficient < 1 {
    let c = Scalar(coefficient)
    for i in 0..<gradients.count { gradients[i] *= c }
  }
  return total
}

/// Array version of `clipGradientNorm`.
@inlinable @discardableResult
public func clipGradientNorm<Scalar: NNScalar>(_ gradients: inout [Scalar], maxNorm: Double) -> Double {
  gradients.withUnsafeMutableBufferPointer { clipGradientNorm($0, maxNorm: maxNorm) }
}
