import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, type RunningServer } from '../../src/adapters/node/http/index.js';
import { sampleHashBytes } from '../../src/serving/caching/key.js';
import { binaryInferRequest, fixtures, get, inferBody, row } from './helpers.js';

interface Raw {
  status: number;
  body: Buffer;
  headers: Record<string, string>;
}

/** POST and keep the reply's exact bytes and headers (minus the date and connection ones). */
async function postRaw(url: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<Raw> {
  const r = await fetch(url, {
    method: 'POST',
    body: body as unknown as string,
    headers: { 'content-type': 'application/json', ...headers },
  });
  const h: Record<string, string> = {};
  r.headers.forEach((v, k) => {
    if (k !== 'date' && k !== 'connection' && k !== 'keep-alive') h[k] = v;
  });
  return { status: r.status, body: Buffer.from(await r.arrayBuffer()), headers: h };
}

describe('reply cache (exact request bytes → serialised reply)', () => {
  let s: RunningServer;
  let url: string;
  let fx: Awaited<ReturnType<typeof fixtures>>;
  const stats = async () => (await get(`${s.url}/v2/models/digits/stats`)).json.model_stats[0].inference_stats;
  const replyEntries = () => s.service.replyCache!.stats().entries;

  before(async () => {
    fx = await fixtures();
    s = await startServer({ port: 0, models: [{ name: 'digits', model: fx.model }] });
    url = `${s.url}/v2/models/digits/infer`;
  });
  after(() => s.close());

  it('answers an identical request with a byte-identical reply, counted as a cache hit', async () => {
    const body = inferBody([row(fx.data, 1), row(fx.data, 2)], {
      id: 'req-1',
      outputs: [{ name: 'class' }, { name: 'probabilities', parameters: { classification: 3 } }],
    });
    const before = await stats();
    const a = await postRaw(url, body);
    const n = replyEntries();
    const b = await postRaw(url, body);
    const c = await postRaw(`${s.url}/v2/models/digits/versions/1/infer`, body);
    assert.equal(a.status, 200);
    assert.deepEqual(b, a);
    assert.deepEqual(c, a);
    assert.equal(JSON.parse(a.body.toString()).id, 'req-1');
    assert.equal(replyEntries(), n);
    const after = await stats();
    assert.equal(after.cache_hit.count - before.cache_hit.count, 2);
    assert.equal(after.cache_miss.count - before.cache_miss.count, 1);
    assert.equal(after.success.count - before.success.count, 3);
    const metrics = (await get(`${s.url}/metrics`)).text;
    assert.match(metrics, /elmscale_cache_hits_total\{model="digits"\} [1-9]/);
  });

  it('keeps a separate entry per id and per content type (each reply echoes its own request)', async () => {
    const rows = [row(fx.data, 3)];
    const n = replyEntries();
    const a = await postRaw(url, inferBody(rows, { id: 'a' }));
    const b = await postRaw(url, inferBody(rows, { id: 'b' }));
    assert.equal(JSON.parse(a.body.toString()).id, 'a');
    assert.equal(JSON.parse(b.body.toString()).id, 'b');
    assert.deepEqual(JSON.parse(a.body.toString()).outputs, JSON.parse(b.body.toString()).outputs);
    assert.equal(replyEntries(), n + 2);
    await postRaw(url, inferBody(rows, { id: 'a' }), { 'content-type': 'text/plain' });
    assert.equal(replyEntries(), n + 3);
    assert.deepEqual((await postRaw(url, inferBody(rows, { id: 'b' }))).body, b.body);
    // Other bytes, same tensors: a new reply entry, answered from the tensor level (a hit, no compute).
    const before = await stats();
    const c = await postRaw(url, ` ${inferBody(rows, { id: 'b' })}`);
    assert.deepEqual(c.body, b.body);
    assert.equal(replyEntries(), n + 4);
    const after = await stats();
    assert.equal(after.cache_hit.count - before.cache_hit.count, 1);
    assert.equal(after.cache_miss.count, before.cache_miss.count);
  });

  it('replays binary_tensor_data replies with their Inference-Header-Content-Length', async () => {
    const req = binaryInferRequest([row(fx.data, 7), row(fx.data, 8)]);
    const a = await postRaw(url, req.body, req.headers);
    const b = await postRaw(url, req.body, req.headers);
    assert.equal(a.status, 200);
    assert.ok(a.headers['inference-header-content-length']);
    assert.deepEqual(b, a);
    // The same bytes with a different header split are another request (here: an invalid one, never cached).
    const n = replyEntries();
    const bad = await postRaw(url, req.body, {
      ...req.headers,
      'inference-header-content-length': String(req.body.length + 1),
    });
    assert.equal(bad.status, 400);
    assert.equal(replyEntries(), n);
  });

  it('answers bodies whose sampled hash collides each with its own reply', async () => {
    // 64 values with 12 decimals, padded: > 1.25 KiB, so the key hashes a sample; change an unsampled first decimal.
    const values = row(fx.data, 20).map((v) => (v + 0.123456789).toFixed(12));
    const a = `{"inputs":[{"name":"input","shape":[1,64],"datatype":"FP32","data":[${values.join(',        ')}]}]}`;
    let b: string | undefined;
    for (let i = a.indexOf('[', 60); i < a.length && b === undefined; i++) {
      const ch = a[i]!;
      if (ch < '0' || ch > '9' || a[i - 1] !== '.') continue;
      const c = a.slice(0, i) + String.fromCharCode(((ch.charCodeAt(0) - 48 + 1) % 10) + 48) + a.slice(i + 1);
      if (sampleHashBytes(Buffer.from(c)) === sampleHashBytes(Buffer.from(a))) b = c;
    }
    assert.ok(b !== undefined, 'found a body with the same sampled hash');
    const before = await stats();
    const n = replyEntries();
    const ra = await postRaw(url, a);
    const rb = await postRaw(url, b);
    assert.equal(ra.status, 200);
    assert.notDeepEqual(ra.body, rb.body);
    assert.deepEqual(await postRaw(url, a), ra);
    assert.deepEqual(await postRaw(url, b), rb);
    assert.equal(replyEntries(), n + 1, 'one key, a bucket of two replies');
    const after = await stats();
    assert.equal(after.cache_hit.count - before.cache_hit.count, 2);
  });

  it('never caches errors', async () => {
    const n = replyEntries();
    for (const body of ['{bad json', inferBody([[1, 2, 3]]), inferBody([row(fx.data, 1).map(() => NaN)])]) {
      const a = await postRaw(url, body);
      const b = await postRaw(url, body);
      assert.ok(a.status >= 400 && a.status < 500, `${a.status} for ${body.slice(0, 40)}`);
      assert.deepEqual(b, a);
    }
    const timeout = inferBody([row(fx.data, 5)], { parameters: { timeout: 1 } });
    assert.equal((await postRaw(url, timeout)).status, 504);
    assert.equal(replyEntries(), n);
  });

  it('is invalidated when the version is reloaded or unloaded, and cleared by the admin endpoint', async () => {
    const body = inferBody([row(fx.data, 11)], { outputs: [{ name: 'probabilities' }] });
    const a = await postRaw(url, body);
    assert.deepEqual(await postRaw(url, body), a);
    await s.service.load('digits', { model: fx.model2 }, { version: '1' });
    const b = await postRaw(url, body);
    assert.equal(b.status, 200);
    assert.notDeepEqual(b.body, a.body, 'a reloaded version answers with its own outputs');
    assert.deepEqual(await postRaw(url, body), b);
    await s.service.load('digits', { model: fx.model }, { version: '1' });
    assert.deepEqual(await postRaw(url, body), a);
    assert.ok(replyEntries() > 0);
    const cleared = await (await fetch(`${s.url}/v2/admin/cache/clear`, { method: 'POST' })).json();
    assert.ok((cleared as { cleared: number }).cleared > 0);
    assert.equal(replyEntries(), 0);
    await s.service.unload('digits');
    assert.equal((await postRaw(url, body)).status, 404);
    await s.service.load('digits', { model: fx.model }, { version: '1' });
  });
});
