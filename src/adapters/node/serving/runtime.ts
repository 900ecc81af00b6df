import type { Backend } from '../../../numeric/backend.js';
import type { Scheduler } from '../../../serving/scheduler.js';
import { BackendRegistry } from '../../../numeric/registry.js';

/** The serving scheduler on Node: performance.now in µs, setImmediate, setTimeout (unref'd). */
export const nodeScheduler: Scheduler = {
  nowUs: () => performance.now() * 1000,
  defer: (fn) => {
    setImmediate(fn);
  },
  after: (us, fn) => {
    const t = setTimeout(fn, Math.max(0, Math.ceil(us / 1000)));
    t.unref();
    return () => clearTimeout(t);
  },
};

/**
 * The backend for inference: single-threaded wasm SIMD when it loads (a one-row predict gains nothing from
 * helper threads, and workers would multiply them), else the JS reference. ELMSCALE_BACKEND or `name` forces one.
 */
export async function servingBackend(name?: string): Promise<Backend> {
  const forced = name ?? process.env.ELMSCALE_BACKEND;
  let reg = new BackendRegistry();
  try {
    // Loaded dynamically: the wasm backends are optional in a build.
    const mod = (await import('../backends.js' as string)) as {
      createNodeBackendRegistry?: (o: { threads: number }) => BackendRegistry;
    };
    if (mod.createNodeBackendRegistry) reg = mod.createNodeBackendRegistry({ threads: 1 });
  } catch {
    // only the JS reference is available
  }
  if (forced) return reg.get(forced);
  try {
    return reg.get('wasm');
  } catch {
    return reg.get('js');
  }
}
