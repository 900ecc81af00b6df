/**
 * Conformance of the optional planInt8 kernel, run by runBackendConformance on every backend: a backend that
 * registers planInt8 is checked against the reference (numeric/js/int8-plan.ts); one that does not is reported as
 * skipped by design. (The JS backend registers the reference itself, so there the comparison is exact.)
 *
 * Tolerance against the JS reference: both compute the same integer products; they differ only in float rounding
 * of the dequantised hidden pre-activations (f32 in wasm, f64 in JS) and in the activation (vector polynomial vs
 * Math.*, ≤ ~1e-7). That can move a hidden unit's int8 code by one step when h·127/max|h| lies at a rounding
 * boundary, which changes output c by at most sh·βs_c·127 = max|h|·βs_c. The suite allows FLIPS such steps per row,
 * ACT_EPS of absolute hidden difference on every unit (ACT_EPS·Σ_j|β_jc|: this covers rows whose hidden layer is
 * all ≈ 0, e.g. gelu far in its negative tail, where the whole int8 scale follows a 1e-6 difference), plus a
 * relative 1e-5 for the final f32 rescale.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { ACTIVATIONS, type Activation } from '../../src/core/types.js';
import { activateInPlace } from '../../src/numeric/activations.js';
import type { Backend, Int8PlanSpec } from '../../src/numeric/backend.js';
import { int8RowTimesMatrix, quantizeRowU8 } from '../../src/numeric/js/int8.js';
import { planInt8Js } from '../../src/numeric/js/int8-plan.js';
import { quantizeColumns } from '../../src/strategies/quantize/int8.js';
import { randomF32 } from '../helpers/random.js';

export const FLIPS = 3;
const ACT_EPS = 4e-6;

/** max|h| per row of the reference chain (the scale of one hidden code step). */
function hiddenMax(spec: Int8PlanSpec, rows: number, x: Float32Array): Float64Array {
  const { d, l } = spec;
  const xq = new Uint8Array(d),
    acc = new Int32Array(l),
    h = new Float32Array(l);
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const { lo, scale } = quantizeRowU8(x, r * d, d, xq);
    int8RowTimesMatrix(d, l, xq, spec.wq, acc);
    for (let j = 0; j < l; j++) h[j] = scale * spec.wScale[j]! * acc[j]! + lo * spec.colSum[j]! + spec.b[j]!;
    activateInPlace(spec.act, h, 0, l);
    let m = 0;
    for (let j = 0; j < l; j++) m = Math.max(m, Math.abs(h[j]!));
    out[r] = m;
  }
  return out;
}

/** Largest |a − b| / allowed over all outputs (≤ 1 passes). */
export function worstRatio(
  spec: Int8PlanSpec,
  rows: number,
  x: Float32Array,
  a: Float32Array,
  b: Float32Array,
): number {
  const hm = hiddenMax(spec, rows, x);
  const { l, m } = spec;
  const betaAbs = new Float64Array(m); // Σ_j |β_jc| of the int8 β
  for (let c = 0; c < m; c++) for (let j = 0; j < l; j++) betaAbs[c] += Math.abs(spec.betaQ[c * l + j]!);
  let worst = 0;
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < m; c++) {
      const i = r * m + c;
      const bs = spec.betaScale[c]!;
      const allowed = (FLIPS * hm[r]! + 2 * ACT_EPS * betaAbs[c]!) * bs * (1 + 1e-6) + 1e-5 * Math.abs(b[i]!) + 1e-30;
      worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / allowed);
    }
  return worst;
}

function randomSpec(d: number, l: number, m: number, act: Activation, seed: number): Int8PlanSpec {
  const w = quantizeColumns(randomF32(d * l, seed, -0.3, 0.3), d, l, false);
  const cs = new Float64Array(l);
  for (let i = 0; i < d; i++) for (let j = 0; j < l; j++) cs[j] += w.q[i * l + j]!;
  for (let j = 0; j < l; j++) cs[j] = cs[j]! * w.scales[j]!;
  const beta = quantizeColumns(randomF32(l * m, seed + 1), l, m, true);
  const b = randomF32(l, seed + 2);
  return { d, l, m, wq: w.q, wScale: w.scales, colSum: cs, b, act, betaQ: beta.q, betaScale: beta.scales };
}

/** Rows that exercise the input quantiser: sparse pixels, negative values, constant rows, all zeros. */
function inputs(rows: number, d: number, seed: number): Float32Array {
  const x = randomF32(rows * d, seed, -2, 3);
  for (let r = 0; r < rows; r++) {
    const row = x.subarray(r * d, (r + 1) * d);
    if (r % 4 === 0) row.forEach((v, i) => (row[i] = v > 1.5 ? Math.round(v * 80) : 0)); // sparse, pixel-like
    if (r % 7 === 3) row.fill(0.25); // constant: scale 0, only lo·colSum + b
    if (r % 11 === 5) row.fill(0);
  }
  return x;
}

/** The planInt8 kernel of the backend, or a skip reported with its reason (an optional kernel). */
function planInt8Of(be: Backend, t: TestContext): Backend['kernels']['planInt8'] {
  const k = be.findKernel('planInt8');
  if (!k) t.skip(`planInt8 is not registered on ${be.name} (optional kernel): skipped by design`);
  return k;
}

export function runInt8PlanConformance(getBackend: () => Backend): void {
  describe('planInt8 (optional kernel)', () => {
    const SHAPES: [number, number, number][] = [
      [1, 1, 1],
      [7, 33, 3],
      [64, 1024, 10],
      [65, 100, 2],
      [784, 256, 10],
      [9, 4100, 4], // more hidden units than one accumulator chunk
    ];
    for (const act of ACTIVATIONS)
      it(`matches the JS int8 reference (${act}), rows 1, 3 and 300`, (t) => {
        const be = getBackend();
        const planInt8 = planInt8Of(be, t);
        if (!planInt8) return;
        let seed = 11;
        for (const [d, l, m] of SHAPES) {
          const spec = randomSpec(d, l, m, act, seed++);
          const plan = planInt8(spec),
            ref = planInt8Js(spec);
          for (const rows of l > 1024 ? [1, 3] : [1, 3, 300]) {
            const x = inputs(rows, d, seed++);
            const a = new Float32Array(rows * m).fill(NaN),
              b = new Float32Array(rows * m);
            plan.run(rows, x, a);
            ref.run(rows, x, b);
            const w = worstRatio(spec, rows, x, a, b);
            if (process.env.INT8_VERBOSE) console.log(`${be.name} ${d}×${l}×${m} ${act} rows=${rows}: ${w.toFixed(3)}`);
            assert.ok(w <= 1, `${d}×${l}×${m} ${act} rows=${rows}: ${w.toFixed(3)} of the tolerance`);
          }
          plan.dispose();
        }
      });
    it('rejects mismatched operands and use after dispose', (t) => {
      const be = getBackend();
      const planInt8 = planInt8Of(be, t);
      if (!planInt8) return;
      const spec = randomSpec(5, 8, 2, 'tanh', 3);
      assert.throws(() => planInt8({ ...spec, l: 9 }), /ELM_ERR_SHAPE_MISMATCH|do not match/);
      const p = planInt8(spec);
      p.dispose();
      assert.throws(() => p.run(1, new Float32Array(5), new Float32Array(2)));
    });
  });
}
