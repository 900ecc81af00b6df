import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ELM } from '../../src/models/elm.js';
import type { Model } from '../../src/models/model.js';
import { createJsBackend } from '../../src/numeric/js/index.js';
import { warmUp } from '../../src/serving/warm-up.js';
import { blobs } from '../helpers/toy-data.js';

describe('warmUp', () => {
  it('runs one row and a batch, and leaves predictions unchanged', () => {
    const data = blobs(120, 6, 3, 7);
    const model = ELM.fit(data, { hidden: 32 }, { backend: createJsBackend() });
    const x = data.x.subarray(0, 5 * 6);
    const before = model.predict(x, 5);
    const calls: number[] = [];
    const spy = Object.assign(Object.create(model) as Model, {
      predict: (xx: Float32Array, rows: number, out?: Float32Array) => {
        calls.push(rows);
        assert.equal(xx.length, rows * 6);
        return model.predict(xx, rows, out);
      },
    });
    warmUp(spy);
    assert.deepEqual(calls, [1, 8]);
    assert.deepEqual(Array.from(model.predict(x, 5)), Array.from(before));
  });

  it('resets a composite model’s usage counters: the warm-up is no query', () => {
    let resets = 0;
    const composite = {
      inputDim: 4,
      outputDim: 2,
      members: [],
      predict: (_x: Float32Array, rows: number) => new Float32Array(rows * 2),
      usage: () => ({ queries: 0, flops: 0, members: [] }),
      resetUsage: () => void resets++,
    } as unknown as Model;
    warmUp(composite);
    assert.equal(resets, 1);
  });
});
