import type { DensePlan, Int8PlanSpec } from '../backend.js';
import { ElmError } from '../../core/errors.js';
import { roundUp, type WasmCore } from './core.js';
import { actCode } from './kernels.js';

/** Hidden units are padded to a multiple of PAD; CH is the accumulator chunk of wasm/src/int8.c. */
const PAD = 32;
const CH = 4096;
const BATCH_ROWS = 256;

/**
 * The int8 chain of a quantised ELM with its weights resident in linear memory (wasm/src/int8.c computes it).
 * Layouts, lp = L rounded up to 32 and dp = ⌈d/2⌉ input pairs, padding zero everywhere:
 *   Wq     dp pairs × lp units × 2 (int8): rows 2p and 2p+1 interleaved per unit, so one i32x4.dot_i16x8_s adds
 *          both inputs' products and a pair's weights are one contiguous run;
 *   wScale, colSum, b   lp f32;   βq  m × lp int8;   βs  m f32.
 * run() copies only the rows in and the outputs out, and allocates nothing after the first call of a given size.
 */
export function planInt8(core: WasmCore, spec: Int8PlanSpec): DensePlan {
  const { d, l, m } = spec;
  if (
    spec.wq.length !== d * l ||
    spec.wScale.length !== l ||
    spec.colSum.length !== l ||
    spec.b.length !== l ||
    spec.betaQ.length !== m * l ||
    spec.betaScale.length !== m
  ) {
    throw new ElmError('ELM_ERR_SHAPE_MISMATCH', `int8 plan operands do not match d=${d}, l=${l}, m=${m}`);
  }
  const code = actCode(spec.act);
  const lp = roundUp(l, PAD);
  const dp = (d + 1) >> 1;
  const heap = core.heap;
  const wPtr = heap.alloc(lp * dp * 2);
  const vecPtr = heap.alloc(3 * lp * 4); // wScale, colSum, b
  const bqPtr = heap.alloc(m * lp);
  const bsPtr = heap.alloc(m * 4);
  // scratch of int8_rows: q (2·dp bytes, 64-aligned), idx and sp (dp16 ints each), acc, h (lp f32), hq (lp i16)
  const dp16 = roundUp(dp, 16);
  const scratchPtr = heap.alloc(roundUp(2 * dp, 64) + 8 * dp16 + 4 * Math.min(lp, CH) + 6 * lp);
  {
    const u8 = heap.u8;
    const i8 = new Int8Array(heap.memory.buffer);
    u8.fill(0, wPtr, wPtr + lp * dp * 2);
    const wq = spec.wq;
    for (let i = 0; i < d; i++) {
      const o = wPtr + (i >> 1) * lp * 2 + (i & 1);
      for (let j = 0; j < l; j++) i8[o + 2 * j] = wq[i * l + j]!;
    }
    const f = heap.f32;
    const v0 = vecPtr >> 2;
    f.fill(0, v0, v0 + 3 * lp);
    f.set(spec.wScale, v0);
    for (let j = 0; j < l; j++) f[v0 + lp + j] = spec.colSum[j]!;
    f.set(spec.b, v0 + 2 * lp);
    u8.fill(0, bqPtr, bqPtr + m * lp);
    for (let c = 0; c < m; c++) i8.set(spec.betaQ.subarray(c * l, (c + 1) * l), bqPtr + c * lp);
    f.set(spec.betaScale, bsPtr >> 2);
  }
  let ioRows = 0;
  let xPtr = 0,
    oPtr = 0;
  let disposed = false;
  const ensureIo = (rows: number): void => {
    if (rows <= ioRows) return;
    if (ioRows > 0) [xPtr, oPtr].forEach((p) => heap.release(p));
    ioRows = Math.max(rows, 1);
    xPtr = heap.alloc(ioRows * d * 4);
    oPtr = heap.alloc(ioRows * m * 4);
  };
  ensureIo(1);

  return {
    d,
    l,
    m,
    run(rows: number, x: Float32Array, out: Float32Array): void {
      if (disposed) throw new Error('int8 plan used after dispose()');
      for (let r0 = 0; r0 < rows; r0 += BATCH_ROWS) {
        const n = Math.min(BATCH_ROWS, rows - r0);
        ensureIo(n);
        const f = heap.f32;
        const x0 = xPtr >> 2;
        if (n * d < 256) for (let i = 0; i < n * d; i++) f[x0 + i] = x[r0 * d + i]!;
        else f.set(r0 === 0 && x.length === n * d ? x : x.subarray(r0 * d, (r0 + n) * d), x0);
        core.k.int8_rows(
          n,
          d,
          l,
          lp,
          m,
          code,
          xPtr,
          wPtr,
          vecPtr,
          vecPtr + lp * 4,
          vecPtr + 2 * lp * 4,
          bqPtr,
          bsPtr,
          scratchPtr,
          oPtr,
        );
        const g = heap.f32;
        const o0 = oPtr >> 2;
        for (let i = 0; i < n * m; i++) out[r0 * m + i] = g[o0 + i]!;
      }
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      for (const p of [wPtr, vecPtr, bqPtr, bsPtr, scratchPtr, xPtr, oPtr]) heap.release(p);
    },
  };
}
