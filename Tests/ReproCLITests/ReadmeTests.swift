import Foundation
import ReproCLI
import TestSupport
import XCTest

/// Issue 30: the README's commands work as written. Every `repro …` command it quotes is
/// run (reports into a temporary folder), every `make` target it names exists, and every
/// file it names is there. Training at the README's scale is not repeated here
/// (`make reproduce-table2 SCALE=quick` is 10 minutes); `make check-reports` checks the
/// reports it names byte for byte.
final class ReadmeTests: XCTestCase {
  let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  func readme() throws -> String { try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8) }

  /// The code spans (`…`) of the README, in order.
  func codeSpans(_ text: String) -> [String] {
    text.components(separatedBy: "```").enumerated().flatMap { k, part -> [String] in
      if k % 2 == 1 { return part.split(separator: "\n").dropFirst().map { String($0) } }  // a fenced block: its lines
      return part.components(separatedBy: "`").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
    }
  }

  /// `s` split into words as a POSIX shell splits them (single quotes only, as the README uses).
  func shellWords(_ s: String) -> [String] {
    var words: [String] = [], word = "", quoted = false, started = false
    for c in s {
      if c == "'" { quoted.toggle(); started = true; continue }
      if c == " " && !quoted {
        if started { words.append(word) }
        word = ""
        started = false
      } else {
        word.append(c)
        started = true
      }
    }
    if started { words.append(word) }
    return words
  }

  func testTheFirstScreenHasTheTwoCommandsAndTheCLI() throws {
    let text = try readme()
    let firstScreen = text.split(separator: "\n", omittingEmptySubsequences: false).prefix(40).joined(separator: "\n")
    XCTAssertTrue(firstScreen.contains("make reproduce-table2 SCALE=quick"), firstScreen)
    XCTAssertTrue(firstScreen.contains("make test"), ".ci/run calls make test: the README names it")
    XCTAssertTrue(firstScreen.contains(".build/release/repro"))
    for word in ["holds", "undecided", "does not hold"] {
      XCTAssertFalse(text.contains(word), "one verdict vocabulary (reproduced / contradicted / inconclusive): '\(word)'")
    }
  }

  func testEveryReproCommandItQuotesRuns() throws {
    let commands = codeSpans(try readme())
      .map { $0.components(separatedBy: "#")[0].trimmingCharacters(in: .whitespaces) }
      .filter { $0.hasPrefix("repro ") && !$0.contains("<") && !$0.contains("…") }
    XCTAssertGreaterThanOrEqual(commands.count, 8, "\(commands)")
    for command in commands {
      var args = Array(shellWords(command).dropFirst())
      if args.first == "report" {
        args += ["--out", try temporaryFolder().path, "--date", "2026-01-01", "--command", "x"]
      }
      let r = repro(args)
      XCTAssertEqual(r.status, 0, "\(command): \(r.err)")
    }
  }

  func testEveryMakeTargetAndFileItNamesExists() throws {
    let spans = codeSpans(try readme())
    let makefile = try String(contentsOf: root.appendingPathComponent("Makefile"), encoding: .utf8)
    let targets = makefile.split(separator: "\n").compactMap { line -> String? in
      guard let colon = line.firstIndex(of: ":"), !line.hasPrefix("\t"), !line.hasPrefix("#"), !line.contains("=") else { return nil }
      return String(line[..<colon])
    }
    for span in spans {
      let command = span.components(separatedBy: "#")[0].trimmingCharacters(in: .whitespaces)
      guard command.hasPrefix("make "), let target = shellWords(command).dropFirst().first(where: { !$0.contains("=") }) else { continue }
      XCTAssertTrue(targets.contains(target) || targets.contains { $0.hasSuffix("%") && target.hasPrefix($0.dropLast()) },
                    "make \(target): no such target")
    }
    let text = try readme()
    let linked = text.components(separatedBy: "](").dropFirst().map { String($0.prefix { $0 != ")" }) }
    let paths = spans.filter { $0.hasPrefix("reports/") || $0.hasPrefix("experiments/") || $0.hasPrefix("docs/") } + linked
    XCTAssertGreaterThanOrEqual(paths.count, 10)
    for path in paths {
      XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path), "README names \(path)")
    }
  }
}
