import Foundation
import Reports
import TestSupport
import XCTest

// Tests of the plotting library (Sources/Reports/Plot): tick generation,
// axis mapping, binning, escaping, gaps, determinism, and snapshots of four
// fixed figures, compared byte for byte with
// Tests/ReportsTests/Snapshots/plot-*.svg.
//
// To rewrite the snapshots after an intended change, run
//
//   REPRO_UPDATE_SNAPSHOTS=1 swift test --filter PlotTests
//
// then look at them (scripts/figures/render_png.sh and check_png.py, see
// scripts/figures/README.md) and review `git diff Tests/ReportsTests/Snapshots`.

/// Tests/ReportsTests/Snapshots, next to this file (read by path, not as a resource).
private let plotSnapshotDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .appendingPathComponent("Snapshots", isDirectory: true)

/// Compares `actual` with the snapshot `name` (TestSupport's byte-for-byte
/// comparison, rewriting it when REPRO_UPDATE_SNAPSHOTS=1).
private func assertPlotSnapshot(_ actual: String, named name: String, file: StaticString = #filePath, line: UInt = #line) throws {
  try assertSnapshot(actual, named: name, in: plotSnapshotDirectory, file: file, line: line)
}

/// Number of non-overlapping occurrences of `needle` in `s`.
private func occurrences(of needle: String, in s: String) -> Int {
  s.components(separatedBy: needle).count - 1
}

/// The fixed figures of the snapshots. Their data is made with integer
/// hashing and the four operations only (no `sin`, `exp`, ...), so it is the
/// same on every platform.
enum PlotFixtures {
  /// A deterministic value in [0, 1) from `i` and `salt` (a multiplicative hash).
  static func unit(_ i: Int, _ salt: UInt64) -> Double {
    var z = UInt64(truncatingIfNeeded: i) &* 0x9E37_79B9_7F4A_7C15 &+ salt &* 0xBF58_476D_1CE4_E5B9
    z ^= z >> 31
    z = z &* 0x94D0_49BB_1331_11EB
    z ^= z >> 29
    return Double(z >> 11) / Double(UInt64(1) << 53)
  }

  /// Approximately standard normal (sum of 12 uniforms, minus 6).
  static func normal(_ i: Int, _ salt: UInt64) -> Double {
    var s = 0.0
    for k in 0..<12 { s += unit(i * 12 + k, salt) }
    return s - 6
  }

  /// A learning curve: mean return rising to `top`, with a CI band.
  static func curve(top: Double, rate: Double, salt: UInt64, n: Int = 61)
    -> (x: [Double], mean: [Double], lower: [Double], upper: [Double])
  {
    var x: [Double] = [], mean: [Double] = [], lower: [Double] = [], upper: [Double] = []
    for i in 0..<n {
      let t = Double(i) * 50_000
      let m = top * t / (t + rate) + 120 * (unit(i, salt) - 0.5)
      let half = 80 + 0.12 * top * t / (t + rate)
      x.append(t)
      mean.append(m)
      lower.append(m - half)
      upper.append(m + half)
    }
    return (x, mean, lower, upper)
  }

  static let provenance = "repro test fixture: made-up numbers, commit 0000000, 2020-01-01, scale fixture"

  /// 2×2: two learning curves with bands and a paper reference line, the max
  /// probability ratio with the clipping bounds 1 ± ε, and the mean KL with δ.
  static var panels2x2: Figure {
    func returns(_ task: String, top: Double, paper: Double) -> Panel {
      let a = curve(top: top, rate: 600_000, salt: 1 + UInt64(top))
      let b = curve(top: top * 0.7, rate: 900_000, salt: 2 + UInt64(top))
      return Panel(
        title: task,
        x: Axis(label: "timesteps"),
        y: Axis(label: "mean return"),
        series: [
          .band(.init(x: a.x, lower: a.lower, upper: a.upper)),
          .line(.init(label: "PPO", x: a.x, y: a.mean)),
          .band(.init(x: b.x, lower: b.lower, upper: b.upper)),
          .line(.init(label: "PPO-M", x: b.x, y: b.mean, dash: .dashed)),
        ],
        references: [.horizontal(paper, label: "paper PPO")],
        legend: .best)
    }
    var ratioX: [Double] = [], ppo: [Double] = [], ppoM: [Double] = []
    var klX: [Double] = [], trpo: [Double] = [], ppoKL: [Double] = []
    for i in 0..<40 {
      ratioX.append(Double(i + 1))
      ppo.append(1.15 + 0.3 * Double(i) / 40 + 0.2 * unit(i, 7))
      ppoM.append(1.6 + 1.4 * Double(i) / 40 + 0.5 * unit(i, 8))
      klX.append(Double(i + 1))
      trpo.append(0.0085 + 0.002 * unit(i, 9))
      ppoKL.append(0.004 + 0.012 * Double(i) / 40 + 0.006 * unit(i, 10))
    }
    return Figure(
      title: "Fixture: learning curves, ratios and KL (2 × 2)",
      caption: [
        "Lines: mean over seeds; bands: 95% bootstrap CI. Dashed grey lines: reference values.",
        provenance,
      ],
      rows: 2, columns: 2,
      panels: [
        returns("Hopper-v5", top: 2600, paper: 2300),
        returns("Walker2d-v5", top: 3400, paper: 3100),
        Panel(
          title: "max ratio π/π_old",
          x: Axis(label: "iteration"), y: Axis(label: "max ratio"),
          series: [
            .line(.init(label: "PPO", x: ratioX, y: ppo, marker: .circle)),
            .line(.init(label: "PPO-M", x: ratioX, y: ppoM, marker: .square)),
          ],
          references: [.horizontal(1.2, label: "1 + ε"), .horizontal(0.8, label: "1 − ε")],
          legend: .below),
        Panel(
          title: "mean KL",
          x: Axis(label: "iteration"), y: Axis(label: "KL(π_old ‖ π)", tickFormat: .plain),
          series: [
            .line(.init(label: "TRPO", x: klX, y: trpo, color: PlotColor.palette(2))),
            .line(.init(label: "PPO", x: klX, y: ppoKL, color: PlotColor.palette(0))),
          ],
          references: [.horizontal(0.01, label: "δ"), .vertical(20, label: "lr decay", dash: .dotted)],
          legend: .inside(.bottomRight)),
      ],
      plotWidth: 300, plotHeight: 190)
  }

  /// 1×2: a log y axis over many decades (with zeros and negative values,
  /// which are dropped), and a log–log panel with a scatter.
  static var logAxes: Figure {
    var x: [Double] = [], a: [Double] = [], b: [Double] = []
    for i in 0..<50 {
      x.append(Double(i))
      a.append(5 / Double(i + 1) + 0.01 * unit(i, 3))
      b.append(i % 13 == 5 ? 0 : i == 30 ? -1 : 0.002 * Double(i * i) + 0.001)
    }
    var sx: [Double] = [], sy: [Double] = []
    for i in 0..<60 {
      let v = 1 + Double(i) * 40
      sx.append(v)
      sy.append(0.05 * v * (0.5 + unit(i, 4)))
    }
    return Figure(
      title: "Fixture: log axes",
      caption: ["Values ≤ 0 have no place on a log axis: they are dropped and leave a gap.", provenance],
      rows: 1, columns: 2,
      panels: [
        Panel(
          title: "log y",
          x: Axis(label: "iteration"), y: Axis(label: "value", scale: .log10),
          series: [
            .line(.init(label: "decaying", x: x, y: a)),
            .line(.init(label: "growing, with 0 and −1", x: x, y: b, marker: .diamond)),
          ],
          references: [.horizontal(1, label: "1")]),
        Panel(
          title: "log–log scatter",
          x: Axis(label: "batch size", scale: .log10), y: Axis(label: "time (s)", scale: .log10),
          series: [.scatter(.init(label: "runs", x: sx, y: sy, marker: .triangle))],
          legend: .inside(.topLeft)),
      ])
  }

  /// 1×2: on/off comparison of a ratio distribution, overlaid and grouped,
  /// with the clipping bounds as vertical reference lines.
  static var histograms: Figure {
    var on: [Double] = [], off: [Double] = []
    for i in 0..<600 {
      on.append(1 + 0.08 * normal(i, 11))
      off.append(1.05 + 0.18 * normal(i, 12))
    }
    let range = Series.Histogram.commonRange([on, off])
    let refs: [ReferenceLine] = [.vertical(0.8, label: "1 − ε"), .vertical(1.2, label: "1 + ε")]
    return Figure(
      title: "Fixture: ratio histograms, clipping on and off",
      caption: ["600 made-up ratios per setting, 30 shared bins over their common range.", provenance],
      rows: 1, columns: 2,
      panels: [
        Panel(
          title: "overlaid",
          x: Axis(label: "π/π_old"), y: Axis(label: "count"),
          series: [
            .histogram(.init(label: "clipping on", values: on, bins: 30, range: range)),
            .histogram(.init(label: "clipping off", values: off, bins: 30, range: range)),
          ],
          references: refs),
        Panel(
          title: "grouped, as fractions",
          x: Axis(label: "π/π_old"), y: Axis(label: "fraction", tickFormat: .percent),
          series: [
            .histogram(.init(label: "on", values: on, bins: 12, range: range, normalization: .fraction)),
            .histogram(.init(label: "off", values: off, bins: 12, range: range, normalization: .fraction)),
          ],
          references: refs, histogramLayout: .grouped),
      ],
      plotWidth: 320, plotHeight: 200)
  }

  /// 2×2 grid with three panels: gaps from NaN and infinity, an isolated
  /// point, a series with no finite value, an empty panel, text that needs
  /// escaping, and a shared legend under the grid.
  static var missingData: Figure {
    var x: [Double] = [], y: [Double] = [], lo: [Double] = [], hi: [Double] = []
    for i in 0..<30 {
      x.append(Double(i))
      let v = 10 + Double(i) + 3 * unit(i, 5)
      let missing = (8...10).contains(i) || i == 12 || i == 20
      y.append(missing ? (i == 20 ? .infinity : .nan) : v)
      lo.append(i == 25 ? .nan : v - 2)
      hi.append(v + 2)
    }
    let ppo = PlotColor.palette(0), trpo = PlotColor.palette(1)
    return Figure(
      title: "Fixture: missing data & <escaping> \"quotes\"",
      caption: [
        "Gaps: NaN at iterations 8–10, 12 and 25 (band), +∞ at 20; iteration 11 stands alone and is drawn as a dot.",
        provenance,
      ],
      rows: 2, columns: 2,
      panels: [
        Panel(
          title: "gaps <NaN & ∞>",
          x: Axis(label: "iteration"), y: Axis(label: "return"),
          series: [
            .band(.init(label: "PPO", x: x, lower: lo, upper: hi, color: ppo)),
            .line(.init(label: "PPO", x: x, y: y, color: ppo)),
            .line(.init(label: "TRPO", x: x, y: x.map { _ in .nan }, color: trpo)),
          ],
          legend: .hidden),
        Panel(title: "no series at all", x: Axis(label: "iteration"), y: Axis(label: "return"), legend: .hidden),
        Panel(
          title: "only non-finite values",
          x: Axis(label: "iteration"), y: Axis(label: "return", scale: .log10),
          series: [.line(.init(label: "TRPO", x: [0, 1, 2], y: [.nan, 0, -3], color: trpo))],
          emptyText: "no finite positive value"),
      ],
      plotWidth: 260, plotHeight: 160,
      legend: [
        LegendEntry(label: "PPO (mean, 95% CI)", swatches: [
          .fill(color: ppo, opacity: 0.22), .line(color: ppo, dash: .solid, width: 1.75, marker: nil),
        ]),
        LegendEntry(label: "TRPO", swatches: [.line(color: trpo, dash: .solid, width: 1.75, marker: nil)]),
      ])
  }

  /// Every fixture with the name of its snapshot file.
  static var all: [(name: String, figure: Figure)] {
    [
      ("plot-panels-2x2.svg", panels2x2),
      ("plot-log-axes.svg", logAxes),
      ("plot-histograms.svg", histograms),
      ("plot-missing-data.svg", missingData),
    ]
  }
}

final class PlotSnapshotTests: XCTestCase {
  func testPanels2x2Snapshot() throws {
    try assertPlotSnapshot(renderSVG(PlotFixtures.panels2x2), named: "plot-panels-2x2.svg")
  }

  func testLogAxesSnapshot() throws {
    try assertPlotSnapshot(renderSVG(PlotFixtures.logAxes), named: "plot-log-axes.svg")
  }

  func testHistogramsSnapshot() throws {
    try assertPlotSnapshot(renderSVG(PlotFixtures.histograms), named: "plot-histograms.svg")
  }

  func testMissingDataSnapshot() throws {
    try assertPlotSnapshot(renderSVG(PlotFixtures.missingData), named: "plot-missing-data.svg")
  }

  func testRenderingTwiceGivesTheSameBytes() {
    for (name, figure) in PlotFixtures.all {
      XCTAssertEqual(renderSVG(figure), renderSVG(figure), name)
    }
  }

  func testEachPanelIsAGroupWithOneFrameAndTheRootCountsThem() {
    for (name, figure) in PlotFixtures.all {
      let svg = renderSVG(figure)
      let n = figure.panels.count
      XCTAssertTrue(svg.contains("data-panels=\"\(n)\""), name)
      XCTAssertEqual(occurrences(of: "<g class=\"panel\"", in: svg), n, name)
      // The frame colour is reserved: exactly one use per panel.
      XCTAssertEqual(occurrences(of: PlotColor.frame.hex, in: svg), n, name)
      XCTAssertEqual(occurrences(of: "<title>", in: svg), n + 1, name)
      XCTAssertFalse(svg.contains("nan"), name)
      XCTAssertFalse(svg.lowercased().contains("inf\""), name)
      XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""), name)
      XCTAssertTrue(svg.hasSuffix("</svg>\n"), name)
    }
  }
}

final class PlotTickTests: XCTestCase {
  func testACategoricalAxisPutsCategoryIAtPositionI() {
    let l = Axis(categories: ["PPO", "PPO-M*", "TRPO"]).layout(data: [-7, 12])
    XCTAssertEqual(l.lower, -0.5)
    XCTAssertEqual(l.upper, 2.5)
    XCTAssertEqual(l.ticks, [.init(value: 0, label: "PPO"), .init(value: 1, label: "PPO-M*"), .init(value: 2, label: "TRPO")])
    XCTAssertEqual(l.map(1, from: 0, to: 300), 150, "the middle category in the middle")
  }

  func testNiceStepsAreOneTwoOrFiveTimesAPowerOfTen() {
    func step(_ span: Double, _ target: Int = 5) -> Double { Axis.niceStep(span: span, target: target).value }
    XCTAssertEqual(step(10), 2)
    XCTAssertEqual(step(1), 0.2)
    XCTAssertEqual(step(7), 2)  // raw 1.4
    XCTAssertEqual(step(0.03), 0.01)  // raw 0.006
    XCTAssertEqual(step(3e6), 1e6)  // raw 6e5: 5e5 is too small
    XCTAssertEqual(step(2.5e6), 5e5)  // raw exactly 5e5
    XCTAssertEqual(step(100, 10), 10)
    XCTAssertEqual(step(0), 1, "degenerate span")
    XCTAssertEqual(step(.nan), 1, "non-finite span")
    XCTAssertEqual(Axis.niceStep(span: 0.5, target: 5), Axis.Step(mantissa: 1, exponent: -1))
  }

  func testLinearTickValuesAreExactMultiples() {
    let v = Axis.linearTickValues(lower: 0, upper: 1, step: Axis.Step(mantissa: 2, exponent: -1))
    // Computed as k × 2 / 10, so 0.6 is the double nearest 0.6 (not 0.6000000000000001).
    XCTAssertEqual(v, [0, 0.2, 0.4, 0.6, 0.8, 1.0])
    XCTAssertEqual(Axis.linearTickValues(lower: -0.05, upper: 0.12, step: Axis.Step(mantissa: 5, exponent: -2)),
                   [-0.05, 0, 0.05, 0.1])
    XCTAssertEqual(Axis.linearTickValues(lower: 1, upper: 0, step: Axis.Step(mantissa: 1, exponent: 0)), [])
  }

  func testAutomaticLinearRangeWidensToTicks() {
    let l = Axis().layout(data: [0.3, 9.7, .nan])
    XCTAssertEqual(l.lower, 0)
    XCTAssertEqual(l.upper, 10)
    XCTAssertEqual(l.ticks.map(\.label), ["0", "2", "4", "6", "8", "10"])
    XCTAssertTrue(l.minorTicks.isEmpty)

    let small = Axis().layout(data: [-0.013, 0.042])
    XCTAssertEqual(small.lower, -0.02)
    XCTAssertEqual(small.upper, 0.05)
    XCTAssertEqual(small.ticks.map(\.label), ["-0.02", "-0.01", "0.00", "0.01", "0.02", "0.03", "0.04", "0.05"],
                   "step 0.01, as 0.02 would leave [0.042, 0.06] empty; never -0.00")
  }

  func testAutomaticRangeTakesAFinerStepRatherThanLeaveMuchOfTheAxisEmpty() {
    // Step 1000 would give [-1000, 3000], 30% of it empty.
    let r = Axis.widenedRange(lower: -100, upper: 2700, target: 5)
    XCTAssertEqual(r.step, Axis.Step(mantissa: 5, exponent: 2))
    XCTAssertEqual(r.lower, -500)
    XCTAssertEqual(r.upper, 3000)
    // Step 2 covers [0.3, 9.7] well enough with [0, 10].
    XCTAssertEqual(Axis.widenedRange(lower: 0.3, upper: 9.7, target: 5).step, Axis.Step(mantissa: 2, exponent: 0))
    // Never more than target + 3 intervals.
    let capped = Axis.widenedRange(lower: 0.9, upper: 2.1, target: 2)
    XCTAssertLessThanOrEqual((capped.upper - capped.lower) / capped.step.value, 5 + 1e-9)
  }

  func testLinearLabelsUseSuffixesForLargeValues() {
    XCTAssertEqual(Axis().layout(data: [0, 3e6]).ticks.map(\.label), ["0", "1M", "2M", "3M"])
    XCTAssertEqual(Axis().layout(data: [0, 2.5e6]).ticks.map(\.label), ["0", "0.5M", "1M", "1.5M", "2M", "2.5M"])
    XCTAssertEqual(Axis().layout(data: [0, 12_000]).ticks.map(\.label), ["0", "5k", "10k", "15k"])
    XCTAssertEqual(Axis(tickFormat: .plain).layout(data: [0, 12_000]).ticks.map(\.label), ["0", "5000", "10000", "15000"])
    XCTAssertEqual(Axis().layout(data: [-3000, 2000]).ticks.map(\.label), ["-3000", "-2000", "-1000", "0", "1000", "2000"])
  }

  func testOtherTickFormats() {
    XCTAssertEqual(Axis(tickFormat: .percent).layout(data: [0, 0.5]).ticks.map(\.label), ["0%", "10%", "20%", "30%", "40%", "50%"])
    XCTAssertEqual(Axis(tickFormat: .decimals(2)).layout(data: [0, 2]).ticks.map(\.label),
                   ["0.00", "0.50", "1.00", "1.50", "2.00"])
  }

  func testFixedRangeIsKeptAndInvalidOnesIgnored() {
    let fixed = Axis(range: 0...1).layout(data: [5, -5])
    XCTAssertEqual(fixed.lower, 0)
    XCTAssertEqual(fixed.upper, 1)
    XCTAssertEqual(fixed.ticks.map(\.value), [0, 0.2, 0.4, 0.6, 0.8, 1.0])
    let uneven = Axis(range: 0.05...0.97).layout(data: [])
    XCTAssertEqual(uneven.ticks.map(\.label), ["0.2", "0.4", "0.6", "0.8"], "ticks inside a fixed range only")
    let empty = Axis(range: 3...3).layout(data: [0, 10])
    XCTAssertEqual(empty.lower, 0, "an empty fixed range is ignored")
    XCTAssertEqual(empty.upper, 10)
    let logBad = Axis(scale: .log10, range: -1...10).layout(data: [2, 50])
    XCTAssertEqual(logBad.lower, 1, "a non-positive fixed log range is ignored")
    XCTAssertEqual(logBad.upper, 100)
  }

  func testDegenerateLinearData() {
    let none = Axis().layout(data: [])
    XCTAssertEqual(none.lower, 0)
    XCTAssertEqual(none.upper, 1)
    let constant = Axis().layout(data: [5, 5])
    XCTAssertLessThan(constant.lower, 5)
    XCTAssertGreaterThan(constant.upper, 5)
    let zero = Axis().layout(data: [0])
    XCTAssertEqual(zero.lower, -1)
    XCTAssertEqual(zero.upper, 1)
  }

  func testLogTicksAreDecadesWithMinorTicks() {
    let t = Axis.logTickValues(lower: 1, upper: 1000)
    XCTAssertEqual(t.major, [1, 10, 100, 1000])
    XCTAssertEqual(t.minor.count, 24)
    XCTAssertEqual(Array(t.minor.prefix(3)), [2, 3, 4])
    XCTAssertEqual(t.minor.last, 900)
    XCTAssertTrue(t.minor.contains(0.3 * 1000), "300")

    let wide = Axis.logTickValues(lower: 1e-10, upper: 1e10)
    XCTAssertLessThanOrEqual(wide.major.count, 8, "at most 8 labelled decades")
    XCTAssertEqual(wide.major.count + wide.minor.count, 21, "unlabelled decades become minor ticks; no 2…9 minors")
    XCTAssertEqual(Axis.logTickValues(lower: 0, upper: 10).major, [], "a log range must be positive")
  }

  func testLogLayoutWidensToDecadesAndDropsNonPositiveValues() {
    let l = Axis(scale: .log10).layout(data: [0.02, 47, 0, -3, .nan])
    XCTAssertEqual(l.lower, 0.01)
    XCTAssertEqual(l.upper, 100)
    XCTAssertEqual(l.ticks.map(\.label), ["0.01", "0.1", "1", "10", "100"])

    let small = Axis(scale: .log10).layout(data: [0.003, 4700])
    XCTAssertEqual(small.ticks.map(\.label), ["0.001", "0.01", "0.1", "1", "10", "100", "1000", "10000"])

    let tiny = Axis(scale: .log10).layout(data: [0.00003, 4.7])
    XCTAssertEqual(tiny.ticks.map(\.label), ["10⁻⁵", "10⁻⁴", "10⁻³", "10⁻²", "10⁻¹", "10⁰", "10¹"],
                   "powers for every tick once one is outside 0.001…10000")
    XCTAssertEqual(Axis(scale: .log10, range: 2e5...1e6).layout(data: []).ticks.map(\.label), ["2×10⁵", "5×10⁵", "10⁶"])

    let exact = Axis(scale: .log10).layout(data: [10, 1000])
    XCTAssertEqual(exact.lower, 10, "an exact power of ten is its own decade")
    XCTAssertEqual(exact.upper, 1000)

    let none = Axis(scale: .log10).layout(data: [0, -1])
    XCTAssertEqual(none.lower, 1)
    XCTAssertEqual(none.upper, 10)
  }

  func testNarrowLogRangeLabelsTwoAndFive() {
    let l = Axis(scale: .log10, range: 0.5...2).layout(data: [])
    XCTAssertEqual(l.ticks.map(\.label), ["0.5", "1", "2"])
    XCTAssertTrue(l.minorTicks.contains(0.6))
    XCTAssertFalse(l.minorTicks.contains(2))
  }

  func testAxisMapping() {
    let lin = Axis(range: 0...10).layout(data: [])
    XCTAssertEqual(lin.map(5, from: 0, to: 200), 100)
    XCTAssertEqual(lin.map(0, from: 200, to: 0), 200, "y axes run upwards")
    XCTAssertEqual(lin.map(10, from: 200, to: 0), 0)
    XCTAssertEqual(lin.map(-5, from: 0, to: 200), -100, "outside the range maps outside the segment")
    XCTAssertNil(lin.map(.nan, from: 0, to: 200))
    XCTAssertNil(lin.map(.infinity, from: 0, to: 200))
    XCTAssertEqual(lin.fraction(1e300), 1001, "far-off values are clamped")

    let log = Axis(scale: .log10, range: 1...100).layout(data: [])
    // log10 is the C library's; 1e-12 allows for its last-bit rounding.
    XCTAssertEqual(log.map(10, from: 0, to: 300)!, 150, accuracy: 1e-12)
    XCTAssertEqual(log.map(1, from: 0, to: 300)!, 0, accuracy: 1e-12)
    XCTAssertNil(log.map(0, from: 0, to: 300), "0 has no position on a log axis")
    XCTAssertNil(log.map(-2, from: 0, to: 300))
  }
}

final class PlotHistogramTests: XCTestCase {
  func testBinsAreHalfOpenAndTheLastIsClosed() {
    let b = Series.Histogram.bin([0, 0.1, 0.5, 0.99, 1.0, .nan, 2, -0.1], bins: 2, range: 0...1)
    XCTAssertEqual(b.edges, [0, 0.5, 1])
    XCTAssertEqual(b.counts, [2, 3], "NaN and values outside the range are dropped; 1.0 is in the last bin")
  }

  func testValuesOnAnEdgeGoToTheBinAboveIt() {
    let b = Series.Histogram.bin([0.3, 0.7, 0.6], bins: 10, range: 0...1)
    XCTAssertEqual(b.edges[3], 0.3)
    XCTAssertEqual(b.counts[3], 1)
    XCTAssertEqual(b.counts[7], 1)
    XCTAssertEqual(b.counts[6], 1)
    XCTAssertEqual(b.counts.reduce(0, +), 3)
  }

  func testRangeFromDataAndDegenerateCases() {
    let b = Series.Histogram.bin([4, 2, 3], bins: 4)
    XCTAssertEqual(b.edges, [2, 2.5, 3, 3.5, 4])
    XCTAssertEqual(b.counts, [1, 0, 1, 1])
    let same = Series.Histogram.bin([2, 2, 2], bins: 3)
    XCTAssertEqual(same.edges.first, 1.5)
    XCTAssertEqual(same.edges.last, 2.5)
    XCTAssertEqual(same.counts, [0, 3, 0])
    let none = Series.Histogram.bin([.nan], bins: 2)
    XCTAssertEqual(none.edges, [0, 0.5, 1])
    XCTAssertEqual(none.counts, [0, 0])
    XCTAssertEqual(Series.Histogram.bin([1, 2], bins: 0).counts.count, 1, "at least one bin")
  }

  func testNormalizations() {
    let values = [0.1, 0.2, 0.3, 0.9]
    let f = Series.Histogram.bin(values, bins: 2, range: 0...1, normalization: .fraction)
    XCTAssertEqual(f.counts, [0.75, 0.25])
    let d = Series.Histogram.bin(values, bins: 4, range: 0...2, normalization: .density)
    let area = zip(d.counts, zip(d.edges, d.edges.dropFirst())).map { c, e in c * (e.1 - e.0) }.reduce(0, +)
    XCTAssertEqual(area, 1, accuracy: 1e-12)  // sums of a few exact binary fractions
  }

  func testCommonRange() {
    XCTAssertEqual(Series.Histogram.commonRange([[1, 5, .nan], [-2, 3]]), -2...5)
    XCTAssertNil(Series.Histogram.commonRange([[.nan], []]))
    XCTAssertNil(Series.Histogram.commonRange([[1, 1]]))
  }
}

final class PlotRenderTests: XCTestCase {
  func figure(_ panels: [Panel], title: String = "t") -> Figure {
    Figure(title: title, panels: panels)
  }

  func testTextIsEscaped() {
    let svg = renderSVG(Figure(
      title: "a<b & \"c\" 'd'", caption: ["x > y"],
      panels: [Panel(title: "<p>", x: Axis(label: "&x"), y: Axis(label: "y\"")),
               Panel(series: [.line(.init(label: "<L>", x: [0, 1], y: [0, 1]))])]))
    XCTAssertTrue(svg.contains("<title>a&lt;b &amp; &quot;c&quot; &apos;d&apos;</title>"))
    XCTAssertTrue(svg.contains("&lt;p&gt;"))
    XCTAssertTrue(svg.contains(">&amp;x<"))
    XCTAssertTrue(svg.contains(">y&quot;<"))
    XCTAssertTrue(svg.contains(">x &gt; y<"))
    XCTAssertTrue(svg.contains(">&lt;L&gt;<"))
    XCTAssertFalse(svg.contains("a<b"))
    XCTAssertFalse(svg.contains("<p>"))
  }

  func testNonFinitePointsBreakTheLine() {
    let y: [Double] = [1, 2, .nan, 3, 4, .infinity, 5]
    let svg = renderSVG(figure([Panel(series: [.line(.init(x: [0, 1, 2, 3, 4, 5, 6], y: y))])]))
    guard let pathLine = svg.split(separator: "\n").first(where: { $0.hasPrefix("<path d=\"M") }) else {
      return XCTFail("no line path")
    }
    XCTAssertEqual(occurrences(of: "M", in: String(pathLine)), 2, "two runs: [0, 1] and [3, 4]")
    XCTAssertEqual(occurrences(of: "<circle", in: svg), 1, "the point alone at x = 6 is a dot")
    XCTAssertFalse(svg.contains("nan"))
    XCTAssertFalse(svg.contains("inf"))
  }

  func testNonPositiveValuesAreDroppedOnLogAxes() {
    let svg = renderSVG(figure([Panel(
      y: Axis(scale: .log10),
      series: [.line(.init(x: [0, 1, 2, 3, 4], y: [1, 10, 0, 100, 1000]))])]))
    guard let pathLine = svg.split(separator: "\n").first(where: { $0.hasPrefix("<path d=\"M") }) else {
      return XCTFail("no line path")
    }
    XCTAssertEqual(occurrences(of: "M", in: String(pathLine)), 2, "0 breaks the line")
    XCTAssertEqual(occurrences(of: "L", in: String(pathLine)), 2)
  }

  func testEmptyAndUndrawableSeriesSayNoData() {
    let svg = renderSVG(figure([
      Panel(series: [.line(.init(label: "L", x: [], y: [])), .band(.init(x: [1], lower: [], upper: [])),
                     .histogram(.init(edges: [], counts: [])), .scatter(.init(x: [.nan], y: [1]))]),
      Panel(emptyText: "nothing yet"),
    ]))
    XCTAssertEqual(occurrences(of: ">no data</text>", in: svg), 1)
    XCTAssertEqual(occurrences(of: ">nothing yet</text>", in: svg), 1)
    XCTAssertTrue(svg.contains("data-panels=\"2\""))
  }

  func testPanelsBeyondTheGridAddRows() {
    let svg = renderSVG(Figure(title: "", rows: 1, columns: 2, panels: Array(repeating: Panel(), count: 3)))
    XCTAssertTrue(svg.contains("data-row=\"1\" data-column=\"0\""))
    XCTAssertEqual(occurrences(of: "class=\"frame\"", in: svg), 3)
  }

  func testColoursFollowThePaletteAndBandsPairWithTheirLine() {
    let series: [Series] = [
      .band(.init(x: [], lower: [], upper: [])), .line(.init(x: [], y: [])),
      .band(.init(x: [], lower: [], upper: [])), .line(.init(x: [], y: [])),
      .scatter(.init(x: [], y: [], color: PlotColor(hex: "#123456"))), .histogram(.init(edges: [], counts: [])),
    ]
    XCTAssertEqual(Series.resolvedColors(series), [
      PlotColor.palette(0), PlotColor.palette(0), PlotColor.palette(1), PlotColor.palette(1),
      PlotColor(red: 0x12, green: 0x34, blue: 0x56), PlotColor.palette(2),
    ])
    XCTAssertEqual(PlotColor.okabeIto.map(\.hex),
                   ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442"])
    XCTAssertEqual(PlotColor.palette(8), PlotColor.palette(0))
    XCTAssertEqual(PlotColor(hex: "e69f00"), PlotColor.palette(1))
    XCTAssertNil(PlotColor(hex: "#12345"))
    XCTAssertNil(PlotColor(hex: "#12345G"))
    XCTAssertFalse(PlotColor.okabeIto.contains(PlotColor.frame), "the frame colour is reserved")
  }

  func testLegendMergesABandAndALineWithOneLabel() {
    let panel = Panel(series: [
      .line(.init(label: "PPO", x: [0], y: [0])), .band(.init(label: "PPO", x: [0], lower: [0], upper: [0])),
      .line(.init(x: [0], y: [0])), .scatter(.init(label: "", x: [0], y: [0])),
      .histogram(.init(label: "H", edges: [0, 1], counts: [1])),
    ])
    let entries = LegendEntry.entries(for: panel)
    XCTAssertEqual(entries.map(\.label), ["PPO", "H"], "unlabelled and empty-labelled series have no entry")
    XCTAssertEqual(entries[0].swatches.count, 2)
    if case .fill = entries[0].swatches[0] {} else { XCTFail("the band's fill goes under the line") }
  }

  func testBestLegendAvoidsTheData() {
    // A rising diagonal covers the bottom-left and top-right corners: the
    // legend goes top left (6 px in from the plot area's corner).
    let rising = renderSVG(figure([Panel(series: [.line(.init(label: "up", x: [0, 10], y: [0, 10]))])]))
    XCTAssertTrue(rising.contains("<g class=\"legend\">\n<rect x=\"6.00\" y=\"6.00\""))
    // A horizontal band across the whole area covers every corner: below.
    let full = renderSVG(figure([Panel(series: [
      .band(.init(label: "all", x: [0, 10], lower: [0, 0], upper: [10, 10])),
    ])]))
    XCTAssertFalse(full.contains("fill-opacity=\"0.9\""), "no inside legend box")
    XCTAssertTrue(full.contains("<g class=\"legend\">"))
    let hidden = renderSVG(figure([Panel(series: [.line(.init(label: "x", x: [0, 1], y: [0, 1]))], legend: .hidden)]))
    XCTAssertFalse(hidden.contains("class=\"legend\""))
  }

  func testGroupedHistogramsSplitEachBin() {
    let panel = Panel(
      x: Axis(range: 0...2), y: Axis(range: 0...4),
      series: [.histogram(.init(edges: [0, 1, 2], counts: [1, 2])), .histogram(.init(edges: [0, 1, 2], counts: [3, 4]))],
      histogramLayout: .grouped)
    let svg = renderSVG(Figure(title: "", panels: [panel], plotWidth: 200, plotHeight: 100))
    // Bin [0, 1] is 100 px wide: the first series takes 0–50, the second 50–100.
    XCTAssertTrue(svg.contains("M0.00 100.00 V75.00 H50.00 V100.00 Z"))
    XCTAssertTrue(svg.contains("M50.00 100.00 V25.00 H100.00 V100.00 Z"))
  }

  func testReferenceLinesOutsideTheRangeAreNotDrawn() {
    let svg = renderSVG(figure([Panel(
      x: Axis(range: 0...1), y: Axis(range: 0...1),
      references: [.horizontal(2, label: "off"), .vertical(0.5, label: "δ")])]))
    XCTAssertEqual(occurrences(of: "class=\"reference\"", in: svg), 1)
    XCTAssertFalse(svg.contains(">off<"))
    XCTAssertTrue(svg.contains(">δ</text>"))
  }
}
