/**
 * The numeric backend for browsers (and any web-standards runtime: Deno, workers): the same .wasm the Node adapter
 * loads, fetched and compiled asynchronously (Chromium refuses synchronous compilation of modules over 4 KB on the
 * main thread), instantiated asynchronously, and wrapped by the platform-free wasm backend. When the engine lacks
 * wasm SIMD128, or the module cannot be fetched, the JS reference backend is used and the reason is reported.
 */
import { ElmError } from '../../core/errors.js';
import type { Backend } from '../../numeric/backend.js';
import { createJsBackend } from '../../numeric/js/index.js';
import { BackendRegistry } from '../../numeric/registry.js';
import {
  Heap,
  INITIAL_PAGES,
  MAXIMUM_PAGES,
  createWasmBackend,
  simdSupported,
  type Kernels,
  type WasmContext,
} from '../../numeric/wasm/index.js';

/** Where the kernels come from: a URL (fetched with streaming compilation), raw bytes, or a compiled module. */
export type WasmSource = string | URL | BufferSource | WebAssembly.Module;

export interface BrowserBackendOptions {
  /** The single-threaded SIMD kernels (elmscale.wasm). Default: `elmscale.wasm` beside the bundle. */
  wasm?: WasmSource;
  /** Force a backend: 'wasm' (fail if it cannot load) or 'js'. Default: the best that loads. */
  prefer?: 'wasm' | 'js';
  /** Run the kernels once at load so V8 tiers them up before the first real call (default true). */
  warmup?: boolean;
}

export interface BrowserBackend {
  backend: Backend;
  /** Why the wasm backend is not in use, when it is not. */
  fallbackReason?: string;
  /** The compiled module, to post to a Web Worker (a Module is structured-cloneable) so it need not refetch. */
  module?: WebAssembly.Module;
}

/** Default location of elmscale.wasm: beside the module that imports this file (the bundle). */
export function defaultWasmUrl(): URL {
  return new URL('./elmscale.wasm', import.meta.url);
}

/** Compile the kernels without blocking the thread. */
export async function compileWasm(source: WasmSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (typeof source === 'string' || source instanceof URL) {
    const res = await fetch(source);
    if (!res.ok) throw new Error(`GET ${String(source)}: HTTP ${res.status}`);
    const type = res.headers.get('content-type') ?? '';
    // compileStreaming compiles while bytes arrive, but needs the right MIME type; fall back to bytes otherwise
    if (type.startsWith('application/wasm') && typeof WebAssembly.compileStreaming === 'function') {
      return WebAssembly.compileStreaming(res);
    }
    return WebAssembly.compile(await res.arrayBuffer());
  }
  return WebAssembly.compile(source);
}

/** Instantiate asynchronously over a fresh memory and build the same context createWasmContext builds. */
export async function instantiateWasm(module: WebAssembly.Module): Promise<WasmContext> {
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES });
  const inst = await WebAssembly.instantiate(module, { env: { memory } });
  const ex = inst.exports as unknown as Kernels & {
    __heap_base: WebAssembly.Global;
    __stack_pointer?: WebAssembly.Global;
  };
  const heapBase = Number(ex.__heap_base.value);
  return {
    module,
    memory,
    instance: { kernels: ex, heapBase, stackPointer: ex.__stack_pointer },
    heap: new Heap(memory, heapBase),
  };
}

/** The best backend this page can load: wasm SIMD when the engine has it, else the JS reference. */
export async function loadBrowserBackend(opts: BrowserBackendOptions = {}): Promise<BrowserBackend> {
  if (opts.prefer === 'js') return { backend: createJsBackend(), fallbackReason: 'js backend requested' };
  let reason: string;
  if (!simdSupported()) {
    reason = 'this engine does not support WebAssembly SIMD128';
  } else {
    try {
      const module = await compileWasm(opts.wasm ?? defaultWasmUrl());
      const ctx = await instantiateWasm(module);
      return { backend: createWasmBackend(ctx, { name: 'wasm', warmup: opts.warmup }), module };
    } catch (e) {
      reason = `wasm kernels failed to load: ${(e as Error).message}`;
    }
  }
  if (opts.prefer === 'wasm') throw new ElmError('ELM_ERR_BACKEND_UNAVAILABLE', reason);
  return { backend: createJsBackend(), fallbackReason: reason };
}

/** A BackendRegistry holding what this page loaded (wasm, if it did) beside the JS reference. */
export async function createBrowserBackendRegistry(opts: BrowserBackendOptions = {}): Promise<BackendRegistry> {
  const reg = new BackendRegistry();
  const loaded = await loadBrowserBackend(opts);
  if (loaded.backend.name !== 'js') reg.register(loaded.backend.name, () => loaded.backend, 10);
  return reg;
}
