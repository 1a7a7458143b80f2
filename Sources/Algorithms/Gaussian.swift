#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// log(2π) / 2.
let halfLog2Pi = 0.5 * log(2 * Double.pi)

/// log N(a; mean, diag(exp(logStd)^2)), summed over action dimensions.
public func gaussianLogProb(action: [Double], mean: [Double], logStd: [Double]) -> Double {
  var s = 0.0
  for i in 0..<action.count {
    let z = (action[i] - mean[i]) / exp(logStd[i])
    s += -0.5 * z * z - logStd[i] - halfLog2Pi
  }
  return s
}

/// Entropy of a diagonal Gaussian: sum(logStd + 0.5 log(2πe)).
public func gaussianEntropy(logStd: [Double]) -> Double {
  var s = 0.0
  for l in logStd { s += l + 0.5 + halfLog2Pi }
  return s
}

/// KL(old || new) between diagonal Gaussians of one state.
public func gaussianKL(oldMean: ArraySlice<Double>, oldLogStd: [Double], newMean: ArraySlice<Double>, newLogStd: [Double]) -> Double {
  var s = 0.0
  var o = oldMean.startIndex, n = newMean.startIndex
  for i in 0..<oldLogStd.count {
    let varOld = exp(2 * oldLogStd[i]), varNew = exp(2 * newLogStd[i])
    let d = oldMean[o] - newMean[n]
    s += newLogStd[i] - oldLogStd[i] + (varOld + d * d) / (2 * varNew) - 0.5
    o += 1
    n += 1
  }
  return s
}
