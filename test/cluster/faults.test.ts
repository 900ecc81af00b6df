import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connectCluster } from '../../src/adapters/node/nats/index.js';
import type { ClusterClient } from '../../src/cluster/client.js';
import type { MessagingPort } from '../../src/cluster/port.js';
import type { Presence } from '../../src/cluster/presence.js';
import { ClusterRegistry } from '../../src/cluster/registry.js';
import { skipNoNats, startNats, type SingleNats } from '../helpers/nats.js';
import type { ElmscaleProc } from '../helpers/proc.js';
import { waitUntil } from '../helpers/wait.js';
import { inferBody, post, row } from '../serving/helpers.js';
import { clientFor, clusterFixtures, loadLoop, startNode, waitForHolders, stopAllLoads } from './helpers.js';

/**
 * Faults with real processes, counted against a ledger of what the clients saw: SIGKILL and SIGSTOP of a node under
 * load through ClusterClient, and a restart of the NATS server while nodes keep serving over HTTP.
 */
describe('cluster faults', { skip: skipNoNats }, () => {
  let nats: SingleNats;
  let port: MessagingPort;
  let presence: Presence;
  let client: ClusterClient;
  let cf: Awaited<ReturnType<typeof clusterFixtures>>;
  const nodes = new Map<string, ElmscaleProc>();

  before(async () => {
    cf = await clusterFixtures();
    nats = await startNats();
    port = await connectCluster(nats.url, { name: 'test' });
    await (await ClusterRegistry.open(port)).deploy({ name: 'digits', bytes: cf.v1 });
    // A short per-attempt timeout: a stopped node costs a request this much before its retry elsewhere.
    ({ presence, client } = await clientFor(port, 400));
    for (const id of ['a', 'b', 'c']) nodes.set(id, await startNode(nats.url, id));
    await waitForHolders(presence, 'digits', '1', ['a', 'b', 'c']);
  });
  after(async () => {
    await stopAllLoads();
    for (const n of nodes.values()) {
      n.proc.cont();
      await n.proc.close();
    }
    presence?.close();
    await port?.close();
    await nats?.close();
  });

  it('SIGKILL of one of three nodes under load: no request fails', async () => {
    const load = loadLoop(8, () => client.infer(cf.call('digits', 2)));
    await waitUntil('some traffic', () => load.ledger.ok > 100);
    await nodes.get('c')!.proc.kill();
    const okAtKill = load.ledger.ok;
    await waitUntil('traffic after the kill', () => load.ledger.ok > okAtKill + 300);
    const ledger = await load.stop();
    assert.deepEqual(ledger.failed, [], `failed statuses ${ledger.failed.join(',')}`);
    nodes.delete('c');
  });

  it('SIGSTOP of a node under load: it is routed around within the timeout, nothing fails', async () => {
    const b = nodes.get('b')!;
    const load = loadLoop(8, () => client.infer(cf.call('digits', 4)));
    await waitUntil('some traffic', () => load.ledger.ok > 100);
    b.proc.stop();
    const okAtStop = load.ledger.ok;
    const stoppedAt = Date.now();
    // Stopped for several timeouts (400 ms), so requests caught on b time out and must be retried elsewhere.
    await waitUntil(
      'traffic while b is stopped',
      () => load.ledger.ok > okAtStop + 300 && Date.now() - stoppedAt > 2000,
      {
        timeoutMs: 30_000,
      },
    );
    b.proc.cont();
    const ledger = await load.stop();
    assert.deepEqual(ledger.failed, [], `failed statuses ${ledger.failed.join(',')}`);
    assert.ok(ledger.retried > 0, 'requests caught on the stopped node were retried elsewhere');
  });

  it('NATS restart: nodes keep answering over HTTP meanwhile, then rejoin and serve over NATS again', async () => {
    const aUrl = nodes.get('a')!.ready;
    const body = inferBody([row(cf.fx.data, 6)]);
    await nats.server.kill();
    for (let i = 0; i < 20; i++) {
      const r = await post(`${aUrl}/v2/models/digits/infer`, body);
      assert.equal(r.status, 200, 'the model held here still answers while NATS is down');
    }
    await nats.server.restart();
    // The client connection and the nodes reconnect by themselves; presence comes back with the next beats.
    await waitForHolders(presence, 'digits', '1', ['a', 'b']);
    await waitUntil('inference over NATS again', async () => (await client.infer(cf.call('digits', 6))).status === 200);
  });
});
