/** Small shared helpers for benchmarks: timing, medians, JSON results under bench/results/. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

/** Seconds per run of fn, `reps` times (after `warm` untimed runs). */
export function timeRuns(fn: () => void, reps: number, warm = 0): number[] {
  for (let i = 0; i < warm; i++) fn();
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    fn();
    out.push((performance.now() - t) / 1000);
  }
  return out;
}

/** Per-call latencies (µs) of `iters` single-row predicts cycling through `xs`, after 500 untimed calls. */
export function singleRowLatencies(
  model: { outputDim: number; predict(x: Float32Array, rows: number, out?: Float32Array): Float32Array },
  xs: readonly Float32Array[],
  iters: number,
): number[] {
  const out = new Float32Array(model.outputDim);
  for (let i = 0; i < 500; i++) model.predict(xs[i % xs.length]!, 1, out);
  const t = new Array<number>(iters);
  for (let i = 0; i < iters; i++) {
    const x = xs[i % xs.length]!;
    const t0 = performance.now();
    model.predict(x, 1, out);
    t[i] = (performance.now() - t0) * 1000;
  }
  return t;
}

export function randomArray(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    a[i] = lo + ((s >>> 0) / 4294967296) * (hi - lo);
  }
  return a;
}

/** The repository root (bench files run from dist/bench/<dir>/). */
export function repoRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}

export function writeResult(name: string, data: unknown): string {
  const dir = join(repoRoot(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(data, null, 2) + '\n');
  return path;
}

export function machineInfo(): Record<string, unknown> {
  return { node: process.version, date: new Date().toISOString(), loadavg: loadavg().map((x) => +x.toFixed(2)) };
}
