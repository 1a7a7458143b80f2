import Foundation
import RunModel

/// A manifest that cannot be used: every issue names the file and the JSON path
/// of the field (or the line and column of a syntax error).
///
///     experiments/table2.json: algorithms.PPO.perTask.Hopper.policyLR: expected a number
public struct ManifestError: Error, CustomStringConvertible, Equatable, Sendable {
  public struct Issue: Equatable, Sendable {
    /// A rendered `JSONPath`, or `line L, column C` for syntax errors.
    public var path: String
    public var message: String
    public init(path: String, message: String) {
      self.path = path
      self.message = message
    }
  }

  public var file: String
  public var issues: [Issue]

  public init(file: String, issues: [Issue]) {
    self.file = file
    self.issues = issues
  }

  /// One line per issue: `file: path: message`.
  public var description: String {
    issues.map { "\(file): \($0.path): \($0.message)" }.joined(separator: "\n")
  }
}

extension Manifest {
  /// Why a paper preset cannot run on `task`.
  static func noColumn(_ preset: Preset, _ task: TaskID) -> String {
    "preset \(preset.rawValue) takes its settings from the paper's tables, which have no column for \(task) "
      + "(only \(PaperTask.allCases.map(\.rawValue).joined(separator: ", ")), any version); "
      + "use CleanRL, the same on every task, with overrides"
  }
}

/// An issue before the file name is known (internal to decoding).
struct Fail: Error {
  var path: JSONPath
  var message: String
  init(_ path: JSONPath, _ message: String) {
    self.path = path
    self.message = message
  }
}

/// A JSON value with its location, read strictly.
struct Node {
  var value: JSONValue
  var path: JSONPath

  func object(allowed: [String]) throws -> ObjectReader {
    guard case let .object(members) = value else { throw Fail(path, "expected an object") }
    for m in members where !allowed.contains(m.key) {
      throw Fail(path.appending(m.key), "unknown key; " + NameSuggestion.hint(for: m.key, in: allowed, listLabel: "expected one of"))
    }
    return ObjectReader(members: members, path: path)
  }

  /// An object whose keys are names chosen by the manifest (algorithms, rows, scales).
  func map() throws -> [(key: String, node: Node)] {
    guard case let .object(members) = value else { throw Fail(path, "expected an object") }
    return members.map { ($0.key, Node(value: $0.value, path: path.appending($0.key))) }
  }

  func array() throws -> [Node] {
    guard case let .array(items) = value else { throw Fail(path, "expected an array") }
    return items.enumerated().map { Node(value: $1, path: path.appending($0)) }
  }

  func string() throws -> String {
    guard case let .string(s) = value else { throw Fail(path, "expected a string") }
    return s
  }

  func nonEmptyString() throws -> String {
    let s = try string()
    if s.trimmingCharacters(in: .whitespaces).isEmpty { throw Fail(path, "must not be empty") }
    return s
  }

  func number() throws -> Double {
    guard case let .number(_, v) = value else { throw Fail(path, "expected a number") }
    return v
  }

  func bool() throws -> Bool {
    guard case let .bool(b) = value else { throw Fail(path, "expected true or false") }
    return b
  }

  func integer() throws -> Int {
    guard case let .number(_, v) = value, v == v.rounded(), abs(v) < 1e15 else { throw Fail(path, "expected an integer") }
    return Int(v)
  }

  func positiveInteger() throws -> Int {
    let n = try integer()
    if n < 1 { throw Fail(path, "must be at least 1, got \(n)") }
    return n
  }
}

/// Reads the fields of one object; unknown keys were refused on creation.
struct ObjectReader {
  var members: [(key: String, value: JSONValue)]
  var path: JSONPath

  func optional(_ key: String) -> Node? {
    guard let m = members.first(where: { $0.key == key }) else { return nil }
    return Node(value: m.value, path: path.appending(key))
  }

  func required(_ key: String) throws -> Node {
    guard let n = optional(key) else { throw Fail(path.appending(key), "missing required field") }
    return n
  }
}
