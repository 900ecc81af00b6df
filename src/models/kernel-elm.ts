import { ElmError } from '../core/errors.js';
import { checkArg } from '../core/assert.js';
import { permutation } from '../core/prng.js';
import type { Task } from '../core/types.js';
import type { Backend } from '../numeric/backend.js';
import { mirrorUpper } from '../numeric/backend.js';
import { defaultBackend, type FitOptions } from './elm.js';
import type { LabeledData, Model, ModelKind, TrainingMetrics } from './model.js';
import { accumulateNormalEquations } from './ridge.js';
import { applyStandardizer, fitStandardizer, type Standardizer } from './standardize.js';
import { outputCount, targetBlock, validateData } from './targets.js';

export interface KernelElmConfig {
  /** RBF width: k(x, z) = exp(−γ‖x − z‖²) on standardised inputs. Default 1/d. */
  gamma?: number;
  C: number;
  /** Nyström landmarks; when rows ≤ landmarks the exact kernel is used (every training row is a centre). */
  landmarks: number;
  seed: number;
  chunkRows: number;
}

export const DEFAULT_KERNEL_CONFIG: KernelElmConfig = { C: 10, landmarks: 1000, seed: 42, chunkRows: 1024 };

export interface KernelElmSpec {
  config: KernelElmConfig & { gamma: number };
  task: Task;
  inputDim: number;
  outputDim: number;
  labels?: readonly string[];
  standardizer: Standardizer;
  /** 'exact': α = (K + I/C)⁻¹T over all rows; 'nystrom': α = (KₙₘᵀKₙₘ + Kₘₘ/C)⁻¹KₙₘᵀT (subset of regressors). */
  method: 'exact' | 'nystrom';
}

/**
 * Kernel ELM with an RBF kernel (Huang et al. 2012). For large N the kernel is approximated by Nyström landmarks:
 * the subset-of-regressors solution with Kₘₘ/C as regulariser, which equals exact kernel ridge regression when the
 * landmarks are all the training rows. Centres are stored standardised; prediction is f(x) = k(x, centres)·α.
 */
export class KernelELM implements Model {
  readonly kind: ModelKind = 'kernel-elm';
  readonly task: Task;
  readonly inputDim: number;
  readonly outputDim: number;
  readonly labels?: readonly string[];
  readonly metrics: TrainingMetrics;
  readonly flopsPerRow: number;

  constructor(
    readonly spec: KernelElmSpec,
    /** Standardised centres (k×d) and their squared norms. */
    readonly centres: Float32Array,
    readonly alpha: Float32Array,
    readonly backend: Backend = defaultBackend(),
    metrics: TrainingMetrics = {},
  ) {
    this.task = spec.task;
    this.inputDim = spec.inputDim;
    this.outputDim = spec.outputDim;
    if (spec.labels) this.labels = spec.labels;
    this.metrics = metrics;
    const k = this.centreCount;
    if (centres.length !== k * spec.inputDim || alpha.length !== k * spec.outputDim) {
      throw new ElmError('ELM_ERR_SHAPE_MISMATCH', 'kernel ELM centres and α disagree in size');
    }
    this.flopsPerRow = k * spec.inputDim + k * spec.outputDim;
    this.norms = rowNorms(centres, k, spec.inputDim);
  }

  private readonly norms: Float32Array;
  /** Reused per-call buffers, so a single-row predict allocates only its output. */
  private zScratch: Float32Array = new Float32Array(0);
  private featScratch: Float32Array = new Float32Array(0);

  get centreCount(): number {
    return this.alpha.length / this.spec.outputDim;
  }

  static fit(data: LabeledData, config: Partial<KernelElmConfig> = {}, opts: FitOptions = {}): KernelELM {
    const t0 = performance.now();
    validateData(data);
    const cfg = { ...DEFAULT_KERNEL_CONFIG, ...config };
    checkArg(cfg.C > 0, () => `C must be > 0`);
    checkArg(Number.isInteger(cfg.landmarks) && cfg.landmarks > 0, () => `landmarks must be a positive integer`);
    const backend = opts.backend ?? defaultBackend();
    const d = data.cols;
    const gamma = cfg.gamma ?? 1 / d;
    checkArg(gamma > 0, () => `gamma must be > 0`);
    const m = outputCount(data);
    const standardizer = fitStandardizer(data.x, data.rows, d, data.sameUnits ? 'global' : 'feature');
    const exact = data.rows <= cfg.landmarks;
    const k = exact ? data.rows : cfg.landmarks;
    // Centres: all rows (exact) or a seeded random subset (Nyström).
    const order = exact ? null : permutation(data.rows, cfg.seed);
    const centres = new Float32Array(k * d);
    const z = new Float32Array(d);
    for (let i = 0; i < k; i++) {
      const r = order ? order[i]! : i;
      applyStandardizer(standardizer, data.x.subarray(r * d, r * d + d), 1, z);
      centres.set(z, i * d);
    }
    const spec: KernelElmSpec = {
      config: { ...cfg, gamma },
      task: data.task,
      inputDim: d,
      outputDim: m,
      standardizer,
      method: exact ? 'exact' : 'nystrom',
    };
    if (data.labels) spec.labels = [...data.labels];
    const shell = new KernelELM(spec, centres, new Float32Array(k * m), backend);
    let system: Float64Array;
    let rhs: Float64Array;
    if (exact) {
      // (K + I/C)·α = T
      const kmat = new Float32Array(k * k);
      shell.kernelRows(data.x, k, kmat);
      system = Float64Array.from(kmat);
      for (let i = 0; i < k; i++) system[i * k + i] += 1 / cfg.C;
      rhs = new Float64Array(k * m);
      const t = new Float32Array(k * m);
      targetBlock(data, m, 0, k, t);
      rhs.set(t);
    } else {
      const eq = accumulateNormalEquations(
        backend,
        data,
        (x, n, out) => shell.kernelRows(x, n, out),
        k,
        m,
        cfg.chunkRows,
        opts.onProgress,
      );
      mirrorUpper(k, eq.g);
      const kmm = new Float32Array(k * k);
      shell.kernelRowsStandardised(centres, k, kmm);
      // Kₘₘ/C regulariser plus a tiny jitter: Kₘₘ is only positive semi-definite in floating point.
      for (let i = 0; i < k * k; i++) eq.g[i] += kmm[i]! / cfg.C;
      for (let i = 0; i < k; i++) eq.g[i * k + i] += 1e-8 * k;
      system = eq.g;
      rhs = eq.ht;
    }
    backend.cholesky(k, system);
    backend.choleskySolve(k, m, system, rhs);
    const metrics = { trainSeconds: (performance.now() - t0) / 1000, trainRows: data.rows };
    return new KernelELM(spec, centres, Float32Array.from(rhs), backend, metrics);
  }

  /** Kernel features k(x, centres) for raw rows: out is rows×centres. */
  kernelRows(x: Float32Array, rows: number, out: Float32Array): void {
    const d = this.inputDim;
    const z = (this.zScratch = grow(this.zScratch, rows * d)).subarray(0, rows * d);
    applyStandardizer(this.spec.standardizer, x, rows, z);
    this.kernelRowsStandardised(z, rows, out);
  }

  kernelRowsStandardised(z: Float32Array, rows: number, out: Float32Array): void {
    const d = this.inputDim;
    const k = this.centreCount;
    const g = this.spec.config.gamma;
    // ‖z − c‖² = ‖z‖² − 2·z·c + ‖c‖²: the cross term is one GEMM.
    this.backend.gemm(false, true, rows, k, d, -2, z, this.centres, 0, out);
    const zn = rowNorms(z, rows, d);
    for (let r = 0; r < rows; r++) {
      const o = r * k;
      for (let j = 0; j < k; j++) {
        const dist = Math.max(0, out[o + j]! + zn[r]! + this.norms[j]!);
        out[o + j] = Math.exp(-g * dist);
      }
    }
  }

  predictRaw(x: Float32Array, rows: number, out?: Float32Array): Float32Array {
    if (x.length < rows * this.inputDim) {
      throw new ElmError('ELM_ERR_SHAPE_MISMATCH', `input has ${x.length} values, expected ${rows}×${this.inputDim}`);
    }
    const k = this.centreCount;
    const feats = (this.featScratch = grow(this.featScratch, rows * k)).subarray(0, rows * k);
    this.kernelRows(x, rows, feats);
    const o = out ?? new Float32Array(rows * this.outputDim);
    this.backend.gemm(false, false, rows, this.outputDim, k, 1, feats, this.alpha, 0, o);
    return o;
  }

  predict(x: Float32Array, rows: number, out?: Float32Array): Float32Array {
    const o = this.predictRaw(x, rows, out);
    if (this.task === 'classification') this.backend.softmaxRows(rows, this.outputDim, o);
    return o;
  }

  dispose(): void {}
}

function grow(buf: Float32Array, n: number): Float32Array {
  return buf.length >= n ? buf : new Float32Array(n);
}

function rowNorms(a: Float32Array, rows: number, d: number): Float32Array {
  const n = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += a[r * d + j]! * a[r * d + j]!;
    n[r] = s;
  }
  return n;
}
