// JSON and CSV renderings of a `TableReport`, for other tools.
//
// Written by hand rather than with JSONEncoder so that the bytes are fixed by
// this file alone: keys sorted by their UTF-8 bytes, absent values as explicit
// `null` (a stable schema), numbers at full precision in their shortest
// round-tripping form, two-space indentation (arrays of scalars on one line),
// a final newline.

import Experiments
import Statistics

/// A JSON value; objects keep their keys sorted when written.
enum JSONValue {
  case null
  case bool(Bool)
  case number(Double)
  case int(Int)
  case string(String)
  case array([JSONValue])
  case object([(String, JSONValue)])

  /// Whether the value is neither an array nor an object.
  var isScalar: Bool {
    switch self {
    case .array, .object: return false
    default: return true
    }
  }

  /// Writes the value with sorted keys and two-space indentation.
  func write(into out: inout String, indent: Int) {
    switch self {
    case .null: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .int(let i): out += String(i)
    case .number(let d): out += jsonNumber(d)
    case .string(let s): out += jsonString(s)
    case .array(let xs):
      if xs.isEmpty { out += "[]"; return }
      if xs.allSatisfy(\.isScalar) {
        // Arrays of numbers or strings (seeds, columns) stay on one line.
        out += "["
        for (k, x) in xs.enumerated() {
          if k > 0 { out += ", " }
          x.write(into: &out, indent: indent)
        }
        out += "]"
        return
      }
      out += "[\n"
      for (k, x) in xs.enumerated() {
        out += String(repeating: "  ", count: indent + 1)
        x.write(into: &out, indent: indent + 1)
        out += k + 1 < xs.count ? ",\n" : "\n"
      }
      out += String(repeating: "  ", count: indent) + "]"
    case .object(let kv):
      if kv.isEmpty { out += "{}"; return }
      let sorted = kv.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
      out += "{\n"
      for (k, pair) in sorted.enumerated() {
        out += String(repeating: "  ", count: indent + 1) + jsonString(pair.0) + ": "
        pair.1.write(into: &out, indent: indent + 1)
        out += k + 1 < sorted.count ? ",\n" : "\n"
      }
      out += String(repeating: "  ", count: indent) + "}"
    }
  }
}

/// A finite double in its shortest round-tripping form ("3292", "0.7125",
/// "1e-05"); whole numbers below 2^53 without ".0". Non-finite: `null`.
func jsonNumber(_ d: Double) -> String {
  guard d.isFinite else { return "null" }
  if d == d.rounded(), d.magnitude < 9_007_199_254_740_992 { return String(Int64(d)) }
  return d.description
}

/// A JSON string literal (the Experiments module's escaping, so both write strings alike).
func jsonString(_ s: String) -> String {
  var out = ""
  Experiments.JSONValue.writeString(s, into: &out)
  return out
}

private func opt<T>(_ x: T?, _ f: (T) -> JSONValue) -> JSONValue { x.map(f) ?? .null }

private func ciJSON(_ c: ConfidenceInterval) -> JSONValue {
  .object([("estimate", .number(c.estimate)), ("low", .number(c.low)), ("high", .number(c.high)),
           ("level", .number(c.level))])
}

private func runsJSON(_ r: RunCounts) -> JSONValue {
  .object([("expected", .int(r.expected)), ("finished", .int(r.finished)),
           ("missing", .int(r.missing)), ("diverged", .int(r.diverged))])
}

/// The report as JSON (sorted keys, explicit nulls). Schema `repro.table-report/1`:
/// the model's fields, plus for each cell its `task` and `incomplete` (whether
/// its mean is over fewer runs than expected, or, for a derived cell, computed
/// from such a cell), and `totals` of the run counts over the algorithm cells.
public func renderJSON(_ report: TableReport) -> String {
  let p = report.provenance
  let rows: [JSONValue] = report.rows.map { row in
    let cells: [JSONValue] = report.columns.indices.map { j in
      let c = report.cell(row, j)
      let incomplete: Bool
      switch row.kind {
      case .algorithm: incomplete = c?.runs?.isIncomplete ?? (c?.ours == nil)
      case .derived: incomplete = report.derivedFromIncomplete(row, j)
      case .reference: incomplete = false
      }
      return .object([
        ("task", .string(report.columns[j])),
        ("ours", opt(c?.ours, ciJSON)),
        ("runs", opt(c?.runs, runsJSON)),
        ("iqm", opt(c?.iqm, ciJSON)),
        ("paper", opt(c?.paper) { v in
          .object([("value", .number(v.value)), ("low", opt(v.low, JSONValue.number)),
                   ("high", opt(v.high, JSONValue.number))])
        }),
        ("incomplete", .bool(incomplete)),
      ])
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
      ("verdict", opt(c.verdict) { .string($0.rawValue) }),
      ("reason", opt(c.reason, JSONValue.string)),
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
                           ("confidenceLevel", .number(p.bootstrap.confidenceLevel)),
                           ("seed", .string(String(p.bootstrapSeed)))])),
    ("gitCommit", .string(p.gitCommit)),
    ("mujocoVersion", .string(p.mujocoVersion)),
    ("machine", .object([("cpuModel", .string(p.machine.cpuModel)), ("cores", .int(p.machine.cores)),
                         ("system", opt(p.machine.system, JSONValue.string))])),
    ("date", .string(p.date)),
    ("computeHours", .number(p.computeHours)),
    ("command", .string(p.command)),
  ])
  let root = JSONValue.object([
    ("schema", .string("repro.table-report/1")),
    ("title", .string(report.title)),
    ("citation", .string(report.citation)),
    ("manifest", .string(report.manifestName)),
    ("scale", .string(report.scale)),
    ("scoreDefinition", .string(report.scoreDefinition)),
    ("runPolicy", .string(runPolicySentence)),
    ("columns", .array(report.columns.map(JSONValue.string))),
    ("rows", .array(rows)),
    ("claims", .array(claims)),
    ("robust", robust),
    ("notes", .array(report.notes.map(JSONValue.string))),
    ("totals", runsJSON(report.totals)),
    ("provenance", provenance),
  ])
  var out = ""
  root.write(into: &out, indent: 0)
  return out + "\n"
}

/// One line per cell (row-major), RFC 4180 quoting, full-precision numbers,
/// empty fields for absent values. Header:
/// `row,kind,task,ours,ours_low,ours_high,expected,finished,missing,diverged,iqm,iqm_low,iqm_high,paper,paper_low,paper_high`.
public func renderCSV(_ report: TableReport) -> String {
  var lines = ["row,kind,task,ours,ours_low,ours_high,expected,finished,missing,diverged,iqm,iqm_low,iqm_high,paper,paper_low,paper_high"]
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
        num(c?.paper?.value), num(c?.paper?.low), num(c?.paper?.high),
      ]
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
