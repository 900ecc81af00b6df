/** The CDN-style artifact routes and the demo page's headers, over plain HTTP (no browser). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { sha256Hex } from '../../src/core/hash.js';
import { ModelCodecs } from '../../src/models/artifact/codecs.js';
import { ELM } from '../../src/models/elm.js';
import { negotiateEncoding } from '../../src/adapters/node/edge/index.js';
import { startEdgeServer, type EdgeFixture } from './helpers.js';

const IMMUTABLE = 'public, max-age=31536000, immutable';

describe('edge routes', () => {
  let f: EdgeFixture;
  let base: string;
  before(async () => {
    f = await startEdgeServer();
    base = f.server.url;
  });
  after(() => f.server.close());

  it('redirects a model to its content-addressed URL', async () => {
    const hash = sha256Hex(f.bytes);
    for (const path of ['/v2/models/digits/artifact', '/v2/models/digits/versions/1/artifact']) {
      const r = await fetch(base + path, { redirect: 'manual' });
      assert.equal(r.status, 302);
      assert.equal(r.headers.get('location'), `/artifacts/${hash}`);
      assert.equal(r.headers.get('cache-control'), 'no-cache');
    }
    const missing = await fetch(base + '/v2/models/nope/artifact', { redirect: 'manual' });
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { code: string }).code, 'ELM_ERR_MODEL_NOT_FOUND');
  });

  it('serves the exact bytes with a strong ETag, immutable caching and 304', async () => {
    const hash = sha256Hex(f.bytes);
    const r = await fetch(`${base}/artifacts/${hash}`, { headers: { 'accept-encoding': 'identity' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('etag'), `"${hash}"`);
    assert.ok(!r.headers.get('etag')!.startsWith('W/'));
    assert.equal(r.headers.get('cache-control'), IMMUTABLE);
    assert.equal(r.headers.get('vary'), 'Accept-Encoding');
    const body = new Uint8Array(await r.arrayBuffer());
    assert.equal(sha256Hex(body), hash);
    const again = await fetch(`${base}/artifacts/${hash}`, { headers: { 'if-none-match': `"${hash}"` } });
    assert.equal(again.status, 304);
    assert.equal((await again.arrayBuffer()).byteLength, 0);
    assert.equal(again.headers.get('cache-control'), IMMUTABLE);
    const listed = await fetch(`${base}/artifacts/${hash}.elm`, {
      headers: { 'if-none-match': `"x", W/"${hash}-gzip"` },
    });
    assert.equal(listed.status, 304);
    const other = await fetch(`${base}/artifacts/${hash}`, { headers: { 'if-none-match': '"0000"' } });
    assert.equal(other.status, 200);
    await other.arrayBuffer();
  });

  it('compresses when the client accepts it', async () => {
    const hash = sha256Hex(f.bytes);
    const http = await import('node:http');
    const raw = (enc: string): Promise<{ headers: Record<string, unknown>; body: Buffer }> =>
      new Promise((resolve, reject) => {
        http
          .get(`${base}/artifacts/${hash}`, { headers: { 'accept-encoding': enc } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
          })
          .on('error', reject);
      });
    const gz = await raw('gzip');
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gz.headers.etag, `"${hash}-gzip"`);
    assert.equal(sha256Hex(gunzipSync(gz.body)), hash);
    assert.ok(gz.body.length < f.bytes.length);
    const br = await raw('gzip, deflate, br');
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(sha256Hex(brotliDecompressSync(br.body)), hash);
    assert.equal(negotiateEncoding('br;q=0, gzip'), 'gzip');
    assert.equal(negotiateEncoding('*'), 'br');
    assert.equal(negotiateEncoding('identity'), 'identity');
    const bad = await fetch(`${base}/artifacts/not-a-hash`);
    assert.equal(bad.status, 404);
  });

  it('a new version is a new URL; uploaded bytes are served as uploaded', async () => {
    const train = { ...f.test, x: f.test.x, rows: f.test.rows };
    const m2 = ELM.fit(train, { hidden: 64, seed: 3 }, { backend: f.backend });
    const bytes = new ModelCodecs().encode(m2);
    const up = await fetch(`${base}/v2/repository/models/digits/load?version=2`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes as unknown as string,
    });
    assert.equal(up.status, 200, await up.clone().text());
    const r = await fetch(`${base}/v2/models/digits/artifact`, { redirect: 'manual' });
    assert.equal(r.headers.get('location'), `/artifacts/${sha256Hex(bytes)}`);
    const v1 = await fetch(`${base}/v2/models/digits/versions/1/artifact`, { redirect: 'manual' });
    assert.equal(v1.headers.get('location'), `/artifacts/${sha256Hex(f.bytes)}`);
    const got = new Uint8Array(await (await fetch(base + r.headers.get('location'))).arrayBuffer());
    assert.deepEqual(got, bytes);
    await fetch(`${base}/v2/repository/models/digits/unload`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ parameters: { version: '2' } }),
    });
    m2.dispose();
  });

  it('serves the page and assets with cross-origin isolation and ETag revalidation', async () => {
    const page = await fetch(base + '/');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type')!, /text\/html/);
    assert.equal(page.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(page.headers.get('cross-origin-embedder-policy'), 'require-corp');
    assert.match(await page.text(), /edge\/demo\.js/);
    const wasm = await fetch(base + '/edge/elmscale.wasm');
    assert.equal(wasm.headers.get('content-type'), 'application/wasm');
    const etag = wasm.headers.get('etag')!;
    await wasm.arrayBuffer();
    const again = await fetch(base + '/edge/elmscale.wasm', { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    const cfg = (await (await fetch(base + '/edge/config.json')).json()) as { model: string; artifact: string };
    assert.equal(cfg.model, 'digits');
    assert.equal(cfg.artifact, 'v2/models/digits/artifact');
    const js = await fetch(base + '/edge/elmscale.js');
    assert.match(js.headers.get('content-type')!, /javascript/);
    await js.arrayBuffer();
    assert.equal((await fetch(base + '/edge/../../package.json')).status, 404);
  });
});

describe('artifact store', () => {
  it('prunes artifacts no model uses beyond the most recent few', async () => {
    const { ArtifactStore } = await import('../../src/adapters/node/edge/index.js');
    const s = new ArtifactStore();
    const hs = [1, 2, 3, 4, 5].map((i) => s.addBytes(Uint8Array.of(i)));
    s.prune(new Set([hs[0]!]), 2);
    assert.deepEqual(s.hashes().sort(), [hs[0]!, hs[3]!, hs[4]!].sort());
    assert.equal((await s.representation(hs[0]!, 'gzip'))!.encoding, 'identity'); // 1 byte: gzip would be larger
    assert.equal(await s.bytes(hs[1]!), undefined);
  });
});
