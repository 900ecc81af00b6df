/** Outcome label of a finished request. */
export type Outcome = 'success' | 'bad_request' | 'not_found' | 'overloaded' | 'timeout' | 'error';

/**
 * What the serving core reports as it works. The node adapter implements it with prom-client; the default does
 * nothing. Times are seconds.
 */
export interface ServingMetrics {
  requestFinished(model: string, outcome: Outcome, totalS: number): void;
  queueTime(model: string, s: number): void;
  computeTime(model: string, s: number): void;
  /** One executed batch: its rows and compute seconds. */
  batch(model: string, rows: number, computeS?: number): void;
  cache(model: string, hit: boolean): void;
}

export const NOOP_METRICS: ServingMetrics = {
  requestFinished() {},
  queueTime() {},
  computeTime() {},
  batch() {},
  cache() {},
};

export function outcomeFor(code: string | undefined): Outcome {
  switch (code) {
    case undefined:
      return 'success';
    case 'ELM_ERR_MODEL_NOT_FOUND':
      return 'not_found';
    case 'ELM_ERR_OVERLOADED':
      return 'overloaded';
    case 'ELM_ERR_TIMEOUT':
      return 'timeout';
    case 'ELM_ERR_BAD_REQUEST':
    case 'ELM_ERR_NON_FINITE':
    case 'ELM_ERR_SHAPE_MISMATCH':
    case 'ELM_ERR_PAYLOAD_TOO_LARGE':
    case 'ELM_ERR_INVALID_ARGUMENT':
      return 'bad_request';
    default:
      return 'error';
  }
}
