/**
 * The HTTP floor under the serving targets: server CPU per request (process.cpuUsage ÷ requests) and req/s for
 * GET /v2/health/live, a no-op POST with a 300-byte body (a digits infer request) and one with a 15 KB body (an MNIST
 * row as float JSON), on raw node:http and on fastify set up as elmscale's server is. wrk, 64 connections, medians of
 * BENCH_REPEAT (5) interleaved runs.
 * What it answers: how much of an infer request's cost is HTTP before any of our code runs, and whether the framework
 * (fastify) is the bottleneck. A typical run: GET 25–29 µs on both; POST 300 B 31 µs raw vs 41–43 µs fastify (a
 * custom stream parser instead of parseAs: 'buffer' changes nothing). But a node:http fast path for POST …/infer in
 * front of fastify, built on this, saved only ≈ 3 µs of the ≈ 57 µs an infer request costs in the real server (A/B,
 * interleaved), so it was not kept. Why the floor difference does not carry over to the real route was not found.
 * Run: npm run build && node dist/bench/serving/http-floor.js [seconds]
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadDataSpec } from '../../src/adapters/node/data-files.js';
import { median } from '../kernels/util.js';
import { postScript, wrk, writeResult } from './common.js';

const seconds = Number(process.argv[2] ?? 2);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 5);
const digits = await loadDataSpec('digits:test');
const mnist = await loadDataSpec('mnist:test');
const small = postScript(Array.from(digits.x.subarray(0, 64)), 64);
const big = postScript(Array.from(mnist.x.subarray(0, 784)), 784);
const server = fileURLToPath(new URL('./_floor-server.js', import.meta.url));
const results: Record<string, Record<string, { rps: number; cpuUs: number }>> = {};

interface Child {
  kind: string;
  base: string;
  cpu(): Promise<NodeJS.CpuUsage>;
  kill(): void;
}
async function start(kind: string): Promise<Child> {
  const child = fork(server, [kind], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const port = await new Promise<number>((r) => child.stdout!.once('data', (d) => r(Number(String(d).trim()))));
  return {
    kind,
    base: `http://127.0.0.1:${port}`,
    cpu: () =>
      new Promise((r) => {
        child.once('message', (m) => r(m as NodeJS.CpuUsage));
        child.send('cpu');
      }),
    kill: () => void child.kill(),
  };
}

// Both servers run side by side and are measured alternately (raw, fastify, raw, …): the machine's load drifts by
// more than the differences measured here, so only interleaved runs compare.
const servers = [await start('raw'), await start('fastify'), await start('fastify-stream')];
const cases: [string, string, string?][] = [
  ['GET live', '/v2/health/live'],
  ['POST 300 B', '/v2/models/x/infer', small],
  ['POST 15 KB', '/v2/models/x/infer', big],
];
for (const s of servers) results[s.kind] = {};
for (const [name, path, script] of cases) {
  const runs = new Map<string, { rps: number; cpuUs: number }[]>(servers.map((s) => [s.kind, []]));
  for (const s of servers) await wrk(s.base + path, 64, 1, script);
  for (let i = 0; i < REPEAT; i++) {
    for (const s of servers) {
      const c0 = await s.cpu();
      const r = await wrk(s.base + path, 64, seconds, script);
      const c1 = await s.cpu();
      runs.get(s.kind)!.push({ rps: r.rps, cpuUs: (c1.user + c1.system - c0.user - c0.system) / r.requests });
    }
  }
  for (const s of servers) {
    const rs = runs.get(s.kind)!;
    const m = median(rs.map((r) => r.cpuUs));
    results[s.kind]![name] = { rps: Math.round(median(rs.map((r) => r.rps))), cpuUs: +m.toFixed(1) };
    const rps = results[s.kind]![name]!.rps;
    process.stdout.write(
      `${s.kind.padEnd(8)} ${name.padEnd(11)} ${String(rps).padStart(6)} req/s  ${m.toFixed(1)} µs CPU/req\n`,
    );
  }
}
for (const s of servers) s.kill();
await writeResult('http-floor.json', { date: new Date().toISOString(), seconds, results });
