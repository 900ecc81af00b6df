import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Xoshiro128 } from '../../src/core/prng.js';
import { Histogram, bucketHigh, bucketIndex, bucketLow } from '../../src/loadtest/histogram.js';

/** Exact percentile the HdrHistogram way (nearest rank, round half up), for comparison. */
function exactPercentile(sorted: number[], p: number): number {
  const rank = Math.max(1, Math.floor((p / 100) * sorted.length + 0.5));
  return sorted[rank - 1];
}

function within(actual: number, expected: number, rel: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= Math.max(1, expected * rel),
    `${what}: ${actual} vs ${expected} (±${rel * 100}%)`,
  );
}

describe('log-linear histogram', () => {
  it('buckets cover every value with < 0.1% relative width (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3_600_000_000 }), (v) => {
        const i = bucketIndex(v);
        assert.ok(bucketLow(i) <= v && v <= bucketHigh(i), `v=${v} i=${i} [${bucketLow(i)}, ${bucketHigh(i)}]`);
        assert.ok(bucketHigh(i) - bucketLow(i) + 1 <= Math.max(1, v / 1024 + 1));
        assert.equal(bucketIndex(bucketLow(i)), i);
        assert.equal(bucketIndex(bucketHigh(i)), i);
      }),
      { numRuns: 5000 },
    );
  });

  it('bucket indices are monotone and contiguous across power-of-two boundaries', () => {
    for (let e = 11; e < 32; e++) {
      const p = 2 ** e;
      assert.equal(bucketIndex(p), bucketIndex(p - 1) + 1, `at 2^${e}`);
      assert.equal(bucketLow(bucketIndex(p)), p);
    }
    for (let v = 0; v < 2048; v++) assert.equal(bucketIndex(v), v);
  });

  it('uniform 1..1,000,000: every percentile within 0.1% of the exact one', () => {
    const h = new Histogram();
    for (let v = 1; v <= 1_000_000; v++) h.record(v);
    assert.equal(h.count, 1_000_000);
    assert.equal(h.min, 1);
    assert.equal(h.max, 1_000_000);
    within(h.mean, 500_000.5, 1e-9, 'mean');
    within(h.stddev, 1_000_000 / Math.sqrt(12), 1e-4, 'stddev');
    for (const p of [1, 10, 25, 50, 75, 90, 99, 99.9, 99.99]) within(h.percentile(p), p * 10_000, 0.001, `p${p}`);
    assert.equal(h.percentile(100), 1_000_000);
    assert.equal(h.percentile(0), 1);
  });

  it('exponential and log-normal samples: percentiles match the exact sorted quantiles within 0.1%', () => {
    const rng = new Xoshiro128(123);
    const dists: Record<string, () => number> = {
      exponential: () => -Math.log(1 - rng.uniform()) * 2000, // mean 2 ms in µs
      lognormal: () => Math.exp(7 + 1.2 * rng.normal()), // heavy right tail
    };
    for (const [name, draw] of Object.entries(dists)) {
      const h = new Histogram();
      const xs: number[] = [];
      for (let i = 0; i < 200_000; i++) {
        const v = Math.round(draw());
        xs.push(v);
        h.record(v);
      }
      xs.sort((a, b) => a - b);
      for (const p of [50, 90, 99, 99.9]) within(h.percentile(p), exactPercentile(xs, p), 0.001, `${name} p${p}`);
      // and the analytic exponential quantile (sampling error, not histogram error: 2%)
      if (name === 'exponential') within(h.percentile(99), -Math.log(0.01) * 2000, 0.02, 'exp analytic p99');
    }
  });

  it('small exact values, repeated counts, empty histogram, clamping and NaN', () => {
    const h = new Histogram(10_000);
    assert.equal(h.percentile(99), 0);
    assert.equal(h.mean, 0);
    h.record(5, 99);
    h.record(500, 1);
    assert.equal(h.percentile(50), 5);
    assert.equal(h.percentile(99), 5);
    assert.equal(h.percentile(99.5), 500);
    assert.equal(h.max, 500);
    h.record(1e9);
    assert.equal(h.clamped, 1);
    assert.equal(h.max, 10_000);
    h.record(Number.NaN);
    assert.equal(h.min, 0);
    h.reset();
    assert.equal(h.count, 0);
    assert.throws(() => new Histogram(10), RangeError);
  });

  it('add() merges two histograms exactly like recording into one', () => {
    const rng = new Xoshiro128(9);
    const a = new Histogram();
    const b = new Histogram();
    const all = new Histogram();
    for (let i = 0; i < 10_000; i++) {
      const v = Math.floor(rng.uniform() * 1e6);
      (i % 2 ? a : b).record(v);
      all.record(v);
    }
    a.add(b);
    assert.deepEqual(a.summary(), all.summary());
    assert.throws(() => a.add(new Histogram(5000)), RangeError);
  });
});
