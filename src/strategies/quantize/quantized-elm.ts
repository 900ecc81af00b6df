import { ElmError } from '../../core/errors.js';
import type { Task } from '../../core/types.js';
import type { Backend, DensePlan, Int8PlanSpec } from '../../numeric/backend.js';
import { ELM, defaultBackend, type ElmSpec } from '../../models/elm.js';
import { foldStandardizer, generateHiddenWeights } from '../../models/hidden-layer.js';
import type { Model, ModelKind, TrainingMetrics } from '../../models/model.js';
import { quantizeColumns, type QuantizedColumns } from './int8.js';
import { int8OutputRow, planInt8Js } from '../../numeric/js/int8-plan.js';

/**
 * Precision of the first layer: 'int8' runs x·W in int8 (inputs as uint8 per row, W per hidden unit, Int32
 * accumulation); 'f32' runs it in float on the numeric backend. The output layer is always int8.
 */
export type HiddenPrecision = 'int8' | 'f32';

export interface QuantizeOptions {
  hidden?: HiddenPrecision;
}

/** What an int8 ELM is made of (and what its artifact stores). */
export interface Int8ElmParts {
  spec: ElmSpec;
  /** β quantised per output column, stored m×L (each column contiguous). */
  beta: QuantizedColumns;
  hidden: HiddenPrecision;
  /** The folded first layer in int8, when it is stored rather than regenerated from the seed. */
  storedFolded?: { wq: Int8Array; wScale: Float32Array; b: Float32Array };
}

/**
 * An ELM whose output weights (and, by default, hidden weights) are int8. Inference never dequantises the
 * weights: both products are int8 × int8 → Int32 with one float rescale per output (see int8.ts).
 * Hidden weights regenerated from the seed are quantised at load, so the artifact holds only int8 β.
 * With int8 hidden weights the chain runs in the backend's planInt8 kernel when it registers one (wasm: SIMD kernels,
 * weights resident in linear memory), else in the kernel's portable reference (numeric/js/int8-plan.ts).
 */
export class QuantizedELM implements Model {
  readonly kind: ModelKind = 'elm-int8';
  readonly task: Task;
  readonly inputDim: number;
  readonly outputDim: number;
  readonly labels?: readonly string[];
  readonly flopsPerRow: number;
  readonly hiddenUnits: number;
  /** Folded first layer: int8 (wq, wScale, colSum) or float (wf). */
  private wq?: Int8Array;
  private wScale?: Float32Array;
  private colSum?: Float64Array;
  private wf?: Float32Array;
  readonly bf: Float32Array;
  /** The int8 chain (backend or JS), made on first use. */
  private plan?: DensePlan;
  // scratch of the f32-hidden path, allocated once
  private readonly hq: Int8Array;
  private readonly acc2: Int32Array;
  private h: Float32Array;

  constructor(
    readonly parts: Int8ElmParts,
    readonly backend: Backend = defaultBackend(),
    readonly metrics: TrainingMetrics = {},
  ) {
    const { spec } = parts;
    const d = spec.inputDim,
      l = spec.config.hidden,
      m = spec.outputDim;
    if (parts.beta.q.length !== l * m || parts.beta.scales.length !== m) {
      throw new ElmError('ELM_ERR_SHAPE_MISMATCH', `int8 beta must be ${m}×${l} with ${m} scales`);
    }
    this.task = spec.task;
    this.inputDim = d;
    this.outputDim = m;
    this.hiddenUnits = l;
    if (spec.labels) this.labels = spec.labels;
    this.flopsPerRow = d * l + l * m;
    if (parts.storedFolded) {
      const s = parts.storedFolded;
      if (s.wq.length !== d * l || s.wScale.length !== l || s.b.length !== l) {
        throw new ElmError('ELM_ERR_SHAPE_MISMATCH', `stored int8 hidden weights must be ${d}×${l}`);
      }
      if (parts.hidden !== 'int8') throw new ElmError('ELM_ERR_INVALID_ARGUMENT', 'stored int8 weights need int8');
      this.setInt8Layer({ q: s.wq, scales: s.wScale }, d, l);
      this.bf = s.b;
    } else {
      const raw = spec.storedWeights ?? generateHiddenWeights(spec.config.seed, d, l, spec.config.weightScale);
      const f = foldStandardizer(spec.standardizer, raw.w, raw.b, d, l);
      this.bf = f.b;
      if (parts.hidden === 'int8') this.setInt8Layer(quantizeColumns(f.w, d, l, false), d, l);
      else this.wf = f.w;
    }
    this.hq = new Int8Array(l);
    this.acc2 = new Int32Array(m);
    this.h = new Float32Array(0); // f32-hidden path only, grown on use
  }

  private setInt8Layer(qc: QuantizedColumns, d: number, l: number): void {
    this.wq = qc.q;
    this.wScale = qc.scales;
    const cs = new Float64Array(l);
    for (let i = 0; i < d; i++) for (let j = 0; j < l; j++) cs[j] += qc.q[i * l + j]!;
    for (let j = 0; j < l; j++) cs[j] = cs[j]! * qc.scales[j]!;
    this.colSum = cs;
  }

  get spec(): ElmSpec {
    return this.parts.spec;
  }

  /** The folded int8 first layer (for artifacts that store it). */
  foldedInt8(): { wq: Int8Array; wScale: Float32Array; b: Float32Array } | undefined {
    return this.wq ? { wq: this.wq, wScale: this.wScale!, b: this.bf } : undefined;
  }

  predictRaw(x: Float32Array, rows: number, out?: Float32Array): Float32Array {
    const d = this.inputDim,
      l = this.hiddenUnits,
      m = this.outputDim;
    if (x.length < rows * d) {
      throw new ElmError('ELM_ERR_SHAPE_MISMATCH', `input has ${x.length} values, expected ${rows}×${d}`);
    }
    const o = out ?? new Float32Array(rows * m);
    const act = this.spec.config.activation;
    if (this.wf) {
      if (this.h.length < rows * l) this.h = new Float32Array(rows * l);
      this.backend.hidden(rows, d, l, x, this.wf, this.bf, act, this.h);
      for (let r = 0; r < rows; r++) this.outputRow(this.h, r * l, o, r * m);
      return o;
    }
    this.plan ??= this.makePlan();
    this.plan.run(rows, x, o);
    return o;
  }

  /** What the int8 chain needs (int8 hidden weights only). */
  int8PlanSpec(): Int8PlanSpec {
    return {
      d: this.inputDim,
      l: this.hiddenUnits,
      m: this.outputDim,
      wq: this.wq!,
      wScale: this.wScale!,
      colSum: this.colSum!,
      b: this.bf,
      act: this.spec.config.activation,
      betaQ: this.parts.beta.q,
      betaScale: this.parts.beta.scales,
    };
  }

  private makePlan(): DensePlan {
    const spec = this.int8PlanSpec();
    const kernel = this.backend.findKernel('planInt8') ?? planInt8Js;
    return kernel(spec);
  }

  /** out[o..o+m) = int8(h[hOff..hOff+L))·int8(β), rescaled. */
  private outputRow(h: Float32Array, hOff: number, out: Float32Array, o: number): void {
    const { q, scales } = this.parts.beta;
    int8OutputRow(this.hiddenUnits, this.outputDim, h, hOff, this.hq, q, scales, this.acc2, out, o);
  }

  predict(x: Float32Array, rows: number, out?: Float32Array): Float32Array {
    const o = this.predictRaw(x, rows, out);
    if (this.task === 'classification') this.backend.softmaxRows(rows, this.outputDim, o);
    return o;
  }

  dispose(): void {
    this.h = new Float32Array(0);
    this.plan?.dispose();
    this.plan = undefined;
  }
}

/** Anything with an ELM spec and float output weights (ELM, or the ELM snapshot of an OnlineELM). */
export interface ElmLike {
  spec: ElmSpec;
  beta: Float32Array;
  metrics?: TrainingMetrics;
}

/** Quantise a trained ELM: β per output column (symmetric int8), hidden weights per hidden unit when 'int8'. */
export function quantizeElm(model: Model, opts: QuantizeOptions = {}, backend?: Backend): QuantizedELM {
  const src = asElmLike(model);
  const { spec } = src;
  const q = quantizeColumns(src.beta, spec.config.hidden, spec.outputDim, true);
  const be = backend ?? (model as { backend?: Backend }).backend ?? defaultBackend();
  return new QuantizedELM({ spec, beta: q, hidden: opts.hidden ?? 'int8' }, be, {
    ...src.metrics,
    quantizedFrom: model.kind,
  });
}

function asElmLike(model: Model): ElmLike {
  if (model instanceof ELM) return model;
  const snap = (model as { elm?: unknown }).elm;
  if (model.kind === 'os-elm' && snap instanceof ELM) return snap;
  throw new ElmError(
    'ELM_ERR_UNSUPPORTED',
    `int8 quantisation needs a random-feature ELM (elm or os-elm), got "${model.kind}"`,
  );
}
