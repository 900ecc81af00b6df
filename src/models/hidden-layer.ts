import { Xoshiro128 } from '../core/prng.js';
import type { Standardizer } from './standardize.js';

/**
 * The random hidden layer, fully defined by (seed, d, L, weightScale) — part of the artifact format, so it must
 * never change for format version 1:
 *   rng = Xoshiro128(seed); a = weightScale·√(3/d)
 *   W[i·L + j] = rng.uniformIn(−a, a)   for i in 0..d−1, j in 0..L−1   (row-major d×L, drawn in that order)
 *   b[j]       = rng.uniformIn(−1, 1)    for j in 0..L−1               (drawn after W)
 * Values are rounded to float32. Each weight has variance a²/3 = weightScale²/d, so with standardised inputs the
 * pre-activation x·w has variance ≈ weightScale² (+ 1/3 from the bias) whatever the input dimension d.
 */
export function generateHiddenWeights(
  seed: number,
  d: number,
  l: number,
  weightScale: number,
): { w: Float32Array; b: Float32Array } {
  const rng = new Xoshiro128(seed);
  const a = weightScale * Math.sqrt(3 / d);
  const w = new Float32Array(d * l);
  for (let i = 0; i < d * l; i++) w[i] = rng.uniformIn(-a, a);
  const b = new Float32Array(l);
  for (let j = 0; j < l; j++) b[j] = rng.uniformIn(-1, 1);
  return { w, b };
}

/**
 * Fold standardisation into the first layer so inference is a single fused GEMM with no per-request pass:
 * ((x − μ)∘s)·W + b = x·(diag(s)·W) + (b − (μ∘s)·W).
 */
export function foldStandardizer(
  s: Standardizer,
  w: Float32Array,
  b: Float32Array,
  d: number,
  l: number,
): { w: Float32Array; b: Float32Array } {
  const wf = new Float32Array(d * l);
  const shift = new Float64Array(l);
  for (let i = 0; i < d; i++) {
    const si = s.scale[i]!;
    const mi = s.mean[i]! * si;
    const o = i * l;
    for (let j = 0; j < l; j++) {
      const wij = w[o + j]!;
      wf[o + j] = wij * si;
      shift[j] += mi * wij;
    }
  }
  const bf = new Float32Array(l);
  for (let j = 0; j < l; j++) bf[j] = b[j]! - shift[j]!;
  return { w: wf, b: bf };
}
