/**
 * The int8 primitives of the quantised inference chain (the reference of the planInt8 kernel, int8-plan.ts): plain
 * typed-array loops with Int32 accumulation, so they run unchanged on every platform.
 */

export const INT8_MAX = 127;

/**
 * Affine uint8 quantisation of one input row: x ≈ lo + scale·q, q ∈ 0..255. Exact for 8-bit image pixels, and a
 * row's minimum maps to 0 — which the hidden kernel skips (MNIST rows are ~80% zeros).
 */
export function quantizeRowU8(x: Float32Array, off: number, d: number, out: Uint8Array): { lo: number; scale: number } {
  let lo = Infinity,
    hi = -Infinity;
  for (let i = 0; i < d; i++) {
    const v = x[off + i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const scale = hi > lo ? (hi - lo) / 255 : 0;
  if (scale === 0) {
    out.fill(0, 0, d);
    return { lo, scale: 0 };
  }
  const inv = 1 / scale;
  for (let i = 0; i < d; i++) out[i] = Math.round((x[off + i]! - lo) * inv);
  return { lo, scale };
}

/** Symmetric int8 quantisation of v[off..off+n): v ≈ scale·q. Returns the scale (0 for an all-zero vector). */
export function quantizeVectorI8(v: Float32Array, n: number, out: Int8Array, off = 0): number {
  let m = 0;
  for (let i = 0; i < n; i++) {
    const a = Math.abs(v[off + i]!);
    if (a > m) m = a;
  }
  if (m === 0) {
    out.fill(0, 0, n);
    return 0;
  }
  const inv = INT8_MAX / m;
  for (let i = 0; i < n; i++) out[i] = Math.round(v[off + i]! * inv);
  return m / INT8_MAX;
}

/**
 * acc[j] = Σ_i xq[i]·wq[i·l + j] over the rows of wq (d×l) whose input is non-zero: the int8 hidden-layer product
 * as a sequence of AXPYs, so a sparse input row costs only its non-zeros. |acc| ≤ d·255·127 < 2³¹ for d < 66 000.
 */
export function int8RowTimesMatrix(d: number, l: number, xq: Uint8Array, wq: Int8Array, acc: Int32Array): void {
  acc.fill(0, 0, l);
  for (let i = 0; i < d; i++) {
    const xi = xq[i]!;
    if (xi === 0) continue;
    const o = i * l;
    let j = 0;
    for (; j + 3 < l; j += 4) {
      acc[j] += xi * wq[o + j]!;
      acc[j + 1] += xi * wq[o + j + 1]!;
      acc[j + 2] += xi * wq[o + j + 2]!;
      acc[j + 3] += xi * wq[o + j + 3]!;
    }
    for (; j < l; j++) acc[j] += xi * wq[o + j]!;
  }
}

/** acc[c] = Σ_j hq[j]·bqT[c·l + j] for bqT (m×l, each output column contiguous): the int8 output layer. */
export function int8Dots(l: number, m: number, hq: Int8Array, bqT: Int8Array, acc: Int32Array): void {
  for (let c = 0; c < m; c++) {
    const o = c * l;
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0;
    let j = 0;
    for (; j + 3 < l; j += 4) {
      s0 += hq[j]! * bqT[o + j]!;
      s1 += hq[j + 1]! * bqT[o + j + 1]!;
      s2 += hq[j + 2]! * bqT[o + j + 2]!;
      s3 += hq[j + 3]! * bqT[o + j + 3]!;
    }
    for (; j < l; j++) s0 += hq[j]! * bqT[o + j]!;
    acc[c] = s0 + s1 + s2 + s3;
  }
}
