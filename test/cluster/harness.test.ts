import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import {
  rawConnect,
  skipNoNats,
  startNats,
  startNatsCluster,
  type NatsCluster,
  type SingleNats,
} from '../helpers/nats.js';
import { startElmscale } from '../helpers/proc.js';
import { httpGet, waitUntil } from '../helpers/wait.js';

const te = new TextEncoder();
const td = new TextDecoder();

describe('nats harness: one JetStream server', { skip: skipNoNats }, () => {
  let nats: SingleNats;
  before(async () => {
    nats = await startNats();
  });
  after(async () => {
    await nats?.close();
  });

  it('round-trips a pub/sub message on a loopback port', async () => {
    assert.match(nats.url, /^nats:\/\/127\.0\.0\.1:\d+$/);
    const nc = await rawConnect(nats.url);
    try {
      const sub = nc.subscribe('harness.ping', { max: 1 });
      nc.publish('harness.ping', te.encode('hello'));
      for await (const m of sub) assert.equal(td.decode(m.data), 'hello');
    } finally {
      await nc.close();
    }
  });

  it('keeps JetStream data across a SIGKILL and a restart on the same ports and store dir', async () => {
    let nc = await rawConnect(nats.url);
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'SURVIVE', subjects: ['survive.>'] });
    const ack = await jetstream(nc).publish('survive.one', te.encode('kept'));
    await nc.close();

    await nats.server.kill();
    assert.equal(await nats.server.responsive(), false);
    await nats.server.restart();

    nc = await rawConnect(nats.url);
    try {
      const m = await (await jetstreamManager(nc)).streams.getMessage('SURVIVE', { seq: ack.seq });
      assert.equal(td.decode(m!.data), 'kept');
    } finally {
      await nc.close();
    }
  });

  it('detects a SIGSTOPped server (monitoring port silent) and sees it again after SIGCONT', async () => {
    assert.equal(await nats.server.responsive(), true);
    nats.server.stop();
    try {
      assert.equal(await nats.server.responsive(200), false);
      assert.equal(nats.server.alive, true);
    } finally {
      nats.server.cont();
    }
    await waitUntil('the continued server', () => nats.server.responsive());
  });
});

describe('nats harness: a 3-server JetStream cluster', { skip: skipNoNats }, () => {
  let cluster: NatsCluster;
  before(async () => {
    cluster = await startNatsCluster();
  });
  after(async () => {
    await cluster?.close();
  });

  it('elects a meta leader and survives killing one server: an R3 KV put still works after election', async () => {
    assert.equal(cluster.servers.length, 3);
    const leader = await cluster.metaLeader();
    assert.ok(leader && ['n1', 'n2', 'n3'].includes(leader));
    const victim = cluster.servers.find((s) => s.name === leader)!;
    const others = cluster.servers.filter((s) => s !== victim);

    const nc = await rawConnect(others.map((s) => s.url));
    try {
      const kv = await new Kvm(nc).create('harness_r3', { replicas: 3 });
      await kv.put('k', te.encode('before'));

      await victim.kill(); // the meta leader itself: the remaining two must elect a new one
      await waitUntil('a new meta leader', async () => {
        const l = await cluster.metaLeader();
        return l !== undefined && l !== leader;
      });
      await waitUntil('an R3 put after the election', async () => (await kv.put('k', te.encode('after'))) > 0, {
        intervalMs: 100,
      });
      // KV gets are direct gets, which any replica may answer: a follower can still return the old value for a
      // moment after the put, so wait for the read to catch up rather than expect it at once.
      await waitUntil('the new value readable', async () => (await kv.get('k'))?.string() === 'after', {
        intervalMs: 50,
      });

      await victim.restart(); // rejoins with its store dir and catches up
      await cluster.waitJetStream(3);
    } finally {
      await nc.close();
    }
  });
});

describe('process helper: elmscale nodes as child processes', () => {
  it('starts `serve`, waits for its URL, stops and continues it, and kills it', async () => {
    const { proc, ready: url } = await startElmscale(['serve', '--port', '0']);
    try {
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal((await httpGet(`${url}/v2/health/live`))?.status, 200);
      proc.stop();
      assert.equal(await httpGet(`${url}/v2/health/live`, 300), undefined);
      proc.cont();
      await waitUntil('the continued node', async () => (await httpGet(`${url}/v2/health/live`))?.status === 200);
      const exit = await proc.kill();
      assert.equal(exit.signal, 'SIGKILL');
      assert.match(proc.stderr() + proc.stdout(), /serving 0 model/);
    } finally {
      await proc.close();
    }
  });

  it('reports the output of a process that exits before it is ready', async () => {
    await assert.rejects(startElmscale(['serve', '--port', 'nope'], { readyTimeoutMs: 20_000 }), /exited|output tail/);
  });
});
