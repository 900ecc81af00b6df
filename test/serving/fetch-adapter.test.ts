import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { serve } from '@hono/node-server';
import { createFetchHandler } from '../../src/adapters/fetch/handler.js';
import { buildServing } from '../../src/adapters/node/http/index.js';
import { ELM } from '../../src/models/elm.js';
import { InlineExecutor } from '../../src/serving/executor.js';
import { createServingContext } from '../../src/serving/rest/context.js';
import { InferenceService } from '../../src/serving/service.js';
import { webScheduler } from '../../src/serving/scheduler.js';
import { blobs } from '../helpers/toy-data.js';
import { fixtures, inferBody, row } from './helpers.js';
import { oipHttpSuite, type StartServed } from './http-suite.js';

/**
 * The fetch adapter behind a real node:http socket (@hono/node-server turns IncomingMessage into a Request and the
 * Response back), so the same HTTP suite as fastify's runs against it unchanged.
 */
const startFetchServer: StartServed = async (o) => {
  const runtime = await buildServing(o);
  const handler = createFetchHandler(runtime.context);
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: handler, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    service: runtime.context.service,
    context: runtime.context,
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      await runtime.close();
    },
  };
};

oipHttpSuite('fetch', startFetchServer);

describe('fetch adapter over plain Request objects (no socket, no Node server)', () => {
  let handler: (r: Request) => Promise<Response>;
  let service: InferenceService;
  let fx: Awaited<ReturnType<typeof fixtures>>;

  before(async () => {
    fx = await fixtures();
    // Only platform-free pieces: a fetch runtime (Deno, Bun, a worker) would assemble exactly this.
    service = new InferenceService({ executor: new InlineExecutor(), scheduler: webScheduler, wallMs: Date.now });
    await service.load('digits', { model: fx.model });
    handler = createFetchHandler(createServingContext({ service, token: 't0ken', protect: ['admin', 'metrics'] }));
  });
  after(() => service.close());

  const req = (path: string, init?: RequestInit) => handler(new Request(`http://edge.local${path}`, init));

  it('answers infer with the model outputs', async () => {
    const rows = [row(fx.data, 0), row(fx.data, 1)];
    const r = await req('/v2/models/digits/infer', {
      method: 'POST',
      body: inferBody(rows, { outputs: [{ name: 'probabilities' }] }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/json');
    const json = (await r.json()) as { outputs: { data: number[] }[] };
    const local = fx.model.predict(Float32Array.from(rows.flat()), 2);
    assert.equal(json.outputs[0]!.data.length, local.length);
    json.outputs[0]!.data.forEach((v, i) => assert.ok(Math.abs(v - local[i]!) < 1e-5));
  });

  it('routes, 404/405, HEAD, and scopes: the guarded ones need the token, the open ones do not', async () => {
    assert.equal((await req('/v2/health/live')).status, 200);
    const head = await req('/v2/health/live', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    assert.equal((await req('/v2/models/digits%20x')).status, 404);
    const wrong = await req('/v2/models/digits/infer');
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get('allow'), 'POST');
    assert.equal((await req('/v2/nothing')).status, 404);
    assert.equal((await req('/v2/models/stats')).status, 401);
    assert.equal((await req('/v2/models/stats', { headers: { authorization: 'Bearer t0ken' } })).status, 200);
    const idx = await req('/v2/repository/index', { method: 'POST', body: '{}' });
    assert.equal(idx.status, 401);
    assert.equal(idx.headers.get('www-authenticate'), 'Bearer');
    const load = await req('/v2/repository/models/x/load', {
      method: 'POST',
      body: new Uint8Array([1, 2, 3]),
      headers: { authorization: 'Bearer t0ken', 'content-type': 'application/octet-stream' },
    });
    assert.equal(load.status, 501, 'a host without artifact loading says so');
    assert.equal(((await load.json()) as { code: string }).code, 'ELM_ERR_UNSUPPORTED');
  });

  it('refuses a body over the limit, with or without Content-Length', async () => {
    const small = createFetchHandler(createServingContext({ service, bodyLimit: 1000 }));
    const big = new Uint8Array(5000).fill(32);
    const r1 = await small(new Request('http://x/v2/models/digits/infer', { method: 'POST', body: big }));
    assert.equal(r1.status, 413);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 10; i++) c.enqueue(new Uint8Array(300).fill(32));
        c.close();
      },
    });
    const r2 = await small(
      new Request('http://x/v2/models/digits/infer', { method: 'POST', body: stream, duplex: 'half' } as RequestInit),
    );
    assert.equal(r2.status, 413);
    assert.equal(((await r2.json()) as { code: string }).code, 'ELM_ERR_PAYLOAD_TOO_LARGE');
  });

  it('a model trained in the same process serves through the handler', async () => {
    const d = blobs(200, 4, 3, 5);
    const m = ELM.fit(d, { hidden: 16, seed: 3 });
    await service.load('toy', { model: m });
    const r = await req('/v2/models/toy', {});
    assert.equal(r.status, 200);
    assert.equal(((await r.json()) as { name: string }).name, 'toy');
  });
});
