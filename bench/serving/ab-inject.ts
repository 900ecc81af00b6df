/**
 * The same A/B as ab.ts without sockets or wrk: each build's server answers requests through fastify's inject()
 * in its own child process, and the CPU per request is read with process.cpuUsage — far less noisy than a loopback
 * load test on a shared 2-core machine, so a few µs of change in the request path show. Builds alternate per
 * round; medians over rounds. Workloads: digits infer (same body: the reply-cache hit path), digits infer with a
 * fresh body each time (parse, batch, compute, shape), GET /v2/health/live.
 * Run: npm run build && node dist/bench/serving/ab-inject.js <baseline checkout> [rounds=7] [requests=20000]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { selectBackend } from '../../src/adapters/node/backends.js';
import { loadDataSpec } from '../../src/adapters/node/data-files.js';
import { trainDemoModels } from '../../src/adapters/node/serving/demo-models.js';
import { ModelCodecs } from '../../src/models/artifact/codecs.js';
import { median } from '../kernels/util.js';
import { writeResult } from './common.js';

const baseDir = resolve(process.argv[2] ?? '');
if (!process.argv[2]) throw new Error('usage: ab-inject.js <baseline checkout> [rounds] [requests]');
const rounds = Number(process.argv[3] ?? 7);
const requests = Number(process.argv[4] ?? 20000);
const here = resolve(process.cwd());
const rev = (dir: string): string => execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD']).toString().trim();
const builds = [
  { label: 'A', dir: baseDir, rev: rev(baseDir) },
  { label: 'B', dir: here, rev: rev(here) },
];

const tmp = await mkdtemp(join(tmpdir(), 'elmscale-ab-inject-'));
const digits = (await trainDemoModels(await selectBackend({ purpose: 'serving' })))[0]!.model;
const artifact = join(tmp, 'digits.elm');
await writeFile(artifact, new ModelCodecs().encode(digits));
const row = Array.from((await loadDataSpec('digits:test')).x.subarray(0, 64));

// The child: start the build's server on its own, inject `requests` requests per workload after a warm-up.
const child = `
const [dir, artifact, n, row] = [process.argv[2], process.argv[3], Number(process.argv[4]), JSON.parse(process.argv[5])];
const { startServer } = await import(new URL('dist/src/adapters/node/http/index.js', dir).href);
const s = await startServer({ port: 0, modelFiles: [{ path: artifact }] });
const body = (v) => JSON.stringify({ inputs: [{ name: 'input', shape: [1, 64], datatype: 'FP32', data: [v, ...row.slice(1)] }], outputs: [{ name: 'class' }] });
const workloads = {
  inferCached: (i) => ({ method: 'POST', url: '/v2/models/digits/infer', payload: body(0), headers: { 'content-type': 'application/json' } }),
  inferFresh: (i) => ({ method: 'POST', url: '/v2/models/digits/infer', payload: body(i / 7), headers: { 'content-type': 'application/json' } }),
  live: () => ({ method: 'GET', url: '/v2/health/live' }),
};
const out = {};
for (const [name, make] of Object.entries(workloads)) {
  for (let i = 0; i < 3000; i++) await s.app.inject(make(i));
  const reqs = Array.from({ length: n }, (_, i) => make(i + 1e6));
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i += 16) {
    const rs = await Promise.all(reqs.slice(i, i + 16).map((r) => s.app.inject(r)));
    if (rs.some((r) => r.statusCode !== 200)) throw new Error(name + ' answered ' + rs.find((r) => r.statusCode !== 200).body);
  }
  const c = process.cpuUsage(c0);
  out[name] = (c.user + c.system) / n;
}
await s.close();
process.stdout.write(JSON.stringify(out));
`;
const childFile = join(tmp, 'child.mjs');
await writeFile(childFile, child);

const results: Record<string, Record<string, number[]>> = {};
for (let r = 0; r < rounds; r++) {
  for (const b of r % 2 === 0 ? builds : [...builds].reverse()) {
    const p = spawnSync(
      process.execPath,
      [childFile, pathToFileURL(b.dir + '/').href, artifact, String(requests), JSON.stringify(row)],
      { encoding: 'utf8' },
    );
    if (p.status !== 0) throw new Error(`build ${b.label} failed: ${p.stderr}`);
    const o = JSON.parse(p.stdout) as Record<string, number>;
    for (const [w, us] of Object.entries(o)) ((results[w] ??= {})[b.label] ??= []).push(us);
    process.stdout.write(
      `round ${r + 1} ${b.label} ${Object.entries(o)
        .map(([w, us]) => `${w} ${us.toFixed(1)} µs`)
        .join('  ')}\n`,
    );
  }
}
const summary: Record<string, unknown> = {};
for (const [w, by] of Object.entries(results)) {
  const ratios = by.A!.map((a, i) => by.B![i]! / a);
  summary[w] = {
    cpuUsPerRequestA: median(by.A!),
    cpuUsPerRequestB: median(by.B!),
    ratioBA: median(ratios),
    runsA: by.A,
    runsB: by.B,
  };
  process.stdout.write(
    `${w}: A ${median(by.A!).toFixed(1)} µs, B ${median(by.B!).toFixed(1)} µs, B/A ${median(ratios).toFixed(3)}\n`,
  );
}
await writeResult('ab-inject.json', {
  date: new Date().toISOString(),
  conditions: `fastify inject() in one child process per build and round (no sockets), ${requests} requests per workload after 3,000 warm-up, 16 in flight; CPU from process.cpuUsage; ${rounds} rounds alternating A/B`,
  builds: builds.map((b) => ({ label: b.label, rev: b.rev })),
  loadavgStart: loadavg(),
  ...summary,
});
await rm(tmp, { recursive: true, force: true });
