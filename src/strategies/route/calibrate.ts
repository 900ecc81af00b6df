import { ElmError } from '../../core/errors.js';
import { classify, type LabeledData, type Model } from '../../models/model.js';
import { CONFIDENCE_MEASURES, confidences, type ConfidenceMeasure } from './confidence.js';
import { RouterModel, type RouterPolicy } from './router.js';
import type { Member } from '../composite.js';

export interface CalibrationTarget {
  /** Keep the cascade's accuracy within this many points (as a fraction: 0.003 = 0.3 points) of the large model. */
  accuracyDrop?: number;
  /** Escalate at most this fraction of rows. With accuracyDrop too, the stricter of the two wins. */
  maxEscalation?: number;
}

export interface Calibration extends RouterPolicy {
  rows: number;
  smallAccuracy: number;
  largeAccuracy: number;
  /** The cascade on the calibration rows at the chosen threshold. */
  accuracy: number;
  escalationRate: number;
  /** True when the accuracy target could be met (otherwise everything escalates short of maxEscalation). */
  met: boolean;
}

/**
 * Choose the threshold on held-out labelled rows. Rows sorted by small-model confidence; escalating the k least
 * confident gives accuracy(k) = (large correct among them + small correct among the rest)/n. The threshold is the
 * smallest k whose accuracy reaches largeAccuracy − accuracyDrop (capped by maxEscalation·n), placed halfway
 * between the k-th and (k+1)-th confidences.
 */
export function calibrateThreshold(
  small: Model,
  large: Model,
  data: LabeledData,
  measure: ConfidenceMeasure,
  target: CalibrationTarget,
): Calibration {
  if (target.accuracyDrop === undefined && target.maxEscalation === undefined) {
    throw new ElmError('ELM_ERR_INVALID_ARGUMENT', 'calibration needs accuracyDrop and/or maxEscalation');
  }
  if (data.task !== 'classification') throw new ElmError('ELM_ERR_UNSUPPORTED', 'routers calibrate on classes');
  const n = data.rows,
    m = small.outputDim;
  const ps = small.predict(data.x, n);
  const pl = large.predict(data.x, n);
  const conf = new Float64Array(n);
  confidences(measure, ps, n, m, conf);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => conf[a]! - conf[b]!);
  const sOk = new Uint8Array(n),
    lOk = new Uint8Array(n);
  const sPred = classify(ps, n, m),
    lPred = classify(pl, n, m);
  let sCorrect = 0,
    lCorrect = 0;
  for (let r = 0; r < n; r++) {
    const y = data.y[r]!;
    sOk[r] = sPred[r] === y ? 1 : 0;
    lOk[r] = lPred[r] === y ? 1 : 0;
    sCorrect += sOk[r]!;
    lCorrect += lOk[r]!;
  }
  const kMax = target.maxEscalation === undefined ? n : Math.floor(Math.max(0, target.maxEscalation) * n);
  const goal = target.accuracyDrop === undefined ? -Infinity : (lCorrect / n - target.accuracyDrop) * n - 1e-9;
  // accuracy(k)·n when escalating order[0..k): the smallest k that reaches the goal (only at tie-free splits)
  let k = -1;
  if (target.accuracyDrop !== undefined) {
    let correct = sCorrect;
    for (let c = 0; c <= kMax; c++) {
      if (c > 0) correct += lOk[order[c - 1]!]! - sOk[order[c - 1]!]!;
      if (c > 0 && c < n && conf[order[c - 1]!] === conf[order[c]!]) continue;
      if (correct >= goal) {
        k = c;
        break;
      }
    }
  }
  const met = k >= 0 || target.accuracyDrop === undefined;
  if (k < 0) k = bestTieFree(kMax, n, conf, order);
  const threshold = k === 0 ? -Infinity : k >= n ? Infinity : (conf[order[k - 1]!]! + conf[order[k]!]!) / 2;
  let acc = 0,
    esc = 0;
  for (let r = 0; r < n; r++) {
    const e = conf[r]! < threshold;
    esc += e ? 1 : 0;
    acc += e ? lOk[r]! : sOk[r]!;
  }
  return {
    measure,
    threshold: clampFinite(threshold),
    rows: n,
    smallAccuracy: sCorrect / n,
    largeAccuracy: lCorrect / n,
    accuracy: acc / n,
    escalationRate: esc / n,
    met,
  };
}

/** The largest k ≤ kMax that splits between distinct confidences. */
function bestTieFree(kMax: number, n: number, conf: Float64Array, order: number[]): number {
  for (let k = Math.min(kMax, n); k > 0; k--) if (k === n || conf[order[k - 1]!] !== conf[order[k]!]) return k;
  return 0;
}

/** ±Infinity thresholds are stored as finite bounds (beyond every measure's range). */
function clampFinite(t: number): number {
  return t === Infinity ? 1e300 : t === -Infinity ? -1 : t;
}

export interface BuildRouterOptions extends CalibrationTarget {
  /** The confidence measure, or 'auto': calibrate every measure and keep the one that escalates least. */
  measure?: ConfidenceMeasure | 'auto';
}

/**
 * Calibrate every confidence measure on the held-out rows and keep the one that meets the target with the fewest
 * escalations (the held-out rows choose the measure as they choose the threshold; the test rows never do).
 */
export function calibrateBest(small: Model, large: Model, data: LabeledData, target: CalibrationTarget): Calibration {
  let best: Calibration | undefined;
  for (const measure of CONFIDENCE_MEASURES) {
    const c = calibrateThreshold(small, large, data, measure, target);
    const better =
      !best ||
      (c.met && !best.met) ||
      (c.met === best.met &&
        (c.escalationRate < best.escalationRate ||
          (c.escalationRate === best.escalationRate && c.accuracy > best.accuracy)));
    if (better) best = c;
  }
  return best!;
}

/** Calibrate on held-out data and build the router, recording the calibration in its metrics. */
export function buildRouter(
  small: Model | Member,
  large: Model | Member,
  calibration: LabeledData,
  opts: BuildRouterOptions,
): { router: RouterModel; calibration: Calibration } {
  const sm = 'model' in small ? small.model : small;
  const lg = 'model' in large ? large.model : large;
  const measure = opts.measure ?? 'max';
  const cal =
    measure === 'auto'
      ? calibrateBest(sm, lg, calibration, opts)
      : calibrateThreshold(sm, lg, calibration, measure, opts);
  const router = new RouterModel(small, large, cal, {
    calibrationRows: cal.rows,
    calibrationAccuracy: cal.accuracy,
    escalationRate: cal.escalationRate,
    smallAccuracy: cal.smallAccuracy,
    largeAccuracy: cal.largeAccuracy,
  });
  return { router, calibration: cal };
}
