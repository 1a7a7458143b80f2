import Foundation
import Manifests
import Running
import RunModel
import Statistics

// Runs that stop when the claims are decided: seeds are added to the cells in
// rounds; after each round every claim is judged by a group-sequential design
// (`SequentialDesign`: looks fixed in advance, O'Brien–Fleming-type α spending,
// Bonferroni over looks), whose false-"reproduced" rate holds under this
// optional stopping; a cell whose claims are all decided gets no more seeds.
//
// Deterministic and resumable: look k uses exactly the first n_k seeds of each
// cell, so the same stored results give the same decisions and the same next
// runs, whatever order they finished in and however often the process stopped.

/// The state of a manifest's claims under a sequential design.
public struct SequentialOutcome: Sendable {
  public struct Line: Sendable {
    /// Index of the claim in the manifest.
    public var claim: Int
    public var task: TaskID
    public var decision: SequentialDecision
    /// The algorithm cells the claim's statement uses.
    public var cells: [String]
    /// The claim as judged, and each referenced cell's scores in seed order (to judge it at another level).
    public var calibrated: CalibratedClaim
    public var scores: [String: [Double]]
  }
  public var design: SequentialDesign
  public var lines: [Line]
  /// Row → task → the runs each cell needs now (its first n seeds).
  public var required: [String: [TaskID: Int]]

  /// The decision of claim `k` on `task`.
  public func decision(claim k: Int, task: TaskID) -> SequentialDecision? {
    line(claim: k, task: task)?.decision
  }

  /// The line of claim `k` on `task`, nil when it was not selected.
  public func line(claim k: Int, task: TaskID) -> Line? {
    lines.first { $0.claim == k && $0.task == task }
  }

  /// The verdict the same design would reach on the same runs at overall two-sided miss
  /// probability `alpha` (its looks unchanged): decided at a look, or inconclusive after the
  /// last; nil while runs are awaited or when not judged.
  public func verdict(of line: Line, alpha: Double) throws -> Verdict? {
    let d = try SequentialDesign(looks: design.looks, level: 1 - alpha).decide(line.calibrated, cells: line.scores)
    switch d.status {
    case .decided(let v): return v
    case .inconclusive: return .inconclusive
    case .awaitingRuns, .notJudged: return nil
    }
  }

  /// Whether every claim line has stopped (decided, inconclusive after the last look, or not judged).
  public var finished: Bool {
    lines.allSatisfy { if case .awaitingRuns = $0.decision.status { return false } else { return true } }
  }
}

/// The claim lines a sequential run spends seeds on (`--claim`, `--task`; all of them when
/// nothing is named): a line left out is neither judged nor given seeds, so compute goes to
/// the claims a seed plan says are cheap to decide. Leaving lines out keeps each judged
/// line's error rate (its looks and boundaries do not depend on the others).
public struct ClaimSelection: Sendable, Equatable {
  /// Indices into `manifest.rowClaims`; nil: every claim.
  public var claims: Set<Int>?
  /// nil: every task.
  public var tasks: Set<TaskID>?
  public init(claims: Set<Int>? = nil, tasks: Set<TaskID>? = nil) {
    self.claims = claims
    self.tasks = tasks
  }
  public static let all = ClaimSelection()

  public func contains(claim k: Int, task t: TaskID) -> Bool {
    (claims?.contains(k) ?? true) && (tasks?.contains(t) ?? true)
  }

  /// From command-line words: a claim by its name in the manifest or by its statement
  /// (`PPO > PPO-M` or `[PPO] > [PPO-M]`, as `repro plan` prints it), a task by name.
  /// - Throws: `ClaimSelectionError` naming what matched nothing, or a selection with no claim line.
  public static func parse(claims: [String], tasks: [String], manifest: Manifest) throws -> ClaimSelection {
    func squeezed(_ s: String) -> String { s.filter { !$0.isWhitespace && $0 != "[" && $0 != "]" }.lowercased() }
    let rowClaims = manifest.rowClaims
    var selection = ClaimSelection()
    if !claims.isEmpty {
      selection.claims = Set(try claims.map { word in
        guard let k = rowClaims.firstIndex(where: {
          $0.name.lowercased() == word.lowercased() || squeezed("\($0.left)\($0.op.rawValue)\($0.right)") == squeezed(word)
        }) else {
          let known = rowClaims.map { "'\($0.left) \($0.op.rawValue) \($0.right)'" }.joined(separator: ", ")
          let names = rowClaims.map(\.name) + rowClaims.map { "\($0.left) \($0.op.rawValue) \($0.right)" }
          let near = NameSuggestion.didYouMean(word, in: names).map { "; \($0)" } ?? ""
          throw ClaimSelectionError(description: "no claim '\(word)' in \(manifest.name) (its claims: \(known))" + near)
        }
        return k
      })
    }
    if !tasks.isEmpty {
      selection.tasks = Set(try tasks.map { word in
        guard let t = TaskID(name: word), manifest.tasks.contains(t) else {
          let near = NameSuggestion.didYouMean(word, in: manifest.tasks.map(\.rawValue)).map { "; \($0)" } ?? ""
          throw ClaimSelectionError(description: "no task '\(word)' in \(manifest.name) (its tasks: "
                                    + manifest.tasks.map(\.rawValue).joined(separator: ", ") + ")" + near)
        }
        return t
      })
    }
    let any = rowClaims.enumerated().contains { k, c in c.tasks.contains { selection.contains(claim: k, task: $0) } }
    guard any else { throw ClaimSelectionError(description: "the claims and tasks named select no claim of \(manifest.name)") }
    return selection
  }
}

public struct ClaimSelectionError: Error, CustomStringConvertible {
  public var description: String
}

public enum UntilDecided {
  /// The design for rounds of `round` seeds up to `maxSeeds` per cell, at the report's level,
  /// divided by `selectionCharge` (issue 24): a run that continues only some lines chose them
  /// after earlier runs were seen, so it runs, stops and is reported at α/k.
  public static func design(round: Int, maxSeeds: Int, level: Double = 0.95, charge: Int = 1) throws -> SequentialDesign {
    try SequentialDesign(roundSize: round, maxRunsPerCell: maxSeeds, level: 1 - (1 - level) / Double(max(1, charge)))
  }

  /// The k that a selection's lines are charged: the manifest's row-claim lines when `selection`
  /// leaves some out (every candidate counts: no record says which were undecided when the choice
  /// was made), 1 when it keeps them all.
  public static func selectionCharge(_ selection: ClaimSelection, manifest: Manifest) -> Int {
    var all = 0, chosen = 0
    for (k, c) in manifest.rowClaims.enumerated() {
      for t in c.tasks {
        all += 1
        if selection.contains(claim: k, task: t) { chosen += 1 }
      }
    }
    return chosen < all ? all : 1
  }

  /// Per cell, the scores of its runs in seed order, stopping at the first seed
  /// without a result: a finished run's score, or a diverged run's score from its
  /// returns before divergence (so that looks are not biased towards stable
  /// algorithms); a run with no score at all ends the cell's list.
  static func scoresInSeedOrder(_ expansion: Expansion, _ results: [String: ArchivedRun]) -> [String: [TaskID: [Double]]] {
    var out: [String: [TaskID: [Double]]] = [:]
    for a in expansion.manifest.algorithms {
      for t in expansion.manifest.tasks {
        var xs: [Double] = []
        for spec in expansion.specs(algorithm: a.name, task: t) {
          guard let r = results[spec.hash], let s = r.score, s.isFinite else { break }
          xs.append(r.finishedScore ?? s)
        }
        out[a.name, default: [:]][t] = xs
      }
    }
    return out
  }

  /// Judges every selected claim line on the results present.
  public static func evaluate(
    _ expansion: Expansion, results: [String: RunResult], design: SequentialDesign, selection: ClaimSelection = .all
  ) throws -> SequentialOutcome {
    try evaluate(expansion, runs: archivedRuns(expansion, results), design: design, selection: selection)
  }

  /// Judges every selected claim line on the runs present (archive records).
  public static func evaluate(
    _ expansion: Expansion, runs results: [String: ArchivedRun], design: SequentialDesign, selection: ClaimSelection = .all
  ) throws -> SequentialOutcome {
    let manifest = expansion.manifest
    let scores = scoresInSeedOrder(expansion, results)
    var definitions: [String: Formula] = [:]
    for d in manifest.derived { definitions[d.name] = d.formula }
    var lines: [SequentialOutcome.Line] = []
    var required: [String: [TaskID: Int]] = [:]
    func need(_ row: String, _ t: TaskID, _ n: Int) { required[row, default: [:]][t] = max(required[row]?[t] ?? 0, n) }
    for (k, claim) in manifest.rowClaims.enumerated() {
      let calibrated = try CalibratedClaim(try claim.statement.inlining(definitions))
      for t in claim.tasks where selection.contains(claim: k, task: t) {
        var cells: [String: [Double]] = [:]
        for name in calibrated.claim.referencedNames { cells[name] = scores[name]?[t] ?? [] }
        let d = try design.decide(calibrated, cells: cells)
        let runs: Int
        switch d.status {
        case .awaitingRuns(let n): runs = n
        default: runs = design.looks[min(d.look, design.looks.count - 1)]
        }
        for c in calibrated.cells { need(c, t, runs) }
        lines.append(.init(claim: k, task: t, decision: d, cells: calibrated.cells, calibrated: calibrated, scores: cells))
      }
    }
    // Cells no selected claim uses get the first look's runs, and keep (for the report) the runs they have.
    for a in manifest.algorithms {
      for t in manifest.tasks where required[a.name]?[t] == nil {
        need(a.name, t, max(design.looks[0], scores[a.name]?[t]?.count ?? 0))
      }
    }
    return SequentialOutcome(design: design, lines: lines, required: required)
  }

  /// The runs the outcome asks for that have no result yet, in canonical order.
  public static func pending(_ expansion: Expansion, _ outcome: SequentialOutcome, results: [String: RunResult]) -> [RunSpec] {
    pending(expansion, outcome, done: Set(results.keys))
  }

  /// The runs the outcome asks for whose hash is not in `done`, in canonical order.
  public static func pending(_ expansion: Expansion, _ outcome: SequentialOutcome, done: Set<String>) -> [RunSpec] {
    expansion.specs.filter { spec in
      guard !done.contains(spec.hash), let n = outcome.required[spec.algorithm]?[spec.task],
            let k = expansion.seeds.firstIndex(of: spec.seed) else { return false }
      return k < n
    }
  }

  /// The expansion cut to the runs each cell needs now (for the report).
  public static func planned(_ expansion: Expansion, _ outcome: SequentialOutcome) -> Expansion {
    var e = expansion
    e.specs = expansion.specs.filter { spec in
      guard let n = outcome.required[spec.algorithm]?[spec.task], let k = expansion.seeds.firstIndex(of: spec.seed) else {
        return false
      }
      return k < n
    }
    return e
  }

  /// Trains round after round until every claim has stopped: evaluate, run what
  /// is missing, repeat. Returns the runner's summaries (one per round) and the final outcome.
  public static func run(
    _ expansion: Expansion, store: ResultStore, design: SequentialDesign, jobs: Int,
    selection: ClaimSelection = .all, display: ProgressDisplay, tick: Double = 0.5, adopting: [URL] = [],
    archived: [String: ArchivedRun] = [:], train: @escaping TrainFunction
  ) throws -> (rounds: [RunSummary], outcome: SequentialOutcome) {
    var rounds: [RunSummary] = []
    // The runs present: results first, then the imported archives' runs.
    func present() -> [String: ArchivedRun] {
      archivedRuns(expansion, store.loadAll(expansion).results).merging(archived) { stored, _ in stored }
    }
    while true {
      let runs = present()
      let outcome = try evaluate(expansion, runs: runs, design: design, selection: selection)
      let todo = pending(expansion, outcome, done: Set(runs.keys))
      if todo.isEmpty { return (rounds, outcome) }
      var round = expansion
      round.specs = todo
      let summary = Runner.run(round, store: store, jobs: jobs, display: display, tick: tick, adopting: adopting,
                               archived: Set(archived.keys), train: train)
      rounds.append(summary)
      // A round that trained nothing (every run failed) would loop forever: stop and report.
      if summary.completed == 0 {
        return (rounds, try evaluate(expansion, runs: present(), design: design, selection: selection))
      }
    }
  }
}
