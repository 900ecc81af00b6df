/**
 * End-to-end MNIST training (60k rows, tanh, f32; Gram and solve in f64): elmscale's wasm backend (all cores and one
 * thread) against a numpy + OpenBLAS ELM doing the same work, in the same run, and against the JS reference backend
 * (measured on a sample of rows: its row-linear kernel time is scaled to 60k and the Cholesky time added).
 * Usage: node dist/bench/models/train-mnist.js [--hidden 1024,2048,4096] [--no-js] [--no-numpy]
 */
import { availableParallelism } from 'node:os';
import { loadMnist } from '../../src/adapters/node/data-files.js';
import { headRows } from '../../src/data/dataset.js';
import { createNodeWasmBackend } from '../../src/adapters/node/wasm-backend.js';
import { ELM } from '../../src/models/elm.js';
import { evaluate } from '../../src/models/evaluate.js';
import type { Backend } from '../../src/numeric/backend.js';
import { createJsBackend } from '../../src/numeric/js/index.js';
import { machineInfo, writeResult } from '../kernels/util.js';
import { runNumpyElm, type NumpyResult } from '../kernels/reference.js';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const sizes = arg('--hidden', '1024,2048,4096').split(',').map(Number);
const JS_SAMPLE = Number(arg('--js-rows', '1500'));
const threads = availableParallelism();

/** Wrap a backend so every kernel's time is summed per name. */
function timed(be: Backend): { be: Backend; times: Record<string, number> } {
  const times: Record<string, number> = {};
  const wrapped = Object.create(be) as Record<string, unknown>;
  for (const k of ['hidden', 'gramAccumulate', 'crossAccumulate', 'cholesky', 'choleskySolve'] as const) {
    const f = (be[k] as (...a: unknown[]) => unknown).bind(be);
    wrapped[k] = (...a: unknown[]) => {
      const t = performance.now();
      const r = f(...a);
      times[k] = (times[k] ?? 0) + (performance.now() - t) / 1000;
      return r;
    };
  }
  return { be: wrapped as unknown as Backend, times };
}

const train = await loadMnist('train');
const test = await loadMnist('test');
console.log(`MNIST ${train.rows}×${train.cols}, test ${test.rows}; ${threads} cores\n`);

const numpy: NumpyResult[] = [];
/** The reference for one size, run right before ours so both see the same load on this shared machine. */
function numpyRun(hidden: number): void {
  if (process.argv.includes('--no-numpy')) return;
  for (const r of runNumpyElm(['--data', 'mnist', '--hidden', String(hidden), '--no-latency']) ?? []) {
    numpy.push(r);
    console.log(
      `numpy+OpenBLAS  L=${r.hidden}: train ${r.trainSeconds.toFixed(2)} s (cpu ${r.trainCpuSeconds?.toFixed(2)} s), test accuracy ${r.testAccuracy}`,
    );
  }
}

interface Run {
  backend: string;
  hidden: number;
  rows: number;
  trainSeconds: number;
  trainCpuSeconds: number;
  testAccuracy?: number;
  kernelSeconds: Record<string, number>;
  estimatedFullSeconds?: number;
  vsNumpy?: number;
}
const runs: Run[] = [];
const wasmN = createNodeWasmBackend({ threads });
const wasm1 = threads > 1 ? createNodeWasmBackend({ threads: 1 }) : undefined;

function fitRun(name: string, base: Backend, hidden: number, rows: number): Run {
  const data = rows === train.rows ? train : headRows(train, rows);
  const { be, times } = timed(base);
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  const model = ELM.fit(data, { hidden }, { backend: be });
  const secs = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSecs = (cpu.user + cpu.system) / 1e6;
  const run: Run = {
    backend: name,
    hidden,
    rows,
    trainSeconds: +secs.toFixed(3),
    trainCpuSeconds: +cpuSecs.toFixed(3),
    kernelSeconds: {},
  };
  for (const [k, v] of Object.entries(times)) run.kernelSeconds[k] = +v.toFixed(3);
  if (rows === train.rows) run.testAccuracy = +evaluate(model, test).accuracy!.toFixed(4);
  model.dispose();
  const np = numpy.find((r) => r.hidden === hidden);
  if (np && rows === train.rows) run.vsNumpy = +(secs / np.trainSeconds).toFixed(2);
  runs.push(run);
  console.log(
    `${name.padEnd(15)} L=${hidden}: train ${secs.toFixed(2)} s (cpu ${cpuSecs.toFixed(2)} s) on ${rows} rows` +
      (run.testAccuracy !== undefined ? `, test accuracy ${run.testAccuracy}` : '') +
      (run.vsNumpy !== undefined ? `, ${run.vsNumpy}× numpy's time` : '') +
      `  [${Object.entries(run.kernelSeconds)
        .map(([k, v]) => `${k} ${v.toFixed(2)}`)
        .join(', ')}]`,
  );
  return run;
}

for (const l of sizes) {
  numpyRun(l);
  fitRun(threads > 1 ? `wasm ${threads} thr` : 'wasm', wasmN, l, train.rows);
  if (wasm1 && l === 2048) fitRun('wasm 1 thread', wasm1, 2048, train.rows);
}

const summary: Record<string, unknown> = {};
if (!process.argv.includes('--no-js') && sizes.includes(2048)) {
  const js = fitRun('js (sample)', createJsBackend(), 2048, JS_SAMPLE);
  const k = js.kernelSeconds;
  const rowLinear = (k.hidden ?? 0) + (k.gramAccumulate ?? 0) + (k.crossAccumulate ?? 0);
  const fixed = (k.cholesky ?? 0) + (k.choleskySolve ?? 0);
  js.estimatedFullSeconds = +((rowLinear * train.rows) / JS_SAMPLE + fixed).toFixed(1);
  const w = runs.find((r) => r.hidden === 2048 && r.backend.startsWith('wasm') && r.rows === train.rows)!;
  summary['js estimated full 60k L=2048 seconds'] = js.estimatedFullSeconds;
  summary['wasm speed-up over js, L=2048'] = +(js.estimatedFullSeconds / w.trainSeconds).toFixed(1);
  console.log(
    `js (estimate)   L=2048: ≈ ${js.estimatedFullSeconds} s for 60k rows (row-linear kernels ${rowLinear.toFixed(1)} s on ${JS_SAMPLE} rows ×${(train.rows / JS_SAMPLE).toFixed(0)}, + Cholesky ${fixed.toFixed(1)} s)`,
  );
}
for (const r of runs) if (r.vsNumpy !== undefined) summary[`${r.backend} / numpy time, L=${r.hidden}`] = r.vsNumpy;
console.log('\nsummary:', summary);
console.log('wrote', writeResult('train-mnist', { ...machineInfo(), threads, numpy, runs, summary }));
