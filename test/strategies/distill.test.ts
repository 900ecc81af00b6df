import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate } from '../../src/models/evaluate.js';
import { distill } from '../../src/strategies/distill/distill.js';
import { RouterModel } from '../../src/strategies/route/router.js';
import { smoothRegression } from '../helpers/toy-data.js';
import { ELM } from '../../src/models/elm.js';
import { Xoshiro128 } from '../../src/core/prng.js';
import { shiftAugmenter, squareImageWidth } from '../../src/strategies/distill/augment.js';
import { digits } from './helpers.js';

describe('distillation', () => {
  it('a student with 1/4 of the hidden units keeps most of the teacher accuracy (digits)', async () => {
    const { train, test, large } = await digits();
    const teacher = evaluate(large, test).accuracy!;
    const s = distill(large, train, { hidden: 128 });
    assert.equal(s.kind, 'elm');
    assert.equal(s.hidden, 128);
    assert.deepEqual(s.labels, large.labels);
    const acc = evaluate(s, test).accuracy!;
    assert.ok(acc >= 0.95 * teacher, `student ${acc} teacher ${teacher}`);
    assert.equal(s.metrics.distilledFrom, 'elm');
  });

  it('logit targets reproduce the teacher when the student has the same features', async () => {
    const { train, large } = await digits();
    const s = distill(large, train, { hidden: large.hidden, config: large.spec.config });
    const a = large.predict(train.x, 50),
      b = s.predict(train.x, 50);
    let err = 0;
    for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs(a[i]! - b[i]!));
    assert.ok(err < 0.02, `max probability difference ${err}`);
  });

  it('distils from a composite teacher (router), with temperature, labels and jittered rows', async () => {
    const { train, test, small, large } = await digits();
    const router = new RouterModel(small, large, { measure: 'max', threshold: 0.15 });
    const s = distill(router, train, { hidden: 96, targets: 'probs', temperature: 0.5, labelWeight: 0.3, augment: 2 });
    assert.equal(s.metrics.trainRows, train.rows * 3);
    assert.ok(evaluate(s, test).accuracy! > 0.85);
  });

  it('shift augmentation moves images by one pixel and fills the border with the background', () => {
    const img = Float32Array.from({ length: 9 }, (_, i) => i + 1); // 3×3: 1 2 3 / 4 5 6 / 7 8 9
    const aug = shiftAugmenter(3, 9, 0);
    const rng = new Xoshiro128(1);
    const at = (copy: number): number[] => {
      const x = img.slice();
      aug(x, 1, 9, copy, rng);
      return [...x];
    };
    assert.deepEqual(at(1), [0, 1, 2, 0, 4, 5, 0, 7, 8]); // right
    assert.deepEqual(at(2), [2, 3, 0, 5, 6, 0, 8, 9, 0]); // left
    assert.deepEqual(at(3), [0, 0, 0, 1, 2, 3, 4, 5, 6]); // down
    assert.deepEqual(at(4), [4, 5, 6, 7, 8, 9, 0, 0, 0]); // up
    assert.throws(() => shiftAugmenter(5, 9, 0), /width/);
    assert.equal(squareImageWidth({ cols: 64, sameUnits: true }), 8);
    assert.equal(squareImageWidth({ cols: 64 }), undefined);
  });

  it("a student on the teacher's most important units, with shifted rows, stores those units", async () => {
    const { train, test, large } = await digits();
    const s = distill(large, train, {
      hidden: 128,
      units: 'teacher',
      augment: 4,
      augmentation: 'shift',
      imageWidth: 8,
    });
    assert.equal(s.metrics.trainRows, train.rows * 5);
    assert.ok(s.spec.storedWeights, 'hidden weights are stored');
    assert.equal(s.spec.storedWeights.w.length, 64 * 128);
    const acc = evaluate(s, test).accuracy!;
    assert.ok(acc >= 0.95 * evaluate(large, test).accuracy!, `student ${acc}`);
    assert.throws(() => distill(large, train, { hidden: 8, augment: 1, augmentation: 'shift' }), /imageWidth/);
    assert.throws(() => distill(large, train, { hidden: 1024, units: 'teacher' }), /cannot keep/);
  });

  it('regression teachers are matched on their values', () => {
    const data = smoothRegression(400, 3);
    const t = ELM.fit(data, { hidden: 64, seed: 1 });
    const s = distill(t, data, { hidden: 32 });
    assert.ok(evaluate(s, data).rmse! < 0.2);
  });

  it('validates its options', async () => {
    const { train, large } = await digits();
    assert.throws(() => distill(large, train, { hidden: 0 }), /hidden/);
    assert.throws(() => distill(large, train, { hidden: 8, temperature: 0 }), /temperature/);
  });
});
