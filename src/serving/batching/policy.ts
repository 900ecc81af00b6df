/** What the batcher knows when it asks the policy whether to dispatch. */
export interface QueueState {
  /** Rows waiting (a request with N rows counts N). */
  queuedRows: number;
  /** Age of the oldest waiting request, µs. */
  oldestAgeUs: number;
  /** Executor slots free to take a batch now. */
  freeSlots: number;
}

export interface BatchDecision {
  /** Dispatch a batch now. */
  dispatch: boolean;
  /** Upper bound on the batch's rows (a single larger request is still dispatched alone). */
  maxRows: number;
  /** If not dispatching: re-check after this many µs (Infinity = wait for an arrival or a free slot). */
  waitUs: number;
}

/** A batch policy is a pure decision over the queue state. */
export interface BatchPolicy {
  readonly name: string;
  decide(s: QueueState): BatchDecision;
  /** Feedback after each successful batch: its rows and compute time (adaptive policies). */
  observe?(rows: number, computeUs: number): void;
}

export interface DynamicBatchOptions {
  /** Largest batch, in rows. */
  maxBatchRows: number;
  /** Longest a request waits for companions before a partial batch is dispatched, µs. */
  maxQueueDelayUs: number;
}

/**
 * Triton's dynamic batcher: dispatch at once when a full batch is waiting, otherwise when the oldest request has
 * waited maxQueueDelayUs. With a delay of 0, requests that arrived together (one event-loop turn, or while every
 * executor was busy) still form one batch.
 */
export function dynamicBatching(o: DynamicBatchOptions): BatchPolicy {
  const maxRows = Math.max(1, Math.floor(o.maxBatchRows));
  const delay = Math.max(0, o.maxQueueDelayUs);
  return {
    name: 'dynamic',
    decide(s) {
      if (s.freeSlots <= 0 || s.queuedRows === 0) return { dispatch: false, maxRows, waitUs: Infinity };
      if (s.queuedRows >= maxRows || s.oldestAgeUs >= delay) return { dispatch: true, maxRows, waitUs: 0 };
      return { dispatch: false, maxRows, waitUs: delay - s.oldestAgeUs };
    },
  };
}

/** No batching: each request is its own batch, dispatched as soon as a slot is free. */
export function noBatching(): BatchPolicy {
  return {
    name: 'none',
    decide(s) {
      const dispatch = s.freeSlots > 0 && s.queuedRows > 0;
      return { dispatch, maxRows: 1, waitUs: dispatch ? 0 : Infinity };
    },
  };
}

/**
 * Dynamic batching whose batch-size cap follows measured cost: compute µs per row is tracked per size class (median of the last 5 batches)
 * (1, 2–3, 4–7, … rows) and batches are capped at the cheapest class. Every other class is probed in turn, each
 * after 8× its size in rows ran at the chosen cap, so probing costs at most about 1/9 of the rows and the choice
 * follows the load. Batching pays when a batched GEMM costs less per row than single rows — true for dense inputs,
 * not for sparse ones where the one-row kernel skips zero inputs (MNIST): there the cap falls to the size that is
 * actually fastest instead of every request waiting for a slower big batch.
 */
export function adaptiveBatching(o: DynamicBatchOptions): BatchPolicy {
  const max = Math.max(1, Math.floor(o.maxBatchRows));
  const delay = Math.max(0, o.maxQueueDelayUs);
  const top = Math.floor(Math.log2(max));
  // Last 5 samples of µs per row per class; the median resists preemption spikes on a loaded machine.
  const samples = Array.from({ length: top + 1 }, () => new Float64Array(5));
  const seen = new Uint32Array(top + 1);
  const estimate = (c: number): number => {
    const n = Math.min(5, seen[c]!);
    const a = samples[c]!.slice(0, n).sort();
    return a[n >> 1]!;
  };
  let best = top;
  let probe = 0; // next class to probe
  let rowsSinceProbe = 0;
  const capOf = (c: number): number => (c >= top ? max : Math.min(max, 2 ** (c + 1) - 1));
  return {
    name: 'adaptive',
    decide(s) {
      if (probe === best) probe = (probe + 1) % (top + 1);
      const probing = top > 0 && rowsSinceProbe >= 8 * capOf(probe);
      const maxRows = capOf(probing ? probe : best);
      if (s.freeSlots <= 0 || s.queuedRows === 0) return { dispatch: false, maxRows, waitUs: Infinity };
      if (s.queuedRows >= maxRows || s.oldestAgeUs >= delay) {
        if (probing) {
          rowsSinceProbe = 0;
          probe = (probe + 1) % (top + 1);
        }
        return { dispatch: true, maxRows, waitUs: 0 };
      }
      return { dispatch: false, maxRows, waitUs: delay - s.oldestAgeUs };
    },
    observe(rows, computeUs) {
      if (rows < 1 || !(computeUs >= 0)) return;
      rowsSinceProbe += rows;
      const c = Math.min(top, Math.floor(Math.log2(rows)));
      samples[c]![seen[c]! % 5] = computeUs / rows;
      seen[c]!++;
      let b = -1;
      let bc = Infinity;
      for (let k = 0; k <= top; k++) {
        if (seen[k]! < 2) continue;
        const e = estimate(k);
        if (e < bc) [b, bc] = [k, e];
      }
      if (b >= 0) best = b;
    },
  };
}
