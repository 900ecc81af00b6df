import { ElmError } from '../../core/errors.js';

/**
 * Row-oriented Cholesky–Banachiewicz on a row-major matrix: every inner product runs over two contiguous row
 * prefixes of L, which keeps the reference backend cache-friendly without blocking.
 */
export function choleskyJs(n: number, a: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = a[ri + j]!;
      for (let p = 0; p < j; p++) s -= a[ri + p]! * a[rj + p]!;
      if (i === j) {
        if (!(s > 0)) {
          throw new ElmError(
            'ELM_ERR_NOT_POSITIVE_DEFINITE',
            `matrix is not positive definite (pivot ${i} = ${s}); increase regularisation (lower C)`,
            { pivot: i, value: s },
          );
        }
        a[ri + i] = Math.sqrt(s);
      } else {
        a[ri + j] = s / a[rj + j]!;
      }
    }
  }
}

/** Solve L·Lᵀ·X = B in place (B is n×m), forward then backward substitution column-block at once. */
export function choleskySolveJs(n: number, m: number, l: Float64Array, b: Float64Array): void {
  // forward: L·Y = B
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    const bi = i * m;
    for (let p = 0; p < i; p++) {
      const lip = l[ri + p]!;
      if (lip === 0) continue;
      const bp = p * m;
      for (let c = 0; c < m; c++) b[bi + c] -= lip * b[bp + c]!;
    }
    const d = l[ri + i]!;
    for (let c = 0; c < m; c++) b[bi + c] /= d;
  }
  // backward: Lᵀ·X = Y
  for (let i = n - 1; i >= 0; i--) {
    const bi = i * m;
    for (let p = i + 1; p < n; p++) {
      const lpi = l[p * n + i]!;
      if (lpi === 0) continue;
      const bp = p * m;
      for (let c = 0; c < m; c++) b[bi + c] -= lpi * b[bp + c]!;
    }
    const d = l[i * n + i]!;
    for (let c = 0; c < m; c++) b[bi + c] /= d;
  }
}
