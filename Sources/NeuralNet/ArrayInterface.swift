// Array-based entry points for code outside this module. The rule of the house
// is that unsafe buffers live in NeuralNet only: the trainer (Algorithms)
// reaches parameters, gradients, forward and backward passes through these
// functions, which run the same kernels (same bits) as the pointer API.

extension MLP {
  /// Single-sample forward into `output` (resized to `outputSize` if needed):
  /// the same arithmetic as `predict(input:output:)`, without allocating when
  /// `output` already has the right size.
  @inlinable
  public func predict(_ input: [Scalar], into output: inout [Scalar]) {
    precondition(input.count == inputSize, "predict: input must have inputSize values")
    if output.count != outputSize { output = [Scalar](repeating: 0, count: outputSize) }
    input.withUnsafeBufferPointer { i in
      output.withUnsafeMutableBufferPointer { o in predict(input: i.baseAddress!, output: o.baseAddress!) }
    }
  }

  /// Backward pass for the last `forward` that only accumulates parameter
  /// gradients (no input gradient): `gradients += ∂loss/∂parameters`.
  @inlinable
  public func accumulateGradients(outputGradient: [Scalar]) {
    precondition(outputGradient.count == lastBatch * outputSize, "output gradient must be batch × outputSize")
    outputGradient.withUnsafeBufferPointer { backward(outputGradient: $0.baseAddress!) }
  }

  /// The trailing parameters after the network's own (a Gaussian policy's log-std), a copy.
  @inlinable
  public var extraParameterArray: [Scalar] {
    Array(parameters[networkParameterCount..<parameterCount])
  }

  /// Sets the gradients of the trailing parameters.
  @inlinable
  public func setExtraGradients(_ values: [Scalar]) {
    precondition(values.count == extraParameterCount, "setExtraGradients: wrong count")
    for j in 0..<extraParameterCount { gradients[networkParameterCount + j] = values[j] }
  }

  /// The index of the first NaN or infinite parameter, if any.
  @inlinable
  public func firstNonFiniteParameter() -> (index: Int, value: Scalar)? {
    for i in 0..<parameterCount where !parameters[i].isFinite { return (i, parameters[i]) }
    return nil
  }
}

/// Global gradient-norm clipping of a network's whole flat gradient
/// (see `clipGradientNorm(_:maxNorm:)`). Returns the norm before clipping.
@inlinable @discardableResult
public func clipGradientNorm<Scalar: NNScalar>(_ network: MLP<Scalar>, maxNorm: Double) -> Double {
  clipGradientNorm(network.gradients, maxNorm: maxNorm)
}

/// Global gradient-norm clipping over several networks' gradients taken as one
/// vector, as `torch.nn.utils.clip_grad_norm_(agent.parameters(), maxNorm)` over a
/// module holding them all (CleanRL's ppo_continuous_action.py L304): total =
/// √(Σ over every network of its squared gradient entries), accumulated in `Double`
/// in the networks' order; if maxNorm / (total + 1e-6) < 1, every gradient of every
/// network is multiplied by that one factor. Returns the total norm before clipping.
@inlinable @discardableResult
public func clipGradientNorm<Scalar: NNScalar>(_ networks: [MLP<Scalar>], maxNorm: Double) -> Double {
  var sum = 0.0
  for net in networks {
    for g in net.gradients { let d = Double(g); sum += d * d }
  }
  let total = sum.squareRoot()
  let coefficient = maxNorm / (total + 1e-6)
  if coefficient < 1 {
    let c = Scalar(coefficient)
    for net in networks {
      let g = net.gradients
      for i in 0..<g.count { g[i] *= c }
    }
  }
  return total
}

// MARK: - Diagonal Gaussian on arrays (Double bookkeeping outside the networks)

/// log N(a; mean, diag(exp(logStd)²)), summed over action dimensions.
@inlinable
public func gaussianLogProb<S: NNScalar>(action: ArraySlice<S>, mean: ArraySlice<S>, logStd: [S]) -> S {
  action.withUnsafeBufferPointer { a in
    mean.withUnsafeBufferPointer { m in
      DiagonalGaussian<S>.logProb(action: a.baseAddress!, mean: m.baseAddress!, logStd: logStd, dim: logStd.count)
    }
  }
}

/// Entropy of a diagonal Gaussian: Σ (logStd + ½ log(2πe)).
@inlinable
public func gaussianEntropy<S: NNScalar>(logStd: [S]) -> S {
  DiagonalGaussian<S>.entropy(logStd: logStd)
}

/// KL(old ‖ new) between diagonal Gaussians of one state.
@inlinable
public func gaussianKL<S: NNScalar>(oldMean: ArraySlice<S>, oldLogStd: [S], newMean: ArraySlice<S>, newLogStd: [S]) -> S {
  oldMean.withUnsafeBufferPointer { o in
    newMean.withUnsafeBufferPointer { n in
      DiagonalGaussian<S>.kl(oldMean: o.baseAddress!, oldLogStd: oldLogStd, newMean: n.baseAddress!,
                             newLogStd: newLogStd, dim: oldLogStd.count)
    }
  }
}

/// For a batch of `scales.count` samples (row-major `actions` and `means`,
/// `dim` columns), adds `scales[s] · ∂log π(a_s)/∂μ_s` to row s of `dMean` and
/// `Σ_s scales[s] · ∂log π(a_s)/∂logσ` to `dLogStd`, skipping samples whose
/// scale is 0, in sample order (the chain rule of a loss through log N(a; μ, σ)).
@inlinable
public func addLogProbGradients<S: NNScalar>(
  actions: [S], means: [S], logStd: [S], scales: [S], dMean: inout [S], dLogStd: inout [S]
) {
  let dim = logStd.count
  precondition(actions.count == scales.count * dim && means.count == actions.count && dMean.count == actions.count
               && dLogStd.count == dim, "addLogProbGradients: shapes do not match")
  actions.withUnsafeBufferPointer { a in
    means.withUnsafeBufferPointer { m in
      dMean.withUnsafeMutableBufferPointer { dm in
        dLogStd.withUnsafeMutableBufferPointer { ds in
          for s in 0..<scales.count where scales[s] != 0 {
            DiagonalGaussian<S>.addLogProbGradient(
              action: a.baseAddress! + s * dim, mean: m.baseAddress! + s * dim, logStd: logStd, dim: dim,
              scale: scales[s], dMean: dm.baseAddress! + s * dim, dLogStd: ds.baseAddress!)
          }
        }
      }
    }
  }
}
