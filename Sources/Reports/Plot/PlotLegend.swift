// Legends: their size, where they go, and how they are drawn. A legend
// inside the plot area is placed only where it covers no data; the data's
// drawn shapes are recorded as `Obstacles` (segments and boxes in the plot
// area's pixel coordinates) while the series are drawn.

extension PlotRenderer {
  /// Font size of legend text.
  static let legendFont = 10.0
  /// Height of one legend row.
  static let legendRow = 16.0
  /// Width of a legend swatch.
  static let swatchWidth = 20.0

  /// What the data covers in a plot area, for legend placement.
  struct Obstacles {
    /// Line segments (x1, y1, x2, y2).
    var segments: [(Double, Double, Double, Double)] = []
    /// Boxes (minX, minY, maxX, maxY).
    var boxes: [(Double, Double, Double, Double)] = []

    /// Whether anything recorded meets the box [x0, x1] × [y0, y1].
    func hit(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> Bool {
      for b in boxes where b.0 <= x1 && b.2 >= x0 && b.1 <= y1 && b.3 >= y0 { return true }
      for s in segments where PlotRenderer.segment(s, meets: (x0, y0, x1, y1)) { return true }
      return false
    }
  }

  /// Whether segment `s` meets box `b` (Liang–Barsky clipping).
  static func segment(_ s: (Double, Double, Double, Double), meets b: (Double, Double, Double, Double)) -> Bool {
    let dx = s.2 - s.0, dy = s.3 - s.1
    var t0 = 0.0, t1 = 1.0
    for (p, q) in [(-dx, s.0 - b.0), (dx, b.2 - s.0), (-dy, s.1 - b.1), (dy, b.3 - s.1)] {
      if p == 0 {
        if q < 0 { return false }
      } else {
        let r = q / p
        if p < 0 { t0 = max(t0, r) } else { t1 = min(t1, r) }
        if t0 > t1 { return false }
      }
    }
    return true
  }

  /// Size of a legend box drawn inside a plot area (entries stacked).
  static func insideLegendSize(_ entries: [LegendEntry]) -> (width: Double, height: Double) {
    let text = entries.map { PlotText.width($0.label, size: legendFont) }.max() ?? 0
    return ((6 + swatchWidth + 6 + text + 8).rounded(.up), 4 + Double(entries.count) * legendRow + 4)
  }

  /// Where a panel's legend goes once its data is known.
  enum Placement: Equatable {
    case none
    case inside(Panel.Corner)
    case below
  }

  /// Resolves `.best` (first free corner, else below) and checks that an
  /// inside legend fits; a legend with no entries is not drawn.
  static func place(_ requested: Panel.LegendPlacement, entries: [LegendEntry], obstacles: Obstacles,
                    width w: Double, height h: Double) -> Placement {
    guard !entries.isEmpty else { return .none }
    let size = insideLegendSize(entries)
    let fits = size.width <= w - 12 && size.height <= h - 12
    switch requested {
    case .hidden: return .none
    case .below: return .below
    case .inside(let c): return fits ? .inside(c) : .below
    case .best:
      guard fits else { return .below }
      for c in Panel.Corner.allCases {
        let (x, y) = insideLegendOrigin(c, size: size, width: w, height: h)
        if !obstacles.hit(x, y, x + size.width, y + size.height) { return .inside(c) }
      }
      return .below
    }
  }

  /// Top-left corner of an inside legend box.
  static func insideLegendOrigin(_ c: Panel.Corner, size: (width: Double, height: Double),
                                 width w: Double, height h: Double) -> (Double, Double) {
    let inset = 6.0
    switch c {
    case .topRight: return (w - inset - size.width, inset)
    case .topLeft: return (inset, inset)
    case .bottomRight: return (w - inset - size.width, h - inset - size.height)
    case .bottomLeft: return (inset, h - inset - size.height)
    }
  }

  /// Entries laid out side by side in rows no wider than `width`: for each
  /// row, the entries' indices and the x offset of each, and the row's width.
  static func flowRows(_ entries: [LegendEntry], width: Double) -> [(items: [(Int, Double)], width: Double)] {
    var rows: [(items: [(Int, Double)], width: Double)] = []
    var items: [(Int, Double)] = []
    var x = 0.0
    for (i, e) in entries.enumerated() {
      let w = swatchWidth + 5 + PlotText.width(e.label, size: legendFont)
      if !items.isEmpty && x + 14 + w > width {
        rows.append((items, x))
        items = []
        x = 0
      }
      if !items.isEmpty { x += 14 }
      items.append((i, x))
      x += w
    }
    if !items.isEmpty { rows.append((items, x)) }
    return rows
  }

  /// Height of a legend laid out in rows no wider than `width`.
  static func flowHeight(_ entries: [LegendEntry], width: Double) -> Double {
    Double(flowRows(entries, width: width).count) * legendRow
  }

  /// A legend inside a plot area.
  static func drawInsideLegend(_ entries: [LegendEntry], corner: Panel.Corner, width w: Double, height h: Double) -> [String] {
    let size = insideLegendSize(entries)
    let (x, y) = insideLegendOrigin(corner, size: size, width: w, height: h)
    var out = ["<g class=\"legend\">"]
    out.append("<rect x=\"\(px(x))\" y=\"\(px(y))\" width=\"\(px(size.width))\" height=\"\(px(size.height))\" "
      + "fill=\"white\" fill-opacity=\"0.9\" stroke=\"#CCCCCC\"/>")
    for (k, e) in entries.enumerated() {
      let cy = y + 4 + legendRow * (Double(k) + 0.5)
      out += drawEntry(e, x: x + 6, cy: cy)
    }
    out.append("</g>")
    return out
  }

  /// A legend in rows, centred on `centre`, its first row's top at `top`.
  static func drawFlowLegend(_ entries: [LegendEntry], centre: Double, top: Double, width: Double) -> [String] {
    var out = ["<g class=\"legend\">"]
    for (r, row) in flowRows(entries, width: width).enumerated() {
      let x0 = (centre - row.width / 2).rounded(.down)
      let cy = top + legendRow * (Double(r) + 0.5)
      for (i, dx) in row.items { out += drawEntry(entries[i], x: x0 + dx, cy: cy) }
    }
    out.append("</g>")
    return out
  }

  /// One entry: swatches from `x`, then the label, centred vertically on `cy`.
  static func drawEntry(_ e: LegendEntry, x: Double, cy: Double) -> [String] {
    var out: [String] = []
    for s in e.swatches {
      switch s {
      case .fill(let color, let opacity):
        out.append("<rect x=\"\(px(x))\" y=\"\(px(cy - 5))\" width=\"\(px(swatchWidth))\" height=\"10\" "
          + "fill=\"\(color.hex)\" fill-opacity=\"\(op(opacity))\" stroke=\"\(color.hex)\" stroke-width=\"0.75\"/>")
      case .line(let color, let dash, let width, let marker):
        out.append("<line x1=\"\(px(x))\" y1=\"\(px(cy))\" x2=\"\(px(x + swatchWidth))\" y2=\"\(px(cy))\" "
          + "stroke=\"\(color.hex)\" stroke-width=\"\(px(width))\"\(dashAttribute(dash))/>")
        if let marker { out.append(markerElement(marker, x + swatchWidth / 2, cy, size: 5, fill: color)) }
      case .marker(let color, let marker):
        out.append(markerElement(marker, x + swatchWidth / 2, cy, size: 6, fill: color))
      }
    }
    out.append("<text x=\"\(px(x + swatchWidth + 5))\" y=\"\(px(cy + 3.5))\" font-size=\"\(px(legendFont))\" "
      + "fill=\"#222222\">\(PlotText.escape(e.label))</text>")
    return out
  }
}
