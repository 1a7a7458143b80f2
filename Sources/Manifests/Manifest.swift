import Foundation
import RunModel
import Statistics

/// One experiment, as written in `experiments/<name>.json`: which algorithms on
/// which tasks, with which seeds and budgets, how a run is scored, what the paper
/// printed, which rows are derived from others, and which claims to check.
///
/// Decoding is strict (see `Manifest.decode`): unknown keys, wrong types,
/// missing fields, unknown presets or tasks, seeds below 1, dangling row names,
/// formulas that do not parse and settings that `TrainerConfig.problems()`
/// refuses are all errors that name the file and the JSON path, found before
/// anything runs. Order is kept as written: algorithms, tasks, rows.
///
/// Schema (fields marked ? are optional):
///
///     {
///       "name": "table2",                         // results/<name>/; [A-Za-z0-9._-]
///       "citation"?: "Engstrom et al. ... Table 2", // what it reproduces; none: a study of one's own
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
///       "claims"?: [{"name": "...", "left": "ACLI", "op": ">", "right": "AAI", "tasks": "all",
///                    "smallestEffect"?: 150},   // δ in score units; default: half the paper's effect
///                   // one row's median run against a number, on a per-run statistic (`FigureClaims`):
///                   {"name": "...", "left": "TRPO", "op": "<=", "right": 1, "tasks": "all",
///                    "statistic"?: {"diagnostic": "meanKL", "batch": "train", "over": "max", "perBound"?: true}},
///                   // a grid factor's values, on the runs the grid's selection keeps:
///                   {"name": "...", "factor": "RS", "left": "returns", "op": ">", "right": "none", "tasks": "all"}],
///       "rows"?: ["PPO", "PPO (baselines)", ...],         // display order of every row
///       "authorsConfigs"?: "sources/authors-configs.json", // relative to the manifest: compare with the authors' code
///       "deviations"?: [{"rows"?: ["PPO-M", "TRPO"], "tasks": "all", "setting"?: "initialization",
///                        "from": "paper" | "code" | "environment", "reason": "why the manifest differs"}],
///       "trustRegionFigure"?: true,                      // the report draws Figures 2–4 from the diagnostics
///       "grid"?: {"factors": [{"name": "VC", "setting": "valueClipping", "values": [false, true]}],
///                 "search"?: {"name": "lr", "setting": "policyLR", "values": [0.0001, 0.0002]},
///                 "select"?: "bestMeanScore"}              // every algorithm row × configuration × search value (`Grid`)
///     }
///
/// docs/MANIFEST.md documents every key (`ManifestKeys`). A manifest without a
/// `citation` is a study of one's own (`isStudy`): it may not have `paper`,
/// `references`, `authorsConfigs` or `deviations`, and its report has no paper
/// columns and judges its claims in words that name no paper.
///
/// `deviations` explain every setting where a row differs from the paper's
/// reading or the authors' code (`Fidelity`); an entry without `setting` is a
/// general note on fidelity. The report prints them.
///
/// Setting values are typed: numbers, integers, booleans, strings (for enums),
/// `null` for an optional number that is off, arrays of integers (hiddenSizes).
/// A run's config is resolved as: preset → overrides → perTask → scale. The score
/// is not part of a run: it is computed from stored returns when reporting.
public struct Manifest: Sendable, Equatable {
  /// The file the manifest came from, as given (used in messages).
  public var file: String
  /// Results go to `results/<name>/`. Letters, digits, `.`, `_`, `-`.
  public var name: String
  /// The paper (or other source) the manifest reproduces; nil for a study of one's own.
  public var citation: String?
  public var description: String?
  /// Tasks in display order.
  public var tasks: [TaskID]
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
  public var claims: [ManifestClaim]
  /// Every row name in display order (algorithms, references, derived unless the manifest says otherwise).
  public var rows: [String]
  /// The authors' configs to compare with, as written (relative to the manifest's folder).
  public var authorsConfigs: String? = nil
  /// Why the manifest differs from the paper or the authors' code, where it does.
  public var deviations: [Deviation] = []
  /// The manifest means to ask for more than `Preflight.totalStepsCeiling` steps.
  public var allowLarge = false
  /// The report draws the trust-region figure (the paper's Figures 2–4) from the runs' diagnostics.
  public var trustRegionFigure = false
  /// The factorial design the algorithm rows were expanded by, if any (`Grid`).
  public var grid: Grid? = nil

  /// `authorsConfigs` as a path usable from the current directory.
  public var authorsConfigsPath: String? {
    authorsConfigs.map { URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent($0).path }
  }

  /// A study of one's own, with no paper behind it: no citation (and so no paper values, reference rows,
  /// authors' configs or deviations). Its report is a study's (`ReportKind.study`).
  public var isStudy: Bool { citation == nil }

  public func algorithm(named name: String) -> AlgorithmEntry? { algorithms.first { $0.name == name } }
  public func scale(named name: String) -> Scale? { scales.first { $0.name == name } }

  /// The paper's value for `row` on `task`, if printed.
  public func paperValue(row: String, task: TaskID) -> PaperValue? {
    paper.first { $0.row == row }?.values.first { $0.task == task }?.value
  }

  /// The smallest effect of interest of a claim between rows on `task`: the
  /// claim's `smallestEffect` when the manifest sets one, else half the paper's
  /// own effect (its printed left − right, in the claimed direction) when the
  /// paper prints both rows on the task and that effect is in the claimed
  /// direction; nil otherwise (the line then has no "smaller than" verdict).
  public func smallestEffect(of claim: ManifestClaim, on task: TaskID) -> Double? {
    if let d = claim.smallestEffect { return d }
    guard case .rows = claim.subject, let l = paperValue(row: claim.left, task: task),
          let r = paperValue(row: claim.right, task: task) else { return nil }
    let effect = claim.op.relation == .greaterThan ? l.value - r.value : r.value - l.value
    return effect > 0 ? effect / 2 : nil
  }

  /// What kind of row `name` is (nil when no such row).
  public func rowKind(_ name: String) -> RowKind? {
    if algorithms.contains(where: { $0.name == name }) { return .algorithm }
    if derived.contains(where: { $0.name == name }) { return .derived }
    if references.contains(where: { $0.name == name }) { return .reference }
    return nil
  }
}

/// One setting written in a manifest: a `TrainerConfig` key and its JSON value
/// (already checked against the key's type in `Settings.table`).
public struct Setting: Sendable, Equatable {
  public var key: String
  public var value: JSONValue
  /// Where it was written (for messages).
  public var path: JSONPath
  public init(key: String, value: JSONValue, path: JSONPath) {
    self.key = key
    self.value = value
    self.path = path
  }
}

/// One algorithm row: a preset plus the manifest's overrides.
public struct AlgorithmEntry: Sendable, Equatable {
  /// The row label (e.g. "PPO", "TRPO+", or any name for an ablation).
  public var name: String
  public var preset: Preset
  /// Settings applied on every task, after the preset.
  public var overrides: [Setting]
  /// Settings applied on one task, after `overrides` (the paper's Tables 4–6).
  public var perTask: [(task: TaskID, settings: [Setting])]

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

/// A row computed from other rows by a formula such as
/// `max(abs([PPO] - [TRPO+]), abs([PPO-M] - [TRPO]))`, parsed when the manifest is read.
public struct DerivedRow: Sendable, Equatable {
  public init(name: String, formula: Formula) {
    self.name = name
    self.formula = formula
  }
  public var name: String
  public var formula: Formula
  /// The bracketed row names, in order of appearance.
  public var references: [String] { formula.referencedNames }
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

public struct PaperRow: Sendable, Equatable {
  public var row: String
  public var values: [PaperCell]
}

public struct PaperCell: Sendable, Equatable {
  public var task: TaskID
  public var value: PaperValue
}

/// Where a reference value comes from.
public enum FidelitySource: String, Sendable, CaseIterable {
  /// The paper's printed Tables 4–6 and its text.
  case paper
  /// The authors' released code and configs.
  case code
  /// The tasks themselves: the paper's gym v2 environments on MuJoCo 1.5 against the ones these
  /// runs step (a model's physics, a reward term); never a setting.
  case environment
}

/// One setting of one cell where ours differs from a reference.
public struct SettingDifference: Sendable, Equatable {
  public var row: String
  public var task: TaskID
  public var key: String
  public var ours: JSONValue
  public var theirs: JSONValue
  public var source: FidelitySource
  /// Where the reference value is written: "Table 6", "§3", "configs/hopper_ppo.py", ...
  public var reference: String

  public init(row: String, task: TaskID, key: String, ours: JSONValue, theirs: JSONValue, source: FidelitySource,
              reference: String) {
    self.row = row
    self.task = task
    self.key = key
    self.ours = ours
    self.theirs = theirs
    self.source = source
    self.reference = reference
  }
}

/// Why a manifest's runs differ from the paper or from the authors' code.
public struct Deviation: Sendable, Equatable {
  /// The rows it concerns; nil = every row.
  public var rows: [String]?
  public var tasks: [TaskID]
  /// The setting; nil = a general note on fidelity.
  public var setting: String?
  public var from: FidelitySource
  public var reason: String

  public init(rows: [String]?, tasks: [TaskID], setting: String?, from: FidelitySource, reason: String) {
    self.rows = rows
    self.tasks = tasks
    self.setting = setting
    self.from = from
    self.reason = reason
  }

  /// Whether this entry gives the reason for `d`.
  public func explains(_ d: SettingDifference) -> Bool {
    setting == d.key && from == d.source && tasks.contains(d.task) && (rows?.contains(d.row) ?? true)
  }
}

/// A statement to check per task, e.g. "ACLI > AAI on every task": two rows
/// (algorithms or derived rows) compared by `op`.
public struct ManifestClaim: Sendable, Equatable {
  public enum Op: String, Sendable, Equatable, CaseIterable {
    case greater = ">", less = "<", greaterOrEqual = ">=", lessOrEqual = "<="

    /// The relation a verdict judges: `>=` as `>`, `<=` as `<` (no interval tells them apart).
    public var relation: ClaimRelation {
      switch self {
      case .greater, .greaterOrEqual: return .greaterThan
      case .less, .lessOrEqual: return .lessThan
      }
    }
  }
  /// What the two sides are.
  public enum Subject: Sendable, Equatable {
    /// `[left] op [right]`: two rows (algorithms or derived rows), on their runs' mean scores.
    case rows
    /// The median over `left`'s runs of a per-run statistic (the score when nil) against the number `bound`
    /// (written as `right`): for example TRPO's largest mean KL ÷ δ < 1 (`FigureClaims`).
    case median(RunStatistic?, bound: Double)
    /// A grid factor's two values: the runs the grid's selection keeps with the factor at `left`
    /// against those at `right`, on their mean scores (the paper's Figure 1).
    case factor(String)
  }
  public var name: String
  public var left: String
  public var op: Op
  public var right: String
  /// The tasks it is claimed on (all of the manifest's when written as "all").
  public var tasks: [TaskID]
  public var subject: Subject
  /// The smallest effect of interest δ (score units, `"smallestEffect"`), fixed before the data; nil:
  /// half the paper's own effect on each task (`smallestEffect(on:)`).
  public var smallestEffect: Double?
  public init(name: String, left: String, op: Op, right: String, tasks: [TaskID], subject: Subject = .rows) {
    self.name = name
    self.left = left
    self.op = op
    self.right = right
    self.tasks = tasks
    self.subject = subject
  }

  /// `[left] relation [right]` as a Statistics claim, before inlining derived rows.
  public var statement: Claim {
    Claim(left: Formula(expression: .name(left)), relation: op.relation, right: Formula(expression: .name(right)))
  }
}

// MARK: - Decoding

extension Manifest {
  /// Reads and decodes `path`; messages name the file as given.
  public static func load(path: String) throws -> Manifest {
    let data: Data
    if !FileManager.default.fileExists(atPath: path) {
      throw ManifestError(file: path, issues: [.init(path: "(file)", message: "no such file; " + manifestSuggestions(for: path))])
    }
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw ManifestError(file: path, issues: [.init(path: "(file)", message: "cannot read: \(error.localizedDescription)")])
    }
    return try decode(data, file: path)
  }

  /// For a manifest path that does not exist: the nearest manifest by name and the
  /// list of the manifests (`*.json`) in its folder, or in experiments/ when its folder
  /// has none ("did you mean 'experiments/table2.json'? (manifests in experiments/: …)").
  static func manifestSuggestions(for path: String) -> String {
    let url = URL(fileURLWithPath: path)
    let folders = [path.contains("/") ? (path as NSString).deletingLastPathComponent : ".", "experiments"]
    let stem = url.pathExtension == "json" ? url.deletingPathExtension().lastPathComponent : url.lastPathComponent
    for folder in folders {
      let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
        .filter { $0.hasSuffix(".json") }.sorted()
      guard !names.isEmpty else { continue }
      let prefix = folder == "." ? "" : (folder.hasSuffix("/") ? folder : folder + "/")
      let list = "manifests in \(prefix.isEmpty ? "this folder" : prefix): \(names.joined(separator: ", "))"
      guard let near = NameSuggestion.didYouMean(stem, in: names.map { String($0.dropLast(5)) },
                                                 quote: { "'\(prefix)\($0).json'" }) else { return list }
      return "\(near) (\(list))"
    }
    return "no manifests (*.json) in \(folders[0]) or experiments/"
  }

  public static func decode(_ text: String, file: String) throws -> Manifest {
    try decode(Data(text.utf8), file: file)
  }

  /// Parses and validates a manifest, formulas and every resolved run's settings
  /// included. Throws `ManifestError`.
  public static func decode(_ data: Data, file: String) throws -> Manifest {
    let json: JSONValue
    do {
      json = try JSONParser.parse(data)
    } catch let e as JSONSyntaxError {
      throw ManifestError(file: file, issues: [.init(path: "line \(e.line), column \(e.column)", message: e.message)])
    }
    let manifest: Manifest
    do {
      manifest = try ManifestDecoder(file: file).manifest(Node(value: json, path: JSONPath()))
    } catch let f as Fail {
      throw ManifestError(file: file, issues: [.init(path: f.path.description, message: f.message)])
    }
    let issues = manifest.configIssues() + manifest.figureClaimIssues()
    if !issues.isEmpty { throw ManifestError(file: file, issues: issues) }
    return manifest
  }
}

/// The keys each object of a manifest accepts, by where the object sits (`claims[]`,
/// `scales.<name>`): the decoder refuses any other key, and docs/MANIFEST.md documents
/// exactly these (`ManifestDocTests`), so the two cannot drift apart.
public enum ManifestKeys {
  public static let top = [
    "name", "citation", "description", "tasks", "algorithms", "seeds", "scales", "defaultScale",
    "score", "derived", "references", "paper", "claims", "rows", "authorsConfigs", "deviations", "allowLarge", "trustRegionFigure",
    "grid",
  ]
  public static let algorithm = ["preset", "overrides", "perTask"]
  public static let seeds = ["count", "base"]
  public static let scale = ["seeds", "iterations", "stepsPerIteration", "note"]
  public static let score = ["method", "iterations", "episodes"]
  public static let paperValue = ["mean", "low", "high"]
  public static let claim = ["name", "left", "op", "right", "tasks", "statistic", "factor", "smallestEffect"]
  public static let statistic = ["diagnostic", "batch", "over", "perBound"]
  public static let deviation = ["rows", "tasks", "setting", "from", "reason"]
  public static let grid = ["factors", "search", "select"]
  public static let gridFactor = ["name", "setting", "values"]
  /// The top-level keys a study of one's own (no `citation`) may not have: they are about a paper.
  public static let needCitation = ["paper", "references", "authorsConfigs", "deviations"]

  /// Every object with fixed keys: where it sits (`<row>`, `<name>`, `<task>` stand for names the
  /// manifest chooses, `[]` for each element of an array) and its keys.
  public static let objects: [(path: String, keys: [String])] = [
    ("", top), ("algorithms.<row>", algorithm), ("seeds", seeds), ("scales.<name>", scale), ("score", score),
    ("paper.<row>.<task>", paperValue), ("claims[]", claim), ("claims[].statistic", statistic),
    ("deviations[]", deviation), ("grid", grid), ("grid.factors[]", gridFactor), ("grid.search", gridFactor),
  ]

  /// Every key's path, e.g. `name`, `scales.<name>.note`, `claims[].smallestEffect`.
  public static var paths: [String] {
    objects.flatMap { o in o.keys.map { o.path.isEmpty ? $0 : "\(o.path).\($0)" } }
  }
}

/// The decoding of one manifest, one small function per part, in the order the
/// parts depend on each other (tasks before algorithms, rows before formulas).
struct ManifestDecoder {
  let file: String

  func manifest(_ root: Node) throws -> Manifest {
    let top = try root.object(allowed: ManifestKeys.top)
    let name = try self.name(top.required("name"))
    let citation = try top.optional("citation")?.nonEmptyString()
    if citation == nil, let key = ManifestKeys.needCitation.first(where: { top.optional($0) != nil }) {
      throw Fail(JSONPath().appending(key), "needs a citation (the paper it is about); a manifest without one is a "
        + "study of one's own, with no " + ManifestKeys.needCitation.joined(separator: ", "))
    }
    let description = try top.optional("description")?.string()
    let tasks = try self.tasks(top.required("tasks"))
    var algorithms = try self.algorithms(top.required("algorithms"), tasks: tasks)
    var grid = try top.optional("grid").map { try self.grid($0, algorithms: algorithms) }
    if var g = grid, let node = top.optional("grid") {
      algorithms = algorithms.flatMap { g.expand($0) }
      for a in algorithms { try checkRowName(a.name, node.path) }
      grid = g
    }
    let algorithmNames = algorithms.map(\.name)
    let seeds = try self.seeds(top.required("seeds"))
    let scales = try self.scales(top.required("scales"))
    let defaultScale = try self.defaultScale(top.required("defaultScale"), scales: scales)
    let score = try self.score(top.required("score"))
    try refuseSettingsOwnedElsewhere(algorithms, scales: scales)
    let references = try top.optional("references").map { try self.references($0, algorithms: algorithms) } ?? []
    let derived = try top.optional("derived").map {
      try self.derived($0, taken: algorithmNames + references.map(\.name), usable: algorithmNames)
    } ?? []
    let allRows = algorithmNames + references.map(\.name) + derived.map(\.name)
    let paper = try top.optional("paper").map { try self.paper($0, rows: allRows, tasks: tasks) } ?? []
    let claims = try top.optional("claims").map {
      try self.claims(
        $0, comparable: algorithmNames + derived.map(\.name), algorithms: algorithmNames, references: references,
        tasks: tasks, grid: grid)
    } ?? []
    let rows = try top.optional("rows").map { try self.rows($0, all: allRows) } ?? allRows
    var manifest = Manifest(
      file: file, name: name, citation: citation, description: description, tasks: tasks, algorithms: algorithms,
      seeds: seeds, scales: scales, defaultScale: defaultScale, score: score, derived: derived,
      references: references, paper: paper, claims: claims, rows: rows)
    manifest.authorsConfigs = try top.optional("authorsConfigs")?.nonEmptyString()
    manifest.deviations = try top.optional("deviations").map { try deviations($0, rows: algorithmNames, tasks: tasks) } ?? []
    manifest.allowLarge = try top.optional("allowLarge")?.bool() ?? false
    manifest.trustRegionFigure = try top.optional("trustRegionFigure")?.bool() ?? false
    manifest.grid = grid
    return manifest
  }

  /// The manifest's name and its scales' names become folder and file names:
  /// letters, digits, '.', '_', '-', not starting with '.', at most 64 characters.
  static let maximumNameLength = 64

  func name(_ node: Node) throws -> String {
    try fileName(try node.string(), node.path)
  }

  func fileName(_ name: String, _ path: JSONPath) throws -> String {
    let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
    if name.isEmpty || name.hasPrefix(".") || !name.unicodeScalars.allSatisfy({ safe.contains($0) }) {
      throw Fail(path, "must be a folder name: letters, digits, '.', '_', '-', not starting with '.'")
    }
    if name.count > Self.maximumNameLength {
      throw Fail(path, "must be at most \(Self.maximumNameLength) characters (it names folders and files), got \(name.count)")
    }
    return name
  }

  func tasks(_ node: Node) throws -> [TaskID] {
    var tasks: [TaskID] = []
    for n in try node.array() {
      let t = try task(n, among: nil)
      if tasks.contains(t) { throw Fail(n.path, "task \(t.rawValue) listed twice") }
      tasks.append(t)
    }
    if tasks.isEmpty { throw Fail(node.path, "must list at least one task") }
    return tasks
  }

  func algorithms(_ node: Node, tasks: [TaskID]) throws -> [AlgorithmEntry] {
    var algorithms: [AlgorithmEntry] = []
    for (key, n) in try node.map() {
      try checkRowName(key, n.path)
      algorithms.append(try algorithm(key, n, tasks: tasks))
    }
    if algorithms.isEmpty { throw Fail(node.path, "must define at least one algorithm") }
    return algorithms
  }

  func algorithm(_ name: String, _ node: Node, tasks: [TaskID]) throws -> AlgorithmEntry {
    let o = try node.object(allowed: ManifestKeys.algorithm)
    let presetNode = try o.required("preset")
    let presetText = try presetNode.string()
    guard let preset = Preset(rawValue: presetText) else {
      throw Fail(presetNode.path, "unknown preset '\(presetText)'; " + NameSuggestion.hint(for: presetText, in: Preset.allCases.map(\.rawValue), listLabel: "expected one of"))
    }
    if let t = tasks.first(where: { preset.config(on: $0) == nil }) {
      throw Fail(presetNode.path, Manifest.noColumn(preset, t))
    }
    let overrides = try o.optional("overrides").map(settings) ?? []
    var perTask: [(task: TaskID, settings: [Setting])] = []
    if let n = o.optional("perTask") {
      for (taskName, taskNode) in try n.map() {
        let t = try task(Node(value: .string(taskName), path: taskNode.path), among: tasks)
        perTask.append((t, try settings(taskNode)))
      }
    }
    return AlgorithmEntry(name: name, preset: preset, overrides: overrides, perTask: perTask)
  }

  /// A `key → value` object of settings, each checked against its type in `Settings.table`.
  func settings(_ node: Node) throws -> [Setting] {
    var out: [Setting] = []
    for (key, n) in try node.map() {
      if key == "scoreMethod" || key == "scoreIterations" {
        throw Fail(n.path, "the score is set for the whole manifest by score.method and score.iterations")
      }
      guard let definition = Settings.definition(key) else {
        throw Fail(n.path, Settings.unknownKeyMessage(key))
      }
      switch Settings.check(n.value, as: definition.type) {
      case .success(let v): out.append(Setting(key: key, value: v, path: n.path))
      case .failure(let e): throw Fail(e.index.map { n.path.appending($0) } ?? n.path, e.message)
      }
    }
    return out
  }

  func seeds(_ node: Node) throws -> SeedPlan {
    let o = try node.object(allowed: ManifestKeys.seeds)
    return SeedPlan(count: try seedCount(o.required("count")), base: try o.required("base").positiveInteger())
  }

  func scales(_ node: Node) throws -> [Scale] {
    var scales: [Scale] = []
    for (key, n) in try node.map() {
      let o = try n.object(allowed: ManifestKeys.scale)
      scales.append(Scale(
        name: try fileName(key, n.path),
        seeds: try o.optional("seeds").map(seedCount),
        iterations: try o.optional("iterations")?.integer(),
        stepsPerIteration: try o.optional("stepsPerIteration")?.integer(),
        note: try o.optional("note")?.string()))
    }
    if scales.isEmpty { throw Fail(node.path, "must define at least one scale") }
    return scales
  }

  func defaultScale(_ node: Node, scales: [Scale]) throws -> String {
    let name = try node.string()
    if !scales.contains(where: { $0.name == name }) {
      throw Fail(node.path, "unknown scale '\(name)'; " + NameSuggestion.hint(for: name, in: scales.map(\.name), listLabel: "scales:"))
    }
    return name
  }

  func score(_ node: Node) throws -> ScoreDefinition {
    let methodNode = try node.object(allowed: ManifestKeys.score).required("method")
    let methodText = try methodNode.string()
    guard let method = ScoreMethod(rawValue: methodText) else {
      throw Fail(methodNode.path, "unknown score method '\(methodText)'; " + NameSuggestion.hint(for: methodText, in: ScoreMethod.allCases.map(\.rawValue), listLabel: "expected one of"))
    }
    // lastEpisodes counts episodes, the others iterations: each names its own field.
    let count = method == .lastEpisodes ? "episodes" : "iterations"
    let o = try node.object(allowed: ["method", count])
    return ScoreDefinition(method: method, iterations: try o.required(count).positiveInteger())
  }

  /// A budget set in a scale would silently replace the same setting written in an algorithm: refuse it.
  func refuseSettingsOwnedElsewhere(_ algorithms: [AlgorithmEntry], scales: [Scale]) throws {
    for a in algorithms {
      for setting in a.overrides + a.perTask.flatMap(\.settings)
      where setting.key == "iterations" || setting.key == "stepsPerIteration" {
        if let sc = scales.first(where: { (setting.key == "iterations" ? $0.iterations : $0.stepsPerIteration) != nil }) {
          throw Fail(setting.path, "scale '\(sc.name)' sets \(setting.key), so this value would be ignored; set the budget in scales")
        }
      }
    }
  }

  func references(_ node: Node, algorithms: [AlgorithmEntry]) throws -> [ReferenceRow] {
    var references: [ReferenceRow] = []
    for (key, n) in try node.map() {
      try checkRowName(key, n.path)
      if algorithms.contains(where: { $0.name == key }) { throw Fail(n.path, "'\(key)' is already an algorithm") }
      references.append(ReferenceRow(name: key, note: try n.string()))
    }
    return references
  }

  /// Derived rows: each formula is parsed now, and may use the algorithms and earlier derived rows.
  func derived(_ node: Node, taken: [String], usable: [String]) throws -> [DerivedRow] {
    var derived: [DerivedRow] = []
    for (key, n) in try node.map() {
      try checkRowName(key, n.path)
      if taken.contains(key) || derived.contains(where: { $0.name == key }) { throw Fail(n.path, "'\(key)' is already a row") }
      let text = try n.nonEmptyString()
      let formula: Formula
      do {
        formula = try Formula(text)
      } catch let e as FormulaParseError {
        throw Fail(n.path, "\(e)")
      }
      if formula.referencedNames.isEmpty { throw Fail(n.path, "the formula refers to no row; write rows as [name]") }
      let known = usable + derived.map(\.name)
      for r in formula.referencedNames where !known.contains(r) {
        throw Fail(n.path, "unknown row [\(r)]; a formula may use the algorithms and earlier derived rows: \(known.joined(separator: ", "))")
      }
      if let part = formula.divisionsByConstantZero.first {
        throw Fail(n.path, "'\(part)' divides by a constant zero: the row could never be computed")
      }
      do {
        _ = try formula.inlining(Dictionary(uniqueKeysWithValues: derived.map { ($0.name, $0.formula) }))
      } catch {
        throw Fail(n.path, "\(error)")
      }
      derived.append(DerivedRow(name: key, formula: formula))
    }
    return derived
  }

  func paper(_ node: Node, rows: [String], tasks: [TaskID]) throws -> [PaperRow] {
    var paper: [PaperRow] = []
    for (rowName, rowNode) in try node.map() {
      guard rows.contains(rowName) else {
        throw Fail(rowNode.path, "unknown row '\(rowName)'; " + NameSuggestion.hint(for: rowName, in: rows, listLabel: "rows:"))
      }
      var cells: [PaperCell] = []
      for (taskName, cellNode) in try rowNode.map() {
        let t = try task(Node(value: .string(taskName), path: cellNode.path), among: tasks)
        let o = try cellNode.object(allowed: ManifestKeys.paperValue)
        let v = PaperValue(try o.required("mean").number(), low: try o.optional("low")?.number(), high: try o.optional("high")?.number())
        if (v.low == nil) != (v.high == nil) { throw Fail(cellNode.path, "give both low and high, or neither") }
        if let lo = v.low, let hi = v.high, !(lo <= v.value && v.value <= hi) {
          throw Fail(cellNode.path, "expected low <= mean <= high")
        }
        cells.append(PaperCell(task: t, value: v))
      }
      paper.append(PaperRow(row: rowName, values: cells))
    }
    return paper
  }

  func claims(
    _ node: Node, comparable: [String], algorithms: [String], references: [ReferenceRow], tasks: [TaskID], grid: Grid?
  ) throws -> [ManifestClaim] {
    var claims: [ManifestClaim] = []
    for n in try node.array() {
      let o = try n.object(allowed: ManifestKeys.claim)
      if o.optional("factor") != nil || o.optional("statistic") != nil || o.optional("right")?.isNumber == true {
        if let e = o.optional("smallestEffect") {
          throw Fail(e.path, "a smallest effect of interest applies to a claim between two rows (not to a figure claim)")
        }
        claims.append(try figureClaim(o, algorithms: algorithms, tasks: tasks, grid: grid))
        continue
      }
      func side(_ key: String) throws -> String {
        let node = try o.required(key)
        let s = try node.string()
        if references.contains(where: { $0.name == s }) {
          throw Fail(node.path, "'\(s)' is a reference-only row (no runs); a claim compares algorithms or derived rows")
        }
        if !comparable.contains(s) { throw Fail(node.path, "unknown row '\(s)'; " + NameSuggestion.hint(for: s, in: comparable, listLabel: "rows:")) }
        return s
      }
      let name = try o.required("name").nonEmptyString()
      let left = try side("left")
      let op = try claimOp(o)
      let right = try side("right")
      var claim = ManifestClaim(name: name, left: left, op: op, right: right, tasks: try claimTasks(o.required("tasks"), among: tasks))
      if let e = o.optional("smallestEffect") {
        let v = try e.number()
        guard v > 0 && v.isFinite else { throw Fail(e.path, "must be a positive number (in score units), got \(v)") }
        claim.smallestEffect = v
      }
      claims.append(claim)
    }
    return claims
  }

  func claimOp(_ o: ObjectReader) throws -> ManifestClaim.Op {
    let opNode = try o.required("op")
    let opText = try opNode.string()
    guard let op = ManifestClaim.Op(rawValue: opText) else {
      throw Fail(opNode.path, "unknown operator '\(opText)'; " + NameSuggestion.hint(for: opText, in: ManifestClaim.Op.allCases.map(\.rawValue), listLabel: "expected one of"))
    }
    return op
  }

  func claimTasks(_ node: Node, among tasks: [TaskID]) throws -> [TaskID] {
    if case let .string(s) = node.value {
      guard s == "all" else { throw Fail(node.path, "expected \"all\" or an array of tasks") }
      return tasks
    }
    guard case .array = node.value else { throw Fail(node.path, "expected \"all\" or an array of tasks") }
    var out: [TaskID] = []
    for tn in try node.array() {
      let t = try task(tn, among: tasks)
      if !out.contains(t) { out.append(t) }
    }
    if out.isEmpty { throw Fail(node.path, "must name at least one task") }
    return out
  }

  func deviations(_ node: Node, rows: [String], tasks: [TaskID]) throws -> [Deviation] {
    var out: [Deviation] = []
    for n in try node.array() {
      let o = try n.object(allowed: ManifestKeys.deviation)
      var devRows: [String]? = nil
      if let r = o.optional("rows") {
        devRows = try r.array().map { node in
          let s = try node.string()
          if !rows.contains(s) { throw Fail(node.path, "unknown algorithm row '\(s)'; " + NameSuggestion.hint(for: s, in: rows, listLabel: "rows:")) }
          return s
        }
      }
      let setting = try o.optional("setting").map { node -> String in
        let s = try node.string()
        if Settings.definition(s) == nil { throw Fail(node.path, "unknown setting '\(s)'; " + NameSuggestion.hint(for: s, in: Settings.keys, listLabel: "valid settings:")) }
        return s
      }
      let fromNode = try o.required("from")
      guard let from = FidelitySource(rawValue: try fromNode.string()) else {
        throw Fail(fromNode.path, "expected one of \(FidelitySource.allCases.map(\.rawValue).joined(separator: ", "))")
      }
      if from == .environment, setting != nil {
        throw Fail(fromNode.path, "an environment difference names no setting (it is the task's own: a model, a reward term)")
      }
      out.append(Deviation(rows: devRows, tasks: try claimTasks(o.required("tasks"), among: tasks), setting: setting,
                           from: from, reason: try o.required("reason").nonEmptyString()))
    }
    return out
  }

  /// The display order: every row exactly once.
  func rows(_ node: Node, all: [String]) throws -> [String] {
    var given: [String] = []
    for n in try node.array() {
      let s = try n.string()
      if !all.contains(s) { throw Fail(n.path, "unknown row '\(s)'; " + NameSuggestion.hint(for: s, in: all, listLabel: "rows:")) }
      if given.contains(s) { throw Fail(n.path, "row '\(s)' listed twice") }
      given.append(s)
    }
    let missing = all.filter { !given.contains($0) }
    if !missing.isEmpty { throw Fail(node.path, "missing rows: \(missing.joined(separator: ", "))") }
    return given
  }

  /// Row names are referred to as `[name]` in formulas.
  func checkRowName(_ name: String, _ path: JSONPath) throws {
    if name.trimmingCharacters(in: .whitespaces).isEmpty || name.contains("[") || name.contains("]") || name != name.trimmingCharacters(in: .whitespaces) {
      throw Fail(path, "a row name must be non-empty, without '[' or ']' or surrounding spaces")
    }
    if name.count > Self.maximumRowNameLength {
      throw Fail(path, "a row name must be at most \(Self.maximumRowNameLength) characters, got \(name.count)")
    }
  }

  static let maximumRowNameLength = 100

  /// Seeds per cell: 1 ... 100,000.
  func seedCount(_ node: Node) throws -> Int {
    let n = try node.positiveInteger()
    if n > 100_000 { throw Fail(node.path, "at most 100000 seeds, got \(n)") }
    return n
  }

  func task(_ node: Node, among allowed: [TaskID]?) throws -> TaskID {
    let s = try node.string()
    guard let t = TaskID(name: s) else {
      throw Fail(node.path, "unknown task '\(s)'; " + NameSuggestion.hint(for: s, in: TaskRegistry.ids, listLabel: "expected one of"))
    }
    guard let allowed else { return t }
    guard allowed.contains(t) else {
      throw Fail(node.path, "task \(s) is not in this manifest's tasks (\(allowed.map(\.rawValue).joined(separator: ", ")))")
    }
    return t
  }
}
