// JSON and CSV renderings of a `TableReport`, for other tools.
//
// Written by hand rather than with JSONEncoder so that the bytes are fixed by
// this file alone: keys sorted by their UTF-8 bytes, absent values as explicit
// `null` (a stable schema), numbers at full precision in their shortest
// round-tripping form, two-space indentation (arrays of scalars on one line),
// a final newline.

import RunModel
import Statistics

/// A finite double in its shortest round-tripping form ("3292", "0.7125",
/// "1e-05"); whole numbers below 2^53 without ".0". Non-finite: `null`.
func jsonNumber(_ d: Double) -> String { d.isFinite ? JSONValue.canonicalNumber(d) : "null" }

private func opt<T>(_ x: T?, _ f: (T) -> JSONValue) -> JSONValue { x.map(f) ?? .null }

private func ciJSON(_ c: ConfidenceInterval) -> JSONValue {
  .object([("estimate", .double(c.estimate)), ("low", .double(c.low)), ("high", .double(c.high)),
           ("level", .double(c.level))])
}

private func runsJSON(_ r: RunCounts) -> JSONValue {
  .object([("expected", .int(r.expected)), ("finished", .int(r.finished)),
           ("missing", .int(r.missing)), ("diverged", .int(r.diverged))])
}

/// The report as JSON (sorted keys, explicit nulls). Schema `repro.table-report/2`:
/// the model's fields, plus for each cell its `task` and `incomplete` (whether
/// its mean is over fewer runs than expected, or, for a derived cell, computed
/// from such a cell), and `totals` of the run counts over the algorithm cells;
/// `settings` (the settings tables) and `fidelity` (differences from the paper
/// and the authors' code, with reasons) since version 2. A study's report (`kind` "study", a key
/// that a reproduction's report does not have) has a null `citation`, no `paper` in its cells, and
/// "supported" where a reproduction's verdict is "reproduced".
public func renderJSON(_ report: Report) -> String {
  let p = report.provenance
  let table = report.results ?? ResultsTable(scoreDefinition: "", columns: [], rows: [])
  let rows: [JSONValue] = table.rows.map { row in
    let cells: [JSONValue] = table.columns.indices.map { j in
      let c = table.cell(row, j)
      let incomplete: Bool
      switch row.kind {
      case .algorithm: incomplete = c?.runs?.isIncomplete ?? (c?.ours == nil)
      case .derived: incomplete = table.derivedFromIncomplete(row, j)
      case .reference: incomplete = false
      }
      let paper: [(String, JSONValue)] = !table.paperColumns ? [] : [("paper", opt(c?.paper) { v in
        .object([("value", .double(v.value)), ("low", opt(v.low, JSONValue.double)),
                 ("high", opt(v.high, JSONValue.double))])
      })]
      return .object([
        ("task", .string(table.columns[j])),
        ("ours", opt(c?.ours, ciJSON)),
        ("runs", opt(c?.runs, runsJSON)),
        ("iqm", opt(c?.iqm, ciJSON)),
        ("incomplete", .bool(incomplete)),
      ] + paper)
    }
    return .object([
      ("name", .string(row.name)), ("kind", .string(row.kind.rawValue)),
      ("formula", opt(row.formula, JSONValue.string)),
      ("inputs", .array(row.inputs.map(JSONValue.string))),
      ("cells", .array(cells)),
    ])
  }
  let claims: [JSONValue] = report.claims.map { c in
    .object([
      ("claim", .string(c.text)), ("left", .string(c.left)),
      ("relation", .string(c.relation.rawValue)), ("right", .string(c.right)),
      ("task", opt(c.task, JSONValue.string)),
      ("difference", opt(c.difference, ciJSON)),
      ("verdict", opt(c.verdict) { .string(report.kind.word($0)) }),
      ("reason", opt(c.reason, JSONValue.string)),
      ("family", opt(c.family) { f in
        .object([("verdict", opt(f.verdict) { .string(report.kind.word($0)) }), ("holmDivisor", opt(f.divisor, JSONValue.int))])
      }),
      ("everyTask", .array(c.everyTask.map(JSONValue.string))),
    ])
  }
  let robust = opt(report.robust) { r in
    JSONValue.object([
      ("improvements", .array(r.improvements.map { imp in
        .object([("x", .string(imp.x)), ("y", .string(imp.y)),
                 ("cells", .array(imp.cells.map { opt($0, ciJSON) }))])
      })),
      ("note", opt(r.note, JSONValue.string)),
    ])
  }
  let provenance = JSONValue.object([
    ("manifestHash", .string(p.manifestHash)),
    ("seeds", .array(p.seeds.map(JSONValue.int))),
    ("iterations", .int(p.iterations)),
    ("stepsPerIteration", .int(p.stepsPerIteration)),
    ("bootstrap", .object([("resamples", .int(p.bootstrap.resamples)),
                           ("confidenceLevel", .double(p.bootstrap.confidenceLevel)),
                           ("seed", .string(String(p.bootstrapSeed)))])),
    ("gitCommit", .string(p.gitCommit)),
    ("mujocoVersion", .string(p.mujocoVersion)),
    ("machine", .object([("cpuModel", .string(p.machine.cpuModel)), ("cores", .int(p.machine.cores)),
                         ("system", opt(p.machine.system, JSONValue.string))])),
    ("date", .string(p.date)),
    ("computeHours", .double(p.computeHours)),
    ("command", .string(p.command)),
    ("archive", opt(p.archive) { a in
      .object([("file", .string(a.file)), ("sha256", .string(a.sha256)), ("runs", .int(a.runs))]
        + (a.read.map { [("read", .object([("path", .string($0.path)), ("sha256", .string($0.sha256))]))] } ?? []))
    }),
  ] + (p.customModels.isEmpty ? [] : [("customModels", .array(p.customModels.map(JSONValue.string)))]))
  let root = JSONValue.object([
    ("schema", .string("repro.table-report/2")),
    ("title", .string(report.title)),
    ("citation", report.kind == .study ? .null : .string(report.citation)),
    ("manifest", .string(report.manifestName)),
    ("scale", .string(report.scale)),
    ("scoreDefinition", .string(table.scoreDefinition)),
    ("runPolicy", .string(runPolicySentence)),
    ("columns", .array(table.columns.map(JSONValue.string))),
    ("rows", .array(rows)),
    ("claims", .array(claims)),
    ("robust", robust),
    ("notes", .array(table.notes.map(JSONValue.string))),
    ("totals", runsJSON(table.totals)),
    ("provenance", provenance),
    ("settings", .array(report.sections.flatMap { s -> [SettingsTable] in
      if case let .settings(t) = s { return t } else { return [] }
    }.map(settingsJSON))),
    ("fidelity", opt(report.sections.lazy.compactMap { s -> FidelitySection? in
      if case let .fidelity(f) = s { return f } else { return nil }
    }.first, fidelityJSON)),
    ("curves", opt(report.curves, curvesJSON)),
    ("compute", opt(report.compute, computeJSON)),
    ("trustRegion", opt(report.trustRegion, trustRegionJSON)),
    ("grid", opt(report.grid, gridJSON)),
  ] + (report.kind == .study ? [("kind", .string(report.kind.rawValue))] : []))
  return root.pretty
}

private func curvesJSON(_ c: CurvesSection) -> JSONValue {
  func series(_ xs: [Double?]) -> JSONValue { .array(xs.map { $0.map(JSONValue.double) ?? .null }) }
  return .object([
    ("metric", .string(c.metric)), ("band", .string(c.band)),
    ("panels", .array(c.panels.map { p in
      .object([("task", .string(p.task)), ("series", .array(p.series.map { s in
        .object([("algorithm", .string(s.algorithm)), ("runs", .int(s.runs)),
                 ("steps", .array(s.steps.map(JSONValue.double))),
                 ("mean", series(s.mean)), ("low", series(s.low)), ("high", series(s.high))])
      }))])
    })),
  ])
}

private func trustRegionJSON(_ t: TrustRegionSection) -> JSONValue {
  func series(_ xs: [Double?]) -> JSONValue { .array(xs.map { $0.map(JSONValue.double) ?? .null }) }
  return .object([
    ("tasks", .array(t.tasks.map(JSONValue.string))), ("band", .string(t.band)),
    ("rows", .array(t.rows.map { r in
      .object([("metric", .string(r.metric)), ("logScale", .bool(r.logScale)),
               ("panels", .array(r.panels.map { list in
                 .array(list.map { s in
                   .object([("algorithm", .string(s.algorithm)), ("iterations", .array(s.iterations.map(JSONValue.double))),
                            ("agents", .array(s.agents.map(series))), ("mean", series(s.mean)), ("low", series(s.low)),
                            ("high", series(s.high)), ("bound", s.bound.map(JSONValue.double) ?? .null),
                            ("boundLabel", s.boundLabel.map(JSONValue.string) ?? .null)])
                 })
               }))])
    })),
  ])
}

private func gridJSON(_ g: GridSection) -> JSONValue {
  .object([
    ("factors", .array(zip(g.factors, g.factorSettings).map { .object([("name", .string($0)), ("setting", .string($1))]) })),
    ("search", g.search.map(JSONValue.string) ?? .null), ("rule", .string(g.rule)),
    ("tasks", .array(g.tasks.map(JSONValue.string))),
    ("configurations", .array(g.configurations.map { c in
      .object([("label", .string(c.label)), ("choices", .array(c.choices.map { ch in
        ch.map { .object([("searchValue", $0.searchValue.map(JSONValue.string) ?? .null), ("mean", .double($0.mean)),
                          ("runs", .int($0.runs))]) } ?? .null
      }))])
    })),
    ("histograms", .array(g.histograms.map { h in
      .object([("task", .string(h.task)), ("factor", .string(h.factor)), ("groups", .array(h.groups.map { grp in
        .object([("value", .string(grp.value)), ("scores", .array(grp.scores.map(JSONValue.double)))])
      }))])
    })),
  ])
}

private func computeJSON(_ c: ComputeSection) -> JSONValue {
  .object([
    ("unit", .string("core-hours")), ("columns", .array(c.columns.map(JSONValue.string))),
    ("rows", .array(c.rows.map { r in
      .object([("algorithm", .string(r.algorithm)), ("coreHours", .array(r.coreHours.map(JSONValue.double))),
               ("runs", .array(r.runs.map(JSONValue.int)))])
    })),
    ("total", .double(c.total)),
  ])
}

private func settingsJSON(_ t: SettingsTable) -> JSONValue {
  .object([
    ("title", .string(t.title)), ("columns", .array(t.columns.map(JSONValue.string))),
    ("rows", .array(t.rows.map { r in
      .object([("label", .string(r.label)), ("key", .string(r.key)), ("printed", .bool(r.printed)),
               ("values", .array(r.values.map(JSONValue.string)))])
    })),
  ])
}

private func fidelityJSON(_ f: FidelitySection) -> JSONValue {
  .object([
    ("authorsCode", opt(f.authorsCode, JSONValue.string)),
    ("lines", .array(f.lines.map { l in
      .object([
        ("source", .string(l.source)), ("row", opt(l.row, JSONValue.string)), ("setting", opt(l.setting, JSONValue.string)),
        ("reason", opt(l.reason, JSONValue.string)),
        ("cells", .array(l.cells.map { c in
          .object([("task", .string(c.task)), ("ours", .string(c.ours)), ("theirs", .string(c.theirs)),
                   ("reference", .string(c.reference))])
        })),
      ])
    })),
  ])
}

/// One line per cell (row-major), RFC 4180 quoting, full-precision numbers,
/// empty fields for absent values. Header:
/// `row,kind,task,ours,ours_low,ours_high,expected,finished,missing,diverged,iqm,iqm_low,iqm_high,paper,paper_low,paper_high`
/// (without the three paper fields for a table with no paper columns, a study's).
public func renderCSV(_ report: ResultsTable) -> String {
  let paperFields = report.paperColumns ? ",paper,paper_low,paper_high" : ""
  var lines = ["row,kind,task,ours,ours_low,ours_high,expected,finished,missing,diverged,iqm,iqm_low,iqm_high" + paperFields]
  func num(_ d: Double?) -> String { d.map { $0.isFinite ? jsonNumber($0) : "" } ?? "" }
  func int(_ i: Int?) -> String { i.map(String.init) ?? "" }
  for row in report.rows {
    for j in report.columns.indices {
      let c = report.cell(row, j)
      let fields = [
        csvField(row.name), row.kind.rawValue, csvField(report.columns[j]),
        num(c?.ours?.estimate), num(c?.ours?.low), num(c?.ours?.high),
        int(c?.runs?.expected), int(c?.runs?.finished), int(c?.runs?.missing), int(c?.runs?.diverged),
        num(c?.iqm?.estimate), num(c?.iqm?.low), num(c?.iqm?.high),
      ] + (report.paperColumns ? [num(c?.paper?.value), num(c?.paper?.low), num(c?.paper?.high)] : [])
      lines.append(fields.joined(separator: ","))
    }
  }
  return lines.joined(separator: "\n") + "\n"
}

/// Quotes a CSV field when it holds a comma, quote or line break.
func csvField(_ s: String) -> String {
  guard s.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return s }
  return "\"" + s.replacingAll("\"", with: "\"\"") + "\""
}
