import type { Backend } from '../../../numeric/backend.js';
import type { Scheduler } from '../../../serving/scheduler.js';
import { createNodeBackendRegistry } from '../backends.js';

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
export function servingBackend(name?: string): Backend {
  const forced = name ?? process.env.ELMSCALE_BACKEND;
  const reg = createNodeBackendRegistry({ threads: 1 });
  if (forced) return reg.get(forced);
  try {
    return reg.get('wasm');
  } catch {
    return reg.get('js');
  }
}
