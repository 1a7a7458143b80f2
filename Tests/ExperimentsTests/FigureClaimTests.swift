import Experiments
import Foundation
import ReproRandom
import Reports
import RunModel
import Statistics
import XCTest

/// The paper's figure claims as manifest claims (Issue 14): one row's median run
/// against a number on a per-run trust-region statistic, and a grid factor's
/// values on the runs the grid's selection keeps.
final class FigureClaimTests: XCTestCase {
  static let claims = """
    "claims": [
      {"name": "TRPO within delta", "left": "TRPO", "op": "<=", "right": 1,
       "statistic": {"diagnostic": "meanKL", "batch": "train", "over": "max", "perBound": true}, "tasks": "all"},
      {"name": "PPO breaks 1 + eps", "left": "PPO", "op": ">", "right": 1,
       "statistic": {"diagnostic": "maxRatio", "batch": "train", "over": "median", "perBound": true}, "tasks": ["Walker2d"]},
      {"name": "TRPO ratio", "left": "TRPO", "op": ">", "right": 1.2,
       "statistic": {"diagnostic": "maxRatio", "batch": "heldOut", "over": "median"}, "tasks": ["Hopper"]},
      {"name": "PPO score", "left": "PPO", "op": ">", "right": 2000, "tasks": ["Hopper"]},
      {"name": "ACLI > AAI", "left": "ACLI", "op": ">", "right": "AAI", "tasks": ["Hopper"]}
    ]
    """

  static func manifest(seeds: Int = 7, claims: String = claims) -> String {
    let start = glueManifest.range(of: "\"claims\": [")!.lowerBound
    let end = glueManifest.range(of: "]\n}", options: .backwards)!.upperBound
    return glueManifest.replacingCharacters(in: start..<end, with: claims + "\n}")
      .replacingOccurrences(of: "\"count\": 4", with: "\"count\": \(seeds)")
  }

  /// Hand-made diagnostics at iterations 0 and 2: TRPO's mean KL is (0.9 + 0.01·seed)·δ at
  /// iteration 2, and PPO's max ratio is 1.5 + 0.1·seed, 1.1 (median over the two: 1.3 + 0.05·seed).
  static func results(_ e: Expansion) -> [String: RunResult] {
    var out: [String: RunResult] = [:]
    for spec in e.specs {
      var r = handMadeResult(spec)
      let s = Double(spec.seed)
      for i in [0, 2] {
        let kl = spec.config.algorithm == .trpo ? spec.config.klBound(at: i) * (i == 2 ? 0.9 + 0.01 * s : 0.5) : 0.01
        let ratio = i == 0 ? 1.5 + 0.1 * s : 1.1
        r.iterations[i].trainDiagnostics = TrustRegionStats(meanKL: kl, maxKL: 2 * kl, maxRatio: ratio)
        r.iterations[i].heldOutDiagnostics = TrustRegionStats(meanKL: 2 * kl, maxKL: 4 * kl, maxRatio: 1 + 0.01 * s)
      }
      out[spec.hash] = r
    }
    return out
  }

  func testClaimsDecodeWithTheirSubjects() throws {
    let m = try Manifest.decode(Self.manifest(), file: "experiments/glue.json")
    XCTAssertEqual(m.claims.count, 5)
    XCTAssertEqual(m.claims[0].subject, .median(RunStatistic(diagnostic: .meanKL, batch: .train, over: .max, perBound: true), bound: 1))
    XCTAssertEqual(m.claims[0].tasks, [.hopper, .walker2d])
    XCTAssertEqual(m.claims[3].subject, .median(nil, bound: 2000))
    XCTAssertEqual(m.claims[3].right, "2000")
    XCTAssertEqual(m.rowClaims.map(\.name), ["ACLI > AAI"], "only row claims are planned and decided sequentially")
  }

  func testMistakesAreNamedBeforeAnythingTrains() {
    func error(_ claim: String) -> String { manifestDecodeError(Self.manifest(claims: "\"claims\": [\(claim)]")) }
    let kl = "\"statistic\": {\"diagnostic\": \"meanKL\", \"batch\": \"train\", \"over\": \"max\", \"perBound\": true}"
    XCTAssertTrue(error("{\"name\": \"x\", \"left\": \"PPO\", \"op\": \"<\", \"right\": 1, \(kl), \"tasks\": \"all\"}")
      .contains("claims[0].statistic: perBound: PPO has no δ"), error("{\"name\": \"x\", \"left\": \"PPO\", \"op\": \"<\", \"right\": 1, \(kl), \"tasks\": \"all\"}"))
    XCTAssertTrue(error("{\"name\": \"x\", \"left\": \"TRPO\", \"op\": \"<\", \"right\": \"PPO\", \(kl), \"tasks\": \"all\"}")
      .contains("give right as a number"))
    XCTAssertTrue(error("{\"name\": \"x\", \"left\": \"ACLI\", \"op\": \"<\", \"right\": 1, \"tasks\": \"all\"}")
      .contains("one algorithm row's runs"))
    XCTAssertTrue(error("{\"name\": \"x\", \"left\": \"TRPO\", \"op\": \"<\", \"right\": 1, \"statistic\": {\"diagnostic\": \"maxKL\", \"batch\": \"train\", \"over\": \"max\", \"perBound\": true}, \"tasks\": \"all\"}")
      .contains("no algorithm bounds the max KL"))
    XCTAssertTrue(error("{\"name\": \"x\", \"left\": \"TRPO\", \"op\": \"<\", \"right\": 1, \"statistic\": {\"diagnostic\": \"KL\", \"batch\": \"train\", \"over\": \"max\"}, \"tasks\": \"all\"}")
      .contains("unknown diagnostic 'KL'"))
    XCTAssertTrue(error("{\"name\": \"x\", \"factor\": \"RS\", \"left\": \"on\", \"op\": \">\", \"right\": \"off\", \"tasks\": \"all\"}")
      .contains("needs the manifest's grid"))
    let noDiagnostics = Self.manifest(claims: "\"claims\": [{\"name\": \"x\", \"left\": \"TRPO\", \"op\": \"<\", \"right\": 1, \(kl), \"tasks\": \"all\"}]")
      .replacingOccurrences(of: "\"TRPO\": {\"preset\": \"TRPO\"}", with: "\"TRPO\": {\"preset\": \"TRPO\", \"overrides\": {\"diagnosticsEvery\": 0}}")
    XCTAssertThrowsError(try Manifest.decode(noDiagnostics, file: "a.json")) { e in
      XCTAssertTrue("\(e)".contains("records no diagnostics"), "\(e)")
    }
  }

  func testStatisticsOfOneRun() throws {
    let e = try Manifest.decode(Self.manifest(), file: "experiments/glue.json").expand()
    let results = Self.results(e)
    let spec = try XCTUnwrap(e.specs(algorithm: "TRPO", task: .hopper).first { $0.seed == 3 })
    let run = ArchivedRun(spec: spec, result: try XCTUnwrap(results[spec.hash]), score: e.manifest.score)
    let d = try XCTUnwrap(run.curves.diagnostics)
    let klMax = RunStatistic(diagnostic: .meanKL, batch: .train, over: .max, perBound: true)
    XCTAssertEqual(try XCTUnwrap(klMax.value(d, config: spec.config)), 0.93, accuracy: 1e-4, "5 significant digits in the archive")
    let ratioMedian = RunStatistic(diagnostic: .maxRatio, batch: .train, over: .median, perBound: false)
    XCTAssertEqual(try XCTUnwrap(ratioMedian.value(d, config: spec.config)), (1.8 + 1.1) / 2, accuracy: 1e-12)
    XCTAssertNil(RunStatistic(diagnostic: .maxRatio, batch: .train, over: .max, perBound: true).value(d, config: spec.config),
                 "TRPO has no 1 + ε")
    // A scheduled δ: each value is divided by the bound of its own iteration.
    var scheduled = spec.config
    scheduled.trpo.klBoundFinal = scheduled.trpo.klBound * 3
    let at2 = run.curves.diagnostics!.train.meanKL[1]!
    XCTAssertEqual(try XCTUnwrap(klMax.value(d, config: scheduled)), max(0.5, at2 / scheduled.klBound(at: 2)), accuracy: 1e-9)
  }

  func testReportJudgesTheMedianRunAgainstTheNumber() throws {
    let e = try Manifest.decode(Self.manifest(), file: "experiments/glue.json").expand()
    let report = try buildReport(expansion: e, results: Self.results(e), manifestHash: "h", context: pinnedContext)
    let lines = report.claims
    XCTAssertEqual(lines.count, 2 + 1 + 1 + 1 + 1)
    // TRPO's largest KL ÷ δ: 0.91 … 0.97 over 7 seeds, all below 1: reproduced, interval [x(1), x(7)] − 1.
    let kl = lines[0]
    XCTAssertEqual(kl.kind, .median)
    XCTAssertEqual(kl.verdict, .reproduced)
    XCTAssertEqual(try XCTUnwrap(kl.difference).high, 0.97 - 1, accuracy: 1e-4)
    XCTAssertEqual(try XCTUnwrap(kl.difference).estimate, 0.94 - 1, accuracy: 1e-4)
    XCTAssertEqual(kl.reason, "claimed <=, judged as <")
    XCTAssertTrue(kl.left.hasPrefix("median of [TRPO]: largest mean KL ÷ δ"))
    // PPO's median ratio ÷ 1.2 is (1.3 + 0.05 s)/1.2 > 1 for every seed.
    XCTAssertEqual(lines[2].verdict, .reproduced)
    XCTAssertEqual(lines[2].task, "Walker2d")
    // TRPO's held-out ratio 1 + 0.01 s < 1.2: contradicted.
    XCTAssertEqual(lines[3].verdict, .contradicted)
    // PPO's Hopper seed scores lie around 2500: above 2000.
    XCTAssertEqual(lines[4].verdict, .reproduced)
    XCTAssertEqual(lines[4].kind, .median)
    XCTAssertEqual(lines[5].kind, .rows)
    let md = renderMarkdown(report)
    XCTAssertTrue(md.contains("left − right = -0.060 [-0.090, -0.030]"), md)
    XCTAssertTrue(md.contains("A claim of one row against a number is about the median run"))
    // Fewer than 6 runs: not judged, and said why.
    let few = try Manifest.decode(Self.manifest(seeds: 5), file: "experiments/glue.json").expand()
    let fewReport = try buildReport(expansion: few, results: Self.results(few), manifestHash: "h", context: pinnedContext)
    XCTAssertNil(fewReport.claims[0].verdict)
    XCTAssertTrue(try XCTUnwrap(fewReport.claims[0].reason).contains("needs at least 6"))
    // Reports without such claims keep the rule as it was.
    XCTAssertFalse(renderMarkdown(try buildReport(expansion: try glueExpansion(), results: [:], manifestHash: "h", context: pinnedContext))
      .contains("median run"))
  }

  // MARK: grid factors

  static let gridManifest = GridTests.manifest.replacingOccurrences(
    of: "\"score\": {\"method\": \"lastMean\", \"iterations\": 2}",
    with: "\"score\": {\"method\": \"lastMean\", \"iterations\": 2}, \"claims\": [{\"name\": \"LA helps\", \"factor\": \"LA\", \"left\": \"on\", \"op\": \">\", \"right\": \"off\", \"tasks\": \"all\"}]")

  func testAFactorClaimComparesTheSelectedRuns() throws {
    let e = try Manifest.decode(Self.gridManifest, file: "experiments/abl.json").expand()
    XCTAssertEqual(e.manifest.claims.first?.subject, .factor("LA"))
    let report = try buildReport(expansion: e, results: GridTests.results(e), manifestHash: "h", context: pinnedContext)
    let line = try XCTUnwrap(report.claims.first)
    XCTAssertEqual(line.text, "[LA on] > [LA off]")
    XCTAssertEqual(line.kind, .gridFactor)
    // Selected runs (GridTests.results): LA on scores 1001-1003 and 2001-2003, LA off 1-3 and 1001-1003 → +1000.
    XCTAssertEqual(try XCTUnwrap(line.difference).estimate, 1000, accuracy: 1e-9)
    XCTAssertEqual(line.verdict, .reproduced)
    XCTAssertTrue(try XCTUnwrap(line.method).contains("runs: LA off 6, LA on 6"), line.method ?? "")
    func error(_ from: String, _ to: String) -> String {
      manifestDecodeError(Self.gridManifest.replacingOccurrences(of: from, with: to))
    }
    XCTAssertTrue(error("\"factor\": \"LA\"", "\"factor\": \"XX\"").contains("unknown factor 'XX'"))
    XCTAssertTrue(error("\"right\": \"off\"", "\"right\": \"maybe\"").contains("LA has no value 'maybe'"))
    XCTAssertTrue(error("\"right\": \"off\"", "\"right\": \"on\"").contains("with itself"))
  }

  /// The factor claim's false "reproduced" rate, selection included: a Figure-1-sized grid
  /// (4 two-level factors × 4 learning rates, n seeds, 2 tasks' worth of replicates) where the
  /// claimed factor does nothing, the other factors and the learning rate do (with interactions),
  /// and each configuration keeps its best-mean learning rate. 3 binomial SEs above 2.5%.
  func testFactorClaimFalseReproducedRateWithSelectionBySimulation() throws {
    let text = """
      {"name": "fig", "citation": "sim", "tasks": ["Walker2d"], "algorithms": {"PPO": {"preset": "PPO"}},
       "grid": {"factors": [{"name": "VC", "setting": "valueClipping", "values": [false, true]},
                            {"name": "RS", "setting": "rewardNormalization", "values": ["none", "returns"]},
                            {"name": "OI", "setting": "initialization", "values": ["xavier", "orthogonal"]},
                            {"name": "LA", "setting": "learningRateAnnealing", "values": [false, true]}],
                "search": {"name": "lr", "setting": "policyLR", "values": [0.00005, 0.0001, 0.0002, 0.0004]}},
       "seeds": {"count": 5, "base": 1}, "scales": {"s": {}}, "defaultScale": "s",
       "score": {"method": "lastMean", "iterations": 1}}
      """
    let grid = try XCTUnwrap(try Manifest.decode(text, file: "sim.json").grid)
    let claim = try CalibratedClaim(try Claim("[RS returns] > [RS none]"))
    let replicates = 10_000
    var rates: [String] = []
    for (noise, n) in [("normal", 3), ("normal", 5), ("lognormal", 5), ("normal, flat learning rates", 5)] {
      var r = Xoshiro256(seed: 11, stream: "grid-null/\(noise)/\(n)")
      var falseReproduced = 0
      for _ in 0..<replicates {
        var scores: [String: [Double]] = [:]
        for c in grid.cells {
          let levels = c.levels
          // VC, OI, LA matter (with an OI × LA interaction); RS (index 1) does nothing.
          var mean = 400.0 * Double(levels[0]) + 900 * Double(levels[2]) + 600 * Double(levels[3])
            + 500 * Double(levels[2] * levels[3])
          if noise != "normal, flat learning rates" {
            mean -= 300 * abs(Double(c.search ?? 0) - Double(levels[3] + levels[2]))
          }
          scores[c.row] = (0..<n).map { _ in
            noise == "lognormal" ? mean + 800 * (exp(r.nextNormal()) - exp(0.5)) : mean + 800 * r.nextNormal()
          }
        }
        let lookup: (String) -> [Double] = { scores[$0] ?? [] }
        let selection = grid.selected(scores: lookup)
        let on = grid.selectedScores(factor: 1, value: 1, in: selection, scores: lookup)
        let off = grid.selectedScores(factor: 1, value: 0, in: selection, scores: lookup)
        XCTAssertEqual(on.count, 8 * n)
        if try claim.judge(cells: ["RS returns": on, "RS none": off]).verdict == .reproduced { falseReproduced += 1 }
      }
      let p = Double(falseReproduced) / Double(replicates)
      rates.append("\(noise), n \(n): \(p)")
      XCTAssertLessThanOrEqual(p, 0.025 + 3 * (0.025 * 0.975 / Double(replicates)).squareRoot(), "\(noise), n = \(n)")
    }
    print("factor claim false reproduced: " + rates.joined(separator: "; "))
  }
}
