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
// `swift test -c release --scratch-path .build-nn --filter NeuralNetTests.BenchmarkTests`,
// 11-64-64-3 tanh MLP, minibatch 64, forward + backward (parameter gradients),
// release build, default x86-64 target (SSE2, no FMA), AMD EPYC VM with 2
// vCPUs shared with other jobs (load 3-5 during the runs), 2026-11-22. Median
// (min) µs per pass, steady over four runs:
//
//   | pass                          | Float          | Double         |
//   |-------------------------------|----------------|----------------|
//   | tanh forward + backward       | 126 (125)      | 366 (343)      |
//   | relu forward + backward       | 122 (120)      | 240 (218)      |
//   | tanh forward                  | 46 (46)        | 200 (174)      |
//   | tanh backward                 | 80 (59)        | 159 (137)      |
//   | tanh predict (one sample)     | 0.5 (0.5)      | 3.9 (1.8)      |
//
// In quieter moments of the same machine the Float numbers were about half of
// these (forward 26-27 µs, forward + backward 70-82 µs): the machine was
// shared with a PyTorch run for most measurements. Float wins 1.8× on the
// matrix products (8 lanes per 32-byte vector against 4) and ~4× with tanh,
// because `Float` uses the vectorised rational `Float.fastTanh` while `Double`
// calls libm's `tanh` per value (accurate reference). Float is also what the
// authors' PyTorch code computed in. So the production scalar is `Float`
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
