import ReproRandom

/// Per-minibatch advantage normalisation, as in the authors' `adv_normalize`
/// (applied inside the surrogate to each minibatch): `(A − mean) / (std + 1e-8)`.
///
/// `std` is the n − 1 (unbiased) standard deviation, as torch's `.std()`.
/// With fewer than two samples the std is taken as 0 (torch would give NaN and
/// the authors' code asserts), so the result is `A − mean` (all zeros for n = 1).
/// An empty input gives an empty output.
public func normalizeAdvantages(_ advantages: [Double]) -> [Double] {
  let n = advantages.count
  guard n > 0 else { return [] }
  var sum = 0.0
  for a in advantages { sum += a }
  let mean = sum / Double(n)
  var ss = 0.0
  for a in advantages { ss += (a - mean) * (a - mean) }
  let std = n > 1 ? (ss / Double(n - 1)).squareRoot() : 0
  return advantages.map { ($0 - mean) / (std + normalizationEpsilon) }
}

/// Minibatch index sets for one epoch: a seeded Fisher–Yates permutation of
/// 0..<count (`Xoshiro256.permutation`) split into `minibatches` contiguous parts
/// as numpy's `array_split` does: the first `count % minibatches` parts have one
/// more element than the rest. Deterministic given the generator's state.
///
/// Precondition: 1 ≤ minibatches ≤ count (no empty minibatch).
public func minibatchIndices(count: Int, minibatches: Int, rng: inout Xoshiro256) -> [[Int]] {
  precondition(minibatches >= 1 && minibatches <= count,
               "minibatchIndices: need 1 ≤ minibatches (\(minibatches)) ≤ count (\(count))")
  let perm = rng.permutation(count)
  return splitEvenly(perm, parts: minibatches)
}

/// Splits `items` into `parts` contiguous pieces as numpy's `array_split`: the
/// first `items.count % parts` pieces have one extra element.
public func splitEvenly<T>(_ items: [T], parts: Int) -> [[T]] {
  precondition(parts >= 1, "splitEvenly: parts must be positive")
  let base = items.count / parts
  let extra = items.count % parts
  var out: [[T]] = []
  out.reserveCapacity(parts)
  var start = 0
  for p in 0..<parts {
    let size = base + (p < extra ? 1 : 0)
    out.append(Array(items[start..<(start + size)]))
    start += size
  }
  return out
}
