import Experiments
import Foundation
import RunModel

/// `repro import`: an archive's runs into a results folder, so that running continues from them.
enum ImportCommand: Command {
  static let name = "import"
  static let summary = "load an archive's runs into a results folder (after retraining a sample bit for bit)"
  static let positionals = ["ARCHIVE"]
  static let discussion = continuationText + """


    The manifest is experiments/<the archive's manifest>.json unless
    --manifest names it; every line of the archive must be a run of it at
    the archive's scale (checked against the run its hash names), or nothing
    is imported. Importing an archive again adds only its new runs;
    importing runs whose content differs from what the folder holds is
    refused, naming the run and the fields.
    """
  static let options: [OptionSpec] = [
    .value("results", "DIR", "results root to import into (default: results)"),
    .value("manifest", "FILE", "the archive's manifest (default: experiments/<its manifest>.json)"),
    .value("verify", "N", "runs retrained and compared before the archive is trusted (default 1; 0 skips)"),
    .value("assets", "DIR", "MuJoCo model files (default: .deps/assets or $REPRO_ASSETS)"),
  ]

  static func run(_ args: ParsedArguments, _ io: CommandIO) throws -> Int32 {
    let root = URL(fileURLWithPath: args.value("results") ?? "results", isDirectory: true)
    let verify = try args.int("verify", default: 1, min: 0)
    _ = try importArchive(args.positional[0], manifestPath: args.value("manifest"), root: root, verify: verify,
                          train: trainerFunction(assets: args.value("assets")), io: io)
    return 0
  }
}

/// How a results folder continues from an archive (the help of `import`, `run` and `plan` quotes it).
let continuationText = """
  An archive keeps compact records of its runs (score, curves, divergence,
  steps), not full results, so its runs are not turned into result files:
  the checked archive is copied into the results folder as
  DIR/<manifest>/imported-<scale>.jsonl. `repro run` counts its runs as
  done and trains only the others; `repro archive`, `repro report` and
  `repro plan` read its runs beside the result files (a run in both must
  agree). Every read checks each line's SHA-256 checksum and that the line
  is the run its hash names; a line that fails is refused, naming it.

  Before an archive is trusted, --verify N of its runs (the N cheapest,
  ties by hash; default 1, 0 skips) are retrained here and must match
  their records bit for bit as the archive keeps them: the score exactly,
  the curves at 5 significant digits, the steps and the divergence. A
  mismatch stops with the run and the fields, and nothing is written. The
  runs retrained are stored as results. When the archive records another
  commit or machine than this one, the output says so: bit-identity may
  then not be possible.
  """

/// Checks ARCHIVE (checksums, each line against its run, a retrained sample) and
/// copies its runs into `<root>/<manifest>/imported-<scale>.jsonl`; returns the
/// manifest and the store. Throws, writing nothing, on any failed check.
@discardableResult
func importArchive(_ file: String, manifestPath given: String?, root: URL, verify: Int, train: TrainFunction,
                   io: CommandIO) throws -> (manifest: Manifest, store: ResultStore) {
  let archive = try Archive.load(path: file)
  let manifestPath = given ?? "experiments/\(archive.manifest).json"
  guard FileManager.default.fileExists(atPath: manifestPath) else {
    throw ArchiveError("\(file) holds runs of manifest '\(archive.manifest)', and \(manifestPath) does not exist; "
      + "name the manifest with --manifest FILE")
  }
  let manifest = try Manifest.load(path: manifestPath)
  guard archive.manifest == manifest.name, archive.score == manifest.score else {
    throw ArchiveError("\(file) holds \(archive.manifest) scored by \(archive.score.method.rawValue) \(archive.score.iterations); "
      + "\(manifestPath) is \(manifest.name) scored by \(manifest.score.method.rawValue) \(manifest.score.iterations)")
  }
  guard manifest.scales.contains(where: { $0.name == archive.scale }) else {
    throw ArchiveError("\(file) holds runs at scale '\(archive.scale)', which \(manifestPath) does not define")
  }
  let expansion = try manifest.expand(scale: archive.scale)
  let runs = try archive.runs(of: expansion, file: file)
  let strangers = archive.runs.keys.filter { runs[$0] == nil }.sorted()
  guard strangers.isEmpty else {
    throw ArchiveError("\(file): \(strangers.count) line(s) are not runs of \(manifestPath) at scale \(archive.scale) "
      + "(run \(strangers.prefix(3).map { String($0.prefix(12)) }.joined(separator: ", "))"
      + (strangers.count > 3 ? ", …" : "") + "); nothing imported")
  }
  let store = ResultStore(root: root, manifest: manifest.name, trainedBy: currentTrainer())
  let destination = store.importedArchiveURL(scale: archive.scale)
  let present = FileManager.default.fileExists(atPath: destination.path) ? try Archive.load(path: destination.path) : nil
  // The folder's runs (result files, imported archives) and the archive must agree where both hold a run.
  let stored = Archive(expansion: expansion, stored: store.loadStored(expansion).runs).runs
  _ = try unionOfRuns([(store.directory.path, stored), (destination.path, try store.importedRuns(of: expansion)), (file, runs)])
  let new = runs.filter { present?.runs[$0.key] == nil }
  guard !new.isEmpty else {
    io.out("\(destination.path) already holds the \(runs.count) runs of \(file); nothing to import")
    return (manifest, store)
  }
  let sample = Continuation.sample(new, expansion: expansion, count: verify)
  if !sample.isEmpty {
    if let note = Continuation.provenanceNote(sample.compactMap { new[$0.hash] }, current: store.trainedBy ?? currentTrainer()) {
      io.out("note: \(note)")
    }
    io.out("retraining \(sample.count) of the archive's runs to check it bit for bit: "
      + sample.map(\.label).joined(separator: ", "))
  }
  let retrained = try Continuation.verify(sample, against: new, file: file, score: manifest.score, train: train)
  let merged = Archive(manifest: archive.manifest, scale: archive.scale, score: archive.score,
                       runs: (present?.runs ?? [:]).merging(new) { old, _ in old })
  try Preflight.checkWritableFolder(store.directory, purpose: "results folder", bytes: Int64(merged.data.count) + 4096)
  try AtomicFile.write(merged.data, to: destination.path)
  for (spec, result) in retrained { _ = try store.write(result, for: spec) }
  io.out("imported \(new.count) run(s) of \(manifest.name) at scale \(archive.scale) from \(file) into \(destination.path)"
    + (sample.isEmpty ? " (none retrained to check them: --verify 0)"
       : " (\(sample.count) retrained here, identical as archived: score, curves, steps, divergence)"))
  return (manifest, store)
}

/// The runs of `expansion` that `store` holds, result files and imported archives
/// together (a run in both must agree), as archive records; result files that
/// cannot be used are reported through `invalid`.
func runsInFolder(_ store: ResultStore, _ expansion: Expansion) throws
  -> (runs: [String: ArchivedRun], imported: Int, invalid: [String: String]) {
  let loaded = store.loadStored(expansion)
  let imported = try store.importedRuns(of: expansion)
  let stored = Archive(expansion: expansion, stored: loaded.runs).runs
  let runs = try unionOfRuns([(store.directory.path, stored), ("the imported archives", imported)])
  return (runs, imported.keys.filter { stored[$0] == nil }.count, loaded.invalid)
}
