import { Worker } from 'node:worker_threads';
import { ElmError, fromErrorData } from '../../../core/errors.js';
import type { ModelCodecs } from '../../../models/artifact/codecs.js';
import { ELM } from '../../../models/elm.js';
import { leastOutstanding, type Balancer } from '../../../serving/balancing/balancers.js';
import type { Executor, ServedModel } from '../../../serving/executor.js';
import type { FromWorker, ModelPayload, ToWorker, WorkerUsage } from '../../../serving/protocol/worker-messages.js';
import type { UsageSnapshot } from '../../../strategies/composite.js';

export interface PoolOptions {
  workers: number;
  balancer?: Balancer;
  /** Backend name forced in workers (default: wasm if it loads, else js). */
  backend?: string;
  /** Encodes models that arrive without artifact bytes (non-ELM kinds) so workers can decode them. */
  codecs?: ModelCodecs;
  /** URL of a module exporting createCodecs() for the workers (kinds registered by strategies). */
  codecsModule?: string;
  /** Batches in flight per worker (default 1: the next batch forms while the worker computes). */
  batchesPerWorker?: number;
  onBusy?: (worker: number, seconds: number) => void;
  /** Called when a worker dies unexpectedly (for logs and tests). */
  onCrash?: (worker: number, reason: string) => void;
}

interface Task {
  id: number;
  key: string;
  x: Float32Array;
  rows: number;
  attempts: number;
  slot: number;
  resolve: (out: Float32Array) => void;
  reject: (e: unknown) => void;
}

interface Slot {
  index: number;
  worker: Worker;
  alive: boolean;
  outstanding: number;
  tasks: Map<number, Task>;
  loads: Map<string, { resolve: () => void; reject: (e: unknown) => void }>;
}

const WORKER_URL = new URL('./worker.js', import.meta.url);

/** Copy a Float32Array into a SharedArrayBuffer once; workers receive views of the same memory. */
function shared(a: Float32Array): Float32Array {
  const s = new Float32Array(new SharedArrayBuffer(a.byteLength));
  s.set(a);
  return s;
}

/**
 * Inference on worker_threads. Models load into every worker (ELM weights shared through SharedArrayBuffers);
 * a balancer function picks the worker per batch; a worker that dies is replaced and its in-flight batches are
 * retried once on another worker.
 */
export class WorkerPool implements Executor {
  readonly name = 'workers';
  private readonly slots: Slot[] = [];
  private readonly payloads = new Map<string, ModelPayload>();
  private readonly balancer: Balancer;
  private nextId = 1;
  private waiting: Task[] = [];
  /** Latest cumulative usage of composite models per worker (dead workers' last reports are kept). */
  private readonly usageByKey = new Map<string, Map<Slot, WorkerUsage>>();
  private closing = false;
  /** Batches re-run after their worker died (for metrics and tests). */
  retried = 0;
  /** Workers that died unexpectedly. */
  crashes = 0;

  private constructor(private readonly o: PoolOptions) {
    this.balancer = o.balancer ?? leastOutstanding();
  }

  static async create(o: PoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(o);
    await Promise.all(Array.from({ length: Math.max(1, o.workers) }, (_, i) => pool.spawn(i)));
    return pool;
  }

  get concurrency(): number {
    return this.alive() * (this.o.batchesPerWorker ?? 1);
  }

  alive(): number {
    return this.slots.filter((s) => s.alive).length;
  }

  /** Per worker outstanding batches (for tests and metrics). */
  loads(): { alive: boolean; outstanding: number }[] {
    return this.slots.map((s) => ({ alive: s.alive, outstanding: s.outstanding }));
  }

  private spawn(index: number): Promise<void> {
    const workerData: Record<string, string> = {};
    if (this.o.backend) workerData.backend = this.o.backend;
    if (this.o.codecsModule) workerData.codecsModule = this.o.codecsModule;
    const worker = new Worker(WORKER_URL, { workerData });
    const slot: Slot = { index, worker, alive: false, outstanding: 0, tasks: new Map(), loads: new Map() };
    this.slots[index] = slot;
    return new Promise<void>((resolveReady, rejectReady) => {
      let ready = false;
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'ready') {
          ready = true;
          // Load every current model before taking traffic.
          Promise.all([...this.payloads].map(([k, p]) => this.loadOn(slot, k, p))).then(() => {
            slot.alive = true;
            resolveReady();
            this.flushWaiting();
          }, rejectReady);
        } else this.onMessage(slot, m);
      });
      worker.on('error', (e) => {
        if (!ready) rejectReady(e);
      });
      worker.on('exit', (code) => {
        if (!ready) rejectReady(new ElmError('ELM_ERR_WORKER_FAILED', `worker ${index} exited during start (${code})`));
        this.onExit(slot, code);
      });
    });
  }

  private onMessage(slot: Slot, m: FromWorker): void {
    if (m.type === 'loaded') {
      const l = slot.loads.get(m.key);
      slot.loads.delete(m.key);
      if (m.error) l?.reject(fromErrorData(m.error));
      else l?.resolve();
      return;
    }
    if (m.type !== 'result' && m.type !== 'error') return;
    const t = slot.tasks.get(m.id);
    if (!t) return;
    slot.tasks.delete(m.id);
    slot.outstanding--;
    if (m.type === 'result') {
      this.o.onBusy?.(slot.index, m.busyNs / 1e9);
      if (m.usage) {
        let u = this.usageByKey.get(t.key);
        if (!u) this.usageByKey.set(t.key, (u = new Map()));
        u.set(slot, m.usage);
      }
      t.resolve(m.out);
    } else t.reject(fromErrorData(m.error));
  }

  private onExit(slot: Slot, code: number): void {
    const wasCurrent = this.slots[slot.index] === slot;
    slot.alive = false;
    for (const l of slot.loads.values()) l.reject(new ElmError('ELM_ERR_WORKER_FAILED', 'worker exited while loading'));
    slot.loads.clear();
    const orphans = [...slot.tasks.values()];
    slot.tasks.clear();
    slot.outstanding = 0;
    if (this.closing) {
      for (const t of orphans) t.reject(new ElmError('ELM_ERR_WORKER_FAILED', 'the worker pool is closing'));
      return;
    }
    this.crashes++;
    this.o.onCrash?.(slot.index, `exit code ${code}`);
    for (const t of orphans) {
      t.attempts++;
      if (t.attempts > 1) {
        t.reject(new ElmError('ELM_ERR_WORKER_FAILED', 'the inference worker crashed twice on this batch'));
      } else {
        this.retried++;
        this.dispatch(t);
      }
    }
    if (wasCurrent) {
      this.spawn(slot.index).catch((e: unknown) => this.o.onCrash?.(slot.index, `respawn failed: ${String(e)}`));
    }
  }

  private loadOn(slot: Slot, key: string, payload: ModelPayload): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      slot.loads.set(key, { resolve, reject });
      this.post(slot, { type: 'load', key, payload });
    });
  }

  private post(slot: Slot, m: ToWorker): void {
    slot.worker.postMessage(m);
  }

  async load(key: string, served: ServedModel): Promise<void> {
    const model = served.model;
    let payload: ModelPayload;
    if (model instanceof ELM && model.kind === 'elm') {
      const { storedWeights: _unused, ...spec } = model.spec;
      payload = { kind: 'elm-shared', spec, w: shared(model.w), b: shared(model.b), beta: shared(model.beta) };
    } else {
      const bytes = served.bytes ?? this.o.codecs?.encode(model);
      if (!bytes)
        throw new ElmError('ELM_ERR_UNSUPPORTED', `cannot ship a ${model.kind} model to workers without codecs`);
      const sab = new Uint8Array(new SharedArrayBuffer(bytes.byteLength));
      sab.set(bytes);
      payload = { kind: 'artifact', bytes: sab };
    }
    this.payloads.set(key, payload);
    await Promise.all(this.slots.filter((s) => s.alive).map((s) => this.loadOn(s, key, payload)));
  }

  /** Usage of a composite model summed over workers (the main thread's copy of the model sees no traffic). */
  usage(key: string): UsageSnapshot | undefined {
    const per = this.usageByKey.get(key);
    if (!per) return undefined;
    let queries = 0,
      flops = 0;
    const rows = new Map<string, number>();
    for (const u of per.values()) {
      queries += u.queries;
      flops += u.flops;
      u.roles.forEach((r, i) => rows.set(r, (rows.get(r) ?? 0) + u.rows[i]!));
    }
    const members = [...rows].map(([role, n]) => ({ role, rows: n, share: queries > 0 ? n / queries : 0 }));
    return { queries, flops, members };
  }

  async unload(key: string): Promise<void> {
    this.payloads.delete(key);
    this.usageByKey.delete(key);
    for (const s of this.slots) if (s.alive) this.post(s, { type: 'unload', key });
  }

  run(key: string, x: Float32Array, rows: number): Promise<Float32Array> {
    return new Promise<Float32Array>((resolve, reject) => {
      this.dispatch({ id: this.nextId++, key, x, rows, attempts: 0, slot: -1, resolve, reject });
    });
  }

  private dispatch(t: Task): void {
    const i = this.balancer(this.slots);
    if (i < 0) {
      this.waiting.push(t);
      return;
    }
    const slot = this.slots[i]!;
    t.slot = i;
    slot.tasks.set(t.id, t);
    slot.outstanding++;
    // x is copied (not transferred), so a retry after a crash still has the input.
    this.post(slot, { type: 'run', id: t.id, key: t.key, x: t.x, rows: t.rows });
  }

  private flushWaiting(): void {
    const w = this.waiting;
    this.waiting = [];
    for (const t of w) this.dispatch(t);
  }

  /** Kill a worker as a crash would (tests, chaos drills). It is replaced and its batches retried. */
  async crash(index: number): Promise<void> {
    await this.slots[index]?.worker.terminate();
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const t of this.waiting) t.reject(new ElmError('ELM_ERR_WORKER_FAILED', 'the worker pool is closing'));
    this.waiting = [];
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
