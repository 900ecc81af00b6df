import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connectCluster } from '../../src/adapters/node/nats/index.js';
import type { ClusterClient } from '../../src/cluster/client.js';
import type { MessagingPort } from '../../src/cluster/port.js';
import type { Presence } from '../../src/cluster/presence.js';
import { ClusterRegistry } from '../../src/cluster/registry.js';
import { isElmError } from '../../src/core/errors.js';
import { skipNoNats, startNats, type SingleNats } from '../helpers/nats.js';
import type { ElmscaleProc } from '../helpers/proc.js';
import { waitUntil } from '../helpers/wait.js';
import { close, get, inferBody, post, row } from '../serving/helpers.js';
import {
  answerJson,
  clientFor,
  clusterFixtures,
  loadLoop,
  startNode,
  waitForHolders,
  stopAllLoads,
} from './helpers.js';

const utf8 = new TextEncoder();

describe('cluster nodes on one JetStream server', { skip: skipNoNats }, () => {
  let nats: SingleNats;
  let port: MessagingPort;
  let registry: ClusterRegistry;
  let presence: Presence;
  let client: ClusterClient;
  let cf: Awaited<ReturnType<typeof clusterFixtures>>;
  const nodes: ElmscaleProc[] = [];
  const local = (m: 'model' | 'model2', i: number) =>
    Array.from(cf.fx[m].predict(Float32Array.from(row(cf.fx.data, i)), 1));

  before(async () => {
    cf = await clusterFixtures();
    nats = await startNats();
    port = await connectCluster(nats.url, { name: 'test' });
    registry = await ClusterRegistry.open(port);
    ({ presence, client } = await clientFor(port));
    // Deployed before any node runs: every node that joins later must get it.
    await registry.deploy({ name: 'digits', bytes: cf.v1 });
    nodes.push(await startNode(nats.url, 'a'));
    nodes.push(await startNode(nats.url, 'b', ['--model', cf.files.v2])); // also holds "v2" outside the registry
    await waitForHolders(presence, 'digits', '1', ['a', 'b']);
  });
  after(async () => {
    await stopAllLoads();
    for (const n of nodes) await n.proc.close();
    presence?.close();
    await port?.close();
    await nats?.close();
  });

  it('late joiners load the current models; ClusterClient answers like the model, from every holder', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const a = await client.infer(cf.call('digits', i % 10));
      assert.equal(a.status, 200, String(a.payload));
      assert.ok(close(answerJson(a).outputs![0]!.data, local('model', i % 10)));
      seen.add(a.node!);
    }
    assert.deepEqual([...seen].sort(), ['a', 'b'], 'load spreads over both holders');
  });

  it('bad input over NATS gets the same coded errors as over HTTP; an unknown model fails at once', async () => {
    const cases: [Uint8Array, number, string][] = [
      [utf8.encode('{bad json'), 400, 'ELM_ERR_BAD_REQUEST'],
      [utf8.encode(''), 400, 'ELM_ERR_BAD_REQUEST'],
      [utf8.encode(inferBody([[1, 2, 3]])), 400, 'ELM_ERR_BAD_REQUEST'],
      [
        utf8.encode(
          JSON.stringify({ inputs: [{ name: 'input', shape: [1, 64], datatype: 'FP32', data: Array(64).fill('x') }] }),
        ),
        400,
        'ELM_ERR_BAD_REQUEST',
      ],
    ];
    for (const [body, status, code] of cases) {
      const a = await client.infer({ model: 'digits', body });
      assert.equal(a.status, status);
      assert.equal(answerJson(a).code, code);
      assert.equal(a.attempts, 1, 'a bad request is not retried');
    }
    const t0 = performance.now();
    const none = await client.infer(cf.call('nobody-has-this', 0));
    assert.equal(none.status, 503);
    assert.equal(answerJson(none).code, 'ELM_ERR_NO_RESPONDERS');
    assert.ok(performance.now() - t0 < 1000, 'no responders is answered at once, not after the timeout');
  });

  it("a node's HTTP front forwards models held elsewhere, and answers 404 for models nobody holds", async () => {
    const aUrl = nodes[0]!.ready;
    const routed = async (path: string) => {
      const m = new RegExp(`^elmscale_cluster_requests_total\\{path="${path}"\\} (\\d+)$`, 'm').exec(
        (await get(`${aUrl}/metrics`)).text,
      );
      return Number(m?.[1] ?? 0);
    };
    const forwarded0 = await routed('forwarded');
    const r = await post(
      `${aUrl}/v2/models/v2/infer`,
      inferBody([row(cf.fx.data, 3)], { outputs: [{ name: 'probabilities' }] }),
    );
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.ok(close(r.json.outputs[0].data, local('model2', 3)));
    assert.equal(await routed('forwarded'), forwarded0 + 1, 'the front counts the forwarded request');
    const local0 = await routed('local');
    assert.equal((await post(`${aUrl}/v2/models/digits/infer`, inferBody([row(cf.fx.data, 3)]))).status, 200);
    assert.equal(await routed('local'), local0 + 1, 'and the one it answers itself');
    const none = await post(`${aUrl}/v2/models/nope/infer`, inferBody([row(cf.fx.data, 3)]));
    assert.equal(none.status, 404);
  });

  it('hot-replaces a version under load with zero failed requests; canary, promote, remove', async () => {
    const load = loadLoop(6, () => client.infer(cf.call('digits', 5)));
    await new Promise((r) => setTimeout(r, 200));
    const d = await registry.deploy({ name: 'digits', bytes: cf.v2 });
    assert.equal(d.record.version, '2');
    await waitForHolders(presence, 'digits', '2', ['a', 'b']);
    await new Promise((r) => setTimeout(r, 200));
    const ledger = await load.stop();
    assert.deepEqual(ledger.failed, []);
    assert.ok(ledger.ok > 20, `only ${ledger.ok} requests`);
    const after2 = await client.infer(cf.call('digits', 5));
    assert.equal(answerJson(after2).model_version, '2');
    assert.ok(close(answerJson(after2).outputs![0]!.data, local('model2', 5)));
    // Deploying what is current again changes nothing.
    assert.equal((await registry.deploy({ name: 'digits', bytes: cf.v2 })).record.version, '2');

    // A canary at 50 %: both versions answer unversioned requests; promote makes it the only one.
    await registry.deploy({ name: 'digits', bytes: cf.v1, canaryShare: 0.5 });
    await waitForHoldersOf(presence, 'digits', '3');
    const versions = new Set<string>();
    for (let i = 0; i < 60; i++) versions.add(answerJson(await client.infer(cf.call('digits', 1))).model_version!);
    assert.deepEqual([...versions].sort(), ['2', '3']);
    await registry.settleCanary('digits', true);
    await waitForHolders(presence, 'digits', '3', ['a', 'b']);
    await registry.remove('digits');
    await waitUntilGone(presence, 'digits');
    assert.equal((await client.infer(cf.call('digits', 1))).status, 503);
  });

  it('a concurrent deploy loses cleanly: compare-and-set on the record, never half-applied', async () => {
    const first = await registry.deploy({ name: 'cas', bytes: cf.v1 });
    const second = await registry.deploy({ name: 'cas', bytes: cf.v2, ifRevision: first.revision });
    await assert.rejects(
      registry.deploy({ name: 'cas', bytes: cf.v1, version: '9', ifRevision: first.revision }),
      (e: unknown) => isElmError(e, 'ELM_ERR_CONFLICT'),
    );
    assert.deepEqual((await registry.get('cas'))!.record, second.record, 'the losing deploy changed nothing');
    // Racing deploys: each one either wins or gets ELM_ERR_CONFLICT, and the record is one winner's, whole.
    const racers = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        registry.deploy({ name: 'cas', bytes: i % 2 ? cf.v1 : cf.v2, version: `r${i}` }),
      ),
    );
    const won = racers
      .filter((r) => r.status === 'fulfilled')
      .map((r) => (r as PromiseFulfilledResult<{ record: { version: string } }>).value);
    for (const r of racers)
      if (r.status === 'rejected') assert.ok(isElmError(r.reason, 'ELM_ERR_CONFLICT'), String(r.reason));
    assert.ok(won.length >= 1);
    const final = (await registry.get('cas'))!.record;
    assert.ok(won.some((w) => w.record.version === final.version));
    const i = Number(final.version.slice(1));
    assert.equal(final.artifact, i % 2 ? cf.v1Sha : cf.v2Sha, 'the record is whole: its artifact is its own');
  });
});

function waitForHoldersOf(presence: Presence, model: string, version: string) {
  return waitUntil(`both nodes holding ${model}@${version}`, () => presence.holders(model, version).length === 2);
}

function waitUntilGone(presence: Presence, model: string) {
  return waitUntil(`${model} unloaded everywhere`, () => presence.holders(model).length === 0);
}
