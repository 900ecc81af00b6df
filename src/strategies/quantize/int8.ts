/**
 * Symmetric int8 quantisation of weights (a model transformation). The per-row primitives of the int8 inference
 * chain are numeric kernels (numeric/js/int8.ts) and are re-exported here.
 *
 * Error bound: per-column symmetric quantisation with s_j = max_i |a_ij| / 127 and q = round(a/s) gives
 * |a_ij − s_j·q_ij| ≤ s_j / 2 for every element (the test suite checks it).
 */
import { INT8_MAX } from '../../numeric/js/int8.js';

export { INT8_MAX, int8Dots, int8RowTimesMatrix, quantizeRowU8, quantizeVectorI8 } from '../../numeric/js/int8.js';

export interface QuantizedColumns {
  /** Quantised values, in the layout the caller asked for (see quantizeColumns). */
  q: Int8Array;
  /** One scale per column: value ≈ scale·q. */
  scales: Float32Array;
}

/**
 * Quantise each column of a rows×cols row-major matrix with its own symmetric scale. With transpose the output is
 * cols×rows (each column contiguous — the layout of β for the output dot products), otherwise rows×cols.
 */
export function quantizeColumns(
  a: ArrayLike<number>,
  rows: number,
  cols: number,
  transpose: boolean,
): QuantizedColumns {
  const scales = new Float32Array(cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) {
      const v = Math.abs(a[o + j]!);
      if (v > scales[j]!) scales[j] = v;
    }
  }
  for (let j = 0; j < cols; j++) scales[j] = scales[j]! / INT8_MAX;
  const q = new Int8Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) {
      const s = scales[j]!;
      const v = s > 0 ? Math.round(a[o + j]! / s) : 0;
      q[transpose ? j * rows + i : o + j] = v > INT8_MAX ? INT8_MAX : v < -INT8_MAX ? -INT8_MAX : v;
    }
  }
  return { q, scales };
}

/** The float matrix a quantised one stands for (rows×cols row-major, whatever the stored layout). */
export function dequantizeColumns(qc: QuantizedColumns, rows: number, cols: number, transposed: boolean): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) out[i * cols + j] = qc.scales[j]! * qc.q[transposed ? j * rows + i : i * cols + j]!;
  return out;
}
