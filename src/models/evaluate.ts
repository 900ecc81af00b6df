import { ElmError } from '../core/errors.js';
import type { LabeledData, Model } from './model.js';

export interface Evaluation {
  rows: number;
  accuracy?: number;
  /** Mean cross-entropy of the true class (classification). */
  logLoss?: number;
  rmse?: number;
  /** Mean absolute error (regression). */
  mae?: number;
  seconds: number;
}

/** Score a model on labelled data, predicting in blocks so memory stays bounded. */
export function evaluate(model: Model, data: LabeledData, blockRows = 1024): Evaluation {
  if (data.cols !== model.inputDim) {
    throw new ElmError('ELM_ERR_SHAPE_MISMATCH', `data has ${data.cols} features, the model expects ${model.inputDim}`);
  }
  const t0 = performance.now();
  const m = model.outputDim;
  const out = new Float32Array(Math.min(blockRows, data.rows) * m);
  let correct = 0;
  let logLoss = 0;
  let sq = 0;
  let abs = 0;
  for (let r0 = 0; r0 < data.rows; r0 += blockRows) {
    const r1 = Math.min(data.rows, r0 + blockRows);
    const n = r1 - r0;
    const o = out.subarray(0, n * m);
    model.predict(data.x.subarray(r0 * data.cols, r1 * data.cols), n, o);
    for (let r = 0; r < n; r++) {
      if (data.task === 'classification') {
        const y = data.y[r0 + r]!;
        let best = 0;
        for (let j = 1; j < m; j++) if (o[r * m + j]! > o[r * m + best]!) best = j;
        if (best === y) correct++;
        logLoss -= Math.log(Math.max(o[r * m + y] ?? 0, 1e-12));
      } else {
        for (let j = 0; j < m; j++) {
          const e = o[r * m + j]! - data.y[(r0 + r) * m + j]!;
          sq += e * e;
          abs += Math.abs(e);
        }
      }
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  if (data.task === 'classification') {
    return { rows: data.rows, accuracy: correct / data.rows, logLoss: logLoss / data.rows, seconds };
  }
  const count = data.rows * m;
  return { rows: data.rows, rmse: Math.sqrt(sq / count), mae: abs / count, seconds };
}
