// Words that manifests and reports share about a results table.

/// What a row is, which decides how it is drawn.
public enum RowKind: String, Sendable, CaseIterable {
  /// An algorithm we ran: cells have run counts.
  case algorithm
  /// A row computed from other rows (AAI, ACLI): cells have no run counts.
  case derived
  /// A row with only the paper's values (e.g. "PPO (baselines)"): we ran nothing.
  case reference
}

/// A value as the paper prints it: a mean with a CI (`3292 [3157, 3426]`) or a
/// bare value (`242`).
public struct PaperValue: Equatable, Sendable {
  public var value: Double
  public var low: Double?
  public var high: Double?

  public init(_ value: Double, low: Double? = nil, high: Double? = nil) {
    self.value = value
    self.low = low
    self.high = high
  }

  /// `PaperValue(3292, 3157, 3426)`.
  public init(_ value: Double, _ low: Double, _ high: Double) {
    self.init(value, low: low, high: high)
  }
}
