import { ElmError } from '../../core/errors.js';
import type { Xoshiro128 } from '../../core/prng.js';
import type { LabeledData } from '../../models/model.js';

/**
 * Makes extra unlabelled rows for distillation, in place: `copy` (1-based) is the index of the extra copy of the
 * block being made. The teacher labels the result, so an augmenter only has to stay near the data.
 */
export type Augmenter = (x: Float32Array, rows: number, d: number, copy: number, rng: Xoshiro128) => void;

export interface FeatureStats {
  std: Float32Array;
  lo: Float32Array;
  hi: Float32Array;
}

export function featureStats(data: LabeledData): FeatureStats {
  const d = data.cols;
  const sum = new Float64Array(d),
    sq = new Float64Array(d);
  const lo = new Float32Array(d).fill(Infinity),
    hi = new Float32Array(d).fill(-Infinity);
  for (let r = 0; r < data.rows; r++)
    for (let i = 0; i < d; i++) {
      const v = data.x[r * d + i]!;
      sum[i] += v;
      sq[i] += v * v;
      if (v < lo[i]!) lo[i] = v;
      if (v > hi[i]!) hi[i] = v;
    }
  const std = new Float32Array(d);
  let all = 0;
  for (let i = 0; i < d; i++) {
    const mu = sum[i]! / data.rows;
    std[i] = Math.sqrt(Math.max(0, sq[i]! / data.rows - mu * mu));
    all += std[i]!;
  }
  // same-unit data (pixels): one noise level for every feature, so constant border pixels get noise too
  if (data.sameUnits) std.fill(all / d);
  return { std, lo, hi };
}

/** Gaussian noise of `jitter` × each feature's std, optionally clipped to the observed range (off the manifold). */
export function jitterAugmenter(s: FeatureStats, jitter: number, clip: boolean): Augmenter {
  return (x, n, d, _copy, rng) => {
    for (let r = 0; r < n; r++)
      for (let i = 0; i < d; i++) {
        let v = x[r * d + i]! + jitter * s.std[i]! * rng.normal();
        if (clip) v = v < s.lo[i]! ? s.lo[i]! : v > s.hi[i]! ? s.hi[i]! : v;
        x[r * d + i] = v;
      }
  };
}

/** Copy 1..8 shifts by one pixel right, left, down, up, then diagonally; 9..16 by two pixels, and so on. */
const SHIFTS: readonly (readonly [number, number])[] = [
  [1, 0],
  [-1, 0],
  [0, 1],
  [0, -1],
  [1, 1],
  [-1, -1],
  [1, -1],
  [-1, 1],
];

/**
 * Image shifts (rows are width×height images, one channel): copy c moves the image by SHIFTS[(c−1) mod 8] ×
 * (1 + ⌊(c−1)/8⌋) pixels, filling the uncovered border with `fill` (the background: the smallest observed value).
 * Shifted digits are still digits, so the teacher's outputs on them are informative, unlike off-manifold noise.
 */
export function shiftAugmenter(width: number, d: number, fill: number): Augmenter {
  if (!(Number.isInteger(width) && width > 0 && d % width === 0)) {
    throw new ElmError('ELM_ERR_INVALID_ARGUMENT', `image width ${width} does not divide the ${d} features`);
  }
  const h = d / width;
  const src = new Float32Array(d);
  return (x, n, _d, copy) => {
    const [sx, sy] = SHIFTS[(copy - 1) % SHIFTS.length]!;
    const k = 1 + Math.floor((copy - 1) / SHIFTS.length);
    const dx = sx * k,
      dy = sy * k;
    for (let r = 0; r < n; r++) {
      const o = r * d;
      src.set(x.subarray(o, o + d));
      for (let yy = 0; yy < h; yy++) {
        const ys = yy - dy;
        for (let xx = 0; xx < width; xx++) {
          const xs = xx - dx;
          x[o + yy * width + xx] = ys >= 0 && ys < h && xs >= 0 && xs < width ? src[ys * width + xs]! : fill;
        }
      }
    }
  };
}

/** The width of square images (28 for MNIST's 784 pixels, 8 for digits' 64), or undefined. */
export function squareImageWidth(data: { cols: number; sameUnits?: boolean }): number | undefined {
  const w = Math.round(Math.sqrt(data.cols));
  return data.sameUnits && w * w === data.cols ? w : undefined;
}
