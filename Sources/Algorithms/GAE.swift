/// What the step after the last step of a batch is worth, when the batch ends in
/// the middle of an episode (the last step is neither terminated nor truncated).
public enum BatchEndBootstrap: Sendable, Equatable {
  /// V(s_N), the value of the observation after the batch's last step: the
  /// correct bootstrap, identical to the handling of a time-limit truncation.
  /// With `resetEachIteration` that observation is the one the environment
  /// returned before the iteration's trailing partial episode was dropped.
  case value(Double)
  /// The authors' code: V(s_{N−1}), the last step's *own* value (their
  /// `advantage_and_return` pads the value sequence with its last element), so
  /// delta = r + (gamma − 1)·V(s_{N−1}). Kept for fidelity experiments.
  case lastStepValue
  /// No bootstrap: treat the cut as a termination (V(s_N) = 0).
  case zero
}

/// Advantages and value-network regression targets for one batch.
public struct AdvantageEstimates: Sendable, Equatable {
  /// GAE(gamma, lambda) advantage of each step.
  public var advantages: [Double]
  /// Value targets: old value + advantage (the authors' `val_targ`).
  public var valueTargets: [Double]

  /// Plain memberwise initialiser.
  public init(advantages: [Double], valueTargets: [Double]) {
    self.advantages = advantages
    self.valueTargets = valueTargets
  }
}

/// Generalized advantage estimation (Schulman et al., 2016) over one batch of
/// consecutive steps of a single actor, with terminations and truncations kept
/// apart (DESIGN rule 3).
///
/// For step t: `delta_t = r_t + gamma·V_next(t) − V(s_t)`, where
/// - `V_next(t) = 0` if `terminated[t]` (a true end: nothing follows);
/// - `V_next(t) = truncationValues[t]` if `truncated[t]` (time limit: the value of
///   the episode's final observation, which the policy never acted on);
/// - `V_next(t)` from `batchEnd` at the last step t = N−1 when that step ends no episode;
/// - `V_next(t) = values[t+1]` otherwise.
///
/// Then `A_t = delta_t + gamma·lambda·A_{t+1}`, with the recursion cut at every
/// episode boundary (terminated or truncated) and at the end of the batch.
/// Value targets are `values[t] + A_t`. If a step is both terminated and
/// truncated (Gymnasium allows it), termination wins: no bootstrap.
///
/// The trailing partial episode (the authors drop it from the environment by
/// resetting each iteration) still contributes its steps to training, as in the
/// authors' code; choose its bootstrap with `batchEnd` (the authors' quirk is
/// `.lastStepValue`; the correct one is `.value(V(s_N))`).
///
/// - Parameters:
///   - rewards: r_t (already scaled/clipped as the agent sees them).
///   - values: V(s_t) from the value network before the update.
///   - terminated: the episode really ended at step t.
///   - truncated: the episode was cut by the time limit at step t.
///   - truncationValues: read only where `truncated[t]` and not `terminated[t]` (pass 0 elsewhere).
///   - batchEnd: the bootstrap when the batch ends mid-episode.
///   - gamma: discount, in (0, 1].
///   - lambda: GAE lambda, in [0, 1].
public func generalizedAdvantageEstimates(
  rewards: [Double],
  values: [Double],
  terminated: [Bool],
  truncated: [Bool],
  truncationValues: [Double],
  batchEnd: BatchEndBootstrap,
  gamma: Double,
  lambda: Double
) -> AdvantageEstimates {
  let n = rewards.count
  precondition(
    values.count == n && terminated.count == n && truncated.count == n && truncationValues.count == n,
    "generalizedAdvantageEstimates: all per-step arrays must have the same length")
  var advantages = Array(repeating: 0.0, count: n)
  var next = 0.0  // A_{t+1}
  for t in stride(from: n - 1, through: 0, by: -1) {
    let nextValue: Double
    let cut: Bool
    if terminated[t] {
      nextValue = 0
      cut = true
    } else if truncated[t] {
      nextValue = truncationValues[t]
      cut = true
    } else if t == n - 1 {
      switch batchEnd {
      case .value(let v): nextValue = v
      case .lastStepValue: nextValue = values[t]
      case .zero: nextValue = 0
      }
      cut = true
    } else {
      nextValue = values[t + 1]
      cut = false
    }
    let delta = rewards[t] + gamma * nextValue - values[t]
    let a = cut ? delta : delta + gamma * lambda * next
    advantages[t] = a
    next = a
  }
  return AdvantageEstimates(advantages: advantages, valueTargets: valueTargets(values: values, advantages: advantages))
}

/// Value-network regression targets: `values[t] + advantages[t]` (the authors' `val_targ`,
/// CleanRL's `returns = advantages + values`).
public func valueTargets(values: [Double], advantages: [Double]) -> [Double] {
  precondition(values.count == advantages.count, "valueTargets: arrays must have the same length")
  var targets = advantages
  for t in 0..<targets.count { targets[t] = values[t] + advantages[t] }
  return targets
}

/// Discounted reward-to-go within each episode segment, without bootstrapping:
/// `G_t = r_t + gamma·G_{t+1}`, cut where `episodeEnds[t]` is true and at the end
/// of the batch (the authors' `returns`, used for value-prediction diagnostics
/// against "true" returns).
public func discountedReturns(rewards: [Double], episodeEnds: [Bool], gamma: Double) -> [Double] {
  precondition(rewards.count == episodeEnds.count, "discountedReturns: arrays must have the same length")
  var out = Array(repeating: 0.0, count: rewards.count)
  var next = 0.0
  for t in stride(from: rewards.count - 1, through: 0, by: -1) {
    let g = episodeEnds[t] || t == rewards.count - 1 ? rewards[t] : rewards[t] + gamma * next
    out[t] = g
    next = g
  }
  return out
}
