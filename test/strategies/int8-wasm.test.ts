/**
 * The int8 ELM (QuantizedELM) over the planInt8 kernel: on a backend that does not register planInt8 it runs the
 * kernel's JS reference; the wasm int8 ELM on digits is checked against the JS int8 path and the float model's
 * analytic quantisation error bound. The kernel's own conformance suite is test/numeric/conformance-int8.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selectBackend } from '../../src/adapters/node/backends.js';
import { activationFn } from '../../src/numeric/activations.js';
import { createBackend } from '../../src/numeric/backend.js';
import { createJsBackend, jsKernels, planInt8Js } from '../../src/numeric/js/index.js';
import { argmaxRows } from '../../src/numeric/rows.js';
import { ELM } from '../../src/models/elm.js';
import { evaluate } from '../../src/models/evaluate.js';
import { foldStandardizer, generateHiddenWeights } from '../../src/models/hidden-layer.js';
import { quantizeRowU8 } from '../../src/strategies/quantize/int8.js';
import { quantizeElm } from '../../src/strategies/quantize/quantized-elm.js';
import { FLIPS, worstRatio } from '../numeric/conformance-int8.js';
import { digits } from './helpers.js';
import { blobs } from '../helpers/toy-data.js';

describe('int8 ELM on a backend without planInt8', () => {
  it('QuantizedELM runs the JS reference of the kernel and matches it exactly', () => {
    const be = createBackend('js-without-int8', { ...jsKernels(), planInt8: undefined });
    assert.equal(be.hasKernel('planInt8'), false);
    const data = blobs(60, 6, 3, 4);
    const q = quantizeElm(ELM.fit(data, { hidden: 40, seed: 2 }, { backend: be }), {}, be);
    const ref = new Float32Array(60 * 3);
    planInt8Js(q.int8PlanSpec()).run(60, data.x, ref);
    assert.deepEqual(q.predictRaw(data.x, 60), ref);
  });
});

const wasm = await selectBackend({ name: 'wasm' });

describe('int8 ELM on wasm vs JS (digits)', () => {
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
