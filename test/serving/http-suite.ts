import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { ServerContext, ServerOptions } from '../../src/adapters/node/http/index.js';
import { ModelCodecs } from '../../src/models/artifact/codecs.js';
import type { Model } from '../../src/models/model.js';
import { InlineExecutor, type Executor } from '../../src/serving/executor.js';
import type { InferenceService } from '../../src/serving/service.js';
import { binaryInferRequest, close, fixtures, get, inferBody, post, rawRequest, row } from './helpers.js';

const codecs = new ModelCodecs();

/** A server under test, whatever transport it speaks HTTP with. */
export interface Served {
  url: string;
  service: InferenceService;
  context: ServerContext;
  close(): Promise<void>;
}

export type StartServed = (o: ServerOptions) => Promise<Served>;

/**
 * The OIP v2 REST suite every HTTP transport must pass (fastify: http.test.ts; fetch: fetch-adapter.test.ts):
 * protocol, errors, caching, metrics, auth, repository, hot replacement, fuzzing and backpressure, over loopback.
 */
export function oipHttpSuite(transport: string, startServer: StartServed): void {
  describe(`OIP v2 over HTTP (${transport})`, () => {
    let s: Served;
    let url: string;
    let fx: Awaited<ReturnType<typeof fixtures>>;
    let dir: string;
    const token = 'test-token-123';
    const auth = { authorization: `Bearer ${token}` };

    before(async () => {
      fx = await fixtures();
      dir = await mkdtemp(join(tmpdir(), 'elmscale-serve-'));
      await writeFile(join(dir, 'onfile.elm'), codecs.encode(fx.model2));
      await mkdir(join(dir, 'versioned', '3'), { recursive: true });
      await writeFile(join(dir, 'versioned', '3', 'model.elm'), codecs.encode(fx.model));
      const outside = await mkdtemp(join(tmpdir(), 'elmscale-outside-'));
      await writeFile(join(outside, 'secret.elm'), codecs.encode(fx.model));
      await symlink(join(outside, 'secret.elm'), join(dir, 'link.txt'));
      s = await startServer({
        port: 0,
        models: [{ name: 'digits', model: fx.model }],
        modelsDir: dir,
        token,
        bodyLimit: 256 * 1024,
      });
      url = s.url;
    });
    after(async () => {
      await s.close();
      await rm(dir, { recursive: true, force: true });
    });

    const infer = (name: string, body: string | Buffer, headers: Record<string, string> = {}) =>
      post(`${url}/v2/models/${name}/infer`, body, headers);
    const local = (rows: number[][]) => Array.from(fx.model.predict(Float32Array.from(rows.flat()), rows.length));

    it('health, server metadata, model list and metadata', async () => {
      assert.equal((await get(`${url}/v2/health/live`)).status, 200);
      const ready = await get(`${url}/v2/health/ready`);
      assert.deepEqual([ready.status, ready.json], [200, { ready: true }]);
      const meta = await get(`${url}/v2`);
      assert.equal(meta.json.name, 'elmscale');
      assert.equal(typeof meta.json.version, 'string');
      for (const x of ['model_repository', 'statistics', 'classification', 'binary_tensor_data'])
        assert.ok(meta.json.extensions.includes(x));
      assert.deepEqual((await get(`${url}/v2/models`)).json.models, ['digits', 'onfile', 'versioned']);
      const m = await get(`${url}/v2/models/digits`);
      assert.equal(m.json.platform, 'elmscale_elm');
      assert.deepEqual(m.json.inputs, [{ name: 'input', datatype: 'FP32', shape: [-1, 64] }]);
      assert.deepEqual(m.json.versions, ['1']);
      assert.equal((await get(`${url}/v2/models/versioned/versions/3`)).status, 200);
      assert.equal((await get(`${url}/v2/models/versioned/versions/3/ready`)).json.ready, true);
      assert.equal((await get(`${url}/v2/models/digits/ready`)).status, 200);
      for (const p of ['/v2/models/nope', '/v2/models/digits/versions/9', '/v2/models/nope/ready', '/v2/nothing']) {
        const r = await get(url + p);
        assert.equal(r.status, 404, p);
        assert.equal(typeof r.json.error, 'string');
      }
    });

    it('infers with flat and nested data identically, echoes the id, matches the model', async () => {
      const rows = [row(fx.data, 0), row(fx.data, 1), row(fx.data, 2)];
      const flat = await infer('digits', inferBody(rows, { id: 'abc' }));
      assert.equal(flat.status, 200);
      assert.equal(flat.json.id, 'abc');
      assert.equal(flat.json.model_name, 'digits');
      assert.equal(flat.json.model_version, '1');
      const nested = await infer(
        'digits',
        JSON.stringify({ inputs: [{ name: 'input', shape: [3, 64], datatype: 'FP32', data: rows }] }),
      );
      assert.deepEqual(nested.json.outputs, flat.json.outputs);
      const probs = flat.json.outputs.find((o: { name: string }) => o.name === 'probabilities');
      assert.deepEqual(probs.shape, [3, 10]);
      assert.ok(close(probs.data, local(rows)));
      const cls = flat.json.outputs.find((o: { name: string }) => o.name === 'class');
      assert.deepEqual(
        cls.data,
        [0, 1, 2].map((i) =>
          fx.model
            .predict(Float32Array.from(rows[i]!), 1)
            .indexOf(Math.max(...fx.model.predict(Float32Array.from(rows[i]!), 1))),
        ),
      );
    });

    it('a batch of N rows equals N single requests (and integer/FP64 inputs work)', async () => {
      const rows = Array.from({ length: 12 }, (_, i) => row(fx.data, i + 10));
      const batch = await infer('digits', inferBody(rows, { outputs: [{ name: 'probabilities' }] }));
      const singles = await Promise.all(
        rows.map((r) => infer('digits', inferBody([r], { outputs: [{ name: 'probabilities' }] }))),
      );
      assert.ok(
        close(
          batch.json.outputs[0].data,
          singles.flatMap((x) => x.json.outputs[0].data),
        ),
      );
      const ints = await infer(
        'digits',
        JSON.stringify({ inputs: [{ name: 'input', shape: [1, 64], datatype: 'UINT8', data: rows[0] }] }),
      );
      assert.equal(ints.status, 200);
      const f64 = await infer(
        'digits',
        JSON.stringify({
          inputs: [{ name: 'input', shape: [64], datatype: 'FP64', data: rows[0] }],
          outputs: [{ name: 'probabilities' }],
        }),
      );
      assert.ok(close(f64.json.outputs[0].data, singles[0]!.json.outputs[0].data));
    });

    it('selects outputs, applies classification, rejects unknown outputs', async () => {
      const r = await infer(
        'digits',
        inferBody([row(fx.data, 5)], {
          outputs: [{ name: 'probabilities', parameters: { classification: 3 } }, { name: 'label' }],
        }),
      );
      assert.equal(r.json.outputs.length, 2);
      assert.deepEqual(r.json.outputs[0].shape, [1, 3]);
      assert.match(r.json.outputs[0].data[0], /^[\d.e-]+:\d:\d$/);
      assert.equal(r.json.outputs[1].data[0], r.json.outputs[0].data[0].split(':')[2]);
      const bad = await infer('digits', inferBody([row(fx.data, 5)], { outputs: [{ name: 'logits' }] }));
      assert.equal(bad.status, 400);
    });

    it('binary_tensor_data: binary input and output round trip', async () => {
      const rows = [row(fx.data, 7), row(fx.data, 8)];
      const req = binaryInferRequest(rows);
      const res = await fetch(`${url}/v2/models/digits/infer`, {
        method: 'POST',
        body: req.body as unknown as string,
        headers: req.headers,
      });
      assert.equal(res.status, 200);
      const hl = Number(res.headers.get('inference-header-content-length'));
      const buf = Buffer.from(await res.arrayBuffer());
      const json = JSON.parse(buf.subarray(0, hl).toString());
      assert.equal(json.outputs[0].parameters.binary_data_size, 80);
      const out = new Float32Array(buf.buffer.slice(buf.byteOffset + hl, buf.byteOffset + buf.length));
      assert.ok(close(Array.from(out), local(rows)));
    });

    it('answers bad requests with coded 4xx errors', async () => {
      const cases: [string | Buffer, number, Record<string, string>?][] = [
        ['{bad json', 400],
        ['', 400],
        ['[]', 400],
        [
          JSON.stringify({ inputs: [{ name: 'input', shape: [1, 63], datatype: 'FP32', data: Array(63).fill(0) }] }),
          400,
        ],
        [
          JSON.stringify({ inputs: [{ name: 'input', shape: [1, 64], datatype: 'FP32', data: Array(60).fill(0) }] }),
          400,
        ],
        [
          JSON.stringify({ inputs: [{ name: 'input', shape: [1, 64], datatype: 'FP16', data: Array(64).fill(0) }] }),
          400,
        ],
        [
          JSON.stringify({ inputs: [{ name: 'other', shape: [1, 64], datatype: 'FP32', data: Array(64).fill(0) }] }),
          400,
        ],
        [
          JSON.stringify({
            inputs: [
              { name: 'input', shape: [1, 64], datatype: 'FP32', data: Array(64).fill(0) },
              { name: 'x', shape: [1], datatype: 'FP32', data: [1] },
            ],
          }),
          400,
        ],
        [
          JSON.stringify({
            inputs: [{ name: 'input', shape: [1, 64], datatype: 'FP32', data: [...Array(63).fill(0), 1e999] }],
          }),
          400,
        ],
        ['{}', 400, { 'inference-header-content-length': '999' }],
        [Buffer.alloc(300 * 1024, 32), 413],
      ];
      for (const [body, status, headers] of cases) {
        const r = await infer('digits', body, headers);
        assert.equal(r.status, status, String(body).slice(0, 80));
        assert.equal(typeof r.json.error, 'string');
        assert.match(r.json.code, /^ELM_ERR_/);
      }
      assert.equal((await infer('nope', inferBody([row(fx.data, 0)]))).status, 404);
      const wrong = await fetch(`${url}/v2/models/digits/infer`);
      assert.equal(wrong.status, 405);
      assert.equal(wrong.headers.get('allow'), 'POST');
      assert.equal(((await wrong.json()) as { code: string }).code, 'ELM_ERR_METHOD_NOT_ALLOWED');
      const timeout = await infer('digits', inferBody([row(fx.data, 0)], { parameters: { timeout: 1 } }));
      assert.equal(timeout.status, 504);
      assert.equal(timeout.json.code, 'ELM_ERR_TIMEOUT');
    });

    it('caches responses per model version and counts hits and misses', async () => {
      const body = inferBody([row(fx.data, 99).map((v) => v + 0.25)]);
      const a = await infer('digits', body);
      const b = await infer('digits', body);
      assert.deepEqual(a.json, b.json);
      const st = await get(`${url}/v2/models/digits/stats`);
      const inf = st.json.model_stats[0].inference_stats;
      assert.ok(inf.cache_hit.count >= 1);
      assert.ok(inf.cache_miss.count >= 1);
      const all = await get(`${url}/v2/models/stats`);
      assert.ok(all.json.model_stats.length >= 3);
      const metrics = (await get(`${url}/metrics`)).text;
      assert.match(metrics, /elmscale_cache_hits_total\{model="digits"\} [1-9]/);
    });

    it('exposes every documented metric', async () => {
      const text = (await get(`${url}/metrics`)).text;
      for (const name of [
        'elmscale_requests_total',
        'elmscale_request_duration_seconds_bucket',
        'elmscale_queue_duration_seconds_bucket',
        'elmscale_compute_duration_seconds_bucket',
        'elmscale_inflight_requests',
        'elmscale_queue_depth_rows',
        'elmscale_batch_size_rows_bucket',
        'elmscale_cache_misses_total',
        'elmscale_workers',
        'elmscale_worker_busy_seconds_total',
        'elmscale_cpu_utilization_ratio',
        'elmscale_process_cpu_seconds_total',
        'elmscale_cpu_seconds_per_request',
        'elmscale_cost_per_query',
        'elmscale_cost_per_million_queries',
        'elmscale_models_loaded',
      ])
        assert.ok(text.includes(name), name);
    });

    it('repository endpoints need the bearer token', async () => {
      for (const h of [{}, { authorization: 'Bearer wrong' }, { authorization: 'Basic x' }] as Record<
        string,
        string
      >[]) {
        const r = await post(`${url}/v2/repository/index`, '{}', h);
        assert.equal(r.status, 401);
        assert.equal(r.json.code, 'ELM_ERR_UNAUTHORIZED');
      }
      const ok = await post(`${url}/v2/repository/index`, '{}', auth);
      assert.equal(ok.status, 200);
      assert.ok(ok.json.some((e: { name: string; state: string }) => e.name === 'versioned' && e.state === 'READY'));
    });

    it('refuses cross-site pages and DNS rebinding; plain clients and same-origin pages pass', async () => {
      const unload = (headers: Record<string, string>) =>
        post(`${url}/v2/repository/models/digits/unload`, '{}', { ...auth, ...headers });
      for (const h of [
        { origin: 'http://evil.example' },
        { origin: 'null' },
        { 'sec-fetch-site': 'cross-site' },
        { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' },
      ] as Record<string, string>[]) {
        const r = await unload(h);
        assert.equal(r.status, 403, JSON.stringify(h));
        assert.equal(r.json.code, 'ELM_ERR_CROSS_SITE');
      }
      assert.equal((await get(`${url}/v2/models/digits`)).status, 200, 'the model is still loaded');
      // A simple (no-preflight) text/plain POST cannot reach an admin route, even same-origin with the token.
      const plain = await post(`${url}/v2/repository/index`, '{}', { ...auth, 'content-type': 'text/plain' });
      assert.equal(plain.status, 415);
      assert.equal(plain.json.code, 'ELM_ERR_UNSUPPORTED_MEDIA_TYPE');
      // A cross-site page cannot even run inference (it could read nothing, but it would spend our CPU).
      const x = await infer('digits', inferBody([row(fx.data, 0)]), { origin: 'https://evil.example' });
      assert.equal(x.status, 403);
      // Same origin: the demo page posting to its own server.
      const host = new URL(url).host;
      const same = await infer('digits', inferBody([row(fx.data, 0)]), { origin: `http://${host}` });
      assert.equal(same.status, 200);
      // DNS rebinding: the right address, a foreign Host name.
      const rebound = await rawRequest(`${url}/v2/models`, { headers: { host: 'evil.example:8000' } });
      assert.equal(rebound.status, 403);
      assert.equal(rebound.json.code, 'ELM_ERR_CROSS_SITE');
      assert.equal(
        (await rawRequest(`${url}/v2/models`, { headers: { host: `localhost:${new URL(url).port}` } })).status,
        200,
      );
    });

    it('loads from the model directory, refuses escaping paths, loads uploads, unloads', async () => {
      const load = (name: string, parameters: Record<string, unknown>) =>
        post(`${url}/v2/repository/models/${name}/load`, JSON.stringify({ parameters }), auth);
      const r1 = await load('fromdir', { artifact: 'onfile.elm', version: '5' });
      assert.equal(r1.status, 200, JSON.stringify(r1.json));
      assert.equal(r1.json.version, '5');
      assert.equal((await get(`${url}/v2/models/fromdir/versions/5`)).status, 200);
      for (const p of ['../x.elm', '/etc/passwd', 'link.txt', 'versioned/../../x.elm']) {
        const r = await load('evil', { artifact: p });
        assert.equal(r.status, 403, p);
        assert.equal(r.json.code, 'ELM_ERR_FORBIDDEN_PATH');
      }
      assert.equal((await load('missing', { artifact: 'nope.elm' })).json.code, 'ELM_ERR_DATA_NOT_FOUND');
      const b64 = Buffer.from(codecs.encode(fx.model2)).toString('base64');
      const up = await load('fromdir', { 'file:model.elm': b64, version: '6' });
      assert.equal(up.status, 200);
      assert.deepEqual((await get(`${url}/v2/models/fromdir`)).json.versions, ['5', '6']);
      const raw = await fetch(`${url}/v2/repository/models/raw/load?version=2`, {
        method: 'POST',
        body: Buffer.from(codecs.encode(fx.model)) as unknown as string,
        headers: { ...auth, 'content-type': 'application/octet-stream' },
      });
      assert.equal(raw.status, 200);
      const corrupt = await load('bad', { 'file:m.elm': Buffer.from('not an artifact at all').toString('base64') });
      assert.equal(corrupt.status, 422);
      assert.match(corrupt.json.code, /^ELM_ERR_ARTIFACT/);
      assert.equal((await load('bad', {})).status, 400);
      const un = await post(
        `${url}/v2/repository/models/fromdir/unload`,
        JSON.stringify({ parameters: { version: '5' } }),
        auth,
      );
      assert.equal(un.status, 200);
      assert.deepEqual((await get(`${url}/v2/models/fromdir`)).json.versions, ['6']);
      assert.equal((await post(`${url}/v2/repository/models/fromdir/unload`, '{}', auth)).status, 200);
      assert.equal((await get(`${url}/v2/models/fromdir`)).status, 404);
      assert.equal((await post(`${url}/v2/repository/models/fromdir/unload`, '{}', auth)).status, 404);
      assert.equal((await post(`${url}/v2/admin/cache/clear`, '{}', auth)).status, 200);
    });

    it('hot-replaces and unloads versions under load with zero failed requests', async () => {
      const rows = [row(fx.data, 3)];
      let stop = false;
      let ok = 0;
      const failures: unknown[] = [];
      const client = async () => {
        while (!stop) {
          const r = await infer('hot', inferBody(rows, { outputs: [{ name: 'class' }] }));
          if (r.status === 200) ok++;
          else failures.push(r.json);
        }
      };
      await s.service.load('hot', { model: fx.model }, { version: '1' });
      const clients = Array.from({ length: 8 }, client);
      const bytes1 = codecs.encode(fx.model),
        bytes2 = codecs.encode(fx.model2);
      for (let i = 0; i < 6; i++) {
        await s.context.loadArtifact('hot', { bytes: i % 2 ? bytes1 : bytes2 }, { version: '1' }); // replace v1
        await s.context.loadArtifact('hot', { bytes: bytes2 }, { version: '2' }); // add v2 (becomes default)
        await new Promise((r) => setTimeout(r, 20));
        await s.service.unload('hot', '2');
      }
      stop = true;
      await Promise.all(clients);
      assert.deepEqual(failures, []);
      assert.ok(ok > 20, `only ${ok} requests`);
    });

    it('survives a fuzz of malformed requests and then still answers correctly', async () => {
      const jsonish = fc.oneof(
        fc.json(),
        fc.string(),
        fc.record({ inputs: fc.anything() }),
        fc.record({
          id: fc.anything(),
          inputs: fc.array(
            fc.record({
              name: fc.constantFrom('input', 'x'),
              shape: fc.array(fc.integer({ min: -2, max: 70 }), { maxLength: 3 }),
              datatype: fc.constantFrom('FP32', 'INT8', 'BOOL', 'BYTES', 'FP16', 'nope', 'UINT64'),
              data: fc.anything(),
              parameters: fc.anything(),
            }),
            { maxLength: 2 },
          ),
          outputs: fc.anything(),
          parameters: fc.anything(),
        }),
      );
      await fc.assert(
        fc.asyncProperty(jsonish, fc.boolean(), async (v, asBinary) => {
          const text = typeof v === 'string' ? v : (JSON.stringify(v) ?? 'null');
          const headers: Record<string, string> = asBinary
            ? { 'inference-header-content-length': String(Math.max(1, Math.floor(text.length / 2))) }
            : {};
          const r = await infer('digits', text, headers);
          assert.ok(r.status === 200 || (r.status >= 400 && r.status < 500), `${r.status} for ${text.slice(0, 200)}`);
          if (r.status !== 200) assert.equal(typeof r.json.error, 'string');
        }),
        { numRuns: 300, seed: 7 },
      );
      const good = await infer('digits', inferBody([row(fx.data, 0)], { outputs: [{ name: 'probabilities' }] }));
      assert.equal(good.status, 200);
      assert.ok(close(good.json.outputs[0].data, local([row(fx.data, 0)])));
    });
  });

  describe(`backpressure (${transport})`, () => {
    it('sheds load with 503 + Retry-After when the queue is full, and keeps serving', async () => {
      // An executor that takes 5 ms per batch without blocking the event loop, so a queue really builds up.
      const inline = new InlineExecutor();
      const executor: Executor = {
        name: 'slow',
        concurrency: 1,
        load: (k, m) => inline.load(k, m),
        unload: (k) => inline.unload(k),
        close: () => inline.close(),
        run: (k, x, rows) => new Promise((r) => setTimeout(r, 5)).then(() => inline.run(k, x, rows)),
      };
      const s = await startServer({
        port: 0,
        models: [{ name: 'slow', model: slowModel(0) }],
        maxBatchRows: 1,
        maxQueueRows: 4,
        cache: false,
        executor,
      });
      try {
        const body = JSON.stringify({ inputs: [{ name: 'input', shape: [1, 2], datatype: 'FP32', data: [1, 2] }] });
        const rs = await Promise.all(Array.from({ length: 40 }, () => post(`${s.url}/v2/models/slow/infer`, body)));
        const shed = rs.filter((r) => r.status === 503);
        assert.ok(shed.length > 0, 'some requests are shed');
        assert.ok(rs.filter((r) => r.status === 200).length >= 4);
        assert.ok(rs.every((r) => r.status === 200 || r.status === 503));
        for (const r of shed) {
          assert.equal(r.headers.get('retry-after'), '1');
          assert.equal(r.json.code, 'ELM_ERR_OVERLOADED');
        }
        const inflight = await startServer({
          port: 0,
          models: [{ name: 'slow', model: slowModel(0) }],
          maxInflight: 2,
          cache: false,
          executor: {
            ...executor,
            load: (k, m) => inline.load(k + 'b', m),
            unload: (k) => inline.unload(k + 'b'),
            run: (k, x, rows) => executor.run(k + 'b', x, rows),
            close: async () => {},
          },
        });
        const rs2 = await Promise.all(
          Array.from({ length: 20 }, () => post(`${inflight.url}/v2/models/slow/infer`, body)),
        );
        assert.ok(rs2.some((r) => r.status === 503));
        await inflight.close();
        assert.equal((await post(`${s.url}/v2/models/slow/infer`, body)).status, 200);
        const m = (await get(`${s.url}/metrics`)).text;
        assert.match(m, /elmscale_requests_total\{model="slow",outcome="overloaded"\} [1-9]/);
      } finally {
        await s.close();
      }
    });
  });
}

/** A model that burns `ms` of CPU per predict call (for overload tests). */
function slowModel(ms: number): Model {
  return {
    kind: 'elm',
    task: 'regression',
    inputDim: 2,
    outputDim: 1,
    metrics: {},
    flopsPerRow: 1,
    predictRaw(x, rows) {
      return this.predict(x, rows);
    },
    predict(_x, rows) {
      const end = performance.now() + ms;
      while (performance.now() < end);
      return new Float32Array(rows);
    },
    dispose() {},
  };
}
