import { ElmError } from '../core/errors.js';
import type { LabeledData } from './model.js';

/** Number of model outputs for the data: classes for classification, target columns for regression. */
export function outputCount(data: LabeledData): number {
  if (data.task === 'regression') return data.targets ?? 1;
  if (data.labels && data.labels.length > 0) return data.labels.length;
  let max = -1;
  for (let i = 0; i < data.y.length; i++) if (data.y[i]! > max) max = data.y[i]!;
  return max + 1;
}

/** Targets for rows [r0, r1) as a dense (r1−r0)×m block: one-hot for classes, the values for regression. */
export function targetBlock(data: LabeledData, m: number, r0: number, r1: number, out: Float32Array): void {
  const n = r1 - r0;
  if (data.task === 'regression') {
    out.set(data.y.subarray(r0 * m, r1 * m) as Float32Array);
    return;
  }
  out.fill(0, 0, n * m);
  for (let r = 0; r < n; r++) {
    const c = data.y[r0 + r]!;
    if (!(c >= 0 && c < m && Number.isInteger(c))) {
      throw new ElmError('ELM_ERR_INVALID_ARGUMENT', `class index ${c} at row ${r0 + r} is outside 0..${m - 1}`);
    }
    out[r * m + c] = 1;
  }
}

export function validateData(data: LabeledData): void {
  const { x, rows, cols, y } = data;
  if (!(rows > 0 && cols > 0)) throw new ElmError('ELM_ERR_SHAPE_MISMATCH', `data needs rows > 0 and cols > 0`);
  if (x.length !== rows * cols) {
    throw new ElmError('ELM_ERR_SHAPE_MISMATCH', `x has ${x.length} values, expected rows·cols = ${rows * cols}`);
  }
  const m = data.task === 'regression' ? (data.targets ?? 1) : 1;
  if (y.length !== rows * m) {
    throw new ElmError('ELM_ERR_SHAPE_MISMATCH', `y has ${y.length} values, expected ${rows * m}`);
  }
}
