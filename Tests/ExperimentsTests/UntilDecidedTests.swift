import Experiments
import Foundation
import Reports
import RunModel
import Statistics
import XCTest

/// `repro run --until-decided`: seeds in rounds until every claim is decided.
final class UntilDecidedTests: XCTestCase {
  static let manifest = """
    {"name": "seq", "citation": "until-decided test", "tasks": ["Hopper", "Walker2d"],
     "algorithms": {"PPO": {"preset": "PPO"}, "TRPO": {"preset": "TRPO"}, "PPO-M": {"preset": "PPO-M"}},
     "seeds": {"count": 12, "base": 1}, "scales": {"s": {"iterations": 2, "stepsPerIteration": 64}},
     "defaultScale": "s", "score": {"method": "lastMean", "iterations": 1},
     "claims": [{"name": "PPO > TRPO", "left": "PPO", "op": ">", "right": "TRPO", "tasks": "all"}]}
    """

  /// Scores: PPO 1000 + noise, TRPO 900 + noise on Hopper (decided in a few rounds), and equal
  /// means on Walker2d (never decided); the noise (0 to 99) comes from the run's hash.
  @Sendable static func train(_ spec: RunSpec, _ progress: IterationProgress) throws -> RunResult {
    var r = RunResult(task: spec.task.rawValue, seed: spec.seed, config: spec.config)
    let noise = Double(UInt64(spec.hash.prefix(8), radix: 16)! % 100)
    let base = spec.algorithm == "PPO" && spec.task == .hopper ? 1000.0 : 900
    for i in 0..<spec.config.iterations {
      var m = IterationMetrics(iteration: i)
      m.meanReturn = base + noise
      m.episodes = 1
      r.iterations.append(m)
      progress(i + 1)
    }
    r.totalSteps = spec.config.iterations * spec.config.stepsPerIteration
    return r
  }

  func setUp(_ dir: URL) throws -> (Expansion, ResultStore, SequentialDesign) {
    let m = try Manifest.decode(Self.manifest, file: "seq.json")
    return (try m.expand(), ResultStore(root: dir, manifest: m.name), try UntilDecided.design(round: 3, maxSeeds: 12))
  }

  func testStopsWhenDecidedAndRunsOnlyWhatTheDesignAsks() throws {
    let (e, store, design) = try setUp(try temporaryFolder())
    XCTAssertEqual(design.looks, [3, 6, 9, 12])
    let (rounds, outcome) = try UntilDecided.run(e, store: store, design: design, jobs: 2, display: quietDisplay(),
                                                 tick: 0.01, train: Self.train)
    XCTAssertTrue(outcome.finished)
    let hopper = try XCTUnwrap(outcome.decision(claim: 0, task: .hopper))
    guard case .decided(.reproduced) = hopper.status else { return XCTFail("Hopper: \(hopper.status)") }
    XCTAssertLessThan(hopper.look, 3, "decided before the last look")
    let walker = try XCTUnwrap(outcome.decision(claim: 0, task: .walker2d))
    XCTAssertEqual(walker.status, .inconclusive, "equal means are never decided")
    // PPO-M is in no claim: it gets the first look's seeds only.
    let stored = store.loadAll(e).results
    let counts = Dictionary(grouping: e.specs.filter { stored[$0.hash] != nil }, by: { "\($0.algorithm)/\($0.task.rawValue)" })
      .mapValues(\.count)
    XCTAssertEqual(counts["PPO-M/Hopper"], 3)
    XCTAssertEqual(counts["PPO/Walker2d"], 12)
    XCTAssertEqual(counts["PPO/Hopper"], design.looks[hopper.look])
    XCTAssertEqual(rounds.count, 4, "Walker2d needs every look")
  }

  /// Interrupted by failing runs part-way, then resumed: the same results and the same report
  /// as an uninterrupted run (decisions depend only on the first n seeds of each cell).
  func testResumableAndDeterministic() throws {
    let (e, clean, design) = try setUp(try temporaryFolder())
    _ = try UntilDecided.run(e, store: clean, design: design, jobs: 2, display: quietDisplay(), tick: 0.01, train: Self.train)

    let (_, store, _) = try setUp(try temporaryFolder())
    let started = Counter()
    let crashing: TrainFunction = { spec, progress in
      if started.increment() > 10 { throw FakeCrash() }
      return try Self.train(spec, progress)
    }
    let (_, stopped) = try UntilDecided.run(e, store: store, design: design, jobs: 2, display: quietDisplay(), tick: 0.01,
                                            train: crashing)
    XCTAssertFalse(stopped.finished, "the crash left claims awaiting runs")
    let (_, resumed) = try UntilDecided.run(e, store: store, design: design, jobs: 1, display: quietDisplay(), tick: 0.01,
                                            train: Self.train)
    XCTAssertTrue(resumed.finished)
    XCTAssertEqual(try folderContents(store.directory).filter { !$0.key.hasPrefix(".") }.mapValues { _ in 1 },
                   try folderContents(clean.directory).mapValues { _ in 1 }, "the same runs")
    func report(_ s: ResultStore) throws -> String {
      let results = s.loadAll(e).results
      let outcome = try UntilDecided.evaluate(e, results: results, design: design)
      return renderMarkdown(try buildReport(expansion: e, results: results, manifestHash: "h", context: pinnedContext,
                                            sequential: outcome))
    }
    let a = try report(clean)
    XCTAssertEqual(a, try report(store))
    XCTAssertTrue(a.contains("group-sequential"), a)
  }

  /// `--claim`/`--task`: only the selected claim lines are judged and get seeds; the others'
  /// cells stay at the first look.
  func testSelectionSpendsSeedsOnlyOnTheSelectedClaims() throws {
    let (e, store, _) = try setUp(try temporaryFolder())
    let selection = try ClaimSelection.parse(claims: ["[PPO] > [TRPO]"], tasks: ["hopper"], manifest: e.manifest)
    XCTAssertEqual(selection, ClaimSelection(claims: [0], tasks: [.hopper]))
    // Issue 24: one line chosen of the manifest's 2: the design runs at 5%/2.
    XCTAssertEqual(UntilDecided.selectionCharge(selection, manifest: e.manifest), 2)
    XCTAssertEqual(UntilDecided.selectionCharge(.all, manifest: e.manifest), 1)
    let design = try UntilDecided.design(round: 3, maxSeeds: 12, charge: 2)
    XCTAssertEqual(design.level, 0.975, accuracy: 1e-12)
    let (_, outcome) = try UntilDecided.run(e, store: store, design: design, jobs: 2, selection: selection,
                                            display: quietDisplay(), tick: 0.01, train: Self.train)
    XCTAssertTrue(outcome.finished)
    XCTAssertEqual(outcome.lines.map(\.task), [.hopper], "Walker2d's line is not judged")
    let stored = store.loadAll(e).results
    let counts = Dictionary(grouping: e.specs.filter { stored[$0.hash] != nil }, by: { "\($0.algorithm)/\($0.task.rawValue)" })
      .mapValues(\.count)
    let hopper = try XCTUnwrap(outcome.decision(claim: 0, task: .hopper))
    XCTAssertEqual(counts["PPO/Hopper"], design.looks[hopper.look])
    XCTAssertEqual(counts["PPO/Walker2d"], 3, "unselected: the first look only (unselected, the line would need all 12)")
    XCTAssertEqual(counts["TRPO/Walker2d"], 3)

    // After a run of every claim, the Hopper-only selection trains nothing more, and its report
    // keeps the unselected cells' runs (12 on Walker2d), not only the first look's.
    _ = try UntilDecided.run(e, store: store, design: design, jobs: 2, display: quietDisplay(), tick: 0.01, train: Self.train)
    let all = store.loadAll(e).results
    let selected = try UntilDecided.evaluate(e, results: all, design: design, selection: selection)
    XCTAssertEqual(UntilDecided.pending(e, selected, results: all), [])
    let reported = UntilDecided.planned(e, selected).specs
    XCTAssertEqual(reported.filter { $0.algorithm == "PPO" && $0.task == .walker2d }.count, 12)
    XCTAssertEqual(reported.filter { $0.algorithm == "PPO" && $0.task == .hopper }.count, design.looks[hopper.look])
    let text = renderMarkdown(try buildReport(expansion: e, results: all, manifestHash: "h", context: pinnedContext,
                                              sequential: selected))
    XCTAssertTrue(text.contains("· Walker2d · `[PPO] > [TRPO]` · not judged: not among the claims this sequential run selected"), text)
    XCTAssertTrue(text.contains("A line judged by a sequential run (--until-decided) is judged instead at looks"), text)
    // Issue 24: the chosen line says it was charged for the choice, at 5% over the manifest's 2 claim lines.
    guard case .decided(let v) = hopper.status else { return XCTFail("the fake runs decide Hopper's line") }
    XCTAssertTrue(text.contains("so judged at 5%/2, the choice charged among the 2 claim lines it was chosen from"), text)
    let hopperLine = try XCTUnwrap(text.split(separator: "\n").first { $0.contains("· Hopper · `[PPO] > [TRPO]`") })
    XCTAssertTrue(hopperLine.contains("**\(v.rawValue)** · family:"), "the line shows the charged design's verdict: \(hopperLine)")
    let fixed = renderMarkdown(try buildReport(expansion: e, results: all, manifestHash: "h", context: pinnedContext))
    XCTAssertFalse(fixed.contains("judged by a sequential run"), "a fixed-sample report states only the fixed-sample rule")
  }

  func testSelectionParsing() throws {
    let m = try Manifest.decode(Self.manifest, file: "seq.json")
    XCTAssertEqual(try ClaimSelection.parse(claims: [], tasks: [], manifest: m), .all)
    XCTAssertEqual(try ClaimSelection.parse(claims: ["ppo > trpo"], tasks: [], manifest: m).claims, [0], "by its name")
    XCTAssertEqual(try ClaimSelection.parse(claims: ["PPO>TRPO"], tasks: ["Walker2d-v5"], manifest: m).tasks, [.walker2d])
    for (claims, tasks, message) in [(["TRPO > PPO"], [String](), "no claim 'TRPO > PPO' in seq (its claims: 'PPO > TRPO')"),
                                     ([], ["Humanoid"], "no task 'Humanoid' in seq (its tasks: Hopper, Walker2d)"),
                                     ([], ["Ant"], "no task 'Ant' in seq")] {
      XCTAssertThrowsError(try ClaimSelection.parse(claims: claims, tasks: tasks, manifest: m)) {
        XCTAssertTrue("\($0)".hasPrefix(message), "\($0)")
      }
    }
  }

  /// The false-"reproduced" rate of the whole procedure under optional stopping is
  /// simulated in Statistics (SequentialTests.testOptionalStoppingOnNullData).
}
