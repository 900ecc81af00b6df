import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ConnectionEvent, MessagingPort } from '../../src/cluster/port.js';
import { connectCluster } from '../../src/adapters/node/nats/index.js';
import { skipNoNats, startNatsCluster, type NatsCluster } from '../helpers/nats.js';
import { waitUntil } from '../helpers/wait.js';

const te = new TextEncoder();
const td = new TextDecoder();

interface Connz {
  connections?: { name?: string }[];
}

/** Which server holds the connection named `name` (asked of each server's /connz). */
async function serverOf(cluster: NatsCluster, name: string): Promise<string | undefined> {
  for (const s of cluster.servers) {
    if (!s.alive || s.proc.isStopped) continue;
    const c = await s.monitor<Connz>('connz');
    if (c?.connections?.some((x) => x.name === name)) return s.name;
  }
  return undefined;
}

describe('messaging port over a 3-server JetStream cluster', { skip: skipNoNats }, () => {
  let cluster: NatsCluster;
  let port: MessagingPort;
  before(async () => {
    cluster = await startNatsCluster();
  });
  after(async () => {
    await port?.close();
    await cluster?.close();
  });

  it('an R3 bucket keeps taking compare-and-set writes after the connected server is killed', async () => {
    port = await connectCluster({ servers: cluster.urls }, { name: 'writer', pingIntervalMs: 500, maxPingOut: 2 });
    const kv = await port.kv('registry_r3', { replicas: 3 });
    const r1 = await kv.create('digits', te.encode('v1'));
    const home = await waitUntil('the writer on /connz', () => serverOf(cluster, 'writer'));
    const events: ConnectionEvent['type'][] = [];
    port.onEvent((e) => events.push(e.type));

    await cluster.servers.find((s) => s.name === home)!.kill();
    const r2 = await waitUntil('a CAS write after failover', () => kv.update('digits', te.encode('v2'), r1), {
      intervalMs: 100,
    });
    assert.ok(r2 > r1);
    assert.equal(td.decode((await kv.get('digits'))!.value), 'v2');
    assert.ok(events.includes('reconnect'), events.join());
    assert.notEqual(await serverOf(cluster, 'writer'), home);
  });

  it('a SIGSTOPped server is noticed by client pings: the port moves to a live server', async () => {
    for (const s of cluster.servers) if (!s.alive) await s.restart(); // back to 3, so one stopped server keeps quorum
    await cluster.waitJetStream(3);
    const p = await connectCluster(
      { servers: cluster.urls },
      {
        name: 'pinger',
        pingIntervalMs: 200,
        maxPingOut: 2,
      },
    );
    try {
      const home = await waitUntil('the pinger on /connz', () => serverOf(cluster, 'pinger'));
      const victim = cluster.servers.find((s) => s.name === home)!;
      const events: ConnectionEvent['type'][] = [];
      p.onEvent((e) => events.push(e.type));
      victim.stop();
      try {
        await waitUntil('the stale connection to be replaced', () => events.includes('reconnect'), {
          timeoutMs: 20_000,
        });
        // if the stopped server led the stream, reads wait for JetStream's own election (seconds, not the port's doing)
        const v = await waitUntil(
          'a read of the R3 bucket',
          async () => (await (await p.kv('registry_r3', { replicas: 3 })).get('digits'))?.value,
          { timeoutMs: 30_000, intervalMs: 200 },
        );
        assert.equal(td.decode(v), 'v2');
      } finally {
        victim.cont();
      }
    } finally {
      await p.close();
    }
  });
});
