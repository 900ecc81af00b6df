import { roundUp, splitEven, splitTriangle, type WasmCore } from './core.js';
import { MR, NR } from './kernels.js';

/** Pack op(B) (k×n) at bRaw into bp, panels split across threads. */
function packB(core: WasmCore, k: number, n: number, bRaw: number, ldb: number, tB: boolean, bp: number): void {
  const panels = roundUp(n, NR) / NR;
  const cuts = splitEven(panels, core.partsFor(k * n * 8), 1);
  core.run(
    'pack_b',
    cuts.slice(1).map((q1, i) => [k, n, bRaw, ldb, tB ? 1 : 0, bp, core.t.kc, cuts[i]!, q1]),
  );
}

/** Rows [0, rows) of C at cPtr (ldc = n) from op(A) at aPtr and packed B, split across threads by rows. */
function rowsProduct(
  core: WasmCore,
  rows: number,
  n: number,
  k: number,
  aPtr: number,
  lda: number,
  tA: boolean,
  bp: number,
  cPtr: number,
  alpha: number,
  beta: number,
  biasPtr: number,
  act: number,
): void {
  const cuts = splitEven(rows, core.partsFor(2 * rows * n * k), MR);
  const { mc, kc, nc } = core.t;
  const parts: number[][] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    if (cuts[i + 1]! <= cuts[i]!) continue;
    parts.push([
      cuts[i]!,
      cuts[i + 1]!,
      n,
      k,
      aPtr,
      lda,
      tA ? 1 : 0,
      bp,
      cPtr,
      n,
      alpha,
      beta,
      biasPtr,
      act,
      core.ws[parts.length]!,
      mc,
      kc,
      nc,
    ]);
  }
  if (parts.length > 0) core.run('gemm_rows', parts);
}

export interface ProductSpec {
  tA: boolean;
  tB: boolean;
  m: number;
  n: number;
  k: number;
  alpha: number;
  a: Float32Array;
  b: Float32Array;
  beta: number;
  c: Float32Array;
  /** Bias row (length n) to start C from instead of beta·C; act ≥ 0 applies an activation code at the end. */
  bias?: Float32Array;
  act: number;
}

/**
 * C = alpha·op(A)·op(B) + (beta·C | bias), then act. B is copied and packed once; rows of A and C stream through
 * linear memory in chunks (whole when A is transposed, since its rows are then strided).
 */
export function product(core: WasmCore, s: ProductSpec): void {
  const { tA, tB, m, n, k } = s;
  if (m === 0 || n === 0) return;
  const npad = roundUp(n, NR);
  const per = (k + n) * 4;
  let chunk = tA ? m : Math.max(MR, Math.floor(core.t.chunkBytes / per / MR) * MR);
  if (chunk >= m) chunk = m;
  const bpBytes = k * npad * 4;
  const biasBytes = s.bias ? n * 4 : 0;
  const work = Math.max(k * n * 4, chunk * per);
  const base = core.scratch(bpBytes + biasBytes + work + 64);
  const bp = base;
  const biasPtr = s.bias ? bp + bpBytes : 0;
  const region = bp + bpBytes + roundUp(biasBytes, 64);
  core.copyF32In(s.b, k * n, region);
  packB(core, k, n, region, tB ? k : n, tB, bp);
  if (s.bias) core.copyF32In(s.bias, n, biasPtr);
  const aPtr = region;
  const cPtr = region + roundUp(chunk * k * 4, 64);
  if (tA) core.copyF32In(s.a, k * m, aPtr);
  const f32 = () => core.heap.f32;
  for (let r0 = 0; r0 < m; r0 += chunk) {
    const rows = Math.min(chunk, m - r0);
    if (!tA) f32().set(s.a.subarray(r0 * k, (r0 + rows) * k), aPtr >> 2);
    if (!s.bias && s.beta !== 0) f32().set(s.c.subarray(r0 * n, (r0 + rows) * n), cPtr >> 2);
    const aOff = tA ? aPtr + r0 * 4 : aPtr;
    rowsProduct(core, rows, n, k, aOff, tA ? m : k, tA, bp, cPtr, s.alpha, s.beta, biasPtr, s.act);
    core.copyF32Out(cPtr, rows * n, s.c, r0 * n);
  }
  core.trimScratch();
}

/** Rows of H per chunk so raw + packed H fit the chunk budget (at least one KC block). */
function hChunk(core: WasmCore, rows: number, cols: number): number {
  const per = (cols + roundUp(cols, NR)) * 4;
  return Math.min(rows, Math.max(core.t.kc, Math.floor(core.t.chunkBytes / per / core.t.kc) * core.t.kc));
}

/**
 * G += HᵀH (upper triangle). Per chunk of rows: copy, pack once (threads split the panels), compute the chunk's
 * upper triangle in f32 (threads split the triangle's area), then add it into the caller's Float64 G.
 */
export function gram(core: WasmCore, rows: number, cols: number, h: Float32Array, g: Float64Array): void {
  if (rows === 0 || cols === 0) return;
  const npad = roundUp(cols, NR);
  const chunk = hChunk(core, rows, cols);
  const cBytes = roundUp(cols * cols * 4, 64);
  const rawBytes = roundUp(chunk * cols * 4, 64);
  const base = core.scratch(cBytes + rawBytes + chunk * npad * 4);
  const cPtr = base,
    raw = base + cBytes,
    hp = raw + rawBytes;
  const tiles = roundUp(cols, MR);
  for (let r0 = 0; r0 < rows; r0 += chunk) {
    const k = Math.min(chunk, rows - r0);
    core.heap.f32.set(h.subarray(r0 * cols, (r0 + k) * cols), raw >> 2);
    packB(core, k, cols, raw, cols, false, hp);
    const cuts = splitTriangle(tiles, core.partsFor(k * cols * cols), MR, false);
    const parts: number[][] = [];
    for (let i = 0; i + 1 < cuts.length; i++)
      if (cuts[i + 1]! > cuts[i]!)
        parts.push([k, cols, hp, cPtr, cuts[i]!, cuts[i + 1]!, core.ws[parts.length]!, core.t.mc, core.t.kc, 1]);
    core.run('gram_rows', parts);
    // flush the chunk's upper triangle into Float64 (the next chunk overwrites C, so no clearing)
    const c = core.heap.f32;
    for (let i = 0; i < cols; i++) {
      const o = i * cols;
      const co = (cPtr >> 2) + o;
      for (let j = i; j < cols; j++) g[o + j] += c[co + j]!;
    }
  }
  core.trimScratch();
}

/** out (cols×m, Float64) += HᵀT: per chunk a transposed-A product into f32, flushed into Float64. */
export function cross(
  core: WasmCore,
  rows: number,
  cols: number,
  m: number,
  h: Float32Array,
  t: Float32Array,
  out: Float64Array,
): void {
  if (rows === 0 || cols === 0 || m === 0) return;
  const mpad = roundUp(m, NR);
  const chunk = hChunk(core, rows, cols);
  const rawBytes = roundUp(chunk * cols * 4, 64);
  const tBytes = roundUp(chunk * m * 4, 64);
  const tpBytes = roundUp(chunk * mpad * 4, 64);
  const base = core.scratch(rawBytes + tBytes + tpBytes + cols * m * 4);
  const raw = base,
    tRaw = raw + rawBytes,
    tp = tRaw + tBytes,
    cPtr = tp + tpBytes;
  for (let r0 = 0; r0 < rows; r0 += chunk) {
    const k = Math.min(chunk, rows - r0);
    core.heap.f32.set(h.subarray(r0 * cols, (r0 + k) * cols), raw >> 2);
    core.heap.f32.set(t.subarray(r0 * m, (r0 + k) * m), tRaw >> 2);
    packB(core, k, m, tRaw, m, false, tp);
    rowsProduct(core, cols, m, k, raw, cols, true, tp, cPtr, 1, 0, 0, -1);
    const c = core.heap.f32;
    const c0 = cPtr >> 2;
    for (let i = 0; i < cols * m; i++) out[i] += c[c0 + i]!;
  }
  core.trimScratch();
}

export function gemv(
  core: WasmCore,
  trans: boolean,
  m: number,
  n: number,
  a: Float32Array,
  x: Float32Array,
  y: Float32Array,
): void {
  const xn = trans ? m : n,
    yn = trans ? n : m;
  const aBytes = roundUp(m * n * 4, 64),
    xBytes = roundUp(xn * 4, 64);
  const base = core.scratch(aBytes + xBytes + yn * 4);
  core.copyF32In(a, m * n, base);
  core.copyF32In(x, xn, base + aBytes);
  core.k.gemv(trans ? 1 : 0, m, n, base, base + aBytes, base + aBytes + xBytes);
  core.copyF32Out(base + aBytes + xBytes, yn, y);
  core.trimScratch();
}
