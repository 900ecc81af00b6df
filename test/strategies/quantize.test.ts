import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createJsBackend } from '../../src/numeric/js/index.js';
import { ELM } from '../../src/models/elm.js';
import { evaluate } from '../../src/models/evaluate.js';
import {
  dequantizeColumns,
  int8Dots,
  int8RowTimesMatrix,
  quantizeColumns,
  quantizeRowU8,
} from '../../src/strategies/quantize/int8.js';
import { QuantizedELM, quantizeElm } from '../../src/strategies/quantize/quantized-elm.js';
import { digits, strategyCodecs } from './helpers.js';
import { blobs } from '../helpers/toy-data.js';

describe('int8 quantisation primitives', () => {
  it('per-column symmetric quantisation: |a − s·q| ≤ s/2, |q| ≤ 127, both layouts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 7 }),
        fc.array(fc.float({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 63, maxLength: 63 }),
        fc.boolean(),
        (r, c, vals, tr) => {
          const a = Float32Array.from(vals.slice(0, r * c).concat(new Array(Math.max(0, r * c - vals.length)).fill(0)));
          const qc = quantizeColumns(a, r, c, tr);
          const back = dequantizeColumns(qc, r, c, tr);
          for (let i = 0; i < r; i++)
            for (let j = 0; j < c; j++) {
              const s = qc.scales[j]!;
              assert.ok(Math.abs(a[i * c + j]! - back[i * c + j]!) <= s / 2 + 1e-6 * Math.abs(a[i * c + j]!) + 1e-30);
              assert.ok(Math.abs(qc.q[tr ? j * r + i : i * c + j]!) <= 127);
            }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('uint8 row quantisation is exact for 8-bit pixels and maps the minimum to 0', () => {
    const x = Float32Array.from([0, 255, 17, 0, 128]);
    const q = new Uint8Array(5);
    const { lo, scale } = quantizeRowU8(x, 0, 5, q);
    assert.equal(lo, 0);
    assert.equal(scale, 1);
    assert.deepEqual(Array.from(q), [0, 255, 17, 0, 128]);
  });

  it('int8 kernels equal the integer reference', () => {
    const d = 5,
      l = 7,
      m = 3;
    const xq = Uint8Array.from([0, 3, 255, 0, 9]);
    const wq = Int8Array.from({ length: d * l }, (_, i) => ((i * 37) % 255) - 127);
    const acc = new Int32Array(l);
    int8RowTimesMatrix(d, l, xq, wq, acc);
    for (let j = 0; j < l; j++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += xq[i]! * wq[i * l + j]!;
      assert.equal(acc[j], s);
    }
    const hq = Int8Array.from({ length: l }, (_, i) => i * 17 - 60);
    const bq = Int8Array.from({ length: m * l }, (_, i) => 127 - ((i * 11) % 255));
    const a2 = new Int32Array(m);
    int8Dots(l, m, hq, bq, a2);
    for (let c = 0; c < m; c++) {
      let s = 0;
      for (let j = 0; j < l; j++) s += hq[j]! * bq[c * l + j]!;
      assert.equal(a2[c], s);
    }
  });
});

describe('QuantizedELM', () => {
  it('keeps digits accuracy within 1 point, both hidden precisions, and stays close to the float scores', async () => {
    const { train, test } = await digits();
    const f = ELM.fit(train, { hidden: 256, seed: 7 });
    const accF = evaluate(f, test).accuracy!;
    for (const hidden of ['int8', 'f32'] as const) {
      const q = quantizeElm(f, { hidden });
      assert.equal(q.kind, 'elm-int8');
      const accQ = evaluate(q, test).accuracy!;
      assert.ok(accF - accQ <= 0.01, `${hidden}: ${accQ} vs ${accF}`);
      const a = f.predictRaw(test.x.subarray(0, 64 * 10), 10);
      const b = q.predictRaw(test.x.subarray(0, 64 * 10), 10);
      let err = 0;
      for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs(a[i]! - b[i]!));
      assert.ok(err < 0.1, `max score error ${err}`);
    }
  });

  it('artifact round trip: ≥ 3.5× smaller than float, same predictions after decode', async () => {
    const { train, test } = await digits();
    const codecs = strategyCodecs();
    const f = ELM.fit(train, { hidden: 1024, seed: 7 });
    const q = quantizeElm(f);
    const fb = codecs.encode(f),
      qb = codecs.encode(q);
    assert.ok(fb.length / qb.length >= 3.5, `ratio ${fb.length / qb.length}`);
    const back = codecs.decode(qb).model;
    assert.ok(back instanceof QuantizedELM);
    assert.deepEqual(back.predict(test.x, test.rows), q.predict(test.x, test.rows));
  });

  it('stored hidden weights are kept as folded int8 and predict identically', () => {
    const data = blobs(300, 6, 3, 5);
    const codecs = strategyCodecs();
    const f = ELM.fit(data, { hidden: 32, seed: 2 }, { backend: createJsBackend() });
    const q = quantizeElm(f);
    const bytes = codecs.encode(q, { storeHiddenWeights: true });
    const back = codecs.decode(bytes).model as QuantizedELM;
    assert.equal(codecs.decode(bytes).header.hiddenWeights, 'int8-folded');
    assert.deepEqual(back.predict(data.x, 50), q.predict(data.x, 50));
  });

  it('refuses models that are not random-feature ELMs', () => {
    assert.throws(
      () => quantizeElm({ kind: 'kernel-elm' } as never),
      (e: { code?: string }) => e.code === 'ELM_ERR_UNSUPPORTED',
    );
  });
});
