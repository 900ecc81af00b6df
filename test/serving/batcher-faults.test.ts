import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { nodeScheduler } from '../../src/adapters/node/serving/runtime.js';
import { isElmError } from '../../src/core/errors.js';
import { Batcher } from '../../src/serving/batching/batcher.js';
import { dynamicBatching } from '../../src/serving/batching/policy.js';

// An exception inside a batch's then-callback used to be an unhandled rejection, which ends a Node 20 process.
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown): void => void unhandled.push(e);
before(() => process.on('unhandledRejection', onUnhandled));
after(() => process.off('unhandledRejection', onUnhandled));

const options = { inputDim: 2, outputDim: 3, maxQueueRows: 100, slots: () => 1, retryAfterS: 1 };
const policy = () => dynamicBatching({ maxBatchRows: 8, maxQueueDelayUs: 0 });
const tick = () => new Promise((r) => setTimeout(r, 20));

it('an executor that returns too few outputs fails its requests with a coded error, and the batcher goes on', async () => {
  let short = true;
  const b = new Batcher(
    async (_x, rows) => new Float32Array(short ? rows * 3 - 1 : rows * 3),
    policy(),
    nodeScheduler,
    options,
  );
  const rs = await Promise.allSettled([b.submit(new Float32Array(2), 1), b.submit(new Float32Array(2), 1)]);
  for (const r of rs) {
    assert.equal(r.status, 'rejected');
    assert.ok(isElmError((r as PromiseRejectedResult).reason, 'ELM_ERR_INTERNAL'));
  }
  short = false;
  assert.equal((await b.submit(new Float32Array(2), 1)).out.length, 3);
  await tick();
  assert.deepEqual(unhandled, []);
});

it('a throwing onBatch hook neither fails requests nor escapes as an unhandled rejection', async () => {
  const b = new Batcher(async (_x, rows) => new Float32Array(rows * 3), policy(), nodeScheduler, {
    ...options,
    onBatch: () => {
      throw new Error('metrics exporter broke');
    },
  });
  const outs = await Promise.all([b.submit(new Float32Array(2), 1), b.submit(new Float32Array(4), 2)]);
  assert.deepEqual(
    outs.map((o) => o.out.length),
    [3, 6],
  );
  // A failing executor with the throwing hook: requests reject with the executor's error, nothing escapes.
  const c = new Batcher(async () => Promise.reject(new Error('boom')), policy(), nodeScheduler, {
    ...options,
    onBatch: () => {
      throw new Error('metrics exporter broke');
    },
  });
  await assert.rejects(c.submit(new Float32Array(2), 1), /boom/);
  await tick();
  assert.deepEqual(unhandled, []);
});
