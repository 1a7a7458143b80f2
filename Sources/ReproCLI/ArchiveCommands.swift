import Experiments
import Foundation
import RunModel

/// `repro archive`: a manifest's finished runs at one scale, as a compact file that travels with its report.
enum ArchiveCommand: Command {
  static let name = "archive"
  static let summary = "write a manifest's finished runs at a scale to reports/archive/<manifest>-<scale>.jsonl"
  static let positionals = ["MANIFEST"]
  static let discussion = """
    Writes the results archive of MANIFEST at --scale: a header line, then one
    line per finished run (in hash order, canonical JSON): its hash and the
    hash of its settings, task, seed, row, score under the manifest's
    definition, divergence, learning curves (block means of return, mean KL
    and largest ratio, at most 128 points, 5 significant digits), steps,
    timing, and the commit and machine that trained it. The same runs give
    the same bytes. `repro report --from-archive FILE` builds the same
    report from the archive as from the results; `repro merge` unions
    archives made on different machines. Runs imported into the results
    folder (`repro import`, `repro run --from-archive`) are archived with
    the folder's results.
    """
  static let options: [OptionSpec] = [
    .value("scale", "S", "the manifest's scale (default: its defaultScale)"),
    .value("results", "DIR", "results root (default: results)"),
    .value("out", "FILE", "where to write (default: reports/archive/<manifest>-<scale>.jsonl)"),
    .value("upgrade", "FILE", "rewrite an archive written before line checksums with them, after checking "
      + "each line against the manifest's runs at --scale (task, seed, preset, settings); writes FILE (or --out)"),
    .value("assets", "DIR", "with --custom-model: the model files the runs trained on, as given to repro run"),
    ModelFiles.customOption,
  ]

  static func run(_ args: ParsedArguments, _ io: CommandIO) throws -> Int32 {
    var (manifest, expansion) = try loadExpansion(args.positional[0], scale: args.value("scale"))
    if args.flag("custom-model") {
      // Runs on custom models are stored under identities with the model: archive those (each record names it).
      expansion = try checkedModels(expansion, assets: args.value("assets"), custom: true, io: io)
    }
    if let file = args.value("upgrade") {
      if args.value("results") != nil { throw UsageError("give --results or --upgrade, not both") }
      let data: Data
      do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
        throw ArchiveError("\(file): cannot read: \(error.localizedDescription)")
      }
      let old = try Archive.decode(data, file: file, upgrading: true)
      guard old.manifest == manifest.name, old.scale == expansion.scale.name, old.score == manifest.score else {
        throw ArchiveError("\(file) holds \(old.manifest) at scale \(old.scale), not \(manifest.name) at scale \(expansion.scale.name)")
      }
      let runs = try old.runs(of: expansion, file: file)
      guard runs.count == old.runs.count else {
        throw ArchiveError("\(file): \(old.runs.count - runs.count) line(s) are not runs of \(args.positional[0]) at scale "
          + "\(expansion.scale.name); nothing written")
      }
      let upgraded = Archive(manifest: old.manifest, scale: old.scale, score: old.score, runs: runs)
      let out = args.value("out") ?? file
      try AtomicFile.write(upgraded.data, to: out)
      io.out("wrote \(out): \(runs.count) runs, each line checked against its run and given its checksum, "
        + "content sha256 \(upgraded.contentSHA256)")
      return 0
    }
    let store = ResultStore(root: URL(fileURLWithPath: args.value("results") ?? "results", isDirectory: true),
                            manifest: manifest.name)
    let loaded = try runsInFolder(store, expansion)
    for (hash, reason) in loaded.invalid.sorted(by: { $0.key < $1.key }) {
      io.err("ignored \(store.url(for: hash).path): \(reason)")
    }
    let archive = Archive(expansion: expansion, runs: loaded.runs)
    let out = args.value("out") ?? "reports/archive/\(archive.fileName)"
    try Preflight.checkWritableFolder(URL(fileURLWithPath: out).deletingLastPathComponent(), purpose: "archive folder",
                                      bytes: Int64(archive.data.count) + 4096)
    try AtomicFile.write(archive.data, to: out)
    io.out("wrote \(out): \(archive.runs.count) of \(expansion.uniqueSpecs.count) runs"
      + (loaded.imported > 0 ? " (\(loaded.imported) from the folder's imported archives)" : "")
      + ", content sha256 \(archive.contentSHA256)")
    return 0
  }
}

/// `repro merge`: archives of one manifest and scale made on different machines, as one.
enum MergeCommand: Command {
  static let name = "merge"
  static let summary = "union results archives of one manifest and scale (refusing runs that disagree)"
  static let positionals = ["ARCHIVE..."]
  static let discussion = """
    Reads the archives (from `repro archive`, e.g. one per cluster or
    machine) and writes their union to --out. A run in several archives
    must have the same deterministic content in each (score, divergence,
    curves, steps; timing and machine may differ, and the first archive's
    are kept); a run that differs is refused with its hash and the fields
    that differ, and nothing is written. Archives of different manifests,
    scales or score definitions are refused.
    """
  static let options: [OptionSpec] = [
    .value("out", "FILE", "where to write the union (may be one of the inputs)", required: true),
  ]

  static func run(_ args: ParsedArguments, _ io: CommandIO) throws -> Int32 {
    guard let out = args.value("out") else { throw UsageError("--out FILE is required") }
    let archives = try args.positional.map { (name: $0, archive: try Archive.load(path: $0)) }
    let merged = try Archive.merge(archives)
    try Preflight.checkWritableFolder(URL(fileURLWithPath: out).deletingLastPathComponent(), purpose: "archive folder",
                                      bytes: Int64(merged.data.count) + 4096)
    try AtomicFile.write(merged.data, to: out)
    let counts = archives.map { "\($0.archive.runs.count)" }.joined(separator: " + ")
    io.out("wrote \(out): \(merged.runs.count) runs (from \(counts)), content sha256 \(merged.contentSHA256)")
    return 0
  }
}
