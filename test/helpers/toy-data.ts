import { Xoshiro128 } from '../../src/core/prng.js';
import type { LabeledData } from '../../src/models/model.js';

/** k Gaussian blobs in d dimensions, well separated: any working classifier gets ~100%. */
export function blobs(rows: number, d: number, k: number, seed: number, spread = 0.5): LabeledData {
  const r = new Xoshiro128(seed);
  const centres = Array.from({ length: k }, () => Array.from({ length: d }, () => r.uniformIn(-4, 4)));
  const x = new Float32Array(rows * d);
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const c = i % k;
    y[i] = c;
    for (let j = 0; j < d; j++) x[i * d + j] = centres[c]![j]! + spread * r.normal();
  }
  return { x, rows, cols: d, y, task: 'classification', labels: Array.from({ length: k }, (_, i) => `c${i}`) };
}

/** y = sin(x0) + 0.5·x1² − x2 (+ noise), 3 features, one target. */
export function smoothRegression(rows: number, seed: number, noise = 0): LabeledData {
  const r = new Xoshiro128(seed);
  const x = new Float32Array(rows * 3);
  const y = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    const a = r.uniformIn(-2, 2),
      b = r.uniformIn(-1, 1),
      c = r.uniformIn(-1, 1);
    x.set([a, b, c], i * 3);
    y[i] = Math.sin(a) + 0.5 * b * b - c + noise * r.normal();
  }
  return { x, rows, cols: 3, y, task: 'regression', targets: 1 };
}

export function sliceRows(d: LabeledData, r0: number, r1: number): LabeledData {
  const m = d.task === 'regression' ? (d.targets ?? 1) : 1;
  return { ...d, x: d.x.subarray(r0 * d.cols, r1 * d.cols), rows: r1 - r0, y: d.y.subarray(r0 * m, r1 * m) };
}
