/*
 * f32 GEMM in the GotoBLAS shape: B packed once into NR-column panels (per KC block of k), A packed per MC×KC
 * block into MR-row panels, a 4×8 register micro-tile. Drivers work on a row range of C so callers can split rows
 * across threads; the Gram driver reads both operands from one packed copy of H and computes only the upper triangle.
 */
#include "common.h"

/* C[MR×NR] (+)= alpha · Σ_p A[p][0..MR) ⊗ B[p][0..NR); A panel stride as (MR for packed A, NR for packed B). */
INLINE void kern(int kc, const float *ap, int as, const float *bp, float *c, int ldc, float alpha, int store) {
  f32x4 c00 = wasm_f32x4_splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (int p = 0; p < kc; p++) {
    f32x4 b0 = wasm_v128_load(bp), b1 = wasm_v128_load(bp + 4);
    f32x4 a = wasm_v128_load32_splat(ap);
    c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(a, b0));
    c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(a, b1));
    a = wasm_v128_load32_splat(ap + 1);
    c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(a, b0));
    c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(a, b1));
    a = wasm_v128_load32_splat(ap + 2);
    c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(a, b0));
    c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(a, b1));
    a = wasm_v128_load32_splat(ap + 3);
    c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(a, b0));
    c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(a, b1));
    ap += as;
    bp += NR;
  }
  f32x4 al = wasm_f32x4_splat(alpha);
#define ST(r, v, acc)                                                                                              \
  wasm_v128_store(c + (r) * ldc + (v) * 4,                                                                         \
                  store ? wasm_f32x4_mul(acc, al)                                                                  \
                        : wasm_f32x4_add(wasm_v128_load(c + (r) * ldc + (v) * 4), wasm_f32x4_mul(acc, al)))
  ST(0, 0, c00); ST(0, 1, c01); ST(1, 0, c10); ST(1, 1, c11);
  ST(2, 0, c20); ST(2, 1, c21); ST(3, 0, c30); ST(3, 1, c31);
#undef ST
}

/* An edge tile: run into the zeroed scratch tile t, then add the valid mr×nr part into C. */
static void kern_edge(int kc, const float *ap, int as, const float *bp, float *c, int ldc, float alpha, int mr,
                      int nr, float *t, int store) {
  kern(kc, ap, as, bp, t, NR, alpha, 1);
  for (int r = 0; r < mr; r++)
    for (int j = 0; j < nr; j++) c[r * ldc + j] = store ? t[r * NR + j] : c[r * ldc + j] + t[r * NR + j];
}

INLINE int round_up(int x, int m) { return (x + m - 1) / m * m; }

/*
 * Pack op(B) (k×n) into panels: for each KC block starting at p0 (kcb rows), panel q holds kcb×NR floats at
 * bp + p0·npad + q·kcb·NR, zero-padded past n. Only panels [q0, q1) are written (threads split the packing).
 */
EXPORT void pack_b(int k, int n, const float *b, int ldb, int transB, float *bp, int kc, int q0, int q1) {
  int npad = round_up(n, NR);
  for (int p0 = 0; p0 < k; p0 += kc) {
    int kcb = imin(kc, k - p0);
    for (int q = q0; q < q1; q++) {
      int j0 = q * NR, nr = imin(NR, n - j0);
      float *dst = bp + (long)p0 * npad + (long)q * kcb * NR;
      if (!transB) {
        const float *src = b + (long)p0 * ldb + j0;
        if (nr == NR) {
          for (int p = 0; p < kcb; p++, src += ldb, dst += NR) {
            wasm_v128_store(dst, wasm_v128_load(src));
            wasm_v128_store(dst + 4, wasm_v128_load(src + 4));
          }
        } else {
          for (int p = 0; p < kcb; p++, src += ldb, dst += NR)
            for (int j = 0; j < NR; j++) dst[j] = j < nr ? src[j] : 0.0f;
        }
      } else {
        /* op(B)[p][j] = B[j][p], B stored n×k */
        for (int j = 0; j < NR; j++) {
          if (j < nr) {
            const float *src = b + (long)(j0 + j) * ldb + p0;
            for (int p = 0; p < kcb; p++) dst[p * NR + j] = src[p];
          } else {
            for (int p = 0; p < kcb; p++) dst[p * NR + j] = 0.0f;
          }
        }
      }
    }
  }
}

/* Pack op(A)[i0..i0+mc)[p0..p0+kc) into MR-row panels (kc×MR each), zero-padded rows. */
static void pack_a(int mc, int kc, const float *a, int lda, int transA, int i0, int p0, float *ap) {
  for (int ir = 0; ir < mc; ir += MR) {
    int mr = imin(MR, mc - ir);
    float *dst = ap + (long)ir * kc;
    if (transA) {
      /* op(A)[i][p] = A[p][i], A stored k×m: MR contiguous floats per p */
      const float *src = a + (long)p0 * lda + i0 + ir;
      if (mr == MR) {
        for (int p = 0; p < kc; p++, src += lda, dst += MR) wasm_v128_store(dst, wasm_v128_load(src));
      } else {
        for (int p = 0; p < kc; p++, src += lda, dst += MR)
          for (int r = 0; r < MR; r++) dst[r] = r < mr ? src[r] : 0.0f;
      }
    } else {
      for (int r = 0; r < MR; r++) {
        if (r < mr) {
          const float *src = a + (long)(i0 + ir + r) * lda + p0;
          for (int p = 0; p < kc; p++) dst[p * MR + r] = src[p];
        } else {
          for (int p = 0; p < kc; p++) dst[p * MR + r] = 0.0f;
        }
      }
    }
  }
}

/* C rows [r0, r1) := beta·C (beta = 0 writes zeros, ignoring NaN), or the bias row broadcast when bias ≠ 0. */
EXPORT void init_rows(int r0, int r1, int n, float *c, int ldc, float beta, const float *bias) {
  for (int i = r0; i < r1; i++) {
    float *row = c + (long)i * ldc;
    if (bias) for (int j = 0; j < n; j++) row[j] = bias[j];
    else if (beta == 0.0f) for (int j = 0; j < n; j++) row[j] = 0.0f;
    else if (beta != 1.0f) for (int j = 0; j < n; j++) row[j] *= beta;
  }
}

/*
 * Rows [m0, m1) of C (m×n, ldc) := alpha · op(A)·op(B) + (beta·C or the bias row) with op(B) prepacked by pack_b (same kc). When act ≥ 0 the
 * activation is applied to each tile right after its last k block (the fused hidden layer).
 * ws: MC·KC + MR·NR floats of private scratch per thread.
 */
EXPORT void gemm_rows(int m0, int m1, int n, int k, const float *a, int lda, int transA, const float *bp, float *c,
                      int ldc, float alpha, float beta, const float *bias, int act, float *ws, int mc, int kc, int nc) {
  int npad = round_up(n, NR);
  float *apk = ws, *tile = ws + (long)mc * kc;
  init_rows(m0, m1, n, c, ldc, beta, bias);
  if (k == 0) {
    if (act >= 0 && act != ACT_IDENTITY)
      for (int i = m0; i < m1; i++) act_apply_v(act, c + (long)i * ldc, n);
    return;
  }
  for (int jc = 0; jc < n; jc += nc) {
    int jend = imin(n, jc + nc);
    for (int p0 = 0; p0 < k; p0 += kc) {
      int kcb = imin(kc, k - p0);
      int last = p0 + kcb >= k;
      for (int ic = m0; ic < m1; ic += mc) {
        int mcb = imin(mc, m1 - ic);
        pack_a(mcb, kcb, a, lda, transA, ic, p0, apk);
        for (int jr = jc; jr < jend; jr += NR) {
          const float *bpan = bp + (long)p0 * npad + (long)(jr / NR) * kcb * NR;
          int nr = imin(NR, n - jr);
          for (int ir = 0; ir < mcb; ir += MR) {
            int mr = imin(MR, mcb - ir);
            float *cc = c + (long)(ic + ir) * ldc + jr;
            if (mr == MR && nr == NR) kern(kcb, apk + (long)ir * kcb, MR, bpan, cc, ldc, alpha, 0);
            else kern_edge(kcb, apk + (long)ir * kcb, MR, bpan, cc, ldc, alpha, mr, nr, tile, 0);
            if (last && act >= 0 && act != ACT_IDENTITY)
              for (int r = 0; r < mr; r++) act_apply_v(act, cc + (long)r * ldc, nr);
          }
        }
      }
    }
  }
}

/*
 * Upper triangle of C (cols×cols, f32) += Hᵀ·H for the k rows of H packed by pack_b (transB = 0, n = cols), for
 * tile rows [i0, i1) (multiples of MR). The A panels are read straight from the packed H with stride NR. With
 * overwrite set, C is assigned rather than added to (no need to clear it between chunks).
 */
EXPORT void gram_rows(int k, int cols, const float *hp, float *c, int i0, int i1, float *ws, int mc, int kc,
                      int overwrite) {
  int npad = round_up(cols, NR);
  float *tile = ws;
  for (int p0 = 0; p0 < k; p0 += kc) {
    int kcb = imin(kc, k - p0);
    const float *blk = hp + (long)p0 * npad;
    for (int ic = i0; ic < i1; ic += mc) {
      int iend = imin(i1, ic + mc);
      for (int jr = ic / NR * NR; jr < cols; jr += NR) {
        const float *bpan = blk + (long)(jr / NR) * kcb * NR;
        int nr = imin(NR, cols - jr);
        int ilim = imin(iend, jr + NR);
        for (int ir = ic; ir < ilim; ir += MR) {
          const float *apan = blk + (long)(ir / NR) * kcb * NR + (ir % NR);
          int mr = imin(MR, cols - ir);
          float *cc = c + (long)ir * cols + jr;
          int st = overwrite && p0 == 0;
          if (mr == MR && nr == NR) kern(kcb, apan, NR, bpan, cc, cols, 1.0f, st);
          else kern_edge(kcb, apan, NR, bpan, cc, cols, 1.0f, mr, nr, tile, st);
        }
      }
    }
  }
}

/* y = A·x (A m×n) or y = Aᵀ·x. */
EXPORT void gemv(int trans, int m, int n, const float *a, const float *x, float *y) {
  if (!trans) {
    for (int i = 0; i < m; i++) {
      const float *row = a + (long)i * n;
      f32x4 s0 = wasm_f32x4_splat(0), s1 = s0;
      int j = 0;
      for (; j + 8 <= n; j += 8) {
        s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(wasm_v128_load(row + j), wasm_v128_load(x + j)));
        s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(wasm_v128_load(row + j + 4), wasm_v128_load(x + j + 4)));
      }
      s0 = wasm_f32x4_add(s0, s1);
      float s = wasm_f32x4_extract_lane(s0, 0) + wasm_f32x4_extract_lane(s0, 1) + wasm_f32x4_extract_lane(s0, 2) +
                wasm_f32x4_extract_lane(s0, 3);
      for (; j < n; j++) s += row[j] * x[j];
      y[i] = s;
    }
    return;
  }
  for (int j = 0; j < n; j++) y[j] = 0.0f;
  for (int i = 0; i < m; i++) {
    float xi = x[i];
    if (xi == 0.0f) continue;
    const float *row = a + (long)i * n;
    f32x4 v = wasm_f32x4_splat(xi);
    int j = 0;
    for (; j + 4 <= n; j += 4)
      wasm_v128_store(y + j, wasm_f32x4_add(wasm_v128_load(y + j), wasm_f32x4_mul(v, wasm_v128_load(row + j))));
    for (; j < n; j++) y[j] += xi * row[j];
  }
}
