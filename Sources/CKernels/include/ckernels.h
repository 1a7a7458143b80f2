#ifndef REPRO_CKERNELS_H
#define REPRO_CKERNELS_H
// Dense-layer kernels in Float for NeuralNet, compiled for several x86-64
// levels (AVX-512F, AVX2, baseline) and chosen at load time: the widest the CPU
// has, or the one the environment variable REPRO_KERNELS names. Every
// version runs the same operations in the same order on each output element
// (vector lanes are outputs; sums run over inputs or samples in index order;
// no fused multiply-add), so all give the same bits as each other and as
// NeuralNet's Swift kernels (Kernels.swift), which stay the reference for Double.

/// y[b, j] = (accumulate ? y[b, j] : (bias ? bias[j] : 0)) + sum_k x[b, k] * w[k, j].
void repro_dense_forward_f32(const float *x, long batch, long nIn, const float *w, const float *bias, long nOut,
                             float *y, int accumulate);

/// dW[k, j] += sum_b x[b, k] * dz[b, j]; db[j] += sum_b dz[b, j] when db is not null.
void repro_dense_backward_weights_f32(const float *x, const float *dz, long batch, long nIn, long nOut, float *dW,
                                      float *db);

/// a = fastTanh(a) in place (NeuralNet's Float.fastTanh, lane by lane).
void repro_tanh_f32(float *a, long count);

/// g = g * (1 - a * a) in place.
void repro_tanh_gradient_f32(float *g, const float *a, long count);

/// One Adam step in place (NeuralNet's Adam.update), constants = {beta1, 1 - beta1,
/// beta2, 1 - beta2, sqrt(bias correction 2), epsilon, step size} in float.
void repro_adam_f32(float *p, const float *g, float *m, float *v, long n, const float *constants);

/// Which version runs: "avx512f", "avx2" or "baseline".
const char *repro_kernel_level(void);

/// Runs the named version from now on; returns 0 (and changes nothing) when the
/// name is unknown or the CPU lacks it. Not thread-safe: for tests and benchmarks.
int repro_kernel_select(const char *level);
#endif
