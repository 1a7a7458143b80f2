import RunModel
import Experiments
import Foundation
import XCTest

/// Every way a manifest is refused names the file and the JSON path.
final class ManifestErrorTests: XCTestCase {
  let f = "experiments/mini.json"

  func testSyntaxErrorHasLineAndColumn() {
    assertManifestError(miniManifest.replacing1("\"citation\": \"test\",", "\"citation\": \"test\",,"),
                        "\(f): line 3, column 22: expected a key in double quotes, found ','")
    assertManifestError("{\"name\": \"x\"", "\(f): line 1, column 13: expected ',' or '}', found the end of the file")
  }

  func testDuplicateKey() {
    assertManifestError(miniManifest.replacing1("\"citation\": \"test\",", "\"citation\": \"test\", \"citation\": \"again\","),
                        "\(f): line 3, column 23: duplicate key \"citation\"")
  }

  func testUnknownKeys() {
    assertManifestError(miniManifest.replacing1("\"citation\": \"test\",", "\"citation\": \"test\", \"colour\": 1,"),
                        "\(f): colour: unknown key; expected one of name, citation, description, tasks, algorithms, seeds, scales, defaultScale, score, derived, references, paper, claims, rows, authorsConfigs, deviations, allowLarge, trustRegionFigure, grid")
    assertManifestError(miniManifest.replacing1("{\"preset\": \"TRPO\",", "{\"preset\": \"TRPO\", \"presets\": 1,"),
                        "\(f): algorithms.TRPO.presets: unknown key; did you mean 'preset'? (expected one of preset, overrides, perTask)")
    assertManifestError(miniManifest.replacing1("\"policyLR\": 0.0003", "\"policyLr\": 0.0003"),
                        "\(f): algorithms.PPO.perTask.Hopper.policyLr: unknown setting; did you mean 'policyLR'? (`repro train --list-settings` lists all \(TrainerConfig.keys.count) with their documentation)")
    assertManifestError(miniManifest.replacing1("{\"mean\": 2513,", "{\"mean\": 2513, \"median\": 1,"),
                        "\(f): paper.PPO.Hopper.median: unknown key; did you mean 'mean'? (expected one of mean, low, high)")
  }

  func testWrongTypes() {
    assertManifestError(miniManifest.replacing1("\"policyLR\": 0.0003", "\"policyLR\": \"0.0003\""),
                        "\(f): algorithms.PPO.perTask.Hopper.policyLR: expected a number")
    assertManifestError(miniManifest.replacing1("{\"minibatches\": 4}}", "{\"minibatches\": 4.5}}"),
                        "\(f): algorithms.TRPO.overrides.minibatches: expected an integer")
    assertManifestError(miniManifest.replacing1("{\"minibatches\": 4}}", "{\"valueClipping\": 1}}"),
                        "\(f): algorithms.TRPO.overrides.valueClipping: expected true or false")
    assertManifestError(miniManifest.replacing1("{\"minibatches\": 4}}", "{\"rewardClip\": \"off\"}}"),
                        "\(f): algorithms.TRPO.overrides.rewardClip: expected a number, or null for off")
    assertManifestError(miniManifest.replacing1("{\"minibatches\": 4}}", "{\"hiddenSizes\": [64, \"64\"]}}"),
                        "\(f): algorithms.TRPO.overrides.hiddenSizes[1]: expected an integer")
    assertManifestError(miniManifest.replacing1("{\"minibatches\": 4}}", "{\"rewardNormalization\": \"return\"}}"),
                        "\(f): algorithms.TRPO.overrides.rewardNormalization: expected one of none, rewards, returns, gymnasium, got 'return'")
    assertManifestError(miniManifest.replacing1("\"tasks\": [\"Hopper\", \"Walker2d\"]", "\"tasks\": \"Hopper\""),
                        "\(f): tasks: expected an array")
    assertManifestError(miniManifest.replacing1("\"citation\": \"test\"", "\"citation\": 7"),
                        "\(f): citation: expected a string")
    assertManifestError(miniManifest.replacing1("\"tiny\": {\"iterations\": 3,", "\"tiny\": {\"iterations\": true,"),
                        "\(f): scales.tiny.iterations: expected an integer")
    assertManifestError(miniManifest.replacing1("{\"mean\": 2513,", "{\"mean\": null,"),
                        "\(f): paper.PPO.Hopper.mean: expected a number")
  }

  /// Issue 23: a manifest without a citation is a study of one's own, and what is about a paper needs one.
  func testAStudyHasNothingAboutAPaper() throws {
    let study = miniManifest.replacing1("\"citation\": \"test\",", "")
      .replacing1("\"paper\": {\"PPO\": {\"Hopper\": {\"mean\": 2513, \"low\": 2391, \"high\": 2632}}},", "")
    XCTAssertTrue(try decodeMini(study).isStudy)
    XCTAssertFalse(try decodeMini().isStudy)
    let parts = ["paper": "{}", "references": "{\"R\": \"note\"}", "authorsConfigs": "\"a.json\"", "deviations": "[]"]
    XCTAssertEqual(Set(parts.keys), Set(ManifestKeys.needCitation))
    for key in ManifestKeys.needCitation {
      assertManifestError(study.replacing1("\"tasks\":", "\"\(key)\": \(parts[key]!), \"tasks\":"),
                          "\(f): \(key): needs a citation (the paper it is about); a manifest without one is a study of "
                            + "one's own, with no paper, references, authorsConfigs, deviations")
    }
  }

  func testMissingFields() {
    // Without a citation the manifest is a study of one's own, which has no paper values.
    assertManifestError(miniManifest.replacing1("\"citation\": \"test\",", ""),
                        "\(f): paper: needs a citation (the paper it is about); a manifest without one is a study of one's own, "
                          + "with no paper, references, authorsConfigs, deviations")
    assertManifestError(miniManifest.replacing1("{\"preset\": \"TRPO\", ", "{"),
                        "\(f): algorithms.TRPO.preset: missing required field")
    assertManifestError(miniManifest.replacing1("\"seeds\": {\"count\": 3, \"base\": 1}", "\"seeds\": {\"count\": 3}"),
                        "\(f): seeds.base: missing required field")
    assertManifestError(miniManifest.replacing1("\"op\": \">\", ", ""),
                        "\(f): claims[0].op: missing required field")
  }

  func testUnknownAlgorithmPresetAndTask() {
    assertManifestError(miniManifest.replacing1("{\"preset\": \"TRPO\",", "{\"preset\": \"TRPO++\","),
                        "\(f): algorithms.TRPO.preset: unknown preset 'TRPO++'; did you mean 'TRPO+'? (expected one of PPO, PPO-M, PPO-NoClip, TRPO, TRPO+, TRPO+ (KL schedule), PPO (paper text), PPO-M (paper text), PPO-NoClip (paper text), TRPO (paper text), TRPO+ (paper text), CleanRL)")
    assertManifestError(miniManifest.replacing1("[\"Hopper\", \"Walker2d\"]", "[\"Hopper\", \"CartPole\"]"),
                        "\(f): tasks[1]: unknown task 'CartPole'; expected one of \(TaskRegistry.ids.joined(separator: ", "))")
    assertManifestError(miniManifest.replacing1("\"perTask\": {\"Hopper\"", "\"perTask\": {\"Humanoid\""),
                        "\(f): algorithms.PPO.perTask.Humanoid: task Humanoid is not in this manifest's tasks (Hopper, Walker2d)")
    assertManifestError(miniManifest.replacing1("{\"PPO\": {\"Hopper\":", "{\"PPO\": {\"Hopperr\":"),
                        "\(f): paper.PPO.Hopperr: unknown task 'Hopperr'; did you mean 'Hopper'? (expected one of \(TaskRegistry.ids.joined(separator: ", ")))")
    assertManifestError(miniManifest.replacing1("\"defaultScale\": \"tiny\"", "\"defaultScale\": \"huge\""),
                        "\(f): defaultScale: unknown scale 'huge'; scales: tiny, two")
    assertManifestError(miniManifest.replacing1("\"method\": \"lastMean\"", "\"method\": \"median\""),
                        "\(f): score.method: unknown score method 'median'; expected one of lastMean, max, lastEpisodes")
  }

  func testSeedsMustBePositive() {
    assertManifestError(miniManifest.replacing1("\"base\": 1}", "\"base\": 0}"),
                        "\(f): seeds.base: must be at least 1, got 0")
    assertManifestError(miniManifest.replacing1("\"count\": 3,", "\"count\": -2,"),
                        "\(f): seeds.count: must be at least 1, got -2")
    assertManifestError(miniManifest.replacing1("\"two\": {\"seeds\": 2,", "\"two\": {\"seeds\": 0,"),
                        "\(f): scales.two.seeds: must be at least 1, got 0")
    assertManifestError(miniManifest.replacing1("\"two\": {\"seeds\": 2,", "\"two\": {\"seeds\": 1000000000,"),
                        "\(f): scales.two.seeds: at most 100000 seeds, got 1000000000")
    assertManifestError(miniManifest.replacing1("\"base\": 1}", "\"base\": 1.5}"),
                        "\(f): seeds.base: expected an integer")
  }

  func testRowsThatDoNotExist() {
    assertManifestError(miniManifest.replacing1("\"right\": \"TRPO\"", "\"right\": \"TRPO+\""),
                        "\(f): claims[0].right: unknown row 'TRPO+'; did you mean 'TRPO'? (rows: PPO, TRPO, GAP)")
    assertManifestError(miniManifest.replacing1("\"left\": \"PPO\"", "\"left\": \"GAP2\""),
                        "\(f): claims[0].left: unknown row 'GAP2'; did you mean 'GAP'? (rows: PPO, TRPO, GAP)")
    assertManifestError(miniManifest.replacing1("\"tasks\": [\"Hopper\"]}", "\"tasks\": [\"Humanoid\"]}"),
                        "\(f): claims[0].tasks[0]: task Humanoid is not in this manifest's tasks (Hopper, Walker2d)")
    assertManifestError(miniManifest.replacing1("\"tasks\": [\"Hopper\"]}", "\"tasks\": \"every\"}"),
                        "\(f): claims[0].tasks: expected \"all\" or an array of tasks")
    assertManifestError(miniManifest.replacing1("abs([PPO] - [TRPO])", "abs([PPO] - [TRPO2])"),
                        "\(f): derived.GAP: unknown row [TRPO2]; a formula may use the algorithms and earlier derived rows: PPO, TRPO")
    assertManifestError(miniManifest.replacing1("abs([PPO] - [TRPO])", "abs([PPO] - [TRPO)"),
                        "\(f): derived.GAP: formula 'abs([PPO] - [TRPO)', column 19: expected ']' to close the name opened at column 13, found end of formula")
    assertManifestError(miniManifest.replacing1("\"paper\": {\"PPO\":", "\"paper\": {\"PPO-M\":"),
                        "\(f): paper.PPO-M: unknown row 'PPO-M'; rows: PPO, TRPO, GAP")
  }

  func testDerivedRowsMayUseOnlyEarlierDerivedRows() throws {
    let later = miniManifest.replacing1("\"derived\": {\"GAP\": \"abs([PPO] - [TRPO])\"}",
                                        "\"derived\": {\"TWICE\": \"2 * [GAP]\", \"GAP\": \"abs([PPO] - [TRPO])\"}")
    assertManifestError(later, "\(f): derived.TWICE: unknown row [GAP]; a formula may use the algorithms and earlier derived rows: PPO, TRPO")
    let earlier = miniManifest.replacing1("\"derived\": {\"GAP\": \"abs([PPO] - [TRPO])\"}",
                                          "\"derived\": {\"GAP\": \"abs([PPO] - [TRPO])\", \"TWICE\": \"2 * [GAP]\"}")
    XCTAssertEqual(try decodeMini(earlier).derived.map(\.name), ["GAP", "TWICE"])
  }

  func testReferenceRowsCannotBeClaimed() {
    let withRef = miniManifest.replacing1("\"derived\":", "\"references\": {\"PPO (baselines)\": \"ppo2\"}, \"derived\":")
      .replacing1("\"left\": \"PPO\"", "\"left\": \"PPO (baselines)\"")
    assertManifestError(withRef, "\(f): claims[0].left: 'PPO (baselines)' is a reference-only row (no runs); a claim compares algorithms or derived rows")
  }

  func testSmallestEffectIsAPositiveNumberOnAClaimBetweenRows() throws {
    assertManifestError(miniManifest.replacing1("\"left\": \"PPO\"", "\"smallestEffect\": -5, \"left\": \"PPO\""),
                        "\(f): claims[0].smallestEffect: must be a positive number (in score units), got -5.0")
    assertManifestError(miniManifest.replacing1("\"left\": \"PPO\"", "\"smallestEffect\": \"big\", \"left\": \"PPO\""),
                        "\(f): claims[0].smallestEffect: expected a number")
    let m = try decodeMini(miniManifest.replacing1("\"left\": \"PPO\"", "\"smallestEffect\": 120, \"left\": \"PPO\""))
    XCTAssertEqual(m.claims[0].smallestEffect, 120)
    XCTAssertEqual(m.smallestEffect(of: m.claims[0], on: m.claims[0].tasks[0]), 120, "the manifest's value, on every task")
  }

  func testPathsQuoteUnusualKeys() {
    let withRef = miniManifest.replacing1("\"derived\":", "\"references\": {\"PPO (baselines)\": \"ppo2\"}, \"derived\":")
      .replacing1("\"paper\": {", "\"paper\": {\"PPO (baselines)\": {\"Hopper\": {\"mean\": \"2316\"}}, ")
    assertManifestError(withRef, "\(f): paper[\"PPO (baselines)\"].Hopper.mean: expected a number")
  }

  func testConfigProblemsAreReportedAtTheirPath() {
    assertManifestError(miniManifest.replacing1("\"policyLR\": 0.0003", "\"policyLR\": -0.0003"),
                        "\(f): algorithms.PPO.perTask.Hopper.policyLR: must be positive, got -0.0003 (for Hopper at scale tiny)")
    assertManifestError(miniManifest.replacing1("\"tiny\": {\"iterations\": 3,", "\"tiny\": {\"iterations\": 0,"),
                        "\(f): scales.tiny.iterations: must be in 1...100000, got 0 (for Hopper at scale tiny)")
    // minibatches (set in overrides) exceeds the scale's steps per iteration.
    assertManifestError(miniManifest.replacing1("\"stepsPerIteration\": 32}", "\"stepsPerIteration\": 3}"),
                        "\(f): algorithms.PPO.overrides.minibatches: must be in 1...stepsPerIteration (3), got 4 (for Hopper at scale two)\n"
                          + "\(f): algorithms.TRPO.overrides.minibatches: must be in 1...stepsPerIteration (3), got 4 (for Hopper at scale two)")
    // A value from the preset is reported at the algorithm.
    let noMinibatches = miniManifest.replacing1("\"overrides\": {\"minibatches\": 4}}", "\"overrides\": {}}")
      .replacing1("\"stepsPerIteration\": 32}", "\"stepsPerIteration\": 16}")
    assertManifestError(noMinibatches,
                        "\(f): algorithms.TRPO: minibatches must be in 1...stepsPerIteration (16), got 32 (value from preset TRPO) (for Hopper at scale two)")
  }

  func testRowNamesCannotHoldBrackets() {
    assertManifestError(miniManifest.replacing1("\"TRPO\": {\"preset\"", "\"TRPO[2]\": {\"preset\""),
                        "\(f): algorithms[\"TRPO[2]\"]: a row name must be non-empty, without '[' or ']' or surrounding spaces")
  }

  func testSettingsOwnedElsewhereAreRefused() {
    assertManifestError(miniManifest.replacing1("{\"minibatches\": 4}}", "{\"minibatches\": 4, \"scoreMethod\": \"max\"}}"),
                        "\(f): algorithms.TRPO.overrides.scoreMethod: the score is set for the whole manifest by score.method and score.iterations")
    assertManifestError(miniManifest.replacing1("\"policyLR\": 0.0003", "\"iterations\": 10"),
                        "\(f): algorithms.PPO.perTask.Hopper.iterations: scale 'tiny' sets iterations, so this value would be ignored; set the budget in scales")
  }

  func testNameMustBeAFolderName() {
    assertManifestError(miniManifest.replacing1("\"name\": \"mini\"", "\"name\": \"../x\""),
                        "\(f): name: must be a folder name: letters, digits, '.', '_', '-', not starting with '.'")
  }

  func testUnreadableFile() {
    XCTAssertThrowsError(try Manifest.load(path: "/nonexistent/x.json")) { e in
      XCTAssertTrue("\(e)".hasPrefix("/nonexistent/x.json: (file): no such file; manifests in experiments/: "), "\(e)")
    }
    // A folder in a manifest's place exists but cannot be read as one.
    XCTAssertThrowsError(try Manifest.load(path: "experiments/sources")) { e in
      XCTAssertTrue("\(e)".hasPrefix("experiments/sources: (file): cannot read"), "\(e)")
    }
  }
}
