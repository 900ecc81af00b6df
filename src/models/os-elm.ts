import { ElmError } from '../core/errors.js';
import type { Backend } from '../numeric/backend.js';
import { ELM, defaultBackend, resolveConfig, specFromData, type ElmSpec, type FitOptions } from './elm.js';
import type { ElmConfig, LabeledData, Model, ModelKind, TrainingMetrics } from './model.js';
import { targetBlock, validateData } from './targets.js';
import { rlsUpdate } from './rls.js';

/**
 * Online Sequential ELM (Liang et al. 2006). The state is P = (HᵀH + I/C)⁻¹ and β, both Float64; each chunk is a
 * recursive-least-squares (Woodbury) update, so after any sequence of chunks β equals a batch fit on their union.
 * Starting from P = C·I and β = 0 makes the initial fit just the first update, so there is one code path.
 * The standardiser is frozen at the initial fit: later chunks are scaled the same way, which is what equality with
 * the batch fit on the union requires (the batch fit then uses the same frozen standardiser).
 */
export class OnlineELM implements Model {
  readonly kind: ModelKind = 'os-elm';
  readonly metrics: TrainingMetrics;
  private inner: ELM;
  /** P (L×L) and β (L×m) in Float64. */
  readonly p: Float64Array;
  readonly beta64: Float64Array;
  private seen: number;

  private constructor(inner: ELM, p: Float64Array, beta64: Float64Array, seen: number, metrics: TrainingMetrics) {
    this.inner = inner;
    this.p = p;
    this.beta64 = beta64;
    this.seen = seen;
    this.metrics = metrics;
  }

  get task() {
    return this.inner.task;
  }
  get inputDim() {
    return this.inner.inputDim;
  }
  get outputDim() {
    return this.inner.outputDim;
  }
  get labels() {
    return this.inner.labels;
  }
  get flopsPerRow() {
    return this.inner.flopsPerRow;
  }
  get spec(): ElmSpec {
    return this.inner.spec;
  }
  get backend(): Backend {
    return this.inner.backend;
  }
  /** Rows learned so far. */
  get rowsSeen(): number {
    return this.seen;
  }
  /** A plain ELM snapshot with the current β (what gets served and saved for inference). */
  get elm(): ELM {
    return this.inner;
  }

  static fit(data: LabeledData, config: Partial<ElmConfig> = {}, opts: FitOptions = {}): OnlineELM {
    validateData(data);
    const cfg = resolveConfig(config);
    const spec = specFromData(data, cfg);
    const m = spec.outputDim;
    const l = cfg.hidden;
    const p = new Float64Array(l * l);
    for (let i = 0; i < l; i++) p[i * l + i] = cfg.C;
    const model = OnlineELM.restore(spec, p, new Float64Array(l * m), 0, opts.backend ?? defaultBackend());
    model.partialFit(data, opts);
    return model;
  }

  /** Rebuild from saved state (artifact). */
  static restore(spec: ElmSpec, p: Float64Array, beta64: Float64Array, seen: number, backend: Backend): OnlineELM {
    const l = spec.config.hidden;
    if (p.length !== l * l || beta64.length !== l * spec.outputDim) {
      throw new ElmError('ELM_ERR_SHAPE_MISMATCH', `OS-ELM state does not match L=${l}, m=${spec.outputDim}`);
    }
    const inner = new ELM(spec, Float32Array.from(beta64), backend);
    return new OnlineELM(inner, p, beta64, seen, {});
  }

  /** Learn one more chunk of rows (any size; processed in blocks so the update matrices stay small). */
  partialFit(data: LabeledData, opts: FitOptions = {}): this {
    validateData(data);
    if (data.cols !== this.inputDim) {
      throw new ElmError('ELM_ERR_SHAPE_MISMATCH', `chunk has ${data.cols} features, model expects ${this.inputDim}`);
    }
    const t0 = performance.now();
    const l = this.spec.config.hidden;
    const m = this.outputDim;
    const block = Math.max(1, Math.min(256, data.rows));
    const h = new Float32Array(block * l);
    const t = new Float32Array(block * m);
    for (let r0 = 0; r0 < data.rows; r0 += block) {
      const r1 = Math.min(data.rows, r0 + block);
      const n = r1 - r0;
      this.inner.hiddenLayer(data.x.subarray(r0 * data.cols, r1 * data.cols), n, h);
      targetBlock(data, m, r0, r1, t);
      rlsUpdate(this.backend, l, m, n, this.p, this.beta64, h, t);
      opts.onProgress?.(r1, data.rows);
    }
    this.seen += data.rows;
    const next = this.inner.withBeta(Float32Array.from(this.beta64));
    this.inner.dispose();
    this.inner = next;
    this.metrics.trainRows = this.seen;
    this.metrics.trainSeconds = ((this.metrics.trainSeconds ?? 0) as number) + (performance.now() - t0) / 1000;
    return this;
  }

  predictRaw(x: Float32Array, rows: number, out?: Float32Array): Float32Array {
    return this.inner.predictRaw(x, rows, out);
  }

  predict(x: Float32Array, rows: number, out?: Float32Array): Float32Array {
    return this.inner.predict(x, rows, out);
  }

  dispose(): void {
    this.inner.dispose();
  }
}
