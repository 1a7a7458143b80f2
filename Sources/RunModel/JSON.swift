import Foundation

/// A JSON value that keeps the key order of objects as written, so that a
/// manifest's order of algorithms, tasks and rows reaches the reports
/// (Foundation's JSONSerialization forgets it).
public enum JSONValue: Sendable, Equatable {
  case object([(key: String, value: JSONValue)])
  case array([JSONValue])
  case string(String)
  /// The number's text as written (kept so that `2048` stays an integer and
  /// `3e-4` reaches `TrainerConfig.set` unchanged) and its value.
  case number(text: String, value: Double)
  case bool(Bool)
  case null

  /// Order-sensitive for objects (key order is meaningful in manifests); numbers compare by value.
  public static func == (a: JSONValue, b: JSONValue) -> Bool {
    switch (a, b) {
    case let (.object(x), .object(y)):
      return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    case let (.array(x), .array(y)): return x == y
    case let (.string(x), .string(y)): return x == y
    case let (.number(_, x), .number(_, y)): return x == y
    case let (.bool(x), .bool(y)): return x == y
    case (.null, .null): return true
    default: return false
    }
  }

  /// What a value is, in the words used by error messages ("got a string").
  public var kindName: String {
    switch self {
    case .object: return "an object"
    case .array: return "an array"
    case .string: return "a string"
    case .number: return "a number"
    case .bool: return "a boolean"
    case .null: return "null"
    }
  }

  /// The value of `key` in an object (nil for other values or a missing key).
  public subscript(key: String) -> JSONValue? {
    guard case let .object(members) = self else { return nil }
    return members.first(where: { $0.key == key })?.value
  }
}

/// A syntax error, with a 1-based line and column.
public struct JSONSyntaxError: Error, Equatable, CustomStringConvertible {
  public var line: Int
  public var column: Int
  public var message: String
  public var description: String { "line \(line), column \(column): \(message)" }
}

/// A strict recursive-descent JSON parser (RFC 8259): no comments, no trailing
/// commas, no duplicate keys, no NaN/Infinity, nesting at most `maximumDepth` deep.
public struct JSONParser {
  /// The deepest nesting of arrays and objects accepted.
  public static let maximumDepth = 256
  private let bytes: [UInt8]
  private var i = 0
  private var depth = 0

  public static func parse(_ text: String) throws -> JSONValue {
    try parse(Array(text.utf8))
  }

  public static func parse(_ data: Data) throws -> JSONValue {
    try parse([UInt8](data))
  }

  public static func parse(_ bytes: [UInt8]) throws -> JSONValue {
    var p = JSONParser(bytes: bytes)
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { p.i = 3 }  // a UTF-8 byte-order mark, as some editors write
    p.skipSpace()
    let v = try p.value()
    p.skipSpace()
    if p.i < p.bytes.count { throw p.error("unexpected text after the JSON value") }
    return v
  }

  private init(bytes: [UInt8]) { self.bytes = bytes }

  private func error(_ message: String, at pos: Int? = nil) -> JSONSyntaxError {
    let end = min(pos ?? i, bytes.count)
    var line = 1
    var col = 1
    var k = 0
    while k < end {
      if bytes[k] == 0x0A { line += 1; col = 1 } else if bytes[k] & 0xC0 != 0x80 { col += 1 }
      k += 1
    }
    return JSONSyntaxError(line: line, column: col, message: message)
  }

  private mutating func skipSpace() {
    while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
  }

  private func describeHere() -> String {
    guard i < bytes.count else { return "the end of the file" }
    let b = bytes[i]
    if b >= 0x21 && b < 0x7F { return "'\(Character(UnicodeScalar(b)))'" }
    return "byte 0x\(String(b, radix: 16))"
  }

  private mutating func value() throws -> JSONValue {
    guard i < bytes.count else { throw error("expected a value, found the end of the file") }
    switch bytes[i] {
    case UInt8(ascii: "{"): return try object()
    case UInt8(ascii: "["): return try array()
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"): try literal("true"); return .bool(true)
    case UInt8(ascii: "f"): try literal("false"); return .bool(false)
    case UInt8(ascii: "n"): try literal("null"); return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
    default: throw error("expected a value, found \(describeHere())")
    }
  }

  private mutating func literal(_ word: String) throws {
    let w = Array(word.utf8)
    guard i + w.count <= bytes.count, Array(bytes[i..<(i + w.count)]) == w else {
      throw error("expected a value, found \(describeHere())")
    }
    i += w.count
  }

  private mutating func enter() throws {
    depth += 1
    if depth > JSONParser.maximumDepth { throw error("nesting deeper than \(JSONParser.maximumDepth) levels") }
  }

  private mutating func object() throws -> JSONValue {
    try enter()
    defer { depth -= 1 }
    i += 1
    var members: [(key: String, value: JSONValue)] = []
    var seen = Set<String>()
    skipSpace()
    if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
    while true {
      skipSpace()
      guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else {
        throw error("expected a key in double quotes, found \(describeHere())")
      }
      let keyPos = i
      let key = try string()
      if seen.contains(key) { throw error("duplicate key \"\(key)\"", at: keyPos) }
      seen.insert(key)
      skipSpace()
      guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw error("expected ':' after a key, found \(describeHere())") }
      i += 1
      skipSpace()
      members.append((key, try value()))
      skipSpace()
      guard i < bytes.count else { throw error("expected ',' or '}', found the end of the file") }
      if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
      if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
      throw error("expected ',' or '}', found \(describeHere())")
    }
  }

  private mutating func array() throws -> JSONValue {
    try enter()
    defer { depth -= 1 }
    i += 1
    var items: [JSONValue] = []
    skipSpace()
    if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
    while true {
      skipSpace()
      items.append(try value())
      skipSpace()
      guard i < bytes.count else { throw error("expected ',' or ']', found the end of the file") }
      if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
      if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
      throw error("expected ',' or ']', found \(describeHere())")
    }
  }

  private mutating func hex4() throws -> UInt32 {
    guard i + 4 <= bytes.count else { throw error("incomplete \\u escape") }
    var v: UInt32 = 0
    for _ in 0..<4 {
      let c = bytes[i]
      let d: UInt32
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
      default: throw error("invalid hex digit in \\u escape")
      }
      v = v * 16 + d
      i += 1
    }
    return v
  }

  private mutating func string() throws -> String {
    let start = i
    i += 1
    var out: [UInt8] = []
    while true {
      guard i < bytes.count else { throw error("unterminated string", at: start) }
      let c = bytes[i]
      if c == UInt8(ascii: "\"") { i += 1; break }
      if c < 0x20 { throw error("control character in a string (escape it)") }
      if c != UInt8(ascii: "\\") { out.append(c); i += 1; continue }
      i += 1
      guard i < bytes.count else { throw error("unterminated string", at: start) }
      let e = bytes[i]
      i += 1
      switch e {
      case UInt8(ascii: "\""): out.append(0x22)
      case UInt8(ascii: "\\"): out.append(0x5C)
      case UInt8(ascii: "/"): out.append(0x2F)
      case UInt8(ascii: "b"): out.append(0x08)
      case UInt8(ascii: "f"): out.append(0x0C)
      case UInt8(ascii: "n"): out.append(0x0A)
      case UInt8(ascii: "r"): out.append(0x0D)
      case UInt8(ascii: "t"): out.append(0x09)
      case UInt8(ascii: "u"):
        var scalar = try hex4()
        if scalar >= 0xD800 && scalar < 0xDC00 {
          guard i + 6 <= bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
            throw error("unpaired surrogate in \\u escape")
          }
          i += 2
          let low = try hex4()
          guard low >= 0xDC00 && low < 0xE000 else { throw error("unpaired surrogate in \\u escape") }
          scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if scalar >= 0xDC00 && scalar < 0xE000 {
          throw error("unpaired surrogate in \\u escape")
        }
        guard let u = UnicodeScalar(scalar) else { throw error("invalid \\u escape") }
        out.append(contentsOf: Array(String(Character(u)).utf8))
      default:
        throw error("invalid escape '\\\(Character(UnicodeScalar(e)))'")
      }
    }
    guard let s = String(validating: out, as: UTF8.self) else { throw error("invalid UTF-8 in a string", at: start) }
    return s
  }

  private mutating func number() throws -> JSONValue {
    let start = i
    func digits() -> Int {
      let s = i
      while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") { i += 1 }
      return i - s
    }
    if bytes[i] == UInt8(ascii: "-") { i += 1 }
    guard i < bytes.count else { throw error("invalid number") }
    if bytes[i] == UInt8(ascii: "0") {
      i += 1
      if i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") {
        throw error("invalid number: leading zero", at: start)
      }
    } else if digits() == 0 {
      throw error("invalid number", at: start)
    }
    if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
      i += 1
      if digits() == 0 { throw error("invalid number: digits expected after '.'", at: start) }
    }
    if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
      i += 1
      if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
      if digits() == 0 { throw error("invalid number: digits expected in the exponent", at: start) }
    }
    let text = String(decoding: bytes[start..<i], as: UTF8.self)
    guard let v = Double(text), v.isFinite else { throw error("number out of range: \(text)", at: start) }
    return .number(text: text, value: v)
  }
}

// MARK: - Numbers

extension JSONValue {
  /// A finite number in its shortest round-tripping text (see `canonicalNumber`); `null` when not finite.
  public static func double(_ d: Double) -> JSONValue {
    d.isFinite ? .number(text: canonicalNumber(d), value: d) : .null
  }

  /// An integer.
  public static func int(_ i: Int) -> JSONValue { .number(text: String(i), value: Double(i)) }

  /// The number's value, if this is a number.
  public var numberValue: Double? {
    if case let .number(_, v) = self { return v }
    return nil
  }

  /// The string, if this is a string.
  public var stringValue: String? {
    if case let .string(s) = self { return s }
    return nil
  }
}

// MARK: - Canonical form

extension JSONValue {
  /// Canonical text: object keys sorted by their UTF-8 bytes, no whitespace,
  /// integers (|x| < 2^53 with no fractional part) written as integers, other
  /// numbers as Swift's shortest round-tripping form (`0.0003`, `1e+32`), and
  /// strings with the minimal escapes. The input of every content hash.
  public var canonical: String {
    var out = ""
    writeCanonical(into: &out)
    return out
  }

  private func writeCanonical(into out: inout String) {
    switch self {
    case let .object(members):
      out += "{"
      let sorted = members.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
      for (n, m) in sorted.enumerated() {
        if n > 0 { out += "," }
        JSONValue.writeString(m.key, into: &out)
        out += ":"
        m.value.writeCanonical(into: &out)
      }
      out += "}"
    case let .array(items):
      out += "["
      for (n, v) in items.enumerated() {
        if n > 0 { out += "," }
        v.writeCanonical(into: &out)
      }
      out += "]"
    case let .string(s): JSONValue.writeString(s, into: &out)
    case let .number(_, v): out += JSONValue.canonicalNumber(v)
    case let .bool(b): out += b ? "true" : "false"
    case .null: out += "null"
    }
  }

  /// Deterministic number text that parses back to the same Double: integral
  /// values below 2^53 as integers ("2048", "0"), others in Swift's shortest
  /// round-tripping form ("0.0003", "1e+32"). With `keepNegativeZero`, −0 prints as "-0.0".
  public static func canonicalNumber(_ v: Double, keepNegativeZero: Bool = false) -> String {
    if v == 0 && v.sign == .minus && keepNegativeZero { return v.description }
    if v == v.rounded(), abs(v) < 9_007_199_254_740_992 {
      return v == 0 ? "0" : String(Int64(v))
    }
    return "\(v)"
  }

  /// Appends `s` as a JSON string literal: quotes, backslash and control characters escaped.
  public static func writeString(_ s: String, into out: inout String) {
    out += "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if u.value < 0x20 {
          let h = String(u.value, radix: 16)
          out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
        } else {
          out.unicodeScalars.append(u)
        }
      }
    }
    out += "\""
  }

  /// Pretty text for people and diffs: object keys sorted by their UTF-8 bytes,
  /// two-space indentation, arrays of scalars on one line, numbers as written
  /// (their `text`), and a final newline. Used for reports, golden files and archives.
  public var pretty: String {
    var out = ""
    writePretty(indent: 0, into: &out)
    return out + "\n"
  }

  private var isScalar: Bool {
    switch self {
    case .object, .array: return false
    default: return true
    }
  }

  private func writePretty(indent: Int, into out: inout String) {
    let pad = String(repeating: "  ", count: indent + 1)
    switch self {
    case let .object(members):
      if members.isEmpty { out += "{}"; return }
      let sorted = members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
      out += "{\n"
      for (n, m) in sorted.enumerated() {
        out += pad
        JSONValue.writeString(m.key, into: &out)
        out += ": "
        m.value.writePretty(indent: indent + 1, into: &out)
        out += n + 1 < sorted.count ? ",\n" : "\n"
      }
      out += String(repeating: "  ", count: indent) + "}"
    case let .array(items):
      if items.isEmpty { out += "[]"; return }
      if items.allSatisfy(\.isScalar) {
        out += "["
        for (n, x) in items.enumerated() {
          if n > 0 { out += ", " }
          x.writePretty(indent: indent, into: &out)
        }
        out += "]"
        return
      }
      out += "[\n"
      for (n, x) in items.enumerated() {
        out += pad
        x.writePretty(indent: indent + 1, into: &out)
        out += n + 1 < items.count ? ",\n" : "\n"
      }
      out += String(repeating: "  ", count: indent) + "]"
    case let .number(text, _): out += text
    case let .string(s): JSONValue.writeString(s, into: &out)
    case let .bool(b): out += b ? "true" : "false"
    case .null: out += "null"
    }
  }

  /// The decoder matching `encoding`: non-finite numbers as the strings "inf", "-inf", "nan".
  public static func decoder() -> JSONDecoder {
    let d = JSONDecoder()
    d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return d
  }

  /// A value from an `Encodable` through `JSONEncoder` (for hashing typed values).
  public static func encoding<T: Encodable>(_ value: T) throws -> JSONValue {
    let enc = JSONEncoder()
    enc.outputFormatting = [.sortedKeys]
    enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return try JSONParser.parse(enc.encode(value))
  }
}

// MARK: - Paths

/// Where a value sits in a JSON document: `algorithms.PPO.perTask.Hopper.policyLR`,
/// `claims[2].left`, `paper["PPO (baselines)"].Hopper`.
public struct JSONPath: Sendable, Equatable, CustomStringConvertible {
  public enum Component: Sendable, Equatable {
    case key(String)
    case index(Int)
  }
  public var components: [Component] = []
  public init(_ components: [Component] = []) { self.components = components }

  public func appending(_ key: String) -> JSONPath { JSONPath(components + [.key(key)]) }
  public func appending(_ index: Int) -> JSONPath { JSONPath(components + [.index(index)]) }

  public var description: String {
    var out = ""
    for c in components {
      switch c {
      case let .key(k):
        let plain = !k.isEmpty && k.unicodeScalars.allSatisfy {
          CharacterSet.alphanumerics.contains($0) || "_-+".unicodeScalars.contains($0)
        }
        if plain {
          if !out.isEmpty { out += "." }
          out += k
        } else {
          var q = ""
          JSONValue.writeString(k, into: &q)
          out += "[\(q)]"
        }
      case let .index(n): out += "[\(n)]"
      }
    }
    return out.isEmpty ? "(top level)" : out
  }
}
