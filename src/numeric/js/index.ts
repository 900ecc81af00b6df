import { activateInPlace } from '../activations.js';
import { createBackend, type Backend } from '../backend.js';
import type { KernelTable } from '../kernels.js';
import { softmaxRows, argmaxRows } from '../rows.js';
import { choleskyJs, choleskySolveJs } from './cholesky.js';
import { hiddenJs, planDenseJs } from './dense.js';
import { crossAccumulateJs, gemmJs, gemvJs, gramAccumulateJs } from './gemm.js';
import { planInt8Js } from './int8-plan.js';

/**
 * The JS reference kernels by name: one small file per kernel family in this folder. The JS backend registers every
 * kernel, optional ones included — each is the definition its faster versions are tested against.
 */
export function jsKernels(): KernelTable {
  return {
    gemm: gemmJs,
    gemv: gemvJs,
    gramAccumulate: gramAccumulateJs,
    crossAccumulate: crossAccumulateJs,
    hidden: hiddenJs,
    planDense: planDenseJs,
    planInt8: planInt8Js,
    cholesky: choleskyJs,
    choleskySolve: choleskySolveJs,
    activate: (act, x, len) => activateInPlace(act, x, 0, len),
    softmaxRows,
    argmaxRows,
  };
}

/** The readable reference backend: the definition every other backend is tested against, and the fallback. */
export function createJsBackend(): Backend {
  return createBackend('js', jsKernels());
}

export { planInt8Js, int8OutputRow } from './int8-plan.js';
