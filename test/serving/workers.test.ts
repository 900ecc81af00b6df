import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, type RunningServer } from '../../src/adapters/node/http/index.js';
import { WorkerPool } from '../../src/adapters/node/workers/pool.js';
import { roundRobin } from '../../src/serving/balancing/balancers.js';
import { ModelCodecs } from '../../src/models/artifact/codecs.js';
import { close, fixtures, get, inferBody, post, row } from './helpers.js';

describe('worker pool', () => {
  let s: RunningServer;
  let fx: Awaited<ReturnType<typeof fixtures>>;
  before(async () => {
    fx = await fixtures();
    s = await startServer({
      port: 0,
      workers: 2,
      balancer: 'round-robin',
      cache: false,
      models: [{ name: 'digits', model: fx.model }],
    });
  });
  after(() => s.close());

  const probs = (rows: number[][]) =>
    post(`${s.url}/v2/models/digits/infer`, inferBody(rows, { outputs: [{ name: 'probabilities' }] }));

  it('returns what the model computes in-process, spread over both workers', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => row(fx.data, i));
    const rs = await Promise.all(rows.map((r) => probs([r])));
    rs.forEach((r, i) => {
      assert.equal(r.status, 200);
      assert.ok(close(r.json.outputs[0].data, Array.from(fx.model.predict(Float32Array.from(rows[i]!), 1))));
    });
    const m = (await get(`${s.url}/metrics`)).text;
    assert.match(m, /elmscale_workers 2/);
    assert.match(m, /elmscale_worker_busy_seconds_total\{worker="0"\} [0-9.e-]+/);
    // worker 1 may have had no batch (least-outstanding, fast model), but its series must exist
    assert.match(m, /elmscale_worker_busy_seconds_total\{worker="1"\} [0-9.e-]+/);
  });

  it('replaces a crashed worker and retries its in-flight batches: no request lost', async () => {
    const pool = s.executor as WorkerPool;
    const rows = Array.from({ length: 64 }, (_, i) => row(fx.data, i % 50));
    const pending = rows.map((r) => probs([r, r, r]));
    await new Promise((r) => setTimeout(r, 1));
    await pool.crash(0);
    const rs = await Promise.all(pending);
    rs.forEach((r, i) => {
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.ok(
        close(r.json.outputs[0].data.slice(0, 10), Array.from(fx.model.predict(Float32Array.from(rows[i]!), 1))),
      );
    });
    for (let i = 0; i < 100 && pool.alive() < 2; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(pool.alive(), 2);
    assert.equal((await probs([row(fx.data, 1)])).status, 200);
  });

  it('hot-replaces a version with workers, weights reach the workers', async () => {
    await s.service.load('digits', { model: fx.model2 }, { version: '1' });
    const r = await probs([row(fx.data, 4)]);
    assert.ok(close(r.json.outputs[0].data, Array.from(fx.model2.predict(Float32Array.from(row(fx.data, 4)), 1))));
  });
});

describe('WorkerPool directly', () => {
  it('runs non-ELM kinds from shared artifact bytes and fails a batch only after a retry', async () => {
    const fx = await fixtures();
    const codecs = new ModelCodecs();
    const pool = await WorkerPool.create({ workers: 1, balancer: roundRobin(), codecs });
    try {
      // An artifact-shipped model (decoded in the worker).
      await pool.load('k', { model: fx.model, bytes: codecs.encode(fx.model) });
      const x = Float32Array.from(row(fx.data, 2));
      const out = await pool.run('k', x, 1);
      assert.ok(close(Array.from(out), Array.from(fx.model.predict(x, 1))));
      await assert.rejects(pool.run('missing', x, 1), /not loaded/);
      // Crash the only worker with batches in flight: they wait for its replacement and are retried once. The
      // batches are 2 000 rows each (milliseconds of work), so the crash surely lands while some are in flight —
      // one-row batches could all finish before the worker is terminated.
      const rows = 2000;
      const big = new Float32Array(rows * x.length);
      for (let r = 0; r < rows; r++) big.set(x, r * x.length);
      const want = Array.from(fx.model.predict(big, rows));
      const inflight = Array.from({ length: 20 }, () => pool.run('k', big, rows));
      void pool.crash(0);
      const outs = await Promise.all(inflight);
      for (const o of outs) assert.ok(close(Array.from(o), want));
      assert.ok(pool.retried > 0, 'batches were retried');
      assert.equal(pool.crashes, 1);
    } finally {
      await pool.close();
    }
  });
});
