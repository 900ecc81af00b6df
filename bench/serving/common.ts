import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadDataSpec } from '../../src/adapters/node/data-files.js';
import { ModelCodecs } from '../../src/models/artifact/codecs.js';
import { ELM } from '../../src/models/elm.js';
import type { Model } from '../../src/models/model.js';
import type { Backend } from '../../src/numeric/backend.js';
import type { ClassificationDataset } from '../../src/data/dataset.js';

const run = promisify(execFile);
export const RESULTS = join(process.cwd(), 'bench', 'results');

export interface WrkResult {
  rps: number;
  p50ms: number;
  p99ms: number;
  non2xx: number;
  requests: number;
}

function ms(v: string, unit: string): number {
  const n = Number(v);
  return unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : n;
}

/** Run wrk (Debian's /usr/bin/wrk) with a Lua script; parse RPS and latency percentiles. */
export async function wrk(url: string, connections: number, seconds: number, lua?: string): Promise<WrkResult> {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency'];
  if (lua) {
    const f = join(tmpdir(), `elmscale-wrk-${process.pid}-${Math.random().toString(36).slice(2)}.lua`);
    await writeFile(f, lua);
    args.push('-s', f);
  }
  args.push(url);
  const { stdout } = await run('wrk', args, { maxBuffer: 1 << 20 });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0);
  const pct = (p: string): number => {
    const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(stdout);
    return m ? ms(m[1]!, m[2]!) : NaN;
  };
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
  const requests = Number(/(\d+) requests in/.exec(stdout)?.[1] ?? 0);
  return { rps, p50ms: pct('50'), p99ms: pct('99'), non2xx, requests };
}

/**
 * wrk `repeat` times (default $BENCH_REPEAT or 3) and keep the run with the median RPS (the machine is shared and
 * noisy); `runs` lists every run's RPS.
 */
export async function wrkMedian(
  url: string,
  connections: number,
  seconds: number,
  lua?: string,
  repeat = Number(process.env.BENCH_REPEAT ?? 3),
): Promise<WrkResult & { runs: number[] }> {
  const rs: WrkResult[] = [];
  for (let i = 0; i < Math.max(1, repeat); i++) rs.push(await wrk(url, connections, seconds, lua));
  const sorted = [...rs].sort((a, b) => a.rps - b.rps);
  return { ...sorted[sorted.length >> 1]!, runs: rs.map((r) => Math.round(r.rps)) };
}

/** A wrk script POSTing a fixed JSON body, or (randomise) one whose first value changes every request. */
export function postScript(input: number[], dims: number, randomise = false): string {
  const head = `{"inputs":[{"name":"input","shape":[1,${dims}],"datatype":"FP32","data":[`;
  const tail = ']}],"outputs":[{"name":"class"}]}';
  const lines = ['wrk.method = "POST"', 'wrk.headers["Content-Type"] = "application/json"'];
  if (!randomise) lines.push(`wrk.body = ${JSON.stringify(head + input.join(',') + tail)}`);
  else {
    lines.push(
      `local head = ${JSON.stringify(head)}`,
      `local rest = ${JSON.stringify(',' + input.slice(1).join(',') + tail)}`,
      'local n = 0',
      'request = function() n = n + 1; return wrk.format(nil, nil, nil, head .. (n + math.random()) .. rest) end',
    );
  }
  return lines.join('\n') + '\n';
}

/**
 * A wrk script cycling through one request body per row (distinct inputs, as real traffic has; the bodies are
 * formatted once in init(), so wrk does one Lua call per request).
 */
export function postScriptCycle(rows: number[][], dims: number): string {
  const body = (r: number[]): string =>
    `{"inputs":[{"name":"input","shape":[1,${dims}],"datatype":"FP32","data":[${r.join(',')}]}],"outputs":[{"name":"class"}]}`;
  return [
    'wrk.method = "POST"',
    'wrk.headers["Content-Type"] = "application/json"',
    `local bodies = { ${rows.map((r) => JSON.stringify(body(r))).join(', ')} }`,
    'local reqs = {}',
    'local i = 0',
    'init = function(args) for k, b in ipairs(bodies) do reqs[k] = wrk.format(nil, nil, nil, b) end end',
    'request = function() i = i % #reqs + 1; return reqs[i] end',
    '',
  ].join('\n');
}

export async function writeResult(name: string, data: unknown): Promise<void> {
  await mkdir(RESULTS, { recursive: true });
  await writeFile(join(RESULTS, name), JSON.stringify(data, null, 2) + '\n');
  process.stdout.write(`wrote bench/results/${name}\n`);
}

/** MNIST L=4096 classifier, trained once on `rows` MNIST rows and cached as an artifact in bench/results/. */
export async function mnistModel(
  backend: Backend,
  rows = 10000,
): Promise<{ model: Model; data: ClassificationDataset }> {
  const codecs = new ModelCodecs();
  const file = join(RESULTS, `mnist-l4096-${rows}.elm`);
  const data = (await loadDataSpec('mnist:test')) as ClassificationDataset;
  try {
    const bytes = await readFile(file);
    return { model: codecs.decode(new Uint8Array(bytes), { backend }).model, data };
  } catch {
    const train = (await loadDataSpec(`mnist:train:${rows}`)) as ClassificationDataset;
    const t0 = performance.now();
    const model = ELM.fit(train, { hidden: 4096 }, { backend });
    process.stdout.write(`trained MNIST L=4096 on ${rows} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    await mkdir(RESULTS, { recursive: true });
    await writeFile(file, codecs.encode(model));
    return { model, data };
  }
}

/** utime + stime of a process in µs (Linux /proc; clock ticks of 10 ms): a server's CPU per request in benchmarks. */
export function cpuUs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * 10_000;
}
