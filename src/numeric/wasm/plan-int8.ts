import { checkInt8PlanSpec, type DensePlan, type Int8PlanSpec } from '../kernels.js';
import { roundUp, type WasmCore } from './core.js';
import { actCode } from './kernels.js';
import { residentPlan } from './plan-io.js';

/** Hidden units are padded to a multiple of PAD; CH is the accumulator chunk of wasm/src/int8.c. */
const PAD = 32;
const CH = 4096;

/**
 * The int8 chain of a quantised ELM with its weights resident in linear memory (wasm/src/int8.c computes it).
 * Layouts, lp = L rounded up to 32 and dp = ⌈d/2⌉ input pairs, padding zero everywhere:
 *   Wq     dp pairs × lp units × 2 (int8): rows 2p and 2p+1 interleaved per unit, so one i32x4.dot_i16x8_s adds
 *          both inputs' products and a pair's weights are one contiguous run;
 *   wScale, colSum, b   lp f32;   βq  m × lp int8;   βs  m f32.
 * run() copies only the rows in and the outputs out, and allocates nothing after the first call of a given size.
 */
export function planInt8(core: WasmCore, spec: Int8PlanSpec): DensePlan {
  checkInt8PlanSpec(spec);
  const { d, l, m } = spec;
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
  return residentPlan(
    heap,
    'int8',
    d,
    l,
    m,
    0,
    (n, xPtr, _tmp, oPtr) => {
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
    },
    () => {
      for (const p of [wPtr, vecPtr, bqPtr, bsPtr, scratchPtr]) heap.release(p);
    },
  );
}
