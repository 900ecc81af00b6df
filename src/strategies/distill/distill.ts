import { ElmError } from '../../core/errors.js';
import { checkArg, isPositiveInt } from '../../core/assert.js';
import { Xoshiro128 } from '../../core/prng.js';
import type { Backend } from '../../numeric/backend.js';
import { ELM, defaultBackend, resolveConfig, standardizeMode, type ElmSpec } from '../../models/elm.js';
import { featureStats, jitterAugmenter, shiftAugmenter, type Augmenter } from './augment.js';
import { selectTeacherUnits } from './units.js';
import type { ElmConfig, LabeledData, Model } from '../../models/model.js';
import { accumulateNormalEquations, solveRidge, type NormalEquations, type ProgressFn } from '../../models/ridge.js';
import { fitStandardizer } from '../../models/standardize.js';

export interface DistillOptions {
  /** Hidden units of the student. */
  hidden: number;
  config?: Partial<ElmConfig>;
  /**
   * Classification targets: 'logits' regresses the teacher's log-probabilities (centred per row: for an ELM
   * teacher these are exactly its output scores); 'probs' regresses softmax(log p / temperature).
   */
  targets?: 'logits' | 'probs';
  /** Softening (> 1) or sharpening (< 1) of 'probs' targets. Default 1. */
  temperature?: number;
  /** Weight of the one-hot labels mixed into the targets (0 = teacher only, the default). */
  labelWeight?: number;
  /** Extra unlabelled rows per training row, labelled by the teacher (default 0). */
  augment?: number;
  /**
   * How extra rows are made: 'jitter' (Gaussian noise, the default) or 'shift' (images moved by one pixel in each
   * of 4 directions, then diagonally; needs imageWidth). A function may be given too.
   */
  augmentation?: 'jitter' | 'shift' | Augmenter;
  /** Width of the images for 'shift' (rows are width × (cols/width) pixels). */
  imageWidth?: number;
  /** Jitter: Gaussian noise with this fraction of each feature's standard deviation (default 0.3). */
  jitter?: number;
  /**
   * Hidden units of the student: 'random' (fresh units from the seed, the default) or 'teacher' (the ELM
   * teacher's `hidden` most important units, ‖β_j‖·rms(h_j); stored in the student's artifact).
   */
  units?: 'random' | 'teacher';
  /** Clip jittered inputs to the observed range of each feature (default true: keeps pixels in 0..255). */
  clip?: boolean;
  /** Rows per block (teacher predictions and features are made one block at a time). */
  chunkRows?: number;
  backend?: Backend;
  onProgress?: ProgressFn;
}

/**
 * Knowledge distillation into a small ELM: the student regresses the teacher's soft outputs (any Model — an ELM,
 * a router, a mixture), over the training rows and optionally extra jittered rows the teacher labels. Ridge
 * regression on soft targets is the same closed-form solve as on labels: only the targets differ.
 */
export function distill(teacher: Model, data: LabeledData, opts: DistillOptions): ELM {
  const t0 = performance.now();
  const { temperature, augment, labelWeight } = checkOptions(teacher, data, opts);
  const backend = opts.backend ?? defaultBackend();
  const cfg = resolveConfig({ ...opts.config, hidden: opts.hidden });
  const spec = studentSpec(teacher, data, opts, cfg);
  const shell = new ELM(spec, new Float32Array(cfg.hidden * teacher.outputDim), backend);
  const eq = accumulateOnTeacher(teacher, data, opts, { cfg, shell, backend, temperature, augment, labelWeight });
  const beta = Float32Array.from(solveRidge(backend, eq, cfg.C));
  shell.dispose();
  return new ELM(spec, beta, backend, {
    trainSeconds: (performance.now() - t0) / 1000,
    trainRows: eq.rows,
    distilledFrom: teacher.kind,
    studentUnits: opts.units ?? 'random',
    augmentation:
      augment > 0
        ? `${augment}×${typeof opts.augmentation === 'function' ? 'custom' : (opts.augmentation ?? 'jitter')}`
        : 'none',
    teacherFlopsPerRow: teacher.flopsPerRow,
  });
}

function checkOptions(
  teacher: Model,
  data: LabeledData,
  opts: DistillOptions,
): { temperature: number; augment: number; labelWeight: number } {
  checkArg(isPositiveInt(opts.hidden), () => `hidden must be a positive integer, got ${opts.hidden}`);
  if (data.cols !== teacher.inputDim) {
    throw new ElmError(
      'ELM_ERR_SHAPE_MISMATCH',
      `data has ${data.cols} features, the teacher expects ${teacher.inputDim}`,
    );
  }
  const temperature = opts.temperature ?? 1;
  checkArg(temperature > 0, () => `temperature must be > 0, got ${temperature}`);
  const augment = opts.augment ?? 0;
  checkArg(Number.isInteger(augment) && augment >= 0, () => `augment must be a non-negative integer`);
  const labelWeight = opts.labelWeight ?? 0;
  checkArg(labelWeight >= 0 && labelWeight <= 1, () => `labelWeight must be in [0, 1]`);
  return { temperature, augment, labelWeight };
}

/** The student's spec: fresh units from the seed, or (units: 'teacher') the ELM teacher's most important units. */
function studentSpec(teacher: Model, data: LabeledData, opts: DistillOptions, cfg: ElmConfig): ElmSpec {
  const spec: ElmSpec = {
    config: cfg,
    task: teacher.task,
    inputDim: data.cols,
    outputDim: teacher.outputDim,
    standardizer: fitStandardizer(data.x, data.rows, data.cols, standardizeMode(cfg, data)),
  };
  if (opts.units === 'teacher') {
    if (!(teacher instanceof ELM)) {
      throw new ElmError('ELM_ERR_UNSUPPORTED', `units: 'teacher' needs an ELM teacher, got ${teacher.kind}`);
    }
    const tc = teacher.spec.config;
    spec.config = { ...cfg, activation: tc.activation, weightScale: tc.weightScale, seed: tc.seed };
    spec.standardizer = teacher.spec.standardizer;
    const sel = selectTeacherUnits(teacher, data, cfg.hidden);
    spec.storedWeights = { w: sel.w, b: sel.b };
  }
  if (teacher.labels) spec.labels = [...teacher.labels];
  return spec;
}

/**
 * The normal equations of the student's hidden layer (`shell`) against the teacher's soft targets, block by block,
 * over the rows and then `augment` augmented passes of them. `cfg` is the resolved config before any teacher units
 * replace its seed: the augmentation stream is drawn from it.
 */
function accumulateOnTeacher(
  teacher: Model,
  data: LabeledData,
  opts: DistillOptions,
  s: { cfg: ElmConfig; shell: ELM; backend: Backend; temperature: number; augment: number; labelWeight: number },
): NormalEquations {
  const { cfg, shell, augment, labelWeight } = s;
  const d = data.cols,
    m = teacher.outputDim,
    l = cfg.hidden;
  const cls = teacher.task === 'classification';
  const augmenter = augment > 0 ? makeAugmenter(data, opts) : undefined;
  const rng = new Xoshiro128((cfg.seed ^ 0x5bd1e995) >>> 0);
  const step = Math.max(1, Math.min(opts.chunkRows ?? cfg.chunkRows, data.rows));
  const xb = new Float32Array(step * d);
  const tb = new Float32Array(step * m);
  const eq: NormalEquations = { l, m, g: new Float64Array(l * l), ht: new Float64Array(l * m), rows: 0 };
  const passes = 1 + augment;
  const total = passes * data.rows;
  for (let pass = 0; pass < passes; pass++) {
    for (let r0 = 0; r0 < data.rows; r0 += step) {
      const n = Math.min(step, data.rows - r0);
      const x = xb.subarray(0, n * d);
      x.set(data.x.subarray(r0 * d, (r0 + n) * d));
      if (pass > 0) augmenter!(x, n, d, pass, rng);
      const t = tb.subarray(0, n * m);
      softTargets(teacher, x, n, t, cls, opts.targets ?? 'logits', s.temperature);
      if (labelWeight > 0 && cls) {
        for (let r = 0; r < n; r++) {
          for (let c = 0; c < m; c++) t[r * m + c] = t[r * m + c]! * (1 - labelWeight);
          t[r * m + data.y[r0 + r]!] += labelWeight;
        }
      }
      const block: LabeledData = { x, rows: n, cols: d, y: t, task: 'regression', targets: m };
      accumulateNormalEquations(
        s.backend,
        block,
        (xx, rr, out) => shell.hiddenLayer(xx, rr, out),
        l,
        m,
        n,
        undefined,
        eq,
      );
      opts.onProgress?.(pass * data.rows + r0 + n, total);
    }
  }
  return eq;
}

function softTargets(
  teacher: Model,
  x: Float32Array,
  n: number,
  t: Float32Array,
  cls: boolean,
  kind: 'logits' | 'probs',
  temperature: number,
): void {
  const m = teacher.outputDim;
  teacher.predict(x, n, t);
  if (!cls) return;
  for (let r = 0; r < n; r++) {
    const o = r * m;
    let mean = 0;
    for (let c = 0; c < m; c++) {
      const v = Math.log(Math.max(t[o + c]!, 1e-30));
      t[o + c] = v;
      mean += v;
    }
    mean /= m;
    if (kind === 'logits') {
      for (let c = 0; c < m; c++) t[o + c] = t[o + c]! - mean;
      continue;
    }
    let mx = -Infinity;
    for (let c = 0; c < m; c++) if (t[o + c]! > mx) mx = t[o + c]!;
    let s = 0;
    for (let c = 0; c < m; c++) {
      const e = Math.exp((t[o + c]! - mx) / temperature);
      t[o + c] = e;
      s += e;
    }
    for (let c = 0; c < m; c++) t[o + c] = t[o + c]! / s;
  }
}

function makeAugmenter(data: LabeledData, opts: DistillOptions): Augmenter {
  const a = opts.augmentation ?? 'jitter';
  if (typeof a === 'function') return a;
  const stats = featureStats(data);
  if (a === 'jitter') return jitterAugmenter(stats, opts.jitter ?? 0.3, opts.clip ?? true);
  if (opts.imageWidth === undefined) {
    throw new ElmError('ELM_ERR_INVALID_ARGUMENT', "augmentation 'shift' needs imageWidth");
  }
  let fill = Infinity;
  for (const v of stats.lo) if (v < fill) fill = v;
  return shiftAugmenter(opts.imageWidth, data.cols, fill);
}
