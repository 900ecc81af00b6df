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
  const c = seedPlusPlus(z, n, d, k, new Xoshiro128(seed));
  const zn = squaredNorms(z, n, d);
  const s: Assignment = {
    assign: new Int32Array(n).fill(-1),
    d1: new Float64Array(n),
    d2: new Float64Array(n),
  };
  const dots = new Float32Array(n * k);
  let it = 0;
  for (; it < maxIterations; it++) {
    const cn = squaredNorms(c, k, d);
    backend.gemm(false, true, n, k, d, 1, z, c, 0, dots);
    if (assignNearest(zn, dots, cn, n, k, s) === 0) break;
    updateCentroids(z, n, d, k, c, s);
  }
  let gap = 0;
  for (let r = 0; r < n; r++) gap += k > 1 ? Math.max(0, s.d2[r]! - s.d1[r]!) : 1;
  return { centroids: c, temperature: Math.max(gap / n, 1e-6), iterations: it };
}

/** Per row: the nearest centroid and the squared distances to the nearest (d1) and the second nearest (d2). */
interface Assignment {
  assign: Int32Array;
  d1: Float64Array;
  d2: Float64Array;
}

/** ‖row‖² of each of the n rows of a (n×d). */
function squaredNorms(a: Float32Array, n: number, d: number): Float64Array {
  const out = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let i = 0; i < d; i++) s += a[r * d + i]! * a[r * d + i]!;
    out[r] = s;
  }
  return out;
}

/** k-means++ seeding: each next centroid is a row drawn with probability ∝ its squared distance to the chosen ones. */
function seedPlusPlus(z: Float32Array, n: number, d: number, k: number, rng: Xoshiro128): Float32Array {
  const c = new Float32Array(k * d);
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
  return c;
}

/** Assign every row to its nearest centroid (dots = z·cᵀ, n×k); returns how many rows changed cluster. */
function assignNearest(
  zn: Float64Array,
  dots: Float32Array,
  cn: Float64Array,
  n: number,
  k: number,
  s: Assignment,
): number {
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
    s.d1[r] = b1;
    s.d2[r] = b2;
    if (s.assign[r] !== a) changed++;
    s.assign[r] = a;
  }
  return changed;
}

/** Lloyd step: each centroid moves to the mean of its rows; an empty cluster is re-seeded from the farthest row. */
function updateCentroids(z: Float32Array, n: number, d: number, k: number, c: Float32Array, s: Assignment): void {
  const sum = new Float64Array(k * d);
  const cnt = new Float64Array(k);
  for (let r = 0; r < n; r++) {
    const a = s.assign[r]!;
    cnt[a]++;
    for (let i = 0; i < d; i++) sum[a * d + i] += z[r * d + i]!;
  }
  for (let j = 0; j < k; j++) {
    if (cnt[j] === 0) {
      let far = 0;
      for (let r = 1; r < n; r++) if (s.d1[r]! > s.d1[far]!) far = r;
      c.set(z.subarray(far * d, (far + 1) * d), j * d);
      s.d1[far] = 0;
      continue;
    }
    for (let i = 0; i < d; i++) c[j * d + i] = sum[j * d + i]! / cnt[j]!;
  }
}
