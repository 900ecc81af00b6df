import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Histogram, Registry } from 'prom-client';
import { FastCounter, FastHistogram } from '../../src/adapters/node/serving/prom-fast.js';

const BOUNDS = [25e-6, 1e-3, 2.5e-3, 0.1, 1, 10];

describe('prom-fast metrics', () => {
  it('render the same Prometheus text as prom-client for the same observations', async () => {
    const ref = new Registry();
    const fast = new Registry();
    const h = new Histogram({
      name: 'x_seconds',
      help: 'h.',
      labelNames: ['model'],
      buckets: BOUNDS,
      registers: [ref],
    });
    const c = new Counter({ name: 'x_total', help: 'c.', labelNames: ['model', 'outcome'], registers: [ref] });
    const w = new Counter({ name: 'w_total', help: 'w.', labelNames: ['worker'], registers: [ref] });
    const fh = new FastHistogram('x_seconds', 'h.', 'model', BOUNDS, fast);
    const fc = new FastCounter('x_total', 'c.', ['model', 'outcome'], fast);
    const fw = new FastCounter('w_total', 'w.', ['worker'], fast);
    const values = [0, 25e-6, 3e-5, 1e-3, 0.0011, 0.05, 1, 2, 10, 11, 1e6];
    values.forEach((v, i) => {
      const model = i % 3 === 0 ? 'b"\\\n' : 'digits';
      h.observe({ model }, v);
      fh.observe(model, v);
      c.inc({ model, outcome: i % 2 ? 'success' : 'bad_request' });
      fc.series(model, i % 2 ? 'success' : 'bad_request').value++;
    });
    w.inc({ worker: '0' }, 0);
    w.inc({ worker: '1' }, 0.25);
    fw.series('0').value += 0;
    fw.series('1').value += 0.25;
    assert.equal(await fast.metrics(), await ref.metrics());
    // prom-client adds `exemplar: null` to histogram values; the registry ignores it outside OpenMetrics.
    const plain = (x: unknown): unknown =>
      JSON.parse(JSON.stringify(x, (k, v: unknown) => (k === 'exemplar' ? undefined : v)));
    assert.deepEqual(plain(await fast.getMetricsAsJSON()), plain(await ref.getMetricsAsJSON()));
    ref.resetMetrics();
    fast.resetMetrics();
    assert.equal(await fast.metrics(), await ref.metrics());
  });
});
