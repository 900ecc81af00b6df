/** Row-wise softmax/argmax: cheap O(rows·cols) kernels shared by all backends. */
export function softmaxRows(rows: number, cols: number, x: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) if (x[o + j]! > max) max = x[o + j]!;
    let sum = 0;
    for (let j = 0; j < cols; j++) {
      const e = Math.exp(x[o + j]! - max);
      x[o + j] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let j = 0; j < cols; j++) x[o + j] = x[o + j]! * inv;
  }
}

export function argmaxRows(rows: number, cols: number, x: Float32Array, out: Int32Array): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let best = 0;
    let bv = x[o]!;
    for (let j = 1; j < cols; j++) {
      if (x[o + j]! > bv) {
        bv = x[o + j]!;
        best = j;
      }
    }
    out[r] = best;
  }
}
