import type { Heap } from './heap.js';
import type { WasmHelper } from './helper.js';
import { MR, NR, type Kernels, type ParallelKernel } from './kernels.js';

/** Cache-blocking parameters of the f32 kernels (floats): A block MC×KC in L2, B micro-panel KC×NR in L1. */
export interface Tuning {
  mc: number;
  kc: number;
  nc: number;
  /** Cholesky block size. */
  nb: number;
  /** Minimum flops of a call before it is split across threads. */
  parallelFlops: number;
  /** Target size of the per-chunk working set (bytes) when streaming rows through linear memory. */
  chunkBytes: number;
}

export const DEFAULT_TUNING: Tuning = {
  mc: 128,
  kc: 256,
  nc: 4096,
  nb: 96,
  parallelFlops: 4e6,
  chunkBytes: 24 << 20,
};

/**
 * Shared state of a wasm backend: kernels, heap, per-thread workspaces, the helper threads and a cached scratch
 * block (so steady-state calls allocate nothing).
 */
export class WasmCore {
  readonly ws: number[];
  private scratchOff = 0;
  private scratchSize = 0;

  constructor(
    readonly k: Kernels,
    readonly heap: Heap,
    readonly helpers: WasmHelper[],
    readonly t: Tuning,
  ) {
    const wsBytes = (t.mc * t.kc + MR * NR) * 4;
    this.ws = Array.from({ length: helpers.length + 1 }, () => heap.alloc(wsBytes));
  }

  get threads(): number {
    return this.helpers.length + 1;
  }

  /** Parts to split a call of this many flops into. */
  partsFor(flops: number): number {
    return flops >= this.t.parallelFlops ? this.threads : 1;
  }

  /** A scratch block of at least `bytes` bytes, valid until the next scratch() call. */
  scratch(bytes: number): number {
    if (bytes > this.scratchSize) {
      if (this.scratchSize > 0) this.heap.release(this.scratchOff);
      this.scratchSize = 0;
      this.scratchOff = this.heap.alloc(bytes);
      this.scratchSize = bytes;
    }
    return this.scratchOff;
  }

  /** Drop a large scratch block so a one-off big call does not pin memory for the rest of the process. */
  trimScratch(keepBytes = 64 << 20): void {
    if (this.scratchSize > keepBytes) {
      this.heap.release(this.scratchOff);
      this.scratchSize = 0;
    }
  }

  /** Run one kernel per part: part 0 on this thread, part i on helper i−1; returns when all are done. */
  run(kernel: ParallelKernel, parts: readonly (readonly number[])[]): void {
    const fn = this.k[kernel] as (...a: number[]) => unknown;
    if (parts.length === 1) {
      fn(...parts[0]!);
      return;
    }
    for (let i = 1; i < parts.length; i++) this.helpers[i - 1]!.post(kernel, parts[i]!);
    let err: unknown;
    try {
      fn(...parts[0]!);
    } catch (e) {
      err = e;
    }
    for (let i = 1; i < parts.length; i++) this.helpers[i - 1]!.join();
    if (err !== undefined) throw err;
  }

  copyF32In(src: Float32Array, len: number, ptr: number): void {
    this.heap.f32.set(len === src.length ? src : src.subarray(0, len), ptr >> 2);
  }

  copyF32Out(ptr: number, len: number, dst: Float32Array, at = 0): void {
    dst.set(this.heap.f32.subarray(ptr >> 2, (ptr >> 2) + len), at);
  }

  copyF64In(src: Float64Array, len: number, ptr: number): void {
    this.heap.f64.set(len === src.length ? src : src.subarray(0, len), ptr >> 3);
  }

  copyF64Out(ptr: number, len: number, dst: Float64Array): void {
    dst.set(this.heap.f64.subarray(ptr >> 3, (ptr >> 3) + len));
  }
}

/** Split [0, n) into `parts` ranges of near-equal length, boundaries multiples of `align`. */
export function splitEven(n: number, parts: number, align: number): number[] {
  const cuts = [0];
  for (let p = 1; p < parts; p++) cuts.push(Math.min(n, Math.round((n * p) / parts / align) * align));
  cuts.push(n);
  return cuts;
}

/**
 * Split rows [0, n) so each part holds an equal share of an upper triangle (row i has n − i entries) or, with
 * lower = true, of a lower triangle (row i has i + 1 entries). Boundaries are multiples of `align`.
 */
export function splitTriangle(n: number, parts: number, align: number, lower: boolean): number[] {
  const cuts = [0];
  for (let p = 1; p < parts; p++) {
    const f = p / parts;
    const s = lower ? n * Math.sqrt(f) : n - n * Math.sqrt(1 - f);
    cuts.push(Math.min(n, Math.round(s / align) * align));
  }
  cuts.push(n);
  return cuts;
}

export const roundUp = (x: number, m: number): number => Math.ceil(x / m) * m;
