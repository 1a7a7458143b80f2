/// The first NaN or infinity found in a named array (for the rule "a NaN or
/// infinity in a loss, parameter or observation stops the run").
public struct NonFiniteValue: Sendable, Equatable, CustomStringConvertible {
  /// The array's name, as given by the caller (e.g. "policy parameters").
  public var name: String
  /// Index of the first non-finite element.
  public var index: Int
  /// The offending value (NaN, +inf or −inf).
  public var value: Double

  /// Plain memberwise initialiser.
  public init(name: String, index: Int, value: Double) {
    self.name = name
    self.index = index
    self.value = value
  }

  /// For example "policy loss[0] is nan" or "observation[3] is -inf".
  public var description: String {
    let v = value.isNaN ? "nan" : (value > 0 ? "+inf" : "-inf")
    return "\(name)[\(index)] is \(v)"
  }
}

/// The first non-finite element of `values`, or nil if all are finite.
public func firstNonFinite(_ values: [Double], name: String) -> NonFiniteValue? {
  for i in 0..<values.count where !values[i].isFinite {
    return NonFiniteValue(name: name, index: i, value: values[i])
  }
  return nil
}

/// The first non-finite element over several named arrays, checked in the
/// given order (an array of pairs, so the order is the caller's, never a
/// dictionary's).
public func firstNonFinite(_ named: [(name: String, values: [Double])]) -> NonFiniteValue? {
  for (name, values) in named {
    if let bad = firstNonFinite(values, name: name) { return bad }
  }
  return nil
}
