/*
 * Right-looking blocked Cholesky in f64 on a row-major n×n matrix (lower triangle). Per block column [k0, k1):
 * factor the nb×nb diagonal block (chol_diag), solve the panel rows below it (chol_trsm, row ranges split across
 * threads), pack those rows into 4-row panels (chol_pack), then the trailing update A22 −= L21·L21ᵀ (chol_update, a
 * 4×4 f64x2 register tile, tile rows split across threads). The upper triangle is never written.
 */
#include "common.h"

typedef v128_t f64x2;
#define CB 4 /* rows per packed panel / tile edge */

INLINE double dot(const double *a, const double *b, int n) {
  f64x2 s0 = wasm_f64x2_splat(0), s1 = s0;
  int p = 0;
  for (; p + 4 <= n; p += 4) {
    s0 = wasm_f64x2_add(s0, wasm_f64x2_mul(wasm_v128_load(a + p), wasm_v128_load(b + p)));
    s1 = wasm_f64x2_add(s1, wasm_f64x2_mul(wasm_v128_load(a + p + 2), wasm_v128_load(b + p + 2)));
  }
  s0 = wasm_f64x2_add(s0, s1);
  double s = wasm_f64x2_extract_lane(s0, 0) + wasm_f64x2_extract_lane(s0, 1);
  for (; p < n; p++) s += a[p] * b[p];
  return s;
}

/* Unblocked factor of the diagonal block at k0 (size nb). Returns −1, or the failing pivot index with its value. */
EXPORT int chol_diag(int n, double *a, int k0, int nb, double *bad) {
  for (int i = k0; i < k0 + nb; i++) {
    double *ri = a + (long)i * n;
    for (int j = k0; j <= i; j++) {
      double *rj = a + (long)j * n;
      double s = ri[j] - dot(ri + k0, rj + k0, j - k0);
      if (i == j) {
        if (!(s > 0)) {
          *bad = s;
          return i;
        }
        ri[i] = __builtin_sqrt(s);
      } else {
        ri[j] = s / rj[j];
      }
    }
  }
  return -1;
}

/* Rows [r0, r1) of the panel below the diagonal block: x·L11ᵀ = a_i, by forward substitution. */
EXPORT void chol_trsm(int n, double *a, int k0, int nb, int r0, int r1) {
  for (int i = r0; i < r1; i++) {
    double *x = a + (long)i * n + k0;
    for (int j = 0; j < nb; j++) {
      const double *lj = a + (long)(k0 + j) * n + k0;
      x[j] = (x[j] - dot(x, lj, j)) / lj[j];
    }
  }
}

/* Pack panel rows [r0, r1) (absolute, r0 − k1 a multiple of 4) into P: panel t = rows k1+4t.. as nb×4 (p-major). */
EXPORT void chol_pack(int n, const double *a, int k0, int nb, int r0, int r1, double *P) {
  int k1 = k0 + nb;
  for (int i = r0; i < r1; i += CB) {
    double *dst = P + (long)(i - k1) * nb;
    for (int r = 0; r < CB; r++) {
      if (i + r < n) {
        const double *src = a + (long)(i + r) * n + k0;
        for (int p = 0; p < nb; p++) dst[p * CB + r] = src[p];
      } else {
        for (int p = 0; p < nb; p++) dst[p * CB + r] = 0.0;
      }
    }
  }
}

/* Trailing update for tile rows [t0, t1) (absolute row indices ≥ k1, multiples of 4 from k1). */
EXPORT void chol_update(int n, double *a, int k0, int nb, const double *P, int t0, int t1) {
  int k1 = k0 + nb;
  const int JB = 64; /* column block of panels kept hot in L1/L2 */
  for (int jb = k1; jb < t1; jb += JB) {
    for (int i = imax(t0, jb / CB * CB); i < t1; i += CB) {
      const double *pi = P + (long)(i - k1) * nb;
      int jend = imin(jb + JB, i + CB);
      for (int j = jb; j < jend; j += CB) {
        const double *pj = P + (long)(j - k1) * nb;
        f64x2 c00 = wasm_f64x2_splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        for (int p = 0; p < nb; p++) {
          f64x2 b0 = wasm_v128_load(pj + p * CB), b1 = wasm_v128_load(pj + p * CB + 2);
          f64x2 x = wasm_v128_load64_splat(pi + p * CB);
          c00 = wasm_f64x2_add(c00, wasm_f64x2_mul(x, b0));
          c01 = wasm_f64x2_add(c01, wasm_f64x2_mul(x, b1));
          x = wasm_v128_load64_splat(pi + p * CB + 1);
          c10 = wasm_f64x2_add(c10, wasm_f64x2_mul(x, b0));
          c11 = wasm_f64x2_add(c11, wasm_f64x2_mul(x, b1));
          x = wasm_v128_load64_splat(pi + p * CB + 2);
          c20 = wasm_f64x2_add(c20, wasm_f64x2_mul(x, b0));
          c21 = wasm_f64x2_add(c21, wasm_f64x2_mul(x, b1));
          x = wasm_v128_load64_splat(pi + p * CB + 3);
          c30 = wasm_f64x2_add(c30, wasm_f64x2_mul(x, b0));
          c31 = wasm_f64x2_add(c31, wasm_f64x2_mul(x, b1));
        }
        if (i + CB <= n && j + CB <= i) {
          double *c = a + (long)i * n + j;
#define UP(r, v, acc)                                                                                              \
  wasm_v128_store(c + (long)(r) * n + (v) * 2, wasm_f64x2_sub(wasm_v128_load(c + (long)(r) * n + (v) * 2), acc))
          UP(0, 0, c00); UP(0, 1, c01); UP(1, 0, c10); UP(1, 1, c11);
          UP(2, 0, c20); UP(2, 1, c21); UP(3, 0, c30); UP(3, 1, c31);
#undef UP
        } else {
          /* diagonal or edge tile: scalar, only where j' ≤ i' < n (keeps the upper triangle untouched) */
          for (int r = 0; r < CB && i + r < n; r++)
            for (int q = 0; q < CB && j + q <= i + r; q++) {
              double s = 0;
              for (int p = 0; p < nb; p++) s += pi[p * CB + r] * pj[p * CB + q];
              a[(long)(i + r) * n + j + q] -= s;
            }
        }
      }
    }
  }
}

/* Solve L·Lᵀ·X = B in place (B n×m), both sweeps row-oriented over L's contiguous rows. */
EXPORT void chol_solve(int n, int m, const double *l, double *b) {
  for (int i = 0; i < n; i++) {
    const double *li = l + (long)i * n;
    double *bi = b + (long)i * m;
    for (int p = 0; p < i; p++) {
      double lip = li[p];
      if (lip == 0.0) continue;
      const double *bp = b + (long)p * m;
      for (int c = 0; c < m; c++) bi[c] -= lip * bp[c];
    }
    double inv = 1.0 / li[i];
    for (int c = 0; c < m; c++) bi[c] *= inv;
  }
  for (int i = n - 1; i >= 0; i--) {
    const double *li = l + (long)i * n;
    double *bi = b + (long)i * m;
    double inv = 1.0 / li[i];
    for (int c = 0; c < m; c++) bi[c] *= inv;
    for (int p = 0; p < i; p++) {
      double lip = li[p];
      if (lip == 0.0) continue;
      double *bp = b + (long)p * m;
      for (int c = 0; c < m; c++) bp[c] -= lip * bi[c];
    }
  }
}
