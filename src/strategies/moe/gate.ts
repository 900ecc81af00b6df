import { ElmError } from '../../core/errors.js';
import type { Model } from '../../models/model.js';
import type { Standardizer } from '../../models/standardize.js';

/** A gate maps input rows to non-negative expert weights that sum to 1 (rows×experts). */
export interface Gate {
  readonly kind: 'kmeans' | 'elm';
  readonly experts: number;
  readonly inputDim: number;
  /** Multiply-adds per row. */
  readonly flopsPerRow: number;
  weights(x: Float32Array, rows: number, out: Float32Array): void;
}

export interface KMeansGateParams {
  standardizer: Standardizer;
  /** E×d centroids in standardised space. */
  centroids: Float32Array;
  experts: number;
  /** Softmax temperature over −‖z − c‖² (only matters for top-k > 1). */
  temperature: number;
}

/**
 * Nearest-centroid gate: weight_e ∝ exp(−‖z − c_e‖²/τ) with z the standardised row. Standardisation is folded into
 * the centroids (c'_e = s∘c_e, o_e = (μ∘s)·c_e), so a row costs E·d multiply-adds and skips zero inputs.
 */
export class KMeansGate implements Gate {
  readonly kind = 'kmeans' as const;
  readonly experts: number;
  readonly inputDim: number;
  readonly flopsPerRow: number;
  private readonly folded: Float32Array;
  private readonly offset: Float64Array;
  private readonly norms: Float64Array;

  constructor(readonly params: KMeansGateParams) {
    const { centroids, experts: e, standardizer: s } = params;
    const d = s.mean.length;
    if (centroids.length !== e * d) throw new ElmError('ELM_ERR_SHAPE_MISMATCH', `centroids must be ${e}×${d}`);
    if (!(params.temperature > 0)) throw new ElmError('ELM_ERR_INVALID_ARGUMENT', 'gate temperature must be > 0');
    this.experts = e;
    this.inputDim = d;
    this.flopsPerRow = e * d;
    // folded stored d×E so a row is a sequence of AXPYs over its non-zero inputs
    this.folded = new Float32Array(d * e);
    this.offset = new Float64Array(e);
    this.norms = new Float64Array(e);
    for (let k = 0; k < e; k++) {
      for (let i = 0; i < d; i++) {
        const c = centroids[k * d + i]!;
        this.folded[i * e + k] = s.scale[i]! * c;
        this.offset[k] += s.mean[i]! * s.scale[i]! * c;
        this.norms[k] += c * c;
      }
    }
  }

  /** Scores 2z·c_e − ‖c_e‖² (= ‖z‖² − ‖z − c_e‖², so the largest is the nearest centroid). */
  scores(x: Float32Array, rows: number, out: Float32Array): void {
    const d = this.inputDim,
      e = this.experts;
    for (let r = 0; r < rows; r++) {
      const o = r * e;
      for (let k = 0; k < e; k++) out[o + k] = 0;
      for (let i = 0; i < d; i++) {
        const v = x[r * d + i]!;
        if (v === 0) continue;
        const f = i * e;
        for (let k = 0; k < e; k++) out[o + k] += v * this.folded[f + k]!;
      }
      for (let k = 0; k < e; k++) out[o + k] = 2 * (out[o + k]! - this.offset[k]!) - this.norms[k]!;
    }
  }

  weights(x: Float32Array, rows: number, out: Float32Array): void {
    this.scores(x, rows, out);
    const e = this.experts,
      inv = 1 / this.params.temperature;
    for (let r = 0; r < rows; r++) softmaxScaled(out, r * e, e, inv);
  }
}

/** Gate by a small ELM classifier over the inputs (its classes are the experts). */
export class ElmGate implements Gate {
  readonly kind = 'elm' as const;
  readonly experts: number;
  readonly inputDim: number;

  constructor(readonly model: Model) {
    if (model.task !== 'classification') throw new ElmError('ELM_ERR_INVALID_ARGUMENT', 'an ELM gate is a classifier');
    this.experts = model.outputDim;
    this.inputDim = model.inputDim;
  }

  get flopsPerRow(): number {
    return this.model.flopsPerRow;
  }

  weights(x: Float32Array, rows: number, out: Float32Array): void {
    this.model.predict(x, rows, out.subarray(0, rows * this.experts));
  }
}

function softmaxScaled(v: Float32Array, o: number, n: number, scale: number): void {
  let mx = -Infinity;
  for (let k = 0; k < n; k++) if (v[o + k]! > mx) mx = v[o + k]!;
  let s = 0;
  for (let k = 0; k < n; k++) {
    const e = Math.exp((v[o + k]! - mx) * scale);
    v[o + k] = e;
    s += e;
  }
  for (let k = 0; k < n; k++) v[o + k] = v[o + k]! / s;
}
