/**
 * The int8 inference plan (Backend.planInt8): a small conformance suite run on every backend that provides one,
 * checked against the portable JS int8 plan (the reference), and the wasm int8 ELM on digits checked against both
 * the JS int8 path and the float model's analytic quantisation error bound.
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
import { describe, it } from 'node:test';
import { ACTIVATIONS, type Activation } from '../../src/core/types.js';
import { createNodeBackendRegistry } from '../../src/adapters/node/backends.js';
import { activateInPlace, activationFn } from '../../src/numeric/activations.js';
import type { Backend, Int8PlanSpec } from '../../src/numeric/backend.js';
import { createJsBackend } from '../../src/numeric/js/index.js';
import { argmaxRows } from '../../src/numeric/rows.js';
import { ELM } from '../../src/models/elm.js';
import { evaluate } from '../../src/models/evaluate.js';
import { foldStandardizer, generateHiddenWeights } from '../../src/models/hidden-layer.js';
import { int8RowTimesMatrix, quantizeColumns, quantizeRowU8 } from '../../src/strategies/quantize/int8.js';
import { createJsInt8Plan } from '../../src/strategies/quantize/int8-js-plan.js';
import { quantizeElm } from '../../src/strategies/quantize/quantized-elm.js';
import { randomF32 } from '../helpers/random.js';
import { digits } from './helpers.js';
import { blobs } from '../helpers/toy-data.js';

const FLIPS = 3;
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
function worstRatio(spec: Int8PlanSpec, rows: number, x: Float32Array, a: Float32Array, b: Float32Array): number {
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

export function runInt8PlanConformance(name: string, makeBackend: () => Backend): void {
  describe(`int8 plan conformance: ${name}`, () => {
    const be = makeBackend();
    const SHAPES: [number, number, number][] = [
      [1, 1, 1],
      [7, 33, 3],
      [64, 1024, 10],
      [65, 100, 2],
      [784, 256, 10],
      [9, 4100, 4], // more hidden units than one accumulator chunk
    ];
    it('provides planInt8', () => assert.equal(typeof be.planInt8, 'function'));
    for (const act of ACTIVATIONS)
      it(`matches the JS int8 plan (${act}), rows 1, 3 and 300`, () => {
        let seed = 11;
        for (const [d, l, m] of SHAPES) {
          const spec = randomSpec(d, l, m, act, seed++);
          const plan = be.planInt8!(spec),
            ref = createJsInt8Plan(spec);
          for (const rows of l > 1024 ? [1, 3] : [1, 3, 300]) {
            const x = inputs(rows, d, seed++);
            const a = new Float32Array(rows * m).fill(NaN),
              b = new Float32Array(rows * m);
            plan.run(rows, x, a);
            ref.run(rows, x, b);
            const w = worstRatio(spec, rows, x, a, b);
            if (process.env.INT8_VERBOSE) console.log(`${name} ${d}×${l}×${m} ${act} rows=${rows}: ${w.toFixed(3)}`);
            assert.ok(w <= 1, `${d}×${l}×${m} ${act} rows=${rows}: ${w.toFixed(3)} of the tolerance`);
          }
          plan.dispose();
        }
      });
    it('rejects mismatched operands and use after dispose', () => {
      const spec = randomSpec(5, 8, 2, 'tanh', 3);
      assert.throws(() => be.planInt8!({ ...spec, l: 9 }), /ELM_ERR_SHAPE_MISMATCH|do not match/);
      const p = be.planInt8!(spec);
      p.dispose();
      assert.throws(() => p.run(1, new Float32Array(5), new Float32Array(2)));
    });
  });
}

// every backend Node can load (wasm-threads forced to 2 threads so it is registered on any machine): those with
// planInt8 run the conformance suite, the others must fall back to the portable plan
const registry = createNodeBackendRegistry({ threads: 2 });
for (const name of registry.names()) {
  const be = registry.get(name);
  if (be.planInt8) runInt8PlanConformance(name, () => be);
  else
    describe(`int8 on ${name} (no planInt8)`, () => {
      it('QuantizedELM runs the portable JS int8 plan and matches it exactly', () => {
        const data = blobs(60, 6, 3, 4);
        const q = quantizeElm(ELM.fit(data, { hidden: 40, seed: 2 }, { backend: be }), {}, be);
        const ref = new Float32Array(60 * 3);
        createJsInt8Plan(q.int8PlanSpec()).run(60, data.x, ref);
        assert.deepEqual(q.predictRaw(data.x, 60), ref);
      });
    });
}
const wasm = registry.get('wasm');

describe('int8 ELM on wasm vs JS (digits)', () => {
  it('the JS backend has no planInt8 and runs the portable path', () => {
    assert.equal(createJsBackend().planInt8, undefined);
  });

  it('wasm int8 = JS int8 within the tolerance, same labels, and both within the float bound', async () => {
    const { train, test } = await digits();
    const f = ELM.fit(train, { hidden: 1024, seed: 5 }, { backend: wasm });
    const qw = quantizeElm(f, {}, wasm);
    const qj = quantizeElm(f, {}, createJsBackend());
    const n = test.rows,
      m = f.outputDim,
      d = f.inputDim,
      l = f.spec.config.hidden;
    const a = qw.predictRaw(test.x, n),
      b = qj.predictRaw(test.x, n);
    const spec = qw.int8PlanSpec();
    assert.ok(worstRatio(spec, n, test.x, a, b) <= 1);
    const la = new Int32Array(n),
      lb = new Int32Array(n);
    argmaxRows(n, m, a, la);
    argmaxRows(n, m, b, lb);
    let same = 0;
    for (let r = 0; r < n; r++) if (la[r] === lb[r]) same++;
    assert.ok(same / n >= 0.995, `labels agree on ${same}/${n}`);
    const accW = evaluate(qw, test).accuracy!,
      accF = evaluate(f, test).accuracy!;
    assert.ok(accF - accW <= 0.005, `int8 ${accW} vs float ${accF}`);
    // single-row calls (the zero-skipping latency path) give the batch's answers
    const one = new Float32Array(m);
    for (let r = 0; r < 20; r++) {
      qw.predictRaw(test.x.subarray(r * d, (r + 1) * d), 1, one);
      for (let c = 0; c < m; c++) assert.equal(one[c], a[r * m + c]);
    }

    // analytic bound against the float model, first order in the quantisation steps: input (xs/2 per value), W
    // (s_j/2), hidden (sh/2) and β (βs_c/2) errors, propagated through the activation's Lipschitz constant (tanh: 1)
    const raw = generateHiddenWeights(f.spec.config.seed, d, l, f.spec.config.weightScale);
    const fw = foldStandardizer(f.spec.standardizer, raw.w, raw.b, d, l);
    const act = activationFn(f.spec.config.activation);
    const absW = new Float64Array(l);
    for (let i = 0; i < d; i++) for (let j = 0; j < l; j++) absW[j] += Math.abs(fw.w[i * l + j]!);
    const fl = f.predictRaw(test.x, n);
    const z = new Float64Array(l),
      e = new Float64Array(l),
      xq = new Uint8Array(d);
    let worst = 0;
    for (let r = 0; r < n; r++) {
      const x = test.x.subarray(r * d, (r + 1) * d);
      const { scale: xs } = quantizeRowU8(x, 0, d, xq);
      let sx = 0;
      for (let i = 0; i < d; i++) sx += Math.abs(x[i]!);
      z.set(fw.b);
      for (let i = 0; i < d; i++) if (x[i] !== 0) for (let j = 0; j < l; j++) z[j] += x[i]! * fw.w[i * l + j]!;
      let hmax = 0;
      for (let j = 0; j < l; j++) {
        e[j] = (spec.wScale[j]! / 2) * sx + (xs / 2) * absW[j]! + 1e-5; // |Δ pre-activation|
        hmax = Math.max(hmax, Math.abs(act(z[j]!)) + e[j]!);
      }
      const sh = hmax / 127;
      for (let c = 0; c < m; c++) {
        let bound = 0;
        for (let j = 0; j < l; j++) {
          const beta = Math.abs(f.beta[j * m + c]!);
          bound += (e[j]! + sh / 2) * (beta + spec.betaScale[c]! / 2) + (Math.abs(act(z[j]!)) * spec.betaScale[c]!) / 2;
        }
        bound += FLIPS * hmax * spec.betaScale[c]!; // the int8 paths' own rounding differences
        const i = r * m + c;
        worst = Math.max(worst, Math.abs(a[i]! - fl[i]!) / bound, Math.abs(b[i]! - fl[i]!) / bound);
      }
    }
    if (process.env.INT8_VERBOSE) console.log(`int8 vs float: ${worst.toFixed(3)} of the analytic bound`);
    assert.ok(worst <= 1, `int8 vs float: ${worst.toFixed(3)} of the analytic bound`);
    qw.dispose();
    f.dispose();
  });
});
