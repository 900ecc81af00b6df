/**
 * The seeded generator that defines every hidden layer. It is part of the artifact format: changing a single
 * operation here changes every model, so the algorithm is specified exactly and uses only 32-bit integer
 * arithmetic (Math.imul, shifts) and exact float conversions — no Math.log/sin/cos, whose last bits may differ
 * between JavaScript engines. The same seed therefore yields bit-identical hidden layers in Node and in any browser.
 *
 * Specification (v1):
 *   state   = xoshiro128** (Blackman & Vigna), four uint32 words
 *   seeding = splitmix32 over the uint32 seed, four successive outputs; an all-zero state is replaced by 1,0,0,0
 *   uniform = (next() >>> 8) * 2^-24, exactly representable in float32, in [0, 1)
 *   normal  = Irwin–Hall: (sum of 12 uniforms) - 6 — mean 0, variance 1, bounded in [-6, 6]; exact in float64
 */
export class Xoshiro128 {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    let z = seed >>> 0;
    const sm = (): number => {
      z = (z + 0x9e3779b9) >>> 0;
      let t = z;
      t = Math.imul(t ^ (t >>> 16), 0x85ebca6b);
      t = Math.imul(t ^ (t >>> 13), 0xc2b2ae35);
      return (t ^ (t >>> 16)) >>> 0;
    };
    this.s0 = sm();
    this.s1 = sm();
    this.s2 = sm();
    this.s3 = sm();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next uint32. */
  next(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 24 bits of precision (exact in float32). */
  uniform(): number {
    return (this.next() >>> 8) * 5.9604644775390625e-8;
  }

  /** Uniform in [lo, hi). */
  uniformIn(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Approximately standard normal (Irwin–Hall with 12 terms), bit-exact across engines. */
  normal(): number {
    let s = 0;
    for (let i = 0; i < 12; i++) s += this.uniform();
    return s - 6;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Fisher–Yates permutation of 0..n-1 driven by the seeded generator. */
export function permutation(n: number, seed: number): Uint32Array {
  const rng = new Xoshiro128(seed);
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}
