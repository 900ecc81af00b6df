import { ElmError } from '../../core/errors.js';
import { roundUp, splitEven, splitTriangle, type WasmCore } from './core.js';

/**
 * Right-looking blocked Cholesky in Float64. Per block column: the main thread factors the small diagonal block;
 * the panel solve + packing and the trailing update (≈ all of the n³/3 flops) are split across threads.
 */
export function cholesky(core: WasmCore, n: number, a: Float64Array): void {
  if (n === 0) return;
  const nb = Math.max(4, Math.floor(core.t.nb / 4) * 4);
  const aBytes = roundUp(n * n * 8, 64);
  const pBytes = roundUp(n + 4, 4) * nb * 8;
  const base = core.scratch(aBytes + pBytes + 64);
  const aPtr = base,
    pPtr = base + aBytes,
    bad = pPtr + pBytes;
  core.copyF64In(a, n * n, aPtr);
  for (let k0 = 0; k0 < n; k0 += nb) {
    const kb = Math.min(nb, n - k0);
    const piv = core.k.chol_diag(n, aPtr, k0, kb, bad);
    if (piv >= 0) {
      const value = core.heap.f64[bad >> 3]!;
      core.trimScratch();
      throw new ElmError(
        'ELM_ERR_NOT_POSITIVE_DEFINITE',
        `matrix is not positive definite (pivot ${piv} = ${value}); increase regularisation (lower C)`,
        { pivot: piv, value },
      );
    }
    const k1 = k0 + kb;
    const rest = n - k1;
    if (rest <= 0) break;
    const span = roundUp(rest, 4);
    const work = rest * kb * kb + rest * rest * kb;
    const parts = core.partsFor(work);
    const pc = splitEven(span, parts, 4);
    const panel: number[][] = [];
    for (let i = 0; i + 1 < pc.length; i++) {
      const r0 = k1 + pc[i]!,
        r1 = Math.min(n, k1 + pc[i + 1]!);
      if (r1 > r0) panel.push([n, aPtr, k0, kb, r0, r1]);
    }
    core.run('chol_trsm', panel);
    core.run(
      'chol_pack',
      panel.map(([, , , , r0, r1]) => [n, aPtr, k0, kb, r0!, k1 + roundUp(r1! - k1, 4), pPtr]),
    );
    const uc = splitTriangle(span, parts, 4, true);
    const upd: number[][] = [];
    for (let i = 0; i + 1 < uc.length; i++)
      if (uc[i + 1]! > uc[i]!) upd.push([n, aPtr, k0, kb, pPtr, k1 + uc[i]!, k1 + uc[i + 1]!]);
    core.run('chol_update', upd);
  }
  core.copyF64Out(aPtr, n * n, a);
  core.trimScratch();
}

export function choleskySolve(core: WasmCore, n: number, m: number, l: Float64Array, b: Float64Array): void {
  if (n === 0 || m === 0) return;
  const lBytes = roundUp(n * n * 8, 64);
  const base = core.scratch(lBytes + n * m * 8);
  core.copyF64In(l, n * n, base);
  core.copyF64In(b, n * m, base + lBytes);
  core.k.chol_solve(n, m, base, base + lBytes);
  core.copyF64Out(base + lBytes, n * m, b);
  core.trimScratch();
}
