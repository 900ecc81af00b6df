/*
 * The latency path of ELM inference: out = act(x·W + b)·β for a few rows, with W (d×lp, lp = L rounded up to 16),
 * b (lp) and βᵀ (m×lp) resident in linear memory. One row is an AXPY sweep over the rows of W that skips zero inputs
 * (MNIST pixels are mostly zero), then m dot products against βᵀ.
 */
#include "common.h"

/* out (rows×m) = H·β for H rows of length lp, using βᵀ (m×lp): the second half of a batched chain. */
EXPORT void dense_out(int rows, int lp, int m, const float *h, const float *betaT, float *out) {
  for (int r = 0; r < rows; r++) {
    const float *hr = h + (long)r * lp;
    for (int c = 0; c < m; c++) {
      const float *bt = betaT + (long)c * lp;
      f32x4 s0 = wasm_f32x4_splat(0), s1 = s0, s2 = s0, s3 = s0;
      for (int j = 0; j < lp; j += 16) {
        s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(wasm_v128_load(hr + j), wasm_v128_load(bt + j)));
        s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(wasm_v128_load(hr + j + 4), wasm_v128_load(bt + j + 4)));
        s2 = wasm_f32x4_add(s2, wasm_f32x4_mul(wasm_v128_load(hr + j + 8), wasm_v128_load(bt + j + 8)));
        s3 = wasm_f32x4_add(s3, wasm_f32x4_mul(wasm_v128_load(hr + j + 12), wasm_v128_load(bt + j + 12)));
      }
      s0 = wasm_f32x4_add(wasm_f32x4_add(s0, s1), wasm_f32x4_add(s2, s3));
      out[(long)r * m + c] = wasm_f32x4_extract_lane(s0, 0) + wasm_f32x4_extract_lane(s0, 1) +
                             wasm_f32x4_extract_lane(s0, 2) + wasm_f32x4_extract_lane(s0, 3);
    }
  }
}

EXPORT void dense_rows(int rows, int d, int lp, int m, const float *x, const float *w, const float *b,
                       const float *betaT, int act, float *h, float *out) {
  for (int r = 0; r < rows; r++) {
    const float *xr = x + (long)r * d;
    for (int j = 0; j < lp; j += 4) wasm_v128_store(h + j, wasm_v128_load(b + j));
    for (int i = 0; i < d; i++) {
      float xi = xr[i];
      if (xi == 0.0f) continue;
      f32x4 v = wasm_f32x4_splat(xi);
      const float *wr = w + (long)i * lp;
      for (int j = 0; j < lp; j += 16) {
        wasm_v128_store(h + j, wasm_f32x4_add(wasm_v128_load(h + j), wasm_f32x4_mul(v, wasm_v128_load(wr + j))));
        wasm_v128_store(h + j + 4,
                        wasm_f32x4_add(wasm_v128_load(h + j + 4), wasm_f32x4_mul(v, wasm_v128_load(wr + j + 4))));
        wasm_v128_store(h + j + 8,
                        wasm_f32x4_add(wasm_v128_load(h + j + 8), wasm_f32x4_mul(v, wasm_v128_load(wr + j + 8))));
        wasm_v128_store(h + j + 12,
                        wasm_f32x4_add(wasm_v128_load(h + j + 12), wasm_f32x4_mul(v, wasm_v128_load(wr + j + 12))));
      }
    }
    act_apply_v(act, h, lp);
    dense_out(1, lp, m, h, betaT, out + (long)r * m);
  }
}
