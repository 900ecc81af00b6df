/**
 * The multi-threaded wasm backend in a browser: the threaded kernels (elmscale-threads.wasm) over a shared
 * WebAssembly.Memory, with threads − 1 helper Web Workers computing alongside. It needs cross-origin isolation
 * (COOP/COEP: SharedArrayBuffer) and a thread that may block in Atomics.wait, i.e. a worker — the training worker
 * uses it; the page's own thread keeps the single-threaded backend.
 */
import { ElmError } from '../../core/errors.js';
import type { Backend } from '../../numeric/backend.js';
import {
  CTRL_BYTES,
  Heap,
  INITIAL_PAGES,
  MAXIMUM_PAGES,
  SharedHelper,
  createWasmBackend,
  simdSupported,
  type Kernels,
} from '../../numeric/wasm/index.js';
import { compileWasm, type WasmSource } from './backend.js';

export interface ThreadedOptions {
  /** Compute threads in total, this one included (≥ 2). */
  threads: number;
  /** elmscale-threads.wasm (default: beside the bundle). */
  wasm?: WasmSource;
  /** The helper worker script (default: wasm-helper.js beside the bundle). */
  helperUrl?: string | URL;
  /** How long to wait for the helpers to start. */
  timeoutMs?: number;
}

export interface ThreadedBackend {
  backend: Backend;
  /** Stop the helper workers. */
  terminate(): void;
}

const HELPER_STACK = 64 * 1024;

/** Whether this context can run the threaded backend (isolated, SharedArrayBuffer, SIMD). */
export function threadsSupported(): boolean {
  const g = globalThis as { crossOriginIsolated?: boolean; SharedArrayBuffer?: unknown };
  return g.crossOriginIsolated === true && typeof g.SharedArrayBuffer === 'function' && simdSupported();
}

export async function loadThreadedBackend(o: ThreadedOptions): Promise<ThreadedBackend> {
  if (!threadsSupported()) {
    throw new ElmError('ELM_ERR_BACKEND_UNAVAILABLE', 'wasm threads need a cross-origin-isolated context (COOP/COEP)');
  }
  const module = await compileWasm(o.wasm ?? new URL('./elmscale-threads.wasm', import.meta.url));
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared: true });
  const inst = await WebAssembly.instantiate(module, { env: { memory } });
  const ex = inst.exports as unknown as Kernels & {
    __heap_base: WebAssembly.Global;
    __stack_pointer?: WebAssembly.Global;
  };
  const heapBase = Number(ex.__heap_base.value);
  const heap = new Heap(memory, heapBase);
  const workers: Worker[] = [];
  const helpers: SharedHelper[] = [];
  const terminate = (): void => {
    for (const h of helpers) h.quit();
    for (const w of workers) w.terminate();
  };
  try {
    const url = o.helperUrl ?? new URL('./wasm-helper.js', import.meta.url);
    for (let i = 1; i < o.threads; i++) {
      const ctrl = heap.alloc(CTRL_BYTES);
      heap.u8.fill(0, ctrl, ctrl + CTRL_BYTES);
      const stack = heap.alloc(HELPER_STACK);
      const w = new Worker(url, { type: 'module', name: `elmscale-wasm-helper-${i}` });
      workers.push(w);
      w.postMessage({ module, memory, ctrl, stackTop: stack + HELPER_STACK });
      helpers.push(new SharedHelper(memory, ctrl));
    }
    // Wait without blocking: a worker may need this thread's event loop to start.
    const end = performance.now() + (o.timeoutMs ?? 15000);
    for (const h of helpers) {
      while (!h.waitReady(0)) {
        if (performance.now() > end) throw new Error('helper workers did not start');
        await new Promise((r) => setTimeout(r, 2));
      }
    }
  } catch (e) {
    terminate();
    throw new ElmError(
      'ELM_ERR_BACKEND_UNAVAILABLE',
      `wasm helper workers failed: ${(e as Error).message}`,
      undefined,
      e,
    );
  }
  const ctx = { module, memory, instance: { kernels: ex, heapBase, stackPointer: ex.__stack_pointer }, heap };
  return { backend: createWasmBackend(ctx, { name: `wasm-threads(${o.threads})`, helpers }), terminate };
}
