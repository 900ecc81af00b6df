/**
 * Single-row predict latency of the int8 ELM against its float32 source, both on the single-threaded wasm backend
 * (float: planDense; int8: planInt8, wasm/src/int8.c), measured side by side in the same process, interleaved over
 * repeated runs. The portable JS int8 path (the fallback) is sampled once for reference.
 * Usage: node dist/bench/strategies/int8-latency.js [--quick] [--reps 5] [--mnist-rows 10000]
 * Latency does not depend on how many rows trained the model: MNIST L=4096 is trained on the first 10 000 rows.
 */
import { loadDigits, loadMnist } from '../../src/adapters/node/data-files.js';
import { createNodeWasmBackend } from '../../src/adapters/node/wasm-backend.js';
import type { Dataset } from '../../src/data/dataset.js';
import { ELM } from '../../src/models/elm.js';
import { evaluate } from '../../src/models/evaluate.js';
import type { Model } from '../../src/models/model.js';
import { createJsBackend } from '../../src/numeric/js/index.js';
import { quantizeElm } from '../../src/strategies/quantize/quantized-elm.js';
import { machineInfo, median, quantile, singleRowLatencies, writeResult } from '../kernels/util.js';

const argv = process.argv.slice(2);
const flag = (name: string, dflt: number): number => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const quick = argv.includes('--quick');
const REPS = flag('--reps', quick ? 2 : 5);
const MNIST_ROWS = flag('--mnist-rows', quick ? 3000 : 10000);

interface Run {
  medianUs: number;
  p99Us: number;
}
interface CaseResult {
  case: string;
  hidden: number;
  iterations: number;
  accuracy: { f32: number; int8: number };
  f32: Run[];
  int8: Run[];
  jsInt8: Run;
  summary: { f32MedianUs: number; f32P99Us: number; int8MedianUs: number; int8P99Us: number; ratio: number };
}

/** Latency of `iters` single-row predicts over the first 256 test rows, after a warm-up. */
function time(model: Model, xs: Float32Array[], iters: number): Run {
  const t = singleRowLatencies(model, xs, iters);
  return { medianUs: +median(t).toFixed(2), p99Us: +quantile(t, 0.99).toFixed(2) };
}

const wasm = createNodeWasmBackend({ threads: 1 });
const results: CaseResult[] = [];

function measure(name: string, train: Dataset, test: Dataset, hidden: number, iters: number): void {
  const t0 = performance.now();
  const f = ELM.fit(train, { hidden, seed: 42 }, { backend: wasm });
  const trainS = (performance.now() - t0) / 1000;
  const q = quantizeElm(f, {}, wasm);
  const qjs = quantizeElm(f, {}, createJsBackend());
  const accuracy = { f32: +evaluate(f, test).accuracy!.toFixed(4), int8: +evaluate(q, test).accuracy!.toFixed(4) };
  const d = test.cols;
  const xs = Array.from({ length: Math.min(256, test.rows) }, (_, i) => test.x.slice(i * d, (i + 1) * d));
  const r: CaseResult = {
    case: name,
    hidden,
    iterations: iters,
    accuracy,
    f32: [],
    int8: [],
    jsInt8: time(qjs, xs, 300),
    summary: {} as CaseResult['summary'],
  };
  console.log(`${name}: trained in ${trainS.toFixed(1)} s, accuracy f32 ${accuracy.f32} int8 ${accuracy.int8}`);
  for (let rep = 0; rep < REPS; rep++) {
    // alternate the order so neither side always runs first
    const pair = rep % 2 ? [q, f] : [f, q];
    const runs = pair.map((m) => time(m, xs, iters));
    const [rf, rq] = rep % 2 ? [runs[1]!, runs[0]!] : [runs[0]!, runs[1]!];
    r.f32.push(rf);
    r.int8.push(rq);
    console.log(
      `  run ${rep + 1}: f32 median ${rf.medianUs.toFixed(1).padStart(6)} µs p99 ${rf.p99Us.toFixed(1).padStart(7)} µs | int8 median ${rq.medianUs.toFixed(1).padStart(6)} µs p99 ${rq.p99Us.toFixed(1).padStart(7)} µs`,
    );
  }
  const med = (rs: Run[], k: keyof Run): number => +median(rs.map((x) => x[k])).toFixed(2);
  r.summary = {
    f32MedianUs: med(r.f32, 'medianUs'),
    f32P99Us: med(r.f32, 'p99Us'),
    int8MedianUs: med(r.int8, 'medianUs'),
    int8P99Us: med(r.int8, 'p99Us'),
    ratio: +(med(r.int8, 'medianUs') / med(r.f32, 'medianUs')).toFixed(3),
  };
  results.push(r);
  q.dispose();
  f.dispose();
}

const load0 = machineInfo();
console.log(
  `int8 vs float32 single-row predict (ELM.predict incl. softmax) on ${wasm.name}; load ${String(load0.loadavg)}\n`,
);
measure('digits L=1024', await loadDigits('train'), await loadDigits('test'), 1024, quick ? 5000 : 20000);
measure(
  `mnist L=4096 (${MNIST_ROWS} rows)`,
  await loadMnist('train', MNIST_ROWS),
  await loadMnist('test'),
  4096,
  quick ? 2000 : 10000,
);

console.log(
  `\n${'case'.padEnd(28)} ${'f32 median / p99'.padStart(20)} ${'int8 median / p99'.padStart(20)}  int8/f32  js-int8 median`,
);
for (const r of results) {
  const s = r.summary;
  console.log(
    `${r.case.padEnd(28)} ${`${s.f32MedianUs} / ${s.f32P99Us} µs`.padStart(20)} ${`${s.int8MedianUs} / ${s.int8P99Us} µs`.padStart(20)}  ${s.ratio.toFixed(2).padStart(8)}  ${r.jsInt8.medianUs} µs`,
  );
}
console.log("(medians over runs of each run's median and p99)");
const info = {
  ...load0,
  loadavgAfter: machineInfo().loadavg,
  backend: wasm.name,
  reps: REPS,
  mnistTrainRows: MNIST_ROWS,
};
console.log('wrote', writeResult('int8-latency', { ...info, results }));
