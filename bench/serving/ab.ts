/**
 * A/B of two builds of elmscale on the same HTTP workload, interleaved (A, B, A, B, …) so the shared machine's
 * drift falls on both: digits infer (JSON, one row, 64 connections) and GET /v2/health/live, each server its own
 * `elmscale serve` process, wrk with one thread. Reports median req/s, P50/P99 and server CPU µs per request
 * (from /proc/<pid>/stat) per build, and the B/A ratios. Used to show a refactor costs nothing.
 * Run: npm run build && node dist/bench/serving/ab.js <baseline checkout> [pairs=5] [seconds=5] [out=ab-serving.json]
 *   (the baseline checkout must be built: `git worktree add ../base <rev> && cd ../base && npm ci`)
 */
import { execFileSync } from 'node:child_process';
import { rm, mkdtemp, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ELMSCALE_BIN, startChildServer } from '../../src/adapters/node/loadtest/server.js';
import { loadDataSpec } from '../../src/adapters/node/data-files.js';
import { trainDemoModels } from '../../src/adapters/node/serving/demo-models.js';
import { selectBackend } from '../../src/adapters/node/backends.js';
import { ModelCodecs } from '../../src/models/artifact/codecs.js';
import { median } from '../kernels/util.js';
import { cpuUs, postScript, wrk, writeResult, type WrkResult } from './common.js';

const baseDir = resolve(process.argv[2] ?? '');
if (!process.argv[2]) throw new Error('usage: ab.js <baseline checkout> [pairs] [seconds] [out]');
const pairs = Number(process.argv[3] ?? 5);
const seconds = Number(process.argv[4] ?? 5);
const outName = process.argv[5] ?? 'ab-serving.json';
const line = (s: string): void => void process.stdout.write(s + '\n');
const rev = (dir: string): string => execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD']).toString().trim();

const builds = [
  { label: 'A', dir: baseDir, bin: join(baseDir, 'bin', 'elmscale.js') },
  { label: 'B', dir: resolve(ELMSCALE_BIN, '..', '..'), bin: ELMSCALE_BIN },
].map((b) => ({ ...b, rev: rev(b.dir) }));

const tmp = await mkdtemp(join(tmpdir(), 'elmscale-ab-'));
const backend = await selectBackend({ purpose: 'serving' });
const digits = (await trainDemoModels(backend))[0]!.model;
const artifact = join(tmp, 'digits.elm');
await writeFile(artifact, new ModelCodecs().encode(digits));
const drow = Array.from((await loadDataSpec('digits:test')).x.subarray(0, 64));
const inferLua = postScript(drow, 64);

interface Run extends WrkResult {
  cpuUsPerRequest: number;
}

async function measure(bin: string, path: string, lua?: string): Promise<Run> {
  const s = await startChildServer({ script: bin, args: ['serve', '--port', '0', '--model', artifact] });
  try {
    await wrk(`${s.url}${path}`, 64, 1, lua); // warm-up: JIT, adaptive batching's cost table
    const c0 = cpuUs(s.pid);
    const r = await wrk(`${s.url}${path}`, 64, seconds, lua);
    const c1 = cpuUs(s.pid);
    return { ...r, cpuUsPerRequest: (c1 - c0) / Math.max(1, r.requests) };
  } finally {
    await s.close();
  }
}

const workloads = [
  { name: 'infer', path: '/v2/models/digits/infer', lua: inferLua },
  { name: 'live', path: '/v2/health/live', lua: undefined },
];
const runs: Record<string, Record<string, Run[]>> = {};
const loadStart = loadavg();
for (let p = 0; p < pairs; p++) {
  for (const w of workloads) {
    // Alternate which build goes first, so neither always gets the warmer or the cooler slot.
    const order = p % 2 === 0 ? builds : [...builds].reverse();
    for (const b of order) {
      const r = await measure(b.bin, w.path, w.lua);
      ((runs[w.name] ??= {})[b.label] ??= []).push(r);
      line(
        `pair ${p + 1} ${w.name.padEnd(5)} ${b.label} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50ms.toFixed(2)}  p99 ${r.p99ms.toFixed(2)} ms  ${r.cpuUsPerRequest.toFixed(1)} µs CPU/req  non-2xx ${r.non2xx}`,
      );
    }
  }
}
const summary: Record<string, unknown> = {};
for (const w of workloads) {
  const s: Record<string, unknown> = {};
  for (const b of builds) {
    const rs = runs[w.name]![b.label]!;
    s[b.label] = {
      rev: b.rev,
      rps: median(rs.map((r) => r.rps)),
      p50ms: median(rs.map((r) => r.p50ms)),
      p99ms: median(rs.map((r) => r.p99ms)),
      cpuUsPerRequest: median(rs.map((r) => r.cpuUsPerRequest)),
      rpsRuns: rs.map((r) => Math.round(r.rps)),
    };
  }
  const ratios = runs[w.name]!.A!.map((a, i) => runs[w.name]!.B![i]!.rps / a.rps);
  s.rpsRatioBA = median(ratios);
  s.rpsRatioPairs = ratios.map((x) => Number(x.toFixed(3)));
  summary[w.name] = s;
  line(`${w.name}: B/A req/s median ${median(ratios).toFixed(3)} (pairs ${s.rpsRatioPairs as string})`);
}
await writeResult(outName, {
  date: new Date().toISOString(),
  conditions: `closed loop, wrk -t1 -c64, ${seconds} s per run after a 1 s warm-up, ${pairs} interleaved pairs, 2 cores shared by server and wrk`,
  builds: builds.map((b) => ({ label: b.label, rev: b.rev, dir: b.label === 'A' ? 'baseline' : 'this checkout' })),
  loadavgStart: loadStart,
  loadavgEnd: loadavg(),
  ...summary,
});
await rm(tmp, { recursive: true, force: true });
