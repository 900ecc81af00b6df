/**
 * The training Web Worker: fits an ELM or OS-ELM off the page's thread, so drawing and predicting stay responsive,
 * and hands back the artifact bytes. Bundled as train-worker.js beside the page (see scripts/build-browser.mjs).
 */
// Everything through the library entry, so the bundled worker shares elmscale.js with the page (one download).
import {
  ELM,
  ElmError,
  ModelCodecs,
  OnlineELM,
  evaluate,
  fetchDigits,
  loadBrowserBackend,
  loadThreadedBackend,
  sha256Hex,
  type Backend,
  type LabeledData,
  type Model,
} from '../../browser.js';
import type { TrainData, TrainRequest, TrainResponse } from './protocol.js';

interface WorkerScope {
  postMessage(msg: TrainResponse, transfer?: Transferable[]): void;
  onmessage: ((ev: MessageEvent<TrainRequest>) => void) | null;
  location: { href: string };
}
const scope = self as unknown as WorkerScope;
const codecs = new ModelCodecs();
let backend: Backend | undefined;
let online: OnlineELM | undefined;

async function toLabeled(d: TrainData): Promise<LabeledData> {
  if (d.source === 'inline') {
    return {
      x: d.x,
      y: d.y,
      rows: d.rows,
      cols: d.cols,
      task: 'classification',
      labels: d.labels,
      sameUnits: d.sameUnits,
    };
  }
  const ds = await fetchDigits(new URL(d.url, scope.location.href), d.subset ?? 'all');
  return ds as LabeledData;
}

async function ensureBackend(): Promise<Backend> {
  return (backend ??= (await loadBrowserBackend()).backend);
}

function finish(id: number, model: Model, t0: number, test: LabeledData | undefined): void {
  const bytes = codecs.encode(model);
  const accuracy = test ? evaluate(model, test).accuracy : undefined;
  const rowsSeen = model instanceof OnlineELM ? model.rowsSeen : Number(model.metrics.trainRows ?? 0);
  const result = {
    bytes,
    contentHash: sha256Hex(bytes),
    kind: model.kind,
    rowsSeen,
    trainMs: performance.now() - t0,
    backend: backend!.name,
    ...(accuracy === undefined ? {} : { accuracy }),
  };
  scope.postMessage({ type: 'done', id, result }, [bytes.buffer as ArrayBuffer]);
}

async function handle(req: TrainRequest): Promise<void> {
  const id = req.id;
  const onProgress = (done: number, total: number): void => scope.postMessage({ type: 'progress', id, done, total });
  switch (req.type) {
    case 'init': {
      let reason: string | undefined;
      if ((req.threads ?? 1) > 1 && req.prefer !== 'js') {
        try {
          backend = (await loadThreadedBackend({ threads: req.threads! })).backend;
        } catch (e) {
          reason = (e as Error).message;
        }
      }
      if (!backend) {
        const loaded = await loadBrowserBackend({ wasm: req.wasm, prefer: req.prefer });
        backend = loaded.backend;
        reason = [reason, loaded.fallbackReason].filter(Boolean).join('; ') || undefined;
      }
      const msg: TrainResponse = { type: 'ready', id, backend: backend.name };
      if (reason) msg.fallbackReason = reason;
      scope.postMessage(msg);
      return;
    }
    case 'train': {
      const be = await ensureBackend();
      const t0 = performance.now();
      const data = await toLabeled(req.data);
      const test = req.test ? await toLabeled(req.test) : undefined;
      const opts = { backend: be, onProgress };
      let model: Model;
      if (req.kind === 'os-elm') {
        online?.dispose();
        model = online = OnlineELM.fit(data, req.config, opts);
      } else model = ELM.fit(data, req.config, opts);
      finish(id, model, t0, test);
      if (model !== online) model.dispose();
      return;
    }
    case 'update': {
      if (!online) throw new ElmError('ELM_ERR_MODEL_NOT_READY', 'no online model to update: train an os-elm first');
      const t0 = performance.now();
      const data = await toLabeled(req.data);
      const test = req.test ? await toLabeled(req.test) : undefined;
      online.partialFit(data, { onProgress });
      finish(id, online, t0, test);
      return;
    }
    case 'load': {
      const loaded = codecs.decode(req.bytes, { backend: await ensureBackend() });
      if (!(loaded.model instanceof OnlineELM)) {
        loaded.model.dispose();
        throw new ElmError('ELM_ERR_UNSUPPORTED', `only an os-elm artifact with state can be updated`);
      }
      online?.dispose();
      online = loaded.model;
      finish(id, online, performance.now(), undefined);
      return;
    }
  }
}

scope.onmessage = (ev) => {
  handle(ev.data).catch((e: unknown) => {
    const err = e as { code?: string; message?: string };
    scope.postMessage({
      type: 'error',
      id: ev.data.id,
      error: { code: err.code ?? 'ELM_ERR_WORKER_FAILED', message: err.message ?? String(e) },
    });
  });
};
