import Foundation
import RunModel

/// A factorial design over settings, written in a manifest as `grid` (the
/// paper's Figure 1: four optimizations on/off, each configuration at a grid of
/// learning rates):
///
///     "grid": {
///       "factors": [{"name": "VC", "setting": "valueClipping", "values": [false, true]}, ...],
///       "search"?: {"name": "policyLR", "setting": "policyLR", "values": [0.0001, 0.0002]},
///       "select"?: "bestMeanScore"
///     }
///
/// Every algorithm row of the manifest becomes one row per configuration (one
/// value of each factor) and search value, named
/// `PPO (VC on, RS off; policyLR 0.0002)`, with those settings after the row's
/// overrides. Expansion stays deterministic and content-hashed, like any row's.
/// The selection is made at report time from stored results, so changing the
/// rule retrains nothing: `bestMeanScore` keeps, per configuration and task, the
/// search value whose finished runs have the best mean score (ties: the first).
public struct Grid: Sendable, Equatable {
  public struct Factor: Sendable, Equatable {
    /// Short label in row names and figures, e.g. "VC".
    public var name: String
    /// A `TrainerConfig` key.
    public var setting: String
    /// Its values, as written (type-checked).
    public var values: [JSONValue]

    /// `on`/`off` for booleans, the text of a string, the shortest text of a number.
    public func text(_ index: Int) -> String {
      switch values[index] {
      case .bool(let b): return b ? "on" : "off"
      case .string(let s): return s
      case .null: return "off"
      default: return values[index].canonical
      }
    }
  }

  public enum Selection: String, Sendable, Equatable, CaseIterable {
    case bestMeanScore
  }

  /// One generated row: its base row, the index of each factor's value, the search value's index.
  public struct Cell: Sendable, Equatable {
    public var base: String
    public var levels: [Int]
    public var search: Int?
    public var row: String
  }

  public var factors: [Factor]
  public var search: Factor?
  public var select: Selection
  /// Every generated row, in expansion order: base rows, then configurations (first factor slowest), then search values.
  public var cells: [Cell] = []

  /// Most factors, values per factor, and generated rows.
  public static let maximumFactors = 8
  public static let maximumValues = 16
  public static let maximumRows = 4096

  /// Configurations of one base row: every combination of factor levels, first factor slowest.
  public var configurations: [[Int]] {
    factors.reduce([[]]) { partial, f in partial.flatMap { p in f.values.indices.map { p + [$0] } } }
  }

  /// "VC on, RS off" for factor levels.
  public func configurationText(_ levels: [Int]) -> String {
    zip(factors, levels).map { "\($0.name) \($0.text($1))" }.joined(separator: ", ")
  }

  /// The rows `base` becomes, with their settings, and records them in `cells`.
  mutating func expand(_ base: AlgorithmEntry) -> [AlgorithmEntry] {
    var out: [AlgorithmEntry] = []
    for levels in configurations {
      for s in search.map({ Array($0.values.indices).map(Optional.some) }) ?? [nil] {
        var name = "\(base.name) (\(configurationText(levels))"
        var entry = base
        for (f, i) in zip(factors, levels) {
          entry.overrides.append(Setting(key: f.setting, value: f.values[i], path: JSONPath().appending("grid").appending("factors").appending(f.name)))
        }
        if let s, let sf = search {
          name += "; \(sf.name) \(sf.text(s))"
          entry.overrides.append(Setting(key: sf.setting, value: sf.values[s], path: JSONPath().appending("grid").appending("search")))
        }
        entry.name = name + ")"
        cells.append(Cell(base: base.name, levels: levels, search: s, row: entry.name))
        out.append(entry)
      }
    }
    return out
  }

  /// The selected row of each (base, configuration) on `task`: by `select`, from
  /// the rows' finished scores (row name → scores). Nil for a configuration with no finished run.
  public func selected(scores: (String) -> [Double]) -> [(base: String, levels: [Int], row: String?)] {
    var out: [(base: String, levels: [Int], row: String?)] = []
    var seen: [String: Int] = [:]
    for c in cells {
      let key = c.base + "\u{0}" + c.levels.map(String.init).joined(separator: ",")
      let xs = scores(c.row)
      let mean = xs.isEmpty ? nil : xs.reduce(0, +) / Double(xs.count)
      if let k = seen[key] {
        guard let m = mean else { continue }
        if let current = out[k].row {
          let cs = scores(current)
          if m > cs.reduce(0, +) / Double(cs.count) { out[k].row = c.row }
        } else {
          out[k].row = c.row
        }
      } else {
        seen[key] = out.count
        out.append((c.base, c.levels, mean == nil ? nil : c.row))
      }
    }
    return out
  }

  /// The scores of the selected runs whose factor `factor` (an index into `factors`) is at its value `value`
  /// (an index into its values), configurations in expansion order: a histogram's group and a factor claim's side.
  public func selectedScores(
    factor: Int, value: Int, in selection: [(base: String, levels: [Int], row: String?)], scores: (String) -> [Double]
  ) -> [Double] {
    selection.filter { $0.levels[factor] == value }.flatMap { $0.row.map(scores) ?? [] }
  }
}

extension ManifestDecoder {
  func grid(_ node: Node, algorithms: [AlgorithmEntry]) throws -> Grid {
    let o = try node.object(allowed: ManifestKeys.grid)
    let factorsNode = try o.required("factors")
    var factors: [Grid.Factor] = []
    for n in try factorsNode.array() { factors.append(try factor(n)) }
    if factors.isEmpty { throw Fail(factorsNode.path, "must list at least one factor") }
    if factors.count > Grid.maximumFactors { throw Fail(factorsNode.path, "at most \(Grid.maximumFactors) factors") }
    let search = try o.optional("search").map(factor)
    var seen: Set<String> = [], names: Set<String> = []
    for f in factors + (search.map { [$0] } ?? []) {
      if !seen.insert(f.setting).inserted { throw Fail(factorsNode.path, "setting \(f.setting) appears twice in the grid") }
      if !names.insert(f.name).inserted { throw Fail(factorsNode.path, "name \(f.name) appears twice in the grid") }
    }
    for a in algorithms {
      for (t, settings) in a.perTask where settings.contains(where: { seen.contains($0.key) }) {
        throw Fail(node.path, "algorithms.\(a.name).perTask.\(t.rawValue) sets a setting of the grid, which would override it")
      }
    }
    var select = Grid.Selection.bestMeanScore
    if let s = o.optional("select") {
      let text = try s.string()
      guard let v = Grid.Selection(rawValue: text) else {
        throw Fail(s.path, "unknown selection '\(text)'; " + NameSuggestion.hint(for: text, in: Grid.Selection.allCases.map(\.rawValue), listLabel: "expected one of"))
      }
      select = v
    }
    let grid = Grid(factors: factors, search: search, select: select)
    let rows = algorithms.count * grid.configurations.count * (search?.values.count ?? 1)
    if rows > Grid.maximumRows { throw Fail(node.path, "makes \(rows) rows; at most \(Grid.maximumRows)") }
    return grid
  }

  func factor(_ node: Node) throws -> Grid.Factor {
    let o = try node.object(allowed: ManifestKeys.gridFactor)
    let nameNode = try o.required("name")
    let name = try nameNode.nonEmptyString()
    if name.contains("[") || name.contains("]") || name.contains("(") || name.contains(")") || name.contains(",") || name.contains(";")
      || name.count > 24 {
      throw Fail(nameNode.path, "a factor name is at most 24 characters, without brackets, parentheses, ',' or ';'")
    }
    let settingNode = try o.required("setting")
    let key = try settingNode.string()
    guard let definition = Settings.definition(key) else {
      throw Fail(settingNode.path, Settings.unknownKeyMessage(key))
    }
    let valuesNode = try o.required("values")
    var values: [JSONValue] = []
    for n in try valuesNode.array() {
      switch Settings.check(n.value, as: definition.type) {
      case .success(let v):
        if values.contains(v) { throw Fail(n.path, "value listed twice") }
        values.append(v)
      case .failure(let e): throw Fail(e.index.map { n.path.appending($0) } ?? n.path, e.message)
      }
    }
    if values.isEmpty { throw Fail(valuesNode.path, "must list at least one value") }
    if values.count > Grid.maximumValues { throw Fail(valuesNode.path, "at most \(Grid.maximumValues) values") }
    return Grid.Factor(name: name, setting: key, values: values)
  }
}
