import type { ClientStep, StepSpec } from '../../../loadtest/types.js';
import { RawConnection, type OnResponse } from './connection.js';
import { Tally, WindowEdges } from './measure.js';

export interface RunTarget {
  host: string;
  port: number;
  /** Prebuilt request bytes, cycled through. */
  requests: Buffer[];
  /** A request with no answer after this long counts as a timeout (and its connection is reset). */
  timeoutMs: number;
  /** Called about every 100 ms with the fraction of the step done (for a progress bar). */
  onTick?: (fraction: number) => void;
  /** Called when the measured window starts and ends (to scrape the server's metrics around it). */
  onWindow?: (edge: 'start' | 'end') => void;
}

const BACKOFF_MS = 20;

/**
 * Per-connection request state. A connection has at most one request in flight, so this record and its response
 * callback are made once per connection, not once per request (the request loop allocates nothing).
 */
interface Slot {
  conn: RawConnection;
  inflight: boolean;
  startedMs: number;
  intended: number;
  measured: boolean;
  onResponse: OnResponse;
}

/** Open loop: intended start times waiting for a free connection — a bounded FIFO (an array and a head index). */
class Backlog {
  private readonly due: number[] = [];
  private head = 0;
  constructor(readonly max: number) {}
  get size(): number {
    return this.due.length - this.head;
  }
  get full(): boolean {
    return this.size >= this.max;
  }
  push(due: number): void {
    this.due.push(due);
  }
  shift(): number {
    return this.due[this.head++];
  }
  /** Forget everything queued; returns how many were dropped. */
  clear(): number {
    const n = this.size;
    this.head = this.due.length;
    return n;
  }
  /** Drop the consumed prefix once it is large and most of the array. */
  compact(): void {
    if (this.head > 4096 && this.head * 2 > this.due.length) {
      this.due.splice(0, this.head);
      this.head = 0;
    }
  }
}

const now = (): number => performance.now();

/** One running step: its connections, the open-loop schedule, the tally, and the timers that drive them. */
class StepRun {
  private readonly t0 = now();
  private readonly mStart: number;
  private readonly mEnd: number;
  private readonly open: boolean;
  private readonly rate: number;
  private readonly tally = new Tally();
  private readonly slots: Slot[] = [];
  private readonly idle: Slot[] = [];
  private readonly backlog: Backlog;
  private readonly window: WindowEdges;
  private readonly ticker: ReturnType<typeof setInterval>;
  private pumpTimer: ReturnType<typeof setTimeout> | undefined;
  private inflight = 0;
  private nextRequest = 0;
  private stopped = false;
  /** open loop: requests due so far (warm-up included), and those due in the measured window. */
  private issued = 0;
  private measuredIssued = 0;

  constructor(
    private readonly spec: StepSpec,
    private readonly t: RunTarget,
    private readonly resolve: (r: ClientStep) => void,
  ) {
    this.mStart = this.t0 + spec.warmupMs;
    this.mEnd = this.mStart + spec.durationMs;
    this.open = spec.mode === 'open';
    this.rate = spec.rate ?? 0;
    if (this.open && !(this.rate > 0)) throw new RangeError('open-loop step needs a positive rate');
    this.backlog = new Backlog(Math.max(1000, Math.ceil(this.rate * 2)));
    this.ticker = setInterval(() => this.tick(), 50);
    this.window = new WindowEdges(spec, t.onWindow);
  }

  /** Open the first connections: closed loop all of them, each sending at once; open loop a few, then the pump. */
  start(): void {
    if (this.open) {
      const initial = Math.min(this.spec.concurrency, Math.max(1, Math.ceil(this.rate / 1000)));
      for (let i = 0; i < initial; i++) this.idle.push(this.addConnection());
      const pump = () => this.pump();
      Promise.all(this.idle.map((c) => c.conn.open().catch(() => undefined))).then(pump, pump);
    } else {
      for (let i = 0; i < this.spec.concurrency; i++) {
        const c = this.addConnection();
        c.conn.open().then(
          () => this.fire(c, now()),
          () => this.afterResponse(c, true),
        );
      }
    }
  }

  private inWindow(ts: number): boolean {
    return ts >= this.mStart && ts < this.mEnd;
  }

  /** Every request (open loop: due so far) is sent; the step ends when none is in flight. */
  private allSent(ts: number): boolean {
    const sent = this.open ? this.measuredIssued : this.tally.sent;
    return ts >= this.mEnd || sent >= this.spec.maxRequests;
  }

  private addConnection(): Slot {
    const c: Slot = {
      conn: new RawConnection(this.t.host, this.t.port),
      inflight: false,
      startedMs: 0,
      intended: 0,
      measured: false,
      onResponse: (status, err) => this.answered(c, status, err),
    };
    this.slots.push(c);
    return c;
  }

  /** The next prebuilt request, cycling. */
  private nextBody(): Buffer {
    const r = this.t.requests[this.nextRequest];
    this.nextRequest = this.nextRequest + 1 === this.t.requests.length ? 0 : this.nextRequest + 1;
    return r;
  }

  /** Send on `c` a request meant to start at `intended` (closed loop: now; open loop: when it was due). */
  private fire(c: Slot, intended: number): void {
    c.startedMs = now();
    c.intended = intended;
    c.measured = this.inWindow(intended);
    if (c.measured) this.tally.sent++;
    c.inflight = true;
    this.inflight++;
    c.conn.send(this.nextBody(), c.onResponse);
  }

  private answered(c: Slot, status: number, err: Error | undefined): void {
    c.inflight = false;
    this.inflight--;
    if (c.measured) this.tally.done(status, err, now() - c.intended);
    this.afterResponse(c, err !== undefined);
  }

  /** A connection is free again (after a failure, once a short back-off has passed): give it its next request. */
  private afterResponse(c: Slot, failed: boolean): void {
    if (this.stopped) return;
    if (failed) {
      setTimeout(() => this.afterResponse(c, false), BACKOFF_MS).unref?.();
      return;
    }
    if (this.open) {
      if (this.backlog.size > 0) this.fire(c, this.backlog.shift());
      else this.idle.push(c);
      return;
    }
    const ts = now();
    if (ts >= this.mEnd || this.tally.sent >= this.spec.maxRequests) {
      this.idle.push(c);
      this.maybeFinish();
      return;
    }
    this.fire(c, ts);
  }

  /** Open loop: queue the requests due by `ts` (overflowing the bounded backlog counts as dropped). */
  private enqueueDue(ts: number): void {
    const endIssue = Math.min(ts, this.mEnd);
    for (;;) {
      const due = this.t0 + (this.issued * 1000) / this.rate;
      if (due > endIssue || this.measuredIssued >= this.spec.maxRequests) break;
      this.issued++;
      if (this.inWindow(due)) this.measuredIssued++;
      if (this.backlog.full) {
        if (this.inWindow(due)) this.tally.dropped++;
        continue;
      }
      this.backlog.push(due);
    }
  }

  /** Open loop: hand queued requests to idle connections (recording the send lag), open more when short. */
  private dispatch(ts: number): void {
    while (this.backlog.size > 0 && this.idle.length > 0) {
      const due = this.backlog.shift();
      if (this.inWindow(due)) this.tally.lag.record((ts - due) * 1000);
      this.fire(this.idle.pop()!, due);
    }
    let waiting = this.backlog.size;
    while (waiting > 0 && this.slots.length < this.spec.concurrency) {
      this.fire(this.addConnection(), this.backlog.shift());
      waiting--;
    }
    this.backlog.compact();
  }

  /** Open loop: move due requests into the backlog, dispatch them, and sleep until the next is due. */
  private pump(): void {
    this.pumpTimer = undefined;
    if (this.stopped) return;
    const ts = now();
    this.enqueueDue(ts);
    this.dispatch(ts);
    if (this.allSent(ts)) {
      this.maybeFinish();
      return;
    }
    const wait = this.t0 + (this.issued * 1000) / this.rate - now();
    // Timers, not a setImmediate spin: a spinning generator would take a core from the server on a small machine.
    // The cost is up to ~1 ms of send lag at high rates, measured below (sendLagMs) and counted in the latency.
    this.pumpTimer = setTimeout(() => this.pump(), Math.max(1, Math.floor(wait)));
  }

  /** Every 50 ms: request timeouts, the bounded drain after the window, progress. */
  private tick(): void {
    const ts = now();
    const timeoutMs = this.t.timeoutMs;
    for (const c of this.slots) if (c.inflight && ts - c.startedMs > timeoutMs) c.conn.abort(new Error('timeout'));
    if (ts > this.mEnd + timeoutMs) {
      // Bounded drain: whatever is still queued is dropped, whatever is in flight times out.
      this.tally.dropped += this.backlog.clear();
      for (const c of this.slots) if (c.inflight) c.conn.abort(new Error('timeout'));
    }
    this.t.onTick?.(Math.min(1, (ts - this.t0) / (this.mEnd - this.t0)));
    this.maybeFinish();
  }

  /** End the step once everything is sent and answered (a closed loop hitting maxRequests ends its window early). */
  private maybeFinish(): void {
    const ts = now();
    if (this.stopped || !this.allSent(ts) || this.inflight > 0) return;
    this.stopped = true;
    clearInterval(this.ticker);
    this.window.finish(ts);
    if (this.pumpTimer) clearTimeout(this.pumpTimer);
    for (const c of this.slots) c.conn.close();
    // due but never sent (only possible when connections were exhausted)
    if (this.open) this.tally.dropped += this.backlog.size;
    const windowEnd = Math.min(ts, this.mEnd);
    this.resolve(this.tally.result(Math.max(0.001, (windowEnd - this.mStart) / 1000), this.window.generatorCpu));
  }
}

/**
 * Run one step: warm-up, then the measured window, then drain (bounded by the request timeout). Closed loop: each
 * of `concurrency` connections sends its next request when the previous answers; latency from the send. Open loop:
 * requests are due at fixed intervals from the step's start; a due request waits for a free connection (opening up
 * to `concurrency`), and its latency is measured from when it was due, so queueing in front of a slow server is
 * counted (no coordinated omission). The open-loop backlog is bounded; overflow counts as `dropped`.
 */
export function runStep(spec: StepSpec, t: RunTarget): Promise<ClientStep> {
  return new Promise((resolve) => new StepRun(spec, t, resolve).start());
}
