/**
 * Edge benchmark: single-row predict of the digits L=1024 model inside headless Chromium (the demo page, wasm
 * backend and JS fallback), side by side with Node's wasm backend timed the same way in the same run, plus the
 * browser bundle's gzipped size. Target (issue 7): ≤ 20 µs median in the page; bundle + wasm ≤ 150 KB gzipped.
 * Usage: npm run build && node dist/bench/edge/browser-predict.js [--quick]   → bench/results/edge.json
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { measureLatency } from '../../src/adapters/browser/demo/bench.js';
import { loadDataSpec } from '../../src/adapters/node/data-files.js';
import { edgePlugin } from '../../src/adapters/node/edge/index.js';
import { startServer } from '../../src/adapters/node/http/index.js';
import { createNodeWasmBackend } from '../../src/adapters/node/wasm-backend.js';
import { ELM } from '../../src/models/elm.js';
import { machineInfo, repoRoot, writeResult } from '../kernels/util.js';
// The same Chromium and flags as the browser tests (kept off the closed network).
import { CHROMIUM, CHROMIUM_ARGS } from '../../test/helpers/chromium.js';

const quick = process.argv.includes('--quick');
const BATCHES = quick ? 100 : 400;
const PER_BATCH = 100;
if (!existsSync(CHROMIUM)) {
  console.log(`skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  process.exit(0);
}

const backend = createNodeWasmBackend({ threads: 1 });
const train = await loadDataSpec('digits:train');
const test = await loadDataSpec('digits:test');
const model = ELM.fit(train, { hidden: 1024, seed: 42 }, { backend });
const x = test.x.slice(0, 64);
const out = new Float32Array(10);
// the page's method (demo/bench.ts), timed the same way in Node
const node = measureLatency(() => model.predict(x, 1, out), BATCHES, PER_BATCH, 2000);

const server = await startServer({
  port: 0,
  workers: 0,
  backend,
  cache: false,
  models: [{ name: 'digits', model }],
  plugins: [edgePlugin()],
});
const profile = mkdtempSync(join(tmpdir(), 'elmscale-bench-chromium-'));
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  args: CHROMIUM_ARGS,
});
try {
  const page = await ctx.newPage();
  await page.goto(server.url + '/');
  const info = (await page.evaluate(
    () => (window as unknown as { elmDemo: { ready: Promise<unknown> } }).elmDemo.ready,
  )) as Record<string, unknown>;
  const inPage = await page.evaluate(
    async ({ xs, batches, per }) => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const d = (window as any).elmDemo;
      await d.predictBoth(xs);
      const wasm = d.bench(batches, per);
      const lib = d.lib;
      const js = lib.createJsBackend();
      const m = (await lib.loadModel('v2/models/digits/artifact', { backend: js })).model;
      const xf = Float32Array.from(xs);
      const o = new Float32Array(10);
      const f = (): void => void m.predict(xf, 1, o);
      for (let i = 0; i < 500; i++) f();
      const s: number[] = [];
      for (let b = 0; b < Math.max(20, batches / 10); b++) {
        const t0 = performance.now();
        for (let i = 0; i < 10; i++) f();
        s.push(((performance.now() - t0) * 1000) / 10);
      }
      s.sort((a, b) => a - b);
      // training in the worker: ELM L=1024 on digits:train, single-threaded vs the threaded kernels
      const training: Record<string, { ms: number; accuracy: number; backend: string }> = {};
      const cores = Math.min(4, navigator.hardwareConcurrency);
      for (const threads of cores > 1 ? [1, cores] : [1]) {
        const t = await lib.BrowserTrainer.start({
          workerUrl: new URL('edge/train-worker.js', location.href),
          threads,
        });
        const data = { source: 'digits', url: new URL('edge/digits.csv.gz', location.href).href, subset: 'train' };
        await t.train('elm', data, { config: { hidden: 256 } }); // warm-up (and the data fetch)
        let best = Infinity;
        let r = { accuracy: 0, backend: '', trainMs: 0 };
        for (let rep = 0; rep < 3; rep++) {
          r = await t.train('elm', data, { config: { hidden: 1024 }, test: { ...data, subset: 'test' } });
          best = Math.min(best, r.trainMs);
        }
        training[`threads${threads}`] = { ms: +best.toFixed(1), accuracy: r.accuracy, backend: r.backend };
        t.terminate();
      }
      return { wasm, js: { medianUs: s[Math.floor(s.length / 2)]! }, training };
    },
    { xs: Array.from(x), batches: BATCHES, per: PER_BATCH },
  );
  const sizes = JSON.parse(readFileSync(join(repoRoot(), 'dist/browser/sizes.json'), 'utf8')) as {
    files: Record<string, { bytes: number; gzip: number }>;
    libraryPlusWasmGzip: number;
    allGzip: number;
  };
  const browserVersion = ctx.browser()?.version() ?? (await page.evaluate(() => navigator.userAgent));
  const result = {
    machine: machineInfo(),
    chromium: browserVersion,
    crossOriginIsolated: info.crossOriginIsolated,
    model: 'digits L=1024 tanh (64 → 10)',
    method: `median over ${BATCHES} batches of ${PER_BATCH} single-row predicts (per-call time of each batch)`,
    browserWasm: { medianUs: +inPage.wasm.medianUs.toFixed(2), p90Us: +inPage.wasm.p90Us.toFixed(2) },
    browserJs: { medianUs: +inPage.js.medianUs.toFixed(2) },
    nodeWasm: { medianUs: +node.medianUs.toFixed(2), p90Us: +node.p90Us.toFixed(2) },
    browserOverNode: +(inPage.wasm.medianUs / node.medianUs).toFixed(2),
    trainingInWorker: {
      case: 'ELM L=1024 on digits:train (1437 rows), best of 3, incl. fetching and parsing the data',
      ...inPage.training,
    },
    targetUs: 20,
    bundle: sizes,
    bundleTargetGzip: 150 * 1024,
  };
  console.log(`digits L=1024 single predict, median (p90):`);
  console.log(
    `  Chromium wasm   ${result.browserWasm.medianUs.toFixed(2).padStart(7)} µs (${result.browserWasm.p90Us.toFixed(2)})   target ≤ 20 µs`,
  );
  console.log(
    `  Node wasm       ${result.nodeWasm.medianUs.toFixed(2).padStart(7)} µs (${result.nodeWasm.p90Us.toFixed(2)})   browser/node = ${result.browserOverNode}`,
  );
  console.log(
    `  Chromium JS     ${result.browserJs.medianUs.toFixed(2).padStart(7)} µs   (fallback without wasm SIMD)`,
  );
  console.log(
    `bundle: elmscale.js ${sizes.files['elmscale.js']!.gzip} + elmscale.wasm ${sizes.files['elmscale.wasm']!.gzip} = ${sizes.libraryPlusWasmGzip} bytes gzipped (target ≤ ${150 * 1024}); with the demo, the workers and the threaded build ${sizes.allGzip}`,
  );
  for (const [k, v] of Object.entries(inPage.training)) {
    console.log(
      `train ELM L=1024 in the worker, ${k}: ${v.ms.toFixed(0)} ms on ${v.backend} (test accuracy ${v.accuracy.toFixed(4)})`,
    );
  }
  console.log(`wrote ${writeResult('edge', result)}`);
} finally {
  await ctx.close();
  rmSync(profile, { recursive: true, force: true });
  await server.close();
}
