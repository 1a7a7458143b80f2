// Statistics: pure, seeded, deterministic functions over arrays of scores.
//
// It knows nothing of training: a "cell" is a name and its per-seed scores.
//
// - Descriptive.swift: `mean`, `sampleVariance`, `sampleStandardDeviation`,
//   `percentile(s)` (linear interpolation between order statistics, numpy's
//   default), `median`, `trimmedMean`, `interquartileMean` (rliable's IQM,
//   `scipy.stats.trim_mean(x, 0.25)`: floor(n/4) dropped from each end).
// - Bootstrap.swift: `Bootstrap`, a percentile bootstrap seeded by a
//   `Xoshiro256` (or a seed and a stream name): CIs of the mean, the IQM,
//   probability of improvement, a derived-row `Formula`, and `judge(_:cells:)`
//   for claims. `BootstrapOptions.paper` is the paper's 1000 resamples, 95%.
// - Formula.swift: the formula language for derived rows such as
//   AAI = `max(abs([PPO] - [TRPO+]), abs([PPO-M] - [TRPO]))`.
// - Claims.swift: `Claim` (`left > right` / `left < right`), `Verdict`.
// - ProbabilityOfImprovement.swift: `probabilityOfImprovement(_:over:)`.
//
// Determinism: all randomness comes from the `Xoshiro256` a `Bootstrap` holds;
// sums run left to right; dictionaries are only looked up, never iterated, so
// no hash order reaches a result. The same inputs and seed give the same bits.
