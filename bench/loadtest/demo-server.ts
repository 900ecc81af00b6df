/**
 * The figures the README quotes: `elmscale bench` against our own demo server (started by the benchmark as a child
 * process on a free loopback port, response cache off), full sweep; then the batching and model comparisons.
 * Writes bench/results/loadtest-demo.{json,html} and loadtest-compare-{batching,models}.{json,html}.
 *   node dist/bench/loadtest/demo-server.js [--quick]
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../kernels/util.js';

const quick = process.argv.includes('--quick');
const root = repoRoot();
const bin = join(root, 'bin', 'elmscale.js');
const results = join(root, 'bench', 'results');

interface Answer {
  sloMaxConcurrency: number | null;
  sloMaxRps: number | null;
  costPerMillion: number | null;
  peakRps: number;
  sloMs: number;
  comparison?: {
    rows: { label: string; sloMaxRps: number | null; peakRps: number; ratios: { peakRps: number | null } }[];
  };
}

function bench(name: string, extra: string[]): Answer {
  const json = join(results, `${name}.json`);
  const html = join(results, `${name}.html`);
  const args = [bin, 'bench', ...(quick ? ['--quick'] : []), '--out', json, '--report', html, ...extra];
  console.log(`$ elmscale ${args.slice(1).join(' ')}`);
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`elmscale bench exited ${r.status}`);
  return JSON.parse(readFileSync(json, 'utf8')) as Answer;
}

const main = bench('loadtest-demo', []);
const batching = bench('loadtest-compare-batching', ['--compare', 'batching', '--mode', 'closed']);
const models = bench('loadtest-compare-models', ['--compare', 'models', '--mode', 'closed']);

const f = (v: number | null, d = 0) => (v === null ? 'none' : v.toFixed(d));
console.log('\n=== key figures (demo model "digits", L=1024, loopback, 2-core machine)');
console.log(`max concurrent users with P99 ≤ ${main.sloMs} ms: ${f(main.sloMaxConcurrency)}`);
console.log(`max req/s with P99 ≤ ${main.sloMs} ms:         ${f(main.sloMaxRps)}  (peak ${main.peakRps.toFixed(0)})`);
console.log(
  `cost per 1M queries at that load:      ${main.costPerMillion === null ? '–' : main.costPerMillion.toPrecision(3)}`,
);
for (const [what, c] of [
  ['batching', batching],
  ['models', models],
] as const) {
  for (const r of c.comparison?.rows ?? [])
    console.log(
      `${what}: ${r.label.padEnd(22)} peak ${r.peakRps.toFixed(0).padStart(6)} req/s  (${(r.ratios.peakRps ?? 0).toFixed(2)}×)`,
    );
}
