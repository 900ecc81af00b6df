import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isElmError, type ErrorCode } from '../../src/core/errors.js';
import { sha256Hex } from '../../src/core/hash.js';
import type { ConnectionEvent, KvEntry, MessagingPort } from '../../src/cluster/port.js';
import { connectCluster } from '../../src/adapters/node/nats/index.js';
import { skipNoNats, startNats, type SingleNats } from '../helpers/nats.js';
import { waitUntil } from '../helpers/wait.js';

const te = new TextEncoder();
const td = new TextDecoder();

async function rejectsWith(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isElmError(e), `expected an ElmError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return true;
  });
}

describe('messaging port over NATS: one JetStream server', { skip: skipNoNats }, () => {
  let nats: SingleNats;
  let a: MessagingPort;
  let b: MessagingPort;
  before(async () => {
    nats = await startNats();
    a = await connectCluster(nats.url, { name: 'a' });
    b = await connectCluster(nats.url, { name: 'b' });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await nats?.close();
  });

  it('a request to a silent responder times out; one to nobody fails at once with no responders', async () => {
    const silent = b.subscribe('t.silent', () => undefined);
    await b.flush();
    await rejectsWith(a.request('t.silent', te.encode('x'), { timeoutMs: 150 }), 'ELM_ERR_TIMEOUT');
    silent.unsubscribe();
    await b.flush();
    const t0 = Date.now();
    await rejectsWith(a.request('t.nobody', te.encode('x'), { timeoutMs: 30_000 }), 'ELM_ERR_NO_RESPONDERS');
    assert.ok(Date.now() - t0 < 30_000, 'no responders must not wait for the timeout');
  });

  it('request/reply carries data and headers both ways', async () => {
    const sub = b.subscribe('t.echo', (m) =>
      m.respond(te.encode(`echo:${td.decode(m.data)}`), { 'x-from': m.headers?.['x-to'] ?? '' }),
    );
    await b.flush();
    const r = await a.request('t.echo', te.encode('hi'), { timeoutMs: 2000, headers: { 'x-to': 'b' } });
    assert.equal(td.decode(r.data), 'echo:hi');
    assert.equal(r.headers?.['x-from'], 'b');
    await sub.drain();
  });

  it('a queue group spreads requests across its two members', async () => {
    const counts = [0, 0];
    const s1 = a.subscribe('t.q', (m) => (counts[0]++, m.respond(te.encode('1'))), { queue: 'workers' });
    const s2 = b.subscribe('t.q', (m) => (counts[1]++, m.respond(te.encode('2'))), { queue: 'workers' });
    await Promise.all([a.flush(), b.flush()]);
    for (let i = 0; i < 200; i++) await a.request('t.q', te.encode(String(i)), { timeoutMs: 2000 });
    assert.equal(counts[0] + counts[1], 200, 'each request answered by exactly one member');
    assert.ok(counts[0] > 0 && counts[1] > 0, `both members served: ${counts}`);
    await Promise.all([s1.drain(), s2.drain()]);
  });

  it('KV create: of two concurrent creators exactly one wins, the other gets ELM_ERR_CONFLICT', async () => {
    const ka = await a.kv('leases');
    const kb = await b.kv('leases');
    const results = await Promise.allSettled([
      ka.create('model.digits', te.encode('a')),
      kb.create('model.digits', te.encode('b')),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    assert.equal(won.length, 1);
    assert.equal(lost.length, 1);
    const err = (lost[0] as PromiseRejectedResult).reason;
    assert.ok(isElmError(err, 'ELM_ERR_CONFLICT'), String(err));
    const winner = results[0].status === 'fulfilled' ? 'a' : 'b';
    assert.equal(td.decode((await ka.get('model.digits'))!.value), winner);
    // a deleted key can be created again (a lease released)
    await ka.delete('model.digits');
    assert.equal(await kb.get('model.digits'), null);
    assert.ok((await kb.create('model.digits', te.encode('again'))) > 0);
  });

  it('KV update with a stale revision fails with ELM_ERR_CONFLICT and changes nothing', async () => {
    const kv = await a.kv('registry', { history: 5 });
    const r1 = await kv.put('digits', te.encode('v1'));
    const r2 = await kv.update('digits', te.encode('v2'), r1);
    assert.ok(r2 > r1);
    await rejectsWith(kv.update('digits', te.encode('v3-stale'), r1), 'ELM_ERR_CONFLICT');
    const cur = (await kv.get('digits'))!;
    assert.equal(td.decode(cur.value), 'v2');
    assert.equal(cur.revision, r2);
    await rejectsWith(kv.delete('digits', { expectedRevision: r1 }), 'ELM_ERR_CONFLICT');
    assert.equal(td.decode((await kv.get('digits'))!.value), 'v2');
    await rejectsWith(kv.update('digits', te.encode('x'), 0), 'ELM_ERR_INVALID_ARGUMENT');
  });

  it('KV watch delivers the current values (ready), then puts and deletes; keys lists live keys', async () => {
    const kv = await a.kv('watched');
    await kv.put('nodes.n1', te.encode('1'));
    await kv.put('nodes.n2', te.encode('2'));
    await kv.put('other', te.encode('x'));
    const seen: KvEntry[] = [];
    const w = await (await b.kv('watched')).watch((e) => seen.push(e), { key: 'nodes.>' });
    await w.ready;
    assert.deepEqual(seen.map((e) => e.key).sort(), ['nodes.n1', 'nodes.n2']);
    await kv.put('nodes.n3', te.encode('3'));
    await kv.delete('nodes.n1');
    await waitUntil('the put and the delete', () => seen.length >= 4);
    assert.deepEqual(
      seen.slice(2).map((e) => [e.key, e.operation, td.decode(e.value)]),
      [
        ['nodes.n3', 'put', '3'],
        ['nodes.n1', 'delete', ''],
      ],
    );
    assert.deepEqual((await kv.keys('nodes.>')).sort(), ['nodes.n2', 'nodes.n3']);
    w.stop();
    await w.closed;

    // an empty bucket's watch is ready at once
    const empty = await (await a.kv('empty_watch')).watch(() => undefined);
    await empty.ready;
    empty.stop();
  });

  it('Object Store round-trips 1 MB and the SHA-256 content hash matches', async () => {
    const data = new Uint8Array(1 << 20);
    for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
    const hash = sha256Hex(data);
    const store = await a.objects('artifacts');
    const info = await store.put(hash, data, { description: 'test artifact' });
    assert.equal(info.size, data.length);
    assert.equal(info.name, hash);
    const back = await (await b.objects('artifacts')).get(hash);
    assert.ok(back);
    assert.equal(back.length, data.length);
    assert.equal(sha256Hex(back), hash);
    assert.equal((await store.info(hash))?.description, 'test artifact');
    assert.deepEqual(
      (await store.list()).map((i) => i.name),
      [hash],
    );
    assert.equal(await store.delete(hash), true);
    assert.equal(await store.get(hash), null);
    assert.equal(await store.info(hash), null);
    assert.equal(await store.delete(hash), false);
  });

  it('a bucket with max age expires its keys', async () => {
    const kv = await a.kv('heartbeats_test', { maxAgeMs: 1000, storage: 'memory' });
    await kv.put('n1', te.encode('alive'));
    assert.ok(await kv.get('n1'));
    await waitUntil('the key to expire', async () => (await kv.get('n1')) === null, {
      timeoutMs: 15_000,
      intervalMs: 100,
    });
    assert.deepEqual(await kv.keys(), []);
  });

  it('bad bucket names are refused with ELM_ERR_INVALID_ARGUMENT', async () => {
    await rejectsWith(a.kv('no.dots'), 'ELM_ERR_INVALID_ARGUMENT');
    await rejectsWith(a.objects('no spaces'), 'ELM_ERR_INVALID_ARGUMENT');
  });

  it('after a server restart the connection reconnects and requests work again', async () => {
    const events: ConnectionEvent['type'][] = [];
    const off = a.onEvent((e) => events.push(e.type));
    const sub = b.subscribe('t.after', (m) => m.respond(m.data));
    await b.flush();
    assert.equal(td.decode((await a.request('t.after', te.encode('1'), { timeoutMs: 2000 })).data), '1');

    await nats.server.kill();
    await waitUntil('a to see the disconnect', () => a.state === 'reconnecting');
    await rejectsWith(a.request('t.after', te.encode('x'), { timeoutMs: 200 }), 'ELM_ERR_TIMEOUT');
    await nats.server.restart();
    await waitUntil('a and b to reconnect', () => a.state === 'connected' && b.state === 'connected');
    await waitUntil('a reply after the restart', async () => {
      const r = await a.request('t.after', te.encode('2'), { timeoutMs: 500 });
      return td.decode(r.data) === '2';
    });
    assert.ok(events.includes('disconnect'), events.join());
    assert.ok(events.includes('reconnect'), events.join());
    off();
    sub.unsubscribe();
    // JetStream state (file storage) came back with the server
    assert.equal(td.decode((await (await a.kv('registry')).get('digits'))!.value), 'v2');
  });

  it('a closed port answers ELM_ERR_CLUSTER_UNAVAILABLE, and close is idempotent', async () => {
    const c = await connectCluster(nats.url);
    await c.close();
    await c.close();
    assert.equal(c.state, 'closed');
    await rejectsWith(c.request('t.x', te.encode('x'), { timeoutMs: 100 }), 'ELM_ERR_CLUSTER_UNAVAILABLE');
    assert.throws(
      () => c.publish('t.x', te.encode('x')),
      (e: unknown) => isElmError(e, 'ELM_ERR_CLUSTER_UNAVAILABLE'),
    );
  });
});
