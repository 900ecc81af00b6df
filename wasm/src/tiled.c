/*
 * The inference chain out = act(x·W + b)·β for any number of rows, with W stored tile-major: hidden units in tiles of
 * HT, tile t holding d rows of HT weights (W[k, t·HT .. t·HT+HT) for every input k, contiguous). Each row keeps one
 * tile of hidden units in 8 vector registers while it sweeps its non-zero inputs (MNIST rows are ~80 % zeros), so the
 * hidden layer never goes to memory; the activation and that tile's share of the output are applied in registers.
 *
 * Why tile-major and tile-outermost: a batch of rows walks one tile (d·HT·4 bytes, 100 KB for MNIST) before the next,
 * so the tile stays in L2 across the batch and each weight is fetched from memory once per batch instead of once per
 * row. The packed GEMM reuses weights as well but cannot skip zero inputs; the per-row AXPY skips zeros but streams
 * the weights of every non-zero input once per row and loads and stores the hidden layer for each.
 */
#include "act.h"


#define HT 32 /* hidden units per tile: 8 accumulators */

/* The non-zero inputs of each row as (index, value) lists: row r's list starts at r·d; cnt[r] is its length. */
static void gather_nonzero(int rows, int d, const float *x, int *idx, float *val, int *cnt) {
  for (int r = 0; r < rows; r++) {
    const float *xr = x + (long)r * d;
    int *ir = idx + (long)r * d;
    float *vr = val + (long)r * d;
    int n = 0;
    for (int k = 0; k < d; k++) {
      float v = xr[k];
      if (v != 0.0f) {
        ir[n] = k;
        vr[n] = v;
        n++;
      }
    }
    cnt[r] = n;
  }
}

/* Horizontal sum of the four lanes. */
INLINE float hsum(f32x4 s) {
  return wasm_f32x4_extract_lane(s, 0) + wasm_f32x4_extract_lane(s, 1) + wasm_f32x4_extract_lane(s, 2) +
         wasm_f32x4_extract_lane(s, 3);
}

/* Store the 8 accumulators of one tile row to h (32 floats). */
#define STORE8(h)                                                                                                 \
  wasm_v128_store((h), a0), wasm_v128_store((h) + 4, a1), wasm_v128_store((h) + 8, a2),                          \
      wasm_v128_store((h) + 12, a3), wasm_v128_store((h) + 16, a4), wasm_v128_store((h) + 20, a5),               \
      wasm_v128_store((h) + 24, a6), wasm_v128_store((h) + 28, a7)
#define LOAD8(h)                                                                                                  \
  a0 = wasm_v128_load(h), a1 = wasm_v128_load((h) + 4), a2 = wasm_v128_load((h) + 8),                            \
  a3 = wasm_v128_load((h) + 12), a4 = wasm_v128_load((h) + 16), a5 = wasm_v128_load((h) + 20),                   \
  a6 = wasm_v128_load((h) + 24), a7 = wasm_v128_load((h) + 28)

/*
 * h[0..HT) += Σ_q vr[q]·tile[ir[q]·HT ..], over the row's non-zero inputs in [q0, the first index ≥ k1). A function of
 * its own (not inlined) so V8's register allocator sees only this loop: inside the big kernel it spilled the
 * accumulators and ran 3× slower. Returns where it stopped.
 */
static __attribute__((noinline)) int sweep(const int *ir, const float *vr, int q, int n, int k1, const float *tile,
                                           float *h) {
  f32x4 a0, a1, a2, a3, a4, a5, a6, a7;
  LOAD8(h);
  for (; q < n && ir[q] < k1; q++) {
    const float *w = tile + ir[q] * HT;
    const f32x4 v = wasm_f32x4_splat(vr[q]);
    a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(v, wasm_v128_load(w)));
    a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(v, wasm_v128_load(w + 4)));
    a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(v, wasm_v128_load(w + 8)));
    a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(v, wasm_v128_load(w + 12)));
    a4 = wasm_f32x4_add(a4, wasm_f32x4_mul(v, wasm_v128_load(w + 16)));
    a5 = wasm_f32x4_add(a5, wasm_f32x4_mul(v, wasm_v128_load(w + 20)));
    a6 = wasm_f32x4_add(a6, wasm_f32x4_mul(v, wasm_v128_load(w + 24)));
    a7 = wasm_f32x4_add(a7, wasm_f32x4_mul(v, wasm_v128_load(w + 28)));
  }
  STORE8(h);
  return q;
}

/*
 * Read n floats front to back and fold them into one word. A batch's sweeps visit a weight block in the scattered
 * order of each row's non-zero inputs, which the hardware prefetcher cannot follow, so a cold block costs a memory
 * latency per line; one sequential pass first streams it into L1/L2 at full bandwidth (wasm has no prefetch).
 */
static __attribute__((noinline)) int touch(const float *p, int n) {
  v128_t acc = wasm_i32x4_splat(0);
  for (int i = 0; i < n; i += 16) acc = wasm_v128_or(acc, wasm_v128_load(p + i));
  return wasm_i32x4_extract_lane(acc, 0);
}

static volatile int touched;

/*
 * rows×m outputs from rows×d inputs. wt: tile-major W (lt/HT tiles of d×HT), b (lt), betaT (m×lt); lt = L rounded
 * up to HT, padding zero in wt, b and betaT. Inputs are taken kc at a time within a tile, so the kc×HT block of
 * weights a batch of rows shares stays in L1 (a whole MNIST tile, 100 KB, does not). Scratch: idx and val rows×d
 * each, cnt and cur rows each, hacc rows×HT and part rows×m×4 floats.
 */
EXPORT void dense_tiled(int rows, int d, int lt, int m, int kc, const float *x, const float *wt, const float *b,
                        const float *betaT, int act, int *idx, float *val, int *cnt, int *cur, float *hacc,
                        float *part, float *out) {
  gather_nonzero(rows, d, x, idx, val, cnt);
  for (long i = 0; i < (long)rows * m * 4; i += 4) wasm_v128_store(part + i, wasm_f32x4_splat(0.0f));
  for (int t = 0; t < lt; t += HT) {
    const float *tile = wt + (long)t * d;
    for (int r = 0; r < rows; r++) cur[r] = 0;
    for (int k0 = 0; k0 < d; k0 += kc) {
      const int k1 = imin(d, k0 + kc);
      const int last = k1 == d;
      if (rows >= 4) touched = touch(tile + (long)k0 * HT, (k1 - k0) * HT);
      for (int r = 0; r < rows; r++) {
        float *h = hacc + (long)r * HT;
        if (k0 == 0)
          for (int j = 0; j < HT; j += 4) wasm_v128_store(h + j, wasm_v128_load(b + t + j));
        cur[r] = sweep(idx + (long)r * d, val + (long)r * d, cur[r], cnt[r], k1, tile, h);
        if (!last) continue;
        /* The activation runs out of line over h: inlined, its constants would crowd the accumulators out of the
         * 16 registers V8 allocates and the sweep above would spill. */
        act_apply_v(act, h, HT);
        f32x4 a0, a1, a2, a3, a4, a5, a6, a7;
        LOAD8(h);
        float *pr = part + (long)r * m * 4;
        for (int c = 0; c < m; c++) {
          const float *bt = betaT + (long)c * lt + t;
          f32x4 s = wasm_f32x4_mul(a0, wasm_v128_load(bt));
          s = wasm_f32x4_add(s, wasm_f32x4_mul(a1, wasm_v128_load(bt + 4)));
          s = wasm_f32x4_add(s, wasm_f32x4_mul(a2, wasm_v128_load(bt + 8)));
          s = wasm_f32x4_add(s, wasm_f32x4_mul(a3, wasm_v128_load(bt + 12)));
          s = wasm_f32x4_add(s, wasm_f32x4_mul(a4, wasm_v128_load(bt + 16)));
          s = wasm_f32x4_add(s, wasm_f32x4_mul(a5, wasm_v128_load(bt + 20)));
          s = wasm_f32x4_add(s, wasm_f32x4_mul(a6, wasm_v128_load(bt + 24)));
          s = wasm_f32x4_add(s, wasm_f32x4_mul(a7, wasm_v128_load(bt + 28)));
          wasm_v128_store(pr + c * 4, wasm_f32x4_add(wasm_v128_load(pr + c * 4), s));
        }
      }
    }
  }
  for (long i = 0; i < (long)rows * m; i++) out[i] = hsum(wasm_v128_load(part + i * 4));
}

/* Non-zero floats among x[0..n): the plan takes the zero-skipping tiled path or the packed GEMM by input density. */
EXPORT int nonzero_count(const float *x, int n) {
  v128_t acc = wasm_i32x4_splat(0);
  int i = 0;
  for (; i + 4 <= n; i += 4) acc = wasm_i32x4_sub(acc, wasm_f32x4_ne(wasm_v128_load(x + i), wasm_f32x4_splat(0.0f)));
  int c = wasm_i32x4_extract_lane(acc, 0) + wasm_i32x4_extract_lane(acc, 1) + wasm_i32x4_extract_lane(acc, 2) +
          wasm_i32x4_extract_lane(acc, 3);
  for (; i < n; i++) c += x[i] != 0.0f;
  return c;
}
