import type { Scheduler } from '../../../serving/scheduler.js';

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
