import type { Model } from '../models/model.js';

/** A member model of a composite (router, mixture). bytes/contentHash are its artifact identity once known. */
export interface Member {
  /** 'small' | 'large' for routers, 'expert0'…'expertN' and 'gate' for mixtures. */
  role: string;
  model: Model;
  bytes?: Uint8Array;
  contentHash?: string;
}

/** Traffic through a composite since it was loaded (or since resetUsage): the basis of per-member metrics. */
export interface UsageSnapshot {
  /** Rows predicted. */
  queries: number;
  /** Multiply-adds actually spent (members that ran × their flopsPerRow). */
  flops: number;
  /** Rows each member computed (a mixture with top-k counts k experts per row). */
  members: { role: string; rows: number; share: number }[];
}

/** A model made of other models, which reports which members did the work. */
export interface CompositeModel extends Model {
  readonly members: readonly Member[];
  usage(): UsageSnapshot;
  resetUsage(): void;
}

export function isCompositeModel(m: Model): m is CompositeModel {
  return (
    typeof (m as Partial<CompositeModel>).usage === 'function' && Array.isArray((m as Partial<CompositeModel>).members)
  );
}

/** Counters behind UsageSnapshot (plain numbers: one add per batch, no allocation). */
export class UsageCounter {
  queries = 0;
  flops = 0;
  readonly rows: Float64Array;

  constructor(readonly roles: readonly string[]) {
    this.rows = new Float64Array(roles.length);
  }

  add(member: number, rows: number, flopsPerRow: number): void {
    this.rows[member] += rows;
    this.flops += rows * flopsPerRow;
  }

  snapshot(): UsageSnapshot {
    const q = this.queries;
    return {
      queries: q,
      flops: this.flops,
      members: this.roles.map((role, i) => ({ role, rows: this.rows[i]!, share: q > 0 ? this.rows[i]! / q : 0 })),
    };
  }

  reset(): void {
    this.queries = 0;
    this.flops = 0;
    this.rows.fill(0);
  }
}

/** Check that members agree on inputs and outputs. */
export function sameInterface(a: Model, b: Model): boolean {
  if (a.inputDim !== b.inputDim || a.outputDim !== b.outputDim || a.task !== b.task) return false;
  if (a.labels && b.labels) return a.labels.every((l, i) => b.labels![i] === l);
  return true;
}

/** Probabilities to log-probabilities in place (first n values; floored at 1e-30 so zeros stay finite). */
export function logInPlace(o: Float32Array, n: number): Float32Array {
  for (let i = 0; i < n; i++) o[i] = Math.log(Math.max(o[i]!, 1e-30));
  return o;
}
