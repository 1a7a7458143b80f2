// Plot: a small SVG plotting library shared by every figure of the project.
//
// A figure is a plain value (`Figure` → `Panel`s → `Axis`, `Series`,
// `ReferenceLine`) and `renderSVG(_:)` is a pure function of it: no clock,
// locale, environment or dictionary order reaches the output, and every
// coordinate is printed with two decimals, so the same figure gives the same
// bytes on every run.
//
// - PlotModel.swift: the figure, its panels, axes, series, reference lines, colours.
// - PlotTicks.swift: tick generation (1-2-5 steps, decades), tick labels, axis mapping.
// - PlotHistogram.swift: deterministic binning.
// - PlotText.swift: fixed-decimal numbers, XML escaping, text width estimates.
// - PlotLegend.swift: legend entries, size and placement.
// - PlotRender.swift: `renderSVG(_:)`.
//
// Data that cannot be drawn is skipped, never guessed: a non-finite value
// leaves a gap in a line or band, and so does a value ≤ 0 on a log axis
// (dropped, as it has no position there). A series with no drawable point
// draws nothing, and a panel with no drawable data says "no data".
//
// For checkers (scripts/figures/check_png.py): the root `<svg>` carries
// `data-panels="N"`, each panel is a `<g class="panel">`, and each panel's
// plot area is framed by one rectangle in `PlotColor.frame`, a colour used for
// nothing else, drawn last in the panel on half-pixel coordinates so that it
// rasterises to crisp lines of exactly that colour.

/// An sRGB colour, written as "#RRGGBB" in the SVG.
public struct PlotColor: Equatable, Hashable, Sendable {
  public var red: UInt8
  public var green: UInt8
  public var blue: UInt8

  public init(red: UInt8, green: UInt8, blue: UInt8) {
    self.red = red
    self.green = green
    self.blue = blue
  }

  /// Parses "#RRGGBB" (or "RRGGBB"), either case; nil for anything else.
  public init?(hex: String) {
    var s = Substring(hex)
    if s.hasPrefix("#") { s = s.dropFirst() }
    guard s.count == 6, let v = UInt32(s, radix: 16) else { return nil }
    self.init(red: UInt8(v >> 16 & 0xFF), green: UInt8(v >> 8 & 0xFF), blue: UInt8(v & 0xFF))
  }

  /// "#RRGGBB", upper case.
  public var hex: String {
    let digits = Array("0123456789ABCDEF")
    var s = "#"
    for c in [red, green, blue] {
      s.append(digits[Int(c >> 4)])
      s.append(digits[Int(c & 0xF)])
    }
    return s
  }

  /// The Okabe–Ito colour-blind-safe palette, in the order series take it:
  /// blue, orange, bluish green, reddish purple, sky blue, vermillion, black,
  /// yellow. A report's rows take theirs by name (`RowPalette`, the same colour
  /// for a row in every figure of a study); yellow comes last as it is faint on white.
  public static let okabeIto: [PlotColor] = [
    PlotColor(red: 0x00, green: 0x72, blue: 0xB2),  // blue
    PlotColor(red: 0xE6, green: 0x9F, blue: 0x00),  // orange
    PlotColor(red: 0x00, green: 0x9E, blue: 0x73),  // bluish green
    PlotColor(red: 0xCC, green: 0x79, blue: 0xA7),  // reddish purple
    PlotColor(red: 0x56, green: 0xB4, blue: 0xE9),  // sky blue
    PlotColor(red: 0xD5, green: 0x5E, blue: 0x00),  // vermillion
    PlotColor(red: 0x00, green: 0x00, blue: 0x00),  // black
    PlotColor(red: 0xF0, green: 0xE4, blue: 0x42),  // yellow
  ]

  /// The `index`-th palette colour (wrapping around after eight).
  public static func palette(_ index: Int) -> PlotColor {
    let n = okabeIto.count
    return okabeIto[((index % n) + n) % n]
  }

  /// The colour of every plot-area frame, and of nothing else in a figure, so
  /// that a checker can find and count the panels in a rendered PNG.
  public static let frame = PlotColor(red: 0x33, green: 0x3A, blue: 0x40)
  /// Default colour of reference lines and their labels.
  public static let reference = PlotColor(red: 0x55, green: 0x55, blue: 0x55)
}

/// A figure: a title, a grid of panels, and caption lines (what the figure
/// shows, and where its numbers come from: command, commit, date, scale).
public struct Figure: Equatable, Sendable {
  /// Printed in bold above the grid, and the SVG's `<title>`.
  public var title: String
  /// Lines printed under the grid in grey, in order; the first is also the SVG's `<desc>`.
  public var caption: [String]
  /// Grid size. Panels fill it row by row; cells past the last panel stay empty.
  /// Sizes below 1 are taken as 1, and the grid grows by rows if there are
  /// more panels than cells.
  public var rows: Int
  public var columns: Int
  public var panels: [Panel]
  /// Size of each panel's plot area (the framed rectangle) in pixels; the
  /// figure is as large as the grid of plot areas plus their margins.
  public var plotWidth: Double
  public var plotHeight: Double
  /// Entries of one legend shared by all panels, drawn under the grid (empty:
  /// none). Use it when every panel shows the same series, with
  /// `legend: .hidden` on the panels; `LegendEntry.entries(for:)` builds it.
  public var legend: [LegendEntry]
  /// Whether the title and caption are drawn. A figure that LaTeX captions (it is
  /// `\includegraphics`'d under a `\caption`) draws neither: they stay the SVG's
  /// `<title>` and `<desc>`, and the report's text says them.
  public var drawsTitleAndCaption: Bool

  public init(
    title: String, caption: [String] = [], rows: Int = 1, columns: Int = 1, panels: [Panel],
    plotWidth: Double = 300, plotHeight: Double = 200, legend: [LegendEntry] = [], drawsTitleAndCaption: Bool = true
  ) {
    self.drawsTitleAndCaption = drawsTitleAndCaption
    self.title = title
    self.caption = caption
    self.rows = rows
    self.columns = columns
    self.panels = panels
    self.plotWidth = plotWidth
    self.plotHeight = plotHeight
    self.legend = legend
  }
}

/// One plot: a title, two axes, series drawn in a framed plot area, reference
/// lines, and (optionally) a legend.
public struct Panel: Equatable, Sendable {
  /// Where a panel's legend goes.
  public enum LegendPlacement: Equatable, Sendable {
    /// No legend.
    case hidden
    /// Inside the plot area, in the first corner (top right, top left, bottom
    /// right, bottom left) where it covers no data; below the panel if every
    /// corner would cover data or the legend does not fit inside.
    case best
    /// Inside the plot area in this corner, whatever it covers.
    case inside(Corner)
    /// Under the panel's x axis label, entries side by side, wrapping.
    case below
  }

  public enum Corner: Equatable, Sendable, CaseIterable {
    case topRight, topLeft, bottomRight, bottomLeft
  }

  /// How several histogram series of one panel share it.
  public enum HistogramLayout: Equatable, Sendable {
    /// Each histogram drawn over the whole of each bin, translucent, in series order.
    case overlaid
    /// Each bin split into one slot per histogram series, side by side.
    case grouped
  }

  public var title: String
  public var x: Axis
  public var y: Axis
  /// Drawn in order within each kind; all bands and histograms are drawn
  /// before lines and scatter points, so a band never hides a line.
  public var series: [Series]
  /// Drawn over the data, each with its label.
  public var references: [ReferenceLine]
  public var legend: LegendPlacement
  public var histogramLayout: HistogramLayout
  /// Printed in the middle of the plot area when nothing can be drawn.
  public var emptyText: String

  public init(
    title: String = "", x: Axis = Axis(), y: Axis = Axis(), series: [Series] = [],
    references: [ReferenceLine] = [], legend: LegendPlacement = .best,
    histogramLayout: HistogramLayout = .overlaid, emptyText: String = "no data"
  ) {
    self.title = title
    self.x = x
    self.y = y
    self.series = series
    self.references = references
    self.legend = legend
    self.histogramLayout = histogramLayout
    self.emptyText = emptyText
  }
}

/// An axis: label, scale, range and tick labelling.
public struct Axis: Equatable, Sendable {
  public enum Scale: Equatable, Sendable {
    case linear
    /// Base-10 logarithmic. Values ≤ 0 have no position: they are dropped
    /// (a gap in lines and bands; histogram bars start at the axis' lower end).
    case log10
  }

  /// How tick labels are written. All are locale-free: ASCII digits, "."
  /// as decimal point, "-" for negatives, never "-0".
  public enum TickFormat: Equatable, Sendable {
    /// Linear: as many decimals as the tick step needs ("0.5", "1.0");
    /// when the largest tick magnitude is at least 10 000, a k/M/G suffix
    /// ("250k", "1.5M"). Log: "0.001" ... "10000" when every tick is within
    /// 10^-3 ... 10^4, else "10⁵"-style powers ("2×10⁵" for a labelled 2 or 5).
    case automatic
    /// Linear: as `automatic`, without k/M/G suffixes.
    case plain
    /// A fixed number of decimals.
    case decimals(Int)
    /// Value × 100 with a "%" sign, decimals as the step needs.
    case percent
  }

  public var label: String
  public var scale: Scale
  /// Fixed range; nil: from the data (linear: widened to the nearest ticks
  /// outside it; log: to whole decades). A fixed range that is empty,
  /// non-finite, or (log) not positive is ignored, and the data decides.
  public var range: ClosedRange<Double>?
  /// About how many intervals between major ticks a linear axis aims for (at most this many).
  public var tickTarget: Int
  public var tickFormat: TickFormat
  /// A categorical axis: category i sits at position i, labelled with its name, over
  /// [-0.5, count - 0.5] (`range`, `scale` and the tick settings are then unused).
  public var categories: [String]?

  public init(
    label: String = "", scale: Scale = .linear, range: ClosedRange<Double>? = nil,
    tickTarget: Int = 5, tickFormat: TickFormat = .automatic, categories: [String]? = nil
  ) {
    self.label = label
    self.scale = scale
    self.range = range
    self.tickTarget = tickTarget
    self.tickFormat = tickFormat
    self.categories = categories
  }
}

/// One data series of a panel.
///
/// Colours: a series whose `color` is nil takes the next Okabe–Ito colour in
/// its panel (`PlotColor.palette(k)` for the k-th such series), except that a
/// band does not advance the palette: a band with no colour takes the colour
/// the next series will take. So [band, line, band, line] with no colours
/// gives two pairs, each band in its line's colour.
public enum Series: Equatable, Sendable {
  case line(Line)
  case band(Band)
  case histogram(Histogram)
  case scatter(Scatter)

  public enum Dash: Equatable, Sendable {
    case solid, dashed, dotted
  }

  public enum Marker: Equatable, Sendable {
    case circle, square, triangle, diamond, cross
  }

  /// A polyline through (x[i], y[i]); mismatched arrays are cut to the
  /// shorter. A point that cannot be drawn breaks the line; a point alone
  /// between two breaks is drawn as a dot.
  public struct Line: Equatable, Sendable {
    /// Legend text; nil or empty: no legend entry.
    public var label: String?
    public var x: [Double]
    public var y: [Double]
    public var color: PlotColor?
    public var width: Double
    public var opacity: Double
    public var dash: Dash
    /// A marker at every drawn point.
    public var marker: Marker?

    public init(
      label: String? = nil, x: [Double], y: [Double], color: PlotColor? = nil, width: Double = 1.75,
      opacity: Double = 1, dash: Dash = .solid, marker: Marker? = nil
    ) {
      self.label = label
      self.x = x
      self.y = y
      self.color = color
      self.width = width
      self.opacity = opacity
      self.dash = dash
      self.marker = marker
    }
  }

  /// A filled region between `lower[i]` and `upper[i]` over `x[i]`, e.g. a
  /// bootstrap confidence band around a mean line. An index where any of the
  /// three cannot be drawn splits the band in two.
  public struct Band: Equatable, Sendable {
    public var label: String?
    public var x: [Double]
    public var lower: [Double]
    public var upper: [Double]
    public var color: PlotColor?
    /// Fill opacity.
    public var opacity: Double

    public init(
      label: String? = nil, x: [Double], lower: [Double], upper: [Double], color: PlotColor? = nil,
      opacity: Double = 0.22
    ) {
      self.label = label
      self.x = x
      self.lower = lower
      self.upper = upper
      self.color = color
      self.opacity = opacity
    }
  }

  /// Bars over bins: `counts[i]` over [edges[i], edges[i+1]]. Bins with a
  /// non-finite edge or count are skipped; extra counts or edges are ignored.
  public struct Histogram: Equatable, Sendable {
    public var label: String?
    public var edges: [Double]
    public var counts: [Double]
    public var color: PlotColor?
    /// Fill opacity of the bars (their outline is opaque).
    public var opacity: Double

    public init(
      label: String? = nil, edges: [Double], counts: [Double], color: PlotColor? = nil, opacity: Double = 0.45
    ) {
      self.label = label
      self.edges = edges
      self.counts = counts
      self.color = color
      self.opacity = opacity
    }

    /// Bins `values` with `Series.Histogram.bin(_:bins:range:normalization:)`.
    /// For an on/off comparison, give both the same `range` (e.g. from
    /// `commonRange(_:)`) so that their bins coincide.
    public init(
      label: String? = nil, values: [Double], bins: Int, range: ClosedRange<Double>? = nil,
      normalization: Normalization = .count, color: PlotColor? = nil, opacity: Double = 0.45
    ) {
      let b = Series.Histogram.bin(values, bins: bins, range: range, normalization: normalization)
      self.init(label: label, edges: b.edges, counts: b.counts, color: color, opacity: opacity)
    }
  }

  /// Markers at (x[i], y[i]); points that cannot be drawn are skipped.
  public struct Scatter: Equatable, Sendable {
    public var label: String?
    public var x: [Double]
    public var y: [Double]
    public var color: PlotColor?
    public var marker: Marker
    /// Marker size (diameter) in pixels.
    public var size: Double
    public var opacity: Double

    public init(
      label: String? = nil, x: [Double], y: [Double], color: PlotColor? = nil, marker: Marker = .circle,
      size: Double = 5, opacity: Double = 0.8
    ) {
      self.label = label
      self.x = x
      self.y = y
      self.color = color
      self.marker = marker
      self.size = size
      self.opacity = opacity
    }
  }

  /// The series' legend label, nil when it has none.
  public var label: String? {
    let l: String?
    switch self {
    case .line(let s): l = s.label
    case .band(let s): l = s.label
    case .histogram(let s): l = s.label
    case .scatter(let s): l = s.label
    }
    guard let l, !l.isEmpty else { return nil }
    return l
  }

  /// The colour the caller gave, if any.
  public var explicitColor: PlotColor? {
    switch self {
    case .line(let s): return s.color
    case .band(let s): return s.color
    case .histogram(let s): return s.color
    case .scatter(let s): return s.color
    }
  }

  /// The colour each of `series` is drawn in (see the type's documentation).
  public static func resolvedColors(_ series: [Series]) -> [PlotColor] {
    var next = 0
    var out: [PlotColor] = []
    for s in series {
      if let c = s.explicitColor {
        out.append(c)
      } else if case .band = s {
        out.append(PlotColor.palette(next))
      } else {
        out.append(PlotColor.palette(next))
        next += 1
      }
    }
    return out
  }
}

/// A horizontal or vertical line across the plot area with a label, e.g. the
/// clipping bounds "1 + ε" and "1 − ε", or a threshold "δ".
public struct ReferenceLine: Equatable, Sendable {
  public enum Orientation: Equatable, Sendable {
    /// y = value.
    case horizontal
    /// x = value.
    case vertical
  }

  public var orientation: Orientation
  public var value: Double
  /// Printed at the line's end inside the plot area (horizontal: right end,
  /// above the line; vertical: top, right of the line). Empty: no label.
  public var label: String
  public var color: PlotColor
  public var dash: Series.Dash
  public var width: Double

  public init(
    _ orientation: Orientation, at value: Double, label: String = "", color: PlotColor = .reference,
    dash: Series.Dash = .dashed, width: Double = 1.25
  ) {
    self.orientation = orientation
    self.value = value
    self.label = label
    self.color = color
    self.dash = dash
    self.width = width
  }

  /// y = `value`.
  public static func horizontal(_ value: Double, label: String = "", color: PlotColor = .reference,
                                dash: Series.Dash = .dashed) -> ReferenceLine {
    ReferenceLine(.horizontal, at: value, label: label, color: color, dash: dash)
  }

  /// x = `value`.
  public static func vertical(_ value: Double, label: String = "", color: PlotColor = .reference,
                              dash: Series.Dash = .dashed) -> ReferenceLine {
    ReferenceLine(.vertical, at: value, label: label, color: color, dash: dash)
  }
}

/// One legend entry: a swatch and a label. The swatch shows every kind of
/// series that carries the label, superimposed (a band and its mean line
/// with the same label make one entry: a translucent box with a line across).
public struct LegendEntry: Equatable, Sendable {
  public enum Swatch: Equatable, Sendable {
    case line(color: PlotColor, dash: Series.Dash, width: Double, marker: Series.Marker?)
    case fill(color: PlotColor, opacity: Double)
    case marker(color: PlotColor, marker: Series.Marker)
  }

  public var label: String
  /// Drawn in order (fills first looks best).
  public var swatches: [Swatch]

  public init(label: String, swatches: [Swatch]) {
    self.label = label
    self.swatches = swatches
  }

  /// The entries of a panel's legend: one per distinct label, in order of
  /// first appearance; series without a label have no entry.
  public static func entries(for panel: Panel) -> [LegendEntry] {
    let colors = Series.resolvedColors(panel.series)
    var out: [LegendEntry] = []
    for (s, color) in zip(panel.series, colors) {
      guard let label = s.label else { continue }
      let swatch: Swatch
      switch s {
      case .line(let l): swatch = .line(color: color, dash: l.dash, width: l.width, marker: l.marker)
      case .band(let b): swatch = .fill(color: color, opacity: b.opacity)
      case .histogram(let h): swatch = .fill(color: color, opacity: h.opacity)
      case .scatter(let p): swatch = .marker(color: color, marker: p.marker)
      }
      if let k = out.firstIndex(where: { $0.label == label }) {
        // Fills go under lines and markers.
        if case .fill = swatch { out[k].swatches.insert(swatch, at: 0) } else { out[k].swatches.append(swatch) }
      } else {
        out.append(LegendEntry(label: label, swatches: [swatch]))
      }
    }
    return out
  }
}
