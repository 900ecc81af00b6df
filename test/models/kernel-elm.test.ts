import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KernelELM } from '../../src/models/kernel-elm.js';
import { evaluate } from '../../src/models/evaluate.js';
import { blobs, smoothRegression } from '../helpers/toy-data.js';
import { maxRelErr } from '../helpers/random.js';

describe('KernelELM (RBF)', () => {
  it('exact kernel solves (K + I/C)α = T for small N', () => {
    const d = smoothRegression(150, 1);
    const C = 50;
    const m = KernelELM.fit(d, { C, landmarks: 1000 });
    assert.equal(m.spec.method, 'exact');
    const k = new Float32Array(150 * 150);
    m.kernelRows(d.x, 150, k);
    let worst = 0;
    for (let i = 0; i < 150; i++) {
      let s = m.alpha[i]! / C;
      for (let j = 0; j < 150; j++) s += k[i * 150 + j]! * m.alpha[j]!;
      worst = Math.max(worst, Math.abs(s - d.y[i]!));
    }
    assert.ok(worst < 1e-3, `residual ${worst}`);
    assert.ok(evaluate(m, smoothRegression(200, 7)).rmse! < 0.1);
  });

  it('Nyström with every row as a landmark matches the exact solution; fewer landmarks still classify', () => {
    const d = smoothRegression(120, 2);
    const exact = KernelELM.fit(d, { C: 10, landmarks: 120 });
    const nys = KernelELM.fit(d, { C: 10, landmarks: 119 });
    assert.equal(nys.spec.method, 'nystrom');
    const test = smoothRegression(100, 3);
    const pe = exact.predict(test.x, 100),
      pn = nys.predict(test.x, 100);
    assert.ok(maxRelErr(pn, pe) < 0.05, `nystrom vs exact ${maxRelErr(pn, pe)}`);
    const train = blobs(800, 4, 3, 4);
    const cls = KernelELM.fit(train, { landmarks: 60 });
    assert.ok(evaluate(cls, blobs(300, 4, 3, 4)).accuracy! > 0.97);
    assert.equal(cls.centreCount, 60);
  });
});
