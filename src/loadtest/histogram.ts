/**
 * A log-linear latency histogram in the style of HdrHistogram (3 significant digits): values below 2048 are counted
 * exactly; above, every power-of-two range is split into 1024 equal sub-buckets, so any recorded value is known to
 * within 1/1024 (< 0.1%) of itself. Recording is O(1) with no allocation; percentiles walk the counts once.
 *
 * Values are non-negative integers in whatever unit the caller picks (the load generator records microseconds).
 * Values above `highest` are clamped to it (and counted in `clamped`).
 */

const SUB_BITS = 10; // 1024 sub-buckets per half range → 3 significant digits
const HALF = 1 << SUB_BITS; // 1024
const EXACT = HALF * 2; // 2048 values counted exactly

export const HISTOGRAM_DEFAULT_HIGHEST = 3_600_000_000; // one hour in µs

/** Bucket index of a non-negative integer value. */
export function bucketIndex(v: number): number {
  if (v < EXACT) return v;
  const e = Math.floor(Math.log2(v)) - SUB_BITS; // v >> e lies in [1024, 2048)
  let shift = e;
  // Math.log2 can be off by one ulp near exact powers of two: fix the shift so that sub lands in [HALF, EXACT).
  let sub = Math.floor(v / 2 ** shift);
  if (sub >= EXACT) {
    shift++;
    sub = Math.floor(v / 2 ** shift);
  } else if (sub < HALF) {
    shift--;
    sub = Math.floor(v / 2 ** shift);
  }
  return EXACT + (shift - 1) * HALF + (sub - HALF);
}

/** Lowest value that maps to bucket i. */
export function bucketLow(i: number): number {
  if (i < EXACT) return i;
  const shift = Math.floor((i - EXACT) / HALF) + 1;
  const sub = HALF + ((i - EXACT) % HALF);
  return sub * 2 ** shift;
}

/** Highest value that maps to bucket i. */
export function bucketHigh(i: number): number {
  if (i < EXACT) return i;
  const shift = Math.floor((i - EXACT) / HALF) + 1;
  return bucketLow(i) + 2 ** shift - 1;
}

export interface HistogramSummary {
  count: number;
  min: number;
  max: number;
  mean: number;
  stddev: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
}

export class Histogram {
  readonly counts: Float64Array;
  readonly highest: number;
  count = 0;
  clamped = 0;
  private minV = Infinity;
  private maxV = -Infinity;
  private sum = 0;
  private sumSq = 0;

  constructor(highest = HISTOGRAM_DEFAULT_HIGHEST) {
    if (!(highest >= EXACT) || !Number.isFinite(highest)) throw new RangeError(`highest must be ≥ ${EXACT}`);
    this.highest = Math.floor(highest);
    this.counts = new Float64Array(bucketIndex(this.highest) + 1);
  }

  /** Record `n` occurrences of value v (rounded to an integer, clamped to [0, highest]). */
  record(v: number, n = 1): void {
    let x = Math.round(v);
    if (!(x >= 0)) x = 0; // also catches NaN
    if (x > this.highest) {
      x = this.highest;
      this.clamped += n;
    }
    this.counts[bucketIndex(x)] += n;
    this.count += n;
    if (x < this.minV) this.minV = x;
    if (x > this.maxV) this.maxV = x;
    this.sum += x * n;
    this.sumSq += x * x * n;
  }

  /** Add every count of another histogram with the same range. */
  add(o: Histogram): void {
    if (o.counts.length !== this.counts.length) throw new RangeError('histograms have different ranges');
    for (let i = 0; i < o.counts.length; i++) this.counts[i] += o.counts[i];
    this.count += o.count;
    this.clamped += o.clamped;
    this.minV = Math.min(this.minV, o.minV);
    this.maxV = Math.max(this.maxV, o.maxV);
    this.sum += o.sum;
    this.sumSq += o.sumSq;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = this.clamped = this.sum = this.sumSq = 0;
    this.minV = Infinity;
    this.maxV = -Infinity;
  }

  get min(): number {
    return this.count === 0 ? 0 : this.minV;
  }

  get max(): number {
    return this.count === 0 ? 0 : this.maxV;
  }

  get mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  get stddev(): number {
    if (this.count === 0) return 0;
    const m = this.mean;
    return Math.sqrt(Math.max(0, this.sumSq / this.count - m * m));
  }

  /**
   * The value at percentile p (0..100), HdrHistogram's way: the smallest bucket whose cumulative count reaches
   * round(p/100 × count) (at least 1), reported as that bucket's highest equivalent value, capped by the true max.
   */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const q = Math.min(100, Math.max(0, p));
    const target = Math.max(1, Math.floor((q / 100) * this.count + 0.5));
    let acc = 0;
    for (let i = 0; i < this.counts.length; i++) {
      acc += this.counts[i];
      if (acc >= target) return Math.min(bucketHigh(i), this.maxV);
    }
    return this.maxV;
  }

  summary(): HistogramSummary {
    return {
      count: this.count,
      min: this.min,
      max: this.max,
      mean: this.mean,
      stddev: this.stddev,
      p50: this.percentile(50),
      p90: this.percentile(90),
      p99: this.percentile(99),
      p999: this.percentile(99.9),
    };
  }
}
