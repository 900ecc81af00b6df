import type { DensePlan } from '../kernels.js';
import type { Heap } from './heap.js';

/** Rows staged through linear memory per kernel call. */
const BATCH_ROWS = 256;

/**
 * The input/output side shared by the resident plans: run() copies x (rows×d) into linear memory and the outputs
 * (rows×m) back, at most BATCH_ROWS rows per kernel call, through buffers that grow to the largest batch seen (plus
 * `tmpPerRow` bytes a row of per-call scratch, when the kernel needs it). `release` frees the plan's own memory.
 */
export function residentPlan(
  heap: Heap,
  name: string,
  d: number,
  l: number,
  m: number,
  tmpPerRow: number,
  kernel: (rows: number, xPtr: number, tmpPtr: number, oPtr: number) => void,
  release: () => void,
): DensePlan {
  let ioRows = 0;
  let xPtr = 0,
    tmpPtr = 0,
    oPtr = 0;
  let disposed = false;

  const ensureIo = (rows: number): void => {
    if (rows <= ioRows) return;
    if (ioRows > 0) freeIo();
    ioRows = Math.max(rows, 1);
    xPtr = heap.alloc(ioRows * d * 4);
    if (tmpPerRow > 0) tmpPtr = heap.alloc(ioRows * tmpPerRow);
    oPtr = heap.alloc(ioRows * m * 4);
  };
  const freeIo = (): void => {
    heap.release(xPtr);
    if (tmpPerRow > 0) heap.release(tmpPtr);
    heap.release(oPtr);
  };
  ensureIo(1);

  return {
    d,
    l,
    m,
    run(rows: number, x: Float32Array, out: Float32Array): void {
      if (disposed) throw new Error(`${name} plan used after dispose()`);
      for (let r0 = 0; r0 < rows; r0 += BATCH_ROWS) {
        const n = Math.min(BATCH_ROWS, rows - r0);
        ensureIo(n);
        const f = heap.f32;
        const x0 = xPtr >> 2;
        if (n * d < 256) for (let i = 0; i < n * d; i++) f[x0 + i] = x[r0 * d + i]!;
        else f.set(r0 === 0 && x.length === n * d ? x : x.subarray(r0 * d, (r0 + n) * d), x0);
        kernel(n, xPtr, tmpPtr, oPtr);
        const g = heap.f32; // the kernel may have grown the memory
        const o0 = oPtr >> 2;
        for (let i = 0; i < n * m; i++) out[r0 * m + i] = g[o0 + i]!;
      }
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      release();
      freeIo();
    },
  };
}
