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
