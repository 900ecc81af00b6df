import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connectCluster } from '../../src/adapters/node/nats/index.js';
import type { ClusterClient } from '../../src/cluster/client.js';
import type { MessagingPort } from '../../src/cluster/port.js';
import type { Presence } from '../../src/cluster/presence.js';
import { ClusterRegistry } from '../../src/cluster/registry.js';
import { skipNoNats, startNatsCluster, type NatsCluster } from '../helpers/nats.js';
import type { ElmscaleProc } from '../helpers/proc.js';
import { waitUntil } from '../helpers/wait.js';
import {
  answerJson,
  clientFor,
  clusterFixtures,
  loadLoop,
  startNode,
  waitForHolders,
  stopAllLoads,
} from './helpers.js';

/**
 * Nodes on a 3-server JetStream cluster with R3 buckets: losing one NATS server pauses registry writes only for the
 * election, and inference keeps flowing (clients and nodes reconnect to the surviving servers).
 */
describe('cluster nodes on a 3-server JetStream cluster (R3)', { skip: skipNoNats }, () => {
  let nats: NatsCluster;
  let port: MessagingPort;
  let registry: ClusterRegistry;
  let presence: Presence;
  let client: ClusterClient;
  let cf: Awaited<ReturnType<typeof clusterFixtures>>;
  const nodes: ElmscaleProc[] = [];

  before(async () => {
    cf = await clusterFixtures();
    nats = await startNatsCluster();
    const all = nats.urls.join(',');
    port = await connectCluster(all, { name: 'test', pingIntervalMs: 250, maxPingOut: 2 });
    registry = await ClusterRegistry.open(port, { replicas: 3 });
    await registry.deploy({ name: 'digits', bytes: cf.v1 });
    ({ presence, client } = await clientFor(port, 500, 3));
    for (const id of ['a', 'b']) nodes.push(await startNode(all, id, ['--cluster-replicas', '3']));
    await waitForHolders(presence, 'digits', '1', ['a', 'b']);
  });
  after(async () => {
    await stopAllLoads();
    for (const n of nodes) await n.proc.close();
    presence?.close();
    await port?.close();
    await nats?.close();
  });

  it('a NATS server dies under load: no request fails, and a deploy succeeds after the election', async () => {
    const load = loadLoop(4, () => client.infer(cf.call('digits', 1)));
    await waitUntil('some traffic', () => load.ledger.ok > 50);
    const leader = await nats.metaLeader();
    const victim = nats.servers.find((s) => s.name === leader) ?? nats.servers[0]!;
    await victim.kill();
    // Registry writes pause only while a new leader is elected; retry the deploy until it goes through.
    const d = await waitUntil(
      'a deploy after the election',
      () => registry.deploy({ name: 'digits', bytes: cf.v2 }).catch(() => undefined),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    assert.equal(d.record.version, '2');
    await waitForHolders(presence, 'digits', '2', ['a', 'b']).catch(async (e: Error) => {
      const status = await ClusterRegistry.open(port).then((r) => r.get('digits'));
      const nb = await port.kv('elmscale_nodes', { storage: 'memory', replicas: 3, maxAgeMs: 1500 });
      const beats = await Promise.all(
        (await nb.keys()).map(async (k) => [k, (await nb.get(k))?.createdMs, Date.now()]),
      );
      console.log('beats', JSON.stringify(beats), 'last', await nb.lastRevision());
      throw new Error(
        `${e.message}\npresence: ${JSON.stringify(presence.live())}\nrecord: ${JSON.stringify(status)}\n` +
          nodes.map((n) => n.proc.describe('node')).join('\n'),
      );
    });
    const okAtDeploy = load.ledger.ok;
    await waitUntil('traffic after the deploy', () => load.ledger.ok > okAtDeploy + 50);
    const ledger = await load.stop();
    assert.deepEqual(ledger.failed, [], `failed statuses ${ledger.failed.join(',')}`);
    assert.equal(answerJson(await client.infer(cf.call('digits', 1))).model_version, '2');
  });
});
