import type { Backend } from '../numeric/backend.js';

/**
 * One recursive-least-squares block update in Float64 (the OS-ELM step), for H (n×L) and T (n×m):
 *   S = I + H·P·Hᵀ        (n×n, SPD)
 *   K = P·Hᵀ·S⁻¹          (L×n)
 *   β ← β + K·(T − H·β)
 *   P ← P − K·(H·P)       (kept exactly symmetric by averaging the two triangles)
 * Cost O(L²·n): cheaper than re-solving the L×L system whenever n is well below L.
 */
export function rlsUpdate(
  backend: Backend,
  l: number,
  m: number,
  n: number,
  p: Float64Array,
  beta: Float64Array,
  h: Float32Array,
  t: Float32Array,
): void {
  // HP = H·P (n×L); P is symmetric so P·Hᵀ = HPᵀ.
  const hp = new Float64Array(n * l);
  for (let r = 0; r < n; r++) {
    const hr = r * l;
    const out = hp.subarray(hr, hr + l);
    for (let k = 0; k < l; k++) {
      const hk = h[hr + k]!;
      if (hk === 0) continue;
      const pk = k * l;
      for (let j = 0; j < l; j++) out[j] += hk * p[pk + j]!;
    }
  }
  // S = I + HP·Hᵀ
  const s = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let acc = 0;
      const a = i * l,
        b = j * l;
      for (let k = 0; k < l; k++) acc += hp[a + k]! * h[b + k]!;
      s[i * n + j] = acc;
      s[j * n + i] = acc;
    }
  for (let i = 0; i < n; i++) s[i * n + i] += 1;
  // E = T − H·β (n×m)
  const e = new Float64Array(n * m);
  for (let r = 0; r < n; r++)
    for (let c = 0; c < m; c++) {
      let acc = t[r * m + c]!;
      for (let k = 0; k < l; k++) acc -= h[r * l + k]! * beta[k * m + c]!;
      e[r * m + c] = acc;
    }
  // Z = S⁻¹·HP (n×L) and S⁻¹·E (n×m): K·X = HPᵀ·(S⁻¹X)
  backend.cholesky(n, s);
  const z = hp.slice();
  backend.choleskySolve(n, l, s, z);
  backend.choleskySolve(n, m, s, e);
  // β += HPᵀ·(S⁻¹E)
  for (let r = 0; r < n; r++) {
    const hr = r * l;
    for (let k = 0; k < l; k++) {
      const v = hp[hr + k]!;
      if (v === 0) continue;
      for (let c = 0; c < m; c++) beta[k * m + c] += v * e[r * m + c]!;
    }
  }
  // P −= HPᵀ·Z (upper triangle, then mirror for exact symmetry)
  for (let i = 0; i < l; i++) {
    const pi = i * l;
    for (let r = 0; r < n; r++) {
      const v = hp[r * l + i]!;
      if (v === 0) continue;
      const zr = r * l;
      for (let j = i; j < l; j++) p[pi + j] -= v * z[zr + j]!;
    }
  }
  for (let i = 0; i < l; i++) for (let j = i + 1; j < l; j++) p[j * l + i] = p[i * l + j]!;
}
