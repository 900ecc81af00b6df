import { Xoshiro128 } from '../../src/core/prng.js';

export function randomF32(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const r = new Xoshiro128(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = r.uniformIn(lo, hi);
  return a;
}

/** Largest |a-b| / (|b| + floor) over the arrays: a tolerance measure robust near zero. */
export function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i]! - b[i]!) / (Math.abs(b[i]!) + floor);
    if (!(e <= worst)) worst = e;
  }
  return worst;
}
