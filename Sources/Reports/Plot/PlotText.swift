// Numbers and text for the plot renderer: fixed-decimal formatting with no
// locale (the same digits on every platform), XML escaping, and an estimate
// of how wide a text is, for layout. Self-contained, so the plotting code
// depends on nothing else in the module.

/// Text helpers of the plot renderer (a namespace).
enum PlotText {
  /// `x` with exactly `decimals` places, rounded half away from zero, "-"
  /// for negatives and never "-0"; "0" for a non-finite value (callers never
  /// print one: they drop such points first).
  static func fixed(_ x: Double, _ decimals: Int) -> String {
    x.isFinite ? formatNumber(x, decimals: decimals) : "0"
  }

  /// `fixed(x, maxDecimals)` without trailing zeros (and without a trailing
  /// "."): 0.25 → "0.25", 1.0 → "1", 1.5e6/1e6 → "1.5".
  static func trimmed(_ x: Double, maxDecimals: Int) -> String {
    var s = fixed(x, maxDecimals)
    guard s.contains(".") else { return s }
    while s.hasSuffix("0") { s.removeLast() }
    if s.hasSuffix(".") { s.removeLast() }
    return s == "-0" ? "0" : s
  }

  /// A pixel coordinate or length: two decimals.
  static func px(_ x: Double) -> String { fixed(x, 2) }

  /// 10^k, exact for 0 ≤ k ≤ 22 and correctly rounded below (1 / 10^-k), so
  /// the same on every platform (no `pow`).
  static func pow10(_ k: Int) -> Double {
    if k < 0 { return 1 / pow10(-k) }
    var r = 1.0
    for _ in 0..<min(k, 400) { r *= 10 }
    return r
  }

  /// The largest integer k with 10^k ≤ x, for finite x > 0 (by comparison
  /// with `pow10`, not `log10`, so exact powers of ten land on their decade).
  static func decade(_ x: Double) -> Int {
    guard x.isFinite, x > 0 else { return 0 }
    var k = 0
    while k < 308 && pow10(k + 1) <= x { k += 1 }
    while k > -323 && pow10(k) > x { k -= 1 }
    return k
  }

  /// Escapes text for XML content and attribute values.
  static func escape(_ s: String) -> String { escapeXML(s) }

  /// Superscript digits and minus, for "10⁴"-style powers.
  static func superscript(_ n: Int) -> String {
    let digits: [Character] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
    var out = n < 0 ? "⁻" : ""
    for c in String(n.magnitude) { out.append(digits[Int(String(c)) ?? 0]) }
    return out
  }

  /// Estimated width in pixels of `s` set at `size` px in a sans-serif font.
  /// The widths are DejaVu Sans's (what a Linux renderer falls back to for
  /// "sans-serif"), which is wider than Helvetica or Arial, so layouts made
  /// with them fit in either.
  static func width(_ s: String, size: Double) -> Double {
    var em = 0.0
    for u in s.unicodeScalars { em += advance(u) }
    return em * size
  }

  /// Advance width of one character in em.
  private static func advance(_ u: Unicode.Scalar) -> Double {
    let v = u.value
    switch v {
    case 0x30...0x39: return 0.636  // digits
    case 0x20, 0x2C, 0x2E, 0x3A, 0x3B: return 0.318  // space , . : ;
    case 0x61...0x7A:  // a-z
      let w: [Double] = [0.613, 0.635, 0.550, 0.635, 0.615, 0.352, 0.635, 0.634, 0.278, 0.278, 0.579, 0.278, 0.974,
                         0.634, 0.612, 0.635, 0.635, 0.411, 0.521, 0.392, 0.634, 0.592, 0.818, 0.592, 0.592, 0.525]
      return w[Int(v - 0x61)]
    case 0x41...0x5A:  // A-Z
      let w: [Double] = [0.684, 0.686, 0.698, 0.770, 0.632, 0.575, 0.775, 0.752, 0.295, 0.295, 0.656, 0.557, 0.863,
                         0.748, 0.787, 0.603, 0.787, 0.695, 0.635, 0.611, 0.732, 0.684, 0.989, 0.685, 0.611, 0.685]
      return w[Int(v - 0x41)]
    case 0x2D: return 0.361  // -
    case 0x28, 0x29, 0x5B, 0x5D, 0x7B, 0x7D: return 0.390  // brackets
    case 0x25: return 0.950  // %
    case 0x2B, 0x3D, 0x3C, 0x3E, 0xD7, 0x2212: return 0.838  // + = < > × −
    case 0x2F, 0x5C, 0x7C: return 0.337  // / \ |
    case 0x2070...0x209F, 0xB9, 0xB2, 0xB3: return 0.401  // superscripts
    case 0x2013: return 0.5
    case 0x2014: return 1.0
    case 0x1100...: return 1.0  // wide scripts
    default: return 0.62
    }
  }
}
