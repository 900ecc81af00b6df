import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ElmError } from '../../core/errors.js';
import type { Backend } from '../../numeric/backend.js';
import {
  CTRL_BYTES,
  INITIAL_PAGES,
  MAXIMUM_PAGES,
  SharedHelper,
  createWasmBackend,
  createWasmContext,
  type Tuning,
} from '../../numeric/wasm/index.js';
import { loadWasmModule } from './wasm-loader.js';

export interface NodeWasmOptions {
  /**
   * Compute threads in total (this one included). 1 = the single-threaded build over a plain memory; more =
   * the threaded build over a shared memory with threads − 1 worker_threads helpers. Default 1.
   */
  threads?: number;
  tuning?: Partial<Tuning>;
  warmup?: boolean;
}

/** Stack region given to each helper instance (the kernels use no shadow stack today; this keeps them apart). */
const HELPER_STACK = 64 * 1024;
const READY_TIMEOUT_MS = 15000;

/** Threads worth using here: one per available core. */
export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

/**
 * The wasm SIMD backend for Node, optionally multi-threaded. Synchronous: helpers are started and awaited with
 * Atomics.wait (allowed on Node's main thread), so it can be a BackendRegistry factory.
 */
export function createNodeWasmBackend(opts: NodeWasmOptions = {}): Backend {
  const threads = Math.max(1, Math.floor(opts.threads ?? 1));
  if (threads === 1) {
    const ctx = createWasmContext(loadWasmModule('simd'));
    return createWasmBackend(ctx, { name: 'wasm', tuning: opts.tuning, warmup: opts.warmup });
  }
  const module = loadWasmModule('threads');
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared: true });
  const ctx = createWasmContext(module, memory);
  const helpers: SharedHelper[] = [];
  const workers: Worker[] = [];
  try {
    for (let i = 1; i < threads; i++) {
      const ctrl = ctx.heap.alloc(CTRL_BYTES);
      ctx.heap.u8.fill(0, ctrl, ctrl + CTRL_BYTES);
      const stack = ctx.heap.alloc(HELPER_STACK);
      const worker = new Worker(new URL('./threads/wasm-helper.js', import.meta.url), {
        workerData: { module, memory, ctrl, stackTop: stack + HELPER_STACK },
      });
      worker.unref();
      workers.push(worker);
      const h = new SharedHelper(memory, ctrl);
      if (!h.waitReady(READY_TIMEOUT_MS)) throw new Error('helper thread did not start');
      helpers.push(h);
    }
  } catch (e) {
    for (const w of workers) void w.terminate();
    throw new ElmError(
      'ELM_ERR_BACKEND_UNAVAILABLE',
      `wasm helper threads failed to start: ${String(e)}`,
      undefined,
      e,
    );
  }
  return createWasmBackend(ctx, { name: 'wasm-threads', helpers, tuning: opts.tuning, warmup: opts.warmup });
}
