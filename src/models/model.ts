import type { StandardizeMode } from './standardize.js';
import type { Activation, Task } from '../core/types.js';

/** Every model kind that has an artifact codec. Composite kinds (router, moe) reference members by content hash. */
export type ModelKind = 'elm' | 'os-elm' | 'kernel-elm' | 'elm-int8' | 'router' | 'moe';

/** Training data as flat typed arrays. y is class indices (classification) or rows×targets values (regression). */
export interface LabeledData {
  x: Float32Array;
  rows: number;
  cols: number;
  y: Int32Array | Float32Array;
  task: Task;
  /** Class names (classification): index → name. */
  labels?: readonly string[];
  /** Regression: number of target columns (default 1). */
  targets?: number;
  /** True when all features share one unit (pixels): enables global standardisation under 'auto'. */
  sameUnits?: boolean;
}

export interface TrainingMetrics {
  trainSeconds?: number;
  trainRows?: number;
  trainAccuracy?: number;
  trainRmse?: number;
  [key: string]: number | string | undefined;
}

/**
 * The one interface every servable model implements. predict() returns class probabilities for classifiers and
 * raw values for regressors; predictRaw() returns the unnormalised output scores.
 */
export interface Model {
  readonly kind: ModelKind;
  readonly task: Task;
  readonly inputDim: number;
  readonly outputDim: number;
  readonly labels?: readonly string[];
  readonly metrics: TrainingMetrics;
  /** Multiply-adds per input row: the compute-per-query basis for cost accounting and strategy reports. */
  readonly flopsPerRow: number;
  predictRaw(x: Float32Array, rows: number, out?: Float32Array): Float32Array;
  predict(x: Float32Array, rows: number, out?: Float32Array): Float32Array;
  /** Release backend resources (wasm memory) held by the model. */
  dispose(): void;
}

/** Hyper-parameters shared by the random-feature ELMs. */
export interface ElmConfig {
  hidden: number;
  activation: Activation;
  seed: number;
  /** Ridge parameter: β = (HᵀH + I/C)⁻¹HᵀT. */
  C: number;
  /** Scale of the random input weights relative to 1/√d (see hidden-layer.ts). */
  weightScale: number;
  /** Rows per training block: memory is O(L² + chunkRows·L). */
  chunkRows: number;
  /** Input standardisation; 'auto' = 'global' when the data says its features share a unit (images), else 'feature'. */
  standardize: 'auto' | StandardizeMode;
}

export const DEFAULT_ELM_CONFIG: ElmConfig = {
  hidden: 1024,
  activation: 'tanh',
  seed: 42,
  C: 1,
  weightScale: 0.4,
  chunkRows: 1024,
  standardize: 'auto',
};

export function classify(probs: Float32Array, rows: number, cols: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let j = 1; j < cols; j++) if (probs[r * cols + j]! > probs[r * cols + best]!) best = j;
    out[r] = best;
  }
  return out;
}
