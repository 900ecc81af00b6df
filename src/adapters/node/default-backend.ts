import type { Backend } from '../../numeric/backend.js';
import { BackendRegistry } from '../../numeric/registry.js';

/**
 * The best numeric backend this Node process can load, honouring ELMSCALE_BACKEND=js|wasm|... .
 * The fast backends register themselves in createNodeBackendRegistry (backends.ts) when present.
 */
let cached: Promise<Backend> | undefined;

export function nodeBackend(): Promise<Backend> {
  return (cached ??= (async () => {
    let registry = new BackendRegistry();
    try {
      const mod = (await import('./backends.js' as string)) as {
        createNodeBackendRegistry?: () => Promise<BackendRegistry> | BackendRegistry;
      };
      if (mod.createNodeBackendRegistry) registry = await mod.createNodeBackendRegistry();
    } catch {
      // no fast backend built into this package: the JS reference is always there
    }
    const forced = process.env.ELMSCALE_BACKEND;
    return registry.get(forced && forced.length > 0 ? forced : undefined);
  })());
}
