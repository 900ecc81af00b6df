import { Histogram } from '../../../loadtest/histogram.js';
import type { ClientStep, StepSpec } from '../../../loadtest/types.js';
import { RawConnection, type OnResponse } from './connection.js';

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

/** Per-step counters for requests whose (intended) start lies in the measured window. */
class Tally {
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

/**
 * Run one step: warm-up, then the measured window, then drain (bounded by the request timeout). Closed loop: each
 * of `concurrency` connections sends its next request when the previous answers; latency from the send. Open loop:
 * requests are due at fixed intervals from the step's start; a due request waits for a free connection (opening up
 * to `concurrency`), and its latency is measured from when it was due, so queueing in front of a slow server is
 * counted (no coordinated omission). The open-loop backlog is bounded; overflow counts as `dropped`.
 */
export function runStep(spec: StepSpec, t: RunTarget): Promise<ClientStep> {
  return new Promise((resolve) => {
    const now = () => performance.now();
    const t0 = now();
    const mStart = t0 + spec.warmupMs;
    const mEnd = mStart + spec.durationMs;
    const tally = new Tally();
    const slots: Slot[] = [];
    const idle: Slot[] = [];
    let inflight = 0;
    let next = 0;
    let stopped = false;
    let cpu0: NodeJS.CpuUsage | undefined;
    let cpuWall0 = 0;
    let generatorCpu: number | null = null;
    const open = spec.mode === 'open';
    const rate = spec.rate ?? 0;
    const backlog: number[] = []; // open loop: intended start times waiting for a connection
    let backlogHead = 0;
    const maxBacklog = Math.max(1000, Math.ceil(rate * 2));
    let issued = 0; // open loop: requests due so far (warm-up included)
    let measuredIssued = 0;

    const inWindow = (ts: number) => ts >= mStart && ts < mEnd;
    const body = () => {
      const r = t.requests[next];
      next = next + 1 === t.requests.length ? 0 : next + 1;
      return r;
    };

    const fire = (c: Slot, intended: number) => {
      c.startedMs = now();
      c.intended = intended;
      c.measured = inWindow(intended);
      if (c.measured) tally.sent++;
      c.inflight = true;
      inflight++;
      c.conn.send(body(), c.onResponse);
    };

    const afterResponse = (c: Slot, failed: boolean) => {
      if (stopped) return;
      if (failed) {
        setTimeout(() => afterResponse(c, false), BACKOFF_MS).unref?.();
        return;
      }
      if (open) {
        if (backlogHead < backlog.length) fire(c, backlog[backlogHead++]);
        else idle.push(c);
        return;
      }
      const ts = now();
      if (ts >= mEnd || tally.sent >= spec.maxRequests) {
        idle.push(c);
        maybeFinish();
        return;
      }
      fire(c, ts);
    };

    const addConn = () => {
      const c: Slot = {
        conn: new RawConnection(t.host, t.port),
        inflight: false,
        startedMs: 0,
        intended: 0,
        measured: false,
        onResponse: (status, err) => {
          c.inflight = false;
          inflight--;
          if (c.measured) tally.done(status, err, now() - c.intended);
          afterResponse(c, err !== undefined);
        },
      };
      slots.push(c);
      return c;
    };

    // Open loop: move due requests into the backlog, hand them to idle connections, open more when short.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const pump = () => {
      timer = undefined;
      if (stopped) return;
      const ts = now();
      const endIssue = Math.min(ts, mEnd);
      for (;;) {
        const due = t0 + (issued * 1000) / rate;
        if (due > endIssue || measuredIssued >= spec.maxRequests) break;
        issued++;
        if (inWindow(due)) measuredIssued++;
        if (backlog.length - backlogHead >= maxBacklog) {
          if (inWindow(due)) tally.dropped++;
          continue;
        }
        backlog.push(due);
      }
      while (backlogHead < backlog.length && idle.length > 0) {
        const due = backlog[backlogHead++];
        if (inWindow(due)) tally.lag.record((ts - due) * 1000);
        fire(idle.pop()!, due);
      }
      let waiting = backlog.length - backlogHead;
      while (waiting > 0 && slots.length < spec.concurrency) {
        fire(addConn(), backlog[backlogHead++]);
        waiting--;
      }
      if (backlogHead > 4096 && backlogHead * 2 > backlog.length) {
        backlog.splice(0, backlogHead);
        backlogHead = 0;
      }
      if (ts >= mEnd || measuredIssued >= spec.maxRequests) {
        maybeFinish();
        return;
      }
      const wait = t0 + (issued * 1000) / rate - now();
      // Timers, not a setImmediate spin: a spinning generator would take a core from the server on a small machine.
      // The cost is up to ~1 ms of send lag at high rates, measured below (sendLagMs) and counted in the latency.
      timer = setTimeout(pump, Math.max(1, Math.floor(wait)));
    };

    // Timeouts, window bookkeeping and progress, every 50 ms.
    const ticker = setInterval(() => {
      const ts = now();
      for (const c of slots) if (c.inflight && ts - c.startedMs > t.timeoutMs) c.conn.abort(new Error('timeout'));
      if (ts > mEnd + t.timeoutMs) {
        // Bounded drain: whatever is still queued is dropped, whatever is in flight times out.
        tally.dropped += backlog.length - backlogHead;
        backlogHead = backlog.length;
        for (const c of slots) if (c.inflight) c.conn.abort(new Error('timeout'));
      }
      t.onTick?.(Math.min(1, (ts - t0) / (mEnd - t0)));
      maybeFinish();
    }, 50);

    let startFired = false;
    let endFired = false;
    const edgeStart = setTimeout(() => {
      startFired = true;
      cpu0 = process.cpuUsage();
      cpuWall0 = now();
      t.onWindow?.('start');
    }, spec.warmupMs);
    const fireEnd = () => {
      if (endFired || !startFired) return;
      endFired = true;
      if (cpu0 !== undefined) {
        const u = process.cpuUsage(cpu0);
        generatorCpu = (u.user + u.system) / 1000 / Math.max(1, now() - cpuWall0);
      }
      t.onWindow?.('end');
    };
    const edgeEnd = setTimeout(fireEnd, spec.warmupMs + spec.durationMs);

    let finished = false;
    const maybeFinish = () => {
      const ts = now();
      const allSent = open
        ? ts >= mEnd || measuredIssued >= spec.maxRequests
        : ts >= mEnd || tally.sent >= spec.maxRequests;
      if (finished || !allSent || inflight > 0) return;
      // closed loop hitting maxRequests early: the window is shorter than planned
      finished = stopped = true;
      clearInterval(ticker);
      clearTimeout(edgeEnd);
      clearTimeout(edgeStart);
      fireEnd(); // the window closes now if its timer has not fired yet (early finish or timer skew)
      if (timer) clearTimeout(timer);
      for (const c of slots) c.conn.close();
      const windowEnd = Math.min(ts, mEnd);
      if (generatorCpu === null && cpu0 !== undefined) {
        const u = process.cpuUsage(cpu0);
        generatorCpu = (u.user + u.system) / 1000 / Math.max(1, ts - cpuWall0);
      }
      const dropLeft = open ? backlog.length - backlogHead : 0;
      tally.dropped += dropLeft; // due but never sent (only possible when connections were exhausted)
      resolve(tally.result(Math.max(0.001, (windowEnd - mStart) / 1000), generatorCpu));
    };

    if (open) {
      if (!(rate > 0)) throw new RangeError('open-loop step needs a positive rate');
      const initial = Math.min(spec.concurrency, Math.max(1, Math.ceil(rate / 1000)));
      for (let i = 0; i < initial; i++) idle.push(addConn());
      Promise.all(idle.map((c) => c.conn.open().catch(() => undefined))).then(pump, pump);
    } else {
      for (let i = 0; i < spec.concurrency; i++) {
        const c = addConn();
        c.conn.open().then(
          () => fire(c, now()),
          () => afterResponse(c, true),
        );
      }
    }
  });
}
