import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { OnlineELM } from '../../src/models/os-elm.js';
import { createJsBackend } from '../../src/numeric/js/index.js';
import { mirrorUpper } from '../../src/numeric/backend.js';
import { blobs, smoothRegression, sliceRows } from '../helpers/toy-data.js';
import type { LabeledData } from '../../src/models/model.js';
import { targetBlock } from '../../src/models/targets.js';

/** The batch ridge solution in float64 on the model's own (frozen) features, over all rows given. */
function batchBeta(os: OnlineELM, data: LabeledData): Float64Array {
  const be = createJsBackend();
  const l = os.spec.config.hidden,
    m = os.outputDim;
  const h = new Float32Array(data.rows * l);
  os.elm.hiddenLayer(data.x, data.rows, h);
  const t = new Float32Array(data.rows * m);
  targetBlock(data, m, 0, data.rows, t);
  const g = new Float64Array(l * l),
    ht = new Float64Array(l * m);
  be.gramAccumulate(data.rows, l, h, g);
  be.crossAccumulate(data.rows, l, m, h, t, ht);
  mirrorUpper(l, g);
  for (let i = 0; i < l; i++) g[i * l + i] += 1 / os.spec.config.C;
  be.cholesky(l, g);
  be.choleskySolve(l, m, g, ht);
  return ht;
}

function relErr(a: Float64Array, b: Float64Array): number {
  let num = 0,
    den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / den);
}

describe('OnlineELM (OS-ELM)', () => {
  it('after any sequence of chunks, β equals the batch fit on the union (rel. error ≤ 1e-6)', () => {
    const all = blobs(400, 6, 3, 5);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 120 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 200 }),
        (sizes, first) => {
          const os = OnlineELM.fit(sliceRows(all, 0, first), { hidden: 30, C: 5 });
          let end = first;
          for (const s of sizes) {
            const next = Math.min(all.rows, end + s);
            if (next > end) os.partialFit(sliceRows(all, end, next));
            end = next;
          }
          const err = relErr(os.beta64, batchBeta(os, sliceRows(all, 0, end)));
          assert.ok(err <= 1e-6, `relative error ${err}`);
          assert.equal(os.rowsSeen, end);
        },
      ),
      { numRuns: 15, seed: 1 },
    );
  });

  it('works for regression, improves with more data, rejects wrong widths', () => {
    const data = smoothRegression(1200, 3);
    const os = OnlineELM.fit(sliceRows(data, 0, 100), { hidden: 60, C: 100 });
    const test = smoothRegression(300, 8);
    const rmse = (): number => {
      const p = os.predict(test.x, test.rows);
      let s = 0;
      for (let i = 0; i < test.rows; i++) s += (p[i]! - test.y[i]!) ** 2;
      return Math.sqrt(s / test.rows);
    };
    const before = rmse();
    for (let r = 100; r < 1200; r += 250) os.partialFit(sliceRows(data, r, Math.min(1200, r + 250)));
    assert.ok(rmse() < before, `rmse ${rmse()} should beat ${before}`);
    assert.ok(relErr(os.beta64, batchBeta(os, data)) < 1e-6);
    assert.throws(() => os.partialFit({ ...sliceRows(data, 0, 10), cols: 2, x: new Float32Array(20) }), /features/);
  });
});
