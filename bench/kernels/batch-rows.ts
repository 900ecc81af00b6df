/**
 * Predict cost per row against batch size, through ELM.predict on the serving backend (wasm, one thread): what
 * dynamic batching can save in compute, before any HTTP. Rows are distinct test rows. Models: sklearn digits L=1024
 * (dense inputs, W 256 KB) and MNIST L=4096 (≈82 % zero pixels, W 12.8 MB; the artifact cached by the serving bench).
 * The plan picks its kernel per call (src/numeric/wasm/plan.ts): per-row AXPY skipping zero inputs, the tile-major
 * zero-skipping batch kernel, or the packed GEMM for dense batches.
 *
 * The reference row "MNIST, no zero skipping" runs the same one-row kernel on the same rows with every zero
 * replaced by 1e-30 (numerically the same outputs): the cost of a one-row GEMV that streams all of W, i.e. the
 * unbatched baseline a server without zero skipping pays.
 * Usage: npm run build && node dist/bench/kernels/batch-rows.js
 */
import { loadDataSpec } from '../../src/adapters/node/data-files.js';
import { selectBackend } from '../../src/adapters/node/backends.js';
import { ELM } from '../../src/models/elm.js';
import type { Model } from '../../src/models/model.js';
import { mnistModel } from '../serving/common.js';
import { machineInfo, median, writeResult } from './util.js';

const SIZES = [1, 2, 4, 8, 16, 32, 64, 128, 256];
const line = (s: string): void => void process.stdout.write(s + '\n');

/** Median µs per row over 7 timed repetitions of ~`work` rows each, cycling through `pool` rows. */
function usPerRow(model: Model, pool: Float32Array, poolRows: number, batch: number, work = 2048): number {
  const d = model.inputDim;
  const out = new Float32Array(batch * model.outputDim);
  const calls = Math.max(4, Math.ceil(work / batch));
  const starts = Array.from({ length: calls }, (_, i) => ((i * batch) % Math.max(1, poolRows - batch)) * d);
  for (let i = 0; i < Math.min(calls, 8); i++)
    model.predict(pool.subarray(starts[i]!, starts[i]! + batch * d), batch, out);
  const reps: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    for (const s of starts) model.predict(pool.subarray(s, s + batch * d), batch, out);
    reps.push(((performance.now() - t0) * 1000) / (calls * batch));
  }
  return median(reps);
}

const backend = await selectBackend({ purpose: 'serving' });
const results: Record<string, Record<string, number>> = {};

const digitsTrain = await loadDataSpec('digits:train');
const digitsTest = await loadDataSpec('digits:test');
const digits = ELM.fit(digitsTrain, { hidden: 1024 }, { backend });
const { model: mnist, data: mnistTest } = await mnistModel(backend);
const mnistPool = mnistTest.x.subarray(0, 1024 * 784);
const denseMnist = Float32Array.from(mnistPool, (v) => (v === 0 ? 1e-30 : v));

const cases: [string, Model, Float32Array, number, number[]][] = [
  ['digits L=1024', digits, digitsTest.x, digitsTest.rows, SIZES],
  ['MNIST L=4096', mnist, mnistPool, 1024, SIZES],
  ['MNIST L=4096, no zero skipping', mnist, denseMnist, 1024, [1]],
];
line(`backend ${backend.name}; µs per row (median of 7)`);
line(`${'case'.padEnd(32)}${SIZES.map((s) => String(s).padStart(8)).join('')}`);
for (const [name, model, pool, rows, sizes] of cases) {
  const r: Record<string, number> = {};
  for (const b of sizes) r[b] = +usPerRow(model, pool, rows, b).toFixed(2);
  results[name] = r;
  line(`${name.padEnd(32)}${sizes.map((b) => r[b]!.toFixed(1).padStart(8)).join('')}`);
}
const m = results['MNIST L=4096']!;
const best = Math.min(...SIZES.filter((s) => s >= 8).map((s) => m[s]!));
const ratios = {
  mnistOneRowOverBestBatch: +(m[1]! / best).toFixed(2),
  mnistNoSkipOverBestBatch: +(results['MNIST L=4096, no zero skipping']![1]! / best).toFixed(2),
  digitsOneRowOverBatch64: +(results['digits L=1024']![1]! / results['digits L=1024']![64]!).toFixed(2),
};
line(
  `compute saved by batching: MNIST ${ratios.mnistOneRowOverBestBatch}× (one row with zero skipping / best batch), ` +
    `${ratios.mnistNoSkipOverBestBatch}× against a one-row GEMV without zero skipping; digits ${ratios.digitsOneRowOverBatch64}× (1 / 64 rows)`,
);
writeResult('batch-rows', {
  date: new Date().toISOString(),
  machine: machineInfo(),
  backend: backend.name,
  results,
  ratios,
});
