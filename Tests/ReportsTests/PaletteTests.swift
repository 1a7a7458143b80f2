import Reports
import RunModel
import XCTest

/// Issue 30: one palette; a row's colour is fixed by its name in every figure of a study.
final class PaletteTests: XCTestCase {
  let blue = PlotColor.palette(0), orange = PlotColor.palette(1), green = PlotColor.palette(2)
  let purple = PlotColor.palette(3), sky = PlotColor.palette(4), vermillion = PlotColor.palette(5)

  func testARowNamedAfterAPresetKeepsItsColourWhateverItsPosition() {
    // Table 2's order, Figure 2's order and Table 3's rows.
    XCTAssertEqual(RowPalette.colors(["PPO", "PPO-M", "TRPO", "TRPO+"]), [blue, orange, green, purple])
    XCTAssertEqual(RowPalette.colors(["TRPO", "PPO", "PPO-M"]), [green, blue, orange], "PPO stays blue in Figure 2")
    XCTAssertEqual(RowPalette.colors(["PPO", "PPO-M", "PPO-NoClip"]), [blue, orange, sky], "PPO-NoClip does not take TRPO's green")
    XCTAssertEqual(RowPalette.colors(["PPO", "PPO-M", "TRPO", "TRPO+", "TRPO+ (KL schedule)"]).last, vermillion)
    XCTAssertEqual(RowPalette.colors(["CleanRL"]), [blue], "CleanRL's PPO is drawn as PPO is")
  }

  func testOtherRowsTakeTheColoursNoPresetRowHolds() {
    // No preset-named row: palette order, as before.
    let grid = (0..<10).map { "config \($0)" }
    XCTAssertEqual(RowPalette.colors(grid), (0..<10).map { PlotColor.palette($0) })
    // Mixed: the others skip the preset rows' colours.
    XCTAssertEqual(RowPalette.colors(["mine", "TRPO", "yours"]), [blue, green, orange])
    // Two rows wanting one colour: the second takes a free one.
    XCTAssertEqual(RowPalette.colors(["PPO", "CleanRL"]), [blue, orange])
    // Every preset's colour is one of the six that are neither black nor yellow.
    for p in Preset.allCases { XCTAssertTrue((0..<6).contains(p.figureColorIndex), p.rawValue) }
  }

  /// The bar chart draws with it: PPO-NoClip sky blue and TRPO green, not the first two colours.
  func testTheBarChartColoursRowsByName() {
    let svg = renderBarChartSVG(Fixtures.small(runs: .complete(80), ours: Fixtures.ci(2500, 2400, 2600), name: "PPO-NoClip"))
    XCTAssertTrue(svg.contains(sky.hex), svg)
    XCTAssertTrue(svg.contains(green.hex), svg)
    XCTAssertFalse(svg.contains(blue.hex), svg)
    XCTAssertFalse(svg.contains(orange.hex), svg)
  }
}

/// Issue 30: a trust-region row whose values span decades is drawn on a log axis.
final class TrustRegionScaleTests: XCTestCase {
  func row(_ values: [Double?], logScale: Bool = false) -> TrustRegionRow {
    let s = TrustRegionSeries(algorithm: "TRPO", iterations: values.indices.map { Double($0 + 1) }, agents: [values],
                              mean: values, low: values, high: values)
    return TrustRegionRow(metric: "max ratio, training batch", logScale: logScale, panels: [[s]])
  }

  func testADecadeOrMoreIsDrawnOnALogAxis() {
    XCTAssertTrue(row([1.1, 1.3, 1600]).drawnOnLogScale, "TRPO's spikes beside ratios near 1 + ε")
    XCTAssertTrue(row([1.5, 15]).drawnOnLogScale, "exactly a decade")
    XCTAssertFalse(row([1.1, 1.3, 2.5]).drawnOnLogScale)
    XCTAssertFalse(row([nil, 0, -3, 2]).drawnOnLogScale, "non-positive values have no place on a log axis and are not counted")
    XCTAssertFalse(row([]).drawnOnLogScale)
    XCTAssertTrue(row([0.01, 0.02], logScale: true).drawnOnLogScale, "the row's own request stands")
  }
}

/// Issue 30: no axis below 0 where (almost) no data is.
final class AxisBelowZeroTests: XCTestCase {
  func testDataJustBelowZeroStartsTheAxisAtItsOwnLowestValue() {
    // Walker2d's learning curve: -0.54 at the first iteration, 3743 at the end.
    let layout = Axis().layout(data: [-0.54, 1200, 3743])
    XCTAssertEqual(layout.lower, -0.54, "not -1000")
    XCTAssertEqual(layout.upper, 4000)
    XCTAssertEqual(layout.ticks.first?.value, 0)
    XCTAssertEqual(layout.ticks.last?.value, 4000)
    // Data well below 0 keeps a tick below it.
    let negative = Axis().layout(data: [-300, 2700])
    XCTAssertLessThanOrEqual(negative.lower, -300)
    XCTAssertEqual(negative.lower, negative.ticks.first?.value)
    // Data at or above 0 is as before.
    XCTAssertEqual(Axis().layout(data: [0, 3743]).lower, 0)
  }
}
