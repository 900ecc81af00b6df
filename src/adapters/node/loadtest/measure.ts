/* What a step measures: the client-side tally of answers, and the edges of the measured window. */
import { Histogram } from '../../../loadtest/histogram.js';
import type { ClientStep, StepSpec } from '../../../loadtest/types.js';

/** Per-step counters for requests whose (intended) start lies in the measured window. */
export class Tally {
  readonly hist = new Histogram();
  /** open loop: how late the generator sent requests that had a free connection (its own timing error), µs. */
  readonly lag = new Histogram();
  sent = 0;
  ok = 0;
  errors = 0;
  shed = 0;
  timeouts = 0;
  dropped = 0;
  readonly statuses: Record<string, number> = {};

  done(status: number, err: Error | undefined, latencyMs: number): void {
    if (err) {
      if (err.message === 'timeout') this.timeouts++;
      else this.errors++;
      const k = err.message === 'timeout' ? 'timeout' : 'transport';
      this.statuses[k] = (this.statuses[k] ?? 0) + 1;
      return;
    }
    this.statuses[status] = (this.statuses[status] ?? 0) + 1;
    if (status >= 200 && status < 300) {
      this.ok++;
      this.hist.record(latencyMs * 1000);
    } else if (status === 429 || status === 503) this.shed++;
    else this.errors++;
  }

  result(durationS: number, generatorCpu: number | null): ClientStep {
    const h = this.hist;
    const ms = (us: number) => us / 1000;
    return {
      durationS,
      sent: this.sent,
      ok: this.ok,
      errors: this.errors,
      shed: this.shed,
      timeouts: this.timeouts,
      dropped: this.dropped,
      rps: durationS > 0 ? this.ok / durationS : 0,
      latencyMs: {
        p50: ms(h.percentile(50)),
        p90: ms(h.percentile(90)),
        p99: ms(h.percentile(99)),
        p999: ms(h.percentile(99.9)),
        mean: ms(h.mean),
        min: ms(h.min),
        max: ms(h.max),
      },
      generatorCpu,
      sendLagMs: this.lag.count === 0 ? null : { p50: ms(this.lag.percentile(50)), p99: ms(this.lag.percentile(99)) },
      statuses: this.statuses,
    };
  }
}

/** The measured window's edges (timers from the step's start): scrape hooks and the generator's own CPU over it. */
export class WindowEdges {
  private opened = false;
  private closed = false;
  private cpu0: NodeJS.CpuUsage | undefined;
  private wall0 = 0;
  /** The generator's CPU over the window, fraction of one core. */
  generatorCpu: number | null = null;
  private readonly openTimer: ReturnType<typeof setTimeout>;
  private readonly closeTimer: ReturnType<typeof setTimeout>;

  constructor(
    spec: StepSpec,
    private readonly onWindow: ((edge: 'start' | 'end') => void) | undefined,
  ) {
    this.openTimer = setTimeout(() => this.open(), spec.warmupMs);
    this.closeTimer = setTimeout(() => this.close(), spec.warmupMs + spec.durationMs);
  }

  private open(): void {
    this.opened = true;
    this.cpu0 = process.cpuUsage();
    this.wall0 = performance.now();
    this.onWindow?.('start');
  }

  private cpuSince(ts: number): number {
    const u = process.cpuUsage(this.cpu0);
    return (u.user + u.system) / 1000 / Math.max(1, ts - this.wall0);
  }

  private close(): void {
    if (this.closed || !this.opened) return;
    this.closed = true;
    if (this.cpu0 !== undefined) this.generatorCpu = this.cpuSince(performance.now());
    this.onWindow?.('end');
  }

  /** The step is over at `ts`: stop the timers and close the window now if its timer has not fired yet. */
  finish(ts: number): void {
    clearTimeout(this.closeTimer);
    clearTimeout(this.openTimer);
    this.close(); // early finish or timer skew
    if (this.generatorCpu === null && this.cpu0 !== undefined) this.generatorCpu = this.cpuSince(ts);
  }
}
