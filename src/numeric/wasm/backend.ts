import { ElmError } from '../../core/errors.js';
import { createBackend, type Backend } from '../backend.js';
import type { KernelTable } from '../kernels.js';
import { softmaxRows, argmaxRows } from '../rows.js';
import { DEFAULT_TUNING, WasmCore, type Tuning } from './core.js';
import { Heap } from './heap.js';
import type { WasmHelper } from './helper.js';
import { actCode, instantiateKernels, simdSupported, type WasmInstance } from './kernels.js';
import { cholesky, choleskySolve } from './ops-chol.js';
import { cross, gemv, gram, product } from './ops-gemm.js';
import { planDense } from './plan.js';
import { planInt8 } from './plan-int8.js';

/** Initial and maximum linear memory (64 KiB pages): 16 MiB to start, 4 GiB (the wasm32 limit) at most. */
export const INITIAL_PAGES = 256;
export const MAXIMUM_PAGES = 65536;

export interface WasmContext {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  instance: WasmInstance;
  heap: Heap;
}

/**
 * Compile (if given bytes) and instantiate the kernels over a memory: a fresh non-shared one by default, or the
 * given one (shared, for the threaded build). Platform-free: the adapter supplies the module or its bytes.
 */
export function createWasmContext(source: WebAssembly.Module | BufferSource, memory?: WebAssembly.Memory): WasmContext {
  if (!simdSupported()) throw new ElmError('ELM_ERR_BACKEND_UNAVAILABLE', 'this engine does not support wasm SIMD128');
  const module = source instanceof WebAssembly.Module ? source : new WebAssembly.Module(source);
  const mem = memory ?? new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES });
  const instance = instantiateKernels(module, mem);
  return { module, memory: mem, instance, heap: new Heap(mem, instance.heapBase) };
}

export interface WasmBackendOptions {
  name?: string;
  /** Other instances of the threaded module over the same shared memory (see helper.ts). */
  helpers?: WasmHelper[];
  tuning?: Partial<Tuning>;
  /** Run every kernel once at creation so V8 has optimised them before the first real call (default true). */
  warmup?: boolean;
}

/** The WebAssembly SIMD128 backend over a context: same contract and conformance suite as the JS reference. */
export function createWasmBackend(ctx: WasmContext, opts: WasmBackendOptions = {}): Backend {
  const core = new WasmCore(ctx.instance.kernels, ctx.heap, opts.helpers ?? [], { ...DEFAULT_TUNING, ...opts.tuning });
  const name = opts.name ?? (core.threads > 1 ? `wasm-threads(${core.threads})` : 'wasm');
  const backend = createBackend(name, wasmKernels(core));
  if (opts.warmup !== false) warmUp(backend);
  return backend;
}

/** The wasm kernels by name over one core (linear memory, heap, helper threads). */
function wasmKernels(core: WasmCore): KernelTable {
  return {
    gemm(transA, transB, m, n, k, alpha, a, b, beta, c) {
      product(core, { tA: transA, tB: transB, m, n, k, alpha, a, b, beta, c, act: -1 });
    },
    gemv: (trans, m, n, a, x, y) => gemv(core, trans, m, n, a, x, y),
    gramAccumulate: (rows, cols, h, g) => gram(core, rows, cols, h, g),
    crossAccumulate: (rows, cols, m, h, t, out) => cross(core, rows, cols, m, h, t, out),
    hidden(rows, d, l, x, w, b, act, out) {
      const code = actCode(act);
      product(core, {
        tA: false,
        tB: false,
        m: rows,
        n: l,
        k: d,
        alpha: 1,
        a: x,
        b: w,
        beta: 0,
        c: out,
        bias: b,
        act: code,
      });
    },
    planDense: (d, l, m, w, b, act, beta) => planDense(core, d, l, m, w, b, act, beta),
    planInt8: (spec) => planInt8(core, spec),
    cholesky: (n, a) => cholesky(core, n, a),
    choleskySolve: (n, m, l, b) => choleskySolve(core, n, m, l, b),
    activate(act, x, len) {
      const code = actCode(act);
      if (len === 0 || act === 'identity') return;
      const p = core.scratch(len * 4);
      core.copyF32In(x, len, p);
      core.k.act_apply(code, p, len);
      core.copyF32Out(p, len, x);
    },
    softmaxRows,
    argmaxRows,
  };
}

/**
 * V8 first runs wasm in its baseline compiler and tiers hot functions up in the background; the first large GEMM
 * is 4–5× slower until then. A few small calls of every kernel at load trigger the tier-up early.
 */
export function warmUp(be: Backend): void {
  const n = 48;
  const a = new Float32Array(n * n).map((_, i) => ((i * 7) % 13) / 13 - 0.5);
  const c = new Float32Array(n * n);
  const g = new Float64Array(n * n);
  const out = new Float64Array(n * 4);
  for (let rep = 0; rep < 12; rep++) {
    be.gemm(false, false, n, n, n, 1, a, a, 0, c);
    be.gemm(true, true, n, n, n, 1, a, a, 1, c);
    be.hidden(n, n, n, a, a, a.subarray(0, n), rep % 2 ? 'tanh' : 'sigmoid', c);
    be.gramAccumulate(n, n, a, g);
    be.crossAccumulate(n, n, 4, a, a, out);
  }
  const spd = new Float64Array(n * n);
  for (let i = 0; i < n; i++) spd[i * n + i] = 2;
  for (let rep = 0; rep < 4; rep++) {
    const f = spd.slice();
    be.cholesky(n, f);
    be.choleskySolve(n, 4, f, out.subarray(0, n * 4));
  }
  const plan = be.planDense(n, n, 4, a, a.subarray(0, n), 'tanh', a.subarray(0, n * 4));
  const y = new Float32Array(4);
  for (let rep = 0; rep < 50; rep++) plan.run(1, a, y);
  plan.dispose();
  const planInt8Kernel = be.findKernel('planInt8');
  if (planInt8Kernel) {
    const q = Int8Array.from(a, (v) => Math.round(v * 200));
    const p8 = planInt8Kernel({
      d: n,
      l: n,
      m: 4,
      wq: q,
      wScale: a.subarray(0, n).map(Math.abs),
      colSum: a.subarray(0, n),
      b: a.subarray(0, n),
      act: 'tanh',
      betaQ: q.subarray(0, 4 * n),
      betaScale: a.subarray(0, 4),
    });
    for (let rep = 0; rep < 50; rep++) p8.run(1, a, y);
    p8.dispose();
  }
}
