import { checkArg, isPositiveInt } from '../../core/assert.js';
import type { Backend } from '../../numeric/backend.js';
import { ELM, defaultBackend, resolveConfig, standardizeMode } from '../../models/elm.js';
import type { ElmConfig, LabeledData } from '../../models/model.js';
import { applyStandardizer, fitStandardizer } from '../../models/standardize.js';
import { permutation } from '../../core/prng.js';
import type { ProgressFn } from '../../models/ridge.js';
import { ElmGate, KMeansGate, type Gate } from './gate.js';
import { kmeans } from './kmeans.js';
import { MixtureModel } from './mixture.js';

export interface MixtureOptions {
  experts: number;
  /** Hidden units per expert. */
  hidden: number;
  topK?: number;
  gate?: 'kmeans' | 'elm';
  /** Hidden units of an ELM gate (default 128). */
  gateHidden?: number;
  /**
   * Train each expert also on rows that are nearly as close to its centroid as to their own: rows whose squared
   * distance gap is below overlap·τ (default 0.5). Makes top-1 errors at cluster borders cheaper.
   */
  overlap?: number;
  /**
   * Scale each expert's ridge C by (all rows / its rows) so the penalty weighs the same against its smaller data
   * term as the dense model's does against all rows (default false: no gain measured on MNIST).
   */
  scaleC?: boolean;
  /** Rows k-means runs on (a seeded sample; default 20 000). */
  kmeansRows?: number;
  config?: Partial<ElmConfig>;
  backend?: Backend;
  onProgress?: ProgressFn;
}

/**
 * Hidden units per expert so that a row — the gate plus top-k experts — costs at most k/E of a dense ELM with
 * `denseHidden` units: L_e = ⌊(k·dense/E − gate)/(k·(d + m))⌋. The gate is paid for with expert units.
 */
export function budgetExpertHidden(
  denseHidden: number,
  experts: number,
  topK: number,
  d: number,
  m: number,
  gateFlops: number,
): number {
  const dense = d * denseHidden + denseHidden * m;
  return Math.max(1, Math.floor(((topK * dense) / experts - gateFlops) / (topK * (d + m))));
}

/** Rows of data at the given indices (copied). */
function take(data: LabeledData, idx: ArrayLike<number>, n: number): LabeledData {
  const d = data.cols,
    t = data.task === 'regression' ? (data.targets ?? 1) : 1;
  const x = new Float32Array(n * d);
  const y = data.task === 'regression' ? new Float32Array(n * t) : new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = idx[i]!;
    x.set(data.x.subarray(r * d, (r + 1) * d), i * d);
    for (let j = 0; j < t; j++) y[i * t + j] = data.y[r * t + j]!;
  }
  return { ...data, x, y, rows: n };
}

/**
 * Fit a mixture: k-means (on standardised inputs) partitions the rows, an optional small ELM gate learns that
 * partition, and one ELM expert per partition is trained on its rows (plus the border rows `overlap` adds).
 * Experts get seeds config.seed + 1 + e, so each has its own random features.
 */
export function trainMixture(data: LabeledData, opts: MixtureOptions): MixtureModel {
  const t0 = performance.now();
  const e = opts.experts;
  checkArg(isPositiveInt(e), () => `experts must be a positive integer, got ${e}`);
  checkArg(isPositiveInt(opts.hidden), () => `hidden must be a positive integer, got ${opts.hidden}`);
  const backend = opts.backend ?? defaultBackend();
  const cfg = resolveConfig({ ...opts.config, hidden: opts.hidden });
  const d = data.cols,
    n = data.rows;
  const std = fitStandardizer(data.x, n, d, standardizeMode(cfg, data));
  const sampleN = Math.min(n, opts.kmeansRows ?? 20000);
  const perm = permutation(n, cfg.seed);
  const zs = new Float32Array(sampleN * d);
  for (let i = 0; i < sampleN; i++) zs.set(data.x.subarray(perm[i]! * d, (perm[i]! + 1) * d), i * d);
  applyStandardizer(std, zs, sampleN, zs);
  const km = kmeans(backend, zs, sampleN, d, e, cfg.seed);
  const kgate = new KMeansGate({ standardizer: std, centroids: km.centroids, experts: e, temperature: km.temperature });
  let gate: Gate = kgate;
  if (opts.gate === 'elm') {
    const labels = new Int32Array(n);
    assignTop(kgate, data, labels);
    const gateData: LabeledData = {
      ...data,
      y: labels,
      task: 'classification',
      labels: Array.from({ length: e }, (_, i) => `expert${i}`),
    };
    delete (gateData as { targets?: number }).targets;
    const gm = ELM.fit(
      gateData,
      { ...cfg, hidden: opts.gateHidden ?? 128, seed: (cfg.seed ^ 0x9e3779b9) >>> 0 },
      { backend },
    );
    gate = new ElmGate(gm);
  }
  // partition by the gate actually used at inference (+ border rows by k-means distance gap)
  const overlap = opts.overlap ?? 0.5;
  const own = new Int32Array(n);
  const second = new Int32Array(n);
  const gap = new Float64Array(n);
  assignTop(gate, data, own, kgate, second, gap);
  const experts: ELM[] = [];
  const idx = new Int32Array(n);
  for (let j = 0; j < e; j++) {
    let c = 0;
    for (let r = 0; r < n; r++)
      if (own[r] === j || (overlap > 0 && second[r] === j && gap[r]! < overlap * km.temperature)) idx[c++] = r;
    const part = take(data, idx, c);
    const c2 = opts.scaleC !== true ? cfg.C : (cfg.C * n) / Math.max(1, c);
    experts.push(ELM.fit(part, { ...cfg, C: c2, seed: (cfg.seed + 1 + j) >>> 0 }, { backend }));
    opts.onProgress?.(j + 1, e);
  }
  const sizes = experts.map((x) => x.metrics.trainRows ?? 0);
  return new MixtureModel(gate, experts, opts.topK ?? 1, {
    trainSeconds: (performance.now() - t0) / 1000,
    trainRows: n,
    gate: gate.kind,
    expertRows: sizes.join(','),
    kmeansIterations: km.iterations,
  });
}

/** Top-1 expert per row under `gate`; optionally the k-means runner-up and squared-distance gap. */
function assignTop(
  gate: Gate,
  data: LabeledData,
  own: Int32Array,
  km?: KMeansGate,
  second?: Int32Array,
  gap?: Float64Array,
): void {
  const e = gate.experts,
    d = data.cols,
    block = 1024;
  const w = new Float32Array(block * e);
  const s = new Float32Array(block * e);
  for (let r0 = 0; r0 < data.rows; r0 += block) {
    const nb = Math.min(block, data.rows - r0);
    const xb = data.x.subarray(r0 * d, (r0 + nb) * d);
    gate.weights(xb, nb, w);
    if (km) km.scores(xb, nb, s);
    for (let i = 0; i < nb; i++) {
      let best = 0;
      for (let j = 1; j < e; j++) if (w[i * e + j]! > w[i * e + best]!) best = j;
      own[r0 + i] = best;
      if (km && second && gap) {
        // scores are ‖z‖² − dist², so the gap between two experts is a difference of scores
        let b1 = 0;
        for (let j = 1; j < e; j++) if (s[i * e + j]! > s[i * e + b1]!) b1 = j;
        let b2 = -1;
        for (let j = 0; j < e; j++) if (j !== b1 && (b2 < 0 || s[i * e + j]! > s[i * e + b2]!)) b2 = j;
        const other = b1 === best ? b2 : b1;
        second[r0 + i] = other;
        gap[r0 + i] = other < 0 ? Infinity : s[i * e + best]! - s[i * e + other]!;
      }
    }
  }
}
