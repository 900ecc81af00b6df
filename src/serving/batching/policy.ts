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
 * Dynamic batching whose batch-size cap follows measured cost: compute µs per row is tracked (EWMA) per size class
 * (1, 2–3, 4–7, … rows) and batches are capped at the cheapest class, with one batch in 8 probing a neighbouring
 * class so the choice follows the load. Batching pays when a batched GEMM costs less per row than single rows —
 * true for dense inputs, not for sparse ones where the one-row kernel skips zero inputs (MNIST): then the cap
 * falls to the size that is actually fastest instead of making every request wait for a slower big batch.
 */
export function adaptiveBatching(o: DynamicBatchOptions): BatchPolicy {
  const max = Math.max(1, Math.floor(o.maxBatchRows));
  const delay = Math.max(0, o.maxQueueDelayUs);
  const top = Math.floor(Math.log2(max));
  const cost = new Float64Array(top + 1).fill(NaN); // µs per row, EWMA
  const seen = new Uint32Array(top + 1);
  let best = top;
  let dispatches = 0;
  const capOf = (c: number): number => (c >= top ? max : Math.min(max, 2 ** (c + 1) - 1));
  const choose = (): void => {
    let b = -1;
    for (let c = 0; c <= top; c++) if (seen[c]! >= 2 && (b < 0 || cost[c]! < cost[b]!)) b = c;
    if (b >= 0) best = b;
  };
  return {
    name: 'adaptive',
    decide(s) {
      let cls = best;
      const n = dispatches % 16;
      if (n === 7) cls = Math.max(0, best - 1);
      else if (n === 15) cls = Math.min(top, best + 1);
      const maxRows = capOf(cls);
      if (s.freeSlots <= 0 || s.queuedRows === 0) return { dispatch: false, maxRows, waitUs: Infinity };
      if (s.queuedRows >= maxRows || s.oldestAgeUs >= delay) {
        dispatches++;
        return { dispatch: true, maxRows, waitUs: 0 };
      }
      return { dispatch: false, maxRows, waitUs: delay - s.oldestAgeUs };
    },
    observe(rows, computeUs) {
      if (rows < 1 || !(computeUs >= 0)) return;
      const c = Math.min(top, Math.floor(Math.log2(rows)));
      const perRow = computeUs / rows;
      cost[c] = seen[c] === 0 ? perRow : cost[c]! * 0.8 + perRow * 0.2;
      seen[c]!++;
      choose();
    },
  };
}
