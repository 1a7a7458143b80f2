import Experiments
import Foundation
import Reports
import RunModel

/// `repro export`: every run's per-iteration metrics as CSV.
enum ExportCommand: Command {
  static let name = "export"
  static let summary = "write runs' per-iteration metrics as CSV (from result files or folders)"
  static let positionals = ["RUN..."]
  static let discussion = """
    Reads result files (from `repro train --out` or `repro run`'s
    results/<manifest>/<hash>.json; a folder stands for every .json in it,
    in name order) and writes one CSV line per run and iteration: file,
    run hash, manifest, algorithm row, preset, task, seed, iteration,
    environment steps trained by its end, then the iteration's metrics
    (meanReturn, episodes, policyLoss, valueLoss, entropy, meanKL, maxRatio,
    clipFraction, learningRate, klBound, lineSearchSteps). Numbers are
    written in full precision; an absent value is an empty field. The same
    files give the same bytes. A file that is not a readable result stops
    the command before anything is written.
    """
  static let options: [OptionSpec] = [
    .value("out", "FILE", "write the CSV there (atomically) instead of standard output"),
  ]

  static func run(_ args: ParsedArguments, _ io: CommandIO) throws -> Int32 {
    let runs = try readRunFiles(args.positional)
    let csv = renderIterationsCSV(runs)
    if let out = args.value("out") {
      try refuseInputAsOutput(out, inputs: runs)
      try AtomicFile.write(csv, to: out)
      io.out("wrote \(out) (\(runs.count) run\(runs.count == 1 ? "" : "s"), \(runs.map(\.result.iterations.count).reduce(0, +)) iterations)")
    } else {
      io.out(String(csv.dropLast()))
    }
    return 0
  }
}

/// `repro plot`: the learning curve of runs trained by `repro train --out`, as SVG.
enum PlotCommand: Command {
  static let name = "plot"
  static let summary = "draw the learning curve of result files (repro train --out) as SVG"
  static let positionals = ["RUN..."]
  static let discussion = """
    Draws the mean return of the episodes completed in each iteration
    against the environment steps trained, one line per result file (a
    folder stands for every .json in it), with the Plot library every
    report figure is drawn with. Writes --out, or RUN.svg beside a single
    RUN.json, atomically; the same files give the same bytes.
    """
  static let options: [OptionSpec] = [
    .value("out", "FILE", "where to write the SVG (default: RUN.svg beside a single RUN.json)"),
  ]

  static func run(_ args: ParsedArguments, _ io: CommandIO) throws -> Int32 {
    let runs = try readRunFiles(args.positional)
    let out: String
    if let o = args.value("out") {
      out = o
    } else if runs.count == 1, runs[0].file.hasSuffix(".json") {
      out = String(runs[0].file.dropLast(5)) + ".svg"
    } else {
      throw UsageError("--out FILE is needed for more than one run")
    }
    try refuseInputAsOutput(out, inputs: runs)
    try AtomicFile.write(renderRunCurvesSVG(runs), to: out)
    io.out("wrote \(out)")
    return 0
  }
}

/// A run-file problem: the file and what is wrong with it.
struct RunFileError: Error, CustomStringConvertible {
  var description: String
}

/// The runs in `paths` (files, or folders standing for their .json files in name
/// order), each checked as `ResultFile.decode` checks it; throws naming the first
/// file that is not a readable result.
func readRunFiles(_ paths: [String]) throws -> [LabelledRun] {
  var files: [String] = []
  for path in paths {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
      throw RunFileError(description: "\(path): no such file or folder")
    }
    if isFolder.boolValue {
      let names = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".json") }.sorted()
      if names.isEmpty { throw RunFileError(description: "\(path): a folder with no result files (*.json)") }
      files += names.map { (path.hasSuffix("/") ? path : path + "/") + $0 }
    } else {
      files.append(path)
    }
  }
  return try files.map { file in
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: file))
    } catch {
      throw RunFileError(description: "\(file): cannot read: \(error.localizedDescription)")
    }
    switch ResultFile.decode(data) {
    case .success(let s):
      return LabelledRun(file: file, hash: s.hash, manifest: s.labels.manifest, algorithm: s.labels.algorithm,
                         preset: s.labels.preset, result: s.result)
    case .failure(let problem):
      throw RunFileError(description: "\(file): not a result file (repro train --out, repro run): \(problem)")
    }
  }
}

/// Refuses to write over one of the inputs.
func refuseInputAsOutput(_ out: String, inputs: [LabelledRun]) throws {
  let target = URL(fileURLWithPath: out).standardizedFileURL.path
  if inputs.contains(where: { URL(fileURLWithPath: $0.file).standardizedFileURL.path == target }) {
    throw UsageError("--out \(out) is one of the result files read")
  }
}
