/**
 * Kernel throughput, JS reference vs wasm SIMD (1 thread) vs wasm SIMD (all cores), side by side in one run:
 *   GEMM 2048³, the MNIST hidden layer 60000×784·784×2048 (+bias, tanh), the Gram HᵀH of 60000×2048 (upper).
 * The JS backend is sampled on fewer rows (the cost is linear in rows) and its rate is reported as measured on the
 * sample; every figure says how many rows it was measured on. Usage: node dist/bench/kernels/kernels.js [--quick]
 */
import { availableParallelism } from 'node:os';
import { createNodeWasmBackend } from '../../src/adapters/node/wasm-backend.js';
import type { Backend } from '../../src/numeric/backend.js';
import { createJsBackend } from '../../src/numeric/js/index.js';
import { machineInfo, median, randomArray, timeRuns, writeResult } from './util.js';

const quick = process.argv.includes('--quick');
const ROWS = quick ? 6000 : 60000;
const JS_SAMPLE_ROWS = quick ? 64 : 256;
const threads = availableParallelism();

interface Row {
  kernel: string;
  backend: string;
  rows: number;
  scaledFromRows?: number;
  seconds: number[];
  medianSeconds: number;
  gflops: number;
  note?: string;
}

const results: Row[] = [];

function record(kernel: string, backend: string, rows: number, flops: number, secs: number[], fullRows: number): void {
  const med = median(secs);
  const row: Row = {
    kernel,
    backend,
    rows,
    seconds: secs.map((s) => +s.toFixed(4)),
    medianSeconds: +med.toFixed(4),
    gflops: +(flops / med / 1e9).toFixed(1),
  };
  if (rows !== fullRows) {
    row.scaledFromRows = rows;
    row.note = `measured on ${rows} of ${fullRows} rows; time for the full shape ≈ ${((med * fullRows) / rows).toFixed(1)} s`;
  }
  results.push(row);
  console.log(
    `${kernel.padEnd(34)} ${backend.padEnd(14)} rows=${String(rows).padStart(6)}  ${row.gflops.toFixed(1).padStart(6)} GFLOP/s  median ${med.toFixed(3)} s${row.note ? '  (' + row.note + ')' : ''}`,
  );
}

function gemmCase(be: Backend, name: string, rows: number, reps: number): void {
  const n = 2048;
  const a = randomArray(rows * n, 1);
  const b = randomArray(n * n, 2);
  const c = new Float32Array(rows * n);
  const secs = timeRuns(() => be.gemm(false, false, rows, n, n, 1, a, b, 0, c), reps, 1);
  record('gemm 2048³', name, rows, 2 * rows * n * n, secs, n);
}

function hiddenCase(be: Backend, name: string, rows: number, reps: number): void {
  const d = 784,
    l = 2048;
  const x = randomArray(rows * d, 3, 0, 1);
  const w = randomArray(d * l, 4, -0.06, 0.06);
  const bias = randomArray(l, 5);
  const out = new Float32Array(rows * l);
  const secs = timeRuns(() => be.hidden(rows, d, l, x, w, bias, 'tanh', out), reps, 1);
  record(`hidden ${ROWS}×784·784×2048 tanh`, name, rows, 2 * rows * d * l, secs, ROWS);
}

function gramCase(be: Backend, name: string, rows: number, reps: number): void {
  const l = 2048;
  const h = randomArray(rows * l, 6);
  const g = new Float64Array(l * l);
  const secs = timeRuns(() => be.gramAccumulate(rows, l, h, g), reps, 1);
  // actual work of the upper triangle: rows·L·(L+1) flops (a full GEMM would be 2·rows·L²)
  record(`gram ${ROWS}×2048 (upper)`, name, rows, rows * l * (l + 1), secs, ROWS);
}

const js = createJsBackend();
const wasm1 = createNodeWasmBackend({ threads: 1 });
const wasmN = threads > 1 ? createNodeWasmBackend({ threads }) : undefined;
const wasmBackends: [string, Backend][] = [['wasm 1 thread', wasm1]];
if (wasmN) wasmBackends.push([`wasm ${threads} threads`, wasmN]);

console.log(`kernel throughput (f32; Gram accumulated into Float64), ${threads} cores available\n`);
gemmCase(js, 'js', JS_SAMPLE_ROWS, 1);
for (const [n, be] of wasmBackends) gemmCase(be, n, 2048, quick ? 2 : 5);
hiddenCase(js, 'js', JS_SAMPLE_ROWS, 1);
for (const [n, be] of wasmBackends) hiddenCase(be, n, ROWS, quick ? 1 : 3);
gramCase(js, 'js', JS_SAMPLE_ROWS, 1);
for (const [n, be] of wasmBackends) gramCase(be, n, ROWS, quick ? 1 : 3);

const ratio = (kernel: string, a: string, b: string): number => {
  const ra = results.find((r) => r.kernel.startsWith(kernel) && r.backend === a)!;
  const rb = results.find((r) => r.kernel.startsWith(kernel) && r.backend === b)!;
  return +(rb.gflops / ra.gflops).toFixed(1);
};
const summary: Record<string, number> = {};
for (const k of ['gemm', 'hidden', 'gram']) {
  summary[`${k}: wasm 1 thread / js`] = ratio(k, 'js', 'wasm 1 thread');
  if (wasmN) summary[`${k}: wasm ${threads} threads / 1 thread`] = ratio(k, 'wasm 1 thread', `wasm ${threads} threads`);
}
console.log('\nratios:', summary);
console.log(
  'note: "gram" GFLOP/s counts the upper triangle actually computed (rows·L·(L+1)); a full-GEMM-equivalent rate is 2×.',
);
console.log('wrote', writeResult('kernels', { ...machineInfo(), threads, quick, results, summary }));
