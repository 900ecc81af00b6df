/**
 * The page side of the training worker: `const t = await BrowserTrainer.start(); const r = await t.train(...)`.
 * Every call is a promise; progress arrives through the optional callback. The page thread never trains.
 */
import { ElmError } from '../../core/errors.js';
import type { ElmConfig } from '../../models/model.js';
import type { TrainData, TrainRequest, TrainResponse, TrainResult } from './protocol.js';

type Pending = {
  resolve: (v: TrainResponse) => void;
  reject: (e: Error) => void;
  onProgress?: (done: number, total: number) => void;
};

type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface TrainerOptions {
  /** URL of train-worker.js (default: beside the bundle). */
  workerUrl?: string | URL;
  /** The compiled kernels (so the worker need not fetch them again), or their URL. */
  wasm?: WebAssembly.Module | string;
  prefer?: 'wasm' | 'js';
  /**
   * Compute threads for training. Default: up to 4 of the device's cores when the page is cross-origin isolated
   * (the threaded wasm build), else 1.
   */
  threads?: number;
}

/** Threads worth using for training in this context. */
export function defaultTrainingThreads(): number {
  const g = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
  if (g.crossOriginIsolated !== true) return 1;
  return Math.max(1, Math.min(4, g.navigator?.hardwareConcurrency ?? 1));
}

export class BrowserTrainer {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  backend = '';
  fallbackReason: string | undefined;

  private constructor(private readonly worker: Worker) {
    worker.onmessage = (ev: MessageEvent<TrainResponse>) => this.onMessage(ev.data);
    worker.onerror = (ev) => {
      const err = new ElmError('ELM_ERR_WORKER_FAILED', `training worker failed: ${ev.message}`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
  }

  static async start(opts: TrainerOptions = {}): Promise<BrowserTrainer> {
    const url = opts.workerUrl ?? new URL('./train-worker.js', import.meta.url);
    const t = new BrowserTrainer(new Worker(url, { type: 'module', name: 'elmscale-trainer' }));
    const threads = opts.threads ?? defaultTrainingThreads();
    const ready = await t.call({ type: 'init', wasm: opts.wasm, prefer: opts.prefer, threads });
    if (ready.type === 'ready') {
      t.backend = ready.backend;
      t.fallbackReason = ready.fallbackReason;
    }
    return t;
  }

  private onMessage(msg: TrainResponse): void {
    const p = this.pending.get(msg.id);
    if (!p) return;
    if (msg.type === 'progress') {
      p.onProgress?.(msg.done, msg.total);
      return;
    }
    this.pending.delete(msg.id);
    if (msg.type === 'error') p.reject(new ElmError(msg.error.code as 'ELM_ERR_WORKER_FAILED', msg.error.message));
    else p.resolve(msg);
  }

  private call(
    req: Without<TrainRequest, 'id'>,
    onProgress?: (done: number, total: number) => void,
    transfer: Transferable[] = [],
  ): Promise<TrainResponse> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      this.worker.postMessage({ ...req, id }, transfer);
    });
  }

  private async result(p: Promise<TrainResponse>): Promise<TrainResult> {
    const r = await p;
    if (r.type !== 'done') throw new ElmError('ELM_ERR_INTERNAL', `unexpected worker reply ${r.type}`);
    return r.result;
  }

  /** Fit a new model in the worker. */
  train(
    kind: 'elm' | 'os-elm',
    data: TrainData,
    opts: { config?: Partial<ElmConfig>; test?: TrainData; onProgress?: (done: number, total: number) => void } = {},
  ): Promise<TrainResult> {
    return this.result(this.call({ type: 'train', kind, data, config: opts.config, test: opts.test }, opts.onProgress));
  }

  /** Learn more rows on the current OS-ELM (online update; the data never leaves the page). */
  update(data: TrainData, opts: { test?: TrainData; onProgress?: (d: number, t: number) => void } = {}) {
    return this.result(this.call({ type: 'update', data, test: opts.test }, opts.onProgress));
  }

  /** Resume online training from a saved os-elm artifact. */
  load(bytes: Uint8Array): Promise<TrainResult> {
    return this.result(this.call({ type: 'load', bytes }));
  }

  terminate(): void {
    this.worker.terminate();
    const err = new ElmError('ELM_ERR_WORKER_FAILED', 'training worker terminated');
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
