import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { nodeScheduler } from '../../src/adapters/node/serving/runtime.js';
import { AdmissionLimiter } from '../../src/serving/admission.js';
import type { Answer } from '../../src/serving/answer.js';
import { LruCache } from '../../src/serving/caching/cache.js';
import { cacheKey } from '../../src/serving/caching/key.js';
import type { ReplyBucket } from '../../src/serving/caching/reply.js';
import { InlineExecutor, type Executor } from '../../src/serving/executor.js';
import type { Outcome, ServingMetrics } from '../../src/serving/metrics.js';
import { InferPipeline } from '../../src/serving/pipeline.js';
import { InferenceService, type TensorEntry } from '../../src/serving/service.js';
import { binaryInferRequest, close, fixtures, inferBody, row, type Json } from './helpers.js';

const utf8 = new TextEncoder();
const bytes = (s: string): Uint8Array => utf8.encode(s);
const json = (a: Answer): Json =>
  JSON.parse(typeof a.payload === 'string' ? a.payload : new TextDecoder().decode(a.payload));

/** An executor whose batches wait until the test opens the gate (to hold requests in flight). */
function gatedExecutor(): Executor & { open(): void } {
  const inline = new InlineExecutor();
  let gate!: () => void;
  let opened = new Promise<void>((r) => (gate = r));
  return {
    name: 'gated',
    concurrency: 1,
    load: (k, m) => inline.load(k, m),
    unload: (k) => inline.unload(k),
    close: () => inline.close(),
    run: async (k, x, rows) => {
      await opened;
      return inline.run(k, x, rows);
    },
    open() {
      gate();
      opened = Promise.resolve();
    },
  };
}

/** Every outcome the pipeline reported, per model label. */
function recordingMetrics(): ServingMetrics & { outcomes: [string, Outcome][] } {
  const outcomes: [string, Outcome][] = [];
  return {
    outcomes,
    requestFinished: (m, o) => void outcomes.push([m, o]),
    queueTime() {},
    computeTime() {},
    batch() {},
    cache() {},
  };
}

describe('InferPipeline without any transport', () => {
  let fx: Awaited<ReturnType<typeof fixtures>>;
  let service: InferenceService;
  let pipeline: InferPipeline;
  let admission: AdmissionLimiter;
  const metrics = recordingMetrics();

  before(async () => {
    fx = await fixtures();
    service = new InferenceService({
      executor: new InlineExecutor(),
      scheduler: nodeScheduler,
      wallMs: Date.now,
      cache: new LruCache<TensorEntry>({ maxBytes: 1 << 20, now: Date.now }),
      replyCache: new LruCache<ReplyBucket>({ maxBytes: 1 << 20, now: Date.now }),
      metrics,
    });
    await service.load('digits', { model: fx.model });
    admission = new AdmissionLimiter(64, 2);
    pipeline = new InferPipeline({
      service,
      admission,
      metrics,
      nonFinite: 'reject',
      maxRowsPerRequest: 100,
      retryAfterS: 2,
    });
  });
  after(() => service.close());

  it('answers with the model outputs; an identical request gets the byte-identical reply from the reply cache', async () => {
    const rows = [row(fx.data, 5), row(fx.data, 6)];
    const body = bytes(inferBody(rows, { id: 'q1', outputs: [{ name: 'probabilities' }] }));
    const call = { model: 'digits', body, contentType: 'application/json' };
    const a = await pipeline.infer(call);
    assert.equal(a.status, 200);
    assert.equal(a.headers['content-type'], 'application/json');
    assert.equal(json(a).id, 'q1');
    assert.ok(close(json(a).outputs[0].data, Array.from(fx.model.predict(Float32Array.from(rows.flat()), 2))));
    const hits0 = service.resolve('digits').stats.cacheHit.count;
    const b = await pipeline.infer({ ...call, body: body.slice() });
    assert.equal(b.payload, a.payload);
    assert.equal(service.resolve('digits').stats.cacheHit.count, hits0 + 1);
    // The framing is part of the key: another content type is not the same request.
    await pipeline.infer({ ...call, contentType: 'text/plain' });
    assert.equal(service.resolve('digits').stats.cacheHit.count, hits0 + 2, 'tensor level hits, reply level misses');
  });

  it('a tensor-cache entry under a colliding key is never served for another input (cache poisoning)', async () => {
    // Plant what a crafted 64-bit hash collision would: under the key of input A, an entry answering input B.
    const rowsA = [row(fx.data, 20)];
    const xA = Float32Array.from(rowsA.flat()),
      xB = Float32Array.from(row(fx.data, 21));
    const poison = new Float32Array(10).fill(0.5);
    const e = service.resolve('digits');
    service.cache!.set(cacheKey(e.cachePrefix, 1, xA), { input: xB, out: poison }, 80);
    const a = await pipeline.infer({
      model: 'digits',
      body: bytes(inferBody(rowsA, { outputs: [{ name: 'probabilities' }] })),
    });
    assert.equal(a.status, 200);
    const got = json(a).outputs[0].data as number[];
    assert.ok(!close(got, Array.from(poison)), 'the planted answer was not served');
    assert.ok(close(got, Array.from(fx.model.predict(xA, 1))));
  });

  it('binary_tensor_data framing in and out', async () => {
    const rows = [row(fx.data, 7)];
    const req = binaryInferRequest(rows);
    const a = await pipeline.infer({
      model: 'digits',
      body: new Uint8Array(req.body),
      contentType: 'application/octet-stream',
      headerLength: String(req.headLength),
    });
    assert.equal(a.status, 200);
    assert.equal(a.headers['content-type'], 'application/octet-stream');
    const hl = Number(a.headers['inference-header-content-length']);
    const payload = a.payload as Uint8Array;
    const out = new Float32Array(payload.slice(hl).buffer);
    assert.ok(close(Array.from(out), Array.from(fx.model.predict(Float32Array.from(rows.flat()), 1))));
  });

  it('turns every failure into a coded answer and labels unknown models as one series', async () => {
    const cases: [Parameters<InferPipeline['infer']>[0], number, string][] = [
      [{ model: 'nope', body: bytes('{}') }, 404, 'ELM_ERR_MODEL_NOT_FOUND'],
      [{ model: 'digits', body: undefined }, 400, 'ELM_ERR_BAD_REQUEST'],
      [{ model: 'digits', body: bytes('{') }, 400, 'ELM_ERR_BAD_REQUEST'],
      [{ model: 'digits', body: bytes('{}'), headerLength: '99' }, 400, 'ELM_ERR_BAD_REQUEST'],
      [
        { model: 'digits', body: bytes(inferBody(Array.from({ length: 101 }, () => row(fx.data, 0)))) },
        400,
        'ELM_ERR_BAD_REQUEST',
      ],
      [{ model: 'digits', body: bytes(inferBody([row(fx.data, 0)])), timeoutUs: 0 }, 504, 'ELM_ERR_TIMEOUT'],
    ];
    for (const [call, status, code] of cases) {
      const a = await pipeline.infer(call);
      assert.equal(a.status, status, JSON.stringify(json(a)));
      assert.equal(json(a).code, code);
    }
    assert.deepEqual(
      metrics.outcomes.find(([m]) => m === '_unknown'),
      ['_unknown', 'not_found'],
    );
    assert.ok(!metrics.outcomes.some(([m]) => m === 'nope'), 'a client cannot mint metric labels');
    assert.equal(admission.inflight, 0);
  });

  it('never throws and always releases its admission slot, whatever the bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 400 }),
        fc.option(fc.integer({ min: -5, max: 500 }).map(String)),
        async (body, headerLength) => {
          const a = await pipeline.infer({ model: 'digits', body, headerLength: headerLength ?? undefined });
          assert.ok(a.status >= 400 && a.status < 500, String(a.status));
          assert.match(json(a).code, /^ELM_ERR_/);
        },
      ),
      { numRuns: 200, seed: 11 },
    );
    assert.equal(admission.inflight, 0);
  });
});

describe('admission', () => {
  it('refuses past the limit with 503 + Retry-After, before parsing, and admits again once slots free', async () => {
    const fx = await fixtures();
    const executor = gatedExecutor();
    const metrics = recordingMetrics();
    const service = new InferenceService({ executor, scheduler: nodeScheduler, wallMs: Date.now, metrics });
    await service.load('digits', { model: fx.model });
    const admission = new AdmissionLimiter(2, 3);
    const pipeline = new InferPipeline({
      service,
      admission,
      metrics,
      nonFinite: 'reject',
      maxRowsPerRequest: 10,
      retryAfterS: 1,
    });
    const body = bytes(inferBody([row(fx.data, 1)]));
    const held = [pipeline.infer({ model: 'digits', body }), pipeline.infer({ model: 'digits', body })];
    assert.equal(admission.inflight, 2);
    // Not even parsed: garbage past the limit is refused as overload, not as a bad request.
    const refused = await pipeline.infer({ model: 'digits', body: bytes('garbage') });
    assert.equal(refused.status, 503);
    assert.equal(refused.headers['retry-after'], '3');
    assert.equal(json(refused).code, 'ELM_ERR_OVERLOADED');
    assert.deepEqual(metrics.outcomes.at(-1), ['digits', 'overloaded']);
    executor.open();
    for (const a of await Promise.all(held)) assert.equal(a.status, 200);
    assert.equal(admission.inflight, 0);
    assert.equal((await pipeline.infer({ model: 'digits', body })).status, 200);
    await service.close();
  });
});
