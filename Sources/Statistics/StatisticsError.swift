/// What can go wrong when a statistic is asked of unsuitable data.
///
/// Every public function of this module validates its input and throws one of
/// these instead of trapping, so a bad results file gives a message, not a crash.
public enum StatisticsError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A sample had no values (the label says which argument or cell).
  case emptySample(String)
  /// A sample had fewer values than the statistic needs.
  case tooFewValues(String, needed: Int, got: Int)
  /// A sample held NaN or an infinity.
  case nonFiniteValue(String, index: Int)
  /// A sample's values are finite but so large that its spread (or its mean)
  /// overflows the float range: e.g. scores near ±1e155 square beyond 1.8e308.
  case outOfRange(String)
  /// A percentile outside [0, 100] was asked for.
  case percentileOutOfRange(Double)
  /// A trimming proportion outside [0, 0.5) was asked for.
  case proportionOutOfRange(Double)
  /// A bootstrap with fewer than one resample was asked for.
  case invalidResampleCount(Int)
  /// A confidence level outside the open interval (0, 1) was asked for.
  case invalidConfidenceLevel(Double)
  /// A formula referenced a name that has no value or sample.
  case unknownName(String)
  /// A hand-built formula called a function with the wrong number of arguments.
  case wrongArgumentCount(function: String, got: Int)
  /// A formula divided by zero.
  case divisionByZero(formula: String)
  /// A formula or statistic produced NaN or an infinity.
  case nonFiniteResult(String)
  /// Inlining definitions found a definition that refers to itself, directly or not.
  case circularDefinition([String])
  /// Inlining definitions would give a formula beyond the stated limits.
  case formulaTooLarge(formula: String, limit: String)
  /// A distribution, interval or design was asked for with an argument outside
  /// its domain (the message names the function, the argument and its range).
  case invalidArgument(String)

  public var description: String {
    switch self {
    case .emptySample(let label): return "sample '\(label)' is empty"
    case .tooFewValues(let label, let needed, let got):
      return "sample '\(label)' has \(got) value(s); at least \(needed) are needed"
    case .nonFiniteValue(let label, let index):
      return "sample '\(label)' holds a non-finite value at index \(index)"
    case .outOfRange(let label):
      return "the scores of '\(label)' are too large in magnitude for their spread to be computed (it overflows the float range)"
    case .percentileOutOfRange(let p): return "percentile \(p) is outside [0, 100]"
    case .proportionOutOfRange(let p): return "trimming proportion \(p) is outside [0, 0.5)"
    case .invalidResampleCount(let n): return "bootstrap needs at least 1 resample, got \(n)"
    case .invalidConfidenceLevel(let c): return "confidence level \(c) is outside (0, 1)"
    case .unknownName(let name): return "no value or sample named [\(name)]"
    case .wrongArgumentCount(let function, let got):
      return "\(function)(...) called with \(got) argument(s)"
    case .divisionByZero(let formula): return "division by zero in '\(formula)'"
    case .nonFiniteResult(let what): return "'\(what)' overflows the float range (or is undefined) on these scores"
    case .circularDefinition(let chain):
      return "circular definition: " + chain.map { "[\($0)]" }.joined(separator: " -> ")
    case .formulaTooLarge(let formula, let limit):
      return "'\(formula.count > 60 ? formula.prefix(60) + "…" : formula)' grows beyond \(limit) once its rows are inlined"
    case .invalidArgument(let message): return message
    }
  }
}

/// Throws unless `x` has at least `minimumCount` values and every value is finite.
func validate(_ x: [Double], _ label: String, minimumCount: Int = 1) throws {
  if x.isEmpty { throw StatisticsError.emptySample(label) }
  if x.count < minimumCount {
    throw StatisticsError.tooFewValues(label, needed: minimumCount, got: x.count)
  }
  for (i, v) in x.enumerated() where !v.isFinite {
    throw StatisticsError.nonFiniteValue(label, index: i)
  }
}
