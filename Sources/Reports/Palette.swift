import RunModel

/// One palette for every figure of a study: a row's colour is fixed by its name.
public enum RowPalette {
  /// The colours of rows `names` (distinct) in one figure, in their order. A row named
  /// after a preset takes that preset's colour (`Preset.figureColorIndex`), whichever
  /// figure it is in and whatever its position; any other row (a grid's, a
  /// researcher's own), or a preset-named row whose colour an earlier row of the
  /// figure took, takes the next Okabe–Ito colour that no preset-named row of the
  /// figure holds, in palette order (wrapping). A figure without preset-named rows
  /// is coloured in palette order, as `PlotColor.palette(k)`.
  public static func colors(_ names: [String]) -> [PlotColor] {
    var fixed: [Int?] = []
    var taken: [Int] = []
    for name in names {
      if let index = Preset(rawValue: name)?.figureColorIndex, !taken.contains(index) {
        fixed.append(index)
        taken.append(index)
      } else {
        fixed.append(nil)
      }
    }
    let free = PlotColor.okabeIto.indices.filter { !taken.contains($0) }
    var next = 0
    return fixed.map { index in
      if let index { return PlotColor.palette(index) }
      defer { next += 1 }
      return PlotColor.palette(free.isEmpty ? next : free[next % free.count])
    }
  }
}
