import { ElmError } from '../../core/errors.js';
import type { Scheduler } from '../scheduler.js';
import type { BatchPolicy } from './policy.js';

/** The result of one request's part of a batch. */
export interface BatchResult {
  /** rows×m outputs of this request (a view into the batch output). */
  out: Float32Array;
  queueUs: number;
  computeUs: number;
  /** Rows of the batch this request ran in. */
  batchRows: number;
}

export interface BatchInfo {
  rows: number;
  requests: number;
  computeUs: number;
  failed: boolean;
}

export interface BatcherOptions {
  inputDim: number;
  outputDim: number;
  /** Bound on waiting rows: beyond it submit() throws ELM_ERR_OVERLOADED (backpressure). */
  maxQueueRows: number;
  /** Concurrent batches the executor accepts (read on every decision: pools grow and shrink). */
  slots: () => number;
  /** Suggested Retry-After for overload errors, seconds. */
  retryAfterS?: number;
  onBatch?: (b: BatchInfo) => void;
}

interface Pending {
  x: Float32Array;
  rows: number;
  enqueuedUs: number;
  deadlineUs: number;
  resolve: (r: BatchResult) => void;
  reject: (e: unknown) => void;
}

export type RunBatch = (x: Float32Array, rows: number) => Promise<Float32Array>;

/**
 * A bounded queue per model version that forms batches as its policy says and runs each as one call.
 * Requests are taken whole, in arrival order; results are split back per request.
 */
export class Batcher {
  private queue: Pending[] = [];
  private head = 0;
  private rowsQueued = 0;
  private inflight = 0;
  private cancelTimer: (() => void) | undefined;
  private deferred = false;
  private closed = false;
  private drainWaiters: (() => void)[] = [];

  constructor(
    private readonly runBatch: RunBatch,
    private readonly policy: BatchPolicy,
    private readonly scheduler: Scheduler,
    private readonly o: BatcherOptions,
  ) {}

  get queuedRows(): number {
    return this.rowsQueued;
  }

  /** Queue rows×d inputs; resolves with their rows×m outputs. deadlineUs: absolute scheduler time, or Infinity. */
  submit(x: Float32Array, rows: number, deadlineUs = Infinity): Promise<BatchResult> {
    if (this.closed) return Promise.reject(new ElmError('ELM_ERR_MODEL_NOT_READY', 'the model version is unloading'));
    if (this.rowsQueued > 0 && this.rowsQueued + rows > this.o.maxQueueRows) {
      return Promise.reject(
        new ElmError('ELM_ERR_OVERLOADED', `queue full (${this.rowsQueued} rows waiting)`, {
          retryAfterS: this.o.retryAfterS ?? 1,
        }),
      );
    }
    return new Promise<BatchResult>((resolve, reject) => {
      this.queue.push({ x, rows, enqueuedUs: this.scheduler.nowUs(), deadlineUs, resolve, reject });
      this.rowsQueued += rows;
      this.schedule();
    });
  }

  /** Stop accepting work; resolves once queued and running batches have finished. */
  drain(): Promise<void> {
    this.closed = true;
    if (this.idle()) return Promise.resolve();
    return new Promise((r) => this.drainWaiters.push(r));
  }

  private idle(): boolean {
    return this.rowsQueued === 0 && this.inflight === 0 && this.head >= this.queue.length;
  }

  private schedule(): void {
    if (this.deferred) return;
    this.deferred = true;
    this.scheduler.defer(() => {
      this.deferred = false;
      this.pump();
    });
  }

  private pump(): void {
    for (;;) {
      this.dropExpired();
      if (this.head >= this.queue.length) break;
      const oldest = this.queue[this.head]!;
      const d = this.policy.decide({
        queuedRows: this.rowsQueued,
        oldestAgeUs: this.scheduler.nowUs() - oldest.enqueuedUs,
        freeSlots: this.o.slots() - this.inflight,
      });
      if (!d.dispatch) {
        if (Number.isFinite(d.waitUs) && !this.cancelTimer) {
          this.cancelTimer = this.scheduler.after(d.waitUs, () => {
            this.cancelTimer = undefined;
            this.pump();
          });
        }
        break;
      }
      if (this.cancelTimer) {
        this.cancelTimer();
        this.cancelTimer = undefined;
      }
      this.dispatch(d.maxRows);
    }
    this.compact();
    this.checkDrained();
  }

  private dropExpired(): void {
    const now = this.scheduler.nowUs();
    while (this.head < this.queue.length && this.queue[this.head]!.deadlineUs <= now) {
      const p = this.queue[this.head++]!;
      this.rowsQueued -= p.rows;
      p.reject(
        new ElmError('ELM_ERR_TIMEOUT', `request timed out after ${Math.round(now - p.enqueuedUs)} µs in queue`),
      );
    }
  }

  private dispatch(maxRows: number): void {
    const { batch, rows } = this.take(maxRows);
    if (batch.length === 0) return;
    const x = this.gather(batch, rows);
    this.inflight++;
    const started = this.scheduler.nowUs();
    const finish = (failed: boolean): number => {
      this.inflight--;
      const computeUs = this.scheduler.nowUs() - started;
      if (!failed) this.policy.observe?.(rows, computeUs);
      try {
        this.o.onBatch?.({ rows, requests: batch.length, computeUs, failed });
      } catch {
        // statistics must never fail the requests they describe
      }
      return computeUs;
    };
    let promise: Promise<Float32Array>;
    try {
      promise = this.runBatch(x, rows);
    } catch (e) {
      promise = Promise.reject(e);
    }
    const fail = (e: unknown): void => {
      for (const p of batch) p.reject(e); // no-op for requests already resolved
      this.afterBatch();
    };
    // Every path ends in resolve/reject plus afterBatch, whatever throws (an executor's wrong-sized output, an
    // onBatch hook): an exception in a then-callback would otherwise be an unhandled rejection, which ends Node.
    // (try/catch inside the callbacks rather than a trailing .catch(): no extra promise per batch.)
    promise.then(
      (out) => {
        try {
          this.deliver(batch, rows, out, started, finish(false));
          this.afterBatch();
        } catch (e) {
          fail(e);
        }
      },
      (e: unknown) => {
        try {
          finish(true);
        } finally {
          fail(e);
        }
      },
    );
  }

  /** Up to maxRows rows of queued requests (whole requests; those past their deadline are failed, not taken). */
  private take(maxRows: number): { batch: Pending[]; rows: number } {
    const batch: Pending[] = [];
    let rows = 0;
    const now = this.scheduler.nowUs();
    while (this.head < this.queue.length) {
      const p = this.queue[this.head]!;
      if (batch.length > 0 && rows + p.rows > maxRows) break;
      this.head++;
      this.rowsQueued -= p.rows;
      if (p.deadlineUs <= now) {
        p.reject(new ElmError('ELM_ERR_TIMEOUT', 'request timed out before it was computed'));
        continue;
      }
      batch.push(p);
      rows += p.rows;
    }
    return { batch, rows };
  }

  /** The batch's inputs as one rows×d array (a single request's input as is). */
  private gather(batch: Pending[], rows: number): Float32Array {
    if (batch.length === 1) return batch[0]!.x;
    const d = this.o.inputDim;
    const x = new Float32Array(rows * d);
    let off = 0;
    for (const p of batch) {
      const len = p.rows * d;
      // Requests' inputs are normally exactly rows×d: copy them whole (a subarray view per request costs more).
      x.set(p.x.length === len ? p.x : p.x.subarray(0, len), off);
      off += len;
    }
    return x;
  }

  /** Each request its slice of the batch's outputs. */
  private deliver(batch: Pending[], rows: number, out: Float32Array, started: number, computeUs: number): void {
    const m = this.o.outputDim;
    if (out.length < rows * m) {
      throw new ElmError('ELM_ERR_INTERNAL', `the executor returned ${out.length} outputs for ${rows}×${m}`);
    }
    let off = 0;
    for (const p of batch) {
      p.resolve({
        out: out.subarray(off * m, (off + p.rows) * m),
        queueUs: started - p.enqueuedUs,
        computeUs,
        batchRows: rows,
      });
      off += p.rows;
    }
  }

  private afterBatch(): void {
    if (this.head < this.queue.length) this.schedule();
    else this.checkDrained();
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    } else if (this.head === this.queue.length && this.head > 0) {
      this.queue.length = 0;
      this.head = 0;
    }
  }

  private checkDrained(): void {
    if (this.closed && this.idle() && this.drainWaiters.length > 0) {
      const w = this.drainWaiters;
      this.drainWaiters = [];
      for (const r of w) r();
    }
  }
}
