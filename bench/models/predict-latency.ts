/**
 * Single-row predict latency (median, p99) through ELM.predict — the serving hot path — for sklearn digits L=1024
 * and MNIST L=2048, on the wasm backend (weights resident in linear memory) and the JS reference, with the numpy
 * reference measured in the same run. Usage: node dist/bench/models/predict-latency.js [--no-numpy]
 */
import { loadDigits, loadMnist } from '../../src/adapters/node/data-files.js';
import { createNodeWasmBackend } from '../../src/adapters/node/wasm-backend.js';
import type { Dataset } from '../../src/data/dataset.js';
import { ELM } from '../../src/models/elm.js';
import { evaluate } from '../../src/models/evaluate.js';
import type { Backend } from '../../src/numeric/backend.js';
import { createJsBackend } from '../../src/numeric/js/index.js';
import { runNumpyElm, type NumpyResult } from '../kernels/reference.js';
import { machineInfo, median, quantile, singleRowLatencies, writeResult } from '../kernels/util.js';

const ITER = 20000;

interface Latency {
  case: string;
  backend: string;
  medianUs: number;
  p99Us: number;
  testAccuracy: number;
}
const results: Latency[] = [];

function measure(name: string, be: Backend, train: Dataset, test: Dataset, hidden: number, iters: number): void {
  const model = ELM.fit(train, { hidden }, { backend: be });
  const acc = evaluate(model, test).accuracy!;
  const d = test.cols;
  const rows = Math.min(test.rows, 256);
  const xs = Array.from({ length: rows }, (_, i) => test.x.slice(i * d, (i + 1) * d));
  const arr = singleRowLatencies(model, xs, iters);
  const r: Latency = {
    case: name,
    backend: be.name,
    medianUs: +median(arr).toFixed(2),
    p99Us: +quantile(arr, 0.99).toFixed(2),
    testAccuracy: +acc.toFixed(4),
  };
  results.push(r);
  console.log(
    `${name.padEnd(26)} ${be.name.padEnd(8)} median ${r.medianUs.toFixed(2).padStart(8)} µs  p99 ${r.p99Us.toFixed(2).padStart(8)} µs  (accuracy ${r.testAccuracy})`,
  );
  model.dispose();
}

const wasm = createNodeWasmBackend({ threads: 1 });
const js = createJsBackend();
const digitsTrain = await loadDigits('train');
const digitsTest = await loadDigits('test');
// latency does not depend on how many rows trained the model: 10k MNIST rows keep the benchmark short
const mnistTrain = await loadMnist('train', 10000);
const mnistTest = await loadMnist('test');

console.log('single-row predict latency (ELM.predict incl. softmax), performance.now() per call\n');
measure('digits L=1024', wasm, digitsTrain, digitsTest, 1024, ITER);
measure('digits L=1024', js, digitsTrain, digitsTest, 1024, 2000);
measure('mnist L=2048 (10k rows)', wasm, mnistTrain, mnistTest, 2048, ITER);
measure('mnist L=2048 (10k rows)', js, mnistTrain, mnistTest, 2048, 500);

let numpy: NumpyResult[] = [];
if (!process.argv.includes('--no-numpy')) {
  numpy = [
    ...(runNumpyElm(['--data', 'digits', '--hidden', '1024']) ?? []),
    ...(runNumpyElm(['--data', 'mnist', '--hidden', '2048', '--rows', '10000']) ?? []),
  ];
  for (const r of numpy)
    console.log(`numpy ${r.data} L=${r.hidden}: median ${r.predictMedianUs} µs  p99 ${r.predictP99Us} µs`);
}
console.log('wrote', writeResult('predict-latency', { ...machineInfo(), iterations: ITER, results, numpy }));
