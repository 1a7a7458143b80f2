// Splitting `left − right` of a claim into linear contrasts of cell means
// ("atoms") and the non-linear operations over them, for calibrated verdicts.
//
// A claim such as `[PPO] > [PPO-M]` is linear: `left − right` is one contrast
// `Σ c_i·mean_i`. A claim such as `[ACLI] > [AAI]` (after inlining) is
//   max(abs([PPO] − [PPO-M]), abs([TRPO+] − [TRPO]))
//     − max(abs([PPO] − [TRPO+]), abs([PPO-M] − [TRPO]))
// whose maximal linear sub-expressions are the four differences inside abs();
// the rest (abs, max, −) is evaluated on intervals.

/// A linear combination `constant + Σ coefficients[i]·μ(cells[i])` of cell means.
public struct LinearContrast: Equatable, Sendable, CustomStringConvertible {
  /// The cells, in the order of `coefficients` (a claim's cells, sorted by UTF-8 bytes).
  public var cells: [String]
  /// One coefficient per cell; zero for a cell that does not enter.
  public var coefficients: [Double]
  /// The constant term.
  public var constant: Double

  public init(cells: [String], coefficients: [Double], constant: Double) {
    self.cells = cells
    self.coefficients = coefficients
    self.constant = constant
  }

  /// Whether no cell enters (every coefficient is zero).
  public var isConstant: Bool { coefficients.allSatisfy { $0 == 0 } }

  /// E.g. `[PPO] - [PPO-M]`, `0.5*[A] + 0.5*[B] - 3`: terms in cell order.
  public var description: String {
    var out = ""
    for (name, c) in zip(cells, coefficients) where c != 0 {
      let magnitude = Swift.abs(c)
      let term = magnitude == 1 ? "[\(name)]" : "\(renderNumber(magnitude))*[\(name)]"
      if out.isEmpty {
        out = c < 0 ? "-" + term : term
      } else {
        out += (c < 0 ? " - " : " + ") + term
      }
    }
    if constant != 0 || out.isEmpty {
      let k = renderNumber(Swift.abs(constant))
      out = out.isEmpty ? (constant < 0 ? "-" + k : k) : out + (constant < 0 ? " - " : " + ") + k
    }
    return out
  }
}

private func renderNumber(_ v: Double) -> String { render(.number(v)) }

/// The non-linear part of a claim's `left − right`: a tree over atoms
/// (indices into the claim's contrasts) and constants.
indirect enum IntervalNode: Equatable, Sendable {
  case constant(Double)
  case atom(Int)
  case negate(IntervalNode)
  case add(IntervalNode, IntervalNode)
  case subtract(IntervalNode, IntervalNode)
  /// `factor · x`.
  case scale(Double, IntervalNode)
  /// `x / divisor` (divisor a non-zero constant).
  case divide(IntervalNode, Double)
  case abs(IntervalNode)
  case max([IntervalNode])
  case min([IntervalNode])
  case mean([IntervalNode])

  /// The value at the atoms' values (same operations, in the same order, as `Formula.evaluate`).
  func value(_ atoms: [Double]) -> Double {
    switch self {
    case .constant(let c): return c
    case .atom(let i): return atoms[i]
    case .negate(let a): return -a.value(atoms)
    case .add(let a, let b): return a.value(atoms) + b.value(atoms)
    case .subtract(let a, let b): return a.value(atoms) - b.value(atoms)
    case .scale(let c, let a): return c * a.value(atoms)
    case .divide(let a, let c): return a.value(atoms) / c
    case .abs(let a): return Swift.abs(a.value(atoms))
    case .max(let xs): return xs.dropFirst().reduce(xs[0].value(atoms)) { Swift.max($0, $1.value(atoms)) }
    case .min(let xs): return xs.dropFirst().reduce(xs[0].value(atoms)) { Swift.min($0, $1.value(atoms)) }
    case .mean(let xs):
      var s = 0.0
      for x in xs { s += x.value(atoms) }
      return s / Double(xs.count)
    }
  }

  /// Interval arithmetic (Moore 1966): an interval that contains the value
  /// whenever each atom's value lies in its interval `[lows[i], highs[i]]`.
  ///
  /// `x + y → [a+c, b+d]`, `x − y → [a−d, b−c]`, `−x → [−b, −a]`, `k·x` and
  /// `x/k` scale the ends (swapped when k < 0), `abs → [0, max(−a, b)]` if the
  /// interval holds 0, else the ends' absolute values in order; `max` and
  /// `min` act on the ends separately; `mean` sums and divides.
  func interval(_ lows: [Double], _ highs: [Double]) -> (low: Double, high: Double) {
    switch self {
    case .constant(let c): return (c, c)
    case .atom(let i): return (lows[i], highs[i])
    case .negate(let a):
      let x = a.interval(lows, highs)
      return (-x.high, -x.low)
    case .add(let a, let b):
      let x = a.interval(lows, highs), y = b.interval(lows, highs)
      return (x.low + y.low, x.high + y.high)
    case .subtract(let a, let b):
      let x = a.interval(lows, highs), y = b.interval(lows, highs)
      return (x.low - y.high, x.high - y.low)
    case .scale(let c, let a):
      let x = a.interval(lows, highs)
      return c >= 0 ? (c * x.low, c * x.high) : (c * x.high, c * x.low)
    case .divide(let a, let c):
      let x = a.interval(lows, highs)
      return c > 0 ? (x.low / c, x.high / c) : (x.high / c, x.low / c)
    case .abs(let a):
      let x = a.interval(lows, highs)
      if x.low >= 0 { return x }
      if x.high <= 0 { return (-x.high, -x.low) }
      return (0, Swift.max(-x.low, x.high))
    case .max(let xs):
      var r = xs[0].interval(lows, highs)
      for e in xs.dropFirst() {
        let y = e.interval(lows, highs)
        r = (Swift.max(r.low, y.low), Swift.max(r.high, y.high))
      }
      return r
    case .min(let xs):
      var r = xs[0].interval(lows, highs)
      for e in xs.dropFirst() {
        let y = e.interval(lows, highs)
        r = (Swift.min(r.low, y.low), Swift.min(r.high, y.high))
      }
      return r
    case .mean(let xs):
      var lo = 0.0, hi = 0.0
      for e in xs {
        let y = e.interval(lows, highs)
        lo += y.low
        hi += y.high
      }
      return (lo / Double(xs.count), hi / Double(xs.count))
    }
  }
}

/// Why an expression has no calibrated method.
struct NoCalibratedMethod: Error {
  let reason: String
}

/// The decomposition of one expression into atoms and a tree over them.
struct ContrastAnalysis {
  /// A sub-expression: linear in the cell means, or a tree over atoms.
  enum Piece {
    case linear([Double], Double)
    case node(IntervalNode)

    var constantValue: Double? {
      if case .linear(let c, let k) = self, c.allSatisfy({ $0 == 0 }) { return k }
      return nil
    }
  }

  /// All names the expression references, sorted by UTF-8 bytes.
  let names: [String]
  private let index: [String: Int]  // looked up, never iterated
  /// The atoms found so far, in order of first appearance (left to right).
  private(set) var atoms: [(coefficients: [Double], constant: Double)] = []
  /// The formula's text, for division-by-zero messages.
  let source: String

  init(names: [String], source: String) {
    self.names = names
    var index: [String: Int] = [:]
    for (i, n) in names.enumerated() { index[n] = i }
    self.index = index
    self.source = source
  }

  /// The tree node for a piece: a constant, an atom (deduplicated by exact
  /// equality of coefficients and constant), or the piece's own tree.
  mutating func node(_ p: Piece) -> IntervalNode {
    switch p {
    case .node(let n): return n
    case .linear(let c, let k):
      if c.allSatisfy({ $0 == 0 }) { return .constant(k) }
      if let i = atoms.firstIndex(where: { $0.coefficients == c && $0.constant == k }) { return .atom(i) }
      atoms.append((c, k))
      return .atom(atoms.count - 1)
    }
  }

  /// Splits `e` into signed terms of a `+`/`−` chain (unary minus included).
  private func terms(_ e: FormulaExpression, _ sign: Double, into out: inout [(FormulaExpression, Double)]) {
    switch e {
    case .binary(.add, let a, let b):
      terms(a, sign, into: &out)
      terms(b, sign, into: &out)
    case .binary(.subtract, let a, let b):
      terms(a, sign, into: &out)
      terms(b, -sign, into: &out)
    case .negate(let a): terms(a, -sign, into: &out)
    default: out.append((e, sign))
    }
  }

  /// Analyzes `e`: linear pieces stay linear as long as possible; a
  /// non-linear operation turns its linear operands into atoms.
  /// - Throws: `NoCalibratedMethod` for division by, or a product of, expressions
  ///   of the cells; `StatisticsError.divisionByZero` for a constant zero
  ///   divisor; `.wrongArgumentCount` for a malformed call.
  mutating func analyze(_ e: FormulaExpression) throws -> Piece {
    switch e {
    case .number(let v):
      return .linear([Double](repeating: 0, count: names.count), v)
    case .name(let n):
      var c = [Double](repeating: 0, count: names.count)
      guard let i = index[n] else { throw StatisticsError.unknownName(n) }
      c[i] = 1
      return .linear(c, 0)
    case .negate, .binary(.add, _, _), .binary(.subtract, _, _):
      // A sum: all linear terms are collected into one piece (so the atom is
      // maximal however the sum is written), the others kept in order.
      var list: [(FormulaExpression, Double)] = []
      terms(e, 1, into: &list)
      var coefficients = [Double](repeating: 0, count: names.count)
      var constant = 0.0
      var others: [(IntervalNode, Double)] = []
      var pending: [(Piece, Double)] = []
      for (t, sign) in list { pending.append((try analyze(t), sign)) }
      for (p, sign) in pending {
        if case .linear(let c, let k) = p {
          for i in coefficients.indices { coefficients[i] += sign * c[i] }
          constant += sign * k
        }
      }
      let linear = Piece.linear(coefficients, constant)
      if !pending.contains(where: { if case .node = $0.0 { return true } else { return false } }) { return linear }
      var tree: IntervalNode? = nil
      if linear.constantValue != 0 { tree = node(linear) }
      for (p, sign) in pending {
        guard case .node(let n) = p else { continue }
        others.append((n, sign))
      }
      for (n, sign) in others {
        if let t = tree {
          tree = sign > 0 ? .add(t, n) : .subtract(t, n)
        } else {
          tree = sign > 0 ? n : .negate(n)
        }
      }
      return .node(tree ?? .constant(0))
    case .binary(.multiply, let a, let b):
      let x = try analyze(a), y = try analyze(b)
      if let k = x.constantValue { return scaled(y, by: k) }
      if let k = y.constantValue { return scaled(x, by: k) }
      throw NoCalibratedMethod(reason: "product of two expressions of the cells ('\(render(a))' * '\(render(b))')")
    case .binary(.divide, let a, let b):
      let x = try analyze(a), y = try analyze(b)
      guard let k = y.constantValue else {
        throw NoCalibratedMethod(reason: "division by an expression of the cells ('\(render(b))')")
      }
      if k == 0 { throw StatisticsError.divisionByZero(formula: source) }
      switch x {
      case .linear(let c, let m): return .linear(c.map { $0 / k }, m / k)
      case .node(let n): return .node(.divide(n, k))
      }
    case .call(let f, let args):
      if args.isEmpty || (f.arity.map { $0 != args.count } ?? false) {
        throw StatisticsError.wrongArgumentCount(function: f.rawValue, got: args.count)
      }
      var pieces: [Piece] = []
      for a in args { pieces.append(try analyze(a)) }
      let constants = pieces.compactMap(\.constantValue)
      if constants.count == pieces.count {  // a function of constants is a constant
        let v = try Formula(expression: .call(f, constants.map { .number($0) })).evaluate([:])
        return .linear([Double](repeating: 0, count: names.count), v)
      }
      switch f {
      case .mean:
        let linear = pieces.compactMap { p -> ([Double], Double)? in
          if case .linear(let c, let k) = p { return (c, k) } else { return nil }
        }
        if linear.count == pieces.count {
          var c = [Double](repeating: 0, count: names.count)
          var k = 0.0
          for (ci, ki) in linear {
            for i in c.indices { c[i] += ci[i] }
            k += ki
          }
          let n = Double(pieces.count)
          return .linear(c.map { $0 / n }, k / n)
        }
        return .node(.mean(pieces.map { node($0) }))
      case .max, .min:
        if pieces.count == 1 { return pieces[0] }
        let nodes = pieces.map { node($0) }
        return .node(f == .max ? .max(nodes) : .min(nodes))
      case .abs:
        return .node(.abs(node(pieces[0])))
      }
    }
  }

  private func scaled(_ p: Piece, by k: Double) -> Piece {
    switch p {
    case .linear(let c, let m): return .linear(c.map { k * $0 }, k * m)
    case .node(let n): return .node(.scale(k, n))
    }
  }
}
