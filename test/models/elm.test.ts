import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ELM } from '../../src/models/elm.js';
import { evaluate } from '../../src/models/evaluate.js';
import { ACTIVATIONS } from '../../src/core/types.js';
import { isElmError } from '../../src/core/errors.js';
import { blobs, smoothRegression, sliceRows } from '../helpers/toy-data.js';
import { maxRelErr } from '../helpers/random.js';

describe('ELM', () => {
  const train = blobs(600, 5, 4, 1);
  const test = blobs(200, 5, 4, 1);

  for (const activation of ACTIVATIONS.filter((a) => a !== 'identity'))
    it(`classifies separable blobs with ${activation}`, () => {
      const m = ELM.fit(train, { hidden: 64, activation, seed: 3 });
      assert.ok(evaluate(m, test).accuracy! > 0.97, activation);
      const p = m.predict(test.x.subarray(0, 5 * 3), 3);
      for (let r = 0; r < 3; r++) {
        const s = p.subarray(r * 4, r * 4 + 4).reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(s - 1) < 1e-5, 'probabilities sum to 1');
      }
      assert.deepEqual(m.labels, ['c0', 'c1', 'c2', 'c3']);
    });

  it('regresses a smooth function to small RMSE (multi-output shape honoured)', () => {
    const m = ELM.fit(smoothRegression(2000, 2), { hidden: 200, C: 1000 });
    const ev = evaluate(m, smoothRegression(500, 9));
    assert.ok(ev.rmse! < 0.05, `rmse ${ev.rmse}`);
    const two = { ...smoothRegression(300, 4), targets: 2 };
    two.y = Float32Array.from({ length: 600 }, (_, i) => (i % 2 ? 1 : -1) * (smoothRegression(300, 4).y[i >> 1] ?? 0));
    const m2 = ELM.fit(two, { hidden: 50 });
    assert.equal(m2.outputDim, 2);
    assert.equal(m2.predict(two.x, 2).length, 4);
  });

  it('β solves the ridge normal equations (residual check in float64)', () => {
    const d = sliceRows(train, 0, 300);
    const C = 10;
    const m = ELM.fit(d, { hidden: 40, C });
    const l = 40,
      k = 4;
    const h = new Float32Array(d.rows * l);
    m.hiddenLayer(d.x, d.rows, h);
    let worst = 0;
    for (let i = 0; i < l; i++)
      for (let c = 0; c < k; c++) {
        let lhs = m.beta[i * k + c]! / C;
        let rhs = 0;
        for (let r = 0; r < d.rows; r++) {
          let hb = 0;
          for (let j = 0; j < l; j++) hb += h[r * l + j]! * m.beta[j * k + c]!;
          lhs += h[r * l + i]! * hb;
          rhs += h[r * l + i]! * (d.y[r] === c ? 1 : 0);
        }
        worst = Math.max(worst, Math.abs(lhs - rhs) / (Math.abs(rhs) + 1));
      }
    assert.ok(worst < 1e-3, `normal-equation residual ${worst}`);
  });

  it('is deterministic in the seed and independent of the training block size', () => {
    const a = ELM.fit(train, { hidden: 50, seed: 11, chunkRows: 1024 });
    const b = ELM.fit(train, { hidden: 50, seed: 11, chunkRows: 7 });
    const c = ELM.fit(train, { hidden: 50, seed: 12 });
    assert.ok(maxRelErr(a.beta, b.beta, 1e-3) < 1e-4);
    assert.deepEqual(a.w, ELM.fit(train, { hidden: 50, seed: 11 }).w);
    assert.notDeepEqual(a.w, c.w);
  });

  it('rejects bad settings and bad data with coded errors', () => {
    assert.throws(
      () => ELM.fit(train, { hidden: 0 }),
      (e) => isElmError(e, 'ELM_ERR_INVALID_ARGUMENT'),
    );
    assert.throws(
      () => ELM.fit(train, { C: -1 }),
      (e) => isElmError(e, 'ELM_ERR_INVALID_ARGUMENT'),
    );
    assert.throws(
      () => ELM.fit(train, { activation: 'swish' as never }),
      (e) => isElmError(e, 'ELM_ERR_UNKNOWN_ACTIVATION'),
    );
    assert.throws(
      () => ELM.fit({ ...train, rows: 601 }),
      (e) => isElmError(e, 'ELM_ERR_SHAPE_MISMATCH'),
    );
    const m = ELM.fit(train, { hidden: 8 });
    assert.throws(
      () => m.predict(new Float32Array(3), 1),
      (e) => isElmError(e, 'ELM_ERR_SHAPE_MISMATCH'),
    );
  });
});
