import Experiments
import Foundation
import Reports
import RunModel
import XCTest

/// The results archive (Issue 13): it round-trips, reports from it equal reports
/// from the results, halves merge to the whole, and runs that disagree are refused.
final class ArchiveTests: XCTestCase {
  /// A deterministic trainer with timing (which archives keep apart from the content).
  @Sendable static func timedTrain(_ spec: RunSpec, _ progress: IterationProgress) throws -> RunResult {
    var r = try fakeTrain(spec, progress)
    r.timing = RunTiming(wallSeconds: 2.5, iterationSeconds: [1, 1.5], cpuSeconds: 2.25)
    // Trust-region diagnostics at the first iteration (held-out only where both are recorded).
    r.iterations[0].trainDiagnostics = TrustRegionStats(meanKL: 0.0123456789, maxKL: 0.2, maxRatio: 1.5 + Double(spec.seed))
    r.iterations[0].heldOutDiagnostics = TrustRegionStats(meanKL: 0.02, maxKL: 0.3, maxRatio: 2)
    return r
  }

  func trained(_ e: Expansion, shard: Shard = .all, machine: String = "here") throws -> (ResultStore, Archive) {
    let store = ResultStore(directory: try temporaryFolder(), trainedBy: TrainedBy(commit: "abc1234", machine: machine))
    XCTAssertTrue(Runner.run(e, store: store, jobs: 2, shard: shard, display: quietDisplay(), tick: 0.01, train: Self.timedTrain).succeeded)
    return (store, Archive(expansion: e, stored: store.loadStored(e).runs))
  }

  func files(_ r: Report) -> [String] { renderReportFiles(r).map(\.text) }

  func testAnArchiveRoundTripsAndGivesTheSameReport() throws {
    let e = try decodeMini().expand()
    let (store, archive) = try trained(e)
    XCTAssertEqual(archive.runs.count, e.uniqueSpecs.count)
    let decoded = try Archive.decode(archive.data, file: "a.jsonl")
    XCTAssertEqual(decoded, archive)
    XCTAssertEqual(decoded.data, archive.data, "the same runs give the same bytes")
    XCTAssertEqual(decoded.runs.values.first?.trainedBy, TrainedBy(commit: "abc1234", machine: "here"))
    let d = try XCTUnwrap(decoded.runs.values.first?.curves.diagnostics)
    XCTAssertEqual(d.iterations, [0])
    XCTAssertEqual(d.train.meanKL, [0.012346], "5 significant digits")
    XCTAssertEqual(d.heldOut.maxRatio, [2])

    let fromResults = try buildReport(expansion: e, results: store.loadAll(e).results, manifestHash: "h", context: pinnedContext)
    let fromArchive = try buildReport(expansion: e, runs: decoded.runs, manifestHash: "h", context: pinnedContext)
    XCTAssertEqual(files(fromResults), files(fromArchive), "every file, byte for byte")
    XCTAssertEqual(fromArchive.provenance.archive?.sha256, archive.contentSHA256)
    XCTAssertEqual(fromArchive.provenance.archive?.file, "mini-tiny.jsonl")
  }

  /// A manifest scored as CleanRL's benchmark (`lastEpisodes`): its runs must record their
  /// episodes, its archive header names the episode count, and the archive round-trips.
  func testLastEpisodesScoreInManifestsAndArchives() throws {
    let cleanRL = miniManifest
      .replacingOccurrences(of: #""score": {"method": "lastMean", "iterations": 2}"#,
                            with: #""score": {"method": "lastEpisodes", "episodes": 100}"#)
      .replacingOccurrences(of: #""preset": "PPO", "overrides": {"minibatches": 4}"#,
                            with: #""preset": "CleanRL", "overrides": {"minibatches": 4}"#)
      .replacingOccurrences(of: #""preset": "TRPO", "overrides": {"minibatches": 4}"#,
                            with: #""preset": "TRPO", "overrides": {"minibatches": 4, "recordEpisodeReturns": true}"#)
    let m = try decodeMini(cleanRL)
    XCTAssertEqual(m.score, .cleanRL)
    // Without recorded episodes the score could not be computed: refused before training.
    let unrecorded = cleanRL.replacingOccurrences(of: #", "recordEpisodeReturns": true"#, with: "")
    XCTAssertThrowsError(try decodeMini(unrecorded)) { e in
      XCTAssertTrue("\(e)".contains("algorithms.TRPO: score method lastEpisodes needs recordEpisodeReturns: true"), "\(e)")
    }
    // Each method names its own count.
    XCTAssertThrowsError(try decodeMini(cleanRL.replacingOccurrences(of: #""episodes": 100"#, with: #""iterations": 100"#))) { e in
      XCTAssertTrue("\(e)".contains("score.iterations: unknown key; expected one of method, episodes"), "\(e)")
    }
    let e = try m.expand()
    let (_, archive) = try trained(e)
    let header = String(decoding: archive.data, as: UTF8.self).split(separator: "\n").first.map(String.init)
    XCTAssertEqual(header,
      #"{"format":"repro-archive-2","manifest":"mini","runs":12,"scale":"tiny","score":{"episodes":100,"method":"lastEpisodes"}}"#)
    XCTAssertEqual(try Archive.decode(archive.data, file: "a.jsonl"), archive)
  }

  func testTheHalvesOfAShardedRunMergeToTheWhole() throws {
    let e = try decodeMini().expand()
    let (_, whole) = try trained(e)
    let (_, first) = try trained(e, shard: try Shard(index: 1, count: 2), machine: "cluster A")
    let (_, second) = try trained(e, shard: try Shard(index: 2, count: 2), machine: "cluster B")
    XCTAssertLessThan(first.runs.count, whole.runs.count)
    let merged = try Archive.merge([("first", first), ("second", second)])
    XCTAssertEqual(merged.contentSHA256, whole.contentSHA256)
    XCTAssertEqual(Set(merged.runs.keys), Set(whole.runs.keys))
    // Merging a run twice keeps the first archive's timing and machine.
    let again = try Archive.merge([("second", second), ("whole", whole)])
    XCTAssertEqual(again.contentSHA256, whole.contentSHA256)
    let hash = try XCTUnwrap(second.runs.keys.first)
    XCTAssertEqual(again.runs[hash]?.trainedBy?.machine, "cluster B")
  }

  func testRunsThatDisagreeAreRefused() throws {
    let e = try decodeMini().expand()
    let (_, a) = try trained(e)
    var b = a
    let hash = try XCTUnwrap(a.runs.keys.sorted().first)
    b.runs[hash]!.score = (a.runs[hash]!.score ?? 0) + 1
    XCTAssertThrowsError(try Archive.merge([("a.jsonl", a), ("b.jsonl", b)])) { error in
      let text = "\(error)"
      XCTAssertTrue(text.contains("run \(hash)") && text.contains("differs between a.jsonl and b.jsonl: score"), text)
    }
    // Timing and machine may differ: not a conflict.
    var c = a
    c.runs[hash]!.timing = RunTiming(wallSeconds: 99)
    c.runs[hash]!.trainedBy = TrainedBy(commit: "other", machine: "elsewhere")
    XCTAssertNoThrow(try Archive.merge([("a", a), ("c", c)]))
    // Another scale is another archive.
    let (_, other) = try trained(try decodeMini().expand(scale: "two"))
    XCTAssertThrowsError(try Archive.merge([("a", a), ("other", other)])) { error in
      XCTAssertTrue("\(error)".contains("only archives of one manifest, scale and score merge"), "\(error)")
    }
  }

  func testDamagedArchivesAreRefusedWithTheirLine() throws {
    let e = try decodeMini().expand()
    let (_, a) = try trained(e)
    let text = String(decoding: a.data, as: UTF8.self)
    var lines = text.split(separator: "\n").map(String.init)
    XCTAssertThrowsError(try Archive.decode(Data("{}\n".utf8), file: "x.jsonl")) { error in
      XCTAssertEqual("\(error)", "x.jsonl: not a results archive (the first line must be a repro-archive-2 header)")
    }
    let truncated = lines.dropLast().joined(separator: "\n") + "\n"
    XCTAssertThrowsError(try Archive.decode(Data(truncated.utf8), file: "x.jsonl")) { error in
      XCTAssertTrue("\(error)".contains("the header counts \(lines.count - 1) runs but the file holds \(lines.count - 2)"), "\(error)")
    }
    lines[2] = lines[2].replacingOccurrences(of: "\"task\":\"Hopper\"", with: "\"task\":\"Hoppr\"")
      .replacingOccurrences(of: "\"task\":\"Walker2d\"", with: "\"task\":\"Hoppr\"")
    XCTAssertThrowsError(try Archive.decode(Data((lines.joined(separator: "\n") + "\n").utf8), file: "x.jsonl")) { error in
      XCTAssertEqual("\(error)", "x.jsonl: line 3: unknown task 'Hoppr'")
    }
  }

  /// Each line carries the SHA-256 of its content: a changed score digit or seed is refused
  /// on reading (report --from-archive, merge), naming the file, the line and the run; another
  /// run's line put under a run's hash, checksum and all, is refused against the manifest.
  func testTamperedArchiveLinesAreRefused() throws {
    let e = try decodeMini().expand()
    let (_, a) = try trained(e)
    let lines = String(decoding: a.data, as: UTF8.self).split(separator: "\n").map(String.init)
    func decode(_ ls: [String]) throws -> Archive {
      try Archive.decode(Data((ls.joined(separator: "\n") + "\n").utf8), file: "x.jsonl")
    }
    XCTAssertNoThrow(try decode(lines))
    // One score digit.
    let scoreLine = try XCTUnwrap(lines.indices.dropFirst().first { lines[$0].contains(#""score":"#) && !lines[$0].contains(#""score":null"#) })
    var edited = lines
    let score = try XCTUnwrap(a.runs.values.first { lines[scoreLine].contains($0.hash) }?.score)
    let digit = try XCTUnwrap(String(describing: score).firstIndex { $0.isNumber && $0 != "9" })
    var changed = String(describing: score)
    changed.replaceSubrange(digit...digit, with: String(Int(String(changed[digit]))! + 1))
    edited[scoreLine] = lines[scoreLine].replacingOccurrences(of: #""score":\#(score)"#, with: #""score":\#(changed)"#)
    XCTAssertNotEqual(edited[scoreLine], lines[scoreLine])
    XCTAssertThrowsError(try decode(edited)) { error in
      XCTAssertTrue("\(error)".hasPrefix("x.jsonl: line \(scoreLine + 1): run ") && "\(error)".contains("does not match its sha256 checksum"), "\(error)")
    }
    // A seed.
    edited = lines
    edited[1] = lines[1].replacingOccurrences(of: #""seed":1,"#, with: #""seed":7,"#).replacingOccurrences(of: #""seed":2,"#, with: #""seed":7,"#)
    XCTAssertNotEqual(edited[1], lines[1])
    XCTAssertThrowsError(try decode(edited)) { error in XCTAssertTrue("\(error)".contains("sha256 checksum"), "\(error)") }
    // A line without its checksum.
    edited = lines
    edited[1] = lines[1].replacingOccurrences(of: #","sha256":"[0-9a-f]{64}""#, with: "", options: .regularExpression)
    XCTAssertThrowsError(try decode(edited)) { error in XCTAssertTrue("\(error)".contains("line 2: the line carries no sha256"), "\(error)") }
    // Merging two halves, one of them tampered, is refused when the tampered one is read.
    XCTAssertThrowsError(try Archive.decode(Data((edited.joined(separator: "\n") + "\n").utf8), file: "half.jsonl"))

    // Another run's line under this run's hash, with a checksum that matches the forgery.
    let hashes = a.runs.keys.sorted()
    var forged = a
    let other = try XCTUnwrap(a.runs.values.first { $0.seed != a.runs[hashes[0]]!.seed || $0.task != a.runs[hashes[0]]!.task })
    forged.runs[hashes[0]] = other
    forged.runs[hashes[0]]!.hash = hashes[0]
    let read = try Archive.decode(forged.data, file: "f.jsonl")
    XCTAssertThrowsError(try read.runs(of: e, file: "f.jsonl")) { error in
      XCTAssertTrue("\(error)".contains("f.jsonl: run \(hashes[0].prefix(12))") && "\(error)".contains("holds the line of another run"), "\(error)")
    }
    XCTAssertEqual(try decode(lines).runs(of: e, file: "x.jsonl").count, a.runs.count, "an untouched archive passes")
  }

  /// An archive written before line checksums is refused with the command that upgrades it.
  func testAnArchiveWithoutLineChecksumsIsRefusedWithHowToUpgradeIt() throws {
    let e = try decodeMini().expand()
    let (_, a) = try trained(e)
    let old = String(decoding: a.data, as: UTF8.self)
      .replacingOccurrences(of: #","sha256":"[0-9a-f]{64}""#, with: "", options: .regularExpression)
      .replacingOccurrences(of: "repro-archive-2", with: "repro-archive-1")
    XCTAssertThrowsError(try Archive.decode(Data(old.utf8), file: "old.jsonl")) { error in
      XCTAssertTrue("\(error)".contains("--upgrade old.jsonl"), "\(error)")
    }
    let upgraded = try Archive.decode(Data(old.utf8), file: "old.jsonl", upgrading: true)
    XCTAssertEqual(upgraded.data, a.data, "the upgrade restores the checksums")
  }
}
