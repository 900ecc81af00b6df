import type { Backend } from '../../numeric/backend.js';
import { createNodeBackendRegistry } from './backends.js';

/**
 * The best numeric backend this Node process can load (wasm-threads, then wasm, then the JS reference — see
 * backends.ts), or the one named by ELMSCALE_BACKEND=js|wasm|wasm-threads. One instance per process: the wasm
 * backends own linear memory and helper threads worth sharing. Async so a future backend may load asynchronously.
 */
let cached: Promise<Backend> | undefined;

export function nodeBackend(): Promise<Backend> {
  return (cached ??= (async () => {
    const forced = process.env.ELMSCALE_BACKEND;
    return createNodeBackendRegistry().get(forced && forced.length > 0 ? forced : undefined);
  })());
}
