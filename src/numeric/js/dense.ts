import type { Activation } from '../../core/types.js';
import { activateInPlace } from '../activations.js';
import type { DensePlan } from '../kernels.js';
import { gemmJs } from './gemm.js';

/** The hidden kernel's reference: out = g(X·W + b), bias first, then the GEMM, then the activation in place. */
export function hiddenJs(
  rows: number,
  d: number,
  l: number,
  x: Float32Array,
  w: Float32Array,
  b: Float32Array,
  act: Activation,
  out: Float32Array,
): void {
  for (let r = 0; r < rows; r++) out.set(b.subarray(0, l), r * l);
  gemmJs(false, false, rows, l, d, 1, x, w, 1, out);
  activateInPlace(act, out, 0, rows * l);
}

/** The planDense kernel's reference: hidden then the output GEMM, over a scratch hidden layer that only grows. */
export function planDenseJs(
  d: number,
  l: number,
  m: number,
  w: Float32Array,
  b: Float32Array,
  act: Activation,
  beta: Float32Array,
): DensePlan {
  let scratch = new Float32Array(l);
  return {
    d,
    l,
    m,
    run(rows, x, out) {
      if (scratch.length < rows * l) scratch = new Float32Array(rows * l);
      hiddenJs(rows, d, l, x, w, b, act, scratch);
      gemmJs(false, false, rows, m, l, 1, scratch, beta, 0, out);
    },
    dispose() {
      scratch = new Float32Array(0);
    },
  };
}
