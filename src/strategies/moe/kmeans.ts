import { ElmError } from '../../core/errors.js';
import { Xoshiro128 } from '../../core/prng.js';
import type { Backend } from '../../numeric/backend.js';

export interface KMeansResult {
  centroids: Float32Array;
  /** Mean over rows of (second-nearest − nearest) squared distance: the gate's softmax temperature. */
  temperature: number;
  iterations: number;
}

/**
 * k-means (k-means++ seeding, Lloyd iterations) on z (n×d, already standardised). Distances use the backend's
 * GEMM: ‖z − c‖² = ‖z‖² − 2z·c + ‖c‖². Empty clusters are re-seeded from the farthest row.
 */
export function kmeans(
  backend: Backend,
  z: Float32Array,
  n: number,
  d: number,
  k: number,
  seed: number,
  maxIterations = 25,
): KMeansResult {
  if (!(Number.isInteger(k) && k >= 1 && k <= n)) {
    throw new ElmError('ELM_ERR_INVALID_ARGUMENT', `k-means needs 1 ≤ k ≤ rows, got k=${k} for ${n} rows`);
  }
  const rng = new Xoshiro128(seed);
  const c = new Float32Array(k * d);
  const zn = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let i = 0; i < d; i++) s += z[r * d + i]! * z[r * d + i]!;
    zn[r] = s;
  }
  // k-means++ seeding
  const dist = new Float64Array(n).fill(Infinity);
  let pick = rng.int(n);
  for (let j = 0; j < k; j++) {
    c.set(z.subarray(pick * d, (pick + 1) * d), j * d);
    let total = 0;
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let i = 0; i < d; i++) {
        const t = z[r * d + i]! - c[j * d + i]!;
        s += t * t;
      }
      if (s < dist[r]!) dist[r] = s;
      total += dist[r]!;
    }
    let u = rng.uniform() * total;
    pick = n - 1;
    for (let r = 0; r < n; r++) {
      u -= dist[r]!;
      if (u <= 0) {
        pick = r;
        break;
      }
    }
  }
  const assign = new Int32Array(n).fill(-1);
  const dots = new Float32Array(n * k);
  const cn = new Float64Array(k);
  const d1 = new Float64Array(n),
    d2 = new Float64Array(n);
  let it = 0;
  for (; it < maxIterations; it++) {
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += c[j * d + i]! * c[j * d + i]!;
      cn[j] = s;
    }
    backend.gemm(false, true, n, k, d, 1, z, c, 0, dots);
    let changed = 0;
    for (let r = 0; r < n; r++) {
      let b1 = Infinity,
        b2 = Infinity,
        a = 0;
      for (let j = 0; j < k; j++) {
        const dd = zn[r]! - 2 * dots[r * k + j]! + cn[j]!;
        if (dd < b1) {
          b2 = b1;
          b1 = dd;
          a = j;
        } else if (dd < b2) b2 = dd;
      }
      d1[r] = b1;
      d2[r] = b2;
      if (assign[r] !== a) changed++;
      assign[r] = a;
    }
    if (changed === 0) break;
    const sum = new Float64Array(k * d);
    const cnt = new Float64Array(k);
    for (let r = 0; r < n; r++) {
      const a = assign[r]!;
      cnt[a]++;
      for (let i = 0; i < d; i++) sum[a * d + i] += z[r * d + i]!;
    }
    for (let j = 0; j < k; j++) {
      if (cnt[j] === 0) {
        let far = 0;
        for (let r = 1; r < n; r++) if (d1[r]! > d1[far]!) far = r;
        c.set(z.subarray(far * d, (far + 1) * d), j * d);
        d1[far] = 0;
        continue;
      }
      for (let i = 0; i < d; i++) c[j * d + i] = sum[j * d + i]! / cnt[j]!;
    }
  }
  let gap = 0;
  for (let r = 0; r < n; r++) gap += k > 1 ? Math.max(0, d2[r]! - d1[r]!) : 1;
  return { centroids: c, temperature: Math.max(gap / n, 1e-6), iterations: it };
}
