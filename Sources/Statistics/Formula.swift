// A tiny expression language for derived rows (AAI, ACLI, ...).
//
// Grammar (whitespace between tokens is ignored):
//
//   formula  := expr END
//   expr     := term (("+" | "-") term)*
//   term     := unary (("*" | "/") unary)*
//   unary    := "-" unary | primary
//   primary  := NUMBER | "[" NAME "]" | FUNC "(" expr ("," expr)* ")" | "(" expr ")"
//   FUNC     := "abs" | "max" | "min" | "mean"
//   NUMBER   := digits ["." digits] [("e" | "E") ["+" | "-"] digits]   (or "." digits ...)
//   NAME     := one or more characters other than "]" and a line break
//
// Names go in square brackets because algorithm names contain "-" and "+":
// `max(abs([PPO] - [TRPO+]), abs([PPO-M] - [TRPO]))`.

/// A function callable in a formula.
public enum FormulaFunction: String, CaseIterable, Sendable, Codable {
  /// Absolute value; exactly one argument.
  case abs
  /// Largest argument; one or more arguments.
  case max
  /// Smallest argument; one or more arguments.
  case min
  /// Arithmetic mean of the arguments (summed left to right); one or more arguments.
  case mean

  /// The number of arguments the function takes: `nil` means one or more.
  public var arity: Int? { self == .abs ? 1 : nil }
}

/// A binary arithmetic operator.
public enum FormulaOperator: String, Sendable, Codable {
  case add = "+", subtract = "-", multiply = "*", divide = "/"

  var precedence: Int { (self == .add || self == .subtract) ? 1 : 2 }
}

/// The syntax tree of a parsed formula.
public indirect enum FormulaExpression: Equatable, Sendable {
  /// A number literal.
  case number(Double)
  /// A reference to a named value, written `[name]`.
  case name(String)
  /// Unary minus.
  case negate(FormulaExpression)
  /// A binary operation, left operand first.
  case binary(FormulaOperator, FormulaExpression, FormulaExpression)
  /// A function call with its arguments in order.
  case call(FormulaFunction, [FormulaExpression])
}

/// A parse failure: where it happened and what the parser expected there.
public struct FormulaParseError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The formula's text.
  public let source: String
  /// 0-based offset, in characters, of the offending token in `source`.
  public let position: Int
  /// What the parser would have accepted here, e.g. "')'" or "a number, a [name], '(' or a function".
  public let expected: String
  /// What it found instead, e.g. "'*'" or "end of formula".
  public let found: String

  public var description: String {
    "formula '\(source)', column \(position + 1): expected \(expected), found \(found)"
  }
}

/// A parsed formula over named values, e.g. `max(abs([PPO] - [TRPO+]), abs([PPO-M] - [TRPO]))`.
///
/// Parse it once with `init(_:)`, list the names it needs with `referencedNames`,
/// and evaluate it against name → value with `evaluate(_:)`.
public struct Formula: Equatable, Sendable, CustomStringConvertible {
  /// The longest formula text accepted, in characters.
  public static let maximumLength = 1000
  /// The deepest nesting accepted when parsing: parentheses, function calls and
  /// signs, each one level.
  public static let maximumDepth = 32
  /// The most terms (numbers, names, operations, calls) and the deepest tree a
  /// formula may have once its definitions are inlined (`inlining`).
  public static let maximumInlinedSize = 10_000
  public static let maximumInlinedDepth = 256

  /// The text the formula was parsed from (or its rendering, after `inlining`).
  public let source: String
  /// The syntax tree.
  public let expression: FormulaExpression

  /// Parses `source`.
  /// - Throws: `FormulaParseError` naming the column and what was expected there,
  ///   also for a text longer than `maximumLength` or nested deeper than `maximumDepth`.
  public init(_ source: String) throws {
    var parser = try FormulaParser(checking: source)
    self.source = source
    self.expression = try parser.parseFormula()
  }

  /// A formula from an already built tree; `source` is its canonical rendering.
  public init(expression: FormulaExpression) {
    self.expression = expression
    self.source = render(expression)
  }

  /// A canonical, fully parenthesised rendering (binary operations in
  /// parentheses), which parses back to a formula of the same value.
  public var description: String { render(expression) }

  /// The names the formula references, each once, in order of first appearance.
  public var referencedNames: [String] {
    var seen = Set<String>()  // membership only; the order comes from the tree walk
    var out: [String] = []
    func walk(_ e: FormulaExpression) {
      switch e {
      case .number: break
      case .name(let n): if seen.insert(n).inserted { out.append(n) }
      case .negate(let a): walk(a)
      case .binary(_, let a, let b): walk(a); walk(b)
      case .call(_, let args): args.forEach(walk)
      }
    }
    walk(expression)
    return out
  }

  /// Evaluates the formula with `values[name]` for each `[name]`.
  ///
  /// Arithmetic is IEEE double, operands left to right; `mean(...)` sums its
  /// arguments left to right and divides by their count.
  /// - Throws: `StatisticsError.unknownName` for a name missing from `values`,
  ///   `.divisionByZero` for a zero divisor, `.nonFiniteResult` if a value or
  ///   the result is NaN or infinite.
  public func evaluate(_ values: [String: Double]) throws -> Double {
    try evaluate { name in
      guard let v = values[name] else { throw StatisticsError.unknownName(name) }
      return v
    }
  }

  /// Evaluates the formula, asking `lookup` for the value of each name.
  public func evaluate(_ lookup: (String) throws -> Double) throws -> Double {
    func eval(_ e: FormulaExpression) throws -> Double {
      switch e {
      case .number(let v): return v
      case .name(let n):
        let v = try lookup(n)
        guard v.isFinite else { throw StatisticsError.nonFiniteResult("[\(n)]") }
        return v
      case .negate(let a): return -(try eval(a))
      case .binary(let op, let a, let b):
        let x = try eval(a), y = try eval(b)
        switch op {
        case .add: return x + y
        case .subtract: return x - y
        case .multiply: return x * y
        case .divide:
          if y == 0 { throw StatisticsError.divisionByZero(formula: source) }
          return x / y
        }
      case .call(let f, let args):
        let xs = try args.map(eval)
        // The parser checks arity; a hand-built tree might not have.
        if xs.isEmpty || (f.arity.map { $0 != xs.count } ?? false) {
          throw StatisticsError.wrongArgumentCount(function: f.rawValue, got: xs.count)
        }
        switch f {
        case .abs: return Swift.abs(xs[0])
        case .max: return xs.dropFirst().reduce(xs[0]) { Swift.max($0, $1) }
        case .min: return xs.dropFirst().reduce(xs[0]) { Swift.min($0, $1) }
        case .mean:
          var s = 0.0
          for x in xs { s += x }
          return s / Double(xs.count)
        }
      }
    }
    let result = try eval(expression)
    guard result.isFinite else { throw StatisticsError.nonFiniteResult(source) }
    return result
  }

  /// This formula with every `[name]` that has an entry in `definitions`
  /// replaced by that definition, recursively (so a claim `[ACLI] > [AAI]`
  /// can be judged on the cells that ACLI and AAI are made of).
  /// - Throws: `StatisticsError.circularDefinition` if a definition refers
  ///   back to itself, directly or through others; `.formulaTooLarge` if the
  ///   result would exceed `maximumInlinedSize` terms or `maximumInlinedDepth`
  ///   levels (definitions that use each other twice over grow exponentially).
  public func inlining(_ definitions: [String: Formula]) throws -> Formula {
    var size = 0
    func inline(_ e: FormulaExpression, _ stack: [String], _ depth: Int) throws -> FormulaExpression {
      size += 1
      if size > Self.maximumInlinedSize || depth > Self.maximumInlinedDepth {
        throw StatisticsError.formulaTooLarge(
          formula: source, limit: "\(Self.maximumInlinedSize) terms and \(Self.maximumInlinedDepth) levels")
      }
      switch e {
      case .number: return e
      case .name(let n):
        guard let d = definitions[n] else { return e }
        if stack.contains(n) { throw StatisticsError.circularDefinition(stack + [n]) }
        size -= 1  // the name is replaced, not kept
        return try inline(d.expression, stack + [n], depth)
      case .negate(let a): return .negate(try inline(a, stack, depth + 1))
      case .binary(let op, let a, let b):
        return .binary(op, try inline(a, stack, depth + 1), try inline(b, stack, depth + 1))
      case .call(let f, let args): return .call(f, try args.map { try inline($0, stack, depth + 1) })
      }
    }
    return Formula(expression: try inline(expression, [], 0))
  }

  /// The parts of the formula that divide by a constant zero (a divisor without
  /// names that evaluates to 0), rendered: such a formula can never be computed.
  public var divisionsByConstantZero: [String] {
    var out: [String] = []
    func constant(_ e: FormulaExpression) -> Double? {
      switch e {
      case .number(let v): return v
      case .name: return nil
      case .negate(let a): return constant(a).map { -$0 }
      case .binary(let op, let a, let b):
        guard let x = constant(a), let y = constant(b) else { return nil }
        switch op {
        case .add: return x + y
        case .subtract: return x - y
        case .multiply: return x * y
        case .divide: return y == 0 ? nil : x / y
        }
      case .call(let f, let args):
        let xs = args.compactMap(constant)
        guard xs.count == args.count, !xs.isEmpty else { return nil }
        switch f {
        case .abs: return Swift.abs(xs[0])
        case .max: return xs.max()
        case .min: return xs.min()
        case .mean: return xs.reduce(0, +) / Double(xs.count)
        }
      }
    }
    func walk(_ e: FormulaExpression) {
      switch e {
      case .number, .name: break
      case .negate(let a): walk(a)
      case .binary(let op, let a, let b):
        if op == .divide, constant(b) == 0 { out.append(render(e)) }
        walk(a); walk(b)
      case .call(_, let args): args.forEach(walk)
      }
    }
    walk(expression)
    return out
  }
}

/// Renders a tree, fully parenthesised, so that it parses back to a formula of the same value.
func render(_ e: FormulaExpression) -> String {
  switch e {
  case .number(let v):
    // Whole numbers print without ".0"; `description` round-trips exactly.
    if v == v.rounded(), Swift.abs(v) < 1e15 { return String(Int64(v)) }
    return v.description
  case .name(let n): return "[\(n)]"
  case .negate(let a): return "-" + renderOperand(a)
  case .binary(let op, let a, let b): return "(\(render(a)) \(op.rawValue) \(render(b)))"
  case .call(let f, let args): return "\(f.rawValue)(" + args.map(render).joined(separator: ", ") + ")"
  }
}

private func renderOperand(_ e: FormulaExpression) -> String {
  switch e {
  case .number(let v) where v < 0: return "(\(render(e)))"
  default: return render(e)
  }
}

// MARK: - Parser

/// A recursive-descent parser over the characters of one formula.
struct FormulaParser {
  let text: [Character]
  let source: String
  var pos = 0
  /// Current nesting (parentheses, calls, signs), at most `Formula.maximumDepth`.
  var depth = 0

  /// A parser for `source`, refused when longer than `Formula.maximumLength`.
  init(checking source: String) throws {
    self.source = source
    self.text = Array(source)
    if text.count > Formula.maximumLength {
      throw FormulaParseError(
        source: String(text.prefix(40)) + "…", position: Formula.maximumLength,
        expected: "a formula of at most \(Formula.maximumLength) characters", found: "\(text.count) characters")
    }
  }

  /// Enters one level of nesting; throws past `Formula.maximumDepth`.
  mutating func enter() throws {
    depth += 1
    if depth > Formula.maximumDepth {
      throw error(expected: "at most \(Formula.maximumDepth) levels of nesting (parentheses, function calls and signs)")
    }
  }

  static let startOfOperand = "a number, a [name], '(', '-' or a function (abs, max, min, mean)"

  mutating func parseFormula() throws -> FormulaExpression {
    skipSpaces()
    let e = try parseExpr()
    skipSpaces()
    if pos < text.count {
      throw error(expected: "an operator (+ - * /) or end of formula")
    }
    return e
  }

  /// Parses one expression and stops at the first character that cannot
  /// continue it (used by `Claim` to find the comparison sign).
  mutating func parseExpr() throws -> FormulaExpression {
    var left = try parseTerm()
    while true {
      skipSpaces()
      guard let c = peek(), c == "+" || c == "-" else { return left }
      pos += 1
      let right = try parseTerm()
      left = .binary(c == "+" ? .add : .subtract, left, right)
    }
  }

  mutating func parseTerm() throws -> FormulaExpression {
    var left = try parseUnary()
    while true {
      skipSpaces()
      guard let c = peek(), c == "*" || c == "/" else { return left }
      pos += 1
      let right = try parseUnary()
      left = .binary(c == "*" ? .multiply : .divide, left, right)
    }
  }

  mutating func parseUnary() throws -> FormulaExpression {
    skipSpaces()
    if peek() == "-" {
      try enter()
      defer { depth -= 1 }
      pos += 1
      return .negate(try parseUnary())
    }
    return try parsePrimary()
  }

  mutating func parsePrimary() throws -> FormulaExpression {
    skipSpaces()
    guard let c = peek() else { throw error(expected: Self.startOfOperand) }
    if c == "(" {
      try enter()
      defer { depth -= 1 }
      pos += 1
      let e = try parseExpr()
      try expect(")", what: "')' or an operator (+ - * /)")
      return e
    }
    if c == "[" { return .name(try parseName()) }
    if c.isASCII && (c.isNumber || c == ".") { return .number(try parseNumber()) }
    if c.isASCII && c.isLetter { return try parseCall() }
    throw error(expected: Self.startOfOperand)
  }

  mutating func parseName() throws -> String {
    let open = pos
    pos += 1  // "["
    var name = ""
    while let c = peek(), c != "]", !c.isNewline {
      name.append(c)
      pos += 1
    }
    guard peek() == "]" else {
      throw error(expected: "']' to close the name opened at column \(open + 1)")
    }
    if name.isEmpty { throw error(expected: "a name between '[' and ']'") }
    pos += 1
    return name
  }

  mutating func parseNumber() throws -> Double {
    let start = pos
    var s = ""
    func digits(_ p: inout FormulaParser, _ s: inout String) -> Int {
      var n = 0
      while let c = p.peek(), c.isASCII, c.isNumber { s.append(c); p.pos += 1; n += 1 }
      return n
    }
    var count = digits(&self, &s)
    if peek() == "." {
      s.append("."); pos += 1
      count += digits(&self, &s)
    }
    if count == 0 {
      pos = start
      throw error(expected: "a digit in the number")
    }
    if let e = peek(), e == "e" || e == "E" {
      s.append("e"); pos += 1
      if let sign = peek(), sign == "+" || sign == "-" { s.append(sign); pos += 1 }
      if digits(&self, &s) == 0 { throw error(expected: "digits in the number's exponent") }
    }
    guard let v = Double(s), v.isFinite else {
      pos = start
      throw error(expected: "a finite number")
    }
    return v
  }

  mutating func parseCall() throws -> FormulaExpression {
    let start = pos
    var word = ""
    while let c = peek(), c.isASCII, c.isLetter || c.isNumber || c == "_" { word.append(c); pos += 1 }
    guard let f = FormulaFunction(rawValue: word) else {
      pos = start
      throw FormulaParseError(
        source: source, position: start,
        expected: "a function (abs, max, min, mean) or a [name] in square brackets",
        found: "'\(word)'")
    }
    skipSpaces()
    try expect("(", what: "'(' after '\(word)'")
    try enter()
    defer { depth -= 1 }
    var args = [try parseExpr()]
    skipSpaces()
    while peek() == "," {
      pos += 1
      args.append(try parseExpr())
      skipSpaces()
    }
    if let arity = f.arity, args.count != arity {
      throw FormulaParseError(
        source: source, position: start,
        expected: "\(word) to take \(arity) argument\(arity == 1 ? "" : "s")",
        found: "\(args.count) arguments")
    }
    try expect(")", what: "',' or ')' in the arguments of '\(word)'")
    return .call(f, args)
  }

  // MARK: helpers

  func peek() -> Character? { pos < text.count ? text[pos] : nil }

  mutating func skipSpaces() {
    while let c = peek(), c.isWhitespace { pos += 1 }
  }

  mutating func expect(_ c: Character, what: String) throws {
    skipSpaces()
    guard peek() == c else { throw error(expected: what) }
    pos += 1
  }

  func error(expected: String) -> FormulaParseError {
    let found: String
    if let c = peek() { found = "'\(c)'" } else { found = "end of formula" }
    return FormulaParseError(source: source, position: pos, expected: expected, found: found)
  }
}
