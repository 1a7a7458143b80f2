// `renderSVG(_:)`: a `Figure` as an SVG document, built as a string.
//
// Each panel is prepared first in its plot area's own pixel coordinates
// (origin at the top-left corner of the plot area, y growing downwards):
// axes resolved against the data, series drawn, what they cover recorded, and
// the legend placed. Then the grid is laid out from the widest tick labels and
// the legends below panels, and each panel is written inside
// `<g class="panel" transform="translate(X Y)">` with X and Y whole pixels.
//
// Inside a panel, in order: white plot area, grid lines, data (clipped to
// the plot area: histograms, bands, lines, scatter), reference lines and their
// labels, "no data" when nothing could be drawn, ticks and tick labels, axis
// labels, panel title, legend, and last the frame, in `PlotColor.frame`.

/// The figure as a standalone SVG document (UTF-8 text ending in a newline).
/// A pure function of `figure`: the same figure gives the same bytes.
public func renderSVG(_ figure: Figure) -> String {
  PlotRenderer.render(figure)
}

/// The plot renderer's internals (a namespace).
enum PlotRenderer {
  static let tickFont = 10.0
  static let gridColor = "#E3E3E3"
  static let minorGridColor = "#F2F2F2"
  static let axisColor = "#555555"
  static let textColor = "#222222"

  // MARK: Small writers

  static func px(_ x: Double) -> String { PlotText.px(x) }

  /// An opacity in [0, 1], at most three decimals, no trailing zeros.
  static func op(_ x: Double) -> String {
    PlotText.trimmed(x.isFinite ? min(max(x, 0), 1) : 1, maxDecimals: 3)
  }

  /// ` stroke-dasharray="..."`, or nothing for a solid line.
  static func dashAttribute(_ d: Series.Dash) -> String {
    switch d {
    case .solid: return ""
    case .dashed: return " stroke-dasharray=\"6 4\""
    case .dotted: return " stroke-dasharray=\"1.5 3\""
    }
  }

  /// A marker of diameter `size` centred on (x, y).
  static func markerElement(_ m: Series.Marker, _ x: Double, _ y: Double, size: Double, fill: PlotColor?) -> String {
    let r = size / 2
    let paint = fill.map { " fill=\"\($0.hex)\"" } ?? ""
    switch m {
    case .circle:
      return "<circle cx=\"\(px(x))\" cy=\"\(px(y))\" r=\"\(px(r))\"\(paint)/>"
    case .square:
      return "<rect x=\"\(px(x - r))\" y=\"\(px(y - r))\" width=\"\(px(size))\" height=\"\(px(size))\"\(paint)/>"
    case .triangle:
      let t = r * 1.15
      return "<path d=\"M\(px(x)) \(px(y - t)) L\(px(x + t)) \(px(y + t * 0.8)) L\(px(x - t)) \(px(y + t * 0.8)) Z\"\(paint)/>"
    case .diamond:
      let t = r * 1.3
      return "<path d=\"M\(px(x)) \(px(y - t)) L\(px(x + t)) \(px(y)) L\(px(x)) \(px(y + t)) L\(px(x - t)) \(px(y)) Z\"\(paint)/>"
    case .cross:
      let stroke = fill.map { " stroke=\"\($0.hex)\"" } ?? ""
      return "<path d=\"M\(px(x - r)) \(px(y - r)) L\(px(x + r)) \(px(y + r)) M\(px(x - r)) \(px(y + r)) L\(px(x + r)) \(px(y - r))\""
        + " fill=\"none\"\(stroke) stroke-width=\"1.5\"/>"
    }
  }

  /// `text` in lines no wider than `width` at `size` px, broken at spaces (a
  /// single word wider than `width` gets a line of its own).
  static func wrap(_ text: String, width: Double, size: Double) -> [String] {
    var lines: [String] = []
    var line = ""
    for word in text.split(separator: " ", omittingEmptySubsequences: true) {
      let candidate = line.isEmpty ? String(word) : line + " " + word
      if !line.isEmpty && PlotText.width(candidate, size: size) > width {
        lines.append(line)
        line = String(word)
      } else {
        line = candidate
      }
    }
    if !line.isEmpty || lines.isEmpty { lines.append(line) }
    return lines
  }

  // MARK: Panels

  /// A panel ready to be written: axes, drawn data, legend decision.
  struct Prepared {
    var panel: Panel
    var x: Axis.Layout
    var y: Axis.Layout
    /// Elements drawn inside the clipped data group.
    var data: [String] = []
    /// Reference-line labels (outside the clip, inside the plot area).
    var labels: [String] = []
    /// Whether any data was drawn (reference lines do not count).
    var drawable = false
    var entries: [LegendEntry] = []
    var placement: Placement = .none
  }

  /// The values of `panel`'s data on its x and y axes (pairs that cannot be
  /// drawn left out), plus the reference lines and, for histograms on a
  /// linear y axis, the baseline 0.
  static func axisData(_ panel: Panel) -> (x: [Double], y: [Double]) {
    func okX(_ v: Double) -> Bool { v.isFinite && (panel.x.scale == .linear || v > 0) }
    func okY(_ v: Double) -> Bool { v.isFinite && (panel.y.scale == .linear || v > 0) }
    var xs: [Double] = [], ys: [Double] = []
    for s in panel.series {
      switch s {
      case .line(let l):
        for i in 0..<min(l.x.count, l.y.count) where okX(l.x[i]) && okY(l.y[i]) {
          xs.append(l.x[i])
          ys.append(l.y[i])
        }
      case .scatter(let p):
        for i in 0..<min(p.x.count, p.y.count) where okX(p.x[i]) && okY(p.y[i]) {
          xs.append(p.x[i])
          ys.append(p.y[i])
        }
      case .band(let b):
        for i in 0..<min(b.x.count, b.lower.count, b.upper.count) where okX(b.x[i]) && okY(b.lower[i]) && okY(b.upper[i]) {
          xs.append(b.x[i])
          ys += [b.lower[i], b.upper[i]]
        }
      case .histogram(let hst):
        for i in 0..<max(0, min(hst.edges.count - 1, hst.counts.count))
        where okX(hst.edges[i]) && okX(hst.edges[i + 1]) && hst.counts[i].isFinite {
          xs += [hst.edges[i], hst.edges[i + 1]]
          if okY(hst.counts[i]) { ys.append(hst.counts[i]) }
          if panel.y.scale == .linear { ys.append(0) }
        }
      }
    }
    for r in panel.references {
      switch r.orientation {
      case .horizontal: if okY(r.value) { ys.append(r.value) }
      case .vertical: if okX(r.value) { xs.append(r.value) }
      }
    }
    return (xs, ys)
  }

  /// Resolves the axes, draws the data and places the legend of `panel`,
  /// in a `w` × `h` plot area.
  static func prepare(_ panel: Panel, w: Double, h: Double) -> Prepared {
    let (xs, ys) = axisData(panel)
    var p = Prepared(panel: panel, x: panel.x.layout(data: xs), y: panel.y.layout(data: ys))
    let xl = p.x, yl = p.y
    func X(_ v: Double) -> Double? { xl.map(v, from: 0, to: w) }
    func Y(_ v: Double) -> Double? { yl.map(v, from: h, to: 0) }
    let colors = Series.resolvedColors(panel.series)
    var obstacles = Obstacles()

    // Histograms first, then bands, lines, scatter: fills never hide lines.
    let histograms = panel.series.indices.filter { if case .histogram = panel.series[$0] { return true } else { return false } }
    for (slot, i) in histograms.enumerated() {
      guard case .histogram(let hst) = panel.series[i] else { continue }
      let c = colors[i].hex
      var d: [String] = []
      for b in 0..<max(0, min(hst.edges.count - 1, hst.counts.count)) {
        guard var x0 = X(hst.edges[b]), var x1 = X(hst.edges[b + 1]), let top = Y(hst.counts[b]) else { continue }
        if x1 < x0 { swap(&x0, &x1) }
        if panel.histogramLayout == .grouped && histograms.count > 1 {
          let width = (x1 - x0) / Double(histograms.count)
          x0 += width * Double(slot)
          x1 = x0 + width
        }
        let base = yl.scale == .linear ? (Y(0) ?? h) : h
        if top == base { continue }
        d.append("M\(px(x0)) \(px(base)) V\(px(top)) H\(px(x1)) V\(px(base)) Z")
        obstacles.boxes.append((x0, min(top, base), x1, max(top, base)))
      }
      guard !d.isEmpty else { continue }
      p.drawable = true
      p.data.append("<path class=\"histogram\" d=\"\(d.joined(separator: " "))\" fill=\"\(c)\" "
        + "fill-opacity=\"\(op(hst.opacity))\" stroke=\"\(c)\" stroke-width=\"1\"/>")
    }

    for (i, s) in panel.series.enumerated() {
      guard case .band(let b) = s else { continue }
      let c = colors[i].hex
      var runs: [[(x: Double, lo: Double, hi: Double)]] = [[]]
      for k in 0..<min(b.x.count, b.lower.count, b.upper.count) {
        if let x = X(b.x[k]), let lo = Y(b.lower[k]), let hi = Y(b.upper[k]) {
          runs[runs.count - 1].append((x, lo, hi))
        } else if !runs[runs.count - 1].isEmpty {
          runs.append([])
        }
      }
      var d: [String] = []
      for run in runs where !run.isEmpty {
        if run.count == 1 {
          // A band one point wide: a short bar, so that it is not lost.
          let q = run[0]
          d.append("M\(px(q.x - 1)) \(px(q.hi)) H\(px(q.x + 1)) V\(px(q.lo)) H\(px(q.x - 1)) Z")
          obstacles.boxes.append((q.x - 1, min(q.lo, q.hi), q.x + 1, max(q.lo, q.hi)))
          continue
        }
        var path = "M\(px(run[0].x)) \(px(run[0].hi))"
        for q in run.dropFirst() { path += " L\(px(q.x)) \(px(q.hi))" }
        for q in run.reversed() { path += " L\(px(q.x)) \(px(q.lo))" }
        d.append(path + " Z")
        for k in 1..<run.count {
          let a = run[k - 1], z = run[k]
          obstacles.boxes.append((min(a.x, z.x), min(a.lo, a.hi, z.lo, z.hi), max(a.x, z.x), max(a.lo, a.hi, z.lo, z.hi)))
        }
      }
      guard !d.isEmpty else { continue }
      p.drawable = true
      p.data.append("<path class=\"band\" d=\"\(d.joined(separator: " "))\" fill=\"\(c)\" fill-opacity=\"\(op(b.opacity))\" stroke=\"none\"/>")
    }

    for (i, s) in panel.series.enumerated() {
      guard case .line(let l) = s else { continue }
      let c = colors[i].hex
      var runs: [[(Double, Double)]] = [[]]
      for k in 0..<min(l.x.count, l.y.count) {
        if let x = X(l.x[k]), let y = Y(l.y[k]) {
          runs[runs.count - 1].append((x, y))
        } else if !runs[runs.count - 1].isEmpty {
          runs.append([])
        }
      }
      var d: [String] = [], dots: [String] = [], marks: [String] = []
      let lineWidth = l.width.isFinite && l.width > 0 ? l.width : 1.75
      for run in runs where !run.isEmpty {
        if run.count == 1 {
          // A point alone between gaps: a dot, as a line through it has no length.
          dots.append("<circle cx=\"\(px(run[0].0))\" cy=\"\(px(run[0].1))\" r=\"\(px(max(lineWidth, 1.5)))\"/>")
        } else {
          var path = "M\(px(run[0].0)) \(px(run[0].1))"
          for q in run.dropFirst() { path += " L\(px(q.0)) \(px(q.1))" }
          d.append(path)
        }
        for k in run.indices {
          if k > 0 { obstacles.segments.append((run[k - 1].0, run[k - 1].1, run[k].0, run[k].1)) }
          obstacles.boxes.append((run[k].0 - 2, run[k].1 - 2, run[k].0 + 2, run[k].1 + 2))
          if let m = l.marker { marks.append(markerElement(m, run[k].0, run[k].1, size: 5, fill: nil)) }
        }
      }
      guard !d.isEmpty || !dots.isEmpty else { continue }
      p.drawable = true
      let opacity = l.opacity < 1 ? " opacity=\"\(op(l.opacity))\"" : ""
      p.data.append("<g class=\"line\"\(opacity)>")
      if !d.isEmpty {
        p.data.append("<path d=\"\(d.joined(separator: " "))\" fill=\"none\" stroke=\"\(c)\" stroke-width=\"\(px(lineWidth))\" "
          + "stroke-linejoin=\"round\" stroke-linecap=\"round\"\(dashAttribute(l.dash))/>")
      }
      if !dots.isEmpty || !marks.isEmpty {
        p.data.append("<g fill=\"\(c)\" stroke=\"\(c)\">")
        p.data += dots + marks
        p.data.append("</g>")
      }
      p.data.append("</g>")
    }

    for (i, s) in panel.series.enumerated() {
      guard case .scatter(let sc) = s else { continue }
      var marks: [String] = []
      let size = sc.size.isFinite && sc.size > 0 ? sc.size : 5
      for k in 0..<min(sc.x.count, sc.y.count) {
        guard let x = X(sc.x[k]), let y = Y(sc.y[k]) else { continue }
        marks.append(markerElement(sc.marker, x, y, size: size, fill: nil))
        obstacles.boxes.append((x - size / 2, y - size / 2, x + size / 2, y + size / 2))
      }
      guard !marks.isEmpty else { continue }
      p.drawable = true
      let c = colors[i].hex
      p.data.append("<g class=\"scatter\" fill=\"\(c)\" stroke=\"\(c)\" opacity=\"\(op(sc.opacity))\">")
      p.data += marks
      p.data.append("</g>")
    }

    // Reference lines, over the data, each with its label.
    for r in panel.references {
      let stroke = "stroke=\"\(r.color.hex)\" stroke-width=\"\(px(r.width > 0 && r.width.isFinite ? r.width : 1.25))\"\(dashAttribute(r.dash))"
      let labelWidth = PlotText.width(r.label, size: tickFont)
      let halo = "stroke=\"white\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\""
      switch r.orientation {
      case .horizontal:
        guard let y = Y(r.value), y >= 0, y <= h else { continue }
        p.data.append("<line class=\"reference\" x1=\"0\" y1=\"\(px(y))\" x2=\"\(px(w))\" y2=\"\(px(y))\" \(stroke)/>")
        obstacles.segments.append((0, y, w, y))
        guard !r.label.isEmpty else { continue }
        let ty = y - 4 >= 12 ? y - 4 : y + 12
        p.labels.append("<text x=\"\(px(w - 4))\" y=\"\(px(ty))\" text-anchor=\"end\" font-size=\"\(px(tickFont))\" "
          + "fill=\"\(r.color.hex)\" \(halo)>\(PlotText.escape(r.label))</text>")
        obstacles.boxes.append((w - 4 - labelWidth, ty - 9, w - 4, ty + 2))
      case .vertical:
        guard let x = X(r.value), x >= 0, x <= w else { continue }
        p.data.append("<line class=\"reference\" x1=\"\(px(x))\" y1=\"0\" x2=\"\(px(x))\" y2=\"\(px(h))\" \(stroke)/>")
        obstacles.segments.append((x, 0, x, h))
        guard !r.label.isEmpty else { continue }
        let right = x + 4 + labelWidth <= w - 2
        let tx = right ? x + 4 : x - 4
        p.labels.append("<text x=\"\(px(tx))\" y=\"12\" text-anchor=\"\(right ? "start" : "end")\" font-size=\"\(px(tickFont))\" "
          + "fill=\"\(r.color.hex)\" \(halo)>\(PlotText.escape(r.label))</text>")
        obstacles.boxes.append((right ? tx : tx - labelWidth, 3, right ? tx + labelWidth : tx, 14))
      }
    }

    p.entries = LegendEntry.entries(for: panel)
    p.placement = place(panel.legend, entries: p.entries, obstacles: obstacles, width: w, height: h)
    return p
  }

  /// Labelled ticks whose labels do not collide: a label is kept when it
  /// starts at least `gap` px after the last kept one ends (positions along
  /// the axis, `extent` the label's length along it).
  static func thin(_ ticks: [(pos: Double, tick: Axis.Tick)], extent: (Axis.Tick) -> Double, gap: Double)
    -> [(pos: Double, tick: Axis.Tick)]
  {
    var kept: [(pos: Double, tick: Axis.Tick)] = []
    var end = -Double.infinity
    for t in ticks.sorted(by: { $0.pos < $1.pos }) {
      let half = extent(t.tick) / 2
      if t.pos - half >= end + gap {
        kept.append(t)
        end = t.pos + half
      }
    }
    return kept
  }

  /// Pixel position for a crisp 1 px line near `v`.
  static func crisp(_ v: Double) -> Double { v.rounded(.down) + 0.5 }

  /// Writes a prepared panel in its plot area's coordinates.
  static func drawPanel(_ p: Prepared, w: Double, h: Double, yLabelOffset: Double, belowWidth: Double,
                        hasXLabel: Bool, clipID: String) -> [String] {
    var out: [String] = []
    out.append("<rect class=\"plot-area\" x=\"0\" y=\"0\" width=\"\(px(w))\" height=\"\(px(h))\" fill=\"white\"/>")

    let xTicks = p.x.ticks.compactMap { t in p.x.map(t.value, from: 0, to: w).map { (pos: $0, tick: t) } }
    let yTicks = p.y.ticks.compactMap { t in p.y.map(t.value, from: h, to: 0).map { (pos: $0, tick: t) } }
    let xMinor = p.x.minorTicks.compactMap { p.x.map($0, from: 0, to: w) }
    let yMinor = p.y.minorTicks.compactMap { p.y.map($0, from: h, to: 0) }

    // Grid lines (not on the frame).
    var grid: [String] = []
    for (v, major) in xMinor.map({ ($0, false) }) + xTicks.map({ ($0.pos, true) }) where v > 0.75 && v < w - 0.75 {
      let c = crisp(v)
      grid.append("<line x1=\"\(px(c))\" y1=\"0\" x2=\"\(px(c))\" y2=\"\(px(h))\" stroke=\"\(major ? gridColor : minorGridColor)\"/>")
    }
    for (v, major) in yMinor.map({ ($0, false) }) + yTicks.map({ ($0.pos, true) }) where v > 0.75 && v < h - 0.75 {
      let c = crisp(v)
      grid.append("<line x1=\"0\" y1=\"\(px(c))\" x2=\"\(px(w))\" y2=\"\(px(c))\" stroke=\"\(major ? gridColor : minorGridColor)\"/>")
    }
    if !grid.isEmpty { out += ["<g class=\"grid\">"] + grid + ["</g>"] }

    if !p.data.isEmpty { out += ["<g class=\"data\" clip-path=\"url(#\(clipID))\">"] + p.data + ["</g>"] }
    out += p.labels
    if !p.drawable {
      out.append("<text x=\"\(px(w / 2))\" y=\"\(px(h / 2 + 4))\" text-anchor=\"middle\" font-size=\"12\" font-style=\"italic\" "
        + "fill=\"#888888\">\(PlotText.escape(p.panel.emptyText))</text>")
    }

    // Ticks (outwards) and tick labels.
    var axes: [String] = []
    for v in xMinor where v >= -0.5 && v <= w + 0.5 {
      axes.append("<line x1=\"\(px(crisp(v)))\" y1=\"\(px(h))\" x2=\"\(px(crisp(v)))\" y2=\"\(px(h + 2.5))\"/>")
    }
    for t in xTicks where t.pos >= -0.5 && t.pos <= w + 0.5 {
      axes.append("<line x1=\"\(px(crisp(t.pos)))\" y1=\"\(px(h))\" x2=\"\(px(crisp(t.pos)))\" y2=\"\(px(h + 4.5))\"/>")
    }
    for v in yMinor where v >= -0.5 && v <= h + 0.5 {
      axes.append("<line x1=\"-2.5\" y1=\"\(px(crisp(v)))\" x2=\"0\" y2=\"\(px(crisp(v)))\"/>")
    }
    for t in yTicks where t.pos >= -0.5 && t.pos <= h + 0.5 {
      axes.append("<line x1=\"-4.5\" y1=\"\(px(crisp(t.pos)))\" x2=\"0\" y2=\"\(px(crisp(t.pos)))\"/>")
    }
    if !axes.isEmpty { out += ["<g class=\"ticks\" stroke=\"\(axisColor)\" stroke-width=\"1\">"] + axes + ["</g>"] }

    var labels: [String] = []
    let xKept = thin(xTicks, extent: { PlotText.width($0.label, size: tickFont) }, gap: 6)
    for t in xKept {
      labels.append("<text x=\"\(px(t.pos))\" y=\"\(px(h + 16))\" text-anchor=\"middle\">\(PlotText.escape(t.tick.label))</text>")
    }
    for t in thin(yTicks.map { (pos: -$0.pos, tick: $0.tick) }, extent: { _ in tickFont }, gap: 3) {
      labels.append("<text x=\"-7\" y=\"\(px(-t.pos + 3.5))\" text-anchor=\"end\">\(PlotText.escape(t.tick.label))</text>")
    }
    if !labels.isEmpty {
      out += ["<g class=\"tick-labels\" font-size=\"\(px(tickFont))\" fill=\"\(textColor)\">"] + labels + ["</g>"]
    }

    // Axis labels and panel title.
    if !p.panel.x.label.isEmpty {
      out.append("<text class=\"x-label\" x=\"\(px(w / 2))\" y=\"\(px(h + 33))\" text-anchor=\"middle\" fill=\"\(textColor)\">"
        + "\(PlotText.escape(p.panel.x.label))</text>")
    }
    if !p.panel.y.label.isEmpty {
      out.append("<text class=\"y-label\" transform=\"rotate(-90)\" x=\"\(px(-h / 2))\" y=\"\(px(-yLabelOffset))\" "
        + "text-anchor=\"middle\" fill=\"\(textColor)\">\(PlotText.escape(p.panel.y.label))</text>")
    }
    if !p.panel.title.isEmpty {
      out.append("<text class=\"panel-title\" x=\"\(px(w / 2))\" y=\"-9\" text-anchor=\"middle\" font-size=\"12\" "
        + "font-weight=\"bold\" fill=\"\(textColor)\">\(PlotText.escape(p.panel.title))</text>")
    }

    switch p.placement {
    case .none: break
    case .inside(let corner): out += drawInsideLegend(p.entries, corner: corner, width: w, height: h)
    case .below:
      let top = h + 22 + (hasXLabel ? 16 : 0)
      out += drawFlowLegend(p.entries, centre: w / 2, top: top, width: belowWidth)
    }

    // The frame, last: one rectangle in the reserved colour, on half pixels.
    out.append("<rect class=\"frame\" x=\"-0.5\" y=\"-0.5\" width=\"\(px(w + 1))\" height=\"\(px(h + 1))\" fill=\"none\" "
      + "stroke=\"\(PlotColor.frame.hex)\" stroke-width=\"1\"/>")
    return out
  }

  // MARK: Figure

  static func render(_ figure: Figure) -> String {
    let pad = 10.0
    let w = (figure.plotWidth.isFinite ? min(max(figure.plotWidth, 40), 4000) : 300).rounded()
    let h = (figure.plotHeight.isFinite ? min(max(figure.plotHeight, 30), 4000) : 200).rounded()
    let columns = max(1, figure.columns)
    let rows = max(max(1, figure.rows), (figure.panels.count + columns - 1) / columns)
    let prepared = figure.panels.map { prepare($0, w: w, h: h) }

    // Margins around each plot area, the same for every cell so that the grid lines up.
    let yTickWidth = prepared.flatMap { $0.y.ticks.map { PlotText.width($0.label, size: tickFont) } }.max() ?? 0
    let hasYLabel = figure.panels.contains { !$0.y.label.isEmpty }
    let hasXLabel = figure.panels.contains { !$0.x.label.isEmpty }
    let hasTitles = figure.panels.contains { !$0.title.isEmpty }
    let yLabelOffset = (7 + yTickWidth + 6).rounded(.up)
    let left = (yLabelOffset + (hasYLabel ? 14 : 0) + 6).rounded(.up)
    let lastXLabel = prepared.compactMap { $0.x.ticks.last.map { PlotText.width($0.label, size: tickFont) / 2 } }.max() ?? 0
    let right = max(14, (lastXLabel + 6).rounded(.up))
    let top = hasTitles ? 26.0 : 10.0
    let cellW = left + w + right
    let belowWidth = cellW - 12
    let belowHeight = prepared.filter { $0.placement == .below }.map { flowHeight($0.entries, width: belowWidth) }.max() ?? 0
    let bottom = (20 + (hasXLabel ? 16 : 0) + (belowHeight > 0 ? belowHeight + 6 : 0) + 10).rounded(.up)
    let cellH = top + h + bottom

    let gridW = Double(columns) * cellW
    let drawnTitle = figure.drawsTitleAndCaption ? figure.title : ""
    let titleWidth = (PlotText.width(drawnTitle, size: 14) * 1.08).rounded(.up)
    let innerW = max(gridW, titleWidth, 360)
    let gridX = pad + ((innerW - gridW) / 2).rounded(.down)
    let titleH = drawnTitle.isEmpty ? 0.0 : 28
    let gridY = pad + titleH
    let sharedWidth = innerW - 20
    let sharedH = figure.legend.isEmpty ? 0 : flowHeight(figure.legend, width: sharedWidth) + 8
    let captionLines = figure.drawsTitleAndCaption ? figure.caption.flatMap { wrap($0, width: innerW, size: 10) } : []
    let captionH = captionLines.isEmpty ? 0 : 4 + 14 * Double(captionLines.count)
    let width = pad * 2 + innerW
    let height = (gridY + Double(rows) * cellH + sharedH + captionH + pad).rounded(.up)
    let clipID = "plot-area-\(Int(w))x\(Int(h))"

    var out: [String] = []
    out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(px(width))\" height=\"\(px(height))\" "
      + "viewBox=\"0 0 \(px(width)) \(px(height))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\" "
      + "role=\"img\" data-panels=\"\(prepared.count)\">")
    out.append("<title>\(PlotText.escape(figure.title))</title>")
    if let first = figure.caption.first { out.append("<desc>\(PlotText.escape(first))</desc>") }
    out.append("<defs><clipPath id=\"\(clipID)\"><rect x=\"0\" y=\"0\" width=\"\(px(w))\" height=\"\(px(h))\"/></clipPath></defs>")
    out.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>")
    if !drawnTitle.isEmpty {
      out.append("<text class=\"figure-title\" x=\"\(px(pad))\" y=\"\(px(pad + 16))\" font-size=\"14\" font-weight=\"bold\" "
        + "fill=\"\(textColor)\">\(PlotText.escape(figure.title))</text>")
    }

    for (k, p) in prepared.enumerated() {
      let r = k / columns, c = k % columns
      let x0 = gridX + Double(c) * cellW + left
      let y0 = gridY + Double(r) * cellH + top
      let name = p.panel.title.isEmpty ? "panel \(k + 1)" : p.panel.title
      out.append("<g class=\"panel\" data-row=\"\(r)\" data-column=\"\(c)\" transform=\"translate(\(px(x0)) \(px(y0)))\">")
      out.append("<title>\(PlotText.escape(name))</title>")
      out += drawPanel(p, w: w, h: h, yLabelOffset: yLabelOffset, belowWidth: belowWidth, hasXLabel: hasXLabel, clipID: clipID)
      out.append("</g>")
    }

    var y = gridY + Double(rows) * cellH
    if !figure.legend.isEmpty {
      out += drawFlowLegend(figure.legend, centre: pad + innerW / 2, top: y, width: sharedWidth)
      y += sharedH
    }
    if !captionLines.isEmpty {
      out.append("<g class=\"caption\" font-size=\"10\" fill=\"#555555\">")
      for (i, line) in captionLines.enumerated() {
        out.append("<text x=\"\(px(pad))\" y=\"\(px(y + 4 + 14 * Double(i) + 10))\">\(PlotText.escape(line))</text>")
      }
      out.append("</g>")
    }
    out.append("</svg>")
    return out.joined(separator: "\n") + "\n"
  }
}
