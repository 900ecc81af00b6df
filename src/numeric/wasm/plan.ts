import type { Activation } from '../../core/types.js';
import type { DensePlan } from '../kernels.js';
import { roundUp, type WasmCore } from './core.js';
import { actCode, HT, NR } from './kernels.js';
import { residentPlan } from './plan-io.js';

/**
 * Which kernel runs a call (measured on MNIST L=4096 and digits L=1024; `node dist/bench/kernels/batch-rows.js`
 * prints the cost per row by batch size):
 *  - dense batches (more than TILED_MAX_DENSITY of the inputs non-zero) take the packed GEMM, which reuses W from
 *    registers across 4 rows and wins when there is little to skip;
 *  - sparse batches take the tile-major kernel (skips zeros, keeps a W block in L1 across the batch) once each W
 *    row is used TILED_MIN_REUSE times on average, or always when W is small enough to stay in L2;
 *  - otherwise (one row, small sparse batches) the per-row AXPY, which skips zero inputs and streams the W rows of
 *    the non-zero ones in order — the hardware prefetcher follows that, so it runs near the compute bound.
 */
const ROW_PATH_MAX = 4;
const TILED_MAX_DENSITY = 0.7;
const TILED_MIN_REUSE = 4;
const L2_RESIDENT_BYTES = 512 * 1024;
/** Inputs per weight block in the tiled kernel: 256 × 32 floats = 32 KB, inside L1 across the batch. */
const TILED_KC = 256;

/**
 * An inference chain with W, b (lp) and βᵀ (m×lp) resident in linear memory, lp = L rounded up to the 32-unit tile
 * (the padding is zero in W, b and βᵀ, so it contributes nothing). W is held twice — row-major (d×lp) for the row
 * kernel and tile-major for the tiled one; each is the faster layout for its kernel — plus a packed copy made on
 * the first dense batch. run() copies only x in and the outputs back.
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
  const lp = roundUp(l, HT); // a multiple of 16 (row kernel), of NR (GEMM) and of HT (tiled kernel)
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
  // Tile-major W for dense_tiled (see wasm/src/tiled.c): tile t holds W[k, t·HT .. t·HT+HT) for every k.
  const wtPtr = heap.alloc(d * lp * 4);
  {
    const f = heap.f32;
    f.fill(0, wtPtr >> 2, (wtPtr >> 2) + d * lp);
    for (let t = 0; t < l; t += HT) {
      const n = Math.min(HT, l - t);
      for (let k = 0; k < d; k++) f.set(w.subarray(k * l + t, k * l + t + n), (wtPtr >> 2) + t * d + k * HT);
    }
  }
  const tiledFitsL2 = d * lp * 4 <= L2_RESIDENT_BYTES;
  let tiledRows = 0;
  let idxPtr = 0;
  const scratchFor = (rows: number): void => {
    if (rows <= tiledRows) return;
    if (tiledRows) heap.release(idxPtr);
    tiledRows = rows;
    // idx, val (rows×d each), cnt, cur (rows each), hacc (rows×HT), part (rows×m×4)
    idxPtr = heap.alloc((2 * rows * d + 2 * rows + rows * HT + rows * m * 4) * 4);
  };
  const tiled = (rows: number, xPtr: number, oPtr: number): void => {
    scratchFor(rows);
    const valPtr = idxPtr + rows * d * 4;
    const cntPtr = valPtr + rows * d * 4;
    const curPtr = cntPtr + rows * 4;
    const haccPtr = curPtr + rows * 4;
    const partPtr = haccPtr + rows * HT * 4;
    core.k.dense_tiled(
      rows,
      d,
      lp,
      m,
      TILED_KC,
      xPtr,
      wtPtr,
      bPtr,
      btPtr,
      code,
      idxPtr,
      valPtr,
      cntPtr,
      curPtr,
      haccPtr,
      partPtr,
      oPtr,
    );
  };

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

  const kernelFor = (n: number, xPtr: number): 'rows' | 'tiled' | 'gemm' => {
    if (n < ROW_PATH_MAX) return 'rows';
    const nnz = core.k.nonzero_count(xPtr, n * d);
    if (nnz > n * d * TILED_MAX_DENSITY) return 'gemm';
    return nnz >= TILED_MIN_REUSE * d || tiledFitsL2 ? 'tiled' : 'rows';
  };

  return residentPlan(
    heap,
    'dense',
    d,
    l,
    m,
    lp * 4,
    (n, xPtr, hPtr, oPtr) => {
      const k = kernelFor(n, xPtr);
      if (k === 'gemm') batch(n, xPtr, hPtr, oPtr);
      else if (k === 'tiled') tiled(n, xPtr, oPtr);
      else core.k.dense_rows(n, d, lp, m, xPtr, wPtr, bPtr, btPtr, code, hPtr, oPtr);
    },
    () => {
      for (const p of [wPtr, wtPtr, bPtr, btPtr]) heap.release(p);
      if (packed) heap.release(packed);
      if (tiledRows) heap.release(idxPtr);
    },
  );
}
