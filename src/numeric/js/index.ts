import type { Activation } from '../../core/types.js';
import { activateInPlace } from '../activations.js';
import type { Backend, DensePlan } from '../backend.js';
import { softmaxRows, argmaxRows } from '../rows.js';
import { choleskyJs, choleskySolveJs } from './cholesky.js';
import { crossAccumulateJs, gemmJs, gemvJs, gramAccumulateJs } from './gemm.js';

/** The readable reference backend: the definition every other backend is tested against, and the fallback. */
export function createJsBackend(): Backend {
  const backend: Backend = {
    name: 'js',
    gemm: gemmJs,
    gemv: gemvJs,
    gramAccumulate: gramAccumulateJs,
    crossAccumulate: crossAccumulateJs,
    hidden(rows, d, l, x, w, b, act: Activation, out) {
      for (let r = 0; r < rows; r++) out.set(b.subarray(0, l), r * l);
      gemmJs(false, false, rows, l, d, 1, x, w, 1, out);
      activateInPlace(act, out, 0, rows * l);
    },
    cholesky: choleskyJs,
    choleskySolve: choleskySolveJs,
    activate: (act, x, len) => activateInPlace(act, x, 0, len),
    softmaxRows,
    argmaxRows,
    planDense(d, l, m, w, b, act, beta): DensePlan {
      let scratch = new Float32Array(l);
      return {
        d,
        l,
        m,
        run(rows, x, out) {
          if (scratch.length < rows * l) scratch = new Float32Array(rows * l);
          backend.hidden(rows, d, l, x, w, b, act, scratch);
          gemmJs(false, false, rows, m, l, 1, scratch, beta, 0, out);
        },
        dispose() {
          scratch = new Float32Array(0);
        },
      };
    },
  };
  return backend;
}
