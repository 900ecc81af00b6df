import { ElmError } from '../core/errors.js';
import { REQUIRED_KERNELS, type Kernel, type KernelName, type KernelTable, type RequiredKernels } from './kernels.js';

export type {
  DensePlan,
  Int8PlanSpec,
  Kernel,
  KernelContracts,
  KernelName,
  KernelTable,
  OptionalKernelName,
  RequiredKernelName,
} from './kernels.js';
export { OPTIONAL_KERNELS, REQUIRED_KERNELS } from './kernels.js';

/**
 * A numeric backend: a name and a table of kernels by name (kernels.ts holds the contracts). The table is the source
 * of truth; the required kernels are also exposed as methods (`backend.gemm(...)`) so model code reads plainly —
 * they are the same function objects as in the table, so a method call costs what a table call does. Optional
 * kernels (planInt8, and whatever comes next) are reached only by name: findKernel / kernel / hasKernel.
 * Models call kernels only through a Backend, so a faster backend plugs in without touching models.
 */
export interface Backend extends RequiredKernels {
  readonly name: string;
  /** Every registered kernel by name (frozen). */
  readonly kernels: Readonly<KernelTable>;
  /** Whether this backend registers the kernel. */
  hasKernel(name: KernelName): boolean;
  /** The registered kernel, or undefined: resolve once (at plan or model construction), not per call. */
  findKernel<N extends KernelName>(name: N): Kernel<N> | undefined;
  /** The registered kernel; ELM_ERR_UNSUPPORTED when this backend does not register it. */
  kernel<N extends KernelName>(name: N): Kernel<N>;
  /** Names of the registered kernels. */
  kernelNames(): KernelName[];
}

/**
 * Build a backend from its kernel table. Every required kernel must be a function (ELM_ERR_INVALID_ARGUMENT
 * otherwise); optional ones are registered when present. To extend a backend with a kernel, build a new one:
 * `createBackend(be.name, { ...be.kernels, planInt8: myPlanInt8 })`.
 */
export function createBackend(name: string, kernels: KernelTable): Backend {
  const table: Partial<Record<KernelName, unknown>> = {};
  for (const [k, f] of Object.entries(kernels)) if (typeof f === 'function') table[k as KernelName] = f;
  for (const k of REQUIRED_KERNELS) {
    if (!table[k]) throw new ElmError('ELM_ERR_INVALID_ARGUMENT', `backend "${name}" lacks the required kernel "${k}"`);
  }
  const frozen = Object.freeze(table) as Readonly<KernelTable>;
  const find = <N extends KernelName>(k: N): Kernel<N> | undefined => frozen[k] as Kernel<N> | undefined;
  const methods = Object.fromEntries(REQUIRED_KERNELS.map((k) => [k, frozen[k]])) as unknown as RequiredKernels;
  return {
    ...methods,
    name,
    kernels: frozen,
    hasKernel: (k) => frozen[k] !== undefined,
    findKernel: find,
    kernel<N extends KernelName>(k: N): Kernel<N> {
      const f = find(k);
      if (!f) {
        throw new ElmError('ELM_ERR_UNSUPPORTED', `backend "${name}" does not register the kernel "${k}"`, {
          backend: name,
          kernel: k,
        });
      }
      return f;
    },
    kernelNames: () => Object.keys(frozen) as KernelName[],
  };
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
