import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, type RunningServer } from '../../src/adapters/node/http/index.js';
import { trainMixture } from '../../src/strategies/moe/train.js';
import { RouterModel } from '../../src/strategies/route/router.js';
import { digits, strategyCodecs, type Fixtures } from '../strategies/helpers.js';

/** value of `name{labels…}` in Prometheus text (labels matched as a substring set). */
function metric(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.split(' ').pop());
  }
  return undefined;
}

for (const workers of [0, 1]) {
  describe(`per-member strategy metrics on /metrics (workers=${workers})`, () => {
    let s: RunningServer;
    let fx: Fixtures;
    const rows = 30;
    before(async () => {
      fx = await digits();
      const codecs = strategyCodecs();
      const router = new RouterModel(fx.small, fx.large, { measure: 'max', threshold: 0.15 });
      const moe = trainMixture(fx.train, { experts: 3, hidden: 64 });
      // workers decode routers and mixtures with the default strategy codecs module
      s = await startServer({ port: 0, workers, cache: false, codecs, pricePerCoreHour: 0.05 });
      await s.context.loadArtifact('router', { bytes: codecs.encode(router) });
      await s.context.loadArtifact('moe', { bytes: codecs.encode(moe) });
      await s.context.loadArtifact('small', { bytes: codecs.encode(fx.small) });
      const data = Array.from(fx.test.x.subarray(0, rows * 64));
      for (const name of ['router', 'moe', 'small']) {
        // two requests of rows/2 each: counters add up across batches (and workers)
        for (let h = 0; h < 2; h++) {
          const part = data.slice((h * rows * 64) / 2, ((h + 1) * rows * 64) / 2);
          const r = await fetch(`${s.url}/v2/models/${name}/infer`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ inputs: [{ name: 'input', shape: [rows / 2, 64], datatype: 'FP32', data: part }] }),
          });
          assert.equal(r.status, 200, await r.text());
        }
      }
    });
    after(async () => {
      await s?.close();
    });

    it('publishes router shares, experts per query, flops and cost per query per model', async () => {
      const text = await (await fetch(`${s.url}/metrics`)).text();
      assert.equal(metric(text, 'elmscale_model_queries_total', { model: 'router' }), rows);
      assert.equal(metric(text, 'elmscale_model_queries_total', { model: 'moe' }), rows);
      const small = metric(text, 'elmscale_member_share_ratio', { model: 'router', member: 'small' })!;
      const large = metric(text, 'elmscale_member_share_ratio', { model: 'router', member: 'large' })!;
      assert.ok(Math.abs(small + large - 1) < 1e-9, `router shares ${small} + ${large}`);
      assert.ok(small > 0, 'some queries are answered by the small model');
      let experts = 0;
      for (const e of ['expert0', 'expert1', 'expert2']) {
        experts += metric(text, 'elmscale_member_share_ratio', { model: 'moe', member: e })!;
      }
      assert.ok(Math.abs(experts - 1) < 1e-9, `top-1 mixture: 1 expert per query, got ${experts}`);
      const rowsSmall = metric(text, 'elmscale_member_rows_total', { model: 'router', member: 'small' })!;
      assert.ok(Math.abs(rowsSmall - small * rows) < 1e-6);
      assert.match(text, /# TYPE elmscale_member_rows_total counter/);
      const flops = metric(text, 'elmscale_model_flops_per_query', { model: 'router' })!;
      assert.ok(flops >= fx.small.flopsPerRow && flops <= fx.small.flopsPerRow + fx.large.flopsPerRow, `${flops}`);
      assert.equal(metric(text, 'elmscale_model_flops_per_query', { model: 'small' }), fx.small.flopsPerRow);
      for (const m of ['router', 'moe', 'small']) {
        const c = metric(text, 'elmscale_model_compute_seconds_per_query', { model: m })!;
        const cost = metric(text, 'elmscale_model_cost_per_query', { model: m })!;
        assert.ok(c > 0 && c < 1, `${m} compute s/query ${c}`);
        assert.ok(cost >= (c * 0.05) / 3600 - 1e-18, `${m} cost ${cost}`);
        const million = metric(text, 'elmscale_model_cost_per_million_queries', { model: m })!;
        // read at a slightly later moment (process CPU moves on between gauges)
        assert.ok(million > 0.5 * cost * 1e6 && million < 2 * cost * 1e6, `${million} vs ${cost}`);
      }
    });
  });
}
