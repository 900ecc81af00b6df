/**
 * `npm run bench`: runs every benchmark entry point under dist/bench/ (one child process each, so no benchmark
 * warms up or pollutes another), in a fixed order, passing through extra flags (e.g. --quick).
 * A benchmark file is any .js under dist/bench/<area>/ whose name does not start with "util" or "_".
 * Results are written by each benchmark to bench/results/<name>.json.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const AREAS = ['kernels', 'models', 'serving', 'strategies', 'loadtest', 'edge', 'cluster'];

const files: string[] = [];
for (const area of AREAS) {
  const dir = join(here, area);
  try {
    if (!statSync(dir).isDirectory()) continue;
  } catch {
    continue;
  }
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith('.js') || f.startsWith('util') || f.startsWith('_')) continue;
    const rel = `${area}/${f.replace(/\.js$/, '')}`;
    if (only.length === 0 || only.some((o) => rel.includes(o))) files.push(join(dir, f));
  }
}

let failed = 0;
for (const f of files) {
  console.log(`\n=== ${relative(here, f)} ${flags.join(' ')}`);
  const r = spawnSync(process.execPath, [f, ...flags], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.log(`!!! ${relative(here, f)} exited with ${r.status}`);
  }
}
console.log(`\n${files.length - failed} benchmarks ran, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
