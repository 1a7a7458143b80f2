/// Nearest-match suggestions ("did you mean …") for every name the command line
/// or a manifest takes: commands, options, settings, presets, tasks, scales,
/// manifests. One helper, so that every unknown name is answered the same way.
public enum NameSuggestion {
  /// The optimal-string-alignment distance between `a` and `b`, compared without
  /// regard to case: insertions, deletions, substitutions and swaps of two
  /// neighbouring characters each cost 1 ("trian" → "train" is 1).
  public static func distance(_ a: String, _ b: String) -> Int {
    let x = Array(a.lowercased()), y = Array(b.lowercased())
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    // d[i][j]: distance between x[..<i] and y[..<j].
    var d = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
    for i in 0...x.count { d[i][0] = i }
    for j in 0...y.count { d[0][j] = j }
    for i in 1...x.count {
      for j in 1...y.count {
        let cost = x[i - 1] == y[j - 1] ? 0 : 1
        var best = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
        if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { best = min(best, d[i - 2][j - 2] + 1) }
        d[i][j] = best
      }
    }
    return d[x.count][y.count]
  }

  /// How far a name may be from a candidate and still be suggested: a third of its
  /// length, at least 1 and at most 3 (so "PPO" suggests nothing for "SAC").
  public static func threshold(for name: String) -> Int { max(1, min(3, name.count / 3)) }

  /// The candidates nearest to `name`, in the order given: those at the smallest
  /// distance within `threshold(for:)`, and also any candidate that `name` is a
  /// case-insensitive prefix of (at least 3 characters), when none is that near.
  /// Empty when none is close. An exact (case-insensitive) match is returned alone.
  public static func nearest(_ name: String, in candidates: [String]) -> [String] {
    let distances = candidates.map { distance(name, $0) }
    if let exact = zip(candidates, distances).first(where: { $0.1 == 0 }) { return [exact.0] }
    if let best = distances.min(), best <= threshold(for: name) {
      return zip(candidates, distances).filter { $0.1 == best }.map(\.0)
    }
    let lower = name.lowercased()
    guard lower.count >= 3 else { return [] }
    return candidates.filter { $0.lowercased().hasPrefix(lower) }
  }

  /// "did you mean 'x'?" or "did you mean 'x' or 'y'?"; nil when nothing is close.
  public static func didYouMean(_ name: String, in candidates: [String], quote: (String) -> String = { "'\($0)'" }) -> String? {
    let near = nearest(name, in: candidates)
    guard !near.isEmpty else { return nil }
    let quoted = near.map(quote)
    let list = quoted.count == 1 ? quoted[0] : quoted.dropLast().joined(separator: ", ") + " or " + quoted.last!
    return "did you mean \(list)?"
  }

  /// The tail of an "unknown NAME" message: `"\(listLabel) a, b, c"`, preceded by
  /// "did you mean 'x'?" when a candidate is close. Where the list is long, `listHint`
  /// (where to find it) stands in for it when a candidate is close.
  ///
  ///     unknown task 'Hoper'; did you mean 'Hopper'? (expected one of Walker2d, Hopper, Humanoid)
  ///     unknown setting; did you mean 'valueClipping'? (`repro train --list-settings` lists all 44 …)
  ///     unknown task 'Ant'; expected one of Walker2d, Hopper, Humanoid
  public static func hint(for name: String, in candidates: [String], listLabel: String,
                          listHint: String? = nil, quote: (String) -> String = { "'\($0)'" }) -> String {
    let list = "\(listLabel) \(candidates.joined(separator: ", "))"
    guard let suggestion = didYouMean(name, in: candidates, quote: quote) else { return list }
    return "\(suggestion) (\(listHint ?? list))"
  }
}
