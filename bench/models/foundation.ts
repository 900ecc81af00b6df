/**
 * Foundation figures (issue 2): accuracy of the default ELM on digits and MNIST, the JS reference backend's
 * training time and GFLOP/s for MNIST L=2048, single-row predict latency for digits L=1024, and the time to load
 * a MNIST L=4096 artifact. Run: `npm run build && node dist/bench/models/foundation.js [--quick] [--js-full]`.
 *
 * --quick     digits only plus MNIST L=2048 (skips L=4096)
 * --js-full   time the JS backend on all 60 000 MNIST rows (≈3 min) instead of 6 000 rows scaled by 10
 */
import { ELM } from '../../src/models/elm.js';
import { evaluate } from '../../src/models/evaluate.js';
import { ModelCodecs } from '../../src/models/artifact/codecs.js';
import { createJsBackend } from '../../src/numeric/js/index.js';
import { flops } from '../../src/numeric/backend.js';
import { loadDataSpec } from '../../src/adapters/node/data-files.js';
import { selectBackend } from '../../src/adapters/node/backends.js';
import type { Dataset } from '../../src/data/dataset.js';
import { headRows } from '../../src/data/dataset.js';
import { machineInfo, median, quantile, writeResult } from '../kernels/util.js';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const fast = await selectBackend();
const js = createJsBackend();
const results: Record<string, unknown> = { machine: machineInfo(), backend: fast.name };

function trainFlops(rows: number, d: number, l: number, m: number): number {
  return flops.gemm(rows, l, d) + flops.gram(rows, l) + flops.gemm(l, m, rows) + flops.cholesky(l);
}

function accuracyRow(name: string, train: Dataset, test: Dataset, hidden: number): Record<string, number | string> {
  const model = ELM.fit(train, { hidden }, { backend: fast });
  const acc = evaluate(model, test).accuracy!;
  const secs = model.metrics.trainSeconds!;
  const row = { data: name, hidden, trainSeconds: secs, testAccuracy: acc, backend: fast.name };
  console.log(
    `${name.padEnd(8)} L=${String(hidden).padEnd(5)} accuracy ${(acc * 100).toFixed(2)}%  train ${secs.toFixed(2)} s [${fast.name}]`,
  );
  model.dispose();
  return row;
}

// 1. accuracy
const digitsTrain = await loadDataSpec('digits:train');
const digitsTest = await loadDataSpec('digits:test');
const mnistTrain = await loadDataSpec('mnist:train');
const mnistTest = await loadDataSpec('mnist:test');
const accuracy = [
  accuracyRow('digits', digitsTrain, digitsTest, 1024),
  accuracyRow('mnist', mnistTrain, mnistTest, 2048),
];
if (!quick) accuracy.push(accuracyRow('mnist', mnistTrain, mnistTest, 4096));
results.accuracy = accuracy;

// 2. the JS reference backend on MNIST L=2048
const jsRows = args.has('--js-full') ? 60000 : 6000;
const jsModel = ELM.fit(headRows(mnistTrain, jsRows), { hidden: 2048 }, { backend: js });
const jsSecs = jsModel.metrics.trainSeconds!;
const jsGflops = trainFlops(jsRows, 784, 2048, 10) / jsSecs / 1e9;
const jsFull =
  jsRows === 60000 ? jsSecs : jsSecs * (trainFlops(60000, 784, 2048, 10) / trainFlops(jsRows, 784, 2048, 10));
results.jsMnist2048 = {
  rows: jsRows,
  seconds: jsSecs,
  gflops: jsGflops,
  estimatedFullSeconds: jsFull,
  scaled: jsRows !== 60000,
};
console.log(
  `js backend MNIST L=2048: ${jsRows} rows in ${jsSecs.toFixed(1)} s = ${jsGflops.toFixed(2)} GFLOP/s` +
    (jsRows !== 60000 ? ` → ≈ ${jsFull.toFixed(0)} s for 60 000 rows (scaled by work)` : ''),
);
jsModel.dispose();

// 3. single-row predict latency, digits L=1024, on every backend
const latency: Record<string, unknown> = {};
for (const backend of [fast, js]) {
  const model = ELM.fit(digitsTrain, { hidden: 1024 }, { backend });
  const out = new Float32Array(10);
  const times: number[] = [];
  const n = backend === js ? 2000 : 20000;
  for (let i = 0; i < n + 1000; i++) {
    const r = i % digitsTest.rows;
    const x = digitsTest.x.subarray(r * 64, r * 64 + 64);
    const t = performance.now();
    model.predict(x, 1, out);
    if (i >= 1000) times.push((performance.now() - t) * 1000);
  }
  latency[backend.name] = { medianMicros: median(times), p99Micros: quantile(times, 0.99), calls: n };
  console.log(
    `predict digits L=1024 [${backend.name}]: median ${median(times).toFixed(2)} µs, p99 ${quantile(times, 0.99).toFixed(2)} µs`,
  );
  model.dispose();
}
results.predictDigits1024 = latency;

// 4. loading a MNIST L=4096 artifact (hidden weights regenerated from the seed, and stored)
const big = ELM.fit(headRows(mnistTrain, quick ? 5000 : 60000), { hidden: 4096 }, { backend: fast });
const codecs = new ModelCodecs();
const load: Record<string, unknown> = {};
for (const stored of [false, true]) {
  const bytes = codecs.encode(big, { storeHiddenWeights: stored });
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const m = codecs.decode(bytes, { backend: fast }).model;
    m.predict(mnistTest.x.subarray(0, 784), 1); // includes moving weights into the backend
    times.push(performance.now() - t);
    m.dispose();
  }
  const key = stored ? 'storedWeights' : 'seedWeights';
  load[key] = { bytes: bytes.length, medianMs: median(times) };
  console.log(
    `load MNIST L=4096 artifact (${key}, ${(bytes.length / 1024).toFixed(0)} KB): median ${median(times).toFixed(1)} ms`,
  );
}
results.loadMnist4096 = load;
big.dispose();

console.log(`wrote ${writeResult('foundation', results)}`);
