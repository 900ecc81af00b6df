/**
 * Reference GEMM in plain JS: readable, cache-aware loop orders (i-k-j so the inner loop streams rows of B and C),
 * blocked over k so a panel of B stays in cache. Transposed operands are handled by index arithmetic.
 */
const KB = 256;

export function gemmJs(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array,
  b: Float32Array,
  beta: number,
  c: Float32Array,
): void {
  if (beta === 0) c.fill(0, 0, m * n);
  else if (beta !== 1) for (let i = 0; i < m * n; i++) c[i] = c[i]! * beta;
  if (!transB) {
    for (let k0 = 0; k0 < k; k0 += KB) {
      const k1 = Math.min(k, k0 + KB);
      for (let i = 0; i < m; i++) {
        const ci = i * n;
        for (let p = k0; p < k1; p++) {
          const av = alpha * (transA ? a[p * m + i]! : a[i * k + p]!);
          if (av === 0) continue;
          const bp = p * n;
          for (let j = 0; j < n; j++) c[ci + j] += av * b[bp + j]!;
        }
      }
    }
    return;
  }
  // op(B) = Bᵀ with B stored n×k: C[i,j] = dot(row i of op(A), row j of B).
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      const bj = j * k;
      if (transA) for (let p = 0; p < k; p++) s += a[p * m + i]! * b[bj + p]!;
      else {
        const ai = i * k;
        for (let p = 0; p < k; p++) s += a[ai + p]! * b[bj + p]!;
      }
      c[i * n + j] += alpha * s;
    }
  }
}

export function gemvJs(trans: boolean, m: number, n: number, a: Float32Array, x: Float32Array, y: Float32Array): void {
  if (!trans) {
    for (let i = 0; i < m; i++) {
      let s = 0;
      const r = i * n;
      for (let j = 0; j < n; j++) s += a[r + j]! * x[j]!;
      y[i] = s;
    }
    return;
  }
  y.fill(0, 0, n);
  for (let i = 0; i < m; i++) {
    const xi = x[i]!;
    const r = i * n;
    for (let j = 0; j < n; j++) y[j] += xi * a[r + j]!;
  }
}

/**
 * G += HᵀH, upper triangle only. Rows are accumulated in Float64 directly: the JS engine computes in doubles
 * anyway, so this costs nothing extra and is the most accurate choice.
 */
export function gramAccumulateJs(rows: number, cols: number, h: Float32Array, g: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    const hr = r * cols;
    for (let i = 0; i < cols; i++) {
      const hi = h[hr + i]!;
      if (hi === 0) continue;
      const gi = i * cols;
      for (let j = i; j < cols; j++) g[gi + j] += hi * h[hr + j]!;
    }
  }
}

export function crossAccumulateJs(
  rows: number,
  cols: number,
  m: number,
  h: Float32Array,
  t: Float32Array,
  out: Float64Array,
): void {
  for (let r = 0; r < rows; r++) {
    const hr = r * cols;
    const tr = r * m;
    for (let i = 0; i < cols; i++) {
      const hi = h[hr + i]!;
      if (hi === 0) continue;
      const oi = i * m;
      for (let j = 0; j < m; j++) out[oi + j] += hi * t[tr + j]!;
    }
  }
}
