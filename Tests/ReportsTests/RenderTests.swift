import Foundation
import Reports
import Statistics
import XCTest

final class FormattingTests: XCTestCase {
  func testRoundsHalfAwayFromZeroAsThePaperPrints() {
    XCTAssertEqual(formatNumber(2512.5), "2513")
    XCTAssertEqual(formatNumber(-0.5), "-1")
    XCTAssertEqual(formatNumber(2.5), "3")
    XCTAssertEqual(formatNumber(-2.5), "-3")
    XCTAssertEqual(formatNumber(2512.49), "2512")
    XCTAssertEqual(formatNumber(-0.4), "0", "never -0")
    XCTAssertEqual(formatNumber(0), "0")
    // 0.125 is exact in binary, so it is a true half and rounds away from zero.
    XCTAssertEqual(formatNumber(0.125, decimals: 2), "0.13")
    XCTAssertEqual(formatNumber(-1234.5678, decimals: 2), "-1234.57")
    XCTAssertEqual(formatNumber(0.05, decimals: 2), "0.05")
    XCTAssertEqual(formatNumber(-0.004, decimals: 2), "0.00")
    XCTAssertEqual(formatNumber(.nan), "n/a")
    XCTAssertEqual(formatNumber(.infinity), "n/a")
  }

  func testEscapesLaTeXSpecialsAndKeepsPlusAndMinus() {
    XCTAssertEqual(escapeLaTeX("TRPO+"), "TRPO+")
    XCTAssertEqual(escapeLaTeX("PPO-M"), "PPO-M")
    XCTAssertEqual(escapeLaTeX("PPO_NoClip 5% & #2"), "PPO\\_NoClip 5\\% \\& \\#2")
    XCTAssertEqual(escapeLaTeX("$x^2~{y}\\"), "\\$x\\textasciicircum{}2\\textasciitilde{}\\{y\\}\\textbackslash{}")
    XCTAssertEqual(escapeLaTeX("[A] > [B] | c < d"), "[A] \\textgreater{} [B] \\textbar{} c \\textless{} d")
    XCTAssertEqual(escapeLaTeX("488 × 2048 — 0–79"), "488 $\\times$ 2048 --- 0--79")
    XCTAssertEqual(escapeLaTeX("a \"b\" c"), "a ``b'' c")
  }

  func testTypewriterTextUsesCharacterCodes() {
    XCTAssertEqual(latexCode("[A_B] > [C&D]"), "\\texttt{[A\\char95{}B] \\char62{} [C\\&D]}")
    XCTAssertEqual(latexCode("a\\b{c}|~^\"%$#"),
                   "\\texttt{a\\char92{}b\\char123{}c\\char125{}\\char124{}\\char126{}\\char94{}\\char34{}\\%\\$\\#}")
  }

  func testEscapesMarkdown() {
    XCTAssertEqual(escapeMarkdown("PPO_NoClip*|x"), "PPO\\_NoClip\\*\\|x")
    XCTAssertEqual(escapeMarkdown("TRPO+ PPO-M"), "TRPO+ PPO-M")
  }

  func testTableNamesAreEscapedInEveryFormat() {
    var r = Fixtures.small(runs: .complete(80), ours: Fixtures.ci(1, 0, 2), name: "PPO_NoClip 5% & #1")
    r.columns = ["Hopper_v5"]
    let tex = renderLaTeXTabular(r)
    XCTAssertTrue(tex.contains("PPO\\_NoClip 5\\% \\& \\#1 & 1 [0, 2]"), tex)
    XCTAssertTrue(tex.contains("\\multicolumn{2}{c}{Hopper\\_v5}"), tex)
    XCTAssertTrue(renderMarkdown(r).contains("| PPO\\_NoClip 5% & \\#1 |"))
    XCTAssertTrue(renderJSON(r).contains("\"name\": \"PPO_NoClip 5% & #1\""))
  }
}

final class IncompleteRunsTests: XCTestCase {
  func testMissingRunsAreStatedInTheCell() {
    let r = Fixtures.small(
      runs: RunCounts(expected: 80, finished: 78, missing: 2, diverged: 0),
      ours: Fixtures.ci(2513, 2391, 2632))
    let md = renderMarkdown(r)
    XCTAssertTrue(md.contains("| PPO | 2513 [2391, 2632] (78/80 runs; 2 missing) | 2513 [2391, 2632] |"), md)
    XCTAssertTrue(md.contains("| D | 1 [0, 2] (from incomplete cells) | — |"), md)
    XCTAssertTrue(md.contains("**Runs:** 158 of 160 finished, 2 missing, 0 diverged."), md)
    let tex = renderLaTeXTabular(r)
    XCTAssertTrue(tex.contains("PPO & 2513 [2391, 2632]\\textsuperscript{a} & 2513 [2391, 2632] \\\\"), tex)
    XCTAssertTrue(tex.contains("\\textsuperscript{a}PPO, Hopper: 78/80 runs; 2 missing."), tex)
    XCTAssertTrue(tex.contains("\\textsuperscript{b}D, Hopper: computed from incomplete cells."), tex)
  }

  func testACellWithNoRunsShowsADashAndTheCount() {
    let r = Fixtures.small(runs: RunCounts(expected: 80, finished: 0, missing: 80, diverged: 0), ours: nil)
    XCTAssertTrue(renderMarkdown(r).contains("| PPO | — (0/80 runs; 80 missing) |"))
    XCTAssertTrue(renderLaTeXTabular(r).contains("PPO & ---\\textsuperscript{a} &"))
    XCTAssertTrue(renderJSON(r).contains("\"ours\": null"))
  }

  func testDivergedRunsAreCountedFlaggedAndLeftOutOfTheMean() {
    let r = Fixtures.small(
      runs: RunCounts(expected: 80, finished: 76, missing: 1, diverged: 3), ours: Fixtures.ci(2500, 2400, 2600))
    let md = renderMarkdown(r)
    XCTAssertTrue(md.contains("2500 [2400, 2600] (76/80 runs; 1 missing, 3 diverged)"), md)
    XCTAssertTrue(md.contains("diverged run (non-finite score) are both left out of the mean"), md)
    XCTAssertTrue(renderLaTeXTabular(r).contains(
      "76/80 runs; 1 missing, 3 diverged (diverged runs are left out of the mean)."))
    XCTAssertTrue(renderLaTeX(r).contains("left out of the mean; diverged runs are counted and flagged"))
  }

  func testCompleteCellsCarryNoAnnotation() {
    let r = Fixtures.small(runs: .complete(80), ours: Fixtures.ci(2513, 2391, 2632))
    let md = renderMarkdown(r)
    XCTAssertTrue(md.contains("| PPO | 2513 [2391, 2632] | 2513 [2391, 2632] |"), md)
    XCTAssertTrue(md.contains("(80 runs per cell unless the cell says otherwise)"), md)
    XCTAssertTrue(md.contains("| D | 1 [0, 2] | — |"), md)
  }

  func testCellsStateTheirCountWhenCellsExpectDifferentCounts() {
    var r = Fixtures.small(runs: .complete(5), ours: Fixtures.ci(2513, 2391, 2632))
    let md = renderMarkdown(r)
    XCTAssertTrue(md.contains("| PPO | 2513 [2391, 2632] (n = 5) |"), md)
    XCTAssertFalse(md.contains("runs per cell"))
    r.rows[1].cells[0].runs = .complete(5)
    XCTAssertTrue(renderMarkdown(r).contains("(5 runs per cell unless the cell says otherwise)"))
  }

  func testValidateRejectsCountsThatDoNotAddUp() {
    XCTAssertNoThrow(try Fixtures.table2.validate())
    let bad = Fixtures.small(runs: RunCounts(expected: 80, finished: 78, missing: 0, diverged: 0), ours: nil)
    XCTAssertThrowsError(try bad.validate()) { error in
      XCTAssertEqual(
        "\(error)",
        "row 'PPO', column 'Hopper': run counts do not add up (expected 80, finished 78 + missing 0 + diverged 0)")
    }
    var short = Fixtures.table2
    short.rows[0].cells.removeLast()
    XCTAssertThrowsError(try short.validate())
    // Renderers do not trap on a short row: the missing cell is drawn as a dash.
    XCTAssertTrue(renderMarkdown(short).contains("| PPO | 3292 [3157, 3426] | 3292 [3157, 3426] | "
      + "2513 [2391, 2632] (78/80 runs; 2 missing) | 2513 [2391, 2632] | — (no runs) | — |"))
  }
}

final class ClaimLineTests: XCTestCase {
  func claim(_ v: Verdict?, _ d: ConfidenceInterval?, reason: String? = nil) -> Report {
    var r = Fixtures.small(runs: .complete(80), ours: Fixtures.ci(1, 0, 2))
    r.claims = [ClaimLine(left: "[PPO]", relation: .greaterThan, right: "[TRPO]", task: "Hopper",
                          difference: d, verdict: v, reason: reason)]
    return r
  }

  func testOneLinePerVerdictWithTheDifferenceAndItsCI() {
    let cases: [(Verdict?, ConfidenceInterval?, String, String)] = [
      (.reproduced, Fixtures.ci(470, 330.5, 611), "- ✅ **reproduced** · Hopper · `[PPO] > [TRPO]` · left − right = 470 [331, 611]",
       "\\item{} \\textbf{reproduced} --- Hopper: \\texttt{[PPO] \\char62{} [TRPO]}; left $-$ right $=$ 470 [331, 611]."),
      (.contradicted, Fixtures.ci(-470, -611, -330.5), "- ❌ **contradicted** · Hopper · `[PPO] > [TRPO]` · left − right = -470 [-611, -331]",
       "\\textbf{contradicted} --- Hopper: \\texttt{[PPO] \\char62{} [TRPO]}; left $-$ right $=$ $-$470 [$-$611, $-$331]."),
      (.inconclusive, Fixtures.ci(20, -0.5, 40), "- ❔ **inconclusive** · Hopper · `[PPO] > [TRPO]` · left − right = 20 [-1, 40]",
       "\\textbf{inconclusive} --- Hopper: \\texttt{[PPO] \\char62{} [TRPO]}; left $-$ right $=$ 20 [$-$1, 40]."),
      (nil, nil, "- ⚪ **not judged** · Hopper · `[PPO] > [TRPO]` · no finished runs of TRPO",
       "\\textbf{not judged} --- Hopper: \\texttt{[PPO] \\char62{} [TRPO]}; no finished runs of TRPO."),
    ]
    for (v, d, md, tex) in cases {
      let r = claim(v, d, reason: v == nil ? "no finished runs of TRPO" : nil)
      let lines = renderMarkdown(r).split(separator: "\n").filter { $0.hasPrefix("- ") && $0.contains(" · Hopper · ") }
      XCTAssertEqual(lines, [Substring(md)])
      XCTAssertTrue(renderLaTeX(r).contains(tex), tex)
      XCTAssertTrue(renderJSON(r).contains("\"verdict\": " + (v.map { "\"\($0.rawValue)\"" } ?? "null")))
    }
  }

  func testClaimLineFromAJudgement() throws {
    let claim = try Claim("[ACLI] > [AAI]")
    let j = ClaimJudgement(claim: claim, difference: Fixtures.ci(3, 1, 5), verdict: .reproduced)
    let line = ClaimLine(j, task: "Hopper")
    XCTAssertEqual(line.text, "[ACLI] > [AAI]")
    XCTAssertEqual(line.verdict, .reproduced)
    XCTAssertEqual(line.difference, Fixtures.ci(3, 1, 5))
  }

  func testSummaryCountsEachVerdict() {
    XCTAssertTrue(renderMarkdown(Fixtures.table2).contains(
      "4 claims: 2 reproduced, 1 contradicted, 1 inconclusive."))
  }
}

final class JSONAndCSVTests: XCTestCase {
  func testJSONParsesAndHasTheSchemaAndExplicitNulls() throws {
    let json = renderJSON(Fixtures.table2)
    let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
    XCTAssertEqual(object?["schema"] as? String, "repro.table-report/2")
    XCTAssertEqual((object?["rows"] as? [Any])?.count, 7)
    XCTAssertTrue(json.contains("\"ours\": null"))
    XCTAssertTrue(json.contains("\"estimate\": 0.71,"))
  }

  func testCSVHasOneLinePerCell() {
    let csv = renderCSV(Fixtures.table2)
    let lines = csv.split(separator: "\n", omittingEmptySubsequences: false)
    XCTAssertEqual(lines.count, 1 + 7 * 3 + 1)  // header, cells, final empty line
    XCTAssertEqual(lines[2], "PPO,algorithm,Hopper,2513,2391,2632,80,78,2,0,2601,2450,2733,2513,2391,2632")
    XCTAssertEqual(lines[21], "PPO (baselines),reference,Humanoid,,,,,,,,,,,,,")
  }
}

final class CitationPunctuationTests: XCTestCase {
  /// A citation that ends in a period is not followed by ".:" in the report's opening line.
  func testCitationEndingInPeriodIsNotDoublePunctuated() {
    var report = Fixtures.table2
    report.citation = "Engstrom et al. ICLR 2020. Table 2."
    let md = renderMarkdown(report)
    XCTAssertTrue(md.contains("Reproduction of Engstrom et al. ICLR 2020. Table 2: our numbers"), md)
    XCTAssertFalse(md.contains("Table 2.:"))
    XCTAssertFalse(renderLaTeX(report).contains("Table 2.:"))
  }
}
