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
import { ElmGate, type Gate } from './gate.js';

/**
 * Mixture of experts: the gate weighs the experts for each row, only the top-k experts run (rows are grouped per
 * expert, so each runs once per batch), and their outputs (probabilities for classifiers) are blended by the
 * renormalised gate weights. With k = 1 a row costs the gate plus one expert.
 */
export class MixtureModel implements CompositeModel {
  readonly kind: ModelKind = 'moe';
  readonly task: Task;
  readonly inputDim: number;
  readonly outputDim: number;
  readonly labels?: readonly string[];
  readonly members: readonly Member[];
  readonly experts: readonly Model[];
  private readonly counter: UsageCounter;
  private gw = new Float32Array(0);
  private sel = new Int32Array(0);
  private selW = new Float32Array(0);
  private idx = new Int32Array(0);
  private xb = new Float32Array(0);
  private ob = new Float32Array(0);
  private readonly count: Int32Array;
  private readonly start: Int32Array;
  private readonly fill: Int32Array;

  constructor(
    readonly gate: Gate,
    experts: readonly (Model | Member)[],
    readonly topK: number,
    readonly metrics: TrainingMetrics = {},
    gateMember?: Member,
  ) {
    const ex: Member[] = experts.map((e, i) =>
      'model' in e ? { ...e, role: `expert${i}` } : { role: `expert${i}`, model: e },
    );
    if (ex.length < 1 || ex.length !== gate.experts) {
      throw new ElmError('ELM_ERR_SHAPE_MISMATCH', `the gate scores ${gate.experts} experts, got ${ex.length}`);
    }
    if (!(Number.isInteger(topK) && topK >= 1 && topK <= ex.length)) {
      throw new ElmError('ELM_ERR_INVALID_ARGUMENT', `top-k must be an integer in 1..${ex.length}, got ${topK}`);
    }
    const first = ex[0]!.model;
    for (const e of ex)
      if (!sameInterface(first, e.model))
        throw new ElmError('ELM_ERR_SHAPE_MISMATCH', 'experts must share inputs, outputs and labels');
    if (gate.inputDim !== first.inputDim)
      throw new ElmError('ELM_ERR_SHAPE_MISMATCH', 'gate and experts differ in inputs');
    const gm = gateMember ?? (gate instanceof ElmGate ? { role: 'gate', model: gate.model } : undefined);
    this.members = gm ? [...ex, { ...gm, role: 'gate' }] : ex;
    this.experts = ex.map((e) => e.model);
    this.task = first.task;
    this.inputDim = first.inputDim;
    this.outputDim = first.outputDim;
    if (first.labels) this.labels = first.labels;
    this.counter = new UsageCounter(ex.map((e) => e.role));
    this.count = new Int32Array(ex.length);
    this.start = new Int32Array(ex.length + 1);
    this.fill = new Int32Array(ex.length);
  }

  get flopsPerRow(): number {
    let s = 0;
    for (const e of this.experts) s += e.flopsPerRow;
    return this.gate.flopsPerRow + (this.topK * s) / this.experts.length;
  }

  /** Blended outputs; probabilities for classifiers. */
  predict(x: Float32Array, rows: number, out?: Float32Array): Float32Array {
    const d = this.inputDim,
      m = this.outputDim,
      e = this.experts.length,
      k = this.topK;
    if (x.length < rows * d) {
      throw new ElmError('ELM_ERR_SHAPE_MISMATCH', `input has ${x.length} values, expected ${rows}×${d}`);
    }
    const o = out ?? new Float32Array(rows * m);
    if (this.gw.length < rows * e) this.gw = new Float32Array(rows * e);
    if (this.sel.length < rows * k) {
      this.sel = new Int32Array(rows * k);
      this.selW = new Float32Array(rows * k);
      this.idx = new Int32Array(rows * k);
    }
    this.gate.weights(x, rows, this.gw);
    this.count.fill(0);
    for (let r = 0; r < rows; r++) this.topOf(r, e, k);
    // bucket (row, slot) pairs per expert
    this.start[0] = 0;
    for (let j = 0; j < e; j++) this.start[j + 1] = this.start[j]! + this.count[j]!;
    const fill = this.fill;
    fill.set(this.start.subarray(0, e));
    for (let p = 0; p < rows * k; p++) this.idx[fill[this.sel[p]!]!++] = p;
    o.fill(0, 0, rows * m);
    for (let j = 0; j < e; j++) {
      const n = this.count[j]!;
      if (n === 0) continue;
      if (this.xb.length < n * d) this.xb = new Float32Array(n * d);
      if (this.ob.length < n * m) this.ob = new Float32Array(n * m);
      const s0 = this.start[j]!;
      for (let i = 0; i < n; i++) {
        const r = (this.idx[s0 + i]! / k) | 0;
        this.xb.set(x.subarray(r * d, (r + 1) * d), i * d);
      }
      this.experts[j]!.predict(this.xb.subarray(0, n * d), n, this.ob.subarray(0, n * m));
      for (let i = 0; i < n; i++) {
        const p = this.idx[s0 + i]!;
        const r = (p / k) | 0,
          w = this.selW[p]!;
        for (let c = 0; c < m; c++) o[r * m + c] += w * this.ob[i * m + c]!;
      }
      this.counter.add(j, n, this.experts[j]!.flopsPerRow);
    }
    this.counter.queries += rows;
    this.counter.flops += rows * this.gate.flopsPerRow;
    return o;
  }

  /** Top-k experts of row r by gate weight, weights renormalised to sum 1. */
  private topOf(r: number, e: number, k: number): void {
    const g = this.gw,
      base = r * k;
    let total = 0;
    for (let s = 0; s < k; s++) {
      let best = -1;
      for (let j = 0; j < e; j++) {
        let taken = false;
        for (let t = 0; t < s; t++) if (this.sel[base + t] === j) taken = true;
        if (!taken && (best < 0 || g[r * e + j]! > g[r * e + best]!)) best = j;
      }
      this.sel[base + s] = best;
      this.selW[base + s] = g[r * e + best]!;
      total += g[r * e + best]!;
      this.count[best]++;
    }
    for (let s = 0; s < k; s++) this.selW[base + s] = total > 0 ? this.selW[base + s]! / total : 1 / k;
  }

  /** Classifiers: log of the blended probabilities (softmax(predictRaw) = predict); regressors: the blend. */
  predictRaw(x: Float32Array, rows: number, out?: Float32Array): Float32Array {
    const o = this.predict(x, rows, out);
    if (this.task === 'classification') logInPlace(o, rows * this.outputDim);
    return o;
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
