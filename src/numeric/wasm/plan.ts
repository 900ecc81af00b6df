import type { Activation } from '../../core/types.js';
import type { DensePlan } from '../backend.js';
import { roundUp, type WasmCore } from './core.js';
import { actCode, NR } from './kernels.js';
import { residentPlan } from './plan-io.js';

/** Rows below which the per-row AXPY path (zero-skipping, no packing) beats the packed GEMM. */
const ROW_PATH_MAX = 4;

/**
 * An inference chain with W (d×lp), b (lp) and βᵀ (m×lp) resident in linear memory, lp = L rounded up to 16 (the
 * padding is zero in W, b and βᵀ, so it contributes nothing). run() copies only x in and the outputs back.
 */
export function planDense(
  core: WasmCore,
  d: number,
  l: number,
  m: number,
  w: Float32Array,
  b: Float32Array,
  act: Activation,
  beta: Float32Array,
): DensePlan {
  const code = actCode(act);
  const lp = roundUp(l, 16);
  const heap = core.heap;
  const wPtr = heap.alloc(d * lp * 4);
  const bPtr = heap.alloc(lp * 4);
  const btPtr = heap.alloc(m * lp * 4);
  {
    const f = heap.f32;
    f.fill(0, wPtr >> 2, (wPtr >> 2) + d * lp);
    for (let i = 0; i < d; i++) f.set(w.subarray(i * l, (i + 1) * l), (wPtr >> 2) + i * lp);
    f.fill(0, bPtr >> 2, (bPtr >> 2) + lp);
    f.set(b.subarray(0, l), bPtr >> 2);
    f.fill(0, btPtr >> 2, (btPtr >> 2) + m * lp);
    for (let j = 0; j < l; j++) for (let c = 0; c < m; c++) f[(btPtr >> 2) + c * lp + j] = beta[j * m + c]!;
  }
  let packed = 0; // W packed for the batched path, made on first use

  const batch = (rows: number, xPtr: number, hPtr: number, oPtr: number): void => {
    if (!packed) {
      packed = heap.alloc(d * lp * 4);
      core.k.pack_b(d, lp, wPtr, lp, 0, packed, core.t.kc, 0, lp / NR);
    }
    const { mc, kc, nc } = core.t;
    const args = [0, rows, lp, d, xPtr, d, 0, packed, hPtr, lp, 1, 0, bPtr, code, core.ws[0]!, mc, kc, nc];
    core.k.gemm_rows(...(args as Parameters<typeof core.k.gemm_rows>));
    core.k.dense_out(rows, lp, m, hPtr, btPtr, oPtr);
  };

  return residentPlan(
    heap,
    'dense',
    d,
    l,
    m,
    lp * 4,
    (n, xPtr, hPtr, oPtr) => {
      if (n < ROW_PATH_MAX) core.k.dense_rows(n, d, lp, m, xPtr, wPtr, bPtr, btPtr, code, hPtr, oPtr);
      else batch(n, xPtr, hPtr, oPtr);
    },
    () => {
      for (const p of [wPtr, bPtr, btPtr]) heap.release(p);
      if (packed) heap.release(packed);
    },
  );
}
