#include "ckernels.h"

#include <stdlib.h>
#include <string.h>

// No contraction of a * b + c into a fused multiply-add in any version: that
// would change the rounding (and AVX-512F implies FMA).
#pragma clang fp contract(off)

typedef float v16 __attribute__((vector_size(64), aligned(4)));
enum { L = 16 };

// Macros, not functions: a function passing a 64-byte vector would change the
// calling convention between the versions.
#define load16(p) (*(const v16 *)(p))
#define store16(p, v) (*(v16 *)(p) = (v))
#define splat(x) ((v16){0} + (x))

// One copy of the kernels per level: the same source, so the same operations in
// the same order; only the instructions that carry them differ.
// BLOCKS: blocks of 16 outputs per four-row tile; two where there are 32
// vector registers of 16 lanes (AVX-512), one otherwise.
#define LEVEL baseline
#define BLOCKS 1
#include "kernels_impl.h"
#undef LEVEL

#if defined(__x86_64__)
#define HAVE_X86_LEVELS 1
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#define LEVEL avx2
#include "kernels_impl.h"
#undef LEVEL
#pragma clang attribute pop

#pragma clang attribute push(__attribute__((target("avx512f"))), apply_to = function)
#undef BLOCKS
#define BLOCKS 2
#define LEVEL avx512f
#include "kernels_impl.h"
#undef LEVEL
#pragma clang attribute pop
#endif

typedef struct {
  const char *name;
  void (*dense_forward)(const float *, long, long, const float *, const float *, long, float *, int);
  void (*dense_backward_weights)(const float *, const float *, long, long, long, float *, float *);
  void (*tanh)(float *, long);
  void (*tanh_gradient)(float *, const float *, long);
  void (*adam)(float *, const float *, float *, float *, long, const float *);
} kernel_set;

#define SET(l) {#l, repro_dense_forward_##l, repro_dense_backward_weights_##l, repro_tanh_##l, repro_tanh_gradient_##l, repro_adam_##l}
static const kernel_set sets[] = {
#if HAVE_X86_LEVELS
    SET(avx512f), SET(avx2),
#endif
    SET(baseline),
};
enum { SET_COUNT = sizeof(sets) / sizeof(sets[0]) };

static int supported(const kernel_set *s) {
#if HAVE_X86_LEVELS
  __builtin_cpu_init();
  if (strcmp(s->name, "avx512f") == 0) return __builtin_cpu_supports("avx512f");
  if (strcmp(s->name, "avx2") == 0) return __builtin_cpu_supports("avx2");
#endif
  return strcmp(s->name, "baseline") == 0;
}

// The widest level the CPU has, unless REPRO_KERNELS names another it has.
static const kernel_set *current;

__attribute__((constructor)) static void choose(void) {
  for (int i = 0; i < SET_COUNT; i++)
    if (supported(&sets[i])) { current = &sets[i]; break; }
  const char *wanted = getenv("REPRO_KERNELS");
  if (wanted && *wanted) repro_kernel_select(wanted);
}

void repro_dense_forward_f32(const float *x, long batch, long nIn, const float *w, const float *bias, long nOut,
                             float *y, int accumulate) {
  current->dense_forward(x, batch, nIn, w, bias, nOut, y, accumulate);
}

void repro_dense_backward_weights_f32(const float *x, const float *dz, long batch, long nIn, long nOut, float *dW,
                                      float *db) {
  current->dense_backward_weights(x, dz, batch, nIn, nOut, dW, db);
}

void repro_tanh_f32(float *a, long count) { current->tanh(a, count); }

void repro_tanh_gradient_f32(float *g, const float *a, long count) { current->tanh_gradient(g, a, count); }

void repro_adam_f32(float *p, const float *g, float *m, float *v, long n, const float *constants) {
  current->adam(p, g, m, v, n, constants);
}

const char *repro_kernel_level(void) { return current->name; }

int repro_kernel_select(const char *level) {
  for (int i = 0; i < SET_COUNT; i++)
    if (strcmp(sets[i].name, level) == 0 && supported(&sets[i])) {
      current = &sets[i];
      return 1;
    }
  return 0;
}
