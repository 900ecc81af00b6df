/**
 * The package as a user installs it: `npm pack` the built repository, install the tarball into a separate temp
 * project (extracted into node_modules/elmscale; its declared dependencies linked from this repository's
 * node_modules — offline and fast), then, from there:
 *  - import every subpath and check each documented name (expected-exports.ts) is exported, at run time and in the
 *    .d.ts files (tsc on an `import type` of every documented type);
 *  - load the platform-free subpaths with a resolve hook that refuses every Node built-in;
 *  - use it: train an ELM on the shipped digits data with the wasm backend found from the installed package,
 *    int8-quantise it and round-trip it through the public `ModelCodecs`, answer a web `Request` with the
 *    `elmscale/serving` fetch handler, decode the artifact with the browser bundle's wasm backend, and serve the
 *    demo page (from dist/browser) with `startServer` + `edgePlugin`;
 *  - run the CLI's `--help` through the installed bin link.
 * Needs `npm run build` (dist/) first, as `npm test` does.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { registerTempDir, removeTempDir } from '../helpers/proc.js';
import { EXPECTED_EXPORTS, PLATFORM_FREE } from './expected-exports.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

let tmp = '';
let project = '';
let installed = '';

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ELMSCALE_BACKEND: '', ...env },
    timeout: 120_000,
  });
  if (r.error) throw r.error;
  return r;
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  assert.equal(r.status, 0, `${what} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'elmscale-pack-'));
  registerTempDir(tmp);
  // --ignore-scripts: `prepare` would rebuild; dist/ is already built (npm test builds first).
  const packed = JSON.parse(
    execFileSync(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  ) as { filename: string }[];
  const tarball = join(tmp, packed[0]!.filename);

  project = join(tmp, 'project');
  installed = join(project, 'node_modules', 'elmscale');
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
  const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    bin?: Record<string, string>;
  };
  // Only the declared dependencies are linked: an import of an undeclared package fails as it would for a user.
  for (const dep of Object.keys(pkg.dependencies ?? {})) {
    const link = join(project, 'node_modules', dep);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', dep), link, 'dir');
  }
  // What npm does for "bin": an executable link in node_modules/.bin.
  mkdirSync(join(project, 'node_modules', '.bin'));
  for (const [name, rel] of Object.entries(pkg.bin ?? {})) {
    chmodSync(join(installed, rel), 0o755);
    symlinkSync(join('..', 'elmscale', rel), join(project, 'node_modules', '.bin', name));
  }
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { elmscale: `file:${tarball}` } }),
  );
});

after(() => removeTempDir(tmp));

test('the tarball ships what the subpaths need', () => {
  const files = ['dist/src/index.js', 'dist/src/node.js', 'dist/src/serving.js', 'dist/src/browser.d.ts'];
  files.push('dist/browser/edge/elmscale.js', 'dist/browser/edge/elmscale.wasm', 'dist/browser/index.html');
  files.push('bin/elmscale.js', 'data/digits.csv.gz', 'wasm/elmscale.wasm', 'wasm/elmscale-threads.wasm');
  for (const f of files) assert.doesNotThrow(() => readFileSync(join(installed, f)), `missing from the package: ${f}`);
  assert.throws(() => readFileSync(join(installed, 'dist/test/package/pack.test.js')), 'tests must not ship');
});

test('every documented name is exported from its subpath (run time)', () => {
  writeFileSync(
    join(project, 'exports.mjs'),
    `const expected = ${JSON.stringify(Object.fromEntries(Object.entries(EXPECTED_EXPORTS).map(([k, v]) => [k, v.values])))};
const missing = {};
for (const [subpath, names] of Object.entries(expected)) {
  const mod = await import(subpath);
  const gone = names.filter((n) => !(n in mod));
  if (gone.length) missing[subpath] = gone;
}
console.log(JSON.stringify(missing));
`,
  );
  const out = ok(run(process.execPath, ['exports.mjs'], project), 'importing the subpaths');
  assert.deepEqual(JSON.parse(out.trim().split('\n').pop()!), {});
});

test('every documented type is exported from its subpath (.d.ts)', () => {
  // An unused `import type` of a name the .d.ts files lack is still an error (TS2305), and generics need no arguments.
  const lines = Object.entries(EXPECTED_EXPORTS).map(
    ([subpath, api], i) =>
      `import type { ${api.types.map((t) => `${t} as T${i}_${t}`).join(', ')} } from '${subpath}';`,
  );
  writeFileSync(join(project, 'types.ts'), lines.join('\n') + '\n');
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        lib: ['ES2022', 'DOM'],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: [],
        typeRoots: [join(ROOT, 'node_modules', '@types')],
      },
      files: ['types.ts'],
    }),
  );
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  ok(run(process.execPath, [tsc, '-p', 'tsconfig.json'], project), 'type-checking the documented types');
});

test('the platform-free subpaths load without any Node built-in', () => {
  writeFileSync(
    join(project, 'no-builtins-hooks.mjs'),
    `import { builtinModules } from 'node:module';
const builtins = new Set(builtinModules);
export async function resolve(specifier, context, next) {
  if (specifier.startsWith('node:') || builtins.has(specifier)) {
    throw new Error('imports the Node built-in "' + specifier + '" from ' + context.parentURL);
  }
  return next(specifier, context);
}
`,
  );
  writeFileSync(
    join(project, 'no-builtins.mjs'),
    `import { register } from 'node:module';\nregister('./no-builtins-hooks.mjs', import.meta.url);\n`,
  );
  writeFileSync(join(project, 'load.mjs'), `await import(process.argv[2]);\nconsole.log('loaded');\n`);
  for (const subpath of PLATFORM_FREE) {
    ok(run(process.execPath, ['--import', './no-builtins.mjs', 'load.mjs', subpath], project), `loading ${subpath}`);
  }
  // The hook does refuse built-ins (else the check above proves nothing).
  const r = run(process.execPath, ['--import', './no-builtins.mjs', 'load.mjs', 'elmscale/node'], project);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /imports the Node built-in/);
});

test('a user trains, quantises, round-trips and serves a model from the installed package', () => {
  writeFileSync(join(project, 'use.mjs'), USE_SCRIPT);
  const out = ok(run(process.execPath, ['use.mjs'], project), 'the usage script');
  assert.match(out, /^ok /m);
});

test('the CLI runs from the installed bin link', () => {
  const out = ok(run(join(project, 'node_modules', '.bin', 'elmscale'), ['--help'], project), 'elmscale --help');
  assert.match(out, /Usage: elmscale/);
  assert.match(out, /\btrain\b/);
});

const USE_SCRIPT = `import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ELM, ModelCodecs, evaluate, quantizeElm } from 'elmscale';
import { loadDataSpec, nodeBackend, startServer, edgePlugin } from 'elmscale/node';
import {
  InferenceService, InlineExecutor, webScheduler, createServingContext, createFetchHandler,
} from 'elmscale/serving';
import { defaultWasmUrl, loadBrowserBackend, decodeArtifact } from 'elmscale/browser';

// The wasm kernels are found from the installed package (no silent JS fallback).
const backend = await nodeBackend();
assert.match(backend.name, /^wasm/, 'node backend ' + backend.name);

// Train on the digits data shipped in data/.
const train = await loadDataSpec('digits:train');
const testSet = await loadDataSpec('digits:test');
const model = ELM.fit(train, { hidden: 256 }, { backend });
const accuracy = evaluate(model, testSet).accuracy;
assert.ok(accuracy > 0.9, 'accuracy ' + accuracy);

// int8: encode, then decode with a fresh public ModelCodecs (knows the strategy kinds by default).
const bytes = new ModelCodecs().encode(quantizeElm(model));
const loaded = new ModelCodecs().decode(bytes, { backend });
assert.equal(loaded.model.kind, 'elm-int8');
assert.ok(evaluate(loaded.model, testSet).accuracy > 0.88);
const row = testSet.x.slice(0, testSet.cols);
const expected = loaded.model.predict(row, 1);

// elmscale/serving: a fetch handler answering a web-standard Request.
const service = new InferenceService({ executor: new InlineExecutor(), scheduler: webScheduler, wallMs: Date.now });
await service.load('digits', { model: loaded.model });
const handler = createFetchHandler(createServingContext({ service }));
const res = await handler(new Request('http://localhost/v2/models/digits/infer', {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ inputs: [{ name: 'input', shape: [1, testSet.cols], datatype: 'FP32', data: Array.from(row) }] }),
}));
assert.equal(res.status, 200, await res.clone().text());
const answer = await res.json();
assert.equal(answer.model_name, 'digits');
const served = answer.outputs[0].data;
for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(served[i] - expected[i]) < 1e-5);
await service.close();

// elmscale/browser: the bundle and its wasm, from the installed package.
const wasmFile = fileURLToPath(defaultWasmUrl());
assert.ok(existsSync(wasmFile), wasmFile);
const browser = await loadBrowserBackend({ wasm: readFileSync(wasmFile) });
assert.equal(browser.backend.name, 'wasm', browser.fallbackReason);
const inPage = decodeArtifact(bytes, { backend: browser.backend });
assert.equal(inPage.contentHash, loaded.contentHash);
const pageOut = inPage.model.predict(row, 1);
for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(pageOut[i] - expected[i]) < 1e-5);

// elmscale/node: the server with the edge plugin serves the demo page and the bundle from dist/browser.
const server = await startServer({ port: 0, host: '127.0.0.1', models: [{ name: 'digits', model }], plugins: [edgePlugin()] });
try {
  const page = await fetch(server.url + '/');
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<html/i);
  const lib = await fetch(server.url + '/edge/elmscale.js');
  assert.equal(lib.status, 200);
  await lib.arrayBuffer();
} finally {
  await server.close();
}
console.log('ok ' + JSON.stringify({ backend: backend.name, accuracy }));
`;
