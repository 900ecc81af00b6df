/*
 * The int8 inference chain of a quantised ELM, for a few rows at a time, with its int8 weights resident in linear
 * memory (see src/numeric/wasm/plan-int8.ts for the layouts). Per row:
 *
 *   1. x (f32) → uint8 per row, affine: x ≈ lo + s·q (the row minimum maps to 0, so it is skipped). Done in f64
 *      exactly as quantizeRowU8 in src/strategies/quantize/int8.ts, so q is bit-identical to the JS path.
 *   2. acc = q·Wq in int32. Input rows are paired and interleaved per hidden unit: pair p is one contiguous run of
 *      lp × 2 int8 ([w(2p,j), w(2p+1,j)] for every unit j). A pair of inputs is splatted as two int16 lanes;
 *      v128.load8x8_s widens 4 units' int8 pairs to i16x8 and i32x4.dot_i16x8_s adds both products (|255·127| <
 *      2^15, so the int16 operands are exact). Pairs whose inputs are both zero are skipped through a list built
 *      once per row; four listed pairs are swept together over an int32 accumulator of ≤ CH units (L1-resident),
 *      so each accumulator vector is loaded and stored once per four pairs while the weights stream contiguously.
 *      (Measured on MNIST L=4096: 33 µs for this sweep against 48 µs for 32-unit blocks with the accumulators in
 *      registers, whose weight reads jump by a cache line per pair, and 62 µs for the f32 AXPY sweep of dense.c.)
 *   3. h = act(s·ws_j·acc_j + lo·cs_j + b_j) in f32 (per-unit dequantisation folded into the block's epilogue, then
 *      the vector activations of act.c).
 *   4. h → int8 per row, symmetric (floor(h·127/max|h| + 0.5), as Math.round), kept as i16 for the dot products.
 *   5. out_c = (max|h|/127)·βs_c·Σ_j hq_j·βq_cj: βq stays int8 in memory (load8x8_s), int32 accumulation.
 */
#include "common.h"

#define CH 4096 /* hidden units per accumulator chunk: 16 KB of int32 */

/* Quantise one row to uint8 like quantizeRowU8; returns the number of non-zero input pairs listed in idx/sp. */
static int quantize_row(int d, const float *x, unsigned char *q, int *idx, int *sp, float *lo_out,
                        float *scale_out) {
  float lo = x[0], hi = x[0];
  for (int i = 1; i < d; i++) {
    float v = x[i];
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
  }
  double scale = hi > lo ? ((double)hi - (double)lo) / 255.0 : 0.0;
  int n = 0;
  int dp = (d + 1) >> 1;
  *lo_out = lo;
  *scale_out = (float)scale;
  if (scale == 0.0) return 0;
  double inv = 1.0 / scale, dlo = (double)lo;
  for (int i = 0; i < d; i++) q[i] = (unsigned char)__builtin_floor(((double)x[i] - dlo) * inv + 0.5);
  if (d & 1) q[d] = 0;
  for (int p = 0; p < dp; p++) {
    int a = q[2 * p], b = q[2 * p + 1];
    if ((a | b) == 0) continue;
    idx[n] = p;
    sp[n] = a | (b << 16);
    n++;
  }
  return n;
}

#define DOT(w, v, j) wasm_i32x4_dot_i16x8(wasm_i16x8_load8x8((w) + 2 * (j)), v)
#define ACC(j, e) wasm_v128_store(acc + (j), wasm_i32x4_add(wasm_v128_load(acc + (j)), e))

/* h[0..lp) = s·ws·acc + lo·cs + b before the activation, over the listed pairs; acc: CH ints of scratch. */
static void hidden_int8(int lp, int n, const int *idx, const int *sp, const signed char *wq, const float *ws,
                        const float *cs, const float *b, float lo, float s, float *h, int *acc) {
  f32x4 vs = wasm_f32x4_splat(s), vlo = wasm_f32x4_splat(lo);
  long stride = 2L * lp;
  for (int j0 = 0; j0 < lp; j0 += CH) {
    int nb = imin(CH, lp - j0);
    const signed char *base = wq + 2L * j0;
    for (int j = 0; j < nb; j += 4) wasm_v128_store(acc + j, wasm_i32x4_splat(0));
    int t = 0;
    for (; t + 3 < n; t += 4) {
      v128_t v0 = wasm_i32x4_splat(sp[t]), v1 = wasm_i32x4_splat(sp[t + 1]);
      v128_t v2 = wasm_i32x4_splat(sp[t + 2]), v3 = wasm_i32x4_splat(sp[t + 3]);
      const signed char *w0 = base + idx[t] * stride, *w1 = base + idx[t + 1] * stride;
      const signed char *w2 = base + idx[t + 2] * stride, *w3 = base + idx[t + 3] * stride;
      for (int j = 0; j < nb; j += 4) {
        v128_t a = wasm_i32x4_add(DOT(w0, v0, j), DOT(w1, v1, j));
        v128_t c = wasm_i32x4_add(DOT(w2, v2, j), DOT(w3, v3, j));
        ACC(j, wasm_i32x4_add(a, c));
      }
    }
    for (; t + 1 < n; t += 2) {
      v128_t v0 = wasm_i32x4_splat(sp[t]), v1 = wasm_i32x4_splat(sp[t + 1]);
      const signed char *w0 = base + idx[t] * stride, *w1 = base + idx[t + 1] * stride;
      for (int j = 0; j < nb; j += 8) {
        ACC(j, wasm_i32x4_add(DOT(w0, v0, j), DOT(w1, v1, j)));
        ACC(j + 4, wasm_i32x4_add(DOT(w0, v0, j + 4), DOT(w1, v1, j + 4)));
      }
    }
    for (; t < n; t++) {
      v128_t v0 = wasm_i32x4_splat(sp[t]);
      const signed char *w0 = base + idx[t] * stride;
      for (int j = 0; j < nb; j += 8) {
        ACC(j, DOT(w0, v0, j));
        ACC(j + 4, DOT(w0, v0, j + 4));
      }
    }
    for (int k = 0; k < nb; k += 4) {
      int j = j0 + k;
      f32x4 a = wasm_f32x4_convert_i32x4(wasm_v128_load(acc + k));
      f32x4 r = wasm_f32x4_mul(wasm_f32x4_mul(vs, wasm_v128_load(ws + j)), a);
      r = wasm_f32x4_add(wasm_f32x4_add(r, wasm_f32x4_mul(vlo, wasm_v128_load(cs + j))), wasm_v128_load(b + j));
      wasm_v128_store(h + j, r);
    }
  }
}

/* hq (i16, lp) = round(h·127/max|h|); returns max|h|/127 (0 for an all-zero h). Padding of h is zero. */
static float quantize_hidden(int lp, const float *h, short *hq) {
  f32x4 mx = wasm_f32x4_splat(0);
  for (int j = 0; j < lp; j += 4) mx = wasm_f32x4_max(mx, wasm_f32x4_abs(wasm_v128_load(h + j)));
  float m = wasm_f32x4_extract_lane(mx, 0);
  for (int k = 1; k < 4; k++) {
    float v = k == 1 ? wasm_f32x4_extract_lane(mx, 1)
                     : k == 2 ? wasm_f32x4_extract_lane(mx, 2) : wasm_f32x4_extract_lane(mx, 3);
    m = v > m ? v : m;
  }
  if (m == 0.0f) {
    for (int j = 0; j < lp; j += 8) wasm_v128_store(hq + j, wasm_i16x8_splat(0));
    return 0.0f;
  }
  f32x4 inv = wasm_f32x4_splat((float)(127.0 / (double)m)), half = wasm_f32x4_splat(0.5f);
  for (int j = 0; j < lp; j += 8) {
    v128_t a = wasm_i32x4_trunc_sat_f32x4(
        wasm_f32x4_floor(wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(h + j), inv), half)));
    v128_t c = wasm_i32x4_trunc_sat_f32x4(
        wasm_f32x4_floor(wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(h + j + 4), inv), half)));
    wasm_v128_store(hq + j, wasm_i16x8_narrow_i32x4(a, c));
  }
  return (float)((double)m / 127.0);
}

/* out[c] = sh·βs_c·Σ_j hq_j·βq[c·lp + j], int32 accumulation; βq int8, widened by the load. */
static void output_int8(int lp, int m, const short *hq, const signed char *bq, const float *bs, float sh, float *out) {
  for (int c = 0; c < m; c++) {
    const signed char *bt = bq + (long)c * lp;
    v128_t s0 = wasm_i32x4_splat(0), s1 = s0, s2 = s0, s3 = s0;
    for (int j = 0; j < lp; j += 32) {
      s0 = wasm_i32x4_add(s0, wasm_i32x4_dot_i16x8(wasm_v128_load(hq + j), wasm_i16x8_load8x8(bt + j)));
      s1 = wasm_i32x4_add(s1, wasm_i32x4_dot_i16x8(wasm_v128_load(hq + j + 8), wasm_i16x8_load8x8(bt + j + 8)));
      s2 = wasm_i32x4_add(s2, wasm_i32x4_dot_i16x8(wasm_v128_load(hq + j + 16), wasm_i16x8_load8x8(bt + j + 16)));
      s3 = wasm_i32x4_add(s3, wasm_i32x4_dot_i16x8(wasm_v128_load(hq + j + 24), wasm_i16x8_load8x8(bt + j + 24)));
    }
    s0 = wasm_i32x4_add(wasm_i32x4_add(s0, s1), wasm_i32x4_add(s2, s3));
    int sum = wasm_i32x4_extract_lane(s0, 0) + wasm_i32x4_extract_lane(s0, 1) + wasm_i32x4_extract_lane(s0, 2) +
              wasm_i32x4_extract_lane(s0, 3);
    out[c] = sh * bs[c] * (float)sum;
  }
}

/*
 * rows × d inputs (f32) → rows × m outputs, l hidden units padded to lp (a multiple of 32).
 * wq: pair-interleaved int8 (dp pairs × lp units × 2); ws, cs, b: lp floats (zero padded); bq: m × lp int8;
 * bs: m floats. scratch (the TS plan sizes it): 2·dp bytes of q (rounded to 64), dp16 ints of idx, dp16 ints of sp
 * (dp16 = dp rounded to 16), min(lp, CH) ints of acc, lp floats of h, lp shorts of hq.
 */
EXPORT void int8_rows(int rows, int d, int l, int lp, int m, int act, const float *x, const signed char *wq,
                      const float *wscale, const float *cs, const float *b, const signed char *bq, const float *bs,
                      unsigned char *scratch, float *out) {
  int dp = (d + 1) >> 1;
  int qbytes = (2 * dp + 63) & ~63;
  unsigned char *q = scratch;
  int *idx = (int *)(scratch + qbytes);
  int *sp = idx + ((dp + 15) & ~15);
  int *acc = sp + ((dp + 15) & ~15);
  float *h = (float *)(acc + imin(lp, CH));
  short *hq = (short *)(h + lp);
  for (int r = 0; r < rows; r++) {
    float lo, s;
    int n = quantize_row(d, x + (long)r * d, q, idx, sp, &lo, &s);
    hidden_int8(lp, n, idx, sp, wq, wscale, cs, b, lo, s, h, acc);
    act_apply_v(act, h, l);
    for (int j = l; j < lp; j++) h[j] = 0.0f; /* padding: zero, whatever act(0) is */
    float sh = quantize_hidden(lp, h, hq);
    output_int8(lp, m, hq, bq, bs, sh, out + (long)r * m);
  }
}
