/**
 * Standardisation fitted on training data: z = (x − mean) · scale, with a per-feature mean and one of two scalings:
 *  - 'feature': scale = 1/std per feature (tabular data, features in different units). A feature whose std is
 *    below a floor (a fraction of the typical std) gets the floor, so a near-constant column cannot turn one odd
 *    test value into a 100σ input that saturates every hidden unit.
 *  - 'global': one scale for all features, 1/RMS(std) (images: every pixel is in the same unit, and per-pixel
 *    scaling would amplify rare border pixels — it costs ~1.5 points of MNIST accuracy, measured).
 *  - 'none': identity.
 */
export type StandardizeMode = 'feature' | 'global' | 'none';

export interface Standardizer {
  mean: Float32Array;
  scale: Float32Array;
}

export function fitStandardizer(
  x: Float32Array,
  rows: number,
  cols: number,
  mode: StandardizeMode = 'feature',
  floorFraction = 0.1,
): Standardizer {
  if (mode === 'none') return identityStandardizer(cols);
  const sum = new Float64Array(cols);
  const sq = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let j = 0; j < cols; j++) sum[j] += x[o + j]!;
  }
  const mean = new Float64Array(cols);
  for (let j = 0; j < cols; j++) mean[j] = sum[j]! / Math.max(rows, 1);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let j = 0; j < cols; j++) {
      const d = x[o + j]! - mean[j]!;
      sq[j] += d * d;
    }
  }
  const std = new Float64Array(cols);
  let stdSum = 0;
  let varSum = 0;
  for (let j = 0; j < cols; j++) {
    std[j] = Math.sqrt(sq[j]! / Math.max(rows, 1));
    stdSum += std[j]!;
    varSum += sq[j]! / Math.max(rows, 1);
  }
  if (mode === 'global') {
    const rms = Math.sqrt(varSum / Math.max(cols, 1));
    return { mean: Float32Array.from(mean), scale: new Float32Array(cols).fill(rms > 0 ? 1 / rms : 1) };
  }
  const floor = Math.max((floorFraction * stdSum) / Math.max(cols, 1), 1e-12);
  const scale = new Float32Array(cols);
  for (let j = 0; j < cols; j++) scale[j] = 1 / Math.max(std[j]!, floor);
  return { mean: Float32Array.from(mean), scale };
}

export function identityStandardizer(cols: number): Standardizer {
  return { mean: new Float32Array(cols), scale: new Float32Array(cols).fill(1) };
}

export function applyStandardizer(s: Standardizer, x: Float32Array, rows: number, out: Float32Array): void {
  const cols = s.mean.length;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let j = 0; j < cols; j++) out[o + j] = (x[o + j]! - s.mean[j]!) * s.scale[j]!;
  }
}
