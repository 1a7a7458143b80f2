/// Running mean and standard deviation of a stream of vectors, per component
/// (Welford's algorithm), as the authors' `RunningStat` (taken from
/// joschu/modular_rl) computes them.
///
/// Used by observation normalisation ("Implementation Matters", Section 3,
/// optimization 6) and reward scaling (Section 3, optimization 2).
///
/// Variance convention (the authors', kept for fidelity):
/// - n ≥ 2: the unbiased sample variance `M2 / (n − 1)` (numpy `ddof=1`);
/// - n = 1: `mean²` (the authors' `np.square(self._M)`; so the std of one
///   sample x is |x|, not 0);
/// - n = 0: 0 (mean is 0).
///
/// A value type: copying it snapshots the statistics.
public struct RunningMeanStd: Sendable, Equatable {
  /// Number of vectors pushed.
  public private(set) var count: Int
  /// Running mean, per component.
  public private(set) var mean: [Double]
  /// Running sum of squared deviations from the mean (Welford's M2), per component.
  public private(set) var sumSquaredDeviations: [Double]

  /// Empty statistics for vectors of `dimension` components.
  public init(dimension: Int) {
    precondition(dimension >= 0, "RunningMeanStd needs a non-negative dimension")
    count = 0
    mean = Array(repeating: 0, count: dimension)
    sumSquaredDeviations = Array(repeating: 0, count: dimension)
  }

  /// Number of components.
  public var dimension: Int { mean.count }

  /// Adds one vector: n += 1; M ← M + (x − M)/n; S ← S + (x − M_old)(x − M_new).
  /// The first vector sets M = x exactly (as the authors' code does).
  public mutating func push(_ x: [Double]) {
    precondition(x.count == mean.count, "RunningMeanStd.push: expected \(mean.count) components, got \(x.count)")
    count += 1
    if count == 1 {
      mean = x
      return
    }
    let n = Double(count)
    for i in 0..<x.count {
      let oldMean = mean[i]
      let newMean = oldMean + (x[i] - oldMean) / n
      mean[i] = newMean
      sumSquaredDeviations[i] += (x[i] - oldMean) * (x[i] - newMean)
    }
  }

  /// Per-component variance: `M2 / (n − 1)` for n ≥ 2, else `mean²` (the authors' convention).
  public var variance: [Double] {
    if count > 1 {
      let d = Double(count - 1)
      return sumSquaredDeviations.map { $0 / d }
    }
    return mean.map { $0 * $0 }
  }

  /// Per-component standard deviation, the square root of `variance`.
  public var std: [Double] { variance.map { $0.squareRoot() } }
}

/// Running mean and standard deviation of a stream of scalars; the scalar form
/// of `RunningMeanStd` with the same (the authors') conventions.
/// Used by reward scaling ("Implementation Matters", Section 3, optimization 2).
public struct RunningScalarMeanStd: Sendable, Equatable {
  /// Number of values pushed.
  public private(set) var count: Int = 0
  /// Running mean.
  public private(set) var mean: Double = 0
  /// Running sum of squared deviations from the mean (Welford's M2).
  public private(set) var sumSquaredDeviations: Double = 0

  /// Empty statistics.
  public init() {}

  /// Adds one value (Welford; the first value sets the mean exactly).
  public mutating func push(_ x: Double) {
    count += 1
    if count == 1 {
      mean = x
      return
    }
    let oldMean = mean
    mean = oldMean + (x - oldMean) / Double(count)
    sumSquaredDeviations += (x - oldMean) * (x - mean)
  }

  /// `M2 / (n − 1)` for n ≥ 2, else `mean²` (the authors' convention; 0 when empty).
  public var variance: Double {
    count > 1 ? sumSquaredDeviations / Double(count - 1) : mean * mean
  }

  /// Square root of `variance`.
  public var std: Double { variance.squareRoot() }
}

/// Gymnasium's `RunningMeanStd` (gymnasium 0.28.1 and 0.29.1, `wrappers/normalize.py`
/// L7-L45), fed one sample at a time as its `NormalizeObservation` and
/// `NormalizeReward` wrappers feed it, per component: the statistics start at
/// count 1e-4, mean 0, variance 1 (a weak prior, not an empty state), and each
/// sample x is merged with the parallel-variance formula for a batch of one
/// (batch mean x, batch variance 0, batch count 1):
///
///     delta = x − mean;  n' = count + 1
///     mean' = mean + delta / n'
///     var'  = (var·count + 0 + delta²·count / n') / n'      (population variance)
///
/// in numpy's order of operations, so the values are Gymnasium's to the bit for
/// the same inputs. CleanRL's ppo_continuous_action.py (L97, L99) normalises with
/// these. A value type: copying it snapshots the statistics.
public struct GymnasiumRunningMeanStd: Sendable, Equatable {
  /// The (fractional) count: 1e-4 plus the number of samples pushed.
  public private(set) var count: Double
  /// Running mean, per component.
  public private(set) var mean: [Double]
  /// Running population variance, per component.
  public private(set) var variance: [Double]

  /// Gymnasium's initial state for vectors of `dimension` components (`epsilon` is its count prior, 1e-4).
  public init(dimension: Int, epsilon: Double = 1e-4) {
    precondition(dimension >= 0, "GymnasiumRunningMeanStd needs a non-negative dimension")
    count = epsilon
    mean = Array(repeating: 0, count: dimension)
    variance = Array(repeating: 1, count: dimension)
  }

  /// Number of components.
  public var dimension: Int { mean.count }

  /// Merges one sample (`update_mean_var_count_from_moments` with a batch of one).
  public mutating func push(_ x: [Double]) {
    precondition(x.count == mean.count, "GymnasiumRunningMeanStd.push: expected \(mean.count) components, got \(x.count)")
    let total = count + 1
    for i in 0..<x.count {
      let (m, v) = GymnasiumRunningMeanStd.merge(mean: mean[i], variance: variance[i], count: count, total: total, x: x[i])
      mean[i] = m
      variance[i] = v
    }
    count = total
  }

  /// One component's merge, in numpy's order: `delta * batch_count / tot_count`,
  /// `m_a + m_b + square(delta) * count * batch_count / tot_count`, `M2 / tot_count`
  /// (batch_count 1, batch variance 0, so m_b = 0).
  @inline(__always)
  static func merge(mean: Double, variance: Double, count: Double, total: Double, x: Double) -> (Double, Double) {
    let delta = x - mean
    let newMean = mean + delta * 1 / total
    let m2 = variance * count + 0 + delta * delta * count * 1 / total
    return (newMean, m2 / total)
  }

  /// (x − mean)/√(var + epsilon) per component: Gymnasium's `normalize` after its update.
  public func normalize(_ x: [Double], epsilon: Double = normalizationEpsilon) -> [Double] {
    precondition(x.count == mean.count, "GymnasiumRunningMeanStd.normalize: expected \(mean.count) components, got \(x.count)")
    var out = x
    for i in 0..<x.count { out[i] = (x[i] - mean[i]) / (variance[i] + epsilon).squareRoot() }
    return out
  }
}

/// The scalar form of `GymnasiumRunningMeanStd` (its `NormalizeReward` keeps one for the discounted return).
public struct GymnasiumRunningScalarMeanStd: Sendable, Equatable {
  public private(set) var count: Double
  public private(set) var mean: Double = 0
  public private(set) var variance: Double = 1

  public init(epsilon: Double = 1e-4) { count = epsilon }

  public mutating func push(_ x: Double) {
    let total = count + 1
    (mean, variance) = GymnasiumRunningMeanStd.merge(mean: mean, variance: variance, count: count, total: total, x: x)
    count = total
  }
}

/// The epsilon added to a running std before dividing (the authors' `1e-8`).
public let normalizationEpsilon: Double = 1e-8

/// Clips `x` to [−bound, bound]; `nil` leaves it unchanged.
@inlinable
public func symmetricClip(_ x: Double, _ bound: Double?) -> Double {
  guard let b = bound else { return x }
  return Swift.min(Swift.max(x, -b), b)
}
