/**
 * Time and deferral, injected so the serving core stays runtime-agnostic and testable with a fake clock.
 * The node adapter implements it with performance.now, setImmediate and setTimeout.
 */
export interface Scheduler {
  /** Monotonic time in microseconds. */
  nowUs(): number;
  /** Run fn after pending I/O has been processed (node: setImmediate), so close arrivals can join a batch. */
  defer(fn: () => void): void;
  /** Run fn after `us` microseconds; returns a cancel function. */
  after(us: number, fn: () => void): () => void;
}

/**
 * The scheduler for runtimes with only web-standard timers (fetch runtimes, browsers): performance.now, and
 * setTimeout(0) as the deferral, which lets requests already delivered in this turn join the batch.
 */
export const webScheduler: Scheduler = {
  nowUs: () => performance.now() * 1000,
  defer: (fn) => {
    setTimeout(fn, 0);
  },
  after: (us, fn) => {
    const t = setTimeout(fn, Math.max(0, Math.ceil(us / 1000)));
    return () => clearTimeout(t);
  },
};

/** A manual scheduler for tests: time advances only through advance(); deferred work runs on flush(). */
export class ManualScheduler implements Scheduler {
  private t = 0;
  private deferred: (() => void)[] = [];
  private timers: { at: number; fn: () => void; live: boolean }[] = [];

  nowUs(): number {
    return this.t;
  }

  defer(fn: () => void): void {
    this.deferred.push(fn);
  }

  after(us: number, fn: () => void): () => void {
    const t = { at: this.t + us, fn, live: true };
    this.timers.push(t);
    return () => {
      t.live = false;
    };
  }

  /** Run deferred callbacks (and any they defer) until none remain. */
  flush(): void {
    while (this.deferred.length > 0) {
      const d = this.deferred;
      this.deferred = [];
      for (const fn of d) fn();
    }
  }

  advance(us: number): void {
    this.t += us;
    const due = this.timers.filter((t) => t.live && t.at <= this.t);
    this.timers = this.timers.filter((t) => t.live && t.at > this.t);
    for (const t of due) t.fn();
    this.flush();
  }
}
