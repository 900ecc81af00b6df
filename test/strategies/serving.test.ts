import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, type RunningServer } from '../../src/adapters/node/http/index.js';
import { strategyMetricSamples } from '../../src/strategies/usage-metrics.js';
import { trainMixture } from '../../src/strategies/moe/train.js';
import { RouterModel } from '../../src/strategies/route/router.js';
import { digits, strategyCodecs } from './helpers.js';

describe('serving routers and mixtures over HTTP (OIP v2)', () => {
  let s: RunningServer;
  let fx: Awaited<ReturnType<typeof digits>>;
  before(async () => {
    fx = await digits();
    const codecs = strategyCodecs();
    const router = new RouterModel(fx.small, fx.large, { measure: 'max', threshold: 0.15 });
    const moe = trainMixture(fx.train, { experts: 3, hidden: 64 });
    s = await startServer({ port: 0, workers: 0, cache: false, codecs });
    // loaded from artifact bytes, as `elmscale serve --model r.elm` does
    await s.context.loadArtifact('router', { bytes: codecs.encode(router) });
    await s.context.loadArtifact('moe', { bytes: codecs.encode(moe) });
  });
  after(async () => {
    await s.close();
  });

  it('serves both as ordinary models and counts per-member traffic', async () => {
    const rows = 20;
    const data = Array.from(fx.test.x.subarray(0, rows * 64));
    for (const name of ['router', 'moe']) {
      const meta = await (await fetch(`${s.url}/v2/models/${name}`)).json();
      assert.equal(meta.name, name);
      const r = await fetch(`${s.url}/v2/models/${name}/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: [{ name: 'input', shape: [rows, 64], datatype: 'FP32', data }] }),
      });
      assert.equal(r.status, 200, await r.clone().text());
      const j = await r.json();
      assert.ok(j.outputs.length >= 1);
    }
    const samples = strategyMetricSamples(s.registry.entries());
    const share = (model: string, member: string) =>
      samples.find(
        (x) => x.metric === 'elmscale_member_share_ratio' && x.labels.model === model && x.labels.member === member,
      )!.value;
    assert.ok(Math.abs(share('router', 'small') + share('router', 'large') - 1) < 1e-9);
    const q = samples.find((x) => x.metric === 'elmscale_model_queries_total' && x.labels.model === 'moe')!;
    assert.equal(q.value, rows);
    const experts = ['expert0', 'expert1', 'expert2'].reduce((t, m) => t + share('moe', m), 0);
    assert.ok(Math.abs(experts - 1) < 1e-9, 'top-1: one expert activated per query');
    const fl = samples.find((x) => x.metric === 'elmscale_model_flops_per_query' && x.labels.model === 'router')!;
    assert.ok(fl.value >= fx.small.flopsPerRow && fl.value <= fx.small.flopsPerRow + fx.large.flopsPerRow);
  });
});
