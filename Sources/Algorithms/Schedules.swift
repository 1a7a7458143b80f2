/// Learning-rate annealing factor ("Implementation Matters", Section 3,
/// optimization 4 "Adam learning rate annealing"): iteration `iteration`
/// (0-based) of `iterations` trains with `1 − iteration / iterations` times the
/// base learning rate (the authors' `LambdaLR(lambda f: 1 - f / train_steps)`,
/// stepped after each iteration's updates, so iteration 0 uses the full rate).
/// Returns 1 when `annealing` is off.
public func learningRateFactor(iteration: Int, iterations: Int, annealing: Bool) -> Double {
  guard annealing, iterations > 0 else { return 1 }
  return 1 - Double(iteration) / Double(iterations)
}

/// The KL bound δ used by TRPO at `iteration` (0-based): constant `start` when
/// `final` is nil, else the linear schedule of the authors' TRPO+ configs,
/// `start + (final − start) · (iteration + 1) / iterations` (their trainer adds
/// the increment (final − start) / iterations *before* each policy step, so the
/// last iteration uses exactly `final`).
///
/// Caveat, from reading their code: the increment is added to an attribute of
/// the trainer object, while `trpo_step` reads `params.MAX_KL`, which is never
/// updated; so in the authors' runs δ stayed at `start` throughout. Passing
/// `final: nil` reproduces what their code did.
public func scheduledKLBound(start: Double, final: Double?, iteration: Int, iterations: Int) -> Double {
  guard let final, iterations > 0 else { return start }
  return start + (final - start) * Double(iteration + 1) / Double(iterations)
}
