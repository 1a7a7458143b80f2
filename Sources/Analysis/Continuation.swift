import Foundation
import Manifests
import Running
import RunModel

// Archives that continue: a results folder can start from an archive's runs.
//
// The archive keeps compact records (`ArchivedRun`: score, curves, divergence,
// steps), not full results, so an archived run is never turned into a result
// file. Instead `repro import` (and `repro run --from-archive`) copies the
// checked archive into the results folder as `<results>/<manifest>/imported-<scale>.jsonl`:
//
// - the runner counts an imported run as done (it is not retrained);
// - `repro archive`, `repro report` and `repro plan` read the imported runs beside
//   the result files (a run in both must agree, as in `repro merge`);
// - every read goes through the archive's line checksums and checks each line
//   against the run its hash names (`Archive.runs(of:file:)`).
//
// Before an archive is imported, a sample of its runs is retrained here and must
// give the same archived content bit for bit (`Continuation.verify`).

extension ResultStore {
  /// Where the runs of an archive at `scale` are kept once imported.
  public func importedArchiveURL(scale: String) -> URL {
    directory.appendingPathComponent("imported-\(scale).jsonl")
  }

  /// The imported archives in this folder (`imported-*.jsonl`), by name.
  public var importedArchiveURLs: [URL] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    return names.filter { $0.hasPrefix("imported-") && $0.hasSuffix(".jsonl") }.sorted()
      .map { directory.appendingPathComponent($0) }
  }

  /// The runs of `expansion` in the folder's imported archives, each line checked
  /// (checksum, and the run its hash names). An imported archive of another
  /// manifest or score definition, or one that cannot be read, is an error naming it.
  public func importedRuns(of expansion: Expansion) throws -> [String: ArchivedRun] {
    var out: [String: ArchivedRun] = [:]
    for url in importedArchiveURLs {
      let archive = try Archive.load(path: url.path)
      let manifest = expansion.manifest
      guard archive.manifest == manifest.name, archive.score == manifest.score else {
        throw ArchiveError("\(url.path) holds \(archive.manifest) scored by \(archive.score.method.rawValue) "
          + "\(archive.score.iterations), not \(manifest.name) scored by \(manifest.score.method.rawValue) "
          + "\(manifest.score.iterations); remove it or import the archive again")
      }
      for (hash, run) in try archive.runs(of: expansion, file: url.path) { out[hash] = run }
    }
    return out
  }
}

/// Combines archive records from several sources (result files, imported
/// archives, an archive given on the command line) as `repro merge` does: a run
/// present in several must have the same deterministic content.
public func unionOfRuns(_ sources: [(name: String, runs: [String: ArchivedRun])]) throws -> [String: ArchivedRun] {
  var out: [String: ArchivedRun] = [:]
  var origin: [String: String] = [:]
  for (name, runs) in sources {
    for (hash, run) in runs.sorted(by: { $0.key < $1.key }) {
      if let existing = out[hash] {
        let differ = Continuation.differences(existing, run)
        guard differ.isEmpty else {
          throw ArchiveError("run \(hash) (\(run.algorithm)/\(run.task.rawValue)/seed \(run.seed)) differs between "
            + "\(origin[hash]!) and \(name): \(differ.joined(separator: ", ")); the same run must give the same result")
        }
      } else {
        out[hash] = run
        origin[hash] = name
      }
    }
  }
  return out
}

public enum Continuation {
  /// The fields of an archived run that a retrained run must reproduce exactly
  /// (the score exactly, the curves as kept: block means at 5 significant digits,
  /// the iterations and steps run, the divergence).
  public static let comparedFields = ["curves", "diverged", "iterations", "score", "totalSteps"]

  /// The compared fields in which `a` and `b` differ (empty: the same as the archive keeps them).
  public static func differences(_ a: ArchivedRun, _ b: ArchivedRun) -> [String] {
    comparedFields.filter { a.contentJSON[$0] != b.contentJSON[$0] }
  }

  /// The runs retrained to check an archive: the `count` cheapest of `runs`
  /// (environment steps × the task's relative step cost), ties broken by hash,
  /// so the same archive always gives the same sample.
  public static func sample(_ runs: [String: ArchivedRun], expansion: Expansion, count: Int) -> [RunSpec] {
    guard count > 0 else { return [] }
    let specs = expansion.uniqueSpecs.filter { runs[$0.hash] != nil }
    return Array(specs.sorted { (Runner.work($0), $0.hash) < (Runner.work($1), $1.hash) }.prefix(count))
  }

  /// Why bit-identity may not be possible: the archived runs' recorded commits or
  /// machines that are not `current`'s (nil when every run names this commit and machine).
  public static func provenanceNote(_ runs: some Sequence<ArchivedRun>, current: TrainedBy) -> String? {
    var commits = Set<String>(), machines = Set<String>(), unknown = 0
    for r in runs {
      guard let t = r.trainedBy else { unknown += 1; continue }
      if t.commit != current.commit { commits.insert(t.commit) }
      if machineClass(t.machine) != machineClass(current.machine) { machines.insert(t.machine) }
    }
    var parts: [String] = []
    if !commits.isEmpty {
      parts.append("trained by commit \(commits.sorted().joined(separator: ", ")), this is \(current.commit)")
    }
    if !machines.isEmpty {
      parts.append("trained on \(machines.sorted().joined(separator: "; ")), this is \(current.machine)")
    }
    if unknown > 0 { parts.append("trained by a commit and machine that \(unknown) of them do not record") }
    guard !parts.isEmpty else { return nil }
    return "bit-identity may not be possible (another trainer or CPU can give other bits): the runs were "
      + parts.joined(separator: "; ")
  }

  /// The machine without its core count (one thread per run: the number of cores changes no bit).
  static func machineClass(_ machine: String) -> String {
    machine.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
      .filter { !$0.hasSuffix(" cores") }.joined(separator: ", ")
  }

  /// A retrained run that does not match its archived record.
  public struct Mismatch: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var label: String
    public var hash: String
    public var fields: [String]
    public var description: String {
      "\(file): run \(hash.prefix(12)) (\(label)) retrained here differs from its archived record in "
        + fields.joined(separator: ", ") + "; the archive is not trusted to continue from, nothing written "
        + "(--verify 0 trusts it unchecked; without --from-archive every run is trained here)"
    }
  }

  /// Retrains `sample` and compares each with its record in `runs`; returns the
  /// results (to store) or throws the first `Mismatch`. A run that fails to train throws its error.
  public static func verify(
    _ sample: [RunSpec], against runs: [String: ArchivedRun], file: String, score: ScoreDefinition,
    train: TrainFunction
  ) throws -> [(spec: RunSpec, result: RunResult)] {
    var out: [(spec: RunSpec, result: RunResult)] = []
    for spec in sample {
      guard let archived = runs[spec.hash] else { continue }
      let result = try train(spec) { _ in }
      let fields = differences(archived, ArchivedRun(spec: spec, result: result, score: score))
      if !fields.isEmpty { throw Mismatch(file: file, label: spec.label, hash: spec.hash, fields: fields) }
      out.append((spec, result))
    }
    return out
  }
}
