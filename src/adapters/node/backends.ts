import type { Backend } from '../../numeric/backend.js';
import { BackendRegistry } from '../../numeric/registry.js';
import { createNodeWasmBackend, defaultThreads } from './wasm-backend.js';

/**
 * Every numeric backend Node can load, best first: 'wasm-threads' (SIMD kernels on `threads` cores; registered only
 * when threads > 1), 'wasm' (SIMD, one thread), 'js' (the reference). A building block: to choose a backend, call
 * selectBackend().
 */
export function createNodeBackendRegistry(opts: { threads?: number } = {}): BackendRegistry {
  const reg = new BackendRegistry();
  reg.register('wasm', () => createNodeWasmBackend({ threads: 1 }), 10);
  const threads = opts.threads ?? defaultThreads();
  if (threads > 1) reg.register('wasm-threads', () => createNodeWasmBackend({ threads }), 20);
  return reg;
}

/**
 * What a backend is for. 'training' (the default) takes the best that loads: wasm-threads, then wasm, then js.
 * 'serving' takes the single-threaded wasm, then js: a one-row predict gains nothing from helper threads, and a
 * worker pool already uses the cores (each worker would multiply the helpers).
 */
export type BackendPurpose = 'training' | 'serving';

export interface SelectBackendOptions {
  /**
   * 'js' | 'wasm' | 'wasm-threads'. Default: the ELMSCALE_BACKEND environment variable, else the best for the
   * purpose. A named backend that cannot load is an error (ELM_ERR_BACKEND_UNAVAILABLE), never a silent fallback.
   */
  name?: string;
  /** Compute threads of 'wasm-threads', this one included (default: one per core). */
  threads?: number;
  purpose?: BackendPurpose;
}

/** One registry per thread count; each creates a backend once (the wasm backends own memory and helper threads). */
const registries = new Map<number, BackendRegistry>();

/**
 * The one way to choose a numeric backend in Node (the CLI, the server, its workers, benchmarks and library users
 * all call it). Backends are created on first use and shared within the process (per thread, under worker_threads).
 * Async so a future backend may load asynchronously.
 */
export async function selectBackend(opts: SelectBackendOptions = {}): Promise<Backend> {
  const threads = Math.max(1, Math.floor(opts.threads ?? defaultThreads()));
  let reg = registries.get(threads);
  if (!reg) registries.set(threads, (reg = createNodeBackendRegistry({ threads })));
  const env = process.env.ELMSCALE_BACKEND;
  const name = opts.name || (env && env.length > 0 ? env : undefined);
  if (name) return reg.get(name);
  if (opts.purpose === 'serving') {
    try {
      return reg.get('wasm');
    } catch {
      return reg.get('js');
    }
  }
  return reg.get();
}

/**
 * The best numeric backend this process can load (see selectBackend; honours ELMSCALE_BACKEND). Kept as the short
 * form used in the README's library example: `nodeBackend()` is `selectBackend()`.
 */
export function nodeBackend(): Promise<Backend> {
  return selectBackend();
}
