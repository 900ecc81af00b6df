/**
 * Serving benchmarks (issue 3 targets), side by side in one run:
 *   1. in-process predict, digits L=1024 (median µs; target ≤ 10)
 *   2. HTTP, 64 connections: infer RPS vs GET /v2/health/live RPS (target ≥ 70 %, P99 ≤ 10 ms), inline and workers
 *   3. MNIST L=4096, 128 connections: dynamic batching on vs off (target ≥ 2×)
 *   4. MNIST L=4096: cache hit path vs miss path (target ≥ 3×)
 * Load generator: wrk (Debian package), one thread. Every server under test is its own process (`elmscale serve`
 * on a temporary artifact), as in deployment: two servers in the bench's process shared one V8 heap and GC, so e.g.
 * the cache-miss server's full cache slowed the cache-hit server measured next to it.
 * Run: npm run build && node dist/bench/serving/serving.js [seconds] [inprocess|http|mnist]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChildServer } from '../../src/adapters/node/loadtest/server.js';
import { trainDemoModels } from '../../src/adapters/node/serving/demo-models.js';
import { selectBackend } from '../../src/adapters/node/backends.js';
import { ModelCodecs } from '../../src/models/artifact/codecs.js';
import { mnistModel, postScript, postScriptCycle, wrk, writeResult, type WrkResult } from './common.js';

const seconds = Number(process.argv[2] ?? 5);
const only = process.argv[3];
const out: Record<string, unknown> = { date: new Date().toISOString(), seconds, loadavgStart: loadavg() };
const line = (s: string): void => void process.stdout.write(s + '\n');
const fmt = (r: WrkResult): string =>
  `${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50ms.toFixed(2)} ms  p99 ${r.p99ms.toFixed(2)} ms  non-2xx ${r.non2xx}`;

/** The server settings the benchmarks vary, as `elmscale serve` flags. */
interface ServerConfig {
  workers?: number;
  maxBatchRows?: number;
  cache?: false;
}

const tmp = await mkdtemp(join(tmpdir(), 'elmscale-serving-bench-'));
const codecs = new ModelCodecs();

/** Start `elmscale serve` on one artifact in its own process. */
function serve(artifact: string, c: ServerConfig) {
  const args = ['serve', '--port', '0', '--model', artifact];
  if (c.workers !== undefined) args.push('--workers', String(c.workers));
  if (c.maxBatchRows !== undefined) args.push('--max-batch-rows', String(c.maxBatchRows));
  if (c.cache === false) args.push('--no-cache');
  return startChildServer({ args });
}

async function withServer<T>(artifact: string, c: ServerConfig, fn: (url: string) => Promise<T>): Promise<T> {
  const s = await serve(artifact, c);
  try {
    return await fn(s.url);
  } finally {
    await s.close();
  }
}

const backend = await selectBackend({ purpose: 'serving' });
out.backend = backend.name;
const demo = await trainDemoModels(backend);
const digits = demo[0]!.model;
const digitsFile = join(tmp, 'digits.elm');
await writeFile(digitsFile, codecs.encode(digits));
const { loadDataSpec } = await import('../../src/adapters/node/data-files.js');
const dtest = await loadDataSpec('digits:test');
const drow = Array.from(dtest.x.subarray(0, 64));

if (!only || only === 'inprocess') {
  const x = Float32Array.from(drow);
  const o = new Float32Array(10);
  for (let i = 0; i < 20000; i++) digits.predict(x, 1, o);
  const ts: number[] = [];
  for (let i = 0; i < 50000; i++) {
    const t = performance.now();
    digits.predict(x, 1, o);
    ts.push(performance.now() - t);
  }
  ts.sort((a, b) => a - b);
  const r = {
    medianUs: ts[ts.length >> 1]! * 1000,
    p99Us: ts[Math.floor(ts.length * 0.99)]! * 1000,
    backend: backend.name,
  };
  out.inProcess = r;
  line(
    `in-process predict digits L=1024 (${backend.name}): median ${r.medianUs.toFixed(2)} µs, p99 ${r.p99Us.toFixed(2)} µs`,
  );
}

if (!only || only === 'http') {
  const http: Record<string, unknown> = {};
  for (const workers of [0, 1, 2]) {
    await withServer(digitsFile, { workers, cache: false }, async (url) => {
      const script = postScript(drow, 64);
      await wrk(`${url}/v2/health/live`, 64, 1);
      await wrk(`${url}/v2/models/digits/infer`, 64, 1, script);
      // live and infer alternate (3 pairs): the machine's load drifts, so the ratio is taken per pair (median).
      const pairs: { live: WrkResult; infer: WrkResult; ratio: number }[] = [];
      for (let i = 0; i < Number(process.env.BENCH_REPEAT ?? 3); i++) {
        const l = await wrk(`${url}/v2/health/live`, 64, seconds);
        const f = await wrk(`${url}/v2/models/digits/infer`, 64, seconds, script);
        pairs.push({ live: l, infer: f, ratio: f.rps / l.rps });
      }
      pairs.sort((a, b) => a.ratio - b.ratio);
      const { live, infer, ratio } = pairs[pairs.length >> 1]!;
      const ratios = pairs.map((p) => Number(p.ratio.toFixed(3)));
      http[`workers=${workers}`] = { live, infer, ratio, ratios, loadavg: loadavg() };
      line(`HTTP 64 conns, workers=${workers}: live  ${fmt(live)}`);
      line(`HTTP 64 conns, workers=${workers}: infer ${fmt(infer)}  → ${(ratio * 100).toFixed(0)} % of live`);
    });
  }
  out.http = http;
}

if (!only || only === 'mnist') {
  const { model, data } = await mnistModel(backend);
  const row = Array.from(data.x.subarray(0, 784));
  const mnistFile = join(tmp, 'mnist.elm');
  await writeFile(mnistFile, codecs.encode(model));
  const script = postScript(row, 784);
  // Batching traffic: 128 distinct test rows in turn (one repeated row keeps its few W rows hot in cache, which
  // flatters the one-row path; the cache runs below use one body on purpose).
  const distinctScript = postScriptCycle(
    Array.from({ length: 128 }, (_, r) => Array.from(data.x.subarray(r * 784, (r + 1) * 784))),
    784,
  );
  const runs: Record<string, WrkResult> = {};
  const ratios: Record<string, number[]> = {};
  /**
   * Two configurations measured as alternating pairs (A, B, A, B, …) on servers started side by side, so the
   * machine's drifting load hits both alike; the reported ratio B/A is the median over pairs.
   */
  const paired = async (
    name: string,
    conns: number,
    a: [string, ServerConfig, string],
    b: [string, ServerConfig, string],
  ): Promise<number> => {
    const sa = await serve(mnistFile, a[1]);
    const sb = await serve(mnistFile, b[1]);
    try {
      const ua = `${sa.url}/v2/models/mnist/infer`;
      const ub = `${sb.url}/v2/models/mnist/infer`;
      await wrk(ua, conns, 1, a[2]);
      await wrk(ub, conns, 1, b[2]);
      const ps: { a: WrkResult; b: WrkResult; r: number }[] = [];
      for (let i = 0; i < Number(process.env.BENCH_REPEAT ?? 3); i++) {
        const ra = await wrk(ua, conns, seconds, a[2]);
        const rb = await wrk(ub, conns, seconds, b[2]);
        ps.push({ a: ra, b: rb, r: rb.rps / ra.rps });
      }
      ratios[name] = ps.map((p) => Number(p.r.toFixed(3)));
      ps.sort((x, y) => x.r - y.r);
      const mid = ps[ps.length >> 1]!;
      runs[a[0]] = mid.a;
      runs[b[0]] = mid.b;
      line(`MNIST L=4096, ${conns} conns, ${a[0].padEnd(22)}: ${fmt(mid.a)}`);
      line(`MNIST L=4096, ${conns} conns, ${b[0].padEnd(22)}: ${fmt(mid.b)}`);
      line(`  ${name}: ${mid.r.toFixed(2)}× (pairs: ${ratios[name]!.join(', ')}; load ${loadavg()[0]!.toFixed(2)})`);
      return mid.r;
    } finally {
      await sa.close();
      await sb.close();
    }
  };
  const off: ServerConfig = { maxBatchRows: 1, cache: false };
  const on: ServerConfig = { maxBatchRows: 64, cache: false };
  const batchRatio = await paired(
    'batching on / off',
    128,
    ['batching off', off, distinctScript],
    ['batching on', on, distinctScript],
  );
  const batchRatioWorker = await paired(
    'batching on / off, 1 worker',
    128,
    ['batching off, 1 worker', { ...off, workers: 1 }, distinctScript],
    ['batching on, 1 worker', { ...on, workers: 1 }, distinctScript],
  );
  const cacheRatio = await paired(
    'cache hit / miss',
    64,
    ['cache miss', {}, postScript(row, 784, true)],
    ['cache hit', {}, script],
  );
  out.mnist = { runs, ratios, batchRatio, batchRatioWorker, cacheRatio, loadavg: loadavg() };
}

out.loadavgEnd = loadavg();
await rm(tmp, { recursive: true, force: true });
await writeResult(`serving${only ? '-' + only : ''}.json`, out);
