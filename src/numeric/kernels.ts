import { ElmError } from '../core/errors.js';
import type { Activation } from '../core/types.js';

/**
 * Kernels by name (tfjs style). A backend is a name plus a table of kernels, each looked up by its name and typed
 * by its contract below. A kernel listed in REQUIRED_KERNELS is registered by every backend; any other kernel is
 * optional — a backend that lacks it simply does not register it, and a caller resolves it once
 * (`backend.findKernel(name) ?? reference`) where it builds its plan, never per row.
 *
 * Adding a kernel: add its contract to KernelContracts, its JS reference to numeric/js/ (registered on the JS
 * backend, which defines every kernel), its conformance tests to test/numeric/; a faster backend registers its own
 * version when it has one. The Backend interface does not change.
 *
 * All matrices are flat, row-major typed arrays. Precision policy: storage and products in Float32; the Gram
 * matrix, HᵀT and the Cholesky solve in Float64 (a Float32 Gram over 60k rows loses positive-definiteness for large
 * C). Backends may accumulate a block of rows in Float32 internally but must add each block into the Float64 sum.
 */
export interface KernelContracts {
  /**
   * C = alpha·op(A)·op(B) + beta·C, with op(X) = X or Xᵀ. op(A) is m×k, op(B) is k×n, C is m×n.
   * A is stored m×k (or k×m when transA), B is k×n (or n×k when transB). beta = 0 ignores C's contents (even NaN).
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
   * Int8PlanSpec). The reference is numeric/js/int8-plan.ts; callers fall back to it where a backend lacks this.
   */
  planInt8(spec: Int8PlanSpec): DensePlan;

  /** In place: overwrite the lower triangle of the n×n SPD matrix A with its Cholesky factor L (A = L·Lᵀ). */
  cholesky(n: number, a: Float64Array): void;

  /** Solve (L·Lᵀ)·X = B in place for B (n×m), given the factor from cholesky. */
  choleskySolve(n: number, m: number, l: Float64Array, b: Float64Array): void;

  /** Apply an activation elementwise in place to x[0..len). */
  activate(act: Activation, x: Float32Array, len: number): void;

  /** Row-wise numerically stable softmax in place. */
  softmaxRows(rows: number, cols: number, x: Float32Array): void;

  /** Index of the maximum of each row. */
  argmaxRows(rows: number, cols: number, x: Float32Array, out: Int32Array): void;
}

export type KernelName = keyof KernelContracts;
export type Kernel<N extends KernelName> = KernelContracts[N];

/** The kernels every backend registers; models call these without checking. Everything else is optional. */
export const REQUIRED_KERNELS = [
  'gemm',
  'gemv',
  'gramAccumulate',
  'crossAccumulate',
  'hidden',
  'planDense',
  'cholesky',
  'choleskySolve',
  'activate',
  'softmaxRows',
  'argmaxRows',
] as const satisfies readonly KernelName[];

export type RequiredKernelName = (typeof REQUIRED_KERNELS)[number];
export type OptionalKernelName = Exclude<KernelName, RequiredKernelName>;

/** The optional kernels, for suites that report each one as run or not registered. */
export const OPTIONAL_KERNELS: readonly OptionalKernelName[] = ['planInt8'];

export type RequiredKernels = Pick<KernelContracts, RequiredKernelName>;

/** What a backend registers: every required kernel, any optional ones. */
export type KernelTable = RequiredKernels & Partial<Pick<KernelContracts, OptionalKernelName>>;

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

/** The planInt8 contract's shape check, shared by every implementation: ELM_ERR_SHAPE_MISMATCH on a mismatch. */
export function checkInt8PlanSpec(spec: Int8PlanSpec): void {
  const { d, l, m } = spec;
  if (
    spec.wq.length !== d * l ||
    spec.wScale.length !== l ||
    spec.colSum.length !== l ||
    spec.b.length !== l ||
    spec.betaQ.length !== m * l ||
    spec.betaScale.length !== m
  ) {
    throw new ElmError('ELM_ERR_SHAPE_MISMATCH', `int8 plan operands do not match d=${d}, l=${l}, m=${m}`);
  }
}
