#!/usr/bin/env node
// Build the browser distribution into dist/browser/ (run by `npm run build` after tsc):
//   edge/elmscale.js      the standalone ESM library (src/browser.ts), minified; loads elmscale.wasm beside it
//   edge/elmscale.wasm    the single-threaded SIMD128 kernels (the same file Node loads)
//   edge/demo.js          the demo page's code; imports ./elmscale.js
//   edge/train-worker.js  the training Web Worker; imports ./elmscale.js
//   edge/wasm-helper.js   a helper thread of the threaded kernels (cross-origin-isolated pages only)
//   edge/elmscale-threads.wasm  the threaded kernels (shared memory), loaded only by the training worker
//   edge/digits.csv.gz    the demo's training data
//   index.html            the demo page
//   sizes.json            raw and gzipped sizes (the edge budget: elmscale.js + elmscale.wasm ≤ 150 KB gzipped)
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'browser');
const edge = join(out, 'edge');
mkdirSync(edge, { recursive: true });

const common = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
};

// The page and the worker import the library through src/browser.ts: keep that import external so both share
// the one elmscale.js the browser has already cached.
const libraryExternal = {
  name: 'elmscale-external',
  setup(b) {
    b.onResolve({ filter: /(^|\/)browser\.js$/ }, (args) =>
      resolve(args.resolveDir, args.path) === join(root, 'src', 'browser.js')
        ? { path: './elmscale.js', external: true }
        : undefined,
    );
  },
};

await build({ ...common, entryPoints: [join(root, 'src/browser.ts')], outfile: join(edge, 'elmscale.js') });
await build({
  ...common,
  entryPoints: {
    demo: join(root, 'src/adapters/browser/demo/main.ts'),
    'train-worker': join(root, 'src/adapters/browser/train-worker.ts'),
  },
  outdir: edge,
  plugins: [libraryExternal],
});
await build({
  ...common,
  entryPoints: { 'wasm-helper': join(root, 'src/adapters/browser/wasm-helper.ts') },
  outdir: edge,
});
copyFileSync(join(root, 'wasm/elmscale.wasm'), join(edge, 'elmscale.wasm'));
copyFileSync(join(root, 'wasm/elmscale-threads.wasm'), join(edge, 'elmscale-threads.wasm'));
copyFileSync(join(root, 'data/digits.csv.gz'), join(edge, 'digits.csv.gz'));
copyFileSync(join(root, 'src/adapters/browser/demo/index.html'), join(out, 'index.html'));

const sizes = {};
for (const f of ['elmscale.js', 'elmscale.wasm', 'demo.js', 'train-worker.js', 'wasm-helper.js', 'elmscale-threads.wasm']) {
  const bytes = readFileSync(join(edge, f));
  sizes[f] = {
    bytes: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
  };
}
const budget = sizes['elmscale.js'].gzip + sizes['elmscale.wasm'].gzip;
const all = Object.values(sizes).reduce((s, v) => s + v.gzip, 0);
const threaded = sizes['wasm-helper.js'].gzip + sizes['elmscale-threads.wasm'].gzip;
writeFileSync(join(out, 'sizes.json'), JSON.stringify({ files: sizes, libraryPlusWasmGzip: budget, threadedExtraGzip: threaded, allGzip: all }, null, 2) + '\n');
if (process.argv.includes('--report') || process.env.ELMSCALE_SIZE_REPORT) {
  console.log(`browser bundle: elmscale.js + elmscale.wasm = ${budget} bytes gzipped (threaded training adds ${threaded}; everything: ${all})`);
}

