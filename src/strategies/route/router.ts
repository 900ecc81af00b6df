import { ElmError } from '../../core/errors.js';
import type { Task } from '../../core/types.js';
import type { Model, ModelKind, TrainingMetrics } from '../../models/model.js';
import {
  UsageCounter,
  logInPlace,
  sameInterface,
  type CompositeModel,
  type Member,
  type UsageSnapshot,
} from '../composite.js';
import { confidenceOf, type ConfidenceMeasure } from './confidence.js';

export interface RouterPolicy {
  measure: ConfidenceMeasure;
  /** Rows whose small-model confidence is below the threshold escalate to the large model. */
  threshold: number;
}

/** Member indices in answeredBy arrays. */
export const SMALL = 0;
export const LARGE = 1;

/**
 * A cascade: the small model answers every row it is confident about; the rest escalate to the large model.
 * It is itself a Model (classification), saved as an artifact that references both members by content hash,
 * and it counts which member answered (usage(), and route() per row).
 */
export class RouterModel implements CompositeModel {
  readonly kind: ModelKind = 'router';
  readonly task: Task;
  readonly inputDim: number;
  readonly outputDim: number;
  readonly labels?: readonly string[];
  readonly members: readonly Member[];
  private readonly counter = new UsageCounter(['small', 'large']);
  private conf = new Float64Array(0);
  private idx = new Int32Array(0);
  private xb = new Float32Array(0);
  private ob = new Float32Array(0);

  constructor(
    small: Member | Model,
    large: Member | Model,
    readonly policy: RouterPolicy,
    readonly metrics: TrainingMetrics = {},
  ) {
    const s: Member = 'model' in small ? { ...small, role: 'small' } : { role: 'small', model: small };
    const l: Member = 'model' in large ? { ...large, role: 'large' } : { role: 'large', model: large };
    if (s.model.task !== 'classification') {
      throw new ElmError('ELM_ERR_UNSUPPORTED', 'a router needs classifiers (confidence comes from probabilities)');
    }
    if (!sameInterface(s.model, l.model)) {
      throw new ElmError('ELM_ERR_SHAPE_MISMATCH', 'router members must share inputs, outputs and labels');
    }
    if (!Number.isFinite(policy.threshold)) throw new ElmError('ELM_ERR_INVALID_ARGUMENT', 'threshold must be finite');
    this.members = [s, l];
    this.task = s.model.task;
    this.inputDim = s.model.inputDim;
    this.outputDim = s.model.outputDim;
    if (s.model.labels) this.labels = s.model.labels;
  }

  get small(): Model {
    return this.members[SMALL]!.model;
  }
  get large(): Model {
    return this.members[LARGE]!.model;
  }

  /** Expected multiply-adds per row at the measured escalation rate (the small model's alone before any traffic). */
  get flopsPerRow(): number {
    const u = this.counter;
    const rate = u.queries > 0 ? u.rows[LARGE]! / u.queries : Number(this.metrics.escalationRate) || 0;
    return this.small.flopsPerRow + rate * this.large.flopsPerRow;
  }

  /**
   * Probabilities for rows, and which member answered each (answeredBy[r] = SMALL or LARGE) when given.
   * Returns the number of escalated rows.
   */
  route(x: Float32Array, rows: number, out: Float32Array, answeredBy?: Uint8Array): number {
    const d = this.inputDim,
      m = this.outputDim;
    if (x.length < rows * d) {
      throw new ElmError('ELM_ERR_SHAPE_MISMATCH', `input has ${x.length} values, expected ${rows}×${d}`);
    }
    this.small.predict(x, rows, out);
    if (this.idx.length < rows) this.idx = new Int32Array(rows);
    let n = 0;
    const { measure, threshold } = this.policy;
    for (let r = 0; r < rows; r++) {
      const esc = confidenceOf(measure, out, r * m, m) < threshold;
      if (esc) this.idx[n++] = r;
      if (answeredBy) answeredBy[r] = esc ? LARGE : SMALL;
    }
    if (n > 0) {
      if (this.xb.length < n * d) this.xb = new Float32Array(n * d);
      if (this.ob.length < n * m) this.ob = new Float32Array(n * m);
      for (let i = 0; i < n; i++) {
        const r = this.idx[i]!;
        this.xb.set(x.subarray(r * d, (r + 1) * d), i * d);
      }
      this.large.predict(this.xb.subarray(0, n * d), n, this.ob.subarray(0, n * m));
      for (let i = 0; i < n; i++) out.set(this.ob.subarray(i * m, (i + 1) * m), this.idx[i]! * m);
    }
    const u = this.counter;
    u.queries += rows;
    u.add(SMALL, rows - n, 0);
    u.add(LARGE, n, this.large.flopsPerRow);
    u.flops += rows * this.small.flopsPerRow;
    return n;
  }

  predict(x: Float32Array, rows: number, out?: Float32Array): Float32Array {
    const o = out ?? new Float32Array(rows * this.outputDim);
    this.route(x, rows, o);
    return o;
  }

  /** log-probabilities of the answering member (so softmax(predictRaw) = predict). */
  predictRaw(x: Float32Array, rows: number, out?: Float32Array): Float32Array {
    return logInPlace(this.predict(x, rows, out), rows * this.outputDim);
  }

  usage(): UsageSnapshot {
    return this.counter.snapshot();
  }

  resetUsage(): void {
    this.counter.reset();
  }

  dispose(): void {
    for (const mb of this.members) mb.model.dispose();
  }
}
