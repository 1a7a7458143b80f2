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
// Calibrated verdicts (checked by simulation in CalibrationTests):
// - Distributions.swift: `normalCDF`, `normalQuantile`, `studentTCDF`,
//   `studentTQuantile`, `regularizedIncompleteBeta`.
// - Welch.swift: `CellSummary`, `TInterval`, `oneSampleTInterval`,
//   `welchInterval(coefficients:cells:constant:level:)` (Welch–Satterthwaite df).
// - Contrasts.swift: `LinearContrast`; how `left − right` splits into linear
//   atoms and abs/max/min/+/−/×constant over them (interval arithmetic).
// - Verdicts.swift: `CalibratedClaim` (prepare once, `judge` many times),
//   `judgeCalibrated`, `CalibratedJudgement`, `CalibratedMethod`,
//   `NotJudgedReason`, and `minimumRunsPerCell` with the figures behind it.
// - NoiseFloor.swift: `noiseFloor(of:cells:...)`, the median and 95th
//   percentile of a derived row when all cells have the same true mean.
// - Planner.swift: `planRunsPerCell(for:pilot:...)` (closed form for linear
//   claims, Monte Carlo for composite ones), `simulatedPower`.
// - Sequential.swift: `SequentialDesign` (looks fixed in advance,
//   O'Brien–Fleming-type α spending, Bonferroni over looks), `decide`.
// - Family.swift: a report's lines as one family: `holmStepDown` (Holm over
//   nested tests, no p-values needed), `familyVerdicts` (each direction
//   separately), `everyTaskVerdict` (intersection–union for "on every task").
// - BrunnerMunzel.swift: `brunnerMunzel(_:_:level:)`, the interval of
//   P(X > Y) + ½P(X = Y) beside Welch (Hsu's degrees of freedom), calibrated
//   on RL-shaped data in RLShapedCalibrationTests.
// - Dominance.swift: `DominanceClaim`, ACLI > AAI reproduced through
//   dominating contrasts fixed in advance (intersection–union, no correction).
// - Sampling.swift: the gamma and normal-cell-summary draws the simulations use.
//
// Determinism: all randomness comes from a `Xoshiro256` that is passed in or
// built from a seed and a stream name (a `Bootstrap`'s, the noise floor's, the planner's);
// sums run left to right; dictionaries are only looked up, never iterated, so
// no hash order reaches a result. The same inputs and seed give the same bits.
