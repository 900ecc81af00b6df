/** Shared shape and dtype vocabulary. Row-major flat typed arrays everywhere; never number[][] in a hot path. */
export type Activation = 'tanh' | 'sigmoid' | 'relu' | 'sin' | 'gelu' | 'identity';
export const ACTIVATIONS: readonly Activation[] = ['tanh', 'sigmoid', 'relu', 'sin', 'gelu', 'identity'];

export type Task = 'classification' | 'regression';

/** A dense row-major matrix view. */
export interface Matrix32 {
  data: Float32Array;
  rows: number;
  cols: number;
}

export function matrix32(rows: number, cols: number, data?: Float32Array): Matrix32 {
  return { rows, cols, data: data ?? new Float32Array(rows * cols) };
}

export function isActivation(s: string): s is Activation {
  return (ACTIVATIONS as readonly string[]).includes(s);
}
