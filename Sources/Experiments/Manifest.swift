import Algorithms
import Foundation

/// One experiment, as written in `experiments/<name>.json`: which algorithms on
/// which tasks, with which seeds and budgets, how a run is scored, what the paper
/// printed, which rows are derived from others, and which claims to check.
///
/// Decoding is strict (see `Manifest.decode`): unknown keys, wrong types,
/// missing fields, unknown presets or tasks, seeds below 1, dangling row names
/// and settings that `TrainerConfig.problems()` refuses are all errors that name
/// the file and the JSON path. Order is kept as written: algorithms, tasks, rows.
///
/// Schema (fields marked ? are optional):
///
///     {
///       "name": "table2",                         // results/<name>/; [A-Za-z0-9._-]
///       "citation": "Engstrom et al. ... Table 2",
///       "description"?: "...",
///       "tasks": ["Walker2d", "Hopper", "Humanoid"],
///       "algorithms": {                           // row label → how to train it
///         "PPO": {
///           "preset": "PPO",                      // PPO, PPO-M, PPO-NoClip, TRPO, TRPO+
///           "overrides"?: {"valueClipping": true}, // TrainerConfig key → value, every task
///           "perTask"?: {"Hopper": {"policyLR": 0.0003, "rewardClip": null}}
///         }
///       },
///       "seeds": {"count": 80, "base": 1},        // seeds base ..< base + count
///       "scales": {                               // named budgets
///         "paper": {"seeds"?: 80, "iterations"?: 488, "stepsPerIteration"?: 2048, "note"?: "..."},
///         "quick": {"seeds": 3, "iterations": 100}
///       },
///       "defaultScale": "paper",
///       "score": {"method": "lastMean", "iterations": 5},   // or "max"
///       "references"?: {"PPO (baselines)": "what it is"},  // rows with paper values, no runs
///       "derived"?: {"AAI": "max(abs([PPO] - [TRPO+]), abs([PPO-M] - [TRPO]))"},
///       "paper"?: {"PPO": {"Hopper": {"mean": 2513, "low"?: 2391, "high"?: 2632}}},
///       "claims"?: [{"name": "...", "left": "ACLI", "op": ">", "right": "AAI", "tasks": "all"}],
///       "rows"?: ["PPO", "PPO (baselines)", ...]          // display order of every row
///     }
///
/// Setting values are typed: numbers, integers, booleans, strings (for enums),
/// `null` for an optional number that is off, arrays of integers (hiddenSizes).
/// A run's config is resolved as: preset → score → overrides → perTask → scale.
public struct Manifest: Sendable, Equatable {
  /// The file the manifest came from, as given (used in messages).
  public var file: String
  /// Results go to `results/<name>/`. Letters, digits, `.`, `_`, `-`.
  public var name: String
  public var citation: String
  public var description: String?
  /// Tasks in display order.
  public var tasks: [PaperTask]
  /// Algorithms (table rows with runs) in display order.
  public var algorithms: [AlgorithmEntry]
  public var seeds: SeedPlan
  /// Budgets, in the order written.
  public var scales: [Scale]
  public var defaultScale: String
  public var score: ScoreDefinition
  /// Rows computed from other rows, in order (each may use only earlier ones).
  public var derived: [DerivedRow]
  /// Rows printed for comparison only (no runs), e.g. "PPO (baselines)".
  public var references: [ReferenceRow]
  /// The paper's printed values, by row and task.
  public var paper: [PaperRow]
  public var claims: [Claim]
  /// Every row name in display order (algorithms, references, derived unless the manifest says otherwise).
  public var rows: [String]

  public func algorithm(named name: String) -> AlgorithmEntry? { algorithms.first { $0.name == name } }
  public func scale(named name: String) -> Scale? { scales.first { $0.name == name } }

  /// The paper's value for `row` on `task`, if printed.
  public func paperValue(row: String, task: PaperTask) -> PaperValue? {
    paper.first { $0.row == row }?.values.first { $0.task == task }?.value
  }

  /// What kind of row `name` is (nil when no such row).
  public func rowKind(_ name: String) -> RowKind? {
    if algorithms.contains(where: { $0.name == name }) { return .algorithm }
    if derived.contains(where: { $0.name == name }) { return .derived }
    if references.contains(where: { $0.name == name }) { return .reference }
    return nil
  }
}

public enum RowKind: String, Sendable, Equatable {
  case algorithm, derived, reference
}

/// One setting written in a manifest: a `TrainerConfig` key and its JSON value.
public struct Setting: Sendable, Equatable {
  public var key: String
  public var value: JSONValue
  /// Where it was written (for messages).
  public var path: JSONPath
  /// The text handed to `TrainerConfig.set(_:to:)`.
  public var text: String
}

/// One algorithm row: a preset plus the manifest's overrides.
public struct AlgorithmEntry: Sendable, Equatable {
  /// The row label (e.g. "PPO", "TRPO+", or any name for an ablation).
  public var name: String
  public var preset: Preset
  /// Settings applied on every task, after the preset.
  public var overrides: [Setting]
  /// Settings applied on one task, after `overrides` (the paper's Tables 4–6).
  public var perTask: [(task: PaperTask, settings: [Setting])]

  public static func == (a: AlgorithmEntry, b: AlgorithmEntry) -> Bool {
    a.name == b.name && a.preset == b.preset && a.overrides == b.overrides
      && a.perTask.count == b.perTask.count
      && zip(a.perTask, b.perTask).allSatisfy { $0.task == $1.task && $0.settings == $1.settings }
  }
}

/// Seeds `base, base + 1, ..., base + count - 1`.
public struct SeedPlan: Sendable, Equatable {
  public init(count: Int, base: Int) {
    self.count = count
    self.base = base
  }
  /// Seeds when a scale does not say.
  public var count: Int
  /// The first seed (at least 1).
  public var base: Int
}

/// A named budget: `paper` (80 seeds × 488 iterations × 2048 steps), `quick`, ...
public struct Scale: Sendable, Equatable {
  public init(name: String, seeds: Int? = nil, iterations: Int? = nil, stepsPerIteration: Int? = nil, note: String? = nil) {
    self.name = name
    self.seeds = seeds
    self.iterations = iterations
    self.stepsPerIteration = stepsPerIteration
    self.note = note
  }
  public var name: String
  /// Seeds per cell; nil = the manifest's `seeds.count`.
  public var seeds: Int?
  /// Iterations per run; nil = as the preset and overrides say.
  public var iterations: Int?
  /// Environment steps per iteration; nil = as the preset and overrides say.
  public var stepsPerIteration: Int?
  public var note: String?
}

/// How a run's single score is computed (written into every run's TrainerConfig).
public struct ScoreDefinition: Sendable, Equatable {
  public init(method: ScoreMethod, iterations: Int) {
    self.method = method
    self.iterations = iterations
  }
  public var method: ScoreMethod
  /// Iterations averaged by `lastMean`.
  public var iterations: Int
}

/// A row computed from other rows by a formula such as
/// `max(abs([PPO] - [TRPO+]), abs([PPO-M] - [TRPO]))` (parsed by Statistics).
public struct DerivedRow: Sendable, Equatable {
  public init(name: String, formula: String, references: [String]) {
    self.name = name
    self.formula = formula
    self.references = references
  }
  public var name: String
  public var formula: String
  /// The bracketed row names, in order of appearance.
  public var references: [String]
}

/// A row shown for comparison only; it has paper values and no runs.
public struct ReferenceRow: Sendable, Equatable {
  public init(name: String, note: String) {
    self.name = name
    self.note = note
  }
  public var name: String
  public var note: String
}

/// A printed value: the mean and, when printed, the 95% CI.
public struct PaperValue: Sendable, Equatable, Codable {
  public var mean: Double
  public var low: Double?
  public var high: Double?
  public init(mean: Double, low: Double? = nil, high: Double? = nil) {
    self.mean = mean
    self.low = low
    self.high = high
  }
}

public struct PaperRow: Sendable, Equatable {
  public var row: String
  public var values: [PaperCell]
}

public struct PaperCell: Sendable, Equatable {
  public var task: PaperTask
  public var value: PaperValue
}

/// A statement to check per task, e.g. "ACLI > AAI on every task".
public struct Claim: Sendable, Equatable {
  public enum Op: String, Sendable, Equatable, CaseIterable {
    case greater = ">", less = "<", greaterOrEqual = ">=", lessOrEqual = "<="
  }
  public var name: String
  public var left: String
  public var op: Op
  public var right: String
  /// The tasks it is claimed on (all of the manifest's when written as "all").
  public var tasks: [PaperTask]
  public init(name: String, left: String, op: Op, right: String, tasks: [PaperTask]) {
    self.name = name
    self.left = left
    self.op = op
    self.right = right
    self.tasks = tasks
  }
}

// MARK: - Decoding

extension Manifest {
  /// Reads and decodes `path`; messages name the file as given.
  public static func load(path: String) throws -> Manifest {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw ManifestError(file: path, issues: [.init(path: "(file)", message: "cannot read: \(error.localizedDescription)")])
    }
    return try decode(data, file: path)
  }

  public static func decode(_ text: String, file: String) throws -> Manifest {
    try decode(Data(text.utf8), file: file)
  }

  /// Parses and validates a manifest. Throws `ManifestError`.
  public static func decode(_ data: Data, file: String) throws -> Manifest {
    let json: JSONValue
    do {
      json = try JSONParser.parse(data)
    } catch let e as JSONSyntaxError {
      throw ManifestError(file: file, issues: [.init(path: "line \(e.line), column \(e.column)", message: e.message)])
    }
    let manifest: Manifest
    do {
      manifest = try decodeStructure(Node(value: json, path: JSONPath()), file: file)
    } catch let f as Fail {
      throw ManifestError(file: file, issues: [.init(path: f.path.description, message: f.message)])
    }
    let issues = manifest.configIssues()
    if !issues.isEmpty { throw ManifestError(file: file, issues: issues) }
    return manifest
  }

  static let topKeys = [
    "name", "citation", "description", "tasks", "algorithms", "seeds", "scales", "defaultScale",
    "score", "derived", "references", "paper", "claims", "rows",
  ]

  private static func decodeStructure(_ root: Node, file: String) throws -> Manifest {
    let top = try root.object(allowed: topKeys)

    let nameNode = try top.required("name")
    let name = try nameNode.string()
    let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
    if name.isEmpty || name.hasPrefix(".") || !name.unicodeScalars.allSatisfy({ safe.contains($0) }) {
      throw Fail(nameNode.path, "must be a folder name: letters, digits, '.', '_', '-', not starting with '.'")
    }
    let citation = try top.required("citation").nonEmptyString()
    let description = try top.optional("description")?.string()

    // Tasks
    let tasksNode = try top.required("tasks")
    var tasks: [PaperTask] = []
    for n in try tasksNode.array() {
      let t = try task(n, among: PaperTask.allCases)
      if tasks.contains(t) { throw Fail(n.path, "task \(t.rawValue) listed twice") }
      tasks.append(t)
    }
    if tasks.isEmpty { throw Fail(tasksNode.path, "must list at least one task") }

    // Algorithms
    let algNode = try top.required("algorithms")
    var algorithms: [AlgorithmEntry] = []
    for (key, node) in try algNode.map() {
      try checkRowName(key, node.path)
      algorithms.append(try algorithm(key, node, tasks: tasks))
    }
    if algorithms.isEmpty { throw Fail(algNode.path, "must define at least one algorithm") }

    // Seeds
    let seedsObj = try top.required("seeds").object(allowed: ["count", "base"])
    let seeds = SeedPlan(
      count: try seedCount(seedsObj.required("count")),
      base: try seedsObj.required("base").positiveInteger())

    // Scales
    let scalesNode = try top.required("scales")
    var scales: [Scale] = []
    for (key, node) in try scalesNode.map() {
      let o = try node.object(allowed: ["seeds", "iterations", "stepsPerIteration", "note"])
      scales.append(Scale(
        name: key,
        seeds: try o.optional("seeds").map(seedCount),
        iterations: try o.optional("iterations")?.integer(),
        stepsPerIteration: try o.optional("stepsPerIteration")?.integer(),
        note: try o.optional("note")?.string()))
    }
    if scales.isEmpty { throw Fail(scalesNode.path, "must define at least one scale") }
    let defaultNode = try top.required("defaultScale")
    let defaultScale = try defaultNode.string()
    if !scales.contains(where: { $0.name == defaultScale }) {
      throw Fail(defaultNode.path, "unknown scale '\(defaultScale)'; scales: \(scales.map(\.name).joined(separator: ", "))")
    }

    // Score
    let scoreObj = try top.required("score").object(allowed: ["method", "iterations"])
    let methodNode = try scoreObj.required("method")
    let methodText = try methodNode.string()
    guard let method = ScoreMethod(rawValue: methodText) else {
      throw Fail(methodNode.path, "unknown score method '\(methodText)'; expected one of \(ScoreMethod.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    let score = ScoreDefinition(method: method, iterations: try scoreObj.required("iterations").positiveInteger())

    // Settings that other parts of the manifest own would be silently overwritten: refuse them.
    for a in algorithms {
      for setting in a.overrides + a.perTask.flatMap(\.settings) {
        switch setting.key {
        case "scoreMethod", "scoreIterations":
          throw Fail(setting.path, "the score is set for the whole manifest by score.method and score.iterations")
        case "iterations", "stepsPerIteration":
          if let sc = scales.first(where: { (setting.key == "iterations" ? $0.iterations : $0.stepsPerIteration) != nil }) {
            throw Fail(setting.path, "scale '\(sc.name)' sets \(setting.key), so this value would be ignored; set the budget in scales")
          }
        default: break
        }
      }
    }

    let algorithmNames = algorithms.map(\.name)

    // References (reference-only rows)
    var references: [ReferenceRow] = []
    if let refNode = top.optional("references") {
      for (key, node) in try refNode.map() {
        try checkRowName(key, node.path)
        if algorithmNames.contains(key) { throw Fail(node.path, "'\(key)' is already an algorithm") }
        references.append(ReferenceRow(name: key, note: try node.string()))
      }
    }

    // Derived rows
    var derived: [DerivedRow] = []
    if let derivedNode = top.optional("derived") {
      for (key, node) in try derivedNode.map() {
        try checkRowName(key, node.path)
        if algorithmNames.contains(key) || references.contains(where: { $0.name == key }) {
          throw Fail(node.path, "'\(key)' is already a row")
        }
        let formula = try node.nonEmptyString()
        let refs = try bracketedNames(formula, at: node.path)
        if refs.isEmpty { throw Fail(node.path, "the formula refers to no row; write rows as [name]") }
        let known = algorithmNames + derived.map(\.name)
        for r in refs where !known.contains(r) {
          throw Fail(node.path, "unknown row [\(r)]; a formula may use the algorithms and earlier derived rows: \(known.joined(separator: ", "))")
        }
        derived.append(DerivedRow(name: key, formula: formula, references: refs))
      }
    }
    let allRows = algorithmNames + references.map(\.name) + derived.map(\.name)

    // Paper values
    var paper: [PaperRow] = []
    if let paperNode = top.optional("paper") {
      for (rowName, rowNode) in try paperNode.map() {
        guard allRows.contains(rowName) else {
          throw Fail(rowNode.path, "unknown row '\(rowName)'; rows: \(allRows.joined(separator: ", "))")
        }
        var cells: [PaperCell] = []
        for (taskName, cellNode) in try rowNode.map() {
          let t = try task(Node(value: .string(taskName), path: cellNode.path), among: tasks)
          let o = try cellNode.object(allowed: ["mean", "low", "high"])
          let v = PaperValue(
            mean: try o.required("mean").number(),
            low: try o.optional("low")?.number(),
            high: try o.optional("high")?.number())
          if (v.low == nil) != (v.high == nil) { throw Fail(cellNode.path, "give both low and high, or neither") }
          if let lo = v.low, let hi = v.high, !(lo <= v.mean && v.mean <= hi) {
            throw Fail(cellNode.path, "expected low <= mean <= high")
          }
          cells.append(PaperCell(task: t, value: v))
        }
        paper.append(PaperRow(row: rowName, values: cells))
      }
    }

    // Claims
    var claims: [Claim] = []
    if let claimsNode = top.optional("claims") {
      let comparable = algorithmNames + derived.map(\.name)
      for n in try claimsNode.array() {
        let o = try n.object(allowed: ["name", "left", "op", "right", "tasks"])
        let claimName = try o.required("name").nonEmptyString()
        func side(_ key: String) throws -> String {
          let node = try o.required(key)
          let s = try node.string()
          if references.contains(where: { $0.name == s }) {
            throw Fail(node.path, "'\(s)' is a reference-only row (no runs); a claim compares algorithms or derived rows")
          }
          if !comparable.contains(s) {
            throw Fail(node.path, "unknown row '\(s)'; rows: \(comparable.joined(separator: ", "))")
          }
          return s
        }
        let left = try side("left")
        let opNode = try o.required("op")
        let opText = try opNode.string()
        guard let op = Claim.Op(rawValue: opText) else {
          throw Fail(opNode.path, "unknown operator '\(opText)'; expected one of \(Claim.Op.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let right = try side("right")
        let tasksNode = try o.required("tasks")
        var claimTasks: [PaperTask] = []
        if case let .string(s) = tasksNode.value {
          guard s == "all" else { throw Fail(tasksNode.path, "expected \"all\" or an array of tasks") }
          claimTasks = tasks
        } else {
          guard case .array = tasksNode.value else { throw Fail(tasksNode.path, "expected \"all\" or an array of tasks") }
          for tn in try tasksNode.array() {
            let t = try task(tn, among: tasks)
            if !claimTasks.contains(t) { claimTasks.append(t) }
          }
          if claimTasks.isEmpty { throw Fail(tasksNode.path, "must name at least one task") }
        }
        claims.append(Claim(name: claimName, left: left, op: op, right: right, tasks: claimTasks))
      }
    }

    // Display order
    var rows = algorithmNames + references.map(\.name) + derived.map(\.name)
    if let rowsNode = top.optional("rows") {
      var given: [String] = []
      for n in try rowsNode.array() {
        let s = try n.string()
        if !rows.contains(s) { throw Fail(n.path, "unknown row '\(s)'; rows: \(rows.joined(separator: ", "))") }
        if given.contains(s) { throw Fail(n.path, "row '\(s)' listed twice") }
        given.append(s)
      }
      let missing = rows.filter { !given.contains($0) }
      if !missing.isEmpty { throw Fail(rowsNode.path, "missing rows: \(missing.joined(separator: ", "))") }
      rows = given
    }

    return Manifest(
      file: file, name: name, citation: citation, description: description, tasks: tasks,
      algorithms: algorithms, seeds: seeds, scales: scales, defaultScale: defaultScale, score: score,
      derived: derived, references: references, paper: paper, claims: claims, rows: rows)
  }

  /// Row names are referred to as `[name]` in formulas.
  private static func checkRowName(_ name: String, _ path: JSONPath) throws {
    if name.trimmingCharacters(in: .whitespaces).isEmpty || name.contains("[") || name.contains("]") || name != name.trimmingCharacters(in: .whitespaces) {
      throw Fail(path, "a row name must be non-empty, without '[' or ']' or surrounding spaces")
    }
  }

  /// Seeds per cell: 1 ... 100,000.
  private static func seedCount(_ node: Node) throws -> Int {
    let n = try node.positiveInteger()
    if n > 100_000 { throw Fail(node.path, "at most 100000 seeds, got \(n)") }
    return n
  }

  private static func task(_ node: Node, among allowed: [PaperTask]) throws -> PaperTask {
    let s = try node.string()
    guard let t = PaperTask(rawValue: s) else {
      throw Fail(node.path, "unknown task '\(s)'; expected one of \(PaperTask.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    guard allowed.contains(t) else {
      throw Fail(node.path, "task \(s) is not in this manifest's tasks (\(allowed.map(\.rawValue).joined(separator: ", ")))")
    }
    return t
  }

  private static func algorithm(_ name: String, _ node: Node, tasks: [PaperTask]) throws -> AlgorithmEntry {
    let o = try node.object(allowed: ["preset", "overrides", "perTask"])
    let presetNode = try o.required("preset")
    let presetText = try presetNode.string()
    guard let preset = Preset(rawValue: presetText) else {
      throw Fail(presetNode.path, "unknown preset '\(presetText)'; expected one of \(Preset.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    var overrides: [Setting] = []
    if let n = o.optional("overrides") {
      overrides = try settings(n)
    }
    var perTask: [(task: PaperTask, settings: [Setting])] = []
    if let n = o.optional("perTask") {
      for (taskName, taskNode) in try n.map() {
        let t = try task(Node(value: .string(taskName), path: taskNode.path), among: tasks)
        perTask.append((t, try settings(taskNode)))
      }
    }
    return AlgorithmEntry(name: name, preset: preset, overrides: overrides, perTask: perTask)
  }

  /// A `key → value` object of TrainerConfig settings, each type-checked and tried on a default config.
  static func settings(_ node: Node) throws -> [Setting] {
    var out: [Setting] = []
    for (key, n) in try node.map() {
      let text = try SettingKind.text(for: key, n)
      var probe = TrainerConfig()
      do {
        try probe.set(key, to: text)
      } catch let e as ConfigError {
        throw Fail(n.path, e.message)
      }
      out.append(Setting(key: key, value: n.value, path: n.path, text: text))
    }
    return out
  }

  /// Names between `[` and `]` in a formula, in order (duplicates kept once).
  static func bracketedNames(_ formula: String, at path: JSONPath) throws -> [String] {
    var names: [String] = []
    var current: String? = nil
    for ch in formula {
      if ch == "[" {
        if current != nil { throw Fail(path, "'[' inside a [row name]") }
        current = ""
      } else if ch == "]" {
        guard let c = current else { throw Fail(path, "']' without a matching '['") }
        let name = c.trimmingCharacters(in: .whitespaces)
        if name.isEmpty { throw Fail(path, "empty row name []") }
        if !names.contains(name) { names.append(name) }
        current = nil
      } else if current != nil {
        current!.append(ch)
      }
    }
    if current != nil { throw Fail(path, "'[' without a matching ']'") }
    return names
  }
}

/// The JSON type each TrainerConfig key takes in a manifest.
enum SettingKind {
  case number, integer, bool, choice, optionalNumber, integerArray

  static let table: [String: SettingKind] = [
    "algorithm": .choice, "iterations": .integer, "stepsPerIteration": .integer, "resetEachIteration": .bool,
    "gamma": .number, "gaeLambda": .number, "policyLR": .number, "valueLR": .number, "adamEpsilon": .number,
    "clipEpsilon": .number, "entropyCoefficient": .number, "policyEpochs": .integer, "valueEpochs": .integer,
    "minibatches": .integer, "advantageNormalization": .bool, "hiddenSizes": .integerArray,
    "valueLossMaskEpisodeEnds": .bool, "clipActions": .bool,
    "valueClipping": .bool, "rewardNormalization": .choice, "initialization": .choice,
    "learningRateAnnealing": .bool, "rewardClip": .optionalNumber, "observationNormalization": .bool,
    "observationClip": .optionalNumber, "activation": .choice, "gradientClip": .optionalNumber,
    "klBound": .number, "klBoundFinal": .optionalNumber, "fisherFraction": .number, "cgIterations": .integer,
    "cgDamping": .number, "lineSearchSteps": .integer, "lineSearchAcceptRatio": .number,
    "diagnosticsEvery": .integer, "scoreMethod": .choice, "scoreIterations": .integer,
  ]

  /// Keys of TrainerConfig that this table does not know (should be empty; tested).
  static var unknownKeys: [String] { TrainerConfig.keys.filter { table[$0] == nil } }

  /// The text form of a JSON value for `TrainerConfig.set`, after checking its JSON type.
  static func text(for key: String, _ n: Node) throws -> String {
    guard TrainerConfig.keys.contains(key) else {
      throw Fail(n.path, "unknown setting; valid settings: \(TrainerConfig.keys.joined(separator: ", "))")
    }
    switch (table[key], n.value) {
    case (.number?, .number(let t, _)): return t
    case (.number?, _): throw Fail(n.path, "expected a number")
    case (.integer?, .number): return String(try n.integer())
    case (.integer?, _): throw Fail(n.path, "expected an integer")
    case (.bool?, .bool(let b)): return b ? "true" : "false"
    case (.bool?, _): throw Fail(n.path, "expected true or false")
    case (.choice?, .string(let s)): return s
    case (.choice?, _): throw Fail(n.path, "expected a string")
    case (.optionalNumber?, .number(let t, _)): return t
    case (.optionalNumber?, .null): return "null"
    case (.optionalNumber?, _): throw Fail(n.path, "expected a number or null (null = off)")
    case (.integerArray?, .array):
      let items = try n.array().map { try $0.integer() }
      if items.isEmpty { throw Fail(n.path, "expected a non-empty array of integers") }
      return items.map(String.init).joined(separator: ",")
    case (.integerArray?, _): throw Fail(n.path, "expected an array of integers")
    case (nil, .number(let t, _)): return t
    case (nil, .bool(let b)): return b ? "true" : "false"
    case (nil, .string(let s)): return s
    case (nil, .null): return "null"
    case (nil, _): throw Fail(n.path, "expected a number, string, boolean or null")
    }
  }
}
