import type { Activation } from '../../core/types.js';
import { ElmError } from '../../core/errors.js';

/** The C exports of wasm/elmscale*.wasm (see wasm/src/*.c); pointers are byte offsets into linear memory. */
export interface Kernels {
  pack_b(
    k: number,
    n: number,
    b: number,
    ldb: number,
    transB: number,
    bp: number,
    kc: number,
    q0: number,
    q1: number,
  ): void;
  gemm_rows(
    m0: number,
    m1: number,
    n: number,
    k: number,
    a: number,
    lda: number,
    transA: number,
    bp: number,
    c: number,
    ldc: number,
    alpha: number,
    beta: number,
    bias: number,
    act: number,
    ws: number,
    mc: number,
    kc: number,
    nc: number,
  ): void;
  gram_rows(
    k: number,
    cols: number,
    hp: number,
    c: number,
    i0: number,
    i1: number,
    ws: number,
    mc: number,
    kc: number,
    overwrite: number,
  ): void;
  gemv(trans: number, m: number, n: number, a: number, x: number, y: number): void;
  act_apply(act: number, x: number, len: number): void;
  dense_rows(
    rows: number,
    d: number,
    lp: number,
    m: number,
    x: number,
    w: number,
    b: number,
    betaT: number,
    act: number,
    h: number,
    out: number,
  ): void;
  dense_out(rows: number, lp: number, m: number, h: number, betaT: number, out: number): void;
  dense_tiled(
    rows: number,
    d: number,
    lt: number,
    m: number,
    kc: number,
    x: number,
    wt: number,
    b: number,
    betaT: number,
    act: number,
    idx: number,
    val: number,
    cnt: number,
    cur: number,
    hacc: number,
    part: number,
    out: number,
  ): void;
  nonzero_count(x: number, n: number): number;
  int8_rows(
    rows: number,
    d: number,
    l: number,
    lp: number,
    m: number,
    act: number,
    x: number,
    wq: number,
    wScale: number,
    colSum: number,
    b: number,
    betaQ: number,
    betaScale: number,
    scratch: number,
    out: number,
  ): void;
  chol_diag(n: number, a: number, k0: number, nb: number, bad: number): number;
  chol_trsm(n: number, a: number, k0: number, nb: number, r0: number, r1: number): void;
  chol_pack(n: number, a: number, k0: number, nb: number, r0: number, r1: number, p: number): void;
  chol_update(n: number, a: number, k0: number, nb: number, p: number, t0: number, t1: number): void;
  chol_solve(n: number, m: number, l: number, b: number): void;
}

/** Kernels a helper thread can be asked to run, by index (the helper protocol sends the index). */
export const PARALLEL_KERNELS = ['pack_b', 'gemm_rows', 'gram_rows', 'chol_trsm', 'chol_pack', 'chol_update'] as const;
export type ParallelKernel = (typeof PARALLEL_KERNELS)[number];

/** Register tile of the C kernels (MR×NR) and the f64 panel height of the Cholesky update. */
export const MR = 4;
export const NR = 8;
/** Hidden units per tile of the tile-major dense plan (HT in wasm/src/tiled.c). */
export const HT = 32;

export const ACT_CODE: Record<Activation, number> = { tanh: 0, sigmoid: 1, relu: 2, sin: 3, gelu: 4, identity: 5 };

export function actCode(act: Activation): number {
  const c = ACT_CODE[act];
  if (c === undefined) throw new ElmError('ELM_ERR_UNKNOWN_ACTIVATION', `unknown activation "${String(act)}"`);
  return c;
}

export interface WasmInstance {
  kernels: Kernels;
  /** First free byte after the module's data and stack. */
  heapBase: number;
  stackPointer: WebAssembly.Global | undefined;
}

/** Instantiate the kernels module over the given memory (the module imports env.memory). */
export function instantiateKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): WasmInstance {
  const inst = new WebAssembly.Instance(module, { env: { memory } });
  const ex = inst.exports as unknown as Kernels & {
    __heap_base: WebAssembly.Global;
    __stack_pointer?: WebAssembly.Global;
  };
  return { kernels: ex, heapBase: Number(ex.__heap_base.value), stackPointer: ex.__stack_pointer };
}

/** Whether this engine runs wasm SIMD128 (a one-instruction probe module). */
export function simdSupported(): boolean {
  try {
    // (module (func (result v128) (v128.const i32x4 0 0 0 0)))
    const bytes = new Uint8Array([
      0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0,
      0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
    ]);
    return WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}
