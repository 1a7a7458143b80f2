import NeuralNet

// Double-precision conveniences over NeuralNet's `DiagonalGaussian` for the
// bookkeeping done outside the networks (rollout log-probabilities, KL and ratio
// diagnostics, entropy metrics).

/// log N(a; mean, diag(exp(logStd)²)), summed over action dimensions.
public func gaussianLogProb(action: ArraySlice<Double>, mean: ArraySlice<Double>, logStd: [Double]) -> Double {
  action.withUnsafeBufferPointer { a in
    mean.withUnsafeBufferPointer { m in
      DiagonalGaussian<Double>.logProb(action: a.baseAddress!, mean: m.baseAddress!, logStd: logStd, dim: logStd.count)
    }
  }
}

/// Entropy of a diagonal Gaussian: Σ (logStd + ½ log(2πe)).
public func gaussianEntropy(logStd: [Double]) -> Double {
  DiagonalGaussian<Double>.entropy(logStd: logStd)
}

/// KL(old ‖ new) between diagonal Gaussians of one state.
public func gaussianKL(oldMean: ArraySlice<Double>, oldLogStd: [Double], newMean: ArraySlice<Double>, newLogStd: [Double]) -> Double {
  oldMean.withUnsafeBufferPointer { o in
    newMean.withUnsafeBufferPointer { n in
      DiagonalGaussian<Double>.kl(oldMean: o.baseAddress!, oldLogStd: oldLogStd, newMean: n.baseAddress!,
                                  newLogStd: newLogStd, dim: oldLogStd.count)
    }
  }
}
