/**
 * Single-row latency in the page. performance.now() is coarsened (100 µs without cross-origin isolation, 5 µs
 * with it), so calls are timed in batches and the per-call time of each batch is one sample; the median of the
 * samples is reported.
 */
export interface LatencyStats {
  medianUs: number;
  p90Us: number;
  minUs: number;
  calls: number;
}

export function measureLatency(fn: () => void, batches = 200, perBatch = 50, warmup = 500): LatencyStats {
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let i = 0; i < perBatch; i++) fn();
    samples.push(((performance.now() - t0) * 1000) / perBatch);
  }
  samples.sort((a, b) => a - b);
  const q = (p: number): number => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))]!;
  return { medianUs: q(0.5), p90Us: q(0.9), minUs: samples[0]!, calls: batches * perBatch };
}
