// The kernels' bodies, included by kernels.c once per x86-64 level with LEVEL
// set (and the level's target attribute applied to every function); NAME(f)
// gives each copy its own names. Not a public header.
//
// Every output element is computed by the same operations in the same order
// in every copy and on every path (tile shape, tail, padding): a sum starts
// from its initial value and adds the products in increasing index order. Tiles
// only decide how many independent sums are in flight at once (enough to hide
// the adder's latency), never the order within one.

#pragma clang fp contract(off)

#define NAME(f) NAME2(f, LEVEL)
#define NAME2(f, l) NAME3(f, l)
#define NAME3(f, l) repro_##f##_##l
#define INLINE static inline __attribute__((always_inline))

// R rows x C blocks of 16 outputs: y[r, c*16 + i] for i < lanes (16 except for a
// padded tail), from w with row stride ldw and y with row stride ldy.
INLINE void NAME(forward_tile)(const float *x, long nIn, const float *w, long ldw, const float *bias, float *y,
                               long ldy, int accumulate, const int R, const int C, const int lanes) {
  v16 acc[4][4];
  for (int r = 0; r < R; r++)
    for (int c = 0; c < C; c++) {
      if (accumulate) {
        if (lanes == L) acc[r][c] = load16(y + r * ldy + c * L);
        else { float t[L] = {0}; for (int i = 0; i < lanes; i++) t[i] = y[r * ldy + c * L + i]; acc[r][c] = load16(t); }
      } else acc[r][c] = bias ? load16(bias + c * L) : (v16){0};
    }
  for (long k = 0; k < nIn; k++) {
    v16 wv[4];
    for (int c = 0; c < C; c++) wv[c] = load16(w + k * ldw + c * L);
    for (int r = 0; r < R; r++) {
      const v16 xs = splat(x[r * nIn + k]);
      for (int c = 0; c < C; c++) acc[r][c] = acc[r][c] + xs * wv[c];
    }
  }
  for (int r = 0; r < R; r++)
    for (int c = 0; c < C; c++) {
      if (lanes == L) store16(y + r * ldy + c * L, acc[r][c]);
      else { float t[L]; store16(t, acc[r][c]); for (int i = 0; i < lanes; i++) y[r * ldy + c * L + i] = t[i]; }
    }
}

// One output column j by scalar sums, rows [b0, batch).
INLINE void NAME(forward_column)(const float *x, long b0, long batch, long nIn, const float *w, const float *bias,
                                 long nOut, long j, float *y, int accumulate) {
  for (long b = b0; b < batch; b++) {
    const float *x0 = x + b * nIn;
    float s = accumulate ? y[b * nOut + j] : (bias ? bias[j] : 0);
    for (long k = 0; k < nIn; k++) s = s + x0[k] * w[k * nOut + j];
    y[b * nOut + j] = s;
  }
}

static void NAME(dense_forward)(const float *x, long batch, long nIn, const float *w, const float *bias, long nOut,
                                float *y, int accumulate) {
  const long blocks = nOut / L, tiled = batch & ~3L;
  // Four rows at a time over whole blocks (BLOCKS of them per tile).
  if (tiled) {
    long c = 0;
    for (; c + BLOCKS <= blocks; c += BLOCKS)
      for (long b = 0; b < tiled; b += 4)
        NAME(forward_tile)(x + b * nIn, nIn, w + c * L, nOut, bias ? bias + c * L : 0, y + b * nOut + c * L, nOut,
                           accumulate, 4, BLOCKS, L);
    for (; c < blocks; c++)
      for (long b = 0; b < tiled; b += 4)
        NAME(forward_tile)(x + b * nIn, nIn, w + c * L, nOut, bias ? bias + c * L : 0, y + b * nOut + c * L, nOut,
                           accumulate, 4, 1, L);
  }
  // Remaining rows (all of them for a single sample) one at a time, up to four blocks at once.
  for (long b = tiled; b < batch; b++) {
    long c = 0;
    for (; c + 4 <= blocks; c += 4)
      NAME(forward_tile)(x + b * nIn, nIn, w + c * L, nOut, bias ? bias + c * L : 0, y + b * nOut + c * L, nOut,
                         accumulate, 1, 4, L);
    for (; c < blocks; c++)
      NAME(forward_tile)(x + b * nIn, nIn, w + c * L, nOut, bias ? bias + c * L : 0, y + b * nOut + c * L, nOut,
                         accumulate, 1, 1, L);
  }
  // The last nOut % 16 columns: for tiled rows through a zero-padded copy of
  // their weights (16 lanes, only the real ones stored), otherwise scalar.
  const long j0 = blocks * L, t = nOut - j0;
  if (t == 0) return;
  long scalarFrom = 0;
  if (tiled && nIn <= 1024) {
    float wpad[nIn * L] __attribute__((aligned(64)));
    float bpad[L] = {0};
    for (long k = 0; k < nIn; k++)
      for (long i = 0; i < L; i++) wpad[k * L + i] = i < t ? w[k * nOut + j0 + i] : 0;
    if (bias) for (long i = 0; i < t; i++) bpad[i] = bias[j0 + i];
    for (long b = 0; b < tiled; b += 4)
      NAME(forward_tile)(x + b * nIn, nIn, wpad, L, bias ? bpad : 0, y + b * nOut + j0, nOut, accumulate, 4, 1, (int)t);
    scalarFrom = tiled;
  }
  for (long j = j0; j < nOut; j++) NAME(forward_column)(x, scalarFrom, batch, nIn, w, bias, nOut, j, y, accumulate);
}

// K inputs x C blocks of 16 outputs: dW[k, c*16 + i] += sum_b x[b, k] dz[b, c*16 + i].
INLINE void NAME(backward_tile)(const float *x, const float *dz, long batch, long nIn, long nOut, float *dW,
                                const int K, const int C) {
  v16 acc[4][4];
  for (int k = 0; k < K; k++)
    for (int c = 0; c < C; c++) acc[k][c] = (v16){0};
  for (long b = 0; b < batch; b++) {
    v16 d[4];
    for (int c = 0; c < C; c++) d[c] = load16(dz + b * nOut + c * L);
    for (int k = 0; k < K; k++) {
      const v16 xs = splat(x[b * nIn + k]);
      for (int c = 0; c < C; c++) acc[k][c] = acc[k][c] + xs * d[c];
    }
  }
  for (int k = 0; k < K; k++)
    for (int c = 0; c < C; c++) store16(dW + k * nOut + c * L, load16(dW + k * nOut + c * L) + acc[k][c]);
}

// One output column j: dW[k, j] += sum_b x[b, k] dz[b, j] for C blocks of 16
// inputs at once (lanes are inputs: rows of x are contiguous).
INLINE void NAME(backward_column_tile)(const float *x, const float *dz, long batch, long nIn, long nOut, long j,
                                       float *dW, const int C) {
  v16 acc[4];
  for (int c = 0; c < C; c++) acc[c] = (v16){0};
  for (long b = 0; b < batch; b++) {
    const v16 ds = splat(dz[b * nOut + j]);
    for (int c = 0; c < C; c++) acc[c] = acc[c] + load16(x + b * nIn + c * L) * ds;
  }
  for (int c = 0; c < C; c++) {
    float s[L];
    store16(s, acc[c]);
    for (int i = 0; i < L; i++) dW[(c * L + i) * nOut + j] = dW[(c * L + i) * nOut + j] + s[i];
  }
}

static void NAME(dense_backward_weights)(const float *x, const float *dz, long batch, long nIn, long nOut, float *dW,
                                         float *db) {
  const long blocks = nOut / L;
  long c = 0;
  for (; c + BLOCKS <= blocks; c += BLOCKS) {
    long k = 0;
    for (; k + 4 <= nIn; k += 4) NAME(backward_tile)(x + k, dz + c * L, batch, nIn, nOut, dW + k * nOut + c * L, 4, BLOCKS);
    for (; k < nIn; k++) NAME(backward_tile)(x + k, dz + c * L, batch, nIn, nOut, dW + k * nOut + c * L, 1, BLOCKS);
  }
  for (; c < blocks; c++) {
    long k = 0;
    for (; k + 4 <= nIn; k += 4) NAME(backward_tile)(x + k, dz + c * L, batch, nIn, nOut, dW + k * nOut + c * L, 4, 1);
    for (; k < nIn; k++) NAME(backward_tile)(x + k, dz + c * L, batch, nIn, nOut, dW + k * nOut + c * L, 1, 1);
  }
  for (long j = blocks * L; j < nOut; j++) {
    long k = 0;
    for (; k + 4 * L <= nIn; k += 4 * L) NAME(backward_column_tile)(x + k, dz, batch, nIn, nOut, j, dW + k * nOut, 4);
    for (; k + L <= nIn; k += L) NAME(backward_column_tile)(x + k, dz, batch, nIn, nOut, j, dW + k * nOut, 1);
    for (; k < nIn; k++) {
      float s = 0;
      for (long b = 0; b < batch; b++) s = s + x[b * nIn + k] * dz[b * nOut + j];
      dW[k * nOut + j] = dW[k * nOut + j] + s;
    }
  }
  if (db) {
    for (c = 0; c < blocks; c++) {
      v16 a = {0};
      for (long b = 0; b < batch; b++) a = a + load16(dz + b * nOut + c * L);
      store16(db + c * L, load16(db + c * L) + a);
    }
    for (long j = blocks * L; j < nOut; j++) {
      float s = 0;
      for (long b = 0; b < batch; b++) s = s + dz[b * nOut + j];
      db[j] = db[j] + s;
    }
  }
}

// NeuralNet's Float.fastTanh: the odd 13/6 rational minimax approximation,
// input clamped to +-7.90531110763549805; the same constants, rounded to float.
INLINE float NAME(fast_tanh)(float x) {
  if (x > 7.90531110763549805f) x = 7.90531110763549805f;
  if (x < -7.90531110763549805f) x = -7.90531110763549805f;
  const float x2 = x * x;
  float p = -2.76076847742355e-16f;
  p = p * x2 + 2.00018790482477e-13f;
  p = p * x2 + -8.60467152213735e-11f;
  p = p * x2 + 5.12229709037114e-08f;
  p = p * x2 + 1.48572235717979e-05f;
  p = p * x2 + 6.37261928875436e-04f;
  p = p * x2 + 4.89352455891786e-03f;
  p = p * x;
  float q = 1.19825839466702e-06f;
  q = q * x2 + 1.18534705686654e-04f;
  q = q * x2 + 2.26843463243900e-03f;
  q = q * x2 + 4.89352518554385e-03f;
  return p / q;
}

static void NAME(tanh)(float *a, long count) {
  for (long i = 0; i < count; i++) a[i] = NAME(fast_tanh)(a[i]);
}

static void NAME(tanh_gradient)(float *g, const float *a, long count) {
  for (long i = 0; i < count; i++) g[i] = g[i] * (1.0f - a[i] * a[i]);
}

// NeuralNet's Adam.update in Float, element by element.
static void NAME(adam)(float *p, const float *g, float *m, float *v, long n, const float *k) {
  const float b1 = k[0], c1 = k[1], b2 = k[2], c2 = k[3], bc2Sqrt = k[4], eps = k[5], stepSize = k[6];
  long i = 0;
  for (; i + L <= n; i += L) {
    const v16 gi = load16(g + i);
    const v16 mi = splat(b1) * load16(m + i) + splat(c1) * gi;
    const v16 vi = splat(b2) * load16(v + i) + splat(c2) * gi * gi;
    store16(m + i, mi);
    store16(v + i, vi);
    const v16 denom = __builtin_elementwise_sqrt(vi) / splat(bc2Sqrt) + splat(eps);
    store16(p + i, load16(p + i) - splat(stepSize) * (mi / denom));
  }
  for (; i < n; i++) {
    const float gi = g[i];
    const float mi = b1 * m[i] + c1 * gi;
    const float vi = b2 * v[i] + c2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    const float denom = __builtin_elementwise_sqrt(vi) / bc2Sqrt + eps;
    p[i] = p[i] - stepSize * (mi / denom);
  }
}

#undef INLINE
#undef NAME
#undef NAME2
#undef NAME3
