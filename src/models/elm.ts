import { ElmError } from '../core/errors.js';
import { checkArg, isPositiveInt } from '../core/assert.js';
import { isActivation, type Task } from '../core/types.js';
import type { Backend, DensePlan } from '../numeric/backend.js';
import { createJsBackend } from '../numeric/js/index.js';
import { foldStandardizer, generateHiddenWeights } from './hidden-layer.js';
import {
  DEFAULT_ELM_CONFIG,
  type ElmConfig,
  type LabeledData,
  type Model,
  type ModelKind,
  type TrainingMetrics,
} from './model.js';
import { accumulateNormalEquations, solveRidge, type ProgressFn } from './ridge.js';
import { fitStandardizer, type StandardizeMode, type Standardizer } from './standardize.js';
import { outputCount, validateData } from './targets.js';

export interface FitOptions {
  backend?: Backend;
  onProgress?: ProgressFn;
}

/** Everything that defines a trained random-feature ELM besides β. */
export interface ElmSpec {
  config: ElmConfig;
  task: Task;
  inputDim: number;
  outputDim: number;
  labels?: readonly string[];
  standardizer: Standardizer;
  /** Raw (unfolded) hidden weights when they are stored instead of regenerated from the seed. */
  storedWeights?: { w: Float32Array; b: Float32Array };
}

let fallbackBackend: Backend | undefined;
/** The JS reference backend, for callers that pass none (composition roots pass the fast one). */
export function defaultBackend(): Backend {
  return (fallbackBackend ??= createJsBackend());
}

export function standardizeMode(cfg: ElmConfig, data: LabeledData): StandardizeMode {
  if (cfg.standardize !== 'auto') return cfg.standardize;
  return data.sameUnits ? 'global' : 'feature';
}

/** The spec of a random-feature ELM for this data: dimensions, labels and the standardiser fitted on it. */
export function specFromData(data: LabeledData, cfg: ElmConfig): ElmSpec {
  const spec: ElmSpec = {
    config: cfg,
    task: data.task,
    inputDim: data.cols,
    outputDim: outputCount(data),
    standardizer: fitStandardizer(data.x, data.rows, data.cols, standardizeMode(cfg, data)),
  };
  if (data.labels) spec.labels = [...data.labels];
  return spec;
}

export function resolveConfig(partial: Partial<ElmConfig>): ElmConfig {
  const c = { ...DEFAULT_ELM_CONFIG, ...partial };
  checkArg(isPositiveInt(c.hidden), () => `hidden must be a positive integer, got ${c.hidden}`);
  if (!isActivation(c.activation)) {
    throw new ElmError('ELM_ERR_UNKNOWN_ACTIVATION', `unknown activation "${c.activation}"`);
  }
  checkArg(Number.isInteger(c.seed) && c.seed >= 0 && c.seed <= 0xffffffff, () => `seed must be a uint32`);
  checkArg(c.C > 0 && Number.isFinite(c.C), () => `C must be a positive finite number, got ${c.C}`);
  checkArg(c.weightScale > 0 && Number.isFinite(c.weightScale), () => `weightScale must be > 0`);
  checkArg(isPositiveInt(c.chunkRows), () => `chunkRows must be a positive integer`);
  checkArg(
    ['auto', 'feature', 'global', 'none'].includes(c.standardize),
    () => `unknown standardize "${c.standardize}"`,
  );
  return c;
}

/**
 * Extreme Learning Machine: H = g(X·W + b) with W, b from the seed; β = (HᵀH + I/C)⁻¹HᵀT.
 * Classifiers return softmax probabilities over the outputs and keep their class labels.
 */
export class ELM implements Model {
  readonly kind: ModelKind = 'elm';
  readonly task: Task;
  readonly inputDim: number;
  readonly outputDim: number;
  readonly labels?: readonly string[];
  readonly metrics: TrainingMetrics;
  readonly flopsPerRow: number;
  /** Folded first layer (standardisation absorbed) and output weights, as used for inference. */
  readonly w: Float32Array;
  readonly b: Float32Array;
  private plan: DensePlan | undefined;

  constructor(
    readonly spec: ElmSpec,
    readonly beta: Float32Array,
    readonly backend: Backend = defaultBackend(),
    metrics: TrainingMetrics = {},
    /** Precomputed folded first layer (e.g. views of SharedArrayBuffers shared across worker threads). */
    folded?: { w: Float32Array; b: Float32Array },
  ) {
    const { config, inputDim: d, outputDim: m } = spec;
    const l = config.hidden;
    if (beta.length !== l * m) {
      throw new ElmError('ELM_ERR_SHAPE_MISMATCH', `beta has ${beta.length} values, expected ${l}×${m}`);
    }
    this.task = spec.task;
    this.inputDim = d;
    this.outputDim = m;
    if (spec.labels) this.labels = spec.labels;
    this.metrics = metrics;
    this.flopsPerRow = d * l + l * m;
    if (folded) {
      if (folded.w.length !== d * l || folded.b.length !== l) {
        throw new ElmError('ELM_ERR_SHAPE_MISMATCH', `folded weights must be ${d}×${l} and ${l}`);
      }
      this.w = folded.w;
      this.b = folded.b;
    } else {
      const raw = spec.storedWeights ?? generateHiddenWeights(config.seed, d, l, config.weightScale);
      const f = foldStandardizer(spec.standardizer, raw.w, raw.b, d, l);
      this.w = f.w;
      this.b = f.b;
    }
  }

  get hidden(): number {
    return this.spec.config.hidden;
  }

  /** The same hidden layer with new output weights: shares W and b instead of regenerating and refolding them. */
  withBeta(beta: Float32Array, metrics: TrainingMetrics = this.metrics): ELM {
    return new ELM(this.spec, beta, this.backend, metrics, { w: this.w, b: this.b });
  }

  static fit(data: LabeledData, config: Partial<ElmConfig> = {}, opts: FitOptions = {}): ELM {
    const t0 = performance.now();
    validateData(data);
    const cfg = resolveConfig(config);
    const backend = opts.backend ?? defaultBackend();
    const spec = specFromData(data, cfg);
    const m = spec.outputDim;
    const shell = new ELM(spec, new Float32Array(cfg.hidden * m), backend);
    const eq = accumulateNormalEquations(
      backend,
      data,
      (x, rows, out) => shell.hiddenLayer(x, rows, out),
      cfg.hidden,
      m,
      cfg.chunkRows,
      opts.onProgress,
    );
    const beta = Float32Array.from(solveRidge(backend, eq, cfg.C));
    const trainSeconds = (performance.now() - t0) / 1000;
    return shell.withBeta(beta, { trainSeconds, trainRows: data.rows });
  }

  /** H = g(X·W + b) for raw (unstandardised) rows. */
  hiddenLayer(x: Float32Array, rows: number, out: Float32Array): void {
    const l = this.spec.config.hidden;
    this.backend.hidden(rows, this.inputDim, l, x, this.w, this.b, this.spec.config.activation, out);
  }

  predictRaw(x: Float32Array, rows: number, out?: Float32Array): Float32Array {
    const m = this.outputDim;
    if (x.length < rows * this.inputDim) {
      throw new ElmError('ELM_ERR_SHAPE_MISMATCH', `input has ${x.length} values, expected ${rows}×${this.inputDim}`);
    }
    const o = out ?? new Float32Array(rows * m);
    this.plan ??= this.backend.planDense(
      this.inputDim,
      this.spec.config.hidden,
      m,
      this.w,
      this.b,
      this.spec.config.activation,
      this.beta,
    );
    this.plan.run(rows, x, o);
    return o;
  }

  predict(x: Float32Array, rows: number, out?: Float32Array): Float32Array {
    const o = this.predictRaw(x, rows, out);
    if (this.task === 'classification') this.backend.softmaxRows(rows, this.outputDim, o);
    return o;
  }

  dispose(): void {
    this.plan?.dispose();
    this.plan = undefined;
  }
}
