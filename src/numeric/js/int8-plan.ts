import { activateInPlace } from '../activations.js';
import { checkInt8PlanSpec, type DensePlan, type Int8PlanSpec } from '../kernels.js';
import { int8Dots, int8RowTimesMatrix, quantizeRowU8, quantizeVectorI8 } from './int8.js';

/**
 * The planInt8 kernel's reference (typed-array loops, Int32 accumulation): registered on the JS backend, used by
 * callers on a backend that does not register planInt8, and what every other planInt8 is tested against
 * (test/numeric/conformance-int8.ts). Scratch is allocated once per plan.
 */
export function planInt8Js(spec: Int8PlanSpec): DensePlan {
  checkInt8PlanSpec(spec);
  const { d, l, m, wq, wScale, colSum: cs, b: bf, act, betaQ, betaScale: bs } = spec;
  let disposed = false;
  const xq = new Uint8Array(d);
  const acc = new Int32Array(l);
  const h = new Float32Array(l);
  const hq = new Int8Array(l);
  const acc2 = new Int32Array(m);
  return {
    d,
    l,
    m,
    run(rows: number, x: Float32Array, out: Float32Array): void {
      if (disposed) throw new Error('int8 plan used after dispose()');
      for (let r = 0; r < rows; r++) {
        const { lo, scale } = quantizeRowU8(x, r * d, d, xq);
        int8RowTimesMatrix(d, l, xq, wq, acc);
        for (let j = 0; j < l; j++) h[j] = scale * wScale[j]! * acc[j]! + lo * cs[j]! + bf[j]!;
        activateInPlace(act, h, 0, l);
        int8OutputRow(l, m, h, 0, hq, betaQ, bs, acc2, out, r * m);
      }
    },
    dispose(): void {
      disposed = true;
    },
  };
}

/** out[o..o+m) = int8(h[hOff..hOff+l))·int8(β), rescaled: the int8 output layer (also after a float first layer). */
export function int8OutputRow(
  l: number,
  m: number,
  h: Float32Array,
  hOff: number,
  hq: Int8Array,
  betaQ: Int8Array,
  bs: Float32Array,
  acc2: Int32Array,
  out: Float32Array,
  o: number,
): void {
  const sh = quantizeVectorI8(h, l, hq, hOff);
  int8Dots(l, m, hq, betaQ, acc2);
  for (let c = 0; c < m; c++) out[o + c] = sh * bs[c]! * acc2[c]!;
}
