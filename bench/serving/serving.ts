/**
 * Serving benchmarks (issue 3 targets), side by side in one run:
 *   1. in-process predict, digits L=1024 (median µs; target ≤ 10)
 *   2. HTTP, 64 connections: infer RPS vs GET /v2/health/live RPS (target ≥ 70 %, P99 ≤ 10 ms), inline and workers
 *   3. MNIST L=4096, 128 connections: dynamic batching on vs off (target ≥ 2×)
 *   4. MNIST L=4096: cache hit path vs miss path (target ≥ 3×)
 * Load generator: wrk (Debian package), one thread. Run: npm run build && node dist/bench/serving/serving.js [seconds]
 */
import { startServer, type ServerOptions } from '../../src/adapters/node/http/index.js';
import { trainDemoModels } from '../../src/adapters/node/serving/demo-models.js';
import { servingBackend } from '../../src/adapters/node/serving/runtime.js';
import { loadavg } from 'node:os';
import { mnistModel, postScript, wrk, wrkMedian, writeResult, type WrkResult } from './common.js';

const seconds = Number(process.argv[2] ?? 5);
const only = process.argv[3];
const out: Record<string, unknown> = { date: new Date().toISOString(), seconds, loadavgStart: loadavg() };
const line = (s: string): void => void process.stdout.write(s + '\n');
const fmt = (r: WrkResult): string =>
  `${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50ms.toFixed(2)} ms  p99 ${r.p99ms.toFixed(2)} ms  non-2xx ${r.non2xx}`;

async function withServer<T>(o: ServerOptions, fn: (url: string) => Promise<T>): Promise<T> {
  const s = await startServer({ port: 0, ...o });
  try {
    return await fn(s.url);
  } finally {
    await s.close();
  }
}

const backend = await servingBackend();
out.backend = backend.name;
const demo = await trainDemoModels(backend);
const digits = demo[0]!.model;
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
    await withServer({ workers, models: [{ name: 'digits', model: digits }], cache: false }, async (url) => {
      await wrk(`${url}/v2/health/live`, 64, 1);
      const live = await wrkMedian(`${url}/v2/health/live`, 64, seconds);
      const script = postScript(drow, 64);
      await wrk(`${url}/v2/models/digits/infer`, 64, 1, script);
      const infer = await wrkMedian(`${url}/v2/models/digits/infer`, 64, seconds, script);
      const ratio = infer.rps / live.rps;
      http[`workers=${workers}`] = { live, infer, ratio };
      line(`HTTP 64 conns, workers=${workers}: live  ${fmt(live)}`);
      line(`HTTP 64 conns, workers=${workers}: infer ${fmt(infer)}  → ${(ratio * 100).toFixed(0)} % of live`);
    });
  }
  out.http = http;
}

if (!only || only === 'mnist') {
  const { model, data } = await mnistModel(backend);
  const row = Array.from(data.x.subarray(0, 784));
  const models = [{ name: 'mnist', model }];
  const script = postScript(row, 784);
  const runs: Record<string, WrkResult> = {};
  for (const [label, o] of [
    ['batching off', { maxBatchRows: 1, cache: false }],
    ['batching on', { maxBatchRows: 64, cache: false }],
    ['batching off, 1 worker', { maxBatchRows: 1, cache: false, workers: 1 }],
    ['batching on, 1 worker', { maxBatchRows: 64, cache: false, workers: 1 }],
  ] as [string, ServerOptions][]) {
    await withServer({ ...o, models }, async (url) => {
      await wrk(`${url}/v2/models/mnist/infer`, 128, 1, script);
      runs[label] = await wrkMedian(`${url}/v2/models/mnist/infer`, 128, seconds, script);
      line(`MNIST L=4096, 128 conns, ${label.padEnd(22)}: ${fmt(runs[label]!)}`);
    });
  }
  const batchRatio = runs['batching on']!.rps / runs['batching off']!.rps;
  const batchRatioWorker = runs['batching on, 1 worker']!.rps / runs['batching off, 1 worker']!.rps;
  line(`  batching speed-up ${batchRatio.toFixed(2)}× inline, ${batchRatioWorker.toFixed(2)}× with 1 worker`);
  for (const [label, randomise] of [
    ['cache miss', true],
    ['cache hit', false],
  ] as [string, boolean][]) {
    await withServer({ models }, async (url) => {
      const sc = postScript(row, 784, randomise);
      await wrk(`${url}/v2/models/mnist/infer`, 64, 1, sc);
      runs[label] = await wrkMedian(`${url}/v2/models/mnist/infer`, 64, seconds, sc);
      line(`MNIST L=4096, 64 conns, ${label.padEnd(22)}: ${fmt(runs[label]!)}`);
    });
  }
  const cacheRatio = runs['cache hit']!.rps / runs['cache miss']!.rps;
  line(`  cache hit / miss ${cacheRatio.toFixed(2)}×`);
  out.mnist = { runs, batchRatio, batchRatioWorker, cacheRatio };
}

out.loadavgEnd = loadavg();
await writeResult(`serving${only ? '-' + only : ''}.json`, out);
