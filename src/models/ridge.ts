import { ElmError } from '../core/errors.js';
import type { Backend } from '../numeric/backend.js';
import { mirrorUpper } from '../numeric/backend.js';
import type { LabeledData } from './model.js';
import { targetBlock } from './targets.js';

/** Sufficient statistics of ridge regression on features H: G = HᵀH (L×L) and HᵀT (L×m), both Float64. */
export interface NormalEquations {
  l: number;
  m: number;
  g: Float64Array;
  ht: Float64Array;
  rows: number;
}

/** Writes the feature block for rows [r0, r1) of data into out ((r1−r0)×l). */
export type FeatureFn = (x: Float32Array, rows: number, out: Float32Array) => void;

export interface ProgressFn {
  (done: number, total: number): void;
}

/**
 * Stream the data in blocks of chunkRows: features, then G += HᵀH and HᵀT += HᵀT_block. Memory is
 * O(L² + chunkRows·L) whatever the number of rows — H for the whole data set is never materialised.
 */
export function accumulateNormalEquations(
  backend: Backend,
  data: LabeledData,
  features: FeatureFn,
  l: number,
  m: number,
  chunkRows: number,
  onProgress?: ProgressFn,
  into?: NormalEquations,
): NormalEquations {
  const eq = into ?? { l, m, g: new Float64Array(l * l), ht: new Float64Array(l * m), rows: 0 };
  const step = Math.max(1, Math.min(chunkRows, data.rows));
  const h = new Float32Array(step * l);
  const t = new Float32Array(step * m);
  for (let r0 = 0; r0 < data.rows; r0 += step) {
    const r1 = Math.min(data.rows, r0 + step);
    const n = r1 - r0;
    const hb = h.subarray(0, n * l);
    features(data.x.subarray(r0 * data.cols, r1 * data.cols), n, hb);
    targetBlock(data, m, r0, r1, t);
    backend.gramAccumulate(n, l, hb, eq.g);
    backend.crossAccumulate(n, l, m, hb, t.subarray(0, n * m), eq.ht);
    eq.rows += n;
    onProgress?.(r1, data.rows);
  }
  return eq;
}

/**
 * β = (G + I/C)⁻¹·HᵀT by Cholesky. G must hold its upper triangle; it is mirrored and then overwritten by the
 * factor (pass a copy to keep it).
 */
export function solveRidge(backend: Backend, eq: NormalEquations, c: number): Float64Array {
  const { l, m, g } = eq;
  if (!(c > 0)) throw new ElmError('ELM_ERR_INVALID_ARGUMENT', `C must be > 0, got ${c}`);
  mirrorUpper(l, g);
  const ridge = 1 / c;
  for (let i = 0; i < l; i++) g[i * l + i] += ridge;
  backend.cholesky(l, g);
  const beta = eq.ht.slice();
  backend.choleskySolve(l, m, g, beta);
  return beta;
}
