// Axis ranges, ticks and tick labels, and the mapping from data to pixels.
//
// Linear axes step by 1, 2 or 5 times a power of ten; an automatic range is
// widened to the nearest ticks outside the data. Log axes put major ticks on
// decades and minor ticks on 2…9 × 10^k; an automatic range is widened to
// whole decades. Tick values are computed as integer × 10^k (never by
// repeated addition), and 10^k by exact multiplication (never `pow`), so the
// ticks and their labels are the same on every platform. Only the log mapping
// uses the C library's `log10`.

import Foundation

extension Axis {
  /// A labelled (major) tick.
  public struct Tick: Equatable, Sendable {
    public var value: Double
    public var label: String

    public init(value: Double, label: String) {
      self.value = value
      self.label = label
    }
  }

  /// An axis resolved against its data: its range, ticks, and the mapping
  /// from data values to positions.
  public struct Layout: Equatable, Sendable {
    public var scale: Scale
    public var lower: Double
    public var upper: Double
    /// Major ticks, labelled, in increasing order, all within [lower, upper].
    public var ticks: [Tick]
    /// Minor (unlabelled) tick positions, in increasing order.
    public var minorTicks: [Double]

    public init(scale: Scale, lower: Double, upper: Double, ticks: [Tick], minorTicks: [Double]) {
      self.scale = scale
      self.lower = lower
      self.upper = upper
      self.ticks = ticks
      self.minorTicks = minorTicks
    }

    /// Whether `v` has a position on this axis: finite, and positive on a log axis.
    public func accepts(_ v: Double) -> Bool {
      v.isFinite && (scale == .linear || v > 0)
    }

    /// Where `v` lies: 0 at `lower`, 1 at `upper` (outside [0, 1] for values
    /// outside the range, clamped to [-1000, 1001] so that far-off values
    /// still print as small numbers); nil when `v` has no position.
    public func fraction(_ v: Double) -> Double? {
      guard accepts(v) else { return nil }
      let f: Double
      switch scale {
      case .linear: f = (v - lower) / (upper - lower)
      case .log10: f = (Foundation.log10(v) - Foundation.log10(lower)) / (Foundation.log10(upper) - Foundation.log10(lower))
      }
      guard f.isFinite else { return nil }
      return min(max(f, -1000), 1001)
    }

    /// The pixel position of `v` on a segment from `start` (at `lower`) to
    /// `end` (at `upper`); `end` may be smaller than `start` (a y axis,
    /// whose pixels grow downwards). Nil when `v` has no position.
    public func map(_ v: Double, from start: Double, to end: Double) -> Double? {
      guard let f = fraction(v) else { return nil }
      return start + f * (end - start)
    }
  }

  /// The axis' range and ticks for data values `data` (the values of every
  /// series on this axis; those without a position are ignored).
  public func layout(data: [Double]) -> Layout {
    if let categories, !categories.isEmpty {
      let ticks = categories.enumerated().map { Tick(value: Double($0.offset), label: $0.element) }
      return Layout(scale: .linear, lower: -0.5, upper: Double(categories.count) - 0.5, ticks: ticks, minorTicks: [])
    }
    switch scale {
    case .linear: return linearLayout(data)
    case .log10: return logLayout(data)
    }
  }

  // MARK: Linear

  /// A tick step: `mantissa` (1, 2 or 5) × 10^`exponent`.
  public struct Step: Equatable, Sendable {
    public var mantissa: Int
    public var exponent: Int

    public init(mantissa: Int, exponent: Int) {
      self.mantissa = mantissa
      self.exponent = exponent
    }

    public var value: Double { Step.scaled(mantissa, exponent) }

    /// `n` × 10^`k`, computed as a product or a single correctly rounded
    /// division, so that 3 × 10^-1 is exactly the double nearest 0.3.
    static func scaled(_ n: Int, _ k: Int) -> Double {
      k >= 0 ? Double(n) * PlotText.pow10(k) : Double(n) / PlotText.pow10(-k)
    }
  }

  /// The smallest step of 1, 2 or 5 × 10^k that splits `span` into at most
  /// `target` intervals (`target` below 1 is taken as 1). A span that is not
  /// finite and positive gives 1.
  public static func niceStep(span: Double, target: Int) -> Step {
    guard span.isFinite, span > 0 else { return Step(mantissa: 1, exponent: 0) }
    let raw = span / Double(max(1, min(target, 100)))
    let e = PlotText.decade(raw)
    for m in [1, 2, 5] where Step.scaled(m, e) >= raw * (1 - 1e-12) {
      return Step(mantissa: m, exponent: e)
    }
    return Step(mantissa: 1, exponent: e + 1)
  }

  /// The multiples of `step` in [lower, upper] (ends included, with a
  /// tolerance of 10^-9 step), at most 1001 of them.
  public static func linearTickValues(lower: Double, upper: Double, step: Step) -> [Double] {
    let s = step.value
    guard lower.isFinite, upper.isFinite, lower <= upper, s > 0 else { return [] }
    let kLo = (lower / s - 1e-9).rounded(.up), kHi = (upper / s + 1e-9).rounded(.down)
    guard kLo <= kHi, kHi - kLo <= 1000, kLo.magnitude < 1e15, kHi.magnitude < 1e15 else { return [] }
    var out: [Double] = []
    for k in Int(kLo)...Int(kHi) { out.append(Step.scaled(k * step.mantissa, step.exponent)) }
    return out
  }

  private func linearLayout(_ data: [Double]) -> Layout {
    var lo: Double, hi: Double
    if let r = range, r.lowerBound.isFinite, r.upperBound.isFinite, r.lowerBound < r.upperBound {
      lo = r.lowerBound
      hi = r.upperBound
      let step = Axis.niceStep(span: hi - lo, target: tickTarget)
      let values = Axis.linearTickValues(lower: lo, upper: hi, step: step)
      return Layout(scale: .linear, lower: lo, upper: hi, ticks: linearLabels(values, step), minorTicks: [])
    }
    let finite = data.filter { $0.isFinite && $0.magnitude < 1e300 }
    if let mn = finite.min(), let mx = finite.max() {
      lo = mn
      hi = mx
      if lo == hi {
        let d = lo == 0 ? 1 : lo.magnitude * 0.5
        lo -= d
        hi += d
      }
    } else {
      lo = 0
      hi = 1
    }
    // Data that dips only just below 0 (a learning curve's first return, -0.5 beside 3700)
    // is not given a whole tick step of empty axis below 0: the axis starts at the data's
    // own lowest value, and its ticks at 0.
    let barelyNegative = lo < 0 && hi > 0 && -lo <= Axis.barelyBelowZero * (hi - lo)
    let (step, wideLo, wideHi) = Axis.widenedRange(lower: barelyNegative ? 0 : lo, upper: hi, target: tickTarget)
    lo = barelyNegative ? lo : wideLo
    hi = wideHi
    let values = Axis.linearTickValues(lower: lo, upper: hi, step: step)
    return Layout(scale: .linear, lower: lo, upper: hi, ticks: linearLabels(values, step), minorTicks: [])
  }

  /// How far below 0, as a fraction of the data's span, the data of an automatic linear
  /// range may reach and still start the axis at its own lowest value rather than at a
  /// tick below 0 (1%).
  public static let barelyBelowZero = 0.01

  /// The step that the automatic range of data in [lower, upper] takes, and
  /// that range: the data widened to the ticks just outside it. The step is
  /// `niceStep(span:target:)`'s, or a finer 1-2-5 step when that one would
  /// leave more than a fifth of the axis empty (data from -100 to 2700: step
  /// 500 over [-500, 3000], not 1000 over [-1000, 3000]); never finer than
  /// `target` + 3 intervals.
  public static func widenedRange(lower: Double, upper: Double, target: Int) -> (step: Step, lower: Double, upper: Double) {
    func widen(_ step: Step) -> (Double, Double)? {
      let s = step.value
      let kLo = (lower / s + 1e-9).rounded(.down), kHi = (upper / s - 1e-9).rounded(.up)
      guard kLo.magnitude < 1e15, kHi.magnitude < 1e15 else { return nil }
      return (Step.scaled(Int(kLo) * step.mantissa, step.exponent), Step.scaled(Int(kHi) * step.mantissa, step.exponent))
    }
    var step = niceStep(span: upper - lower, target: target)
    guard var best = widen(step) else { return (step, lower, upper) }
    var bestStep = step
    var bestCoverage = (upper - lower) / (best.1 - best.0)
    let maxIntervals = Double(max(1, min(target, 100)) + 3)
    while bestCoverage < 0.8 - 1e-9 {
      step = step.mantissa == 5 ? Step(mantissa: 2, exponent: step.exponent)
        : step.mantissa == 2 ? Step(mantissa: 1, exponent: step.exponent) : Step(mantissa: 5, exponent: step.exponent - 1)
      guard let r = widen(step), (r.1 - r.0) / step.value <= maxIntervals + 1e-9 else { break }
      let coverage = (upper - lower) / (r.1 - r.0)
      if coverage > bestCoverage {
        best = r
        bestStep = step
        bestCoverage = coverage
      }
    }
    return (bestStep, best.0, best.1)
  }

  /// Labels for linear ticks `values` taken at `step` (see `TickFormat`).
  func linearLabels(_ values: [Double], _ step: Step) -> [Tick] {
    let decimals = max(0, -step.exponent)
    let maxAbs = values.map(\.magnitude).max() ?? 0
    return values.map { v in
      let label: String
      switch tickFormat {
      case .automatic where maxAbs >= 1e4:
        let (unitExp, suffix) = maxAbs >= 1e9 ? (9, "G") : maxAbs >= 1e6 ? (6, "M") : (3, "k")
        let scaled = v / PlotText.pow10(unitExp)
        let text = PlotText.trimmed(scaled, maxDecimals: max(0, unitExp - step.exponent))
        label = text == "0" ? "0" : text + suffix
      case .automatic, .plain: label = PlotText.fixed(v, decimals)
      case .decimals(let n): label = PlotText.fixed(v, n)
      case .percent: label = PlotText.fixed(v * 100, max(0, decimals - 2)) + "%"
      }
      return Tick(value: v, label: label)
    }
  }

  // MARK: Log

  /// Decade ticks 10^k in [lower, upper] (labelled every `stride`-th decade
  /// when there are more than 8, so that at most 8 are labelled), and minor
  /// ticks at 2…9 × 10^k plus the unlabelled decades, the minor ones only
  /// when the range spans at most 6 decades. Both lists are empty unless
  /// 0 < lower < upper, both finite.
  public static func logTickValues(lower: Double, upper: Double) -> (major: [Double], minor: [Double]) {
    guard lower.isFinite, upper.isFinite, lower > 0, lower < upper else { return ([], []) }
    let kLo = PlotText.decade(lower), kHi = PlotText.decade(upper)
    func inRange(_ v: Double) -> Bool { v >= lower * (1 - 1e-12) && v <= upper * (1 + 1e-12) }
    let decades = (kLo...kHi).filter { inRange(Step.scaled(1, $0)) }
    let stride = max(1, (decades.count + 7) / 8)
    var major: [Double] = [], minor: [Double] = []
    for k in decades {
      let v = Step.scaled(1, k)
      if ((k % stride) + stride) % stride == 0 { major.append(v) } else { minor.append(v) }
    }
    if kHi - kLo <= 6 {
      for k in kLo...kHi {
        for m in 2...9 {
          let v = Step.scaled(m, k)
          if inRange(v) { minor.append(v) }
        }
      }
    }
    return (major, minor.sorted())
  }

  private func logLayout(_ data: [Double]) -> Layout {
    var lo: Double, hi: Double
    if let r = range, r.lowerBound.isFinite, r.upperBound.isFinite, r.lowerBound > 0, r.lowerBound < r.upperBound {
      lo = r.lowerBound
      hi = r.upperBound
    } else {
      let positive = data.filter { $0.isFinite && $0 > 0 }
      if let mn = positive.min(), let mx = positive.max() {
        lo = Step.scaled(1, PlotText.decade(mn))
        let kHi = PlotText.decade(mx)
        hi = Step.scaled(1, kHi) >= mx ? Step.scaled(1, kHi) : Step.scaled(1, kHi + 1)
        if lo >= hi { hi = lo * 10 }
      } else {
        lo = 1
        hi = 10
      }
    }
    var (major, minor) = Axis.logTickValues(lower: lo, upper: hi)
    // Fewer than three labels: label the minor ticks at 2 and 5 × 10^k too,
    // then all of them if that is still too few.
    for extra in [[2, 5], [2, 3, 4, 5, 6, 7, 8, 9]] where major.count < 3 {
      let promoted = minor.filter { v in extra.contains { m in isMantissa(v, m) } }
      major = (major + promoted).sorted()
      minor = minor.filter { !promoted.contains($0) }
    }
    return Layout(scale: .log10, lower: lo, upper: hi, ticks: logLabels(major), minorTicks: minor)
  }

  /// Whether `v` is `m` × 10^k for some k.
  private func isMantissa(_ v: Double, _ m: Int) -> Bool {
    Step.scaled(m, PlotText.decade(v)) == v
  }

  /// Labels for log ticks (see `TickFormat`).
  func logLabels(_ values: [Double]) -> [Tick] {
    let parts = values.map { v -> (m: Int, k: Int) in
      let k = PlotText.decade(v)
      return (Int((v / Step.scaled(1, k)).rounded()), k)
    }
    let plain = parts.allSatisfy { $0.k >= -3 && $0.k <= 4 }
    return zip(values, parts).map { v, p in
      let decimals = max(0, -p.k)
      let label: String
      switch tickFormat {
      case .automatic where plain, .plain: label = PlotText.fixed(v, decimals)
      case .automatic:
        label = (p.m == 1 ? "" : "\(p.m)×") + "10" + PlotText.superscript(p.k)
      case .decimals(let n): label = PlotText.fixed(v, n)
      case .percent: label = PlotText.fixed(v * 100, max(0, decimals - 2)) + "%"
      }
      return Tick(value: v, label: label)
    }
  }
}
