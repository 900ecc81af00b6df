import { ElmError } from '../core/errors.js';

/**
 * Admission control: a bound on the inference requests in flight in this process, shared by every transport that
 * feeds the pipeline (HTTP, fetch, NATS). A request that would exceed it is refused at once with
 * ELM_ERR_OVERLOADED (503 + Retry-After), before any parsing or queueing. The in-flight gauge reads `inflight`.
 */
export class AdmissionLimiter {
  private count = 0;

  constructor(
    readonly limit: number,
    private readonly retryAfterS = 1,
  ) {}

  get inflight(): number {
    return this.count;
  }

  /** Take a slot or throw ELM_ERR_OVERLOADED; every successful admit() must be paired with one release(). */
  admit(): void {
    if (this.count >= this.limit) {
      throw new ElmError('ELM_ERR_OVERLOADED', `too many requests in flight (${this.limit})`, {
        retryAfterS: this.retryAfterS,
      });
    }
    this.count++;
  }

  release(): void {
    if (this.count > 0) this.count--;
  }
}
