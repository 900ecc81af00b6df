import type { Activation } from '../core/types.js';

/**
 * The kernel contract. Models call kernels only through this interface, so a faster backend (wasm SIMD,
 * multi-threaded, native) plugs in without touching models. All matrices are flat, row-major typed arrays.
 *
 * Precision policy: storage and products in Float32; the Gram matrix, HᵀT and the Cholesky solve in Float64
 * (a Float32 Gram over 60k rows loses positive-definiteness for large C). Backends may accumulate a block of rows
 * in Float32 internally but must add each block into the Float64 accumulator.
 */
export interface Backend {
  readonly name: string;

  /**
   * C = alpha·op(A)·op(B) + beta·C, with op(X) = X or Xᵀ. op(A) is m×k, op(B) is k×n, C is m×n.
   * A is stored m×k (or k×m when transA), B is k×n (or n×k when transB).
   */
  gemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Float32Array,
    b: Float32Array,
    beta: number,
    c: Float32Array,
  ): void;

  /** y = A·x (A is m×n) or Aᵀ·x when trans. */
  gemv(trans: boolean, m: number, n: number, a: Float32Array, x: Float32Array, y: Float32Array): void;

  /**
   * Gram accumulation: G += HᵀH for H (rows×cols). Only the upper triangle (i ≤ j) of G is guaranteed to be
   * updated; call mirrorUpper once after the last block.
   */
  gramAccumulate(rows: number, cols: number, h: Float32Array, g: Float64Array): void;

  /** Cross-product accumulation: out += HᵀT for H (rows×cols) and T (rows×m); out is cols×m Float64. */
  crossAccumulate(rows: number, cols: number, m: number, h: Float32Array, t: Float32Array, out: Float64Array): void;

  /**
   * Fused hidden layer: out = g(X·W + b) for X (rows×d), W (d×l), b (l). out is rows×l.
   * This is the whole cost of ELM inference's first layer, so backends fuse bias and activation into the GEMM.
   */
  hidden(
    rows: number,
    d: number,
    l: number,
    x: Float32Array,
    w: Float32Array,
    b: Float32Array,
    act: Activation,
    out: Float32Array,
  ): void;

  /**
   * An ELM inference chain with its weights resident in the backend (for wasm: copied into linear memory once,
   * so a single-row predict moves only the row): out = act(x·W + b)·β for x (rows×d), W (d×l), b (l), β (l×m).
   * The plan owns no reference to the caller's x or out. dispose() releases backend memory.
   */
  planDense(
    d: number,
    l: number,
    m: number,
    w: Float32Array,
    b: Float32Array,
    act: Activation,
    beta: Float32Array,
  ): DensePlan;

  /**
   * Optional: the int8 inference chain of a quantised ELM with its int8 weights resident in the backend (see
   * Int8PlanSpec for what it computes). Backends without it leave it undefined; callers then run the portable
   * typed-array int8 path (src/strategies/quantize/int8-js-plan.ts), which is the reference.
   */
  planInt8?(spec: Int8PlanSpec): DensePlan;

  /** In place: overwrite the lower triangle of the n×n SPD matrix A with its Cholesky factor L (A = L·Lᵀ). */
  cholesky(n: number, a: Float64Array): void;

  /** Solve (L·Lᵀ)·X = B in place for B (n×m), given the factor from cholesky. */
  choleskySolve(n: number, m: number, l: Float64Array, b: Float64Array): void;

  /** Apply an activation elementwise in place. */
  activate(act: Activation, x: Float32Array, len: number): void;

  /** Row-wise numerically stable softmax in place. */
  softmaxRows(rows: number, cols: number, x: Float32Array): void;

  /** Index of the maximum of each row. */
  argmaxRows(rows: number, cols: number, x: Float32Array, out: Int32Array): void;
}

export interface DensePlan {
  readonly d: number;
  readonly l: number;
  readonly m: number;
  /** out (rows×m) = act(x·W + b)·β. */
  run(rows: number, x: Float32Array, out: Float32Array): void;
  dispose(): void;
}

/**
 * An int8 ELM chain. Per row: x → uint8 affine (x ≈ lo + s·q, lo = row minimum, s = (max − lo)/255, q = round);
 * acc = q·Wq in int32; h = act(s·wScale_j·acc_j + lo·colSum_j + b_j); h → int8 symmetric per row (sh = max|h|/127);
 * out_c = sh·betaScale_c·Σ_j hq_j·betaQ[c·l + j] (int32). Matches the reference within the documented tolerance
 * (see docs/backends.md: the activation approximation can move a hidden code by one step).
 */
export interface Int8PlanSpec {
  d: number;
  l: number;
  m: number;
  /** d×l row-major int8 first layer, one symmetric scale per hidden unit. */
  wq: Int8Array;
  wScale: Float32Array;
  /** colSum_j = wScale_j·Σ_i Wq_ij (the contribution of the row minimum lo). */
  colSum: ArrayLike<number>;
  b: Float32Array;
  act: Activation;
  /** m×l int8 output weights (each output column contiguous) and their m scales. */
  betaQ: Int8Array;
  betaScale: Float32Array;
}

/** Copy the upper triangle of an n×n matrix into its lower triangle. */
export function mirrorUpper(n: number, g: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const row = i * n;
    for (let j = i + 1; j < n; j++) g[j * n + i] = g[row + j]!;
  }
}

/** Floating-point work of common kernels, for GFLOP/s reporting and compute-per-query accounting. */
export const flops = {
  gemm: (m: number, n: number, k: number): number => 2 * m * n * k,
  gram: (rows: number, cols: number): number => rows * cols * (cols + 1),
  cholesky: (n: number): number => (n * n * n) / 3,
};
