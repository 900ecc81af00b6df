import { BackendRegistry } from '../../numeric/registry.js';
import { createNodeWasmBackend, defaultThreads } from './wasm-backend.js';

/**
 * Every numeric backend Node can load, best first: 'wasm-threads' (SIMD kernels on all cores; only registered
 * on a multi-core machine), 'wasm' (SIMD, one thread), 'js' (the reference). Pick one with registry.get(name) or
 * let get() take the best that loads; nodeBackend() in default-backend.ts honours ELMSCALE_BACKEND.
 */
export function createNodeBackendRegistry(opts: { threads?: number } = {}): BackendRegistry {
  const reg = new BackendRegistry();
  reg.register('wasm', () => createNodeWasmBackend({ threads: 1 }), 10);
  const threads = opts.threads ?? defaultThreads();
  if (threads > 1) reg.register('wasm-threads', () => createNodeWasmBackend({ threads }), 20);
  return reg;
}
