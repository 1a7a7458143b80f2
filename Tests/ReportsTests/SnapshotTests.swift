import Foundation
import Reports
import TestSupport
import XCTest

// Snapshot tests: a fixed model (Fixtures.table2) must render byte for byte
// to the files committed in Tests/ReportsTests/Snapshots/.
//
// To rewrite the snapshots after an intended change, run
//
//   REPRO_UPDATE_SNAPSHOTS=1 swift test --filter ReportsTests
//
// and review the diff with `git diff Tests/ReportsTests/Snapshots` before committing.
//
// The files are found from this source file's path (#filePath), not as
// SwiftPM resources, so the tests read and write the committed copies.

/// Tests/ReportsTests/Snapshots, next to this file.
let snapshotDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .appendingPathComponent("Snapshots", isDirectory: true)

func assertSnapshot(_ actual: String, named name: String, file: StaticString = #filePath, line: UInt = #line) throws {
  try assertSnapshot(actual, named: name, in: snapshotDirectory, file: file, line: line)
}

final class SnapshotTests: XCTestCase {
  func testMarkdownSnapshot() throws {
    try assertSnapshot(renderMarkdown(Fixtures.table2), named: "table2.md")
  }

  func testLaTeXSnapshot() throws {
    try assertSnapshot(renderLaTeX(Fixtures.table2), named: "table2.tex")
  }

  func testLaTeXTabularSnapshot() throws {
    try assertSnapshot(renderLaTeXTabular(Fixtures.table2), named: "table2.tabular.tex")
  }

  func testJSONSnapshot() throws {
    try assertSnapshot(renderJSON(Fixtures.table2), named: "table2.json")
  }

  func testCSVSnapshot() throws {
    try assertSnapshot(renderCSV(Fixtures.table2), named: "table2.csv")
  }

  func testRenderingIsAPureFunctionOfTheModel() {
    XCTAssertEqual(renderMarkdown(Fixtures.table2), renderMarkdown(Fixtures.table2))
    XCTAssertEqual(renderJSON(Fixtures.table2), renderJSON(Fixtures.table2))
  }
}

/// Compiles LaTeX with pdflatex when it is installed (Debian: texlive-latex-recommended).
final class LaTeXCompileTests: XCTestCase {
  func pdflatex() throws -> URL {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for dir in path.split(separator: ":") {
      let url = URL(fileURLWithPath: String(dir)).appendingPathComponent("pdflatex")
      if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    throw XCTSkip("pdflatex is not installed (apt-get install texlive-latex-recommended)")
  }

  /// Runs pdflatex on `source` in a fresh directory; fails with the log's tail if it does not compile.
  @discardableResult
  func compile(_ source: String, name: String) throws -> String {
    let tool = try pdflatex()
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("repro-latex-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try Data(source.utf8).write(to: dir.appendingPathComponent("\(name).tex"))
    let process = Process()
    process.executableURL = tool
    process.arguments = ["-interaction=nonstopmode", "-halt-on-error", "\(name).tex"]
    process.currentDirectoryURL = dir
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let log = String(decoding: output, as: UTF8.self)
    XCTAssertEqual(process.terminationStatus, 0, "pdflatex failed:\n" + String(log.suffix(3000)))
    XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("\(name).pdf").path))
    return (try? String(contentsOf: dir.appendingPathComponent("\(name).log"), encoding: .utf8)) ?? log
  }

  /// The lines of a pdflatex log that report an overfull box.
  func overfull(_ log: String) -> [String] {
    log.split(separator: "\n").filter { $0.hasPrefix("Overfull \\hbox") || $0.hasPrefix("Overfull \\vbox") }.map(String.init)
  }

  func testTheTableFragmentFitsAOneColumnArticleAndTheWideOneATwoColumnPaper() throws {
    for report in [Fixtures.table2] {
      let narrow = try compile("""
        \\documentclass{article}
        \\usepackage{booktabs}
        \\begin{document}
        \(renderLaTeXTableFragment(report))
        \\end{document}

        """, name: "narrow")
      XCTAssertEqual(overfull(narrow), [], "the -table.tex fragment fits \\linewidth of a one-column article")
      let wide = try compile("""
        \\documentclass[twocolumn]{article}
        \\usepackage{booktabs}
        \\begin{document}
        \(renderLaTeXTableFragment(report, layout: .wide))
        Text.
        \\end{document}

        """, name: "wide")
      XCTAssertEqual(overfull(wide), [], "the -table-wide.tex fragment fits across a two-column paper")
    }
  }

  func testStandaloneDocumentCompiles() throws {
    try compile(renderLaTeX(Fixtures.table2), name: "table2")
  }

  func testTabularFragmentCompilesInAPaper() throws {
    let doc = """
      \\documentclass{article}
      \\usepackage{booktabs}
      \\begin{document}
      \\begin{table}\\centering\\tiny
      \(renderLaTeXTabular(Fixtures.table2))\\end{table}
      \\end{document}

      """
    try compile(doc, name: "fragment")
  }

  func testTableFragmentCompilesWhenInputIntoAPaper() throws {
    let doc = """
      \\documentclass{article}
      \\usepackage{booktabs}
      \\begin{document}
      \(renderLaTeXTableFragment(Fixtures.table2))
      \\end{document}

      """
    try compile(doc, name: "paper")
  }

  func testSpecialCharactersCompile() throws {
    var r = Fixtures.small(
      runs: RunCounts(expected: 80, finished: 0, missing: 80, diverged: 0), ours: nil,
      name: "[x] PPO_NoClip 5% & #1 $ ^ ~ {} \\ < > |")
    r.title = "A_b & c% #d"
    r.notes = ["Unicode: 488 × 2048 — 0–79 ≥ 1 ± 2 … ‘q’ “q” ℓ2 --jobs γ λ δ ε § 😀"]
    r.claims = [ClaimLine(left: "[A_B]", relation: .lessThan, right: "[C&D]", task: nil,
                          difference: Fixtures.ci(-3, -5, -1), verdict: .reproduced)]
    try compile(renderLaTeX(r), name: "special")
  }
}

#if canImport(FoundationXML)
import FoundationXML
#endif

#if canImport(FoundationXML) || canImport(Darwin)
/// Records parse errors and element nesting: on Linux, `XMLParser.parse()` can
/// return true for a document with an unclosed element (seen with Swift 6.3),
/// so well-formedness is judged on the reported errors and the nesting too.
final class WellFormednessChecker: NSObject, XMLParserDelegate {
  var depth = 0
  var errors: [String] = []
  func parser(
    _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
  ) { depth += 1 }
  func parser(
    _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?
  ) { depth -= 1 }
  func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) { errors.append("\(parseError)") }

  /// Whether `text` parses as one well-formed XML document.
  static func isWellFormed(_ text: String) -> Bool {
    let parser = XMLParser(data: Data(text.utf8))
    let checker = WellFormednessChecker()
    parser.delegate = checker
    let ok = parser.parse()
    return ok && parser.parserError == nil && checker.errors.isEmpty && checker.depth == 0
  }
}
#endif

final class SVGTests: XCTestCase {
  func testSVGSnapshot() throws {
    try assertSnapshot(renderBarChartSVG(Fixtures.table2), named: "table2.svg")
  }

  func testSVGIsWellFormedXML() throws {
    let svgs = [
      renderBarChartSVG(Fixtures.table2),
      renderBarChartSVG(Fixtures.small(
        runs: RunCounts(expected: 80, finished: 0, missing: 80, diverged: 0), ours: nil,
        name: "A & <B> \"c\" 'd'")),
    ]
    #if canImport(FoundationXML) || canImport(Darwin)
    // The check rejects malformed XML (so passing it means something).
    for bad in ["<svg><g></svg>", "<svg>&</svg>", "<svg a=\"1\" a=\"2\"/>", "<a/><b/>"] {
      XCTAssertFalse(WellFormednessChecker.isWellFormed(bad), bad)
    }
    XCTAssertTrue(WellFormednessChecker.isWellFormed("<svg><g></g></svg>"))
    for svg in svgs {
      XCTAssertTrue(WellFormednessChecker.isWellFormed(svg), "SVG is not well-formed XML")
    }
    #else
    throw XCTSkip("no XMLParser on this platform")
    #endif
    XCTAssertTrue(svgs[1].contains("A &amp; &lt;B&gt; &quot;c&quot; &apos;d&apos;"))
    XCTAssertTrue(svgs[1].contains("A &amp; &lt;B&gt; &quot;c&quot; &apos;d&apos; (n/a)</text>"), "a cell with no result: no bar, and n/a on the axis")
  }
}
