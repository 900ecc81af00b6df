/**
 * The demo page: the server's model, loaded from its content-addressed URL, predicting in the page next to the
 * same model on the server; a training worker; IndexedDB, download and upload. `window.elmDemo` exposes the same
 * actions to scripts (the end-to-end tests drive the page through it).
 */
import * as lib from '../../../browser.js';
import { measureLatency, type LatencyStats } from './bench.js';
import { DrawPad } from './draw.js';
import { inferOnServer, uploadToServer } from './server.js';
import { $, argmax, fmtUs, renderBars, setText } from './ui.js';

/** edge/config.json: written by the server (dynamic) or by `elmscale export` (static). */
interface EdgeConfig {
  /** Model name on the serving server, or null for a static export with no server. */
  model: string | null;
  /** Artifact URL relative to the page: /v2/models/{name}/artifact (redirects) or artifacts/{hash}.elm. */
  artifact: string;
  /** digits.csv.gz for training in the page. */
  digits: string;
}

const base = new URL('.', location.href).href;
const store = new lib.IdbModelStore();
let cfg: EdgeConfig;
let backend: lib.Backend;
let current: { model: lib.Model; contentHash: string; bytes: number; origin: string } | undefined;
let trainer: lib.BrowserTrainer | undefined;
let trained: lib.TrainResult | undefined;
let lastFeatures: Float32Array = new Float32Array(64);
let testSet: lib.data.Dataset | undefined;

function predictLocal(x: Float32Array): { probs: Float32Array; us: number } {
  const m = current!.model;
  const out = new Float32Array(m.outputDim);
  const t0 = performance.now();
  const reps = 20; // one call is below the timer's resolution
  for (let i = 0; i < reps; i++) m.predict(x, 1, out);
  return { probs: out, us: ((performance.now() - t0) * 1000) / reps };
}

async function predictBoth(x: Float32Array): Promise<{ local: Float32Array; server?: Float32Array }> {
  lastFeatures = x;
  const labels = current!.model.labels ?? [];
  const { probs, us } = predictLocal(x);
  $('local-digit').textContent = labels[argmax(probs)] ?? String(argmax(probs));
  setText('local-lat', `${fmtUs(us)} per predict (${current!.origin})`);
  renderBars('local-bars', probs, labels);
  if (!cfg.model) return { local: probs };
  try {
    const s = await inferOnServer(base, cfg.model, x);
    $('server-digit').textContent = labels[argmax(s.probabilities)] ?? String(argmax(s.probabilities));
    setText('server-lat', `${s.ms.toFixed(2)} ms round trip (model "${cfg.model}")`);
    renderBars('server-bars', s.probabilities, labels);
    let diff = 0;
    for (let i = 0; i < probs.length; i++) diff = Math.max(diff, Math.abs(probs[i]! - s.probabilities[i]!));
    const same = current!.origin.startsWith('server');
    setText(
      'agree',
      same
        ? `max |browser − server| = ${diff.toExponential(2)}`
        : 'the page runs a model trained here; the server runs its own',
      same && diff <= 1e-5 ? 'ok' : '',
    );
    return { local: probs, server: s.probabilities };
  } catch (e) {
    setText('server-lat', `server: ${(e as Error).message}`, 'bad');
    return { local: probs };
  }
}

function useModel(bytes: Uint8Array, origin: string): void {
  const loaded = lib.decodeArtifact(bytes, { backend });
  current?.model.dispose();
  current = { model: loaded.model, contentHash: loaded.contentHash, bytes: bytes.length, origin };
  $('model-info').textContent =
    `${loaded.model.kind} ${loaded.model.inputDim}→${loaded.model.outputDim}, ` +
    `L=${(loaded.header.config as { hidden?: number } | undefined)?.hidden ?? '?'}, ${bytes.length} bytes, ` +
    `sha256 ${loaded.contentHash} (${origin})`;
}

async function loadServerModel(): Promise<{ url: string; fromCache: boolean }> {
  const url = new URL(cfg.artifact, base).href;
  const fetched = await lib.fetchArtifact(url);
  useModel(fetched.bytes, `server artifact`);
  lib.decodeArtifact(fetched.bytes, { backend }, fetched.url).model.dispose(); // verify the hash in the URL
  // The timing entry is named by the requested URL and counts the (revalidated) redirect too: when what crossed
  // the network is less than the artifact itself, its bytes came from the HTTP cache.
  const entry = (performance.getEntriesByName(url).at(-1) ?? performance.getEntriesByName(fetched.url).at(-1)) as
    PerformanceResourceTiming | undefined;
  const fromCache = !!entry && entry.transferSize < Math.min(2048, fetched.bytes.length);
  return { url: fetched.url, fromCache };
}

async function ensureTrainer(): Promise<lib.BrowserTrainer> {
  return (trainer ??= await lib.BrowserTrainer.start({ workerUrl: new URL('edge/train-worker.js', base) }));
}

/** Train in the worker while timing the page's event loop (the longest gap shows whether the page stalled). */
async function train(hidden = 256): Promise<lib.TrainResult & { maxGapMs: number; ticks: number }> {
  const t = await ensureTrainer();
  let last = performance.now(),
    maxGapMs = 0,
    ticks = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
    ticks++;
  }, 5);
  const bar = $<HTMLProgressElement>('train-progress');
  try {
    const digits = new URL(cfg.digits, base).href;
    const r = await t.train(
      'os-elm',
      { source: 'digits', url: digits, subset: 'train' },
      {
        config: { hidden, seed: 7 },
        test: { source: 'digits', url: digits, subset: 'test' },
        onProgress: (d, n) => (bar.value = d / n),
      },
    );
    trained = r;
    useModel(r.bytes.slice(), 'trained in this page');
    setText(
      'train-out',
      `${r.kind} on ${r.rowsSeen} rows in ${r.trainMs.toFixed(0)} ms (${r.backend}); test accuracy ` +
        `${((r.accuracy ?? 0) * 100).toFixed(1)}%; page's longest stall ${maxGapMs.toFixed(0)} ms`,
    );
    return { ...r, maxGapMs, ticks };
  } finally {
    clearInterval(timer);
  }
}

async function teach(label: number): Promise<lib.TrainResult> {
  const t = await ensureTrainer();
  if (!trained) await train(Number($<HTMLInputElement>('hidden').value) || 256);
  const r = await t.update({
    source: 'inline',
    x: lastFeatures.slice(),
    y: Int32Array.of(label),
    rows: 1,
    cols: 64,
    labels: [...(current!.model.labels ?? [])],
    sameUnits: true,
  });
  trained = r;
  useModel(r.bytes.slice(), `trained in this page, +${r.rowsSeen} rows`);
  await predictBoth(lastFeatures);
  return r;
}

/** Predict with a saved model and hand it to the worker, so online updates resume where they stopped. */
async function restoreFromIdb(name: string): Promise<string | undefined> {
  const s = await store.load(name);
  if (!s) return undefined;
  useModel(s.bytes, 'loaded from IndexedDB');
  try {
    trained = await (await ensureTrainer()).load(s.bytes);
  } catch {
    // not an os-elm with state: it predicts, but cannot be updated
  }
  return s.contentHash;
}

function modelBytes(): Uint8Array {
  if (!trained) throw new Error('train a model first');
  return trained.bytes;
}

async function boot(): Promise<Record<string, unknown>> {
  cfg = (await (await fetch(new URL('edge/config.json' + location.search, base))).json()) as EdgeConfig;
  const be = await lib.loadBrowserBackend({ wasm: new URL('edge/elmscale.wasm', base) });
  backend = be.backend;
  setText('local-backend', `(${backend.name}${be.fallbackReason ? ` — ${be.fallbackReason}` : ''})`);
  if (!cfg.model) $('server-card').style.display = 'none';
  const art = await loadServerModel();
  const labels = current!.model.labels ?? [];
  $('teach-label').replaceChildren(...labels.map((l, i) => new Option(l, String(i))));
  const pad = new DrawPad($<HTMLCanvasElement>('pad'), (x, final) => {
    if (final) void predictBoth(x);
    else predictLocal(x);
  });
  $('clear').onclick = () => pad.clear();
  $('sample').onclick = async () => {
    testSet ??= await lib.fetchDigits(new URL(cfg.digits, base), 'test');
    const r = Math.floor(Math.random() * testSet.rows);
    const x = testSet.x.slice(r * 64, r * 64 + 64);
    pad.show(x);
    $<HTMLTextAreaElement>('features').value = Array.from(x).join(',');
    await predictBoth(x);
  };
  $('predict-text').onclick = () => {
    const v = $<HTMLTextAreaElement>('features')
      .value.split(/[\s,]+/)
      .filter(Boolean)
      .map(Number);
    const d = current!.model.inputDim;
    if (v.length !== d || v.some((n) => !Number.isFinite(n))) return setText('agree', `enter ${d} numbers`, 'bad');
    const x = Float32Array.from(v);
    pad.show(x);
    void predictBoth(x);
  };
  $('bench').onclick = () => {
    const s = api.bench();
    setText('bench-out', `median ${fmtUs(s.medianUs)}, p90 ${fmtUs(s.p90Us)} over ${s.calls} calls`);
  };
  $('use-server').onclick = async () => {
    const a = await loadServerModel();
    setText('status', `artifact ${a.url} (${a.fromCache ? 'from cache' : 'downloaded'})`);
    await predictBoth(lastFeatures);
  };
  $('train').onclick = () => void train(Number($<HTMLInputElement>('hidden').value) || 256);
  $('teach').onclick = () => void teach(Number($<HTMLSelectElement>('teach-label').value));
  $('save-idb').onclick = async () => {
    const s = await store.save('my-digits', modelBytes());
    setText('store-out', `saved in IndexedDB as "my-digits" (${s.contentHash.slice(0, 12)}…)`);
  };
  $('load-idb').onclick = async () => {
    const h = await restoreFromIdb('my-digits');
    setText(
      'store-out',
      h ? `loaded ${h.slice(0, 12)}…; online updates continue from it` : 'nothing saved yet',
      h ? '' : 'bad',
    );
  };
  $('download').onclick = () => lib.downloadArtifact(modelBytes(), 'my-digits.elm');
  $('upload').onclick = async () => {
    try {
      await uploadToServer(base, 'my-digits', modelBytes());
      setText('store-out', 'the server now serves "my-digits"', 'ok');
    } catch (e) {
      setText('store-out', (e as Error).message, 'bad');
    }
  };
  const info = api.info();
  setText(
    'status',
    `backend ${backend.name}; cross-origin isolated: ${String(crossOriginIsolated)}; artifact ${art.url} ` +
      `(${art.fromCache ? 'from cache' : 'downloaded'})`,
  );
  return { ...info, artifactUrl: art.url, artifactFromCache: art.fromCache };
}

const api = {
  lib,
  ready: undefined as unknown as Promise<Record<string, unknown>>,
  info: () => ({
    backend: backend.name,
    crossOriginIsolated,
    contentHash: current?.contentHash,
    bytes: current?.bytes,
    origin: current?.origin,
    model: cfg.model,
  }),
  predictLocal: (x: number[]): number[] => Array.from(predictLocal(Float32Array.from(x)).probs),
  predictBoth: async (x: number[]) => {
    const r = await predictBoth(Float32Array.from(x));
    return { local: Array.from(r.local), server: r.server && Array.from(r.server) };
  },
  bench: (batches?: number, perBatch?: number): LatencyStats => {
    const m = current!.model;
    const x = lastFeatures.slice();
    const out = new Float32Array(m.outputDim);
    return measureLatency(() => m.predict(x, 1, out), batches, perBatch);
  },
  train: async (hidden?: number) => {
    const { bytes, ...r } = await train(hidden);
    return { ...r, byteLength: bytes.length };
  },
  teach: async (label: number) => {
    const { bytes: _b, ...r } = await teach(label);
    return r;
  },
  saveToIdb: async (name = 'my-digits') => (await store.save(name, modelBytes())).contentHash,
  loadFromIdb: (name = 'my-digits') => restoreFromIdb(name),
  /** Rows the worker's online model has seen (after loadFromIdb: the saved model's). */
  rowsSeen: () => trained?.rowsSeen,
  upload: (name: string) => uploadToServer(base, name, modelBytes()),
  reloadServerModel: loadServerModel,
};
api.ready = boot().catch((e: unknown) => {
  setText('status', `failed: ${(e as Error).message}`, 'bad');
  throw e;
});
(window as unknown as { elmDemo: typeof api }).elmDemo = api;
