/**
 * An inference worker: holds models (ELM weights as views of SharedArrayBuffers shared with every other worker,
 * other kinds decoded from shared artifact bytes) and runs one batch per 'run' message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ElmError, toErrorData } from '../../../core/errors.js';
import { ModelCodecs } from '../../../models/artifact/codecs.js';
import { ELM } from '../../../models/elm.js';
import type { Model } from '../../../models/model.js';
import type { FromWorker, ToWorker, WorkerUsage } from '../../../serving/protocol/worker-messages.js';
import { warmUp } from '../../../serving/warm-up.js';
import { isCompositeModel, type UsageSnapshot } from '../../../strategies/composite.js';
import { selectBackend } from '../backends.js';

interface WorkerInit {
  backend?: string;
  /** URL of a module exporting createCodecs(): ModelCodecs (kinds registered by strategies). */
  codecsModule?: string;
}

const init = (workerData ?? {}) as WorkerInit;
const port = parentPort!;
const backend = await selectBackend({ name: init.backend, purpose: 'serving' });
const models = new Map<string, Model>();
let codecs: ModelCodecs | undefined;

async function getCodecs(): Promise<ModelCodecs> {
  if (codecs) return codecs;
  if (init.codecsModule) {
    const mod = (await import(init.codecsModule)) as { createCodecs: () => ModelCodecs };
    codecs = mod.createCodecs();
  } else codecs = new ModelCodecs();
  return codecs;
}

function usageOf(u: UsageSnapshot): WorkerUsage {
  return {
    queries: u.queries,
    flops: u.flops,
    roles: u.members.map((x) => x.role),
    rows: u.members.map((x) => x.rows),
  };
}

function post(m: FromWorker, transfer?: ArrayBuffer[]): void {
  port.postMessage(m, transfer);
}

port.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'run': {
      const model = models.get(msg.key);
      try {
        if (!model) throw new ElmError('ELM_ERR_MODEL_NOT_FOUND', `model ${msg.key} not loaded`);
        const t0 = process.hrtime.bigint();
        const out = model.predict(msg.x, msg.rows);
        const busyNs = Number(process.hrtime.bigint() - t0);
        const m: FromWorker = { type: 'result', id: msg.id, out, busyNs };
        if (isCompositeModel(model)) m.usage = usageOf(model.usage());
        post(m, [out.buffer as ArrayBuffer]);
      } catch (e) {
        post({ type: 'error', id: msg.id, error: toErrorData(e) });
      }
      break;
    }
    case 'load':
      void (async () => {
        try {
          const p = msg.payload;
          let model: Model;
          if (p.kind === 'elm-shared') model = new ELM(p.spec, p.beta, backend, {}, { w: p.w, b: p.b });
          else model = (await getCodecs()).decode(p.bytes, { backend }).model;
          warmUp(model);
          models.get(msg.key)?.dispose();
          models.set(msg.key, model);
          post({ type: 'loaded', key: msg.key });
        } catch (e) {
          post({ type: 'loaded', key: msg.key, error: toErrorData(e) });
        }
      })();
      break;
    case 'unload':
      models.get(msg.key)?.dispose();
      models.delete(msg.key);
      break;
  }
});

post({ type: 'ready' });
