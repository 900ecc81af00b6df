import { ElmError } from '../core/errors.js';
import type { Activation } from '../core/types.js';

const SQRT_2_OVER_PI = 0.7978845608028654;

/** Scalar definitions: the reference every backend is tested against. gelu uses the tanh approximation. */
export const activationFns: Record<Activation, (x: number) => number> = {
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  relu: (x) => (x > 0 ? x : 0),
  sin: Math.sin,
  gelu: (x) => 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x))),
  identity: (x) => x,
};

export function activationFn(act: Activation): (x: number) => number {
  const f = activationFns[act];
  if (!f) throw new ElmError('ELM_ERR_UNKNOWN_ACTIVATION', `unknown activation "${String(act)}"`);
  return f;
}

/** In-place activation with the loop specialised per function (a closure call per element costs ~3×). */
export function activateInPlace(act: Activation, x: Float32Array, start: number, end: number): void {
  switch (act) {
    case 'tanh':
      for (let i = start; i < end; i++) x[i] = Math.tanh(x[i]!);
      return;
    case 'sigmoid':
      for (let i = start; i < end; i++) x[i] = 1 / (1 + Math.exp(-x[i]!));
      return;
    case 'relu':
      for (let i = start; i < end; i++) if (!(x[i]! > 0)) x[i] = 0;
      return;
    case 'sin':
      for (let i = start; i < end; i++) x[i] = Math.sin(x[i]!);
      return;
    case 'gelu':
      for (let i = start; i < end; i++) {
        const v = x[i]!;
        x[i] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v)));
      }
      return;
    case 'identity':
      return;
    default:
      throw new ElmError('ELM_ERR_UNKNOWN_ACTIVATION', `unknown activation "${String(act)}"`);
  }
}
