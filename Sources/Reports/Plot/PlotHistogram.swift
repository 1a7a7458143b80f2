// Deterministic histogram binning: equal-width bins whose edges are computed
// from their index (never by repeated addition), each bin holding the values
// in [edge[i], edge[i+1]), the last bin also its upper edge.

extension Series.Histogram {
  /// What a bin's height is.
  public enum Normalization: Equatable, Sendable {
    /// The number of values in the bin.
    case count
    /// The share of the binned values in the bin (heights add up to 1).
    case fraction
    /// The share divided by the bin width (the bars' areas add up to 1).
    case density
  }

  /// Bins `values` into `bins` equal-width bins over `range` (`bins` is
  /// clamped to 1…10 000).
  ///
  /// - Non-finite values are dropped, and so are values outside `range`.
  /// - With no usable `range` (nil, empty or non-finite), the range is the
  ///   data's [min, max]; when all values are equal, [v − 0.5, v + 0.5]; with
  ///   no finite value, [0, 1] with empty bins.
  /// - Bin i holds the values in [edges[i], edges[i+1]); the last bin also
  ///   holds values equal to its upper edge.
  public static func bin(
    _ values: [Double], bins: Int, range: ClosedRange<Double>? = nil, normalization: Normalization = .count
  ) -> (edges: [Double], counts: [Double]) {
    let n = max(1, min(bins, 10_000))
    let finite = values.filter(\.isFinite)
    var lo = 0.0, hi = 1.0
    if let r = range, r.lowerBound.isFinite, r.upperBound.isFinite, r.lowerBound < r.upperBound {
      lo = r.lowerBound
      hi = r.upperBound
    } else if let mn = finite.min(), let mx = finite.max() {
      (lo, hi) = mn < mx ? (mn, mx) : (mn - 0.5, mx + 0.5)
    }
    var edges: [Double] = []
    for i in 0...n { edges.append(i == n ? hi : lo + (hi - lo) * Double(i) / Double(n)) }
    var counts = [Double](repeating: 0, count: n)
    var total = 0.0
    for v in finite where v >= lo && v <= hi {
      var i = Int(((v - lo) / (hi - lo) * Double(n)).rounded(.down))
      i = min(max(i, 0), n - 1)
      // The formula can land one bin off next to an edge: the edges decide.
      if i > 0 && v < edges[i] { i -= 1 }
      if i < n - 1 && v >= edges[i + 1] { i += 1 }
      counts[i] += 1
      total += 1
    }
    if total > 0 {
      switch normalization {
      case .count: break
      case .fraction: counts = counts.map { $0 / total }
      case .density: counts = counts.indices.map { counts[$0] / (total * (edges[$0 + 1] - edges[$0])) }
      }
    }
    return (edges, counts)
  }

  /// The [min, max] of the finite values of all `samples` together, to bin
  /// several samples over the same bins; nil when there is no finite value
  /// or all are equal (then `bin` picks a range by itself).
  public static func commonRange(_ samples: [[Double]]) -> ClosedRange<Double>? {
    var lo = Double.infinity, hi = -Double.infinity
    for s in samples {
      for v in s where v.isFinite {
        lo = min(lo, v)
        hi = max(hi, v)
      }
    }
    return lo < hi ? lo...hi : nil
  }
}
