import Experiments
import Foundation
import RunModel
import XCTest

/// Archives that continue (Issue 30): a results folder starts from an archive's
/// runs, which count as done, after a retrained sample matches bit for bit.
final class ContinuationTests: XCTestCase {
  func archived(_ e: Expansion, commit: String = "abc1234", machine: String = "AMD EPYC, 2 cores, Linux x86_64") throws -> Archive {
    let store = ResultStore(directory: try temporaryFolder(), trainedBy: TrainedBy(commit: commit, machine: machine))
    XCTAssertTrue(Runner.run(e, store: store, jobs: 2, display: quietDisplay(), tick: 0.01, train: fakeTrain).succeeded)
    return Archive(expansion: e, stored: store.loadStored(e).runs)
  }

  func testTheSampleIsTheCheapestRunsTiesByHashAndZeroIsNone() throws {
    let e = try decodeMini().expand()
    let a = try archived(e)
    let one = Continuation.sample(a.runs, expansion: e, count: 1)
    XCTAssertEqual(one.count, 1)
    // Every run of `tiny` has the same budget; Hopper's steps cost less than Walker2d's (1 against
    // 1.5, the task rows' step costs): Hopper's runs first, the smallest hash first.
    let hopper = e.uniqueSpecs.filter { $0.task == .hopper }.map(\.hash).sorted()
    let walker = e.uniqueSpecs.filter { $0.task == .walker2d }.map(\.hash).sorted()
    XCTAssertEqual(one[0].hash, hopper.first)
    XCTAssertEqual(Continuation.sample(a.runs, expansion: e, count: hopper.count + 1).map(\.hash), hopper + [walker[0]])
    XCTAssertEqual(Continuation.sample(a.runs, expansion: e, count: 0), [])
    XCTAssertEqual(Continuation.sample(a.runs, expansion: e, count: 100).count, a.runs.count)
  }

  func testARetrainedRunMustMatchItsRecordBitForBit() throws {
    let e = try decodeMini().expand()
    let a = try archived(e)
    let sample = Continuation.sample(a.runs, expansion: e, count: 2)
    let ok = try Continuation.verify(sample, against: a.runs, file: "a.jsonl", score: e.manifest.score, train: fakeTrain)
    XCTAssertEqual(ok.map(\.spec.hash), sample.map(\.hash))
    // A trainer whose last return differs in the 10th digit: the score (kept exactly) differs.
    let off: TrainFunction = { spec, p in
      var r = try fakeTrain(spec, p)
      r.iterations[r.iterations.count - 1].meanReturn! += 1e-9
      return r
    }
    XCTAssertThrowsError(try Continuation.verify(sample, against: a.runs, file: "a.jsonl", score: e.manifest.score, train: off)) { error in
      let m = error as? Continuation.Mismatch
      XCTAssertEqual(m?.fields, ["score"], "the curves keep 5 significant digits and so do not see it; the score does")
      XCTAssertEqual(m?.hash, sample[0].hash)
      XCTAssertTrue("\(error)".hasPrefix("a.jsonl: run \(sample[0].hash.prefix(12))"), "\(error)")
    }
    // Fewer steps and a divergence are named too.
    let short: TrainFunction = { spec, p in
      var r = try fakeTrain(spec, p)
      r.totalSteps -= 1
      r.diverged = Divergence(iteration: 1, reason: "non-finite loss")
      return r
    }
    XCTAssertThrowsError(try Continuation.verify(sample, against: a.runs, file: "a.jsonl", score: e.manifest.score, train: short)) { error in
      XCTAssertEqual((error as? Continuation.Mismatch)?.fields, ["diverged", "totalSteps"])
    }
  }

  func testTheNoteNamesAnotherCommitOrMachineButNotAnotherCoreCount() throws {
    let e = try decodeMini().expand()
    let a = try archived(e)
    let here = TrainedBy(commit: "abc1234", machine: "AMD EPYC, 64 cores, Linux x86_64")
    XCTAssertNil(Continuation.provenanceNote(a.runs.values, current: here), "one thread per run: cores change no bit")
    let elsewhere = TrainedBy(commit: "def5678", machine: "Intel Xeon, 2 cores, Linux x86_64")
    let note = try XCTUnwrap(Continuation.provenanceNote(a.runs.values, current: elsewhere))
    XCTAssertTrue(note.contains("trained by commit abc1234, this is def5678"), note)
    XCTAssertTrue(note.contains("trained on AMD EPYC, 2 cores, Linux x86_64, this is Intel Xeon"), note)
    XCTAssertTrue(note.contains("bit-identity may not be possible"), note)
  }

  func testImportedRunsCountAsDoneAndAreReadThroughTheirChecksums() throws {
    let e = try decodeMini().expand()
    let a = try archived(e)
    let store = ResultStore(directory: try temporaryFolder())
    XCTAssertEqual(try store.importedRuns(of: e), [:])
    // Half of the runs imported: the runner trains only the other half.
    let half = Dictionary(uniqueKeysWithValues: a.runs.sorted { $0.key < $1.key }.prefix(a.runs.count / 2).map { ($0.key, $0.value) })
    let imported = Archive(manifest: a.manifest, scale: a.scale, score: a.score, runs: half)
    try imported.data.write(to: store.importedArchiveURL(scale: a.scale))
    XCTAssertEqual(store.importedArchiveURLs.map(\.lastPathComponent), ["imported-tiny.jsonl"])
    XCTAssertEqual(try store.importedRuns(of: e), half)
    let summary = Runner.run(e, store: store, jobs: 2, display: quietDisplay(), tick: 0.01,
                             archived: Set(half.keys), train: fakeTrain)
    XCTAssertTrue(summary.succeeded)
    XCTAssertEqual(summary.fromArchive, half.count)
    XCTAssertEqual(summary.completed, e.uniqueSpecs.count - half.count)
    XCTAssertTrue(summary.report.contains("(\(half.count) in the archive)"), summary.report)
    for spec in e.uniqueSpecs where half[spec.hash] != nil {
      guard case .missing = store.state(of: spec) else { return XCTFail("\(spec.label) was trained, not taken from the archive") }
    }
    // The union of results and imported runs is the archive of the whole.
    let union = try unionOfRuns([("results", Archive(expansion: e, stored: store.loadStored(e).runs).runs), ("imported", half)])
    XCTAssertEqual(Archive(expansion: e, runs: union).contentSHA256, a.contentSHA256)
    // An edited line is refused when read, naming the file and the line.
    var text = String(decoding: imported.data, as: UTF8.self)
    let score = try XCTUnwrap(half.values.sorted { $0.hash < $1.hash }.first?.score)
    text = text.replacingOccurrences(of: "\"score\":\(JSONValue.double(score).canonical)", with: "\"score\":1")
    try Data(text.utf8).write(to: store.importedArchiveURL(scale: a.scale))
    XCTAssertThrowsError(try store.importedRuns(of: e)) { error in
      XCTAssertTrue("\(error)".contains("imported-tiny.jsonl: line 2: run "), "\(error)")
      XCTAssertTrue("\(error)".contains("does not match its sha256 checksum"), "\(error)")
    }
  }

  func testRunsThatDisagreeBetweenSourcesAreRefused() throws {
    let e = try decodeMini().expand()
    let a = try archived(e)
    var b = a.runs
    let hash = try XCTUnwrap(b.keys.min())
    b[hash]!.totalSteps += 1
    XCTAssertThrowsError(try unionOfRuns([("results", a.runs), ("x.jsonl", b)])) { error in
      XCTAssertTrue("\(error)".contains("run \(hash)"), "\(error)")
      XCTAssertTrue("\(error)".contains("differs between results and x.jsonl: totalSteps"), "\(error)")
    }
    XCTAssertEqual(try unionOfRuns([("results", a.runs), ("same", a.runs)]), a.runs)
  }
}
