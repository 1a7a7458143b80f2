// NeuralNet: the networks of the harness: a dense MLP with one flat parameter
// vector, a diagonal-Gaussian policy head, Adam, gradient clipping and the
// PyTorch-style initialisers. All unsafe buffers and SIMD live in this module.
//
// Everything is generic over `NNScalar` (`Float` or `Double`) and `@inlinable`,
// so client modules get code specialised to the concrete scalar (an
// unspecialised generic SIMD kernel is ~100× slower). Tests check gradients in
// `Double` and that `Float` agrees with `Double`.
//
// ## Float or Double: Float (by measurement)
//
// `swift test -c release --scratch-path .build-nn --filter NeuralNetTests.BenchmarkTests`
// (or run the built `ReproPackageTests.xctest NeuralNetTests.BenchmarkTests/testBenchmarkPrints`),
// 11-64-64-3 MLP, minibatch 64, release build, default x86-64 target (SSE2,
// no FMA), AMD EPYC VM with 2 vCPUs shared with other jobs, 2026-11-22, commit
// after 72997f8. Median (min) µs per pass, in a quiet moment:
//
//   | pass                              | Float        | Double        |
//   |-----------------------------------|--------------|---------------|
//   | tanh forward + backward           | 65.7 (65.2)  | 178.9 (177.7) |
//   | relu forward + backward           | 60.8 (60.4)  | 119.2 (118.2) |
//   | tanh forward                      | 25.8 (25.5)  | 97.7 (97.1)   |
//   | tanh backward (param. gradients)  | 39.3 (39.1)  | 103.3 (76.8)  |
//   | tanh predict (one sample)         | 0.7 (0.6)    | 2.9 (2.8)     |
//
// While a PyTorch job shared the machine the same passes took up to 2× longer
// (Float tanh forward + backward 83-126 µs, Double 240-370 µs); the ratio
// stayed the same. Float wins 2× on the matrix products (8 lanes per 32-byte
// vector against 4) and 2.7× with tanh,
// because `Float` uses the vectorised rational `Float.fastTanh` while `Double`
// calls libm's `tanh` per value (accurate reference). Float is also what the
// authors' PyTorch code computed in. A PPO Hopper run (488 iterations × ~640
// minibatch passes) spends about 312 000 × 66 µs ≈ 21 s in them. So the
// production scalar is `Float`
// (`NetScalar`); `Double` is the reference precision for tests. Quantities
// that need more precision (conjugate gradient, statistics) can be carried in
// `Double` by the caller on copies of the flat vectors.
//
// ## Determinism
//
// No threads, no FMA (the default x86-64 target has none and Swift does not
// contract), fixed summation orders, no libm in the `Float` network arithmetic
// (only in `exp`/`log` of the Gaussian and in initialisation): same seed, same
// binary, same bits, on any x86-64 machine.

/// The scalar the harness trains in (see the measurements above).
public typealias NetScalar = Float
